#include "manifest.h"

#include "textdecode.h"

#include <QFile>
#include <QHash>

namespace cytodiff::importer {
namespace {

// Spreadsheets in comma-decimal locales write ';'; some tools write tabs.
// The header decides: whichever separator it contains.
QChar detectSeparator(const QString &text)
{
    const QString header = text.section(QLatin1Char('\n'), 0, 0);
    if (header.contains(QLatin1Char(',')))
        return QLatin1Char(',');
    if (header.contains(QLatin1Char(';')))
        return QLatin1Char(';');
    if (header.contains(QLatin1Char('\t')))
        return QLatin1Char('\t');
    return QLatin1Char(',');
}

std::optional<double> parseNumber(const QString &text, bool *bad)
{
    *bad = false;
    if (text.trimmed().isEmpty())
        return std::nullopt;
    bool ok = false;
    QString normalised = text.trimmed();
    normalised.replace(QLatin1Char(','), QLatin1Char('.')); // "12,5" from ';' files
    const double value = normalised.toDouble(&ok);
    if (!ok) {
        *bad = true;
        return std::nullopt;
    }
    return value;
}

} // namespace

Result<QList<QStringList>> parseCsv(const QString &text, QChar separator, QList<int> *recordLines)
{
    QList<QStringList> records;
    QStringList fields;
    QString field;
    bool inQuotes = false;
    bool fieldWasQuoted = false;
    int line = 1;
    int quoteStartLine = 0;
    int recordStartLine = 1;

    auto endField = [&] {
        // Unquoted fields are trimmed (hand-written CSVs pad with spaces);
        // quoted ones are kept exactly.
        fields.append(fieldWasQuoted ? field : field.trimmed());
        field.clear();
        fieldWasQuoted = false;
    };
    auto endRecord = [&] {
        endField();
        const bool blank = fields.size() == 1 && fields.first().isEmpty();
        if (!blank) {
            records.append(fields);
            if (recordLines)
                recordLines->append(recordStartLine);
        }
        fields.clear();
    };

    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inQuotes) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    field.append(QLatin1Char('"'));
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                if (c == QLatin1Char('\n'))
                    ++line;
                field.append(c);
            }
            continue;
        }
        if (c == QLatin1Char('"') && field.trimmed().isEmpty()) {
            inQuotes = true;
            fieldWasQuoted = true;
            quoteStartLine = line;
            field.clear();
        } else if (c == separator) {
            endField();
        } else if (c == QLatin1Char('\r')) {
            // CRLF: the '\n' ends the record; a lone CR does too.
            if (i + 1 >= text.size() || text.at(i + 1) != QLatin1Char('\n')) {
                endRecord();
                recordStartLine = ++line;
            }
        } else if (c == QLatin1Char('\n')) {
            endRecord();
            recordStartLine = ++line;
        } else {
            field.append(c);
        }
    }
    if (inQuotes)
        return makeError("line " + std::to_string(quoteStartLine) + ": a quoted field is never closed");
    if (!field.isEmpty() || !fields.isEmpty() || fieldWasQuoted)
        endRecord();
    return records;
}

Result<Manifest> parseManifest(const QByteArray &content)
{
    auto decoded = decodeText(content, QLatin1String(kManifestFileName));
    if (!decoded)
        return makeError(decoded.error());
    const QString &text = decoded->text;
    QList<int> lines;
    auto records = parseCsv(text, detectSeparator(text), &lines);
    if (!records)
        return makeError(std::string(kManifestFileName) + ": " + records.error());
    if (records->isEmpty())
        return makeError(std::string(kManifestFileName) + " is empty");

    QHash<QString, int> column;
    const QStringList header = records->first();
    for (int i = 0; i < header.size(); ++i)
        column.insert(header.at(i).trimmed().toLower(), i);
    if (!column.contains(QStringLiteral("image_path")))
        return makeError(std::string(kManifestFileName) + ": the header has no image_path column (found: " +
                         header.join(QStringLiteral(", ")).toStdString() + ")");

    // Each name a column may go by, first match wins.
    auto value = [&](const QStringList &record, std::initializer_list<const char *> names) {
        for (const char *name : names) {
            const int index = column.value(QLatin1String(name), -1);
            if (index >= 0)
                return index < record.size() ? record.at(index) : QString();
        }
        return QString();
    };

    Manifest manifest;
    manifest.encoding = decoded->encoding;
    if (manifest.encoding != QLatin1String("UTF-8"))
        manifest.warnings.append(QStringLiteral("%1 is %2, not UTF-8; read as %2").arg(QLatin1String(kManifestFileName),
                                                                                       manifest.encoding));
    for (qsizetype r = 1; r < records->size(); ++r) {
        const QStringList &record = records->at(r);
        ManifestRow row;
        row.line = lines.at(r);
        row.imagePath = value(record, {"image_path"});
        if (row.imagePath.isEmpty()) {
            manifest.warnings.append(QStringLiteral("line %1: no image_path; row ignored").arg(row.line));
            continue;
        }
        row.caseId = value(record, {"case_id"});
        row.slideId = value(record, {"slide_id"});
        row.accession = value(record, {"accession", "accession_number"});
        row.specimen = value(record, {"specimen_id", "specimen"});
        row.patientId = value(record, {"patient_id"});
        row.labelCode = value(record, {"label_code"});
        bool bad = false;
        row.x = parseNumber(value(record, {"x"}), &bad);
        if (bad)
            manifest.warnings.append(QStringLiteral("line %1: x is not a number; ignored").arg(row.line));
        row.y = parseNumber(value(record, {"y"}), &bad);
        if (bad)
            manifest.warnings.append(QStringLiteral("line %1: y is not a number; ignored").arg(row.line));
        manifest.rows.append(row);
    }
    return manifest;
}

Result<Manifest> readManifest(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError("cannot read " + path.toStdString() + ": " + file.errorString().toStdString());
    return parseManifest(file.readAll());
}

} // namespace cytodiff::importer
