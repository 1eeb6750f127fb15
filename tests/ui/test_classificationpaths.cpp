// One cell, one call (issue 22): the GUI's background classification and
// `cytodiff-cli classify` on the same image files go through the one
// classification service, so they must agree on every cell: the class,
// the scores, the network evaluations, and whether the review queue shows
// the cell. Before the service the CLI seeded trials by position and the
// GUI by cell id, and the same cell could get two different calls.

#include "../cli/inprocesscli.h"
#include "appsettings.h"
#include "classificationjob.h"
#include "commands.h"
#include "mainwindow.h"
#include "reviewpriority.h"
#include "reviewtesthelpers.h"

#include <QFile>
#include <QMap>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using namespace cytodiff::ui;

namespace {
const QString kBaseline = QStringLiteral(CYTODIFF_SOURCE_DIR "/models/baseline-pbc8.pt");

// file name -> the CSV row's columns by header name.
QMap<QString, QMap<QString, QString>> readRows(const QString &path)
{
    QMap<QString, QMap<QString, QString>> rows;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return rows;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.isEmpty())
        return rows;
    const QStringList header = lines.first().split(QLatin1Char(','));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QStringList fields = lines.at(i).split(QLatin1Char(','));
        QMap<QString, QString> row;
        for (qsizetype c = 0; c < header.size() && c < fields.size(); ++c)
            row.insert(header.at(c), fields.at(c));
        rows.insert(fields.first().section(QLatin1Char('/'), -1), row);
    }
    return rows;
}
} // namespace

class TestClassificationPaths : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("CytoDiffTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_classificationpaths"));
        QSettings().clear();
        uitest::useTinyModel();
        // The GUI's default queue, as the CLI's `review` column judges it.
        AppSettings::setReviewThresholds(review::ReviewThresholds{});
        QVERIFY(QFile::exists(kBaseline));
    }

    void guiAndCliMakeTheSameCalls()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("SLIDE-7"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("neutrophil"), QStringLiteral("SNE"), 3},
                                          {QStringLiteral("lymphocyte"), QStringLiteral("LY"), 3},
                                          {QStringLiteral("erythroblast"), QStringLiteral("ERB"), 2}}));

        // The GUI: import, then the worker classifies with its second opinion.
        const QString workspace = dir.filePath(QStringLiteral("ws.cytodiff"));
        QMap<QString, db::CellSummary> gui;
        {
            MainWindow window;
            window.setShowImportSummary(false);
            QVERIFY(window.openWorkspace(workspace).ok());
            QSignalSpy classified(&window, &MainWindow::classificationFinished);
            QVERIFY(window.startImport(root));
            QVERIFY(classified.wait(60000));
            const auto outcome = classified.first().first().value<ClassificationOutcome>();
            QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
            QCOMPARE(outcome.classified, 8);
            QCOMPARE(outcome.secondOpinions, 8);
        }
        auto database = db::Database::open(workspace);
        QVERIFY(database.ok());
        auto cases = database->listCases();
        QVERIFY(cases.ok() && cases->size() == 1);
        auto cells = database->cellsOfCase(cases->first().id);
        QVERIFY(cells.ok());
        for (const db::CellSummary &cell : *cells)
            gui.insert(cell.originalName, cell);
        QCOMPARE(gui.size(), 8);

        // The CLI on the same files, with the GUI's settings.
        testing::InProcessCli cli;
        QVERIFY(cli.start());
        const QString csv = dir.filePath(QStringLiteral("cli.csv"));
        const auto run = cli.run(cli::runClassify, QStringLiteral("classify"),
                                 {QStringLiteral("--model"), uitest::tinyModelPath(), QStringLiteral("--second-opinion"),
                                  kBaseline, QStringLiteral("--trials-max"), QStringLiteral("8"), QStringLiteral("--threads"),
                                  QStringLiteral("1"), QStringLiteral("--out"), csv, root});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const auto rows = readRows(csv);
        QCOMPARE(rows.size(), 8);

        int queued = 0;
        for (auto it = gui.cbegin(); it != gui.cend(); ++it) {
            QVERIFY2(rows.contains(it.key()), qPrintable(it.key()));
            const auto &row = rows[it.key()];
            db::CellSummary cell = it.value();
            // Bare files carry no analyser pre-classification (the import
            // took it from the folder names), so the CLI judges without it.
            cell.labelClass.clear();
            QCOMPARE(row.value(QStringLiteral("predicted")), cell.predictedClass);
            QCOMPARE(row.value(QStringLiteral("nfe")).toInt(), cell.nfe);
            QVERIFY(qAbs(row.value(QStringLiteral("confidence")).toDouble() - cell.confidence.value_or(-1)) < 1e-5);
            for (auto score = cell.scores.cbegin(); score != cell.scores.cend(); ++score)
                QVERIFY(qAbs(row.value(QStringLiteral("score_") + score.key()).toDouble() - score.value()) < 1e-5);
            QCOMPARE(row.value(QStringLiteral("second_opinion")), cell.secondOpinionClass);
            const auto group = review::ReviewPriority::group(cell, review::ReviewThresholds{});
            const bool inQueue = review::ReviewPriority::inQueue(group);
            QCOMPARE(row.value(QStringLiteral("review")), inQueue ? QStringLiteral("yes") : QStringLiteral("no"));
            QCOMPARE(row.value(QStringLiteral("review_reason")).isEmpty(), !inQueue);
            queued += inQueue;
        }
        QVERIFY2(run.err.contains(QStringLiteral("review queue: %1 of 8 cells").arg(queued)), qPrintable(run.err));
    }
};

QTEST_MAIN(TestClassificationPaths)
#include "test_classificationpaths.moc"
