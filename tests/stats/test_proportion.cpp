// Wilson interval, exact binomial test, sensitivity / specificity: every
// expected value below is worked out by hand in the comment next to it.

#include "proportion.h"

#include <QTest>

#include <cmath>

using namespace cytodiff::stats;

namespace {
bool near(double a, double b, double tolerance = 1e-6)
{
    return std::fabs(a - b) <= tolerance;
}
} // namespace

class TestProportion : public QObject {
    Q_OBJECT

private slots:
    void wilsonEightOfTen()
    {
        // k = 8, n = 10, z = 1.959964, z^2 = 3.841459
        // p = 0.8; denominator = 1 + z^2/n = 1.3841459
        // centre = (0.8 + z^2/20) / 1.3841459 = (0.8 + 0.1920729) / 1.3841459 = 0.7167401
        // half = z * sqrt(0.8*0.2/10 + z^2/400) / 1.3841459
        //      = 1.959964 * sqrt(0.016 + 0.0096036) / 1.3841459 = 1.959964 * 0.1600113 / 1.3841459
        //      = 0.2265777
        // -> [0.4901625, 0.9433178]
        const Interval ci = wilsonInterval(8, 10);
        QVERIFY2(near(ci.low, 0.4901625), qPrintable(QString::number(ci.low, 'g', 10)));
        QVERIFY2(near(ci.high, 0.9433178), qPrintable(QString::number(ci.high, 'g', 10)));
    }

    void wilsonZeroOfTen()
    {
        // k = 0: p = 0, centre = half = (z^2/20) / 1.3841459 = 0.1387664
        // -> low = 0, high = 2 * 0.1387664 = 0.2775328 (not the Wald [0, 0])
        const Interval ci = wilsonInterval(0, 10);
        QCOMPARE(ci.low, 0.0);
        QVERIFY2(near(ci.high, 0.2775328), qPrintable(QString::number(ci.high, 'g', 10)));
    }

    void wilsonFiftyFiveOfHundred()
    {
        // k = 55, n = 100: denominator = 1.03841459
        // centre = (0.55 + 0.01920729) / 1.03841459 = 0.5481533
        // half = 1.959964 * sqrt(0.002475 + 0.000096036) / 1.03841459
        //      = 1.959964 * 0.0507054 / 1.03841459 = 0.0957043
        // -> [0.4524460, 0.6438546]
        const Interval ci = wilsonInterval(55, 100);
        QVERIFY(near(ci.low, 0.4524460));
        QVERIFY(near(ci.high, 0.6438546));
    }

    void wilsonWithoutTrialsIsUninformative()
    {
        const Interval ci = wilsonInterval(0, 0);
        QCOMPARE(ci.low, 0.0);
        QCOMPARE(ci.high, 1.0);
    }

    void binomialPointProbabilities()
    {
        // C(10, 8) / 2^10 = 45 / 1024
        QVERIFY(near(binomialProbability(8, 10, 0.5), 45.0 / 1024.0, 1e-12));
        // C(4, 3) 0.25^3 0.75 = 4 * 0.015625 * 0.75 = 0.046875
        QVERIFY(near(binomialProbability(3, 4, 0.25), 0.046875, 1e-12));
        QCOMPARE(binomialProbability(11, 10, 0.5), 0.0);
        QCOMPARE(binomialProbability(0, 5, 0.0), 1.0);
    }

    void binomialTestAgainstHalf()
    {
        // k = 8, n = 10, p = 0.5: outcomes as unlikely as 8 are 0, 1, 2, 8, 9, 10:
        // (1 + 10 + 45 + 45 + 10 + 1) / 1024 = 112 / 1024 = 0.109375
        QVERIFY(near(binomialTestTwoSided(8, 10), 0.109375, 1e-12));
        // The mirror image gives the same p.
        QVERIFY(near(binomialTestTwoSided(2, 10), 0.109375, 1e-12));
        // k = 0, n = 5: outcomes 0 and 5, 2 / 32 = 0.0625
        QVERIFY(near(binomialTestTwoSided(0, 5), 0.0625, 1e-12));
        // k = 5, n = 10: every outcome is at most as likely as the mode -> 1
        QVERIFY(near(binomialTestTwoSided(5, 10), 1.0, 1e-12));
        // k = 3, n = 6 (mode) -> 1; k = 6, n = 6: 2 / 64 = 0.03125
        QVERIFY(near(binomialTestTwoSided(6, 6), 0.03125, 1e-12));
        QCOMPARE(binomialTestTwoSided(0, 0), 1.0);
    }

    void binomialTestAgainstOtherP()
    {
        // n = 4, p = 0.25: P(0..4) = 0.31640625, 0.421875, 0.2109375, 0.046875, 0.00390625.
        // Observed k = 3 (0.046875): outcomes at most as likely are 3 and 4:
        // 0.046875 + 0.00390625 = 0.05078125 (an asymmetric example: no
        // doubling of one tail).
        QVERIFY(near(binomialTestTwoSided(3, 4, 0.25), 0.05078125, 1e-12));
        // Observed k = 2 (0.2109375): outcomes 2, 3, 4 -> 0.26171875
        QVERIFY(near(binomialTestTwoSided(2, 4, 0.25), 0.26171875, 1e-12));
        // Observed k = 0 (0.31640625): everything except k = 1 -> 1 - 0.421875 = 0.578125
        QVERIFY(near(binomialTestTwoSided(0, 4, 0.25), 0.578125, 1e-12));
    }

    void binomialTestLargeN()
    {
        // Must not overflow: 500 of 1000 against 0.5 is the mode.
        QVERIFY(near(binomialTestTwoSided(500, 1000), 1.0, 1e-9));
        const double p = binomialTestTwoSided(600, 1000);
        QVERIFY(p > 0.0 && p < 1e-9); // z = 6.3: far in the tail
    }

    void sensitivityAndSpecificity()
    {
        // Synthetic = positive. 50 synthetic images: 30 called synthetic (TP),
        // 20 called real (FN). 50 real images: 25 called real (TN), 25 called
        // synthetic (FP).
        // sensitivity = 30 / 50 = 0.6, specificity = 25 / 50 = 0.5,
        // accuracy = (30 + 25) / 100 = 0.55 (Wilson [0.4524460, 0.6438546], above).
        ConfusionCounts counts;
        for (int i = 0; i < 30; ++i)
            counts.add(true, true);
        for (int i = 0; i < 20; ++i)
            counts.add(true, false);
        for (int i = 0; i < 25; ++i)
            counts.add(false, false);
        for (int i = 0; i < 25; ++i)
            counts.add(false, true);
        QCOMPARE(counts.truePositive, std::int64_t(30));
        QCOMPARE(counts.falseNegative, std::int64_t(20));
        QCOMPARE(counts.trueNegative, std::int64_t(25));
        QCOMPARE(counts.falsePositive, std::int64_t(25));
        const Proportion sens = sensitivity(counts);
        const Proportion spec = specificity(counts);
        const Proportion acc = accuracy(counts);
        QCOMPARE(sens.successes, std::int64_t(30));
        QCOMPARE(sens.trials, std::int64_t(50));
        QVERIFY(near(sens.value, 0.6, 1e-12));
        QVERIFY(near(spec.value, 0.5, 1e-12));
        QVERIFY(near(acc.value, 0.55, 1e-12));
        QVERIFY(near(acc.ci.low, 0.4524460));
        QVERIFY(near(acc.ci.high, 0.6438546));
    }

    void emptyCountsAreUndefinedNotNan()
    {
        const Proportion sens = sensitivity(ConfusionCounts{});
        QVERIFY(!sens.isDefined());
        QCOMPARE(sens.value, 0.0);
        QCOMPARE(sens.ci.high, 1.0);
    }
};

QTEST_APPLESS_MAIN(TestProportion)
#include "test_proportion.moc"
