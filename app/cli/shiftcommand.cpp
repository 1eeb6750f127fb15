// cytodiff-cli evaluate-shift (paper section 3.9, imitated; issue 21 item 5):
// a ladder of synthetic source-image shifts of the same cells (another
// stain, magnification, export crop, compression, focus, or all of them),
// each level treated as one case from another laboratory: checked against
// the model's training reference, normalised or not, classified, and
// queued whole when it stays outside. Balanced accuracy, silent errors and
// the review queue per level, for one or two models.
#include "commands.h"

#include "chartoutput.h"
#include "clistream.h"
#include "clisupport.h"
#include "classificationservice.h"
#include "shiftedcase.h"
#include "studyoptions.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

#include <optional>

namespace cytodiff::cli {
namespace {

struct Ladder {
    QString kind;
    std::vector<double> levels; // the x axis: strengths, or preset numbers for "combined"
    std::vector<imaging::ShiftSpec> shifts;
    QString split;
    int perClass = 0;
    std::uint64_t seed = 0;
    engine::CancelFn stop;
};

// One model under one normalisation setting, across the ladder.
struct Track {
    QString role;
    const engine::Model *model = nullptr;
    bool normalise = false;
    QJsonArray balanced, accuracy, silent, queued, flagged, normalisation, deviations;
    evaluation::MeanSdSeries series;
    QString row;
};

// Another laboratory's analyser, more and more different: magnification
// both ways, tight export crops, another stain, compression and focus
// together (issue 21's combined ladder).
const QStringList kCombinedLadder = {
    QStringLiteral("none"),
    QStringLiteral("stain:0.3,scale:0.8,jpeg:85"),
    QStringLiteral("stain:0.5,blur:1,scale:0.6,jpeg:70"),
    QStringLiteral("stain:-0.4,scale:1.3,jpeg:85"),
    QStringLiteral("stain:-0.5,blur:1,scale:1.6,jpeg:70"),
    QStringLiteral("stain:0.4,crop:0.45,jpeg:80"),
    QStringLiteral("stain:0.6,blur:1.5,scale:0.7,crop:0.5,jpeg:50"),
};

void addShiftOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Domain-shift ladder: the same cells under growing synthetic changes of the image files (stain, scale, blur, "
        "crop, jpeg, or combined), each level checked and classified as one case from another laboratory, with and "
        "without the case normalisation; balanced accuracy, silent errors and the review queue for one or two models."));
    parser.addOption({QStringLiteral("model"), QStringLiteral("Diffusion model."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("baseline"), QStringLiteral("Baseline model (optional)."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("data"), QStringLiteral("Labelled folder (the shifts change image files)."), QStringLiteral("path")});
    parser.addOption({QStringLiteral("split"), QStringLiteral("Part of the data (default test)."), QStringLiteral("part"), QStringLiteral("test")});
    parser.addOption({QStringLiteral("per-class"), QStringLiteral("At most N cells per class (default all)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("kind"), QStringLiteral("stain (default), scale, blur, crop, jpeg or combined."), QStringLiteral("kind"), QStringLiteral("stain")});
    parser.addOption({QStringLiteral("levels"), QStringLiteral("Shift strengths, comma separated (defaults: stain 0,0.25,0.5,0.75,1; "
                                                               "scale 0.6,0.8,1,1.3,1.6; blur 0,1,2,3 source px; crop 1,0.8,0.6,0.45,0.35 "
                                                               "of the shorter side; jpeg 0,90,70,50,30 quality). combined: shift "
                                                               "specifications separated by ';' (default: seven presets)."), QStringLiteral("list")});
    parser.addOption({QStringLiteral("normalise"), QStringLiteral("Case normalisation: both (default), on or off."), QStringLiteral("mode"), QStringLiteral("both")});
    addClassifyOptions(parser);
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for shift.json, shift.md and shift.png."), QStringLiteral("dir")});
}

// The shifts of --kind at --levels (or the kind's default ladder).
Result<void> parseLadder(const QString &kind, QString levelsText, Ladder &ladder)
{
    ladder.kind = kind;
    if (kind == QLatin1String("combined")) {
        const QStringList specs = levelsText.isEmpty() ? kCombinedLadder : levelsText.split(QLatin1Char(';'), Qt::SkipEmptyParts);
        for (const QString &text : specs) {
            auto spec = imaging::parseShift(text.trimmed().toStdString());
            if (!spec)
                return makeError(spec.error());
            ladder.levels.push_back(double(ladder.levels.size()));
            ladder.shifts.push_back(*spec);
        }
        return {};
    }
    static const QHash<QString, QString> kDefaults = {
        {QStringLiteral("stain"), QStringLiteral("0,0.25,0.5,0.75,1")}, {QStringLiteral("scale"), QStringLiteral("0.6,0.8,1,1.3,1.6")},
        {QStringLiteral("blur"), QStringLiteral("0,1,2,3")},           {QStringLiteral("crop"), QStringLiteral("1,0.8,0.6,0.45,0.35")},
        {QStringLiteral("jpeg"), QStringLiteral("0,90,70,50,30")}};
    if (!kDefaults.contains(kind))
        return makeError("unknown --kind '" + kind.toStdString() + "': use stain, scale, blur, crop, jpeg or combined");
    if (levelsText.isEmpty())
        levelsText = kDefaults.value(kind);
    for (const QString &part : levelsText.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        auto spec = imaging::parseShift((kind + QLatin1Char(':') + part.trimmed()).toStdString());
        if (!spec)
            return makeError(spec.error());
        ladder.levels.push_back(part.toDouble());
        ladder.shifts.push_back(*spec);
    }
    return {};
}

QString percentText(double share)
{
    return QString::number(100.0 * share, 'f', 1);
}

// One level's case through one track: classify, complete the domain check,
// summarise; the track's cell of the table and its JSON grow by one level.
void measureLevel(Track &track, const studies::ShiftedCase &shifted, const QList<studies::EvalItem> &items,
                  const Ladder &ladder, std::size_t level, const engine::ClassifyOptions &options)
{
    const engine::Model &model = *track.model;
    const auto truthOf = [&](const QString &c) { return model.classIndex(c.toStdString()); };
    const QString label = track.role + (track.normalise ? QStringLiteral(" normalised ") : QStringLiteral(" ")) +
                          QString::fromStdString(ladder.shifts[level].describe());
    auto outcomes = studies::classifyItems(model, shifted.inputs(), items, truthOf, options, ladder.seed, ladder.stop,
                                           terminalProgress(label));
    const auto verdict =
        shifted.completeCheck(model.card(), outcomes, classify::callsComparableWithReference(model, options));
    const auto summary = studies::summarise(model.card().classNames, outcomes);
    track.balanced.append(summary.balancedAccuracy());
    track.accuracy.append(summary.accuracy());
    track.silent.append(summary.silentErrorRate());
    track.queued.append(summary.queueShare());
    track.flagged.append(verdict.outside);
    track.normalisation.append(QString::fromStdString(shifted.forModel(model.card()).normalisation.describe()));
    QJsonArray aspects;
    for (const auto aspect : verdict.aspects())
        aspects.append(QString::fromStdString(domain::aspectKey(aspect)));
    track.deviations.append(aspects);
    track.series.x.push_back(ladder.levels[level]);
    track.series.mean.push_back(summary.balancedAccuracy());
    track.series.sd.push_back(0);
    track.row += QStringLiteral(" %1% (silent %2%, queue %3%%4) |")
                     .arg(percentText(summary.balancedAccuracy()), percentText(summary.silentErrorRate()),
                          percentText(summary.queueShare()), verdict.outside ? QStringLiteral(", flagged") : QString());
}

QJsonObject trackJson(const Track &track, int cells)
{
    QJsonObject m;
    m[QStringLiteral("role")] = track.role;
    m[QStringLiteral("model")] = QString::fromStdString(track.model->card().modelId());
    m[QStringLiteral("normalised")] = track.normalise;
    m[QStringLiteral("cells")] = cells;
    m[QStringLiteral("balanced_accuracy")] = track.balanced;
    m[QStringLiteral("accuracy")] = track.accuracy;
    // Each model's own review queue (default thresholds, no second
    // opinion, every cell when the case is flagged): wrong calls it would
    // not show a reviewer.
    m[QStringLiteral("silent_error_rate")] = track.silent;
    m[QStringLiteral("review_queue_share")] = track.queued;
    m[QStringLiteral("flagged")] = track.flagged;
    m[QStringLiteral("flagged_aspects")] = track.deviations;
    m[QStringLiteral("normalisation")] = track.normalisation;
    return m;
}

int writeShiftReport(const QCommandLineParser &parser, const Ladder &ladder, const std::vector<Track> &tracks, int cells,
                     const QDir &dir)
{
    QJsonObject json;
    json[QStringLiteral("data")] = parser.value(QStringLiteral("data"));
    json[QStringLiteral("split")] = ladder.split;
    json[QStringLiteral("kind")] = ladder.kind;
    json[QStringLiteral("protocol")] = parser.value(QStringLiteral("protocol"));
    QJsonArray levelsJson, shiftsJson;
    for (std::size_t i = 0; i < ladder.levels.size(); ++i) {
        levelsJson.append(ladder.levels[i]);
        shiftsJson.append(QString::fromStdString(ladder.shifts[i].describe()));
    }
    json[QStringLiteral("levels")] = levelsJson;
    json[QStringLiteral("shifts")] = shiftsJson;
    QJsonArray modelsJson;
    std::vector<evaluation::MeanSdSeries> series;
    for (const Track &track : tracks) {
        modelsJson.append(trackJson(track, cells));
        series.push_back(track.series);
    }
    json[QStringLiteral("models")] = modelsJson;
    const std::string axis = ladder.kind == QLatin1String("combined") ? "combined shift (preset)" : ladder.kind.toStdString() + " shift";
    auto chart = evaluation::meanSdChart("Balanced accuracy under a synthetic " + ladder.kind.toStdString() + " shift", axis,
                                         "Balanced accuracy", series, false);
    // Without normalisation dashed, beside the normalised line of the same colour.
    for (auto &line : chart.series)
        if (!line.name.empty() && line.name.find("normalised") == std::string::npos && tracks.size() > 1)
            line.dashed = std::any_of(tracks.begin(), tracks.end(), [](const Track &t) { return t.normalise; });
    writeChart(chart, dir, QStringLiteral("shift.png"), json);

    QString md;
    QTextStream text(&md);
    text << "# Synthetic domain shift: " << ladder.kind << "\n\n";
    text << "Data " << parser.value(QStringLiteral("data")) << " (" << ladder.split << " part, " << cells
         << " cells); the same cells at every level, each level one case. Balanced accuracy, with the silent error "
            "rate (wrong calls the review queue does not show: default thresholds, no second opinion, every cell of a "
            "case the domain check flags) and the queue's share of cells:\n\n| model |";
    for (const auto &shift : ladder.shifts)
        text << " " << QString::fromStdString(shift.describe()) << " |";
    text << "\n|---|";
    for (std::size_t i = 0; i < ladder.shifts.size(); ++i)
        text << "---|";
    text << "\n";
    for (const Track &track : tracks)
        text << "| " << QString::fromStdString(track.model->card().modelId()) << " (" << track.role
             << (track.normalise ? QStringLiteral(", normalised") : QString()) << ") |" << track.row << "\n";
    if (json.contains(QStringLiteral("plots")))
        text << "\n![shift.png](shift.png)\n";
    out() << md;
    return writeReport(dir, QStringLiteral("shift"), json, md) ? kExitOk : kExitBadInput;
}

} // namespace

int runEvaluateShift(const QStringList &args)
{
    QCommandLineParser parser;
    addShiftOptions(parser);
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data")) || !parser.isSet(QStringLiteral("out"))) {
        err() << "usage: cytodiff-cli evaluate-shift --model M [--baseline B] --data <folder> --out dir "
                 "[--kind stain|scale|blur|crop|jpeg|combined] [--levels ...] [--normalise both|on|off] [--per-class N]\n";
        return kExitUsage;
    }
    const QString kind = parser.value(QStringLiteral("kind"));
    SigintCancel sigint;
    Ladder ladder;
    if (auto parsed = parseLadder(kind, parser.value(QStringLiteral("levels")), ladder); !parsed) {
        err() << "error: " << QString::fromStdString(parsed.error()) << "\n";
        return kExitUsage;
    }
    const QString split = parser.value(QStringLiteral("split"));
    const QString normalise = parser.value(QStringLiteral("normalise"));
    if (!studies::isSplitName(split) || ladder.shifts.empty()
        || !QStringList{QStringLiteral("both"), QStringLiteral("on"), QStringLiteral("off")}.contains(normalise)) {
        err() << "error: --split must be all, train, validation or test, --levels must list shifts, and --normalise "
                 "both, on or off\n";
        return kExitUsage;
    }
    ladder.split = split;
    ladder.perClass = parser.value(QStringLiteral("per-class")).toInt();
    ladder.seed = parser.value(QStringLiteral("seed")).toULongLong();
    ladder.stop = [&sigint] { return sigint.isCancelled(); };
    auto inputs = openStudyInputs(parser);
    if (!inputs)
        return kExitBadInput;
    const auto options = estimatorOptionsFrom(parser);

    // Every model and setting meets the same cells (those of the first
    // model's classes) at every level.
    std::vector<std::unique_ptr<engine::Model>> models;
    std::vector<Track> tracks;
    for (const auto &[role, path] : studyModels(parser)) {
        auto model = engine::Model::load(path.toStdString());
        if (!model) {
            err() << "error: " << QString::fromStdString(model.error()) << "\n";
            return kExitBadInput;
        }
        models.push_back(std::make_unique<engine::Model>(std::move(*model)));
        noteProfileProtocol(*models.back(), options);
        // Named by what the model is, not by the option that gave it.
        const QString roleName = models.back()->card().kind == "baseline" ? QStringLiteral("baseline") : role;
        for (const bool on : {false, true})
            if (normalise == QLatin1String("both") || (normalise == QLatin1String("on")) == on) {
                Track track;
                track.role = roleName;
                track.model = models.back().get();
                track.normalise = on;
                track.series.name = (roleName + (on ? QStringLiteral(", normalised") : QString())).toStdString();
                track.series.rgb = roleName == QLatin1String("baseline") ? evaluation::kBaselineColour : evaluation::kDiffusionColour;
                tracks.push_back(track);
            }
    }
    const engine::Model &first = *models.front();
    const auto items = studies::selectItems(inputs->source.items(), split, ladder.perClass, [&](const studies::EvalItem &item) {
        return first.classIndex(item.className.toStdString()) >= 0;
    });
    if (items.isEmpty()) {
        err() << "error: no cells of the model's classes in the " << split << " part of the data\n";
        return kExitBadInput;
    }
    for (std::size_t level = 0; level < ladder.shifts.size(); ++level) {
        auto shifted = studies::ShiftedCase::prepare(items, ladder.shifts[level], ladder.stop);
        if (!shifted) {
            err() << "error: " << QString::fromStdString(shifted.error()) << "\n";
            return kExitBadInput;
        }
        for (Track &track : tracks) {
            shifted->setNormalisationChoice(track.normalise ? domain::NormalisationChoice{}
                                                            : domain::NormalisationChoice{false, false, false});
            measureLevel(track, *shifted, items, ladder, level, options);
            if (ladder.stop())
                return kExitBadInput;
        }
    }
    return writeShiftReport(parser, ladder, tracks, int(items.size()), inputs->dir);
}

} // namespace cytodiff::cli
