#include "textdecode.h"

#include <QStringDecoder>

#include <array>
#include <optional>

namespace cytodiff::importer {
namespace {

struct Mark {
    const char *bytes;
    int size;
    QStringConverter::Encoding encoding;
    const char *name;
};

// Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
constexpr std::array<Mark, 5> kMarks = {{
    {"\xFF\xFE\x00\x00", 4, QStringConverter::Utf32LE, "UTF-32LE"},
    {"\x00\x00\xFE\xFF", 4, QStringConverter::Utf32BE, "UTF-32BE"},
    {"\xEF\xBB\xBF", 3, QStringConverter::Utf8, "UTF-8"},
    {"\xFF\xFE", 2, QStringConverter::Utf16LE, "UTF-16LE"},
    {"\xFE\xFF", 2, QStringConverter::Utf16BE, "UTF-16BE"},
}};

// Bytes that are not characters in Windows-1252.
bool undefinedIn1252(unsigned char byte)
{
    return byte == 0x81 || byte == 0x8D || byte == 0x8F || byte == 0x90 || byte == 0x9D;
}

// UTF-16 without a mark: text of Latin letters has a zero in every other
// byte. Which half holds the zeros tells the byte order.
std::optional<QStringConverter::Encoding> markLessUtf16(const QByteArray &bytes)
{
    qsizetype evenZeros = 0, oddZeros = 0;
    for (qsizetype i = 0; i + 1 < bytes.size(); i += 2) {
        evenZeros += bytes[i] == '\0';
        oddZeros += bytes[i + 1] == '\0';
    }
    const qsizetype pairs = bytes.size() / 2;
    if (pairs == 0 || bytes.size() % 2 != 0)
        return std::nullopt;
    if (oddZeros * 2 > pairs && evenZeros * 10 < pairs)
        return QStringConverter::Utf16LE;
    if (evenZeros * 2 > pairs && oddZeros * 10 < pairs)
        return QStringConverter::Utf16BE;
    return std::nullopt;
}

int lineOf(const QString &text, qsizetype index)
{
    return int(text.left(index).count(QLatin1Char('\n'))) + 1;
}

// Strict: any malformed sequence is an error, never a replacement character.
std::optional<QString> decodeStrict(QStringDecoder &decoder, QByteArrayView bytes)
{
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

} // namespace

Result<DecodedText> decodeText(const QByteArray &bytes, const QString &what)
{
    const std::string name = what.toStdString();
    DecodedText decoded;
    std::optional<QString> text;
    for (const Mark &mark : kMarks) {
        if (!bytes.startsWith(QByteArrayView(mark.bytes, mark.size)))
            continue;
        QStringDecoder decoder(mark.encoding, QStringConverter::Flag::Stateless);
        text = decodeStrict(decoder, QByteArrayView(bytes).sliced(mark.size));
        if (!text)
            return makeError(name + " starts with a " + mark.name + " byte-order mark but is not valid " + mark.name +
                             ": save it again as UTF-8");
        decoded.encoding = QString::fromLatin1(mark.name);
        break;
    }
    if (!text && bytes.contains('\0')) {
        const auto utf16 = markLessUtf16(bytes);
        if (!utf16)
            return makeError(name + " holds zero bytes and is not UTF-16 text: is it a spreadsheet file rather than CSV? "
                                    "Save it as CSV (UTF-8)");
        QStringDecoder decoder(*utf16, QStringConverter::Flag::Stateless);
        text = decodeStrict(decoder, bytes);
        if (!text)
            return makeError(name + " looks like UTF-16 text but is not valid UTF-16: save it again as UTF-8");
        decoded.encoding = *utf16 == QStringConverter::Utf16LE ? QStringLiteral("UTF-16LE") : QStringLiteral("UTF-16BE");
    }
    if (!text) {
        QStringDecoder utf8(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
        text = decodeStrict(utf8, bytes);
        decoded.encoding = QStringLiteral("UTF-8");
    }
    if (!text) {
        for (qsizetype i = 0; i < bytes.size(); ++i)
            if (undefinedIn1252(static_cast<unsigned char>(bytes[i])))
                return makeError(name + " is neither UTF-8 nor Windows-1252 (byte 0x" +
                                 QByteArray::number(static_cast<unsigned char>(bytes[i]), 16).toUpper().toStdString() +
                                 " on line " + std::to_string(bytes.left(i).count('\n') + 1) +
                                 "): save it as CSV UTF-8 so that no name is changed");
        QStringDecoder windows("windows-1252", QStringConverter::Flag::Stateless);
        if (!windows.isValid())
            return makeError(name + " is not UTF-8 and this system cannot read Windows-1252: save it as CSV UTF-8");
        text = decodeStrict(windows, bytes);
        if (!text)
            return makeError(name + " is neither UTF-8 nor Windows-1252: save it as CSV UTF-8");
        decoded.encoding = QStringLiteral("Windows-1252");
    }
    if (const qsizetype lost = text->indexOf(QChar(QChar::ReplacementCharacter)); lost >= 0)
        return makeError(name + " line " + std::to_string(lineOf(*text, lost)) +
                         " holds the replacement character \xEF\xBF\xBD: a program that saved it lost characters there; "
                         "correct the names in the file");
    decoded.text = std::move(*text);
    return decoded;
}

} // namespace cytodiff::importer
