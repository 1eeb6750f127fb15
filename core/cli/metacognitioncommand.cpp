// cytodiff-cli metacognition: psychometric fit and calibration summaries of
// model confidence (from `evaluate --out` per-cell files) or of model and
// expert confidence in a workspace.
#include "commands.h"

#include "chartoutput.h"
#include "clistream.h"
#include "clisupport.h"
#include "evaluationrun.h"
#include "metacognition.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>

#include <set>

namespace cytodiff::cli {

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
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for metacognition.json, .md and the plots."), QStringLiteral("dir")});
    if (auto stop = parseArguments(parser, args, 0, -1))
        return *stop;
    const bool fromCells = parser.isSet(QStringLiteral("cells"));
    if (!parser.isSet(QStringLiteral("out")) || fromCells == parser.isSet(QStringLiteral("db"))) {
        err() << "usage: cytodiff-cli metacognition (--cells cells.csv [--cells other.csv] | --db workspace) --out dir "
                 "[--classes K] [--bins N]\n";
        return kExitUsage;
    }
    std::vector<ObserverSeries> series;
    int classes = 0;
    QString title;
    if (fromCells) {
        std::set<QString> seen;
        for (const QString &path : parser.values(QStringLiteral("cells"))) {
            auto rows = readOutcomesCsv(path);
            if (!rows) {
                err() << "error: " << QString::fromStdString(rows.error()) << "\n";
                return kExitBadInput;
            }
            ObserverSeries s;
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
        }
        classes = int(seen.size());
        title = QStringLiteral("Metacognition: model confidence vs correctness");
    } else {
        auto database = openDatabaseFromOption(parser.value(QStringLiteral("db")));
        if (!database) {
            err() << "error: " << QString::fromStdString(database.error()) << "\n";
            return kExitBadInput;
        }
        auto observers = workspaceObservers(*database, parser.value(QStringLiteral("model-id")));
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
    auto report = buildMetacognitionReport(title, series, classes, parser.value(QStringLiteral("bins")).toInt());
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
