// The chart descriptions the report plots are drawn from.
#include "chart.h"
#include "psychometric.h"
#include "roc.h"

#include <QTest>

using namespace cytodiff::evaluation;

class TestChart : public QObject {
    Q_OBJECT

private slots:
    void rocChartHasChanceLineAndCurves()
    {
        const std::vector<double> p{0.9, 0.8}, n{0.1, 0.85};
        const auto chart = rocChart("ROC", {{"diffusion", rocCurve(p, n), rocAuc(p, n)}});
        QCOMPARE(chart.series.size(), std::size_t(2));
        QVERIFY(chart.series[1].name.find("AUC 0.750") != std::string::npos);
    }

    void kdeChartNormalisesToTheLargestValue()
    {
        const auto chart = kdeChart("KDE", "confidence", {2, 4, 8}, {0.5, 1}, 0.9);
        QCOMPARE(chart.series.size(), std::size_t(2));
        QCOMPARE(chart.series[0].kind, ChartSeries::Kind::Band);
        QVERIFY(chart.xMax > 1.0 && chart.xMax < 1.2);
        QCOMPARE(chart.notes.front(), std::string("AUC 0.900"));
    }

    void psychometricChartShowsDataFitAndBand()
    {
        PsychometricData data{{0.1, 0.3, 0.5, 0.7, 0.9}, {2, 5, 12, 18, 19}, {20, 20, 20, 20, 20}};
        const auto fit = fitPsychometric(data, {});
        QVERIFY(fit.ok);
        const auto chart = psychometricChart("fit", "confidence", data, fit);
        int bands = 0, points = 0, bars = 0;
        for (const auto &s : chart.series) {
            bands += s.kind == ChartSeries::Kind::Band;
            points += s.kind == ChartSeries::Kind::Points;
            bars += s.kind == ChartSeries::Kind::HBar;
        }
        QCOMPARE(bands, 1);
        QCOMPARE(points, 1);
        QCOMPARE(bars, 1);
        QCOMPARE(chart.series.back().y[2], 0.6);
    }

    void meanSdChart()
    {
        const auto chart = cytodiff::evaluation::meanSdChart("eff", "n", "bal acc", {{"diffusion", {10, 20}, {0.5, 0.6}, {0.1, 0.05}}}, true);
        QVERIFY(chart.logX);
        QCOMPARE(chart.series[0].lower[0], 0.4);
        QCOMPARE(chart.series[0].upper[1], 0.65);
        // The markers carry the same spread as error bars, visible at a single size too.
        const auto &points = chart.series[2];
        QVERIFY(points.kind == cytodiff::evaluation::ChartSeries::Kind::Points);
        QCOMPARE(points.lower[0], 0.4);
        QCOMPARE(points.upper[1], 0.65);
    }

    void meanSdLegendAvoidsTheCurvesEnd()
    {
        using cytodiff::evaluation::meanSdChart;
        // A shift ladder falls to the bottom right: the legend goes top right.
        const auto falling = meanSdChart("stain", "strength", "bal acc",
                                         {{"diffusion", {0, 0.5, 1}, {1.0, 0.77, 0.4}, {}},
                                          {"baseline", {0, 0.5, 1}, {0.97, 0.39, 0.12}, {}}},
                                         false);
        QVERIFY(falling.legendAtTop);
        // An efficiency curve rises to the top right: the legend stays bottom right.
        const auto rising = meanSdChart("eff", "n", "bal acc",
                                        {{"diffusion", {10, 50, 150}, {0.57, 0.72, 0.77}, {0.01, 0.04, 0.01}},
                                         {"baseline", {10, 50, 150}, {0.75, 0.82, 0.88}, {0.01, 0.02, 0.04}}},
                                        true);
        QVERIFY(!rising.legendAtTop);
    }
};

QTEST_APPLESS_MAIN(TestChart)
#include "test_chart.moc"
