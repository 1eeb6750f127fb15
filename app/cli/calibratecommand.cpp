// cytodiff-cli calibrate: fits the per-class error offsets of a diffusion
// model on labelled validation cells and writes a calibrated copy.
#include "commands.h"

#include "clistream.h"
#include "clisupport.h"

#include "classoffsets.h"
#include "domaincheck.h"
#include "engine.h"
#include "imageio.h"
#include "studyoptions.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <cstdio>
#include <unistd.h>

namespace cytodiff::cli {

namespace {

void addCalibrateOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Fit per-class error offsets of a diffusion model on labelled cells (by default the validation part of the "
        "training split) and write a calibrated copy of the model. Never calibrate on the test part."));
    parser.addOption({QStringLiteral("model"), QStringLiteral("Diffusion model file."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("data"), QStringLiteral("Labelled folder (one sub-folder per class) or .cdpack file."),
                      QStringLiteral("path")});
    parser.addOption({QStringLiteral("split"), QStringLiteral("all, train, validation or test (default validation)."),
                      QStringLiteral("part"), QStringLiteral("validation")});
    parser.addOption({QStringLiteral("per-class"), QStringLiteral("Cells per class (default 50)."), QStringLiteral("N"), QStringLiteral("50")});
    parser.addOption({QStringLiteral("trials"), QStringLiteral("Paired trials per cell, no pruning (default 16)."),
                      QStringLiteral("N"), QStringLiteral("16")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Intra-op threads (default 0 = all cores)."), QStringLiteral("T"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Random seed (default 0)."), QStringLiteral("S"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Calibrated model file to write (may be --model itself)."), QStringLiteral("file")});
}

} // namespace

int runCalibrate(const QStringList &args)
{
    QCommandLineParser parser;
    addCalibrateOptions(parser);
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data")) || !parser.isSet(QStringLiteral("out"))) {
        err() << "usage: cytodiff-cli calibrate --model M --data <labelled folder> --out calibrated.pt "
                 "[--split validation] [--per-class 50] [--trials 16]\n";
        return kExitUsage;
    }
    const QString split = parser.value(QStringLiteral("split"));
    const int trials = parser.value(QStringLiteral("trials")).toInt();
    const int perClass = parser.value(QStringLiteral("per-class")).toInt();
    if (trials < 2 || perClass < 0) {
        err() << "error: --trials must be at least 2 and --per-class not negative\n";
        return kExitUsage;
    }
    auto opened = openCardFitInputs(parser, perClass);
    if (const int *code = std::get_if<int>(&opened))
        return *code;
    auto &[loaded, source, cells] = std::get<CardFitInputs>(opened);
    const engine::Model *model = &loaded;
    const QString modelPath = parser.value(QStringLiteral("model"));
    if (!model->isDiffusion()) {
        err() << "error: class offsets apply to diffusion models; " << modelPath << " is a discriminative baseline\n";
        return kExitBadInput;
    }

    const auto seed = parser.value(QStringLiteral("seed")).toULongLong();
    SigintCancel sigint;
    const auto stop = [&sigint] { return sigint.isCancelled(); };
    studies::ItemProgress progress;
    progress.skipped = [](const QString &message) { err() << message << "\n"; };
    if (isatty(fileno(stderr)))
        progress.classified = [](int done, int total, int) {
            err() << "\rscored " << done << "/" << total << "   ";
            if (done == total)
                err() << "\n";
        };
    const auto scored = studies::scoreUnpruned(*model, source, cells, trials, seed, stop, progress);
    if (stop()) {
        err() << "error: cancelled; no model written\n";
        return kExitBadInput;
    }
    auto fit = engine::fitClassOffsets(scored.errors, scored.labels, model->numClasses());
    if (!fit) {
        err() << "error: " << QString::fromStdString(fit.error()) << "\n";
        return kExitBadInput;
    }
    const auto &names = model->card().classNames;
    out() << "class offsets fitted on " << fit->cells << " cells (" << split << " part, " << trials
          << " paired trials each):\n";
    for (std::size_t c = 0; c < names.size(); ++c)
        out() << "  " << QString::fromStdString(names[c]) << "  " << QString::number(fit->offsets[c], 'f', 4) << "\n";
    out() << "balanced accuracy on these cells without pruning: " << QString::number(100 * fit->balancedBefore, 'f', 1)
          << "% -> " << QString::number(100 * fit->balancedAfter, 'f', 1) << "%\n";
    out() << "score temperature (display probabilities): " << QString::number(fit->temperature, 'g', 4) << "\n";

    const QString calibration = QStringLiteral("cytodiff-cli calibrate --data %1 --split %2 --per-class %3 --trials %4 "
                                               "--seed %5: %6 cells, balanced accuracy %7 -> %8 (unpruned)")
                                    .arg(QFileInfo(parser.value(QStringLiteral("data"))).fileName(), split)
                                    .arg(perClass)
                                    .arg(trials)
                                    .arg(seed)
                                    .arg(fit->cells)
                                    .arg(fit->balancedBefore, 0, 'f', 4)
                                    .arg(fit->balancedAfter, 0, 'f', 4);
    const QString target = parser.value(QStringLiteral("out"));
    const auto reference = domain::withoutStaleFigures(model->card().domainReference, domain::CallsChange::ClassErrors);
    auto sha = engine::writeModelWithOffsets(modelPath.toStdString(), target.toStdString(), fit->offsets,
                                             calibration.toStdString(), fit->temperature,
                                             [&](engine::ModelCard &card) { card.domainReference = reference.json; });
    if (!reportWrittenModel(sha, target))
        return kExitBadInput;
    if (!model->card().anomalyProfile.empty())
        out() << "note: the card's error profile described calls with the old offsets and was removed; run "
                 "`cytodiff-cli anomaly-profile` (then `domain-reference`) on " << target << " again\n";
    if (reference.removedFigures)
        out() << "note: the domain reference's effort and unidentified share were measured with the old offsets "
                 "and were removed (its image ranges stay); run `cytodiff-cli domain-reference` on "
              << target << " again to measure them\n";
    return kExitOk;
}

} // namespace cytodiff::cli
