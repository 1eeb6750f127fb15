// cytodiff-cli evaluate-shift (paper section 3.9, imitated): a ladder of
// synthetic stain / scale / blur shifts of the same cells, and how the
// balanced accuracy of the diffusion model and the baseline degrades.
#include "commands.h"

#include "chartoutput.h"
#include "clistream.h"
#include "clisupport.h"
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
    std::vector<double> levels;
    std::vector<evaluation::ShiftSpec> shifts;
    QString split;
    int perClass = 0;
    std::uint64_t seed = 0;
    engine::CancelFn stop;
};

struct LadderResult {
    QJsonObject json;                 // this model's part of shift.json
    evaluation::MeanSdSeries series;  // balanced accuracy per level
};

void addShiftOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Domain-shift ladder: classify the same cells under growing synthetic shifts (stain, scale or blur) and "
        "report how balanced accuracy degrades, for one or two models."));
    parser.addOption({QStringLiteral("model"), QStringLiteral("Diffusion model."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("baseline"), QStringLiteral("Baseline model (optional)."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("data"), QStringLiteral("Labelled folder or .cdpack file."), QStringLiteral("path")});
    parser.addOption({QStringLiteral("split"), QStringLiteral("Part of the data (default test)."), QStringLiteral("part"), QStringLiteral("test")});
    parser.addOption({QStringLiteral("per-class"), QStringLiteral("At most N cells per class (default all)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("kind"), QStringLiteral("stain (default), scale or blur."), QStringLiteral("kind"), QStringLiteral("stain")});
    parser.addOption({QStringLiteral("levels"), QStringLiteral("Shift strengths, comma separated (default stain 0,0.25,0.5,0.75,1; "
                                                               "scale 1,0.9,0.8,0.7,0.6; blur 0,0.5,1,1.5,2)."), QStringLiteral("list")});
    addClassifyOptions(parser);
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for shift.json, shift.md and shift.png."), QStringLiteral("dir")});
}

// The shifts of --kind at --levels (or the kind's default ladder).
Result<void> parseLadder(const QString &kind, QString levelsText, Ladder &ladder)
{
    if (levelsText.isEmpty())
        levelsText = kind == QLatin1String("scale") ? QStringLiteral("1,0.9,0.8,0.7,0.6")
                     : kind == QLatin1String("blur") ? QStringLiteral("0,0.5,1,1.5,2")
                                                     : QStringLiteral("0,0.25,0.5,0.75,1");
    ladder.kind = kind;
    for (const QString &part : levelsText.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        auto spec = evaluation::parseShift((kind + QLatin1Char(':') + part.trimmed()).toStdString());
        if (!spec)
            return makeError(spec.error());
        ladder.levels.push_back(part.toDouble());
        ladder.shifts.push_back(*spec);
    }
    return {};
}

// One model on the same cells at every level; its row of the table goes to
// rows. Errors are printed.
std::optional<LadderResult> ladderOfModel(const QString &role, const QString &path, const studies::EvalSource &source,
                                          const Ladder &ladder, const engine::ClassifyOptions &options, QTextStream &rows)
{
    auto model = engine::Model::load(path.toStdString());
    if (!model) {
        err() << "error: " << QString::fromStdString(model.error()) << "\n";
        return std::nullopt;
    }
    const auto truthOf = [&](const QString &c) { return model->classIndex(c.toStdString()); };
    const auto items = studies::selectItems(source.items(), ladder.split, ladder.perClass,
                                   [&](const studies::EvalItem &item) { return truthOf(item.className) >= 0; });
    if (items.isEmpty()) {
        err() << "error: no cells of " << path << "'s classes in the " << ladder.split << " part of the data\n";
        return std::nullopt;
    }
    LadderResult result;
    evaluation::MeanSdSeries &s = result.series;
    s.name = role.toStdString();
    s.rgb = role == QLatin1String("baseline") ? evaluation::kBaselineColour : evaluation::kDiffusionColour;
    QJsonArray balanced, accuracy, confidence, silent, queued;
    rows << "| " << QString::fromStdString(model->card().modelId()) << " (" << role << ") |";
    for (std::size_t i = 0; i < ladder.shifts.size(); ++i) {
        const auto outcomes = studies::classifyItems(*model, source, items, truthOf, options, ladder.seed, ladder.shifts[i], ladder.stop,
                                            terminalProgress(role + QStringLiteral(" ") + QString::fromStdString(ladder.shifts[i].describe())));
        if (ladder.stop())
            return std::nullopt;
        const auto summary = studies::summarise(model->card().classNames, outcomes);
        std::vector<double> conf;
        for (const auto &o : outcomes)
            conf.push_back(o.confidence);
        balanced.append(summary.balancedAccuracy());
        accuracy.append(summary.accuracy());
        confidence.append(studies::mean(conf));
        silent.append(summary.silentErrorRate());
        queued.append(summary.queueShare());
        s.x.push_back(ladder.levels[i]);
        s.mean.push_back(summary.balancedAccuracy());
        s.sd.push_back(0);
        rows << " " << studies::percent(summary.balancedAccuracy()) << "% (silent " << studies::percent(summary.silentErrorRate())
             << "%, queue " << studies::percent(summary.queueShare()) << "%) |";
    }
    rows << "\n";
    QJsonObject &m = result.json;
    m[QStringLiteral("role")] = role;
    m[QStringLiteral("model")] = QString::fromStdString(model->card().modelId());
    m[QStringLiteral("cells")] = int(items.size());
    m[QStringLiteral("balanced_accuracy")] = balanced;
    m[QStringLiteral("accuracy")] = accuracy;
    m[QStringLiteral("mean_confidence")] = confidence;
    // Each model's own review queue (default thresholds, no second
    // opinion): wrong calls it would not show a reviewer.
    m[QStringLiteral("silent_error_rate")] = silent;
    m[QStringLiteral("review_queue_share")] = queued;
    return result;
}

} // namespace

int runEvaluateShift(const QStringList &args)
{
    QCommandLineParser parser;
    addShiftOptions(parser);
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data")) || !parser.isSet(QStringLiteral("out"))) {
        err() << "usage: cytodiff-cli evaluate-shift --model M [--baseline B] --data <folder|pack> --out dir "
                 "[--kind stain|scale|blur] [--levels 0,0.5,1] [--per-class N]\n";
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
    if (!studies::isSplitName(split) || ladder.shifts.empty()) {
        err() << "error: --split must be all, train, validation or test, and --levels must list numbers\n";
        return kExitUsage;
    }
    ladder.split = split;
    ladder.perClass = parser.value(QStringLiteral("per-class")).toInt();
    ladder.seed = parser.value(QStringLiteral("seed")).toULongLong();
    ladder.stop = [&sigint] { return sigint.isCancelled(); };
    const std::vector<double> &levels = ladder.levels;
    auto inputs = openStudyInputs(parser);
    if (!inputs)
        return kExitBadInput;
    const QDir &dir = inputs->dir;
    const studies::EvalSource &source = inputs->source;
    const auto options = estimatorOptionsFrom(parser);

    QJsonObject json;
    json[QStringLiteral("data")] = parser.value(QStringLiteral("data"));
    json[QStringLiteral("split")] = split;
    json[QStringLiteral("kind")] = kind;
    json[QStringLiteral("protocol")] = parser.value(QStringLiteral("protocol"));
    QJsonArray levelsJson;
    for (double l : levels)
        levelsJson.append(l);
    json[QStringLiteral("levels")] = levelsJson;
    QJsonArray modelsJson;
    std::vector<evaluation::MeanSdSeries> series;
    QString table;
    QTextStream rows(&table);
    for (const auto &[role, path] : studyModels(parser)) {
        auto measured = ladderOfModel(role, path, source, ladder, options, rows);
        if (!measured)
            return kExitBadInput;
        modelsJson.append(measured->json);
        series.push_back(measured->series);
    }
    json[QStringLiteral("models")] = modelsJson;
    auto chart = evaluation::meanSdChart("Balanced accuracy under a synthetic " + kind.toStdString() + " shift",
                                         kind.toStdString() + " shift strength", "Balanced accuracy", series, false);
    writeChart(chart, dir, QStringLiteral("shift.png"), json);

    QString md;
    QTextStream text(&md);
    text << "# Synthetic domain shift: " << kind << "\n\n";
    text << "Data " << parser.value(QStringLiteral("data")) << " (" << split << " part); the same cells at every level. "
         << "Balanced accuracy per shift strength, with the silent error rate (wrong calls the review queue, default "
            "thresholds and no second opinion, does not show) and the queue's share of cells:\n\n| model |";
    for (double l : levels)
        text << " " << kind << " " << l << " |";
    text << "\n|---|";
    for (std::size_t i = 0; i < levels.size(); ++i)
        text << "---|";
    text << "\n" << table;
    if (json.contains(QStringLiteral("plots")))
        text << "\n![shift.png](shift.png)\n";
    out() << md;
    return writeReport(dir, QStringLiteral("shift"), json, md) ? kExitOk : kExitBadInput;
}

} // namespace cytodiff::cli
