#pragma once
// Text files from laboratories (manifest.csv, issue 24): identifiers arrive
// exactly or not at all. A spreadsheet on Windows saves CSV as
// Windows-1252 (or UTF-16 for "Unicode text"); read as UTF-8, "Patient
// Müller" became "Patient M\uFFFDller" without a word. The encoding is
// detected:
//   1. a byte-order mark: UTF-8, UTF-16 LE/BE, UTF-32 LE/BE;
//   2. no mark but zero bytes in every other place: UTF-16 LE/BE;
//   3. valid UTF-8 (plain ASCII is that too);
//   4. else Windows-1252 (a superset of Latin-1's printable characters),
//      unless the text holds a byte Windows-1252 leaves undefined (0x81,
//      0x8D, 0x8F, 0x90, 0x9D): then the file is refused.
// Any decoding error refuses the file, and so does a U+FFFD replacement
// character in the decoded text (an earlier program already lost the
// characters); the message names the line.

#include "result.h"

#include <QByteArray>
#include <QString>

namespace cytodiff::importer {

struct DecodedText {
    QString text;     // without the byte-order mark
    QString encoding; // "UTF-8", "UTF-16LE", "Windows-1252", ...
};

// what: the file's name for messages ("manifest.csv").
Result<DecodedText> decodeText(const QByteArray &bytes, const QString &what);

} // namespace cytodiff::importer
