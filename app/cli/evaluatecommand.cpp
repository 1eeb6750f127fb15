// cytodiff-cli evaluate: accuracy, balanced accuracy, per-class recall,
// confusion matrix, mean NFE and cells/s of a model on a labelled folder;
// optionally through a class map (another lab's class names) and a
// synthetic shift, writing the per-cell outcomes for `metacognition`.
#include "commands.h"

#include "chartoutput.h"
#include "clistream.h"
#include "clisupport.h"
#include "classificationservice.h"
#include "shiftedcase.h"
#include "studyoptions.h"

#include "engine.h"

#include <QCommandLineParser>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

#include <map>
#include <optional>

namespace cytodiff::cli {
namespace {

QString markdown(const studies::AccuracySummary &e, double seconds, const QString &header, const QStringList &notes)
{
    QString md;
    QTextStream out(&md);
    out << "# " << header << "\n\n";
    for (const QString &note : notes)
        out << note << "\n\n";
    out << "| figure | value |\n|---|---|\n";
    out << "| cells | " << e.cells << " |\n";
    out << "| accuracy | " << studies::percent(e.accuracy()) << "% |\n";
    out << "| balanced accuracy | " << studies::percent(e.balancedAccuracy()) << "% |\n";
    out << "| mean NFE per cell | " << QString::number(double(e.nfe) / std::max(e.cells, 1), 'f', 1) << " |\n";
    out << "| cells per second | " << QString::number(e.cells / std::max(seconds, 1e-9), 'f', 3) << " |\n";
    out << "| review queue (default thresholds) | " << e.queued << " cells, " << studies::percent(e.queueShare()) << "% |\n";
    out << "| silent errors (wrong, not queued) | " << e.silentErrors << " cells, " << studies::percent(e.silentErrorRate())
        << "% |\n\n";
    out << "Per-class recall:\n\n| class | cells | recall |\n|---|---|---|\n";
    for (std::size_t c = 0; c < e.classes.size(); ++c)
        if (e.total(int(c)) > 0)
            out << "| " << QString::fromStdString(e.classes[c]) << " | " << e.total(int(c)) << " | "
                << studies::percent(e.recall(int(c))) << "% |\n";
    out << "\nConfusion matrix (rows: truth, columns: predicted):\n\n| |";
    for (const auto &c : e.classes)
        out << " " << QString::fromStdString(c) << " |";
    out << "\n|---|";
    for (std::size_t c = 0; c < e.classes.size(); ++c)
        out << "---|";
    out << "\n";
    for (std::size_t t = 0; t < e.classes.size(); ++t) {
        out << "| " << QString::fromStdString(e.classes[t]) << " |";
        for (int v : e.confusion[t])
            out << " " << v << " |";
        out << "\n";
    }
    return md;
}

QJsonObject toJson(const studies::AccuracySummary &e, double seconds, const QJsonObject &settings)
{
    QJsonObject json = settings;
    json[QStringLiteral("cells")] = e.cells;
    json[QStringLiteral("accuracy")] = e.accuracy();
    json[QStringLiteral("balanced_accuracy")] = e.balancedAccuracy();
    json[QStringLiteral("mean_nfe")] = double(e.nfe) / std::max(e.cells, 1);
    json[QStringLiteral("cells_per_second")] = e.cells / std::max(seconds, 1e-9);
    json[QStringLiteral("review_queue_cells")] = e.queued;
    json[QStringLiteral("review_queue_share")] = e.queueShare();
    json[QStringLiteral("silent_errors")] = e.silentErrors;
    json[QStringLiteral("silent_error_rate")] = e.silentErrorRate();
    QJsonObject recall;
    QJsonArray classes, matrix;
    for (std::size_t c = 0; c < e.classes.size(); ++c) {
        classes.append(QString::fromStdString(e.classes[c]));
        if (e.total(int(c)) > 0)
            recall[QString::fromStdString(e.classes[c])] = e.recall(int(c));
        QJsonArray row;
        for (int v : e.confusion[c])
            row.append(v);
        matrix.append(row);
    }
    json[QStringLiteral("classes")] = classes;
    json[QStringLiteral("recall")] = recall;
    json[QStringLiteral("confusion")] = matrix;
    return json;
}

void addEvaluateOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Measure a model on a labelled folder (one sub-folder per class) or a .cdpack file. With --class-map, "
        "another lab's class names are mapped onto the model's and balanced accuracy covers the shared classes; "
        "with --shift, the image files are changed (stain, scale, blur, crop, jpeg) and the cells are checked, normalised "
        "and classified as one case from another laboratory."));
    parser.addOption({QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("data"), QStringLiteral("Labelled folder or .cdpack file."), QStringLiteral("path")});
    parser.addOption({QStringLiteral("split"), QStringLiteral("all, train, validation or test (default all); the split "
                                                              "is the class-stratified file-name hash split used in training."),
                      QStringLiteral("part"), QStringLiteral("all")});
    parser.addOption({QStringLiteral("per-class"), QStringLiteral("At most N cells per class (default all)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("class-map"), QStringLiteral("File of 'data_class,model_class' lines (another lab's names; "
                                                                  "'-' drops a class)."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("shift"), QStringLiteral("Synthetic shift of the image files, e.g. stain:0.3, scale:0.8, "
                                                              "blur:1, crop:0.5, jpeg:70 or stain:0.3,scale:0.8."), QStringLiteral("spec")});
    parser.addOption({QStringLiteral("normalise"), QStringLiteral("With --shift: the case normalisation on (default) or off."),
                      QStringLiteral("mode"), QStringLiteral("on")});
    addClassifyOptions(parser);
    parser.addOption({QStringLiteral("second-opinion"),
                      QStringLiteral("A second model (e.g. models/baseline-pbc8.pt) whose differing calls join the review "
                                     "queue, as in the GUI (its default); the silent error rate counts wrong calls the "
                                     "queue does not show."),
                      QStringLiteral("model")});
    parser.addOption({QStringLiteral("null-gain"), QStringLiteral("Also score each cell against the null class (cells.csv's "
                                                                  "null_gain; one more network evaluation per trial).")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for evaluation.json, evaluation.md and cells.csv."), QStringLiteral("dir")});
    parser.addOption(bf16Option());
}

// --out: evaluation.json and .md with the settings that produced them, and
// the per-cell cells.csv. shared: the classes a class map shares with the
// model (empty without a map). Errors are printed.
bool writeEvaluationFiles(const QCommandLineParser &parser, const engine::Model &model, const engine::Model *second,
                          const std::vector<studies::CellOutcome> &outcomes, const studies::AccuracySummary &e,
                          double seconds, const QString &md, const QStringList &shared, const QString &shift)
{
    const QString split = parser.value(QStringLiteral("split"));
    auto dir = makeOutputDir(parser.value(QStringLiteral("out")));
    if (!dir) {
        err() << "error: " << QString::fromStdString(dir.error()) << "\n";
        return false;
    }
    QJsonObject settings;
    settings[QStringLiteral("model")] = QString::fromStdString(model.card().modelId());
    settings[QStringLiteral("model_kind")] = QString::fromStdString(model.card().kind);
    settings[QStringLiteral("model_sha256")] = QString::fromStdString(model.card().sha256);
    settings[QStringLiteral("data")] = parser.value(QStringLiteral("data"));
    settings[QStringLiteral("split")] = split;
    settings[QStringLiteral("protocol")] = parser.value(QStringLiteral("protocol"));
    settings[QStringLiteral("shift")] = shift;
    if (!shared.isEmpty()) {
        settings[QStringLiteral("class_map")] = parser.value(QStringLiteral("class-map"));
        settings[QStringLiteral("shared_classes")] = QJsonArray::fromStringList(shared);
    }
    if (second)
        settings[QStringLiteral("second_opinion")] = QString::fromStdString(second->card().modelId());
    settings[QStringLiteral("threads")] = engine::threadCount();
    settings[QStringLiteral("network_precision")] =
        model.networkPrecision() == engine::NetworkPrecision::BFloat16 ? QStringLiteral("bf16") : QStringLiteral("float32");
    settings[QStringLiteral("seconds")] = seconds;
    if (!writeReport(*dir, QStringLiteral("evaluation"), toJson(e, seconds, settings), md))
        return false;
    if (!studies::writeOutcomesCsv(dir->filePath(QStringLiteral("cells.csv")), outcomes, model.card().classNames)) {
        err() << "error: cannot write " << dir->filePath(QStringLiteral("cells.csv")) << "\n";
        return false;
    }
    return true;
}

} // namespace

int runEvaluate(const QStringList &args)
{
    QCommandLineParser parser;
    addEvaluateOptions(parser);
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data"))) {
        err() << "usage: cytodiff-cli evaluate --model M --data <labelled folder|pack> [--split test] [--class-map file] "
                 "[--shift stain:0.3] [--out dir]\n";
        return kExitUsage;
    }
    const QString split = parser.value(QStringLiteral("split"));
    if (!studies::isSplitName(split)) {
        err() << "error: --split must be all, train, validation or test\n";
        return kExitUsage;
    }
    auto shift = imaging::parseShift(parser.value(QStringLiteral("shift")).toStdString());
    if (!shift) {
        err() << "error: " << QString::fromStdString(shift.error()) << "\n";
        return kExitUsage;
    }
    const QString normalise = parser.value(QStringLiteral("normalise"));
    if (normalise != QLatin1String("on") && normalise != QLatin1String("off")) {
        err() << "error: --normalise must be on or off\n";
        return kExitUsage;
    }
    std::map<QString, QString> classMap;
    if (parser.isSet(QStringLiteral("class-map"))) {
        auto map = studies::readClassMap(parser.value(QStringLiteral("class-map")));
        if (!map) {
            err() << "error: " << QString::fromStdString(map.error()) << "\n";
            return kExitBadInput;
        }
        classMap = *map;
    }
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    auto model = engine::Model::load(parser.value(QStringLiteral("model")).toStdString());
    if (!model) {
        err() << "error: " << QString::fromStdString(model.error()) << "\n";
        return kExitBadInput;
    }
    if (auto precision = applyNetworkPrecision(parser, *model); !precision) {
        err() << "error: " << QString::fromStdString(precision.error()) << "\n";
        return kExitBadInput;
    }
    std::optional<engine::Model> second;
    if (parser.isSet(QStringLiteral("second-opinion"))) {
        auto loaded = engine::Model::load(parser.value(QStringLiteral("second-opinion")).toStdString());
        if (!loaded) {
            err() << "error: " << QString::fromStdString(loaded.error()) << "\n";
            return kExitBadInput;
        }
        second = std::move(*loaded);
    }
    auto source = studies::EvalSource::open(parser.value(QStringLiteral("data")));
    if (!source) {
        err() << "error: " << QString::fromStdString(source.error()) << "\n";
        return kExitBadInput;
    }
    // A class map renames the data's classes; unmapped names pass through.
    const auto mapped = [&classMap](const QString &dataClass) {
        const auto it = classMap.find(dataClass);
        return it == classMap.end() ? dataClass : it->second;
    };
    const auto truthOf = [&](const QString &dataClass) {
        const QString name = mapped(dataClass);
        return name.isEmpty() ? -1 : model->classIndex(name.toStdString());
    };
    QStringList unknown, shared;
    for (const QString &c : source->classNames()) {
        if (truthOf(c) < 0)
            unknown.append(c);
        else
            shared.append(c == mapped(c) ? c : c + QStringLiteral(" -> ") + mapped(c));
    }
    if (!unknown.isEmpty())
        err() << "not in the model, not scored: " << unknown.join(QStringLiteral(", ")) << "\n";
    const auto work = studies::selectItems(source->items(), split, parser.value(QStringLiteral("per-class")).toInt(),
                                  [&](const studies::EvalItem &item) { return truthOf(item.className) >= 0; });
    if (work.isEmpty()) {
        err() << "error: no images of the model's classes in that part of the data"
              << (classMap.empty() ? QString() : QStringLiteral(" (after the class map)")) << "\n";
        return kExitBadInput;
    }

    SigintCancel sigint;
    const auto stop = [&sigint] { return sigint.isCancelled(); };
    double seconds = 0;
    std::vector<studies::CellOutcome> outcomes;
    auto options = estimatorOptionsFrom(parser);
    options.nullGain = parser.isSet(QStringLiteral("null-gain"));
    noteProfileProtocol(*model, options);
    // A shifted set of cells is one case from elsewhere: checked and
    // normalised as the app does it (unshifted cells are the training
    // laboratory's own and classified as they are).
    std::optional<studies::ShiftedCase> shifted;
    if (!shift->isIdentity()) {
        auto prepared = studies::ShiftedCase::prepare(work, *shift, stop);
        if (!prepared) {
            err() << "error: " << QString::fromStdString(prepared.error()) << "\n";
            return kExitBadInput;
        }
        shifted = std::move(*prepared);
        if (normalise == QLatin1String("off"))
            shifted->setNormalisationChoice({false, false, false});
    }
    for (auto &o : studies::classifyItems(*model, shifted ? shifted->inputs() : studies::sourceInputs(*source, work), work,
                                          truthOf, options, parser.value(QStringLiteral("seed")).toULongLong(), stop,
                                          terminalProgress(QStringLiteral("evaluated")), &seconds, second ? &*second : nullptr)) {
        o.truth = mapped(o.truth);
        outcomes.push_back(o);
    }
    if (outcomes.empty() && !stop()) {
        err() << "error: no cell was classified (the messages above say why); nothing written\n";
        return kExitBadInput;
    }
    QStringList notes;
    if (shifted) {
        const auto verdict =
            shifted->completeCheck(model->card(), outcomes, classify::callsComparableWithReference(*model, options));
        notes << QStringLiteral("Case normalisation: %1.")
                     .arg(QString::fromStdString(shifted->forModel(model->card()).normalisation.describe()));
        if (verdict.outside)
            notes << QStringLiteral("Domain check: %1 Every cell is in the review queue.")
                         .arg(QString::fromStdString(verdict.warning()));
    }
    const auto e = studies::summarise(model->card().classNames, outcomes);

    if (!classMap.empty())
        notes << QStringLiteral("Class map %1; classes shared with the model: %2. Balanced accuracy is over these.")
                     .arg(parser.value(QStringLiteral("class-map")), shared.join(QStringLiteral(", ")));
    if (!shift->isIdentity())
        notes << QStringLiteral("Synthetic shift of the image files: %1.")
                     .arg(QString::fromStdString(shift->describe()));
    const QString header = QStringLiteral("%1 on %2 (%3 part, %4 protocol)")
                               .arg(QString::fromStdString(model->card().modelId()), parser.value(QStringLiteral("data")),
                                    split, parser.value(QStringLiteral("protocol")));
    const QString md = markdown(e, seconds, header, notes);
    out() << md;
    if (parser.isSet(QStringLiteral("out"))
        && !writeEvaluationFiles(parser, *model, second ? &*second : nullptr, outcomes, e, seconds, md,
                                 classMap.empty() ? QStringList() : shared, QString::fromStdString(shift->describe())))
        return kExitBadInput;
    return stop() ? kExitBadInput : kExitOk;
}

} // namespace cytodiff::cli
