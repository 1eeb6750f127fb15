// cytodiff-cli evaluate-efficiency (paper section 3.10, Figure 4): for each
// training-set size, resample that many training cells per class (seeded,
// per repeat), train the diffusion model and the baseline with the same
// budget, and measure balanced accuracy on the same test cells.
#include "commands.h"

#include "chartoutput.h"
#include "clistream.h"
#include "clisupport.h"
#include "studyoptions.h"
#include "labelledset.h"
#include "trainer.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <optional>

namespace cytodiff::cli {
namespace {

// The trainer's own defaults, so the study and `train` cannot drift apart.
const double kDefaultLearningRate = engine::TrainOptions{}.learningRate;
const int kDefaultBatch = engine::TrainOptions{}.batchSize;

std::vector<double> parseList(const QString &text, bool *ok)
{
    std::vector<double> values;
    *ok = true;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool good = false;
        const double v = part.trimmed().toDouble(&good);
        if (!good || v <= 0)
            *ok = false;
        values.push_back(v);
    }
    if (values.empty())
        *ok = false;
    return values;
}

std::vector<int> intList(const QString &text)
{
    std::vector<int> values;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        values.push_back(part.trimmed().toInt());
    return values;
}

// A model of an earlier run of the study, when it is the one this run
// would train: same kind and network, trained on exactly these cells
// (content hash), for the same number of steps (or at least the minutes
// asked for, less the last few seconds a wall-clock budget can fall short
// by). Anything else is trained again, and the log says why.
std::optional<engine::Model> reusableModel(const engine::TrainOptions &train, bool baseline, const std::string &dataHash,
                                           bool byMinutes, double budget, const QString &stem)
{
    if (!QFile::exists(QString::fromStdString(train.outPath)))
        return std::nullopt;
    auto model = engine::Model::load(train.outPath);
    if (!model) {
        err() << "not reusing " << stem << ": " << QString::fromStdString(model.error()) << "\n";
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
        err() << "not reusing " << stem << ": it was trained with " << why << "\n";
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
// trained from the start. Errors are reported here.
std::optional<engine::TrainReport> trainStudyModel(const engine::TrainingData &subset, engine::TrainOptions train,
                                                   bool baseline, bool resume, bool byMinutes, double budget,
                                                   const QString &stem, const engine::CancelFn &stop)
{
    const auto trainer = baseline ? engine::trainBaseline : engine::trainDiffusion;
    const QString checkpoint = QString::fromStdString(train.checkpointPath);
    const auto fromTheStart = [&](const QString &why) {
        err() << "not resuming " << stem << ": " << why << "\n";
        train.resumePath.clear();
        err() << "training " << stem << " from the start (" << budget << (byMinutes ? " min" : " steps") << ")\n";
    };
    if (resume && QFile::exists(checkpoint)) {
        if (const QString why = checkpointMismatch(train.checkpointPath, train, byMinutes, budget); why.isEmpty()) {
            train.resumePath = train.checkpointPath;
            err() << "resuming " << stem << " from its checkpoint\n";
        } else {
            fromTheStart(why);
        }
    } else {
        err() << "training " << stem << " (" << budget << (byMinutes ? " min" : " steps") << ")\n";
    }
    auto report = trainer(subset, train, {}, stop);
    // Another network or other cells show when the checkpoint loads.
    if (!report && !train.resumePath.empty() && !stop()) {
        fromTheStart(QString::fromStdString(report.error()));
        report = trainer(subset, train, {}, stop);
    }
    if (!report) {
        err() << "error: " << stem << ": " << QString::fromStdString(report.error()) << "\n";
        return std::nullopt;
    }
    // The finished model is reused whole from now on.
    QFile::remove(checkpoint);
    return std::move(*report);
}

const char *weightingName(engine::Weighting weighting)
{
    switch (weighting) {
    case engine::Weighting::Fitted: return "fitted";
    case engine::Weighting::Paper: return "paper";
    case engine::Weighting::Uniform: return "uniform";
    case engine::Weighting::Default: break;
    }
    return "the protocol's";
}

// What the test measurement depends on besides the model: the cells and
// the estimator (resolved, so "the default" and the same value written
// out are one key).
QString measurementKey(const std::string &dataHash, int testCells, const engine::ClassifyOptions &options,
                       std::uint64_t seed)
{
    auto o = options.resolved();
    if (o.weighting == engine::Weighting::Default)
        o.weighting = o.protocol == engine::Protocol::Paper ? engine::Weighting::Paper : engine::Weighting::Fitted;
    return QStringLiteral("%1 test cells of %2; %3 protocol, trials %4-%5, round %6, p %7, t %8-%9, %10 weighting, seed %11")
        .arg(testCells)
        .arg(QString::fromStdString(dataHash))
        .arg(o.protocol == engine::Protocol::Paper ? QStringLiteral("paper") : QStringLiteral("fast"))
        .arg(o.trialsMin)
        .arg(o.trialsMax)
        .arg(o.trialsPerRound)
        .arg(o.pValue)
        .arg(o.tMin)
        .arg(o.tMax)
        .arg(QLatin1String(weightingName(o.weighting)))
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

int runEvaluateEfficiency(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Low-data efficiency (paper section 3.10): train on N cells per class (resampled per repeat) with a fixed "
        "budget, for the diffusion model and optionally the baseline, and report balanced accuracy on the test part."));
    parser.addOption({QStringLiteral("data"), QStringLiteral("Labelled folder, .cdpack file or workspace database."), QStringLiteral("path")});
    parser.addOption({QStringLiteral("per-class"), QStringLiteral("Training cells per class (default 10,20,50,150)."), QStringLiteral("list"), QStringLiteral("10,20,50,150")});
    parser.addOption({QStringLiteral("repeats"), QStringLiteral("Resampled training sets per size (default 3)."), QStringLiteral("R"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("minutes-per-model"), QStringLiteral("Training minutes per model: one value, or one per size."), QStringLiteral("list")});
    parser.addOption({QStringLiteral("steps"), QStringLiteral("Training steps per model: one value, or one per size."), QStringLiteral("list")});
    parser.addOption({QStringLiteral("baseline-too"), QStringLiteral("Also train and measure the discriminative baseline.")});
    parser.addOption({QStringLiteral("baseline-only"), QStringLiteral("Only the baseline: one part of a study whose "
                                                                      "diffusion models another process trains.")});
    parser.addOption({QStringLiteral("test-per-class"), QStringLiteral("Test cells per class (default 50)."), QStringLiteral("N"), QStringLiteral("50")});
    parser.addOption({QStringLiteral("resolution"), QStringLiteral("Network input size (default 48)."), QStringLiteral("px"), QStringLiteral("48")});
    parser.addOption({QStringLiteral("crop"), QStringLiteral("Centre crop in source pixels (default 288)."), QStringLiteral("px"), QStringLiteral("288")});
    parser.addOption({QStringLiteral("batch"), QStringLiteral("Batch size (default %1).").arg(kDefaultBatch), QStringLiteral("B"), QString::number(kDefaultBatch)});
    parser.addOption({QStringLiteral("lr"), QStringLiteral("Peak learning rate (default %1).").arg(kDefaultLearningRate), QStringLiteral("x"), QString::number(kDefaultLearningRate)});
    const engine::NetworkConfig diffusionNet;
    const engine::NetworkConfig baselineNet = engine::baselineNetwork();
    const QString diffusionMults = QString::fromStdString(engine::joinChannelMults(diffusionNet.channelMults));
    const QString baselineMults = QString::fromStdString(engine::joinChannelMults(baselineNet.channelMults));
    parser.addOption({QStringLiteral("base-channels"), QStringLiteral("Diffusion network width (default %1).").arg(diffusionNet.baseChannels), QStringLiteral("C"), QString::number(diffusionNet.baseChannels)});
    parser.addOption({QStringLiteral("channel-mults"), QStringLiteral("Diffusion width multipliers (default %1).").arg(diffusionMults), QStringLiteral("list"), diffusionMults});
    parser.addOption({QStringLiteral("baseline-channels"), QStringLiteral("Baseline width (default %1).").arg(baselineNet.baseChannels), QStringLiteral("C"), QString::number(baselineNet.baseChannels)});
    parser.addOption({QStringLiteral("baseline-mults"), QStringLiteral("Baseline width multipliers (default %1).").arg(baselineMults), QStringLiteral("list"), baselineMults});
    parser.addOption({QStringLiteral("validation-cells"), QStringLiteral("Validation cells used after training to fit the error "
                                                                         "scale (default 64)."), QStringLiteral("N"), QStringLiteral("64")});
    parser.addOption({QStringLiteral("resume"), QStringLiteral("Reuse the results an earlier run of this study recorded in "
                                                               "--out/results and the models it left in --out/models "
                                                               "when they come from the same cells, budget and settings, "
                                                               "and continue the model it was training from its "
                                                               "checkpoint (a long study spans sessions).")});
    parser.addOption({QStringLiteral("recorded-only"), QStringLiteral("Train and measure nothing: report the results "
                                                                      "recorded in --out/results so far (a study "
                                                                      "that spans sessions, mid-way).")});
    addClassifyOptions(parser);
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for efficiency.json/.md/.png, the trained models and "
                                                            "each model's recorded result."), QStringLiteral("dir")});
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    const bool byMinutes = parser.isSet(QStringLiteral("minutes-per-model"));
    if (!parser.isSet(QStringLiteral("data")) || !parser.isSet(QStringLiteral("out"))
        || byMinutes == parser.isSet(QStringLiteral("steps"))) {
        err() << "usage: cytodiff-cli evaluate-efficiency --data D --out dir (--minutes-per-model X | --steps N) "
                 "[--per-class 10,20,50,150] [--repeats R] [--baseline-too]\n";
        return kExitUsage;
    }
    bool ok = false;
    const auto sizesD = parseList(parser.value(QStringLiteral("per-class")), &ok);
    bool budgetOk = false;
    auto budget = parseList(parser.value(byMinutes ? QStringLiteral("minutes-per-model") : QStringLiteral("steps")), &budgetOk);
    const int repeats = parser.value(QStringLiteral("repeats")).toInt();
    if (!ok || !budgetOk || repeats < 1 || (budget.size() != 1 && budget.size() != sizesD.size())) {
        err() << "error: --per-class and the budget need positive numbers (the budget: one value or one per size), "
                 "--repeats at least 1\n";
        return kExitUsage;
    }
    if (budget.size() == 1)
        budget.assign(sizesD.size(), budget.front());
    auto dir = makeOutputDir(parser.value(QStringLiteral("out")));
    if (!dir || !dir->mkpath(QStringLiteral("models")) || !dir->mkpath(QStringLiteral("results"))) {
        err() << "error: cannot create " << parser.value(QStringLiteral("out")) << "\n";
        return kExitBadInput;
    }
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    QStringList skipped;
    auto loaded = dataset::loadTrainingData(parser.value(QStringLiteral("data")), parser.value(QStringLiteral("resolution")).toInt(),
                                   parser.value(QStringLiteral("crop")).toInt(), {}, &skipped);
    if (!loaded) {
        err() << "error: " << QString::fromStdString(loaded.error()) << "\n";
        return kExitBadInput;
    }
    for (const QString &line : skipped)
        err() << "skipped " << line << "\n";
    auto data = std::make_shared<const engine::TrainingData>(std::move(*loaded));
    const auto source = studies::EvalSource::fromTrainingData(data);
    const auto testItems = studies::selectItems(source.items(), QStringLiteral("test"),
                                       parser.value(QStringLiteral("test-per-class")).toInt());
    if (testItems.isEmpty()) {
        err() << "error: the data has no test cells\n";
        return kExitBadInput;
    }

    QStringList roles;
    if (!parser.isSet(QStringLiteral("baseline-only")))
        roles << QStringLiteral("diffusion");
    if (parser.isSet(QStringLiteral("baseline-too")) || parser.isSet(QStringLiteral("baseline-only")))
        roles << QStringLiteral("baseline");
    const auto seed = parser.value(QStringLiteral("seed")).toULongLong();
    const auto options = estimatorOptionsFrom(parser);
    const bool recordedOnly = parser.isSet(QStringLiteral("recorded-only"));
    const bool resume = recordedOnly || parser.isSet(QStringLiteral("resume"));
    const QString measurement = measurementKey(data->contentHash(), int(testItems.size()), options, seed);
    SigintCancel sigint;
    const auto stop = [&sigint] { return sigint.isCancelled(); };

    QJsonObject json;
    json[QStringLiteral("data")] = parser.value(QStringLiteral("data"));
    json[QStringLiteral("data_hash")] = QString::fromStdString(data->contentHash());
    json[QStringLiteral("test_cells")] = int(testItems.size());
    json[QStringLiteral("repeats")] = repeats;
    json[QStringLiteral("budget_unit")] = byMinutes ? QStringLiteral("minutes") : QStringLiteral("steps");
    json[QStringLiteral("protocol")] = parser.value(QStringLiteral("protocol"));
    json[QStringLiteral("threads")] = engine::threadCount();
    json[QStringLiteral("recorded_only")] = recordedOnly;
    QJsonArray sizesJson;
    std::vector<evaluation::MeanSdSeries> series;
    for (const QString &role : roles) {
        evaluation::MeanSdSeries s;
        s.name = role.toStdString();
        s.rgb = role == QLatin1String("baseline") ? evaluation::kBaselineColour : evaluation::kDiffusionColour;
        series.push_back(s);
    }
    QString table;
    QTextStream rows(&table);
    QElapsedTimer total;
    total.start();
    for (std::size_t si = 0; si < sizesD.size(); ++si) {
        const int n = int(sizesD[si]);
        QJsonObject sizeJson;
        sizeJson[QStringLiteral("per_class")] = n;
        sizeJson[QStringLiteral("budget")] = budget[si];
        rows << "| " << n << " | " << budget[si] << " |";
        for (int ri = 0; ri < roles.size(); ++ri) {
            const QString &role = roles[ri];
            const bool baseline = role == QLatin1String("baseline");
            std::vector<double> values, trainSeconds;
            QJsonArray modelHashes;
            for (int r = 0; r < repeats; ++r) {
                // The same subset for both models of a repeat: the comparison
                // is paired.
                const auto subset = dataset::efficiencySubset(*data, n, r, seed);
                engine::TrainOptions train;
                const QString stem = QStringLiteral("%1_n%2_r%3").arg(role).arg(n).arg(r);
                train.outPath = dir->filePath(QStringLiteral("models/") + stem + QStringLiteral(".pt")).toStdString();
                train.checkpointPath = train.outPath + ".ckpt";
                if (byMinutes)
                    train.minutes = budget[si];
                else
                    train.steps = std::int64_t(budget[si]);
                train.seed = seed + std::uint64_t(r) + 1;
                train.batchSize = std::max(1, parser.value(QStringLiteral("batch")).toInt());
                train.learningRate = parser.value(QStringLiteral("lr")).toDouble();
                train.validateEverySeconds = 0;
                train.finalValidationCells = parser.value(QStringLiteral("validation-cells")).toInt();
                train.network.resolution = data->resolution;
                train.network.baseChannels = parser.value(baseline ? QStringLiteral("baseline-channels") : QStringLiteral("base-channels")).toInt();
                train.network.channelMults = intList(parser.value(baseline ? QStringLiteral("baseline-mults") : QStringLiteral("channel-mults")));
                train.network.resBlocks = baseline ? engine::baselineNetwork().resBlocks : engine::NetworkConfig{}.resBlocks;
                train.trainCommand = "cytodiff-cli evaluate-efficiency (" + stem.toStdString() + ")";
                const QJsonObject identity = resultIdentity(train, baseline, subset.contentHash(), byMinutes, budget[si], measurement);
                const QString resultPath = dir->filePath(QStringLiteral("results/") + stem + QStringLiteral(".json"));
                if (resume) {
                    if (const auto recorded = recordedResult(resultPath, identity, QString::fromStdString(train.outPath))) {
                        err() << "reusing the recorded result of " << stem << " (results/" << stem << ".json): balanced accuracy "
                              << studies::percent(recorded->balancedAccuracy) << "%\n";
                        values.push_back(recorded->balancedAccuracy);
                        trainSeconds.push_back(recorded->trainSeconds);
                        modelHashes.append(recorded->modelSha256);
                        continue;
                    }
                }
                if (recordedOnly) {
                    err() << "no recorded result of " << stem << " yet\n";
                    continue;
                }
                auto model = resume ? reusableModel(train, baseline, subset.contentHash(), byMinutes, budget[si], stem)
                                    : std::optional<engine::Model>{};
                double seconds = 0;
                if (model) {
                    err() << "reusing " << stem << " (trained on the same cells with the same budget)\n";
                    seconds = model->card().trainSeconds;
                } else {
                    const auto report = trainStudyModel(subset, train, baseline, resume, byMinutes, budget[si], stem, stop);
                    if (!report)
                        return kExitBadInput;
                    seconds = report->seconds;
                    auto trained = engine::Model::load(train.outPath);
                    if (!trained) {
                        err() << "error: " << QString::fromStdString(trained.error()) << "\n";
                        return kExitBadInput;
                    }
                    model = std::move(*trained);
                }
                const auto truthOf = [&](const QString &c) { return model->classIndex(c.toStdString()); };
                const auto outcomes = studies::classifyItems(*model, source, testItems, truthOf, options, seed, {}, stop,
                                                    terminalProgress(QStringLiteral("testing ") + stem));
                if (stop())
                    return kExitBadInput;
                values.push_back(studies::summarise(model->card().classNames, outcomes).balancedAccuracy());
                trainSeconds.push_back(seconds);
                modelHashes.append(QString::fromStdString(model->card().sha256));
                if (!recordResult(resultPath, identity, stem, model->card(), values.back(), seconds))
                    err() << "warning: cannot write " << resultPath << ": --resume will measure " << stem << " again\n";
                err() << stem << ": balanced accuracy " << studies::percent(values.back()) << "%\n";
            }
            QJsonObject m;
            QJsonArray v, t;
            for (double x : values)
                v.append(x);
            for (double x : trainSeconds)
                t.append(x);
            m[QStringLiteral("balanced_accuracy")] = v;
            if (values.empty()) {
                // Only with --recorded-only: nothing of this size and kind yet.
                sizeJson[role] = m;
                rows << " – (0 of " << repeats << ") |";
                continue;
            }
            m[QStringLiteral("mean")] = studies::mean(values);
            m[QStringLiteral("sd")] = studies::standardDeviation(values);
            m[QStringLiteral("train_seconds")] = t;
            m[QStringLiteral("model_sha256")] = modelHashes;
            sizeJson[role] = m;
            series[std::size_t(ri)].x.push_back(n);
            series[std::size_t(ri)].mean.push_back(studies::mean(values));
            series[std::size_t(ri)].sd.push_back(studies::standardDeviation(values));
            rows << " " << studies::percent(studies::mean(values)) << " ± " << studies::percent(studies::standardDeviation(values));
            if (int(values.size()) < repeats)
                rows << " (" << values.size() << " of " << repeats << ")";
            rows << " |";
        }
        rows << "\n";
        sizesJson.append(sizeJson);
    }
    json[QStringLiteral("sizes")] = sizesJson;
    json[QStringLiteral("seconds")] = total.elapsed() / 1000.0;
    writeChart(evaluation::meanSdChart("Low-data efficiency (mean ± SD, " + std::to_string(repeats) + " resamples)",
                                       "Training cells per class", "Balanced accuracy", series, true),
               *dir, QStringLiteral("efficiency.png"), json);

    QString md;
    QTextStream text(&md);
    text << "# Low-data efficiency\n\n";
    text << "Data " << parser.value(QStringLiteral("data")) << ", " << testItems.size() << " test cells; "
         << repeats << " resampled training sets per size; budget per model in "
         << (byMinutes ? "minutes" : "steps") << " (column 2), " << engine::threadCount() << " thread(s). "
         << "Balanced accuracy, mean ± SD (%)"
         << (recordedOnly ? " of the results recorded so far ((k of R): repeats measured)" : "")
         << ":\n\n| cells per class | budget |";
    for (const QString &role : roles)
        text << " " << role << " |";
    text << "\n|---|---|";
    for (int i = 0; i < roles.size(); ++i)
        text << "---|";
    text << "\n" << table;
    if (json.contains(QStringLiteral("plots")))
        text << "\n![efficiency.png](efficiency.png)\n";
    out() << md;
    return writeReport(*dir, QStringLiteral("efficiency"), json, md) ? kExitOk : kExitBadInput;
}

} // namespace cytodiff::cli
