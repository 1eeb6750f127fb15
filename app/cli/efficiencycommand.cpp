// cytodiff-cli evaluate-efficiency (paper section 3.10, Figure 4): for each
// training-set size, resample that many training cells per class (seeded,
// per repeat), train the diffusion model and the baseline with the same
// budget, and measure balanced accuracy on the same test cells.
#include "commands.h"

#include "chartoutput.h"
#include "clistream.h"
#include "clisupport.h"
#include "efficiencystudy.h"
#include "labelledset.h"
#include "studyoptions.h"
#include "trainer.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <optional>

namespace cytodiff::cli {
namespace {

// The trainer's own defaults, so the study and `train` cannot drift apart.
const double kDefaultLearningRate = engine::TrainOptions{}.learningRate;
const int kDefaultBatch = engine::TrainOptions{}.batchSize;

std::vector<double> parseList(const QString &text, bool *ok)
{
    std::vector<double> values;
    *ok = true;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool good = false;
        const double v = part.trimmed().toDouble(&good);
        if (!good || v <= 0)
            *ok = false;
        values.push_back(v);
    }
    if (values.empty())
        *ok = false;
    return values;
}

std::vector<int> intList(const QString &text)
{
    std::vector<int> values;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        values.push_back(part.trimmed().toInt());
    return values;
}

// The JSON per size and the markdown rows (size, budget, then mean ± SD
// per kind, "(k of R)" where repeats are missing).
QJsonArray efficiencyTable(const std::vector<studies::EfficiencyMeasurement> &measured,
                           const studies::EfficiencyOptions &study, QTextStream &rows)
{
    QJsonArray sizesJson;
    if (study.roles.empty())
        return sizesJson;
    for (std::size_t at = 0; at < measured.size(); at += study.roles.size()) {
        QJsonObject sizeJson;
        sizeJson[QStringLiteral("per_class")] = measured[at].perClass;
        sizeJson[QStringLiteral("budget")] = measured[at].budget;
        rows << "| " << measured[at].perClass << " | " << measured[at].budget << " |";
        for (std::size_t ri = 0; ri < study.roles.size(); ++ri) {
            const auto &m = measured[at + ri];
            QJsonObject json;
            json[QStringLiteral("balanced_accuracy")] = QJsonArray::fromVariantList(
                QVariantList(m.balancedAccuracy.begin(), m.balancedAccuracy.end()));
            if (m.balancedAccuracy.empty()) {
                // Only with --recorded-only: nothing of this size and kind yet.
                sizeJson[m.role] = json;
                rows << " – (0 of " << study.repeats << ") |";
                continue;
            }
            json[QStringLiteral("mean")] = studies::mean(m.balancedAccuracy);
            json[QStringLiteral("sd")] = studies::standardDeviation(m.balancedAccuracy);
            json[QStringLiteral("train_seconds")] =
                QJsonArray::fromVariantList(QVariantList(m.trainSeconds.begin(), m.trainSeconds.end()));
            json[QStringLiteral("model_sha256")] = QJsonArray::fromStringList(m.modelSha256);
            sizeJson[m.role] = json;
            rows << " " << studies::percent(studies::mean(m.balancedAccuracy)) << " ± "
                 << studies::percent(studies::standardDeviation(m.balancedAccuracy));
            if (int(m.balancedAccuracy.size()) < study.repeats)
                rows << " (" << m.balancedAccuracy.size() << " of " << study.repeats << ")";
            rows << " |";
        }
        rows << "\n";
        sizesJson.append(sizeJson);
    }
    return sizesJson;
}

// Mean ± SD against cells per class, one series per kind.
std::vector<evaluation::MeanSdSeries> efficiencySeries(const std::vector<studies::EfficiencyMeasurement> &measured,
                                                       const studies::EfficiencyOptions &study)
{
    std::vector<evaluation::MeanSdSeries> series;
    for (const auto &role : study.roles) {
        evaluation::MeanSdSeries s;
        s.name = role.name.toStdString();
        s.rgb = role.baseline ? evaluation::kBaselineColour : evaluation::kDiffusionColour;
        for (const auto &m : measured) {
            if (m.role != role.name || m.balancedAccuracy.empty())
                continue;
            s.x.push_back(m.perClass);
            s.mean.push_back(studies::mean(m.balancedAccuracy));
            s.sd.push_back(studies::standardDeviation(m.balancedAccuracy));
        }
        series.push_back(s);
    }
    return series;
}

void addEfficiencyOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Low-data efficiency (paper section 3.10): train on N cells per class (resampled per repeat) with a fixed "
        "budget, for the diffusion model and optionally the baseline, and report balanced accuracy on the test part."));
    parser.addOption({QStringLiteral("data"), QStringLiteral("Labelled folder, .cdpack file or workspace database."), QStringLiteral("path")});
    parser.addOption({QStringLiteral("per-class"), QStringLiteral("Training cells per class (default 10,20,50,150)."), QStringLiteral("list"), QStringLiteral("10,20,50,150")});
    parser.addOption({QStringLiteral("repeats"), QStringLiteral("Resampled training sets per size (default 3)."), QStringLiteral("R"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("minutes-per-model"), QStringLiteral("Training minutes per model: one value, or one per size."), QStringLiteral("list")});
    parser.addOption({QStringLiteral("steps"), QStringLiteral("Training steps per model: one value, or one per size."), QStringLiteral("list")});
    parser.addOption({QStringLiteral("baseline-too"), QStringLiteral("Also train and measure the discriminative baseline.")});
    parser.addOption({QStringLiteral("baseline-only"), QStringLiteral("Only the baseline: one part of a study whose "
                                                                      "diffusion models another process trains.")});
    parser.addOption({QStringLiteral("test-per-class"), QStringLiteral("Test cells per class (default 50)."), QStringLiteral("N"), QStringLiteral("50")});
    parser.addOption({QStringLiteral("resolution"), QStringLiteral("Network input size (default 48)."), QStringLiteral("px"), QStringLiteral("48")});
    parser.addOption({QStringLiteral("crop"), QStringLiteral("Centre crop in source pixels (default 288)."), QStringLiteral("px"), QStringLiteral("288")});
    parser.addOption({QStringLiteral("batch"), QStringLiteral("Batch size (default %1).").arg(kDefaultBatch), QStringLiteral("B"), QString::number(kDefaultBatch)});
    parser.addOption({QStringLiteral("lr"), QStringLiteral("Peak learning rate (default %1).").arg(kDefaultLearningRate), QStringLiteral("x"), QString::number(kDefaultLearningRate)});
    const engine::NetworkConfig diffusionNet;
    const engine::NetworkConfig baselineNet = engine::baselineNetwork();
    const QString diffusionMults = QString::fromStdString(engine::joinChannelMults(diffusionNet.channelMults));
    const QString baselineMults = QString::fromStdString(engine::joinChannelMults(baselineNet.channelMults));
    parser.addOption({QStringLiteral("base-channels"), QStringLiteral("Diffusion network width (default %1).").arg(diffusionNet.baseChannels), QStringLiteral("C"), QString::number(diffusionNet.baseChannels)});
    parser.addOption({QStringLiteral("channel-mults"), QStringLiteral("Diffusion width multipliers (default %1).").arg(diffusionMults), QStringLiteral("list"), diffusionMults});
    parser.addOption({QStringLiteral("baseline-channels"), QStringLiteral("Baseline width (default %1).").arg(baselineNet.baseChannels), QStringLiteral("C"), QString::number(baselineNet.baseChannels)});
    parser.addOption({QStringLiteral("baseline-mults"), QStringLiteral("Baseline width multipliers (default %1).").arg(baselineMults), QStringLiteral("list"), baselineMults});
    parser.addOption({QStringLiteral("validation-cells"), QStringLiteral("Validation cells used after training to fit the error "
                                                                         "scale (default 64)."), QStringLiteral("N"), QStringLiteral("64")});
    parser.addOption({QStringLiteral("resume"), QStringLiteral("Reuse the results an earlier run of this study recorded in "
                                                               "--out/results and the models it left in --out/models "
                                                               "when they come from the same cells, budget and settings, "
                                                               "and continue the model it was training from its "
                                                               "checkpoint (a long study spans sessions).")});
    parser.addOption({QStringLiteral("recorded-only"), QStringLiteral("Train and measure nothing: report the results "
                                                                      "recorded in --out/results so far (a study "
                                                                      "that spans sessions, mid-way).")});
    addClassifyOptions(parser);
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for efficiency.json/.md/.png, the trained models and "
                                                            "each model's recorded result."), QStringLiteral("dir")});
}

// The kinds of model (diffusion unless --baseline-only; the baseline with
// --baseline-too) with their networks, and the training and test settings.
void addRolesAndSettings(const QCommandLineParser &parser, studies::EfficiencyOptions &study)
{
    if (!parser.isSet(QStringLiteral("baseline-only"))) {
        studies::EfficiencyRole diffusion{QStringLiteral("diffusion"), false, engine::NetworkConfig{}};
        diffusion.network.baseChannels = parser.value(QStringLiteral("base-channels")).toInt();
        diffusion.network.channelMults = intList(parser.value(QStringLiteral("channel-mults")));
        study.roles.push_back(diffusion);
    }
    if (parser.isSet(QStringLiteral("baseline-too")) || parser.isSet(QStringLiteral("baseline-only"))) {
        studies::EfficiencyRole baseline{QStringLiteral("baseline"), true, engine::baselineNetwork()};
        baseline.network.baseChannels = parser.value(QStringLiteral("baseline-channels")).toInt();
        baseline.network.channelMults = intList(parser.value(QStringLiteral("baseline-mults")));
        study.roles.push_back(baseline);
    }
    study.batchSize = parser.value(QStringLiteral("batch")).toInt();
    study.learningRate = parser.value(QStringLiteral("lr")).toDouble();
    study.validationCells = parser.value(QStringLiteral("validation-cells")).toInt();
    study.classify = estimatorOptionsFrom(parser);
    study.seed = parser.value(QStringLiteral("seed")).toULongLong();
    study.recordedOnly = parser.isSet(QStringLiteral("recorded-only"));
    study.resume = study.recordedOnly || parser.isSet(QStringLiteral("resume"));
}

QString efficiencyMarkdown(const QString &data, int testCells, const studies::EfficiencyOptions &study,
                           const QString &table, bool withPlot)
{
    QString md;
    QTextStream text(&md);
    text << "# Low-data efficiency\n\n";
    text << "Data " << data << ", " << testCells << " test cells; "
         << study.repeats << " resampled training sets per size; budget per model in "
         << (study.byMinutes ? "minutes" : "steps") << " (column 2), " << engine::threadCount() << " thread(s). "
         << "Balanced accuracy, mean ± SD (%)"
         << (study.recordedOnly ? " of the results recorded so far ((k of R): repeats measured)" : "")
         << ":\n\n| cells per class | budget |";
    for (const auto &role : study.roles)
        text << " " << role.name << " |";
    text << "\n|---|---|";
    for (std::size_t i = 0; i < study.roles.size(); ++i)
        text << "---|";
    text << "\n" << table;
    if (withPlot)
        text << "\n![efficiency.png](efficiency.png)\n";
    return md;
}

} // namespace

int runEvaluateEfficiency(const QStringList &args)
{
    QCommandLineParser parser;
    addEfficiencyOptions(parser);
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    const bool byMinutes = parser.isSet(QStringLiteral("minutes-per-model"));
    if (!parser.isSet(QStringLiteral("data")) || !parser.isSet(QStringLiteral("out"))
        || byMinutes == parser.isSet(QStringLiteral("steps"))) {
        err() << "usage: cytodiff-cli evaluate-efficiency --data D --out dir (--minutes-per-model X | --steps N) "
                 "[--per-class 10,20,50,150] [--repeats R] [--baseline-too]\n";
        return kExitUsage;
    }
    bool ok = false;
    const auto sizesD = parseList(parser.value(QStringLiteral("per-class")), &ok);
    bool budgetOk = false;
    auto budget = parseList(parser.value(byMinutes ? QStringLiteral("minutes-per-model") : QStringLiteral("steps")), &budgetOk);
    const int repeats = parser.value(QStringLiteral("repeats")).toInt();
    if (!ok || !budgetOk || repeats < 1 || (budget.size() != 1 && budget.size() != sizesD.size())) {
        err() << "error: --per-class and the budget need positive numbers (the budget: one value or one per size), "
                 "--repeats at least 1\n";
        return kExitUsage;
    }
    if (budget.size() == 1)
        budget.assign(sizesD.size(), budget.front());
    auto dir = makeOutputDir(parser.value(QStringLiteral("out")));
    if (!dir || !dir->mkpath(QStringLiteral("models")) || !dir->mkpath(QStringLiteral("results"))) {
        err() << "error: cannot create " << parser.value(QStringLiteral("out")) << "\n";
        return kExitBadInput;
    }
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    QStringList skipped;
    auto loaded = dataset::loadTrainingData(parser.value(QStringLiteral("data")), parser.value(QStringLiteral("resolution")).toInt(),
                                   parser.value(QStringLiteral("crop")).toInt(), {}, &skipped);
    if (!loaded) {
        err() << "error: " << QString::fromStdString(loaded.error()) << "\n";
        return kExitBadInput;
    }
    for (const QString &line : skipped)
        err() << "skipped " << line << "\n";
    auto data = std::make_shared<const engine::TrainingData>(std::move(*loaded));
    const auto testItems = studies::selectItems(studies::EvalSource::fromTrainingData(data).items(), QStringLiteral("test"),
                                       parser.value(QStringLiteral("test-per-class")).toInt());
    if (testItems.isEmpty()) {
        err() << "error: the data has no test cells\n";
        return kExitBadInput;
    }

    studies::EfficiencyOptions study;
    for (double n : sizesD)
        study.perClass.push_back(int(n));
    study.budget = budget;
    study.byMinutes = byMinutes;
    study.repeats = repeats;
    addRolesAndSettings(parser, study);
    study.dir = *dir;
    SigintCancel sigint;
    studies::EfficiencyCallbacks callbacks;
    callbacks.notice = [](const QString &message) { err() << message << "\n"; };
    callbacks.testing = terminalProgress;
    callbacks.stop = [&sigint] { return sigint.isCancelled(); };
    QElapsedTimer total;
    total.start();
    const auto measured = studies::runEfficiencyStudy(data, testItems, study, callbacks);
    if (!measured) {
        err() << "error: " << QString::fromStdString(measured.error()) << "\n";
        return kExitBadInput;
    }

    QJsonObject json;
    json[QStringLiteral("data")] = parser.value(QStringLiteral("data"));
    json[QStringLiteral("data_hash")] = QString::fromStdString(data->contentHash());
    json[QStringLiteral("test_cells")] = int(testItems.size());
    json[QStringLiteral("repeats")] = repeats;
    json[QStringLiteral("budget_unit")] = byMinutes ? QStringLiteral("minutes") : QStringLiteral("steps");
    json[QStringLiteral("protocol")] = parser.value(QStringLiteral("protocol"));
    json[QStringLiteral("threads")] = engine::threadCount();
    json[QStringLiteral("recorded_only")] = study.recordedOnly;
    QString table;
    QTextStream rows(&table);
    const QJsonArray sizesJson = efficiencyTable(*measured, study, rows);
    std::vector<evaluation::MeanSdSeries> series = efficiencySeries(*measured, study);
    json[QStringLiteral("sizes")] = sizesJson;
    json[QStringLiteral("seconds")] = total.elapsed() / 1000.0;
    writeChart(evaluation::meanSdChart("Low-data efficiency (mean ± SD, " + std::to_string(repeats) + " resamples)",
                                       "Training cells per class", "Balanced accuracy", series, true),
               *dir, QStringLiteral("efficiency.png"), json);

    const QString md = efficiencyMarkdown(parser.value(QStringLiteral("data")), int(testItems.size()), study, table,
                                          json.contains(QStringLiteral("plots")));
    out() << md;
    return writeReport(*dir, QStringLiteral("efficiency"), json, md) ? kExitOk : kExitBadInput;
}

} // namespace cytodiff::cli
