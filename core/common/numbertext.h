#pragma once
// Numbers in files and protocols (model cards, checkpoints, packs, SVG
// charts, PostgreSQL's text results) in the C notation, whatever the
// process's locale. A Qt application takes LC_NUMERIC from the
// environment, and the C library's conversions (std::stod, strtod,
// std::to_string, printf) follow it: on a German workstation std::stod
// read the card's "0.05" as 0 and std::to_string(0.5) wrote "0,500000".
// std::from_chars and std::to_chars never look at the locale.

#include <optional>
#include <string>
#include <string_view>

namespace cytodiff {

// The whole text as a number (blanks around it and a leading '+' allowed;
// "nan" and "inf" read as such); nullopt when it is not one.
std::optional<double> parseNumber(std::string_view text);

// A single value that std::to_string wrote (a score temperature, seconds):
// the C notation, or the one decimal comma it wrote under a German, French
// or Spanish LC_NUMERIC before session 27 ("0,017504"), which the C locale
// read as 0 and parseNumber refuses.
std::optional<double> parseWrittenNumber(std::string_view text);

// The shortest text that reads back as the same double.
std::string numberText(double value);

// Fixed notation with `decimals` digits after the point ("%.6f" in the C locale).
std::string fixedText(double value, int decimals);

// For a Qt application's main(), after the application object: Qt set
// LC_NUMERIC from the environment, and the C library's conversions in the
// libraries below us (LibTorch, OpenCV, libpq) must keep the C notation,
// as Qt's documentation advises. Number display follows QLocale, which
// this does not change.
void keepCNumberNotation();

} // namespace cytodiff
