#include "turingbuilder.h"

#include "casenormalisation.h"
#include "classificationservice.h"
#include "database.h"
#include "engine.h"
#include "imageio.h"
#include "turingstore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QRandomGenerator>
#include <QSet>

#include <random>

namespace cytodiff::turing {
namespace {

const std::string kCancelled = "Cancelled.";

template <typename T>
void shuffle(QList<T> &items, std::mt19937_64 &random)
{
    // Written out rather than std::shuffle, whose sequence differs between
    // standard libraries: a seed selects the same cells everywhere.
    for (qsizetype i = items.size() - 1; i > 0; --i) {
        const auto j = qsizetype(random() % std::uint64_t(i + 1));
        std::swap(items[i], items[j]);
    }
}

// Opaque: drawn from the system generator, unrelated to the seed, the
// truth, the class or the order of creation.
QString newCode(QSet<QString> &taken)
{
    static const char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I
    for (;;) {
        QString code;
        for (int i = 0; i < 10; ++i)
            code += QLatin1Char(kAlphabet[QRandomGenerator::system()->bounded(32)]);
        if (!taken.contains(code)) {
            taken.insert(code);
            return code;
        }
    }
}

QByteArray toBytes(const std::string &bytes)
{
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

Result<std::string> loadRealImage(const db::Database &database, const RealCandidate &candidate)
{
    if (candidate.cellId) {
        auto bytes = database.cellImage(*candidate.cellId);
        if (!bytes)
            return makeError(bytes.error());
        return bytes->toStdString();
    }
    return imaging::readFile(candidate.path.toStdString());
}

QString describe(const RealCandidate &candidate)
{
    return candidate.cellId ? QStringLiteral("cell %1").arg(*candidate.cellId) : candidate.path;
}

} // namespace

QString defaultTestName()
{
    // Shown in the GUI as the name's placeholder: translatable, as in democase.cpp.
    return QCoreApplication::translate("cytodiff::turing::TuringBuilder", "Turing test %1")
        .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh:mm")));
}

bool isCancelledError(const std::string &error)
{
    return error == kCancelled;
}

Result<QList<RealCandidate>> realCandidatesFromCase(const db::Database &database, qint64 caseId)
{
    auto cells = database.cellsOfCase(caseId);
    if (!cells)
        return makeError(cells.error());
    QList<RealCandidate> candidates;
    for (const db::CellSummary &cell : *cells) {
        if (!cell.labelClass.isEmpty())
            candidates.append({cell.labelClass, cell.id, {}});
    }
    return candidates;
}

namespace {

// Counts the work (real cells drawn, generation steps) for the progress bar.
struct BuildProgress {
    int done = 0;
    int total = 0;
    const BuildProgressFn &callback;
    void report(const QString &what) const
    {
        if (callback)
            callback(std::min(done, total), total, what);
    }
};

// Up to perClass real cells of cls, shuffled, preprocessed as the model
// sees cells and encoded at the shown size; unusable ones are listed in
// summary.skippedImages.
Result<QList<db::NewTuringImage>> drawRealCells(db::Database &database, QList<RealCandidate> pool, const QString &cls,
                                                const QString &modelId, const imaging::PreprocessSpec &spec, int side,
                                                const BuildOptions &options,
                                                std::mt19937_64 &random, const BuildCancelFn &cancelled,
                                                BuildSummary &summary, BuildProgress &progress)
{
    shuffle(pool, random);
    QList<db::NewTuringImage> real;
    for (const RealCandidate &candidate : pool) {
        if (real.size() == options.perClass)
            break;
        if (cancelled && cancelled())
            return makeError(kCancelled);
        auto bytes = loadRealImage(database, candidate);
        // A workspace cell as the model saw it when it classified its case.
        const auto normalisation = candidate.cellId ? classify::storedNormalisation(database, *candidate.cellId, modelId)
                                                    : imaging::CaseNormalisation{};
        auto input = bytes ? imaging::preprocessNormalised(*bytes, spec, normalisation)
                           : Result<FloatImage>(makeError(bytes.error()));
        auto png = input ? imaging::encodePngResized(*input, side) : Result<std::string>(makeError(input.error()));
        if (!png) {
            summary.skippedImages << describe(candidate) + QStringLiteral(": ") + QString::fromStdString(png.error());
            continue;
        }
        db::NewTuringImage image;
        image.truth = db::TuringTruth::Real;
        image.classId = cls;
        image.sourceCellId = candidate.cellId;
        image.sourceRef = candidate.cellId ? QString() : candidate.path;
        image.png = toBytes(*png);
        real.append(image);
        ++progress.done;
        progress.report(cls);
    }
    return real;
}

// perClass cells of cls generated by the model (DDIM), encoded at the shown
// size; the progress moves with the generation steps.
Result<QList<db::NewTuringImage>> generateCells(const engine::Model &model, const QString &cls, int side,
                                                const BuildOptions &options, const BuildCancelFn &cancelled,
                                                BuildProgress &progress)
{
    const int classIndex = model.classIndex(cls.toStdString());
    const int stepsBefore = progress.done;
    const engine::CancelFn perStep = [&]() {
        if (cancelled && cancelled())
            return true;
        progress.done = std::min(progress.done + 1, stepsBefore + options.steps);
        progress.report(cls);
        return false;
    };
    auto generated = model.generate(classIndex, options.perClass, options.steps, options.guidance,
                                    options.seed + std::uint64_t(classIndex) * 1000, perStep);
    if (cancelled && cancelled())
        return makeError(kCancelled);
    if (!generated)
        return makeError(generated.error());
    progress.done = stepsBefore + options.steps;
    QList<db::NewTuringImage> synthetic;
    for (const FloatImage &picture : *generated) {
        auto png = imaging::encodePngResized(picture, side);
        if (!png)
            return makeError(png.error());
        db::NewTuringImage image;
        image.truth = db::TuringTruth::Synthetic;
        image.classId = cls;
        image.png = toBytes(*png);
        synthetic.append(image);
    }
    return synthetic;
}

// The classes asked for (all the model's by default), each one the model knows.
Result<QStringList> wantedClasses(const engine::ModelCard &card, const QStringList &asked, QStringList &modelClasses)
{
    for (const std::string &className : card.classNames)
        modelClasses << QString::fromStdString(className);
    const QStringList wanted = asked.isEmpty() ? modelClasses : asked;
    for (const QString &cls : wanted) {
        if (!modelClasses.contains(cls))
            return makeError("the model has no class '" + cls.toStdString() + "' (it knows: " +
                             modelClasses.join(QStringLiteral(", ")).toStdString() + ")");
    }
    return wanted;
}

} // namespace

Result<BuildSummary> buildTuringTest(db::Database &database, const engine::Model &model,
                                     const QList<RealCandidate> &candidates, const BuildOptions &options,
                                     const BuildCancelFn &cancelled, const BuildProgressFn &progress)
{
    if (auto writable = database.ensureWritable(); !writable)
        return makeError(writable.error());
    if (!model.isDiffusion())
        return makeError("the model is a discriminative baseline, which cannot generate cells; choose a diffusion "
                         "model (such as cytodiff-v2-pbc8.pt)");
    if (options.perClass < 1 || options.steps < 1)
        return makeError("a Turing test needs at least one image per class and one generation step");
    const engine::ModelCard &card = model.card();
    const int side = options.imageSize > 0 ? options.imageSize : card.cropSize;
    const imaging::PreprocessSpec spec{card.cropSize, card.network.resolution};
    const QString name = options.name.trimmed().isEmpty() ? defaultTestName() : options.name.trimmed();

    db::TuringStore store(database);
    if (auto existing = store.findTest(name); existing && existing->name == name)
        return makeError("a Turing test named '" + name.toStdString() + "' already exists; choose another name");
    QStringList modelClasses;
    const auto wanted = wantedClasses(card, options.classes, modelClasses);
    if (!wanted)
        return makeError(wanted.error());

    QHash<QString, QList<RealCandidate>> byClass;
    for (const RealCandidate &candidate : candidates)
        byClass[candidate.classId].append(candidate);

    BuildSummary summary;
    summary.name = name;
    summary.imageSize = side;
    std::mt19937_64 random(options.seed);
    BuildProgress work{0, int(wanted->size()) * (options.perClass + options.steps), progress};
    QList<db::NewTuringImage> images;
    QStringList included;
    for (const QString &cls : *wanted) {
        // Real cells first: a class without enough of them is dropped
        // before the model spends time generating for it.
        auto real = drawRealCells(database, byClass.value(cls), cls, QString::fromStdString(card.modelId()), spec, side, options,
                                  random, cancelled, summary, work);
        if (!real)
            return makeError(real.error());
        if (real->size() < options.perClass) {
            summary.skippedClasses << QStringLiteral("%1: %2 usable real cells, %3 needed")
                                          .arg(cls)
                                          .arg(real->size())
                                          .arg(options.perClass);
            work.done += options.perClass - int(real->size()) + options.steps;
            work.report(cls);
            continue;
        }
        auto synthetic = generateCells(model, cls, side, options, cancelled, work);
        if (!synthetic)
            return makeError(synthetic.error());
        images << *real << *synthetic;
        included << cls;
        summary.realImages += int(real->size());
        summary.syntheticImages += int(synthetic->size());
    }
    if (included.isEmpty())
        return makeError("no class has " + std::to_string(options.perClass) +
                         " usable real cells; label more cells or lower the number per class (" +
                         summary.skippedClasses.join(QStringLiteral("; ")).toStdString() + ")");
    // Row ids follow insertion; shuffled so that not even the id order
    // says which images are real.
    shuffle(images, random);
    QSet<QString> codes;
    for (db::NewTuringImage &image : images)
        image.code = newCode(codes);

    db::NewTuringTest test;
    test.name = name;
    test.modelId = QString::fromStdString(card.modelId());
    test.imageSize = side;
    test.classNames = modelClasses; // readers may answer any class the model knows
    test.source = options.source;
    test.settings = QStringLiteral("per class %1, DDIM steps %2, guidance %3, seed %4, model resolution %5 px, "
                                   "crop %6 px, shown at %7 px")
                        .arg(options.perClass)
                        .arg(options.steps)
                        .arg(options.guidance)
                        .arg(options.seed)
                        .arg(card.network.resolution)
                        .arg(card.cropSize)
                        .arg(side);
    if (cancelled && cancelled())
        return makeError(kCancelled);
    auto testId = store.createTest(test, images);
    if (!testId)
        return makeError(testId.error());
    summary.testId = *testId;
    summary.classes = included;
    work.done = work.total;
    work.report({});
    return summary;
}

} // namespace cytodiff::turing
