// cytodiff-cli metacognition: psychometric fit and calibration summaries of
// model confidence (from `evaluate --out` per-cell files) or of model and
// expert confidence in a workspace.
#include "commands.h"

#include "chartoutput.h"
#include "clistream.h"
#include "clisupport.h"
#include "studyoptions.h"
#include "metacognition.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QTextStream>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace cytodiff::cli {
namespace {

// Each model's review queue when the other looks at the same cells (matched
// by file name): the cells on which their calls differ come first, as a
// reviewer would take them, each part least-confident first.
Result<QString> secondOpinionQueues(const QString &nameA, const std::vector<studies::CsvOutcome> &a, const QString &nameB,
                                    const std::vector<studies::CsvOutcome> &b, QJsonObject &json)
{
    QString markdown;
    QTextStream md(&markdown);
    md << "\n## Review queue with a second opinion\n\nCells on which the two models' calls differ are reviewed "
          "first, each part least-confident first; only cells in both files count. The share of the model's errors "
          "met in the first part of the queue, with its 95% bootstrap interval.\n\n"
          "| model | second opinion | cells | calls differ | errors (of them where calls differ) | errors in first 5% / 10% / 20% |\n"
          "|---|---|---|---|---|---|\n";
    QJsonArray rows;
    for (const auto &[name, own, otherName, other] :
         {std::tuple{nameA, &a, nameB, &b}, std::tuple{nameB, &b, nameA, &a}}) {
        std::map<QString, const studies::CsvOutcome *> byName;
        for (const auto &row : *other)
            byName[row.name] = &row;
        std::vector<double> confidence;
        std::vector<bool> correct, differ;
        int errorsWhereDiffer = 0;
        for (const auto &row : *own) {
            const auto match = byName.find(row.name);
            if (row.truth.isEmpty() || match == byName.end())
                continue;
            confidence.push_back(row.confidence);
            correct.push_back(row.correct);
            differ.push_back(row.predicted != match->second->predicted);
            errorsWhereDiffer += differ.back() && !row.correct ? 1 : 0;
        }
        if (confidence.empty())
            return makeError(name.toStdString() + " and " + otherName.toStdString()
                             + " share no labelled cells (cells are matched by file name)");
        const auto queue = evaluation::summariseQueue(confidence, correct, differ);
        const int errors = int(std::count(correct.begin(), correct.end(), false));
        const int differing = int(std::count(differ.begin(), differ.end(), true));
        md << "| " << name << " | " << otherName << " | " << confidence.size() << " | " << differing << " | " << errors
           << " (" << errorsWhereDiffer << ") | " << studies::queueSharesText(queue) << " |\n";
        rows.append(QJsonObject{{QStringLiteral("observer"), name},
                                {QStringLiteral("second_opinion"), otherName},
                                {QStringLiteral("cells"), int(confidence.size())},
                                {QStringLiteral("calls_differ"), differing},
                                {QStringLiteral("errors"), errors},
                                {QStringLiteral("errors_where_calls_differ"), errorsWhereDiffer},
                                {QStringLiteral("review_queue"), studies::queueSharesJson(queue)}});
    }
    json[QStringLiteral("second_opinion_queue")] = rows;
    return markdown;
}

} // namespace

int runMetacognition(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Metacognition (paper sections 1.3, 3.7): Bayesian psychometric fit of correctness against confidence, "
        "accuracy per confidence decile and the share of errors found early in the review queue. Sources: per-cell "
        "files of `evaluate --out` (cells.csv; repeat --cells to compare models), or a workspace (--db) with "
        "reference labels, predictions and expert labels."));
    parser.addOption({QStringLiteral("cells"), QStringLiteral("cells.csv written by evaluate (repeatable)."), QStringLiteral("file")});
    parser.addOption(databaseOption());
    parser.addOption({QStringLiteral("model-id"), QStringLiteral("Workspace: use this model's predictions (default: the newest)."), QStringLiteral("id")});
    parser.addOption({QStringLiteral("classes"), QStringLiteral("Number of classes K (guess rate 1/K; default: classes seen)."), QStringLiteral("K")});
    parser.addOption({QStringLiteral("bins"), QStringLiteral("Confidence bins (default 25, 12 under 500 cases)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("second-opinion"), QStringLiteral("With two --cells files: also report each model's "
                                                                       "review queue with the cells on which the other model's "
                                                                       "call differs first.")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for metacognition.json, .md and the plots."), QStringLiteral("dir")});
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    const bool fromCells = parser.isSet(QStringLiteral("cells"));
    if (!parser.isSet(QStringLiteral("out")) || fromCells == parser.isSet(QStringLiteral("db"))) {
        err() << "usage: cytodiff-cli metacognition (--cells cells.csv [--cells other.csv] | --db workspace) --out dir "
                 "[--classes K] [--bins N] [--second-opinion]\n";
        return kExitUsage;
    }
    const bool secondOpinion = parser.isSet(QStringLiteral("second-opinion"));
    if (secondOpinion && (!fromCells || parser.values(QStringLiteral("cells")).size() != 2)) {
        err() << "error: --second-opinion compares two models: give exactly two --cells files\n";
        return kExitUsage;
    }
    std::vector<studies::ObserverSeries> series;
    std::vector<std::vector<studies::CsvOutcome>> files;
    int classes = 0;
    QString title;
    if (fromCells) {
        std::set<QString> seen;
        for (const QString &path : parser.values(QStringLiteral("cells"))) {
            auto rows = studies::readOutcomesCsv(path);
            if (!rows) {
                err() << "error: " << QString::fromStdString(rows.error()) << "\n";
                return kExitBadInput;
            }
            studies::ObserverSeries s;
            const QFileInfo info(path);
            s.observer = info.completeBaseName() == QLatin1String("cells") ? info.dir().dirName() : info.completeBaseName();
            s.signal = QStringLiteral("model confidence");
            for (const auto &row : *rows) {
                if (row.truth.isEmpty())
                    continue;
                s.confidence.push_back(row.confidence);
                s.correct.push_back(row.correct);
                seen.insert(row.truth);
                if (!row.predicted.isEmpty())
                    seen.insert(row.predicted);
            }
            if (s.confidence.empty()) {
                err() << "error: " << path << " has no cells with a known class\n";
                return kExitBadInput;
            }
            series.push_back(std::move(s));
            files.push_back(std::move(*rows));
        }
        classes = int(seen.size());
        title = QStringLiteral("Metacognition: model confidence vs correctness");
    } else {
        auto database = openDatabaseFromOption(parser.value(QStringLiteral("db")));
        if (!database) {
            err() << "error: " << QString::fromStdString(database.error()) << "\n";
            return kExitBadInput;
        }
        auto observers = studies::workspaceObservers(*database, parser.value(QStringLiteral("model-id")));
        if (!observers) {
            err() << "error: " << QString::fromStdString(observers.error()) << "\n";
            return kExitBadInput;
        }
        series = observers->series;
        classes = observers->numClasses;
        title = QStringLiteral("Metacognition in workspace %1 (model %2)")
                    .arg(parser.value(QStringLiteral("db")), observers->modelId.isEmpty() ? QStringLiteral("none") : observers->modelId);
    }
    if (parser.isSet(QStringLiteral("classes")))
        classes = parser.value(QStringLiteral("classes")).toInt();
    if (classes < 2) {
        err() << "error: the guess rate needs at least two classes; give --classes K\n";
        return kExitUsage;
    }
    auto dir = makeOutputDir(parser.value(QStringLiteral("out")));
    if (!dir) {
        err() << "error: " << QString::fromStdString(dir.error()) << "\n";
        return kExitBadInput;
    }
    auto report = studies::buildMetacognitionReport(title, series, classes, parser.value(QStringLiteral("bins")).toInt());
    if (secondOpinion) {
        if (auto section = secondOpinionQueues(series[0].observer, files[0], series[1].observer, files[1], report.json);
            !section) {
            err() << "error: " << QString::fromStdString(section.error()) << "\n";
            return kExitBadInput;
        } else {
            report.markdown += *section;
        }
    }
    for (const auto &observer : report.observers)
        writeChart(observer.chart, *dir, observer.plotName, report.json);
    if (report.json.contains(QStringLiteral("plots"))) {
        report.markdown += QStringLiteral("\n");
        for (const auto &p : report.json.value(QStringLiteral("plots")).toArray())
            report.markdown += QStringLiteral("![%1](%1)\n").arg(p.toString());
    }
    out() << report.markdown;
    return writeReport(*dir, QStringLiteral("metacognition"), report.json, report.markdown) ? kExitOk : kExitBadInput;
}

} // namespace cytodiff::cli
