#include "studyoptions.h"

#include "clistream.h"
#include "chartoutput.h"
#include "clisupport.h"
#include "commands.h"

#include "anomalyprofile.h"

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

std::variant<CardFitInputs, int> openCardFitInputs(const QCommandLineParser &parser, int perClass)
{
    const QString split = parser.value(QStringLiteral("split"));
    if (!studies::isSplitName(split)) {
        err() << "error: --split must be all, train, validation or test\n";
        return kExitUsage;
    }
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    auto model = engine::Model::load(parser.value(QStringLiteral("model")).toStdString());
    if (!model) {
        err() << "error: " << QString::fromStdString(model.error()) << "\n";
        return kExitBadInput;
    }
    auto source = studies::EvalSource::open(parser.value(QStringLiteral("data")));
    if (!source) {
        err() << "error: " << QString::fromStdString(source.error()) << "\n";
        return kExitBadInput;
    }
    QStringList unknown;
    auto cells = studies::selectItems(source->items(), split, perClass, [&](const studies::EvalItem &item) {
        if (model->classIndex(item.className.toStdString()) >= 0)
            return true;
        if (!unknown.contains(item.className))
            unknown.append(item.className);
        return false;
    });
    if (!unknown.isEmpty())
        err() << "not in the model, not used: " << unknown.join(QStringLiteral(", ")) << "\n";
    if (cells.isEmpty()) {
        err() << "error: no images of the model's classes in the " << split << " part of the data\n";
        return kExitBadInput;
    }
    return CardFitInputs{std::move(*model), std::move(*source), std::move(cells)};
}

bool reportWrittenModel(const Result<std::string> &sha, const QString &target)
{
    if (!sha) {
        err() << "error: " << QString::fromStdString(sha.error()) << "\n";
        return false;
    }
    out() << "wrote " << target << "\nsha256 " << QString::fromStdString(*sha) << "\n";
    return true;
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

void noteProfileProtocol(const engine::Model &model, const engine::ClassifyOptions &options)
{
    // The service's own rule (a CNN's one pass takes none of the options).
    const auto use = classify::profileUse(model, options);
    if (use.notice.empty())
        return;
    err() << "note: " << QString::fromStdString(use.notice)
          << " This run's Unidentified and review-queue shares are not the ones the application would show.\n";
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
