#include "studyoptions.h"

#include "clistream.h"
#include "chartoutput.h"
#include "clisupport.h"

#include <cstdio>
#include <memory>
#include <unistd.h>

namespace cytodiff::cli {

std::optional<StudyInputs> openStudyInputs(const QCommandLineParser &parser)
{
    auto dir = makeOutputDir(parser.value(QStringLiteral("out")));
    if (!dir) {
        err() << "error: " << QString::fromStdString(dir.error()) << "\n";
        return std::nullopt;
    }
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    auto source = studies::EvalSource::open(parser.value(QStringLiteral("data")));
    if (!source) {
        err() << "error: " << QString::fromStdString(source.error()) << "\n";
        return std::nullopt;
    }
    return StudyInputs{*dir, std::move(*source)};
}

QList<std::pair<QString, QString>> studyModels(const QCommandLineParser &parser)
{
    QList<std::pair<QString, QString>> models = {{QStringLiteral("diffusion"), parser.value(QStringLiteral("model"))}};
    if (parser.isSet(QStringLiteral("baseline")))
        models.append({QStringLiteral("baseline"), parser.value(QStringLiteral("baseline"))});
    return models;
}

void addEstimatorOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("protocol"), QStringLiteral("fast (default) or paper (the published estimator)."),
                      QStringLiteral("name"), QStringLiteral("fast")});
    parser.addOption({QStringLiteral("trials-min"), QStringLiteral("Trials before pruning starts."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("trials-max"), QStringLiteral("Most trials per cell."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("p-value"), QStringLiteral("Pruning threshold of the paired t-test (default 2e-3)."),
                      QStringLiteral("P")});
    parser.addOption({QStringLiteral("round"), QStringLiteral("Paired trials per network batch."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("t-min"), QStringLiteral("Smallest diffusion time."), QStringLiteral("t")});
    parser.addOption({QStringLiteral("t-max"), QStringLiteral("Largest diffusion time."), QStringLiteral("t")});
    parser.addOption({QStringLiteral("views"), QStringLiteral("Views the trials cycle through: 1 (the image as given) "
                                                              "or 8 (its flips and quarter turns)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("weighting"), QStringLiteral("Per-trial error scale: fitted, paper or uniform "
                                                                  "(default: fitted for fast, paper for paper)."),
                      QStringLiteral("name")});
}

engine::ClassifyOptions estimatorOptionsFrom(const QCommandLineParser &parser)
{
    engine::ClassifyOptions options;
    options.protocol = parser.value(QStringLiteral("protocol")) == QLatin1String("paper") ? engine::Protocol::Paper
                                                                                            : engine::Protocol::Fast;
    // Unset options keep the engine's "-1 = the protocol's default".
    const auto intOr = [&](const char *name, int fallback) {
        return parser.isSet(QLatin1String(name)) ? parser.value(QLatin1String(name)).toInt() : fallback;
    };
    const auto doubleOr = [&](const char *name, double fallback) {
        return parser.isSet(QLatin1String(name)) ? parser.value(QLatin1String(name)).toDouble() : fallback;
    };
    options.trialsMin = intOr("trials-min", options.trialsMin);
    options.trialsMax = intOr("trials-max", options.trialsMax);
    options.trialsPerRound = intOr("round", options.trialsPerRound);
    options.pValue = doubleOr("p-value", options.pValue);
    options.tMin = doubleOr("t-min", options.tMin);
    options.tMax = doubleOr("t-max", options.tMax);
    options.views = intOr("views", options.views);
    options.weighting = engine::weightingFromName(parser.value(QStringLiteral("weighting")).toStdString());
    return options;
}

void addClassifyOptions(QCommandLineParser &parser)
{
    addEstimatorOptions(parser);
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Intra-op threads (default 0 = all cores)."), QStringLiteral("T"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Random seed (default 0)."), QStringLiteral("S"), QStringLiteral("0")});
}

QCommandLineOption bf16Option()
{
    return {QStringLiteral("bf16"), QStringLiteral("Run the denoising network in bfloat16 on the CPU (a measurement; "
                                                   "not what the app does).")};
}

Result<void> applyNetworkPrecision(const QCommandLineParser &parser, engine::Model &model)
{
    if (!parser.isSet(QStringLiteral("bf16")))
        return {};
    return model.setNetworkPrecision(engine::NetworkPrecision::BFloat16);
}

studies::ItemProgress terminalProgress(const QString &label)
{
    studies::ItemProgress progress;
    progress.skipped = [](const QString &message) { err() << message << "\n"; };
    if (isatty(fileno(stderr))) {
        progress.classified = [label](int done, int total, int correct) {
            err() << "\r" << label << " " << done << "/" << total << "  correct " << correct << "   ";
            if (done == total)
                err() << "\n";
        };
    }
    return progress;
}

} // namespace cytodiff::cli
