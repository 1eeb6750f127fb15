#pragma once
// manifest.csv: an export described row by row. Header row required;
// columns matched by name, in any order, case-insensitively:
//   image_path (required), case_id, slide_id, label_code, x, y, and the
//   case's laboratory identifiers accession (or accession_number),
//   specimen_id (or specimen), patient_id (optional).
// Parsing follows RFC 4180 (quoted fields, "" for a quote, line breaks
// inside quotes, CRLF) and also accepts what spreadsheets write: ';' or tab
// as the separator, and UTF-8 (with or without a BOM), UTF-16 or
// Windows-1252 text (detected; a file that is none of them is refused
// rather than stored with lost characters).

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cytodiff::importer {

struct ManifestRow {
    int line = 0; // 1-based line in the file where the row starts
    QString imagePath;
    QString caseId;
    QString slideId;
    QString accession;
    QString specimen;
    QString patientId;
    QString labelCode;
    std::optional<double> x;
    std::optional<double> y;
};

struct Manifest {
    QList<ManifestRow> rows;
    QString encoding; // as detected (importer/textdecode.h): "UTF-8", "Windows-1252", ...
    QStringList warnings; // rows or values that were ignored, with line numbers
};

// Splits CSV text into records of fields (no header handling); blank lines
// are skipped. recordLines, if given, receives each record's first line.
Result<QList<QStringList>> parseCsv(const QString &text, QChar separator, QList<int> *recordLines = nullptr);

Result<Manifest> parseManifest(const QByteArray &content);
Result<Manifest> readManifest(const QString &path);

inline constexpr const char *kManifestFileName = "manifest.csv";

} // namespace cytodiff::importer
