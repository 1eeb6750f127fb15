#include "classnames.h"

#include <QFileInfo>
#include <QHash>

#include <algorithm>

namespace cytodiff::importer {
namespace {

// Lower case, '_'/'-' as spaces, single spaces: "Immature_Granulocytes "
// and "immature granulocytes" are the same key.
QString normalise(const QString &text)
{
    QString key = text.trimmed().toLower();
    key.replace(QLatin1Char('_'), QLatin1Char(' '));
    key.replace(QLatin1Char('-'), QLatin1Char(' '));
    return key.simplified();
}

struct SynonymSet {
    const char *classId;
    std::initializer_list<const char *> names;
};

// Table version kClassTableVersion. Sources: PBC folder names and file
// prefixes (Acevedo 2020), Munich AML codes (Matek 2019), Raabin-WBC
// folder names, CellaVision class names.
const SynonymSet kSynonyms[] = {
    {"neutrophil", {"neutrophil", "neutrophils", "SNE", "BNE", "NGS", "NGB", "segmented neutrophil",
                    "band neutrophil"}},
    {"ig", {"ig", "igs", "MY", "MMY", "PMY", "MYB", "MMZ", "PMO", "PMB", "immature granulocyte",
            "immature granulocytes", "myelocyte", "metamyelocyte", "promyelocyte"}},
    {"blast", {"blast", "blasts", "MYO", "MOB"}},
    {"erythroblast", {"erythroblast", "erythroblasts", "ERB", "EBO", "NRBC"}},
    {"platelet", {"platelet", "platelets", "PLT"}},
    {"lymphocyte", {"lymphocyte", "lymphocytes", "LY", "LYT"}},
    {"variant_lymphocyte", {"variant lymphocyte", "variant lymphocytes", "LYA"}},
    {"monocyte", {"monocyte", "monocytes", "MO", "MON"}},
    {"eosinophil", {"eosinophil", "eosinophils", "EO", "EOS"}},
    {"basophil", {"basophil", "basophils", "BA", "BAS"}},
    {"smudge", {"smudge", "smudge cell", "smudge cells", "KSC"}},
    {"artefact", {"artefact", "artefacts", "artifact", "artifacts"}},
};

const QHash<QString, QString> &synonymTable()
{
    static const QHash<QString, QString> table = [] {
        QHash<QString, QString> map;
        for (const SynonymSet &set : kSynonyms) {
            const QString id = QString::fromLatin1(set.classId);
            map.insert(normalise(id), id);
            for (const char *name : set.names)
                map.insert(normalise(QString::fromLatin1(name)), id);
        }
        return map;
    }();
    return table;
}

} // namespace

const QList<ClassInfo> &canonicalClasses()
{
    static const QList<ClassInfo> classes = {
        {QStringLiteral("blast"), QStringLiteral("Blast"), true},
        {QStringLiteral("ig"), QStringLiteral("Immature granulocyte"), true},
        {QStringLiteral("neutrophil"), QStringLiteral("Neutrophil"), true},
        {QStringLiteral("lymphocyte"), QStringLiteral("Lymphocyte"), true},
        {QStringLiteral("variant_lymphocyte"), QStringLiteral("Variant lymphocyte"), true},
        {QStringLiteral("monocyte"), QStringLiteral("Monocyte"), true},
        {QStringLiteral("eosinophil"), QStringLiteral("Eosinophil"), true},
        {QStringLiteral("basophil"), QStringLiteral("Basophil"), true},
        {QStringLiteral("erythroblast"), QStringLiteral("Erythroblast (NRBC)"), false},
        {QStringLiteral("platelet"), QStringLiteral("Platelet"), false},
        {QStringLiteral("smudge"), QStringLiteral("Smudge cell"), false},
        {QStringLiteral("artefact"), QStringLiteral("Artefact"), false},
    };
    return classes;
}

QStringList canonicalClassIds()
{
    QStringList ids;
    for (const ClassInfo &info : canonicalClasses())
        ids.append(info.id);
    return ids;
}

bool isCanonicalClass(const QString &id)
{
    for (const ClassInfo &info : canonicalClasses()) {
        if (info.id == id)
            return true;
    }
    return false;
}

QString displayName(const QString &id)
{
    for (const ClassInfo &info : canonicalClasses()) {
        if (info.id == id)
            return info.displayName;
    }
    return id;
}

QString canonicalClass(const QString &nameOrCode)
{
    return synonymTable().value(normalise(nameOrCode));
}

QString fileNameCode(const QString &fileName)
{
    const QString base = QFileInfo(fileName).completeBaseName();
    const qsizetype underscore = base.indexOf(QLatin1Char('_'));
    if (underscore > 0) {
        const QString code = base.left(underscore).trimmed();
        // "0001_x.jpg": a number is a running id, not a class code.
        if (std::any_of(code.cbegin(), code.cend(), [](QChar c) { return c.isLetter(); }))
            return code;
        return {};
    }
    qsizetype letters = 0;
    while (letters < base.size() && base.at(letters).isLetter())
        ++letters;
    return base.left(letters);
}

} // namespace cytodiff::importer
