#pragma once
// Step 1 of an import: look at a folder, decide which export layout it is,
// and list every file with the case and label it will get. No file is
// opened except manifest.csv, so planning 10,000 files takes milliseconds.
// See LAYOUTS.md for the layouts and the rules.

#include "records.h"
#include "result.h"

#include <QMap>

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cytodiff::importer {

enum class Layout {
    ClassFolders, // <root>/<class>/<image>
    CaseFolders,  // <root>/<case>/<class>/<image> (or <root>/<case>/<image>)
    FlatPrefix,   // <root>/<CODE>_<id>.<ext>
    Manifest,     // <root>/manifest.csv
    Unlabelled,   // <root>/<image>
};
QString layoutName(Layout layout);

struct PlannedFile {
    QString absolutePath;
    QString relativePath; // to the import root, '/' separated
    QString caseName;
    QString labelClass;   // canonical class id, or empty
    QString rawCode;      // code or class folder exactly as exported, or empty
    bool unknownCode = false; // rawCode is not in the synonym table
    std::optional<double> x;
    std::optional<double> y;
    // Set when the file is known to be unusable before reading it
    // (not an image file name, listed in the manifest but missing).
    QString skipReason;
};

struct ImportPlan {
    Layout layout = Layout::Unlabelled;
    QString root;
    QList<PlannedFile> files;
    // Case name -> the laboratory identifiers the export gives it (manifest
    // columns); a case without any is absent.
    QMap<QString, db::CaseIdentifiers> identifiers;
    QStringList notes; // things the user should know (ignored folders, manifest warnings)

    // The names of the cases the files go to, sorted.
    QStringList caseNames() const;
    // Gives typed identifiers (issue 24: "as typed by the user") to the one
    // case this plan imports; refused when it imports several, or when the
    // export already gives a field another value.
    Result<void> setTypedIdentifiers(const db::CaseIdentifiers &typed);
};

// caseName: the case for single-case layouts (default: the root folder's
// name); for case folders it becomes a prefix ("NAME/<folder>").
Result<ImportPlan> planImport(const QString &root, const QString &caseName = {});

// Extensions decoded as images: jpg, jpeg, jpe, png, bmp, tif, tiff.
bool hasImageExtension(const QString &fileName);

} // namespace cytodiff::importer
