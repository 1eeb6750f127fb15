// Gaussian KDE with Silverman's bandwidth.
#include "kde.h"

#include <QTest>

#include <cmath>
#include <numbers>

using namespace cytodiff::evaluation;

class TestKde : public QObject {
    Q_OBJECT

private slots:
    void silvermanByHand()
    {
        // 1..5: sd = sqrt(2.5), IQR = 4 - 2 = 2 -> 2 / 1.34 = 1.4925 < 1.5811.
        const std::vector<double> v{1, 2, 3, 4, 5};
        const double expected = 0.9 * (2.0 / 1.34) * std::pow(5.0, -0.2);
        QVERIFY(std::abs(silvermanBandwidth(v) - expected) < 1e-12);
        QVERIFY(silvermanBandwidth({3, 3, 3}) > 0);
        QCOMPARE(silvermanBandwidth({}), 0.0);
    }

    void singlePointIsANormalDensity()
    {
        const auto d = gaussianKde({0.0}, {0.0, 1.0}, 1.0);
        QVERIFY(std::abs(d[0] - 1.0 / std::sqrt(2 * std::numbers::pi)) < 1e-12);
        QVERIFY(std::abs(d[1] - std::exp(-0.5) / std::sqrt(2 * std::numbers::pi)) < 1e-12);
    }

    void integratesToOne()
    {
        const std::vector<double> v{0.1, 0.2, 0.25, 0.7, 0.9, 0.95};
        const auto grid = linspace(-3, 4, 2001);
        const auto d = gaussianKde(v, grid);
        double area = 0;
        for (std::size_t i = 1; i < grid.size(); ++i)
            area += 0.5 * (d[i] + d[i - 1]) * (grid[i] - grid[i - 1]);
        QVERIFY2(std::abs(area - 1.0) < 1e-3, qPrintable(QString::number(area)));
    }
};

QTEST_APPLESS_MAIN(TestKde)
#include "test_kde.moc"
