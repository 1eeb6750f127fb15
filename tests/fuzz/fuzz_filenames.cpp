// libFuzzer target: what the importer reads from names alone (class codes
// in file names, the synonym table, extensions) and the layout planner on
// a folder tree built from the input.
//
// Input: one relative path per line; a path ending in '/' is a folder.
// After a line "--", the rest is written as manifest.csv at the root.
#include "classnames.h"
#include "importplan.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace cytodiff::importer;

namespace {

// Names the file system cannot hold are not what the planner is tested
// on: drop NUL, keep each component short and the tree small.
QString safeRelativePath(const QString &line)
{
    QStringList parts;
    for (QString part : line.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        part.remove(QChar(u'\0'));
        if (part == QLatin1String(".") || part == QLatin1String(".."))
            continue;
        parts.append(part.left(60));
        if (parts.size() == 4)
            break;
    }
    return parts.join(QLatin1Char('/'));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype split = bytes.indexOf("\n--\n");
    const QString names = QString::fromUtf8(split < 0 ? bytes : bytes.left(split));
    const QStringList lines = names.split(QLatin1Char('\n'));

    // The pure name functions on every line as it is.
    for (const QString &line : lines) {
        const QString code = fileNameCode(line);
        const QString canonical = canonicalClass(code);
        if (!canonical.isEmpty() && !isCanonicalClass(canonical))
            std::abort();
        (void)canonicalClass(line);
        (void)hasImageExtension(line);
        (void)displayName(line);
    }

    // A tree per input is most of the cost of a run: build it in memory
    // (tmpfs) where there is one, about 8x faster than a disk-backed /tmp.
    static const QString base = QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm")
                                                                           : QDir::tempPath();
    QTemporaryDir dir(base + QStringLiteral("/cytodiff-fuzz-XXXXXX"));
    if (!dir.isValid())
        return 0;
    const QDir root(dir.path());
    int created = 0;
    for (const QString &line : lines) {
        const QString relative = safeRelativePath(line);
        if (relative.isEmpty() || ++created > 40)
            continue;
        if (line.endsWith(QLatin1Char('/'))) {
            root.mkpath(relative);
        } else {
            root.mkpath(QFileInfo(root.filePath(relative)).path());
            QFile file(root.filePath(relative));
            if (file.open(QIODevice::WriteOnly))
                file.write("x");
        }
    }
    if (split >= 0) {
        QFile manifest(root.filePath(QStringLiteral("manifest.csv")));
        if (manifest.open(QIODevice::WriteOnly))
            manifest.write(bytes.mid(split + 4));
    }

    auto plan = planImport(dir.path());
    if (plan) {
        for (const PlannedFile &file : plan->files) {
            if (file.caseName.isEmpty() || file.absolutePath.isEmpty())
                std::abort();
            if (!file.labelClass.isEmpty() && !isCanonicalClass(file.labelClass))
                std::abort();
            if (file.unknownCode && file.rawCode.isEmpty())
                std::abort();
        }
    } else if (plan.error().empty()) {
        std::abort();
    }
    return 0;
}
