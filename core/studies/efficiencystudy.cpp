#include "efficiencystudy.h"

#include "labelledset.h"
#include "optionnames.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <optional>

namespace cytodiff::studies {
namespace {

// The trainer's own defaults: cards written before they recorded the
// optimiser settings come from studies run with these.
const double kDefaultLearningRate = engine::TrainOptions{}.learningRate;
const int kDefaultBatch = engine::TrainOptions{}.batchSize;

// A model of an earlier run of the study, when it is the one this run
// would train: same kind and network, trained on exactly these cells
// (content hash), for the same number of steps (or at least the minutes
// asked for, less the last few seconds a wall-clock budget can fall short
// by). Anything else is trained again, and the log says why.
std::optional<engine::Model> reusableModel(const engine::TrainOptions &train, bool baseline, const std::string &dataHash,
                                           bool byMinutes, double budget, const QString &stem, const NoticeFn &notice)
{
    if (!QFile::exists(QString::fromStdString(train.outPath)))
        return std::nullopt;
    auto model = engine::Model::load(train.outPath);
    if (!model) {
        notice(QStringLiteral("not reusing %1: %2").arg(stem, QString::fromStdString(model.error())));
        return std::nullopt;
    }
    const auto &card = model->card();
    const auto &net = card.network;
    const bool sameNetwork = (card.kind == "baseline") == baseline && net.resolution == train.network.resolution
                             && net.baseChannels == train.network.baseChannels
                             && net.channelMults == train.network.channelMults && net.resBlocks == train.network.resBlocks;
    const bool sameBudget = byMinutes ? card.trainSeconds >= budget * 60.0 - 5.0 : card.trainSteps == std::int64_t(budget);
    // Cards written before they recorded the optimiser settings come from
    // studies run with this command's defaults.
    const double rate = card.learningRate > 0 ? card.learningRate : kDefaultLearningRate;
    const int batch = card.batchSize > 0 ? card.batchSize : kDefaultBatch;
    const bool sameSettings = std::abs(rate - train.learningRate) <= 1e-9 * train.learningRate && batch == train.batchSize;
    const char *why = !sameNetwork             ? "another network"
                      : card.dataHash != dataHash ? "other training cells"
                      : !sameBudget              ? "another budget"
                      : !sameSettings            ? "another learning rate or batch size"
                                                 : nullptr;
    if (why) {
        notice(QStringLiteral("not reusing %1: it was trained with %2").arg(stem, QLatin1String(why)));
        return std::nullopt;
    }
    return std::move(*model);
}

// Why a checkpoint a stopped run left cannot be continued by this run, or
// empty when it can: it must come from the same optimiser settings and not
// be past this budget (the network and cells are checked when it loads).
QString checkpointMismatch(const std::string &path, const engine::TrainOptions &train, bool byMinutes, double budget)
{
    const auto info = engine::readCheckpointInfo(path);
    if (!info)
        return QString::fromStdString(info.error());
    // Unrecorded settings: the checkpoint predates them; trust it, as the
    // model cards of the same runs are trusted.
    if ((info->learningRate > 0 && std::abs(info->learningRate - train.learningRate) > 1e-9 * train.learningRate)
        || (info->batchSize > 0 && info->batchSize != train.batchSize))
        return QStringLiteral("its checkpoint was made with another learning rate or batch size");
    if (!byMinutes && info->step > std::int64_t(budget))
        return QStringLiteral("its checkpoint is past this budget");
    return {};
}

// Trains one model of the study. With --resume, a checkpoint a stopped run
// left behind is continued (it holds the weights, the optimiser and the
// batch generator), so a session that ends mid-model loses minutes, not the
// model; a checkpoint that does not fit this run is dropped and the model
// trained from the start.
Result<engine::TrainReport> trainStudyModel(const engine::TrainingData &subset, engine::TrainOptions train, bool baseline,
                                            bool resume, bool byMinutes, double budget, const QString &stem,
                                            const engine::CancelFn &stop, const NoticeFn &notice)
{
    const QString budgetText = QString::number(budget) + (byMinutes ? QStringLiteral(" min") : QStringLiteral(" steps"));
    const auto trainer = baseline ? engine::trainBaseline : engine::trainDiffusion;
    const QString checkpoint = QString::fromStdString(train.checkpointPath);
    const auto fromTheStart = [&](const QString &why) {
        notice(QStringLiteral("not resuming %1: %2").arg(stem, why));
        train.resumePath.clear();
        notice(QStringLiteral("training %1 from the start (%2)").arg(stem, budgetText));
    };
    if (resume && QFile::exists(checkpoint)) {
        if (const QString why = checkpointMismatch(train.checkpointPath, train, byMinutes, budget); why.isEmpty()) {
            train.resumePath = train.checkpointPath;
            notice(QStringLiteral("resuming %1 from its checkpoint").arg(stem));
        } else {
            fromTheStart(why);
        }
    } else {
        notice(QStringLiteral("training %1 (%2)").arg(stem, budgetText));
    }
    auto report = trainer(subset, train, {}, stop);
    // Another network or other cells show when the checkpoint loads.
    if (!report && !train.resumePath.empty() && !stop()) {
        fromTheStart(QString::fromStdString(report.error()));
        report = trainer(subset, train, {}, stop);
    }
    if (!report)
        return makeError(stem.toStdString() + ": " + report.error());
    // The finished model is reused whole from now on.
    QFile::remove(checkpoint);
    return report;
}

// What the test measurement depends on besides the model: the cells and
// the estimator (resolved, so "the default" and the same value written
// out are one key).
QString measurementKey(const std::string &dataHash, int testCells, const engine::ClassifyOptions &options,
                       std::uint64_t seed)
{
    const auto o = options.resolved();
    return QStringLiteral("%1 test cells of %2; %3 protocol, trials %4-%5, round %6, p %7, t %8-%9, %10 weighting, seed %11")
        .arg(testCells)
        .arg(QString::fromStdString(dataHash))
        .arg(QLatin1String(engine::protocolName(o.protocol)))
        .arg(o.trialsMin)
        .arg(o.trialsMax)
        .arg(o.trialsPerRound)
        .arg(o.pValue)
        .arg(o.tMin)
        .arg(o.tMax)
        // Spelt so in every stored key since the study began.
        .arg(o.weighting == engine::Weighting::Default ? QLatin1String("the protocol's")
                                                       : QLatin1String(engine::weightingName(o.weighting)))
        .arg(seed);
}

// One model's experiment: what it was trained on and with, and what it was
// measured on. A result recorded under the same identity is the same
// experiment.
QJsonObject resultIdentity(const engine::TrainOptions &train, bool baseline, const std::string &subsetHash, bool byMinutes,
                           double budget, const QString &measurement)
{
    QJsonObject id;
    id[QStringLiteral("kind")] = baseline ? QStringLiteral("baseline") : QStringLiteral("diffusion");
    QJsonArray mults;
    for (int m : train.network.channelMults)
        mults.append(m);
    id[QStringLiteral("network")] = QJsonObject{{QStringLiteral("resolution"), train.network.resolution},
                                                {QStringLiteral("base_channels"), train.network.baseChannels},
                                                {QStringLiteral("channel_mults"), mults},
                                                {QStringLiteral("res_blocks"), train.network.resBlocks}};
    id[QStringLiteral("train_data_hash")] = QString::fromStdString(subsetHash);
    id[QStringLiteral("budget_unit")] = byMinutes ? QStringLiteral("minutes") : QStringLiteral("steps");
    id[QStringLiteral("budget")] = budget;
    id[QStringLiteral("learning_rate")] = train.learningRate;
    id[QStringLiteral("batch_size")] = train.batchSize;
    id[QStringLiteral("train_seed")] = QString::number(train.seed);
    id[QStringLiteral("validation_cells")] = train.finalValidationCells;
    id[QStringLiteral("measurement")] = measurement;
    return id;
}

struct RecordedResult {
    double balancedAccuracy = 0;
    double trainSeconds = 0;
    QString modelSha256;
};

// The result an earlier run recorded for this experiment (--resume). Results
// are a few hundred bytes and can be committed where the models cannot, so a
// study spread over sessions on machines that do not keep files goes on
// from its recorded results. A model file that is there but is not the one
// the result was measured on (trained again since) wins: it is measured.
std::optional<RecordedResult> recordedResult(const QString &path, const QJsonObject &identity, const QString &modelPath)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    if (json.value(QStringLiteral("identity")).toObject() != identity
        || !json.value(QStringLiteral("balanced_accuracy")).isDouble())
        return std::nullopt;
    RecordedResult result{json.value(QStringLiteral("balanced_accuracy")).toDouble(),
                          json.value(QStringLiteral("train_seconds")).toDouble(),
                          json.value(QStringLiteral("model_sha256")).toString()};
    if (QFile::exists(modelPath)) {
        const auto model = engine::Model::load(modelPath.toStdString());
        if (!model || QString::fromStdString(model->card().sha256) != result.modelSha256)
            return std::nullopt;
    }
    return result;
}

bool recordResult(const QString &path, const QJsonObject &identity, const QString &stem, const engine::ModelCard &card,
                  double balancedAccuracy, double trainSeconds)
{
    QJsonObject json;
    json[QStringLiteral("model")] = stem;
    json[QStringLiteral("identity")] = identity;
    json[QStringLiteral("balanced_accuracy")] = balancedAccuracy;
    json[QStringLiteral("train_seconds")] = trainSeconds;
    json[QStringLiteral("train_steps")] = double(card.trainSteps);
    json[QStringLiteral("model_sha256")] = QString::fromStdString(card.sha256);
    json[QStringLiteral("measured_at")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(json).toJson()) >= 0 && file.commit();
}

} // namespace

Result<std::vector<EfficiencyMeasurement>> runEfficiencyStudy(std::shared_ptr<const engine::TrainingData> data,
                                                              const QList<EvalItem> &testItems,
                                                              const EfficiencyOptions &options,
                                                              const EfficiencyCallbacks &callbacks)
{
    const NoticeFn notice = callbacks.notice ? callbacks.notice : NoticeFn([](const QString &) {});
    const engine::CancelFn stop = callbacks.stop ? callbacks.stop : engine::CancelFn([] { return false; });
    const auto source = EvalSource::fromTrainingData(data);
    const bool resume = options.resume || options.recordedOnly;
    const QString measurement = measurementKey(data->contentHash(), int(testItems.size()), options.classify, options.seed);
    std::vector<EfficiencyMeasurement> measurements;
    for (std::size_t si = 0; si < options.perClass.size(); ++si) {
        const int n = options.perClass[si];
        const double budget = options.budget[si];
        for (const EfficiencyRole &role : options.roles) {
            EfficiencyMeasurement m{n, budget, role.name, {}, {}, {}};
            for (int r = 0; r < options.repeats; ++r) {
                // The same subset for every kind of a repeat: the comparison
                // is paired.
                const auto subset = dataset::efficiencySubset(*data, n, r, options.seed);
                engine::TrainOptions train;
                const QString stem = QStringLiteral("%1_n%2_r%3").arg(role.name).arg(n).arg(r);
                train.outPath = options.dir.filePath(QStringLiteral("models/") + stem + QStringLiteral(".pt")).toStdString();
                train.checkpointPath = train.outPath + ".ckpt";
                if (options.byMinutes)
                    train.minutes = budget;
                else
                    train.steps = std::int64_t(budget);
                train.seed = options.seed + std::uint64_t(r) + 1;
                train.batchSize = std::max(1, options.batchSize);
                train.learningRate = options.learningRate;
                train.validateEverySeconds = 0;
                train.finalValidationCells = options.validationCells;
                train.network = role.network;
                train.network.resolution = data->resolution;
                train.trainCommand = "cytodiff-cli evaluate-efficiency (" + stem.toStdString() + ")";
                const QJsonObject identity =
                    resultIdentity(train, role.baseline, subset.contentHash(), options.byMinutes, budget, measurement);
                const QString resultPath = options.dir.filePath(QStringLiteral("results/") + stem + QStringLiteral(".json"));
                if (resume) {
                    if (const auto recorded = recordedResult(resultPath, identity, QString::fromStdString(train.outPath))) {
                        notice(QStringLiteral("reusing the recorded result of %1 (results/%1.json): balanced accuracy %2%")
                                   .arg(stem, percent(recorded->balancedAccuracy)));
                        m.balancedAccuracy.push_back(recorded->balancedAccuracy);
                        m.trainSeconds.push_back(recorded->trainSeconds);
                        m.modelSha256.append(recorded->modelSha256);
                        continue;
                    }
                }
                if (options.recordedOnly) {
                    notice(QStringLiteral("no recorded result of %1 yet").arg(stem));
                    continue;
                }
                auto model = resume ? reusableModel(train, role.baseline, subset.contentHash(), options.byMinutes, budget,
                                                    stem, notice)
                                    : std::optional<engine::Model>{};
                double seconds = 0;
                if (model) {
                    notice(QStringLiteral("reusing %1 (trained on the same cells with the same budget)").arg(stem));
                    seconds = model->card().trainSeconds;
                } else {
                    auto report = trainStudyModel(subset, train, role.baseline, resume, options.byMinutes, budget, stem,
                                                  stop, notice);
                    if (!report)
                        return makeError(stop() ? std::string("cancelled") : report.error());
                    seconds = report->seconds;
                    auto trained = engine::Model::load(train.outPath);
                    if (!trained)
                        return makeError(trained.error());
                    model = std::move(*trained);
                }
                const auto truthOf = [&](const QString &c) { return model->classIndex(c.toStdString()); };
                const ItemProgress progress =
                    callbacks.testing ? callbacks.testing(QStringLiteral("testing ") + stem) : ItemProgress{};
                const auto outcomes =
                    classifyItems(*model, sourceInputs(source, testItems), testItems, truthOf, options.classify, options.seed, stop, progress);
                if (stop())
                    return makeError("cancelled");
                const double balanced = summarise(model->card().classNames, outcomes).balancedAccuracy();
                m.balancedAccuracy.push_back(balanced);
                m.trainSeconds.push_back(seconds);
                m.modelSha256.append(QString::fromStdString(model->card().sha256));
                if (!recordResult(resultPath, identity, stem, model->card(), balanced, seconds))
                    notice(QStringLiteral("warning: cannot write %1: --resume will measure %2 again").arg(resultPath, stem));
                notice(QStringLiteral("%1: balanced accuracy %2%").arg(stem, percent(balanced)));
            }
            measurements.push_back(std::move(m));
        }
    }
    return measurements;
}

} // namespace cytodiff::studies
