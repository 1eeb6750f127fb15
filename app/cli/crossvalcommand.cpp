// cytodiff-cli crossval-predict: K-fold cross-validated predictions for the
// label audit (core/studies/crossvalstudy.h says how the folds are made).

#include "commands.h"

#include "clistream.h"
#include "clisupport.h"
#include "crossvalstudy.h"
#include "database.h"
#include "trainer.h"

#include <QDateTime>
#include <QDir>
#include <QTemporaryDir>

#include <algorithm>

namespace cytodiff::cli {

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
    auto db = openDatabaseOrReport(command, parser.value(dbOption));
    if (!db)
        return kExitBadInput;
    QTemporaryDir temporary;
    studies::CrossvalOptions study;
    study.folds = folds;
    study.modelsDir = parser.isSet(QStringLiteral("models-dir")) ? parser.value(QStringLiteral("models-dir")) : temporary.path();
    if (!QDir().mkpath(study.modelsDir)) {
        printError(command, QStringLiteral("cannot create '%1'").arg(study.modelsDir));
        return kExitBadInput;
    }
    study.run = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmss"));
    study.cropSize = parser.value(QStringLiteral("crop")).toInt();
    study.trialsMax = parser.value(QStringLiteral("trials-max")).toInt();
    engine::TrainOptions &train = study.train;
    train.minutes = parser.value(QStringLiteral("minutes")).toDouble();
    train.steps = parser.value(QStringLiteral("steps")).toLongLong();
    train.seed = parser.value(QStringLiteral("seed")).toULongLong();
    train.batchSize = std::max(1, parser.value(QStringLiteral("batch")).toInt());
    train.network.baseChannels = parser.value(QStringLiteral("base-channels")).toInt();
    train.network.resolution = parser.value(QStringLiteral("resolution")).toInt();
    train.network.channelMults.clear();
    for (const QString &part : parser.value(QStringLiteral("channel-mults")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        train.network.channelMults.push_back(part.trimmed().toInt());
    const auto summary = studies::runCrossvalPredictions(*db, study, [](const QString &message) { err() << message << "\n"; });
    if (!summary) {
        printError(command, summary.error());
        return kExitBadInput;
    }
    out() << "stored " << summary->stored << " cross-validated predictions (" << folds << " folds, run " << study.run
          << "); next: cytodiff-cli audit queue\n";
    return kExitOk;
}

} // namespace cytodiff::cli
