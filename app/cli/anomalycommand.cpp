// cytodiff-cli evaluate-anomaly (paper section 3.8): models trained with one
// class left out score held-out cells of the known classes and every cell
// of the left-out class; the ROC AUC of "low confidence", of the zeta
// anomaly score and (diffusion) of a low class gain over the null class says
// how well they flag cells they have never seen.
#include "commands.h"

#include "chartoutput.h"
#include "clistream.h"
#include "clisupport.h"
#include "studyoptions.h"

#include "anomalyprofile.h"
#include "kde.h"
#include "roc.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

#include <cmath>
#include <limits>
#include <optional>

namespace cytodiff::cli {
namespace {

struct ModelScores {
    QString role; // "diffusion" or "baseline"
    QString modelId;
    std::vector<studies::CellOutcome> normal, abnormal;
    double confidenceAuc = 0, zetaAuc = 0;
    double gainAuc = std::numeric_limits<double>::quiet_NaN(); // diffusion only
    double evidenceAuc = std::numeric_limits<double>::quiet_NaN(); // diffusion only
    // The card's error-profile score (what the review queue reads); NaN
    // for a model without one.
    double profileAuc = std::numeric_limits<double>::quiet_NaN();
    // What the review queue does with each group (default thresholds):
    // shares queued, and queued as unidentified. A left-out cell outside
    // the queue is a silent wrong call.
    double abnormalQueued = 0, abnormalUnidentified = 0, normalQueued = 0, normalUnidentified = 0;
    double normalAccuracy = 0;
    QJsonObject json; // this model's part of anomaly.json
};

std::vector<double> pick(const std::vector<studies::CellOutcome> &cells, double (*f)(const studies::CellOutcome &))
{
    std::vector<double> v;
    for (const auto &c : cells)
        v.push_back(f(c));
    return v;
}
double negConfidence(const studies::CellOutcome &c) { return -c.confidence; }
double confidence(const studies::CellOutcome &c) { return c.confidence; }
double zeta(const studies::CellOutcome &c) { return c.anomaly; }
double negGain(const studies::CellOutcome &c) { return -c.nullGain; }
double gain(const studies::CellOutcome &c) { return c.nullGain; }
double negEvidence(const studies::CellOutcome &c) { return -c.evidence; }
double profileScore(const studies::CellOutcome &c) { return c.reviewAnomaly; }

double shareOf(const std::vector<studies::CellOutcome> &cells, bool (*f)(const studies::CellOutcome &))
{
    int n = 0;
    for (const auto &c : cells)
        n += f(c) ? 1 : 0;
    return cells.empty() ? 0.0 : double(n) / double(cells.size());
}
bool queued(const studies::CellOutcome &c) { return c.inReview; }
bool unidentified(const studies::CellOutcome &c) { return c.reviewReason == QLatin1String("unidentified"); }

// What the study compares, read from the options once.
struct AnomalyStudy {
    QString excluded;       // the class the models never saw
    QString split;          // where the normal cells come from
    QString abnormalSplit;  // where the left-out class's cells come from
    int perClass = 0;       // normal cells per class (0 = all)
    int abnormalCap = 0;    // left-out cells (0 = all)
    std::uint64_t seed = 0;
    engine::CancelFn stop;
    QString dataName;       // the --data path's file name, as a profile's provenance names it
};

// A card's profile fitted on these very normal cells (its provenance names
// the data and the part) scores them in-sample: say so, once.
void noteInSampleProfile(const engine::Model &model, const classify::ProfileUse &use, const AnomalyStudy &study)
{
    if (!use.applies)
        return;
    const QString fit = QString::fromStdString((*use.profile)->provenance());
    const bool sameData = fit.contains(QStringLiteral("--data %1 ").arg(study.dataName));
    const bool overlaps = study.split == QLatin1String("all") || fit.contains(QStringLiteral("--split all "))
                          || fit.contains(QStringLiteral("--split %1 ").arg(study.split));
    if (sameData && overlaps)
        err() << "note: " << QString::fromStdString(model.card().modelId()) << "'s error profile was fitted on normal cells of "
              << "this data's " << study.split << " part (its card: " << fit
              << "); their scores are in-sample, so the profile's AUC and the normal cells' Unidentified share are "
                 "optimistic\n";
}

void addAnomalyOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Anomaly detection (paper section 3.8): score held-out cells of the trained classes and all cells of the "
        "class the models never saw (train them with --exclude-class C); report the ROC AUC of the confidence, "
        "of the zeta anomaly score and of the class gain over the null class (diffusion), with ROC and density "
        "plots, for the diffusion model and the baseline."));
    parser.addOption({QStringLiteral("model"), QStringLiteral("Diffusion model trained without the class."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("baseline"), QStringLiteral("Baseline model trained without the class (optional)."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("data"), QStringLiteral("Labelled folder or .cdpack file."), QStringLiteral("path")});
    parser.addOption({QStringLiteral("exclude-class"), QStringLiteral("The class left out in training."), QStringLiteral("class")});
    parser.addOption({QStringLiteral("split"), QStringLiteral("Part the normal cells come from (default test)."), QStringLiteral("part"), QStringLiteral("test")});
    parser.addOption({QStringLiteral("per-class"), QStringLiteral("At most N normal cells per class (default all)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("abnormal"), QStringLiteral("At most N cells of the left-out class (default all)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("abnormal-split"),
                      QStringLiteral("Part the left-out class's cells come from (default all: the models never saw "
                                     "any of them; pass the --split part to keep score choices made on validation "
                                     "cells apart from test cells)."),
                      QStringLiteral("part"), QStringLiteral("all")});
    addClassifyOptions(parser);
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for anomaly.json, anomaly.md, plots and per-cell CSVs."), QStringLiteral("dir")});
}

// One model's scores on the normal and the left-out cells, their AUCs and
// its part of the JSON report; its per-cell file. Errors are printed.
std::optional<ModelScores> scoreModel(const QString &role, const QString &path, const studies::EvalSource &source,
                                      const AnomalyStudy &study, engine::ClassifyOptions options, const QDir &dir)
{
    auto model = engine::Model::load(path.toStdString());
    if (!model) {
        err() << "error: " << QString::fromStdString(model.error()) << "\n";
        return std::nullopt;
    }
    if (model->classIndex(study.excluded.toStdString()) >= 0) {
        err() << "error: " << path << " knows the class '" << study.excluded
              << "': train it with --exclude-class " << study.excluded << " for an anomaly study\n";
        return std::nullopt;
    }
    const auto truthOf = [&](const QString &c) { return model->classIndex(c.toStdString()); };
    const auto normalItems = studies::selectItems(source.items(), study.split, study.perClass,
                                         [&](const studies::EvalItem &item) { return truthOf(item.className) >= 0; });
    auto abnormalItems = studies::selectItems(source.items(), study.abnormalSplit, 0,
                                     [&](const studies::EvalItem &item) { return item.className == study.excluded; });
    if (study.abnormalCap > 0 && abnormalItems.size() > study.abnormalCap)
        abnormalItems = abnormalItems.mid(0, study.abnormalCap);
    if (normalItems.isEmpty()) {
        err() << "error: no cells of " << path << "'s classes in the " << study.split << " part of the data\n";
        return std::nullopt;
    }
    if (abnormalItems.isEmpty()) {
        err() << "error: no cells of '" << study.excluded << "' in the " << study.abnormalSplit << " part of the data\n";
        return std::nullopt;
    }
    // The baseline has no null class; a diffusion model pays one more
    // network evaluation per trial for it.
    options.nullGain = model->card().kind != "baseline";
    noteProfileProtocol(*model, options);
    // What the service will do with the card's profile (it decides the same way).
    const classify::ProfileUse profile = classify::profileUse(*model, options);
    noteInSampleProfile(*model, profile, study);
    ModelScores scores;
    scores.role = role;
    scores.modelId = QString::fromStdString(model->card().modelId());
    scores.normal = studies::classifyItems(*model, studies::sourceInputs(source, normalItems), normalItems, truthOf, options, study.seed, study.stop,
                                  terminalProgress(role + QStringLiteral(" normal")));
    scores.abnormal = studies::classifyItems(*model, studies::sourceInputs(source, abnormalItems), abnormalItems, truthOf, options, study.seed + 1000003, study.stop,
                                    terminalProgress(role + QStringLiteral(" ") + study.excluded));
    if (study.stop())
        return std::nullopt;
    // Every cell skipped (each with its reason above): an AUC of nothing
    // is not a result.
    if (scores.normal.empty() || scores.abnormal.empty()) {
        err() << "error: " << path << " classified none of the " << (scores.normal.empty() ? "normal" : study.excluded)
              << " cells (see the messages above); nothing was written\n";
        return std::nullopt;
    }
    scores.confidenceAuc = evaluation::rocAuc(pick(scores.abnormal, negConfidence), pick(scores.normal, negConfidence));
    scores.zetaAuc = evaluation::rocAuc(pick(scores.abnormal, zeta), pick(scores.normal, zeta));
    if (options.nullGain)
        scores.gainAuc = evaluation::rocAuc(pick(scores.abnormal, negGain), pick(scores.normal, negGain));
    // A CNN has no trials to weigh; a cell without a runner-up counts as
    // no evidence at all.
    if (model->isDiffusion()) {
        auto evidenceOf = [](const std::vector<studies::CellOutcome> &cells) {
            auto v = pick(cells, negEvidence);
            for (double &x : v)
                x = std::isnan(x) ? 0.0 : x;
            return v;
        };
        scores.evidenceAuc = evaluation::rocAuc(evidenceOf(scores.abnormal), evidenceOf(scores.normal));
    }
    // Only where the service scored with it (classify::profileUse).
    if (profile.applies)
        scores.profileAuc = evaluation::rocAuc(pick(scores.abnormal, profileScore), pick(scores.normal, profileScore));
    scores.abnormalQueued = shareOf(scores.abnormal, queued);
    scores.abnormalUnidentified = shareOf(scores.abnormal, unidentified);
    scores.normalQueued = shareOf(scores.normal, queued);
    scores.normalUnidentified = shareOf(scores.normal, unidentified);
    scores.normalAccuracy = studies::summarise(model->card().classNames, scores.normal).balancedAccuracy();
    std::vector<studies::CellOutcome> all = scores.normal;
    all.insert(all.end(), scores.abnormal.begin(), scores.abnormal.end());
    studies::writeOutcomesCsv(dir.filePath(QStringLiteral("cells_%1.csv").arg(role)), all, model->card().classNames);

    QJsonObject &m = scores.json;
    m[QStringLiteral("role")] = role;
    m[QStringLiteral("model")] = scores.modelId;
    m[QStringLiteral("kind")] = QString::fromStdString(model->card().kind);
    m[QStringLiteral("train_steps")] = double(model->card().trainSteps);
    m[QStringLiteral("train_seconds")] = model->card().trainSeconds;
    m[QStringLiteral("normal_cells")] = int(scores.normal.size());
    m[QStringLiteral("abnormal_cells")] = int(scores.abnormal.size());
    m[QStringLiteral("auc_confidence")] = scores.confidenceAuc;
    m[QStringLiteral("auc_zeta")] = scores.zetaAuc;
    if (options.nullGain)
        m[QStringLiteral("auc_null_gain")] = scores.gainAuc;
    if (!std::isnan(scores.evidenceAuc))
        m[QStringLiteral("auc_evidence")] = scores.evidenceAuc;
    if (!std::isnan(scores.profileAuc))
        m[QStringLiteral("auc_profile")] = scores.profileAuc;
    m[QStringLiteral("abnormal_queued")] = scores.abnormalQueued;
    m[QStringLiteral("abnormal_unidentified")] = scores.abnormalUnidentified;
    m[QStringLiteral("normal_queued")] = scores.normalQueued;
    m[QStringLiteral("normal_unidentified")] = scores.normalUnidentified;
    m[QStringLiteral("normal_balanced_accuracy")] = scores.normalAccuracy;
    return scores;
}

// One ROC figure with every model and score, and Figure 3's densities per
// model (confidence normalised to its maximum).
void writeAnomalyPlots(const std::vector<ModelScores> &results, const QString &excluded, const QDir &dir, QJsonObject &json)
{
    std::vector<evaluation::NamedRoc> rocs;
    for (const auto &r : results) {
        const std::uint32_t colour = r.role == QLatin1String("baseline") ? evaluation::kBaselineColour
                                                                         : evaluation::kDiffusionColour;
        rocs.push_back({r.role.toStdString() + " confidence",
                        evaluation::rocCurve(pick(r.abnormal, negConfidence), pick(r.normal, negConfidence)),
                        r.confidenceAuc, colour});
        if (r.role != QLatin1String("baseline")) // the baseline's zeta is its negated confidence
            rocs.push_back({r.role.toStdString() + " zeta", evaluation::rocCurve(pick(r.abnormal, zeta), pick(r.normal, zeta)),
                            r.zetaAuc, 0x009e73});
        if (!std::isnan(r.gainAuc))
            rocs.push_back({r.role.toStdString() + " class gain",
                            evaluation::rocCurve(pick(r.abnormal, negGain), pick(r.normal, negGain)), r.gainAuc,
                            0xcc79a7});
        if (!std::isnan(r.profileAuc))
            rocs.push_back({r.role.toStdString() + " error profile",
                            evaluation::rocCurve(pick(r.abnormal, profileScore), pick(r.normal, profileScore)),
                            r.profileAuc, r.role == QLatin1String("baseline") ? 0x56b4e9u : 0xd55e00u});
    }
    writeChart(evaluation::rocChart("Unseen class '" + excluded.toStdString() + "' vs known classes", rocs), dir,
               QStringLiteral("roc.png"), json);
    for (const auto &r : results) {
        auto chart = evaluation::kdeChart(r.role.toStdString() + ": confidence, normal vs " + excluded.toStdString(),
                                          "Confidence (normalised to the maximum)", pick(r.normal, confidence),
                                          pick(r.abnormal, confidence), r.confidenceAuc);
        writeChart(chart, dir, QStringLiteral("kde_%1_confidence.png").arg(r.role), json);
        if (r.role != QLatin1String("baseline"))
            writeChart(evaluation::kdeChart(r.role.toStdString() + ": zeta anomaly score", "zeta anomaly score",
                                            pick(r.normal, zeta), pick(r.abnormal, zeta), r.zetaAuc, false),
                       dir, QStringLiteral("kde_%1_zeta.png").arg(r.role), json);
        if (!std::isnan(r.gainAuc))
            writeChart(evaluation::kdeChart(r.role.toStdString() + ": class gain over the null class",
                                            "best class's error gain over the null class", pick(r.normal, gain),
                                            pick(r.abnormal, gain), r.gainAuc, false),
                       dir, QStringLiteral("kde_%1_gain.png").arg(r.role), json);
    }
}

QString anomalyMarkdown(const QString &data, const AnomalyStudy &study, const QString &protocol,
                        const std::vector<ModelScores> &results, const QJsonArray &plots)
{
    QString md;
    QTextStream text(&md);
    text << "# Anomaly detection: '" << study.excluded << "' never seen in training\n\n";
    text << "Data " << data << "; normal cells from the " << study.split
         << " part, cells of the left-out class from "
         << (study.abnormalSplit == QLatin1String("all") ? QStringLiteral("every part")
                                                     : QStringLiteral("the %1 part").arg(study.abnormalSplit))
         << ". Protocol " << protocol
         << ". AUC: probability that a left-out cell scores as more anomalous than a normal one (paper: "
            "diffusion 0.976, ViT-B/16 0.919 on PBC erythroblasts). Class gain: the null (unconditional) class's "
            "error minus the best class's, an estimate of log p(x|y) - log p(x); a low gain flags the cell. Evidence: how "
            "consistently the trials prefer the winner to the runner-up (mean paired difference over its standard "
            "deviation); low evidence flags the cell. Error profile: the model card's anomaly score (`cytodiff-cli "
            "anomaly-profile`), the distance of the other classes' errors from those of normal cells given the same "
            "call. Queued: the share the review queue shows a reviewer (default thresholds; in brackets, as "
            "Unidentified); a left-out cell not queued is a silent wrong call.\n\n";
    text << "| model | role | normal cells | left-out cells | AUC confidence | AUC zeta | AUC class gain | "
            "AUC evidence | AUC error profile | left-out queued (unidentified) | normal queued (unidentified) | "
            "balanced accuracy (normal) |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto &r : results)
        text << "| " << r.modelId << " | " << r.role << " | " << r.normal.size() << " | " << r.abnormal.size() << " | "
             << QString::number(r.confidenceAuc, 'f', 3) << " | " << QString::number(r.zetaAuc, 'f', 3) << " | "
             << (std::isnan(r.gainAuc) ? QStringLiteral("-") : QString::number(r.gainAuc, 'f', 3)) << " | "
             << (std::isnan(r.evidenceAuc) ? QStringLiteral("-") : QString::number(r.evidenceAuc, 'f', 3)) << " | "
             << (std::isnan(r.profileAuc) ? QStringLiteral("-") : QString::number(r.profileAuc, 'f', 3)) << " | "
             << studies::percent(r.abnormalQueued) << "% (" << studies::percent(r.abnormalUnidentified) << "%) | "
             << studies::percent(r.normalQueued) << "% (" << studies::percent(r.normalUnidentified) << "%) | "
             << studies::percent(r.normalAccuracy) << "% |\n";
    if (!plots.isEmpty()) {
        text << "\n";
        for (const auto &p : plots)
            text << "![" << p.toString() << "](" << p.toString() << ")\n";
    }
    return md;
}

} // namespace

int runEvaluateAnomaly(const QStringList &args)
{
    QCommandLineParser parser;
    addAnomalyOptions(parser);
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data"))
        || !parser.isSet(QStringLiteral("exclude-class")) || !parser.isSet(QStringLiteral("out"))) {
        err() << "usage: cytodiff-cli evaluate-anomaly --model M [--baseline B] --data <folder|pack> --exclude-class C "
                 "--out dir [--split test] [--per-class N] [--abnormal N] [--abnormal-split all]\n";
        return kExitUsage;
    }
    const QString split = parser.value(QStringLiteral("split"));
    const QString abnormalSplit = parser.value(QStringLiteral("abnormal-split"));
    if (!studies::isSplitName(split) || !studies::isSplitName(abnormalSplit)) {
        err() << "error: --split and --abnormal-split must be all, train, validation or test\n";
        return kExitUsage;
    }
    const QString excluded = parser.value(QStringLiteral("exclude-class"));
    auto inputs = openStudyInputs(parser);
    if (!inputs)
        return kExitBadInput;
    const QDir &dir = inputs->dir;
    const studies::EvalSource &source = inputs->source;
    if (!source.classNames().contains(excluded)) {
        err() << "error: the data has no class '" << excluded << "' (it has "
              << source.classNames().join(QStringLiteral(", ")) << ")\n";
        return kExitBadInput;
    }

    SigintCancel sigint;
    AnomalyStudy study{excluded,
                       split,
                       abnormalSplit,
                       parser.value(QStringLiteral("per-class")).toInt(),
                       parser.value(QStringLiteral("abnormal")).toInt(),
                       parser.value(QStringLiteral("seed")).toULongLong(),
                       [&sigint] { return sigint.isCancelled(); },
                       QFileInfo(parser.value(QStringLiteral("data"))).fileName()};
    const auto options = estimatorOptionsFrom(parser);

    std::vector<ModelScores> results;
    QJsonObject json;
    json[QStringLiteral("data")] = parser.value(QStringLiteral("data"));
    json[QStringLiteral("excluded_class")] = excluded;
    json[QStringLiteral("split")] = split;
    json[QStringLiteral("abnormal_split")] = abnormalSplit;
    json[QStringLiteral("protocol")] = parser.value(QStringLiteral("protocol"));
    QJsonArray modelsJson;
    for (const auto &[role, path] : studyModels(parser)) {
        auto scores = scoreModel(role, path, source, study, options, dir);
        if (!scores)
            return kExitBadInput;
        modelsJson.append(scores->json);
        results.push_back(std::move(*scores));
    }
    json[QStringLiteral("models")] = modelsJson;

    writeAnomalyPlots(results, excluded, dir, json);

    const QString md = anomalyMarkdown(parser.value(QStringLiteral("data")), study, parser.value(QStringLiteral("protocol")),
                                       results, json.value(QStringLiteral("plots")).toArray());
    out() << md;
    return writeReport(dir, QStringLiteral("anomaly"), json, md) ? kExitOk : kExitBadInput;
}

} // namespace cytodiff::cli
