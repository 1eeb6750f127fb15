// cytodiff-cli crossval-predict: K-fold cross-validated predictions for the
// label audit (the paper trained 3 models so that every labelled image got
// a prediction from a model that never saw it). Cells with a consensus
// label are split into K folds by a hash of their id; the common subset
// (labelled by everyone) always trains and is never predicted, as in the
// paper. Each held-out prediction is stored with model id
// "crossval:<run>:fold<i>of<K>:<model id>".

#include "commands.h"

#include "clistream.h"
#include "classificationservice.h"
#include "clisupport.h"
#include "database.h"
#include "engine.h"
#include "imageio.h"
#include "labelaudit.h"
#include "labelledset.h"
#include "labellinganalysis.h"
#include "trainer.h"

#include <QDateTime>
#include <QDir>
#include <QSet>
#include <QTemporaryDir>

namespace cytodiff::cli {
namespace {

quint64 foldHash(qint64 cellId)
{
    quint64 value = quint64(cellId) + 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

} // namespace

int runCrossvalPredict(const QStringList &args)
{
    const QString command = args.value(0, QStringLiteral("cytodiff-cli"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Train K models on the consensus labels of K-1 folds each and store every held-out cell's "
                       "prediction (model id crossval:...), for 'cytodiff-cli audit queue'."));
    const QCommandLineOption dbOption = databaseOption();
    parser.addOption(dbOption);
    const engine::TrainOptions defaults;
    const QString mults = QString::fromStdString(engine::joinChannelMults(defaults.network.channelMults));
    const QList<QCommandLineOption> options = {
        {QStringLiteral("folds"), QStringLiteral("Number of folds (default 3, as in the paper)."), QStringLiteral("K"), QStringLiteral("3")},
        {QStringLiteral("minutes"), QStringLiteral("Training budget per fold in minutes."), QStringLiteral("N")},
        {QStringLiteral("steps"), QStringLiteral("Training budget per fold in steps."), QStringLiteral("N")},
        {QStringLiteral("resolution"), QStringLiteral("Network input size in pixels (default 48)."), QStringLiteral("px"), QStringLiteral("48")},
        {QStringLiteral("crop"), QStringLiteral("Centre crop in source pixels (default 288)."), QStringLiteral("px"), QStringLiteral("288")},
        {QStringLiteral("batch"), QStringLiteral("Batch size (default %1).").arg(defaults.batchSize), QStringLiteral("B"), QString::number(defaults.batchSize)},
        {QStringLiteral("base-channels"), QStringLiteral("Network width (default %1).").arg(defaults.network.baseChannels), QStringLiteral("C"), QString::number(defaults.network.baseChannels)},
        {QStringLiteral("channel-mults"), QStringLiteral("Width multipliers per level (default %1).").arg(mults), QStringLiteral("list"), mults},
        {QStringLiteral("trials-max"), QStringLiteral("Classifier trial cap (default: fast protocol)."), QStringLiteral("N"), QStringLiteral("-1")},
        {QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."), QStringLiteral("S"), QStringLiteral("1")},
        {QStringLiteral("threads"), QStringLiteral("Intra-op threads (default: LibTorch's choice)."), QStringLiteral("T"), QStringLiteral("0")},
        {QStringLiteral("models-dir"), QStringLiteral("Keep the fold models here (default: a temporary folder)."), QStringLiteral("dir")},
    };
    parser.addOptions(options);
    if (auto stop = parseArguments(parser, args, 0, 0))
        return *stop;
    const int folds = parser.value(QStringLiteral("folds")).toInt();
    if (folds < 2) {
        printError(command, QStringLiteral("--folds needs 2 or more"));
        return kExitUsage;
    }
    if (!parser.isSet(QStringLiteral("minutes")) && !parser.isSet(QStringLiteral("steps"))) {
        printError(command, QStringLiteral("give a training budget per fold: --minutes N or --steps N"));
        return kExitUsage;
    }
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    auto db = openDatabaseFromOption(parser.value(dbOption));
    if (!db) {
        printError(command, db.error());
        return kExitBadInput;
    }
    if (auto writable = db->ensureWritable(); !writable) {
        printError(command, writable.error());
        return kExitBadInput;
    }
    auto labelled = dataset::consensusLabels(*db);
    if (!labelled) {
        printError(command, labelled.error());
        return kExitBadInput;
    }
    auto common = db->commonCells();
    if (!common) {
        printError(command, common.error());
        return kExitBadInput;
    }
    const QSet<qint64> commonSet(common->begin(), common->end());

    QTemporaryDir temporary;
    const QString modelsDir = parser.isSet(QStringLiteral("models-dir")) ? parser.value(QStringLiteral("models-dir"))
                                                                         : temporary.path();
    if (!QDir().mkpath(modelsDir)) {
        printError(command, QStringLiteral("cannot create '%1'").arg(modelsDir));
        return kExitBadInput;
    }
    const QString run = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmss"));
    const int resolution = parser.value(QStringLiteral("resolution")).toInt();
    const int crop = parser.value(QStringLiteral("crop")).toInt();
    int stored = 0;
    for (int fold = 0; fold < folds; ++fold) {
        QList<dataset::CellLabel> train, heldOut;
        for (const dataset::CellLabel &cell : *labelled) {
            const bool isHeldOut = !commonSet.contains(cell.cellId) && int(foldHash(cell.cellId) % quint64(folds)) == fold;
            (isHeldOut ? heldOut : train).append(cell);
        }
        err() << "fold " << fold + 1 << "/" << folds << ": training on " << train.size() << " cells, predicting "
              << heldOut.size() << "\n";
        if (heldOut.isEmpty())
            continue;
        QStringList skipped;
        auto data = dataset::buildTrainingDataFromCells(*db, train, resolution, crop, {}, &skipped);
        if (!data) {
            printError(command, data.error());
            return kExitBadInput;
        }
        // A rare class (one or two cells) can land wholly in the validation
        // or test part of the stratified split; the trainer needs every
        // class in training, and the fold model's own test part is unused.
        for (std::size_t c = 0; c < data->classNames.size(); ++c) {
            bool trains = false;
            for (std::size_t i = 0; i < data->size(); ++i)
                trains = trains || (data->labels[i] == int(c) && data->splits[i] == engine::Split::Train);
            for (std::size_t i = 0; i < data->size() && !trains; ++i)
                if (data->labels[i] == int(c))
                    data->splits[i] = engine::Split::Train;
        }
        engine::TrainOptions options;
        options.outPath = QDir(modelsDir).filePath(QStringLiteral("crossval-fold%1of%2.pt").arg(fold + 1).arg(folds)).toStdString();
        options.minutes = parser.value(QStringLiteral("minutes")).toDouble();
        options.steps = parser.value(QStringLiteral("steps")).toLongLong();
        options.seed = parser.value(QStringLiteral("seed")).toULongLong() + quint64(fold);
        options.batchSize = std::max(1, parser.value(QStringLiteral("batch")).toInt());
        options.network.baseChannels = parser.value(QStringLiteral("base-channels")).toInt();
        options.network.resolution = resolution;
        options.network.channelMults.clear();
        for (const QString &part : parser.value(QStringLiteral("channel-mults")).split(QLatin1Char(','), Qt::SkipEmptyParts))
            options.network.channelMults.push_back(part.trimmed().toInt());
        options.validateEverySeconds = 0;
        options.finalValidationCells = std::min(50, int(data->size()));
        options.trainCommand = "cytodiff-cli crossval-predict fold " + std::to_string(fold + 1);
        auto report = engine::trainDiffusion(*data, options, [](const engine::TrainProgress &) {});
        if (!report) {
            printError(command, QStringLiteral("fold %1: %2").arg(fold + 1).arg(QString::fromStdString(report.error())));
            return kExitBadInput;
        }
        auto model = engine::Model::load(options.outPath);
        if (!model) {
            printError(command, model.error());
            return kExitBadInput;
        }
        const QString modelId = QStringLiteral("%1%2:fold%3of%4:%5")
                                    .arg(QString::fromLatin1(labelling::kCrossValPrefix), run)
                                    .arg(fold + 1)
                                    .arg(folds)
                                    .arg(QString::fromStdString(model->card().modelId()));
        engine::ClassifyOptions classifyOptions;
        classifyOptions.trialsMax = parser.value(QStringLiteral("trials-max")).toInt();
        if (classifyOptions.trialsMax > 0)
            classifyOptions.trialsMin = std::min(classifyOptions.trialsMax, 4);
        // The fold's model under a name of its own (so its calls never mix
        // with a shipped model's), through the one classification path.
        const classify::ClassificationService service(&*model, nullptr, classifyOptions);
        for (const dataset::CellLabel &cell : heldOut) {
            auto bytes = db->cellImage(cell.cellId);
            if (!bytes)
                continue;
            auto call = service.classifyImage(std::string_view(bytes->constData(), std::size_t(bytes->size())));
            if (!call) {
                err() << "skipped cell " << cell.cellId << ": " << QString::fromStdString(call.error()) << "\n";
                continue;
            }
            auto id = db->insertPrediction(cell.cellId, modelId, call->predictedClass, call->confidence, call->anomaly,
                                           call->scores, call->result.nfe);
            if (!id) {
                printError(command, id.error());
                return kExitBadInput;
            }
            ++stored;
        }
    }
    out() << "stored " << stored << " cross-validated predictions (" << folds << " folds, run " << run
          << "); next: cytodiff-cli audit queue\n";
    return kExitOk;
}

} // namespace cytodiff::cli
