// cytodiff-cli domain-reference: measures what a model's training images
// look like and writes the reference into (a copy of) the model's card, so
// that import, classify and the GUI can tell a case from elsewhere.
#include "commands.h"

#include "clistream.h"
#include "clisupport.h"

#include "classificationservice.h"
#include "domaincheck.h"
#include "engine.h"
#include "studyoptions.h"
#include "imageio.h"
#include "imagestats.h"

#include <QCommandLineParser>
#include <QElapsedTimer>

#include <cstdio>

namespace cytodiff::cli {
namespace {

int failWith(const QString &message)
{
    err() << "error: " << message << "\n";
    return kExitBadInput;
}

// The classifier's effort and unidentified share on held-out cells of the
// training data: what a case from the same laboratory looks like to it.
Result<void> measureEffort(const engine::Model &model, const studies::EvalSource &source, int perClass,
                           domain::DomainReference &reference)
{
    const auto cells = studies::selectItems(source.items(), QStringLiteral("validation"), perClass, [&](const studies::EvalItem &item) {
        return model.classIndex(item.className.toStdString()) >= 0;
    });
    const classify::ClassificationService service(&model, nullptr);
    double evaluations = 0;
    int unidentified = 0, done = 0;
    for (const studies::EvalItem &item : cells) {
        auto bytes = imaging::readFile(item.path.toStdString());
        if (!bytes)
            return makeError(bytes.error());
        auto call = service.classifyImage(*bytes);
        if (!call)
            return makeError(item.name.toStdString() + ": " + call.error());
        evaluations += call->result.nfe;
        unidentified += review::ReviewThresholds{}.flagsUnidentified(call->anomaly) ? 1 : 0;
        if (++done % 20 == 0)
            err() << "\rclassified " << done << "/" << cells.size() << Qt::flush;
    }
    err() << "\n";
    if (done == 0)
        return makeError("No validation cells of the model's classes to measure its effort on.");
    reference.effortCells = done;
    reference.effortMean = evaluations / done;
    reference.unidentifiedShare = double(unidentified) / done;
    return {};
}

} // namespace

int runDomainReference(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measure the model's training images (size, cell scale, framing, background, stain, focus) and, for a "
        "diffusion model, its effort on validation cells; write the reference into a copy of the model's card. "
        "Cases unlike it are flagged at import, in classify and in the GUI."));
    parser.addOption({QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("data"), QStringLiteral("The labelled image folder the model was trained on."),
                      QStringLiteral("folder")});
    parser.addOption({QStringLiteral("per-class"), QStringLiteral("Training images per class to measure (default 0 = all)."),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("effort-per-class"),
                      QStringLiteral("Validation cells per class classified for the effort figures (default 12; 0 = none)."),
                      QStringLiteral("N"), QStringLiteral("12")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Intra-op threads (default 0 = all cores)."),
                      QStringLiteral("T"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Model file to write (may be --model itself)."), QStringLiteral("file")});
    if (auto stop = parseArguments(parser, args, 0, 0))
        return *stop;
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data")) || !parser.isSet(QStringLiteral("out"))) {
        err() << "usage: cytodiff-cli domain-reference --model M --data <training image folder> --out M2 "
                 "[--per-class 0] [--effort-per-class 12]\n";
        return kExitUsage;
    }
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    const QString modelPath = parser.value(QStringLiteral("model"));
    auto model = engine::Model::load(modelPath.toStdString());
    if (!model)
        return failWith(QString::fromStdString(model.error()));
    auto source = studies::EvalSource::open(parser.value(QStringLiteral("data")));
    if (!source)
        return failWith(QString::fromStdString(source.error()));
    // The model's classes only: a model trained without a class never saw
    // its images (the anomaly models), so they are not its domain.
    const auto training = studies::selectItems(source->items(), QStringLiteral("train"),
                                      parser.value(QStringLiteral("per-class")).toInt(), [&](const studies::EvalItem &item) {
                                          return model->classIndex(item.className.toStdString()) >= 0;
                                      });
    if (training.isEmpty() || training.first().path.isEmpty())
        return failWith(QStringLiteral("The reference is measured on the source images: give the image folder, not a pack."));

    // The effort is measured with the card's own calls, which a damaged
    // error profile refuses: said before the images take their minutes.
    const int effortPerClass = parser.value(QStringLiteral("effort-per-class")).toInt();
    if (model->isDiffusion() && effortPerClass > 0)
        if (auto damaged = classify::ClassificationService(&*model, nullptr).profileError())
            return failWith(QString::fromStdString(*damaged) + QStringLiteral(" (no image measured)"));

    QElapsedTimer timer;
    timer.start();
    std::vector<imaging::ImageStats> measured;
    int seen = 0;
    for (const studies::EvalItem &item : training) {
        auto bytes = imaging::readFile(item.path.toStdString());
        auto stats = bytes ? imaging::measureImage(*bytes) : Result<imaging::ImageStats>(makeError(bytes.error()));
        if (!stats)
            err() << "skipped " << item.path << ": " << QString::fromStdString(stats.error()) << "\n";
        else
            measured.push_back(*stats);
        if (++seen % 500 == 0)
            err() << "\rmeasured " << measured.size() << "/" << training.size() << Qt::flush;
    }
    err() << "\n";
    auto reference = domain::buildReference(measured);
    reference.cropSize = model->card().cropSize;
    if (reference.empty())
        return failWith(QStringLiteral("No training image could be measured."));
    if (model->isDiffusion() && effortPerClass > 0) {
        if (auto effort = measureEffort(*model, *source, effortPerClass, reference); !effort)
            return failWith(QString::fromStdString(effort.error()));
    }

    const std::string json = reference.toJson();
    auto sha = engine::rewriteModelCard(modelPath.toStdString(), parser.value(QStringLiteral("out")).toStdString(),
                                        [&](engine::ModelCard &card) -> Result<void> {
                                            card.domainReference = json;
                                            return {};
                                        });
    if (!sha)
        return failWith(QString::fromStdString(sha.error()));
    out() << "images measured: " << reference.images << " (nucleus found in "
          << QString::number(100.0 * reference.cellFoundShare, 'f', 1) << "%), " << timer.elapsed() / 1000 << " s\n";
    for (const auto &[key, range] : reference.features)
        out() << "  " << QString::fromStdString(key) << ": 1% " << range.p01 << ", median " << range.p50 << ", 99% "
              << range.p99 << "\n";
    if (reference.effortCells > 0)
        out() << "effort on " << reference.effortCells << " validation cells: " << reference.effortMean
              << " evaluations per cell, " << QString::number(100.0 * reference.unidentifiedShare, 'f', 1)
              << "% unidentified\n";
    out() << "wrote " << parser.value(QStringLiteral("out")) << " (sha256 " << QString::fromStdString(*sha) << ")\n";
    return kExitOk;
}

} // namespace cytodiff::cli
