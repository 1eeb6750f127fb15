#include "labelledset.h"

#include "classnames.h"
#include "database.h"
#include "imageio.h"
#include "labellinganalysis.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

#include <algorithm>
#include <map>
#include <random>

namespace cytodiff::dataset {
namespace {

const QStringList kImageFilters = {QStringLiteral("*.jpg"), QStringLiteral("*.jpeg"), QStringLiteral("*.png"),
                                   QStringLiteral("*.bmp"), QStringLiteral("*.tif"), QStringLiteral("*.tiff"),
                                   QStringLiteral("*.JPG"), QStringLiteral("*.JPEG"), QStringLiteral("*.PNG"),
                                   QStringLiteral("*.BMP"), QStringLiteral("*.TIF"), QStringLiteral("*.TIFF")};

// Planar [3][R][R] from interleaved [R][R][3].
void appendPlanar(const imaging::Rgb8Image &image, std::vector<std::uint8_t> &out)
{
    const int plane = image.width * image.height;
    const std::size_t base = out.size();
    out.resize(base + std::size_t(3) * plane);
    for (int i = 0; i < plane; ++i)
        for (int c = 0; c < 3; ++c)
            out[base + std::size_t(c) * plane + i] = image.pixels[std::size_t(i) * 3 + c];
}

Result<void> addImage(engine::TrainingData &data, const std::map<QString, int> &classIndex, const std::string &bytes,
                      const QString &name, const QString &className, const imaging::PreprocessSpec &spec)
{
    auto rgb = imaging::preprocessRgb(bytes, spec);
    if (!rgb)
        return makeError(rgb.error());
    const auto it = classIndex.find(className);
    if (it == classIndex.end())
        return makeError("unknown class " + className.toStdString());
    appendPlanar(*rgb, data.pixels);
    data.labels.push_back(it->second);
    data.names.push_back(name.toStdString());
    return {};
}

// An empty training set for these images' classes, numbered in name
// order; the class name -> index map for its labels.
std::map<QString, int> startTrainingData(engine::TrainingData &data, const QStringList &classNames, int resolution,
                                         int cropSize)
{
    data.resolution = resolution;
    data.cropSize = cropSize;
    std::map<QString, int> classIndex;
    for (const QString &name : classNames)
        classIndex.emplace(name, 0);
    int index = 0;
    for (auto &[name, value] : classIndex) {
        value = index++;
        data.classNames.push_back(name.toStdString());
    }
    return classIndex;
}

Result<engine::TrainingData> loadFromDatabase(const QString &path, int resolution, int cropSize,
                                              const LoadProgressFn &progress, QStringList *skipped)
{
    auto database = db::Database::open(path);
    if (!database)
        return makeError(database.error());
    auto count = database->countLabelledCells();
    if (!count)
        return makeError(count.error());
    if (*count == 0)
        return makeError("The workspace '" + path.toStdString() + "' has no labelled cells to train on.");
    // First pass without images: the class list.
    QStringList names;
    {
        db::LabelledCellQuery query;
        query.withImages = false;
        auto cursor = database->labelledCells(query);
        if (!cursor)
            return makeError(cursor.error());
        db::LabelledCell cell;
        for (;;) {
            auto more = cursor->next(cell);
            if (!more)
                return makeError(more.error());
            if (!*more)
                break;
            names << cell.labelClass;
        }
    }
    engine::TrainingData data;
    const std::map<QString, int> classIndex = startTrainingData(data, names, resolution, cropSize);
    auto cursor = database->labelledCells();
    if (!cursor)
        return makeError(cursor.error());
    db::LabelledCell cell;
    int done = 0;
    const imaging::PreprocessSpec spec{cropSize, resolution};
    for (;;) {
        auto more = cursor->next(cell);
        if (!more)
            return makeError(more.error());
        if (!*more)
            break;
        const QString name = cell.caseName + QLatin1Char('/') + QString::number(cell.cellId);
        auto added = addImage(data, classIndex, cell.image.toStdString(), name, cell.labelClass, spec);
        if (!added && skipped)
            skipped->append(name + QStringLiteral(": ") + QString::fromStdString(added.error()));
        if (progress && (++done % 200 == 0))
            progress(done, int(*count));
    }
    data.splits = engine::stratifiedSplit(data.names, data.labels);
    return data;
}

} // namespace

Result<QList<LabelledImage>> scanLabelledFolder(const QString &root)
{
    QDir dir(root);
    if (!dir.exists())
        return makeError("The folder '" + root.toStdString() + "' does not exist.");
    QList<LabelledImage> images;
    const auto classDirs = dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &classDir : classDirs) {
        QString className = importer::canonicalClass(classDir.fileName());
        if (className.isEmpty())
            className = classDir.fileName();
        QDirIterator it(classDir.absoluteFilePath(), kImageFilters, QDir::Files);
        while (it.hasNext()) {
            it.next();
            images.append({it.filePath(), it.fileName(), className});
        }
    }
    if (images.isEmpty()) {
        return makeError("No labelled images in '" + root.toStdString()
                         + "': expected one sub-folder per class with images inside.");
    }
    std::sort(images.begin(), images.end(), [](const LabelledImage &a, const LabelledImage &b) {
        return a.className != b.className ? a.className < b.className : a.name < b.name;
    });
    return images;
}

Result<engine::TrainingData> buildTrainingData(const QList<LabelledImage> &images, int resolution, int cropSize,
                                               const LoadProgressFn &progress, QStringList *skipped)
{
    engine::TrainingData data;
    QStringList names;
    for (const auto &image : images)
        names << image.className;
    const std::map<QString, int> classIndex = startTrainingData(data, names, resolution, cropSize);
    const imaging::PreprocessSpec spec{cropSize, resolution};
    data.pixels.reserve(std::size_t(images.size()) * data.imageBytes());
    for (int i = 0; i < images.size(); ++i) {
        const auto &image = images[i];
        auto bytes = imaging::readFile(image.path.toStdString());
        Result<void> added = bytes ? addImage(data, classIndex, *bytes, image.name, image.className, spec)
                                   : Result<void>(makeError(bytes.error()));
        if (!added && skipped)
            skipped->append(image.path + QStringLiteral(": ") + QString::fromStdString(added.error()));
        if (progress && ((i + 1) % 200 == 0 || i + 1 == images.size()))
            progress(i + 1, int(images.size()));
    }
    if (data.labels.empty())
        return makeError("None of the images could be read.");
    data.splits = engine::stratifiedSplit(data.names, data.labels);
    return data;
}

Result<QList<CellLabel>> consensusLabels(const db::Database &database)
{
    auto data = labelling::loadLabellingData(database);
    if (!data)
        return makeError(data.error());
    QList<CellLabel> cells;
    for (const auto &cell : labelling::computeConsensus(*data))
        cells.append({cell.cellId, cell.labelClass});
    return cells;
}

Result<engine::TrainingData> buildTrainingDataFromCells(const db::Database &database, const QList<CellLabel> &cells,
                                                        int resolution, int cropSize, const LoadProgressFn &progress,
                                                        QStringList *skipped)
{
    if (cells.isEmpty())
        return makeError("No cells to train on: the workspace has no expert labels (labelling sessions) yet.");
    engine::TrainingData data;
    QStringList names;
    for (const auto &cell : cells)
        names << cell.className;
    const std::map<QString, int> classIndex = startTrainingData(data, names, resolution, cropSize);
    const imaging::PreprocessSpec spec{cropSize, resolution};
    for (int i = 0; i < cells.size(); ++i) {
        const QString name = QStringLiteral("cell-%1").arg(cells[i].cellId);
        auto bytes = database.cellImage(cells[i].cellId);
        Result<void> added = bytes ? addImage(data, classIndex, bytes->toStdString(), name, cells[i].className, spec)
                                   : Result<void>(makeError(bytes.error()));
        if (!added && skipped)
            skipped->append(name + QStringLiteral(": ") + QString::fromStdString(added.error()));
        if (progress && ((i + 1) % 200 == 0 || i + 1 == cells.size()))
            progress(i + 1, int(cells.size()));
    }
    if (data.labels.empty())
        return makeError("None of the labelled cells' images could be read.");
    data.splits = engine::stratifiedSplit(data.names, data.labels);
    return data;
}

Result<engine::TrainingData> loadTrainingData(const QString &data, int resolution, int cropSize,
                                              const LoadProgressFn &progress, QStringList *skipped,
                                              LabelSource labels)
{
    const QFileInfo info(data);
    if (info.isDir()) {
        auto images = scanLabelledFolder(data);
        if (!images)
            return makeError(images.error());
        return buildTrainingData(*images, resolution, cropSize, progress, skipped);
    }
    if (!info.exists())
        return makeError("'" + data.toStdString() + "' does not exist.");
    if (data.endsWith(QLatin1String(".cdpack"))) {
        auto pack = engine::loadPack(data.toStdString());
        if (pack && pack->resolution != resolution && resolution > 0) {
            return makeError("The pack '" + data.toStdString() + "' holds " + std::to_string(pack->resolution)
                             + " px images; repack it or train at that resolution.");
        }
        return pack;
    }
    if (labels == LabelSource::Consensus) {
        auto database = db::Database::open(data);
        if (!database)
            return makeError(database.error());
        auto cells = consensusLabels(*database);
        if (!cells)
            return makeError(cells.error());
        return buildTrainingDataFromCells(*database, *cells, resolution, cropSize, progress, skipped);
    }
    return loadFromDatabase(data, resolution, cropSize, progress, skipped);
}

engine::TrainingData efficiencySubset(const engine::TrainingData &data, int perClass, int repeat, std::uint64_t seed)
{
    std::vector<std::vector<std::size_t>> byClass(data.classNames.size());
    for (std::size_t i = 0; i < data.size(); ++i)
        if (data.splits[i] == engine::Split::Train)
            byClass[std::size_t(data.labels[i])].push_back(i);
    std::vector<bool> keep(data.size(), true);
    std::mt19937_64 rng(seed * 7919 + std::uint64_t(repeat) * 104729 + std::uint64_t(perClass));
    for (auto &cells : byClass) {
        std::shuffle(cells.begin(), cells.end(), rng);
        for (std::size_t k = std::size_t(perClass); k < cells.size(); ++k)
            keep[cells[k]] = false;
    }
    return data.keepCells(keep);
}

} // namespace cytodiff::dataset
