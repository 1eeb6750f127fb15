#pragma once
// The canonical cell classes and the versioned table of names and codes
// that map onto them (folder names of public datasets, CellaVision and
// Munich-AML codes). Matching ignores case, '_' / '-' versus space, and
// surrounding blanks. Codes not in the table are never guessed: callers
// keep them verbatim and flag them.

#include <QList>
#include <QString>
#include <QStringList>

namespace cytodiff::importer {

// Bump whenever a synonym is added, removed or re-pointed; the import audit
// entry records it so an old import can be re-interpreted.
inline constexpr int kClassTableVersion = 1;

struct ClassInfo {
    QString id;          // stable id stored in the database ("neutrophil", "ig", ...)
    QString displayName; // for people ("Immature granulocyte")
    // White cells make the differential; the rest (platelets, erythroblasts,
    // smudge cells, artefacts) are reported per 100 white cells.
    bool whiteCell = true;
};

// In display order: white cells first, the critical ones early.
const QList<ClassInfo> &canonicalClasses();
QStringList canonicalClassIds();
bool isCanonicalClass(const QString &id);
QString displayName(const QString &id); // the id itself when unknown

// A folder name or class code -> canonical id; empty when not in the table.
QString canonicalClass(const QString &nameOrCode);

// The class code a file name starts with: the part before the first '_'
// ("SNE_123.jpg" -> "SNE", "immature granulocyte_2.png" -> "immature
// granulocyte"), else its leading letters ("MYO0001.tiff" -> "MYO").
// Empty when the name starts with a digit or has no letters.
QString fileNameCode(const QString &fileName);

} // namespace cytodiff::importer
