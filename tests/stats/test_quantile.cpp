// The one quantile rule (type 7), against values computed by hand and
// checked with R's quantile(x, type = 7).
#include "quantile.h"

#include <QTest>

#include <cmath>

using namespace cytodiff::stats;

class TestQuantile : public QObject {
    Q_OBJECT
private slots:
    void interpolatesBetweenOrderStatistics()
    {
        QCOMPARE(quantile({4, 1, 3, 2}, 0.5), 2.5);
        QCOMPARE(quantile({4, 1, 3, 2}, 0.0), 1.0);
        QCOMPARE(quantile({4, 1, 3, 2}, 1.0), 4.0);
        // R: quantile(c(10, 20, 40), c(0.25, 0.9), type = 7) = 15, 36
        QCOMPARE(quantile({40, 10, 20}, 0.25), 15.0);
        QCOMPARE(quantile({40, 10, 20}, 0.9), 36.0);
        QCOMPARE(quantile({7}, 0.3), 7.0);
    }

    void sortedInputGivesTheSame()
    {
        const std::vector<double> sorted{1, 2, 3, 4, 8};
        for (double q : {0.0, 0.01, 0.25, 0.5, 0.77, 0.99, 1.0})
            QCOMPARE(sortedQuantile(sorted, q), quantile({8, 3, 1, 4, 2}, q));
    }

    void clampsAndRefusesEmpty()
    {
        QCOMPARE(quantile({1, 2}, -0.5), 1.0);
        QCOMPARE(quantile({1, 2}, 1.5), 2.0);
        QVERIFY(std::isnan(quantile({}, 0.5)));
        QVERIFY(std::isnan(sortedQuantile({}, 0.5)));
    }
};

QTEST_APPLESS_MAIN(TestQuantile)
#include "test_quantile.moc"
