// ROC AUC against values worked out by hand (pair counting), ties counted
// one half, and the curve's area equal to the rank statistic.
#include "roc.h"

#include <QTest>

#include <cmath>

using namespace cytodiff::evaluation;

class TestRoc : public QObject {
    Q_OBJECT

private slots:
    void handComputedWithOneTie()
    {
        // Pairs won by the positives: 0.9 -> 4, 0.8 -> 4, 0.4 -> 2 + one tie
        // (0.5) = 10.5 of 3 x 4 = 12 pairs.
        const std::vector<double> positives{0.9, 0.8, 0.4};
        const std::vector<double> negatives{0.7, 0.4, 0.1, 0.3};
        QCOMPARE(rocAuc(positives, negatives), 10.5 / 12.0);
        QVERIFY(std::abs(areaUnder(rocCurve(positives, negatives)) - 10.5 / 12.0) < 1e-12);
    }

    void handComputedSmallExample()
    {
        // Positives {2, 4}, negatives {1, 3, 5}: 2 beats 1 (1 pair), 4 beats
        // 1 and 3 (2 pairs) -> 3 of 6.
        QCOMPARE(rocAuc({2, 4}, {1, 3, 5}), 0.5);
        // Positives {3, 3, 6}, negatives {3, 1}: 3 -> 1 + 0.5 each, 6 -> 2:
        // (1.5 + 1.5 + 2) / 6.
        QCOMPARE(rocAuc({3, 3, 6}, {3, 1}), 5.0 / 6.0);
    }

    void extremes()
    {
        QCOMPARE(rocAuc({5, 6, 7}, {1, 2}), 1.0);
        QCOMPARE(rocAuc({1, 2}, {5, 6, 7}), 0.0);
        QCOMPARE(rocAuc({1, 1, 1}, {1, 1}), 0.5);
        QVERIFY(std::isnan(rocAuc({}, {1.0})));
        QVERIFY(std::isnan(rocAuc({1.0}, {})));
    }

    void curveRunsFromCornerToCorner()
    {
        const auto curve = rocCurve({0.9, 0.8, 0.4}, {0.7, 0.4, 0.1, 0.3});
        QVERIFY(curve.size() >= 2);
        QCOMPARE(curve.front().falsePositiveRate, 0.0);
        QCOMPARE(curve.front().truePositiveRate, 0.0);
        QCOMPARE(curve.back().falsePositiveRate, 1.0);
        QCOMPARE(curve.back().truePositiveRate, 1.0);
        // The tie at 0.4 moves both rates in one step.
        bool sawDiagonalStep = false;
        for (std::size_t i = 1; i < curve.size(); ++i) {
            QVERIFY(curve[i].falsePositiveRate >= curve[i - 1].falsePositiveRate);
            QVERIFY(curve[i].truePositiveRate >= curve[i - 1].truePositiveRate);
            if (curve[i].threshold == 0.4) {
                QCOMPARE(curve[i].falsePositiveRate - curve[i - 1].falsePositiveRate, 0.25);
                QVERIFY(std::abs(curve[i].truePositiveRate - curve[i - 1].truePositiveRate - 1.0 / 3) < 1e-12);
                sawDiagonalStep = true;
            }
        }
        QVERIFY(sawDiagonalStep);
    }

    void areaMatchesRankStatisticOnManyTies()
    {
        std::vector<double> p, n;
        for (int i = 0; i < 50; ++i) {
            p.push_back(double((i * 7) % 5));
            n.push_back(double((i * 3) % 4));
        }
        QVERIFY(std::abs(areaUnder(rocCurve(p, n)) - rocAuc(p, n)) < 1e-12);
    }
};

QTEST_APPLESS_MAIN(TestRoc)
#include "test_roc.moc"
