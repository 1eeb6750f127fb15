#include "cellclassnames.h"

#include "classnames.h"

#include <array>
#include <utility>

namespace cytodiff::ui {

namespace {
// Canonical ids of the importer's synonym table (issue 2) with the names
// haematologists use; marked for translation, translated at lookup.
constexpr std::array<std::pair<const char *, const char *>, 14> kNames{{
    {"neutrophil", QT_TRANSLATE_NOOP("CellClassNames", "Neutrophil")},
    {"immature_granulocyte", QT_TRANSLATE_NOOP("CellClassNames", "Immature granulocyte")},
    {"ig", QT_TRANSLATE_NOOP("CellClassNames", "Immature granulocyte")},
    {"blast", QT_TRANSLATE_NOOP("CellClassNames", "Blast")},
    {"erythroblast", QT_TRANSLATE_NOOP("CellClassNames", "Erythroblast")},
    {"platelet", QT_TRANSLATE_NOOP("CellClassNames", "Platelet")},
    {"lymphocyte", QT_TRANSLATE_NOOP("CellClassNames", "Lymphocyte")},
    {"variant_lymphocyte", QT_TRANSLATE_NOOP("CellClassNames", "Variant lymphocyte")},
    {"monocyte", QT_TRANSLATE_NOOP("CellClassNames", "Monocyte")},
    {"eosinophil", QT_TRANSLATE_NOOP("CellClassNames", "Eosinophil")},
    {"basophil", QT_TRANSLATE_NOOP("CellClassNames", "Basophil")},
    {"smudge", QT_TRANSLATE_NOOP("CellClassNames", "Smudge cell")},
    {"artefact", QT_TRANSLATE_NOOP("CellClassNames", "Artefact")},
    {"unidentified", QT_TRANSLATE_NOOP("CellClassNames", "Unidentified")},
}};
} // namespace

QString CellClassNames::displayName(const QString &classId)
{
    for (const auto &[id, name] : kNames) {
        if (classId == QLatin1String(id))
            return tr(name);
    }
    // A class added to the importer's table before a translation exists.
    return importer::displayName(classId);
}

} // namespace cytodiff::ui
