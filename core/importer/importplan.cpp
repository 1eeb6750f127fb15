#include "importplan.h"

#include "classnames.h"
#include "manifest.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

#include <array>
#include <tuple>

namespace cytodiff::importer {
namespace {

// A workspace and SQLite's companion files. An export folder may hold the
// open workspace itself; the importer must never open those files (reading
// them is harmless for SQLite's locks since issue 19's fix, but they are
// not cells and listing them as "skipped" would only confuse).
bool isDatabaseFile(const QString &lowerName)
{
    for (const char *suffix : {".cytodiff", "-wal", "-shm", "-journal"}) {
        if (lowerName.endsWith(QLatin1String(suffix)))
            return true;
    }
    return false;
}

// Files an operating system or a viewer leaves in folders; never cells.
bool isClutter(const QString &fileName)
{
    static const QSet<QString> names = {QStringLiteral("thumbs.db"), QStringLiteral("desktop.ini")};
    const QString lower = fileName.toLower();
    return fileName.startsWith(QLatin1Char('.')) || names.contains(lower) || isDatabaseFile(lower);
}

QFileInfoList listFiles(const QString &folder)
{
    QFileInfoList files;
    const QFileInfoList entries =
        QDir(folder).entryInfoList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name | QDir::IgnoreCase);
    for (const QFileInfo &info : entries) {
        if (!isClutter(info.fileName()))
            files.append(info);
    }
    return files;
}

// Without the automatic backups of a workspace kept in the same folder
// (core/db/workspacebackup.h).
QFileInfoList listFolders(const QString &folder)
{
    QFileInfoList folders;
    const QFileInfoList entries =
        QDir(folder).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::IgnoreCase);
    for (const QFileInfo &info : entries) {
        if (!info.fileName().toLower().endsWith(QLatin1String(".cytodiff.backups")))
            folders.append(info);
    }
    return folders;
}

int countImages(const QFileInfoList &files)
{
    return static_cast<int>(std::count_if(files.cbegin(), files.cend(),
                                          [](const QFileInfo &f) { return hasImageExtension(f.fileName()); }));
}

bool hasClassSubfolder(const QString &folder)
{
    const QFileInfoList folders = listFolders(folder);
    return std::any_of(folders.cbegin(), folders.cend(),
                       [](const QFileInfo &f) { return !canonicalClass(f.fileName()).isEmpty(); });
}

// Do the file names of a folder carry class codes? Yes when at least half
// of its images start with a known code; then unknown prefixes are codes
// too (kept and flagged), otherwise the images are unlabelled.
bool namesCarryCodes(const QFileInfoList &files)
{
    int images = 0;
    int coded = 0;
    for (const QFileInfo &file : files) {
        if (!hasImageExtension(file.fileName()))
            continue;
        ++images;
        if (!canonicalClass(fileNameCode(file.fileName())).isEmpty())
            ++coded;
    }
    return images > 0 && 2 * coded >= images;
}

class Planner {
public:
    Planner(const QString &root, ImportPlan &plan) : m_root(root), m_plan(plan) {}

    PlannedFile base(const QFileInfo &file, const QString &caseName) const
    {
        PlannedFile planned;
        planned.absolutePath = file.absoluteFilePath();
        planned.relativePath = m_root.relativeFilePath(file.absoluteFilePath());
        planned.caseName = caseName;
        if (!hasImageExtension(file.fileName()))
            planned.skipReason = QStringLiteral("not an image file (unsupported extension '%1')")
                                     .arg(file.suffix().isEmpty() ? QStringLiteral("none") : file.suffix());
        return planned;
    }

    // Images sorted into a folder named after their class. The folder is
    // what a person or the analyser decided, so it wins over the file-name
    // prefix; the prefix is kept as the raw code when it agrees (PBC's ig/
    // holds MY_, MMY_ and PMY_ files: worth keeping).
    void addClassFolder(const QFileInfo &folder, const QString &caseName)
    {
        const QString folderName = folder.fileName();
        const QString folderClass = canonicalClass(folderName);
        for (const QFileInfo &file : listFiles(folder.absoluteFilePath())) {
            PlannedFile planned = base(file, caseName);
            if (folderClass.isEmpty()) {
                planned.rawCode = folderName;
                planned.unknownCode = true;
            } else {
                const QString code = fileNameCode(file.fileName());
                planned.labelClass = folderClass;
                planned.rawCode = canonicalClass(code) == folderClass ? code : folderName;
            }
            m_plan.files.append(planned);
        }
        noteNestedFolders(folder);
    }

    // Images without a class folder: labelled by their file-name prefix.
    void addLooseFiles(const QFileInfoList &files, const QString &caseName)
    {
        const bool coded = namesCarryCodes(files);
        for (const QFileInfo &file : files) {
            PlannedFile planned = base(file, caseName);
            if (coded) {
                const QString code = fileNameCode(file.fileName());
                planned.rawCode = code;
                planned.labelClass = canonicalClass(code);
                planned.unknownCode = !code.isEmpty() && planned.labelClass.isEmpty();
            }
            m_plan.files.append(planned);
        }
    }

    void noteNestedFolders(const QFileInfo &folder)
    {
        for (const QFileInfo &nested : listFolders(folder.absoluteFilePath()))
            m_plan.notes.append(QStringLiteral("folder %1 is nested too deep for this layout and was not imported")
                                    .arg(m_root.relativeFilePath(nested.absoluteFilePath())));
    }

private:
    QDir m_root;
    ImportPlan &m_plan;
};

// One identifier of a case, met on a manifest line: the first value given
// holds, a different one later is an error (identifiers arrive exactly or
// not at all; two accession numbers in one case may be two patients).
struct IdentifierSeen {
    QString value;
    int line = 0;
};

Result<void> noteIdentifier(const QString &caseName, const QString &what, const QString &value, int line,
                            IdentifierSeen &seen)
{
    if (value.isEmpty())
        return {};
    if (const QString problem = db::identifierProblem(what, value); !problem.isEmpty())
        return makeError(std::string(kManifestFileName) + " line " + std::to_string(line) + ": " +
                         problem.toStdString());
    if (seen.value.isEmpty()) {
        seen = {value, line};
        return {};
    }
    if (seen.value == value)
        return {};
    return makeError(QStringLiteral("%1 gives case '%2' two values for %3: '%4' on line %5 and '%6' on line %7; the "
                                    "cells of one case must carry one set of identifiers (they may belong to another "
                                    "patient): correct the manifest")
                         .arg(QLatin1String(kManifestFileName), caseName, what, seen.value)
                         .arg(seen.line)
                         .arg(value)
                         .arg(line)
                         .toStdString());
}

Result<void> planManifest(const QDir &root, const QString &defaultCase, ImportPlan &plan)
{
    auto manifest = readManifest(root.filePath(QLatin1String(kManifestFileName)));
    if (!manifest)
        return makeError(manifest.error());
    plan.notes.append(manifest->warnings);
    QMap<QString, std::array<IdentifierSeen, 4>> seen; // accession, specimen, patient, slide
    for (const ManifestRow &row : manifest->rows) {
        const QString caseName = row.caseId.isEmpty() ? defaultCase : row.caseId;
        std::array<IdentifierSeen, 4> &ids = seen[caseName];
        for (auto [index, what, value] : {std::tuple{0, QStringLiteral("the accession number"), row.accession},
                                          std::tuple{1, QStringLiteral("the specimen id"), row.specimen},
                                          std::tuple{2, QStringLiteral("the patient id"), row.patientId},
                                          std::tuple{3, QStringLiteral("the slide id"), row.slideId}})
            if (auto noted = noteIdentifier(caseName, what, value, row.line, ids[std::size_t(index)]); !noted)
                return noted;
    }
    for (auto it = seen.cbegin(); it != seen.cend(); ++it) {
        const db::CaseIdentifiers ids{it->at(0).value, it->at(1).value, it->at(2).value, it->at(3).value};
        if (ids != db::CaseIdentifiers{})
            plan.identifiers.insert(it.key(), ids);
    }
    for (const ManifestRow &row : manifest->rows) {
        PlannedFile planned;
        const QString path = QDir::fromNativeSeparators(row.imagePath);
        planned.absolutePath = QDir::cleanPath(root.absoluteFilePath(path));
        planned.relativePath = path;
        planned.caseName = row.caseId.isEmpty() ? defaultCase : row.caseId;
        planned.x = row.x;
        planned.y = row.y;
        if (!row.labelCode.isEmpty()) {
            planned.rawCode = row.labelCode;
            planned.labelClass = canonicalClass(row.labelCode);
            planned.unknownCode = planned.labelClass.isEmpty();
        }
        const QFileInfo info(planned.absolutePath);
        if (!info.exists())
            planned.skipReason = QStringLiteral("listed in %1 line %2 but the file does not exist")
                                     .arg(QLatin1String(kManifestFileName))
                                     .arg(row.line);
        else if (!info.isFile())
            planned.skipReason = QStringLiteral("listed in %1 line %2 but it is not a file")
                                     .arg(QLatin1String(kManifestFileName))
                                     .arg(row.line);
        plan.files.append(planned);
    }
    return {};
}

} // namespace

QString layoutName(Layout layout)
{
    switch (layout) {
    case Layout::ClassFolders:
        return QStringLiteral("folder per class");
    case Layout::CaseFolders:
        return QStringLiteral("case folders");
    case Layout::FlatPrefix:
        return QStringLiteral("class code as file-name prefix");
    case Layout::Manifest:
        return QStringLiteral("manifest.csv");
    case Layout::Unlabelled:
        break;
    }
    return QStringLiteral("unlabelled images");
}

bool hasImageExtension(const QString &fileName)
{
    static const QSet<QString> extensions = {QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("jpe"),
                                             QStringLiteral("png"), QStringLiteral("bmp"), QStringLiteral("tif"),
                                             QStringLiteral("tiff")};
    return extensions.contains(QFileInfo(fileName).suffix().toLower());
}

Result<ImportPlan> planImport(const QString &rootPath, const QString &caseName)
{
    const QFileInfo rootInfo(rootPath);
    if (!rootInfo.exists())
        return makeError("no such folder: " + rootPath.toStdString());
    if (!rootInfo.isDir())
        return makeError(rootPath.toStdString() + " is not a folder; import the folder that holds the images");
    if (!rootInfo.isReadable())
        return makeError("cannot read the folder " + rootPath.toStdString());

    ImportPlan plan;
    const QDir root(rootInfo.absoluteFilePath());
    plan.root = root.absolutePath();
    QString singleCase = caseName.trimmed();
    if (singleCase.isEmpty())
        singleCase = root.dirName().isEmpty() ? QStringLiteral("import") : root.dirName();

    Planner planner(plan.root, plan);
    const QFileInfoList rootFiles = listFiles(plan.root);
    const QFileInfoList rootFolders = listFolders(plan.root);

    const bool hasManifest = std::any_of(rootFiles.cbegin(), rootFiles.cend(), [](const QFileInfo &f) {
        return f.fileName().compare(QLatin1String(kManifestFileName), Qt::CaseInsensitive) == 0;
    });
    if (hasManifest) {
        plan.layout = Layout::Manifest;
        if (auto planned = planManifest(root, singleCase, plan); !planned)
            return makeError(planned.error());
        return plan;
    }

    const bool classFolders = std::any_of(rootFolders.cbegin(), rootFolders.cend(), [](const QFileInfo &f) {
        return !canonicalClass(f.fileName()).isEmpty();
    });
    const bool caseFolders =
        !classFolders && std::any_of(rootFolders.cbegin(), rootFolders.cend(), [](const QFileInfo &f) {
            return hasClassSubfolder(f.absoluteFilePath()) || countImages(listFiles(f.absoluteFilePath())) > 0;
        });

    if (classFolders) {
        plan.layout = Layout::ClassFolders;
        for (const QFileInfo &folder : rootFolders)
            planner.addClassFolder(folder, singleCase);
        planner.addLooseFiles(rootFiles, singleCase);
    } else if (caseFolders) {
        plan.layout = Layout::CaseFolders;
        const QString prefix = caseName.trimmed();
        for (const QFileInfo &caseFolder : rootFolders) {
            const QString name =
                prefix.isEmpty() ? caseFolder.fileName() : prefix + QLatin1Char('/') + caseFolder.fileName();
            for (const QFileInfo &classFolder : listFolders(caseFolder.absoluteFilePath()))
                planner.addClassFolder(classFolder, name);
            planner.addLooseFiles(listFiles(caseFolder.absoluteFilePath()), name);
        }
        planner.addLooseFiles(rootFiles, singleCase);
    } else {
        plan.layout = namesCarryCodes(rootFiles) ? Layout::FlatPrefix : Layout::Unlabelled;
        planner.addLooseFiles(rootFiles, singleCase);
        for (const QFileInfo &folder : rootFolders)
            plan.notes.append(QStringLiteral("folder %1 holds no images and was not imported").arg(folder.fileName()));
    }
    return plan;
}

QStringList ImportPlan::caseNames() const
{
    QStringList names;
    for (const PlannedFile &file : files)
        if (!names.contains(file.caseName))
            names << file.caseName;
    names.sort();
    return names;
}

Result<void> ImportPlan::setTypedIdentifiers(const db::CaseIdentifiers &typed)
{
    if (typed == db::CaseIdentifiers{})
        return {};
    if (const QString problem = db::identifiersProblem(typed); !problem.isEmpty())
        return makeError(problem.toStdString());
    const QStringList cases = caseNames();
    if (cases.size() != 1)
        return makeError(QStringLiteral("identifiers typed for the import belong to one case, but this export holds %1 "
                                        "cases (%2); give them per case in manifest.csv or after the import")
                             .arg(cases.size())
                             .arg(cases.join(QStringLiteral(", ")))
                             .toStdString());
    db::CaseIdentifiers merged = identifiers.value(cases.first());
    for (auto [what, given, into] : {std::tuple{"accession number", typed.accession, &merged.accession},
                                     std::tuple{"specimen id", typed.specimen, &merged.specimen},
                                     std::tuple{"patient id", typed.patientId, &merged.patientId},
                                     std::tuple{"slide id", typed.slideId, &merged.slideId}}) {
        if (given.isEmpty())
            continue;
        if (!into->isEmpty() && *into != given)
            return makeError(QStringLiteral("the %1 typed ('%2') differs from the export's ('%3'); check which is "
                                            "right before importing")
                                 .arg(QLatin1String(what), given, *into)
                                 .toStdString());
        *into = given;
    }
    identifiers.insert(cases.first(), merged);
    return {};
}

} // namespace cytodiff::importer
