#include "numbertext.h"

#include <charconv>
#include <clocale>

namespace cytodiff {

std::optional<double> parseNumber(std::string_view text)
{
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && blank(text.back()))
        text.remove_suffix(1);
    // from_chars takes no '+', which strtod did.
    if (text.size() > 1 && text.front() == '+' && text[1] != '-')
        text.remove_prefix(1);
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::optional<double> parseWrittenNumber(std::string_view text)
{
    if (auto value = parseNumber(text))
        return value;
    const auto comma = text.find(',');
    if (comma == std::string_view::npos || text.find(',', comma + 1) != std::string_view::npos
        || text.find('.') != std::string_view::npos)
        return std::nullopt;
    std::string pointed(text);
    pointed[comma] = '.';
    return parseNumber(pointed);
}

std::string numberText(double value)
{
    char buffer[64];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return error == std::errc() ? std::string(buffer, end) : std::string("nan");
}

std::string fixedText(double value, int decimals)
{
    // A huge value in fixed notation needs up to 309 digits before the point.
    char buffer[400];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    return error == std::errc() ? std::string(buffer, end) : numberText(value);
}

void keepCNumberNotation()
{
    std::setlocale(LC_NUMERIC, "C");
}

} // namespace cytodiff
