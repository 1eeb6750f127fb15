#include "crossvalstudy.h"

#include "classificationservice.h"
#include "database.h"
#include "labelaudit.h"
#include "labelledset.h"

#include <QDir>
#include <QSet>

#include <algorithm>

namespace cytodiff::studies {
namespace {

quint64 foldHash(qint64 cellId)
{
    quint64 value = quint64(cellId) + 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

// A rare class (one or two cells) can land wholly in the validation or test
// part of the stratified split; the trainer needs every class in training,
// and the fold model's own test part is unused.
void trainEveryClass(engine::TrainingData &data)
{
    for (std::size_t c = 0; c < data.classNames.size(); ++c) {
        bool trains = false;
        for (std::size_t i = 0; i < data.size(); ++i)
            trains = trains || (data.labels[i] == int(c) && data.splits[i] == engine::Split::Train);
        for (std::size_t i = 0; i < data.size() && !trains; ++i)
            if (data.labels[i] == int(c))
                data.splits[i] = engine::Split::Train;
    }
}

// Trains one fold's model and stores its calls on the held-out cells.
Result<int> predictFold(db::Database &database, const CrossvalOptions &options, int fold,
                        const QList<dataset::CellLabel> &train, const QList<dataset::CellLabel> &heldOut,
                        const CrossvalNoticeFn &notice)
{
    QStringList skipped;
    auto data = dataset::buildTrainingDataFromCells(database, train, options.train.network.resolution, options.cropSize,
                                                    {}, &skipped);
    if (!data)
        return makeError(data.error());
    trainEveryClass(*data);
    engine::TrainOptions trainOptions = options.train;
    trainOptions.outPath =
        QDir(options.modelsDir).filePath(QStringLiteral("crossval-fold%1of%2.pt").arg(fold + 1).arg(options.folds)).toStdString();
    trainOptions.seed = options.train.seed + quint64(fold);
    trainOptions.validateEverySeconds = 0;
    trainOptions.finalValidationCells = std::min(50, int(data->size()));
    trainOptions.trainCommand = "cytodiff-cli crossval-predict fold " + std::to_string(fold + 1);
    auto report = engine::trainDiffusion(*data, trainOptions, [](const engine::TrainProgress &) {});
    if (!report)
        return makeError("fold " + std::to_string(fold + 1) + ": " + report.error());
    auto model = engine::Model::load(trainOptions.outPath);
    if (!model)
        return makeError(model.error());
    const QString modelId = QStringLiteral("%1%2:fold%3of%4:%5")
                                .arg(QString::fromLatin1(labelling::kCrossValPrefix), options.run)
                                .arg(fold + 1)
                                .arg(options.folds)
                                .arg(QString::fromStdString(model->card().modelId()));
    engine::ClassifyOptions classifyOptions;
    classifyOptions.trialsMax = options.trialsMax;
    if (classifyOptions.trialsMax > 0)
        classifyOptions.trialsMin = std::min(classifyOptions.trialsMax, 4);
    // The fold's model under a name of its own, through the one
    // classification path.
    const classify::ClassificationService service(&*model, nullptr, classifyOptions);
    int stored = 0;
    for (const dataset::CellLabel &cell : heldOut) {
        auto bytes = database.cellImage(cell.cellId);
        if (!bytes)
            continue;
        auto call = service.classifyImage(std::string_view(bytes->constData(), std::size_t(bytes->size())));
        if (!call) {
            if (notice)
                notice(QStringLiteral("skipped cell %1: %2").arg(cell.cellId).arg(QString::fromStdString(call.error())));
            continue;
        }
        auto id = database.insertPrediction(cell.cellId, modelId, call->predictedClass, call->confidence, call->anomaly,
                                            call->scores, call->result.nfe);
        if (!id)
            return makeError(id.error());
        ++stored;
    }
    return stored;
}

} // namespace

Result<CrossvalSummary> runCrossvalPredictions(db::Database &database, const CrossvalOptions &options,
                                               const CrossvalNoticeFn &notice)
{
    if (auto writable = database.ensureWritable(); !writable)
        return makeError(writable.error());
    auto labelled = dataset::consensusLabels(database);
    if (!labelled)
        return makeError(labelled.error());
    auto common = database.commonCells();
    if (!common)
        return makeError(common.error());
    const QSet<qint64> commonSet(common->begin(), common->end());
    CrossvalSummary summary;
    for (int fold = 0; fold < options.folds; ++fold) {
        QList<dataset::CellLabel> train, heldOut;
        for (const dataset::CellLabel &cell : *labelled) {
            const bool isHeldOut =
                !commonSet.contains(cell.cellId) && int(foldHash(cell.cellId) % quint64(options.folds)) == fold;
            (isHeldOut ? heldOut : train).append(cell);
        }
        if (notice)
            notice(QStringLiteral("fold %1/%2: training on %3 cells, predicting %4")
                       .arg(fold + 1)
                       .arg(options.folds)
                       .arg(train.size())
                       .arg(heldOut.size()));
        if (heldOut.isEmpty())
            continue;
        auto stored = predictFold(database, options, fold, train, heldOut, notice);
        if (!stored)
            return makeError(stored.error());
        summary.stored += *stored;
    }
    return summary;
}

} // namespace cytodiff::studies
