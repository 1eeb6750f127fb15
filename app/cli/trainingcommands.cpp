// cytodiff-cli pack and train.
#include "commands.h"

#include "clistream.h"
#include "clisupport.h"

#include "labelledset.h"
#include "trainer.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace cytodiff::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int) { g_interrupted = 1; }

QString formatSeconds(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("?");
    const int s = int(seconds);
    return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

void addDataOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("resolution"), QStringLiteral("Network input size in pixels (default 48)."),
                      QStringLiteral("px"), QStringLiteral("48")});
    parser.addOption({QStringLiteral("crop"), QStringLiteral("Centre crop in source pixels before resizing (default 288)."),
                      QStringLiteral("px"), QStringLiteral("288")});
    parser.addOption({QStringLiteral("labels"),
                      QStringLiteral("With a workspace database: 'import' (the cells' own class, default) or "
                                     "'consensus' (the experts' consensus label from labelling sessions)."),
                      QStringLiteral("source"), QStringLiteral("import")});
}

Result<engine::TrainingData> loadData(const QString &source, const QCommandLineParser &parser)
{
    QStringList skipped;
    QElapsedTimer timer;
    timer.start();
    const QString labels = parser.value(QStringLiteral("labels"));
    if (labels != QLatin1String("import") && labels != QLatin1String("consensus"))
        return makeError("--labels takes 'import' or 'consensus', not '" + labels.toStdString() + "'");
    const QFileInfo info(source);
    if (labels == QLatin1String("consensus") && (info.isDir() || source.endsWith(QLatin1String(".cdpack"))))
        return makeError("--labels consensus needs a workspace database as --data");
    auto data = dataset::loadTrainingData(
        source, parser.value(QStringLiteral("resolution")).toInt(), parser.value(QStringLiteral("crop")).toInt(),
        [](int done, int total) {
            if (isatty(fileno(stderr)))
                err() << "\rloading images " << done << "/" << total ;
        },
        &skipped, labels == QLatin1String("consensus") ? dataset::LabelSource::Consensus : dataset::LabelSource::Import);
    if (isatty(fileno(stderr)))
        err() << "\n";
    for (const QString &line : skipped)
        err() << "skipped " << line << "\n";
    if (data)
        err() << "loaded " << data->size() << " images of " << data->classNames.size() << " classes in "
              << QString::number(timer.elapsed() / 1000.0, 'f', 1) << " s\n";
    return data;
}

std::vector<int> parseIntList(const QString &text)
{
    std::vector<int> values;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        values.push_back(part.trimmed().toInt());
    return values;
}

} // namespace

int runPack(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Pack a labelled folder (one sub-folder per class) into one "
                                                    "training file the engine reads without OpenCV."));
    parser.addPositionalArgument(QStringLiteral("folder"), QStringLiteral("Labelled folder or workspace database."));
    parser.addOption({QStringLiteral("out"), QStringLiteral("Output .cdpack file."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("split-list"), QStringLiteral("Also write the train/validation/test split as a CSV "
                                                                   "of file names (no images)."), QStringLiteral("file")});
    addDataOptions(parser);
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    if (parser.positionalArguments().size() != 1 || !parser.isSet(QStringLiteral("out"))) {
        err() << "usage: cytodiff-cli pack <folder> --out data.cdpack [--resolution 48] [--crop 288]\n";
        return kExitUsage;
    }
    auto data = loadData(parser.positionalArguments().first(), parser);
    if (!data) {
        err() << "error: " << QString::fromStdString(data.error()) << "\n";
        return kExitBadInput;
    }
    auto saved = engine::savePack(parser.value(QStringLiteral("out")).toStdString(), *data);
    if (!saved) {
        err() << "error: " << QString::fromStdString(saved.error()) << "\n";
        return kExitBadInput;
    }
    if (parser.isSet(QStringLiteral("split-list"))) {
        QFile list(parser.value(QStringLiteral("split-list")));
        if (!list.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
            err() << "error: cannot write " << list.fileName() << "\n";
            return kExitBadInput;
        }
        QTextStream csv(&list);
        csv << "file,class,split\n";
        static const char *kSplitNames[] = {"train", "validation", "test"};
        for (std::size_t i = 0; i < data->size(); ++i)
            csv << QString::fromStdString(data->names[i]) << ',' << QString::fromStdString(data->classNames[data->labels[i]])
                << ',' << kSplitNames[int(data->splits[i])] << '\n';
    }
    out() << "packed " << data->size() << " images (" << data->classNames.size() << " classes, "
                        << data->resolution << " px) into " << parser.value(QStringLiteral("out")) << "\n"
                        << "data hash " << QString::fromStdString(data->contentHash()) << "\n";
    return kExitOk;
}

namespace {

namespace {

void addTrainingOptions(QCommandLineParser &parser, bool baseline)
{
    parser.setApplicationDescription(baseline
        ? QStringLiteral("Train the discriminative baseline (a ResNet-18-like CNN from scratch) with the same data, "
                         "augmentation and budget as the diffusion model; `classify` accepts the result.")
        : QStringLiteral("Train a class-conditional diffusion model."));
    // Defaults from the engine's own option and network structs, so every
    // command trains the same network unless told otherwise.
    const engine::TrainOptions defaults;
    const engine::NetworkConfig network = baseline ? engine::baselineNetwork() : engine::NetworkConfig{};
    const QString mults = QString::fromStdString(engine::joinChannelMults(network.channelMults));
    const QList<QCommandLineOption> options = {
        {QStringLiteral("data"), QStringLiteral("Labelled folder, .cdpack file or workspace database."), QStringLiteral("path")},
        {QStringLiteral("out"), QStringLiteral("Output model file."), QStringLiteral("file")},
        {QStringLiteral("minutes"), QStringLiteral("Wall-clock training budget."), QStringLiteral("N")},
        {QStringLiteral("steps"), QStringLiteral("Step budget (deterministic for a seed on CPU)."), QStringLiteral("N")},
        {QStringLiteral("resume"), QStringLiteral("Continue from a checkpoint."), QStringLiteral("ckpt")},
        {QStringLiteral("checkpoint"), QStringLiteral("Checkpoint path (default <out>.ckpt)."), QStringLiteral("file")},
        {QStringLiteral("compact-checkpoint"), QStringLiteral("Also write a compact checkpoint (float16 weights, no optimiser state) at each checkpoint, small enough to commit; --resume takes it."), QStringLiteral("file")},
        {QStringLiteral("classes"), QStringLiteral("Train on these classes only (comma separated)."), QStringLiteral("a,b")},
        {QStringLiteral("exclude-class"), QStringLiteral("Leave one class out (anomaly studies)."), QStringLiteral("class")},
        {QStringLiteral("per-class"), QStringLiteral("At most N training images per class."), QStringLiteral("N")},
        {QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."), QStringLiteral("S"), QStringLiteral("1")},
        {QStringLiteral("device"), QStringLiteral("cpu or cuda (default cpu)."), QStringLiteral("dev"), QStringLiteral("cpu")},
        {QStringLiteral("threads"), QStringLiteral("Intra-op threads (default: LibTorch's choice)."), QStringLiteral("T"), QStringLiteral("0")},
        {QStringLiteral("batch"), QStringLiteral("Batch size (default %1).").arg(defaults.batchSize), QStringLiteral("B"), QString::number(defaults.batchSize)},
        {QStringLiteral("lr"), QStringLiteral("Peak learning rate (default %1).").arg(defaults.learningRate), QStringLiteral("x"), QString::number(defaults.learningRate)},
        {QStringLiteral("base-channels"), QStringLiteral("Network width (default %1).").arg(network.baseChannels), QStringLiteral("C"), QString::number(network.baseChannels)},
        {QStringLiteral("channel-mults"), QStringLiteral("Width multipliers per level (default %1).").arg(mults), QStringLiteral("list"), mults},
        {QStringLiteral("res-blocks"), QStringLiteral("Residual blocks per level (default %1).").arg(network.resBlocks), QStringLiteral("N"), QString::number(network.resBlocks)},
        {QStringLiteral("no-augment"), QStringLiteral("Disable augmentation.")},
        {QStringLiteral("final-validation"), QStringLiteral("Validation cells classified after training (default %1).").arg(defaults.finalValidationCells), QStringLiteral("N"), QString::number(defaults.finalValidationCells)},
        {QStringLiteral("validate-every"), QStringLiteral("Seconds between quick validations (default %1, 0 = off).").arg(defaults.validateEverySeconds), QStringLiteral("s"), QString::number(defaults.validateEverySeconds)},
    };
    parser.addOptions(options);
    addDataOptions(parser);
}

} // namespace

int runTraining(const QStringList &args, bool baseline)
{
    QCommandLineParser parser;
    addTrainingOptions(parser, baseline);
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    if (!parser.isSet(QStringLiteral("data")) || !parser.isSet(QStringLiteral("out"))
        || (!parser.isSet(QStringLiteral("minutes")) && !parser.isSet(QStringLiteral("steps")))) {
        err() << "usage: cytodiff-cli " << (baseline ? "train-baseline" : "train") << " --data <folder|pack|db> --out model.pt (--minutes N | --steps N) [options]\n";
        return kExitUsage;
    }
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());

    auto loaded = loadData(parser.value(QStringLiteral("data")), parser);
    if (!loaded) {
        err() << "error: " << QString::fromStdString(loaded.error()) << "\n";
        return kExitBadInput;
    }
    std::vector<std::string> keep;
    for (const QString &c : parser.value(QStringLiteral("classes")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        keep.push_back(c.trimmed().toStdString());
    auto data = engine::selectClasses(*loaded, keep, parser.value(QStringLiteral("exclude-class")).toStdString(),
                                      parser.value(QStringLiteral("per-class")).toInt());
    if (!data) {
        err() << "error: " << QString::fromStdString(data.error()) << "\n";
        return kExitBadInput;
    }

    engine::TrainOptions train;
    train.outPath = parser.value(QStringLiteral("out")).toStdString();
    train.resumePath = parser.value(QStringLiteral("resume")).toStdString();
    train.checkpointPath = parser.value(QStringLiteral("checkpoint")).toStdString();
    train.compactCheckpointPath = parser.value(QStringLiteral("compact-checkpoint")).toStdString();
    train.minutes = parser.value(QStringLiteral("minutes")).toDouble();
    train.steps = parser.value(QStringLiteral("steps")).toLongLong();
    train.seed = parser.value(QStringLiteral("seed")).toULongLong();
    train.device = parser.value(QStringLiteral("device")).toStdString();
    train.batchSize = std::max(1, parser.value(QStringLiteral("batch")).toInt());
    train.learningRate = parser.value(QStringLiteral("lr")).toDouble();
    train.augment = !parser.isSet(QStringLiteral("no-augment"));
    train.validateEverySeconds = parser.value(QStringLiteral("validate-every")).toDouble();
    train.finalValidationCells = parser.value(QStringLiteral("final-validation")).toInt();
    train.network.baseChannels = parser.value(QStringLiteral("base-channels")).toInt();
    train.network.channelMults = parseIntList(parser.value(QStringLiteral("channel-mults")));
    train.network.resBlocks = std::max(1, parser.value(QStringLiteral("res-blocks")).toInt());
    QStringList command = args.mid(1);
    command.prepend(baseline ? QStringLiteral("cytodiff-cli train-baseline") : QStringLiteral("cytodiff-cli train"));
    train.trainCommand = command.join(QLatin1Char(' ')).toStdString();

    train.network.resolution = data->resolution;
    int trainCount = 0;
    for (auto s : data->splits)
        trainCount += s == engine::Split::Train;
    err() << "training on " << trainCount << " images, " << data->classNames.size() << " classes ("
          << QString::fromStdString(train.network.describe()) << "), " << engine::threadCount() << " thread(s)\n";

    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    auto report = (baseline ? engine::trainBaseline : engine::trainDiffusion)(
        *data, train,
        [](const engine::TrainProgress &p) {
            if (!p.message.empty()) {
                err() << "\n[" << formatSeconds(p.elapsedSeconds) << "] step " << p.step << ": "
                      << QString::fromStdString(p.message) << "\n";
            } else {
                err() << "step " << p.step << (p.totalSteps > 0 ? QStringLiteral("/%1").arg(p.totalSteps) : QString())
                      << "  loss " << QString::number(p.loss, 'f', 4) << "  lr " << QString::number(p.learningRate, 'g', 3)
                      << "  elapsed " << formatSeconds(p.elapsedSeconds) << "  eta " << formatSeconds(p.etaSeconds)
                      << "\n";
            }
            },
        [] { return g_interrupted != 0; });
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (!report) {
        err() << "error: " << QString::fromStdString(report.error()) << "\n";
        return kExitBadInput;
    }
    out() << "wrote " << parser.value(QStringLiteral("out")) << " after " << report->steps << " steps in "
                        << formatSeconds(report->seconds) << "\n"
                        << "sha256 " << QString::fromStdString(report->card.sha256) << "\n"
                        << QString::fromStdString(report->card.metrics) << "\n";
    return kExitOk;
}

} // namespace

int runTrain(const QStringList &args) { return runTraining(args, false); }
int runTrainBaseline(const QStringList &args) { return runTraining(args, true); }

} // namespace cytodiff::cli
