// The report plots (ui/reportplots) render charts to PNG offscreen, and
// View > Reports shows the calibration summary and the psychometric plots
// for a workspace with labelled, predicted and expert-labelled cells.
#include "chart.h"
#include "database.h"
#include "reportplots.h"
#include "reportsdialog.h"
#include "uitesthelpers.h"

#include <QImage>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace cytodiff;

class TestReportsDialog : public QObject {
    Q_OBJECT

private slots:
    void chartRendersToPng()
    {
#ifndef CYTODIFF_HAVE_QCUSTOMPLOT
        QSKIP("built without QCustomPlot");
#endif
        QTemporaryDir dir;
        evaluation::Chart chart = evaluation::meanSdChart("efficiency", "cells per class", "balanced accuracy",
                                                          {{"diffusion", {10, 20, 50}, {0.5, 0.6, 0.8}, {0.05, 0.04, 0.02}}}, true);
        chart.notes.push_back("a note");
        const QString path = dir.filePath(QStringLiteral("chart.png"));
        auto written = ui::saveChartPng(chart, path);
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().c_str());
        QImage image(path);
        QCOMPARE(image.size(), QSize(chart.width, chart.height));
        // Something was drawn in the series colour.
        bool blue = false;
        for (int y = 0; y < image.height() && !blue; y += 2)
            for (int x = 0; x < image.width() && !blue; x += 2)
                blue = image.pixelColor(x, y) == QColor(0x1f, 0x6f, 0xb5);
        QVERIFY(blue);
    }

    void reportsForAWorkspace()
    {
        auto database = db::Database::openInMemory();
        QVERIFY(database.ok());
        auto caseId = database->createCase({QStringLiteral("c1"), QStringLiteral("S-1"), {}, {}, {}, {}, {}});
        QVERIFY(caseId.ok());
        auto expert = database->addLabeller(QStringLiteral("Ada"), 10);
        QVERIFY(expert.ok());
        const QStringList classes = {QStringLiteral("neutrophil"), QStringLiteral("lymphocyte"), QStringLiteral("monocyte"),
                                     QStringLiteral("eosinophil")};
        for (int i = 0; i < 80; ++i) {
            auto cell = database->insertCell(uitest::makeNewCell(*caseId, i, classes.at(i % 4), classes.at(i % 4)));
            QVERIFY(cell.ok());
            // Confident calls are right, unsure ones often wrong.
            const double confidence = (i * 37 % 80) / 80.0;
            const bool right = confidence > 0.3 || i % 3 == 0;
            QVERIFY(database->insertPrediction(cell->cellId, QStringLiteral("m@1"),
                                               right ? classes.at(i % 4) : classes.at((i + 1) % 4), confidence, 0.0, {}, 10).ok());
            QVERIFY(database->addExpertLabel(cell->cellId, *expert, i % 5 ? classes.at(i % 4) : classes.at((i + 2) % 4),
                                             i % 5 ? db::LabelConfidence::High : db::LabelConfidence::Moderate).ok());
            // A second opinion that is always right: it differs exactly where
            // the model is wrong.
            QVERIFY(database->insertSecondOpinion(cell->cellId, QStringLiteral("cnn@1"), classes.at(i % 4), 0.9).ok());
        }
        ui::ReportsDialog dialog(*database);
        QVERIFY(dialog.hasReport());
        auto *tabs = dialog.findChild<QTabWidget *>(QStringLiteral("reportPlots"));
        QVERIFY(tabs);
        QCOMPARE(tabs->count(), 4); // summary + model, model vs Ada, Ada's own confidence
        auto *summary = dialog.findChild<QTextBrowser *>(QStringLiteral("reportSummary"));
        QVERIFY(summary->toPlainText().contains(QStringLiteral("Errors in first 5% / 10% / 20% of queue [95% CI]")));
        // The model has errors, so each queue share carries its bootstrap interval.
        static const QRegularExpression shareWithInterval(QStringLiteral("\\d+% \\[\\d+%, \\d+%\\] / \\d+% \\[\\d+%, \\d+%\\] / "));
        QVERIFY2(summary->toPlainText().contains(shareWithInterval), qPrintable(summary->toPlainText()));
        // The model's queue is also shown with the second opinion's
        // disagreements first.
        QVERIFY2(summary->toPlainText().contains(QStringLiteral("second opinion differs first")), qPrintable(summary->toPlainText()));
        dialog.resize(900, 650);
        tabs->setCurrentIndex(qEnvironmentVariableIntValue("CYTODIFF_REPORTS_TAB"));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const QString shot = qEnvironmentVariable("CYTODIFF_REPORTS_SHOT");
        if (!shot.isEmpty())
            dialog.grab().save(shot);
    }

    void emptyWorkspaceSaysWhy()
    {
        auto database = db::Database::openInMemory();
        QVERIFY(database.ok());
        ui::ReportsDialog dialog(*database);
        QVERIFY(!dialog.hasReport());
        auto *summary = dialog.findChild<QTextBrowser *>(QStringLiteral("reportSummary"));
        QVERIFY(summary->toPlainText().contains(QStringLiteral("Nothing to report")));
    }
};

QTEST_MAIN(TestReportsDialog)
#include "test_reportsdialog.moc"
