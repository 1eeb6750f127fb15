#include "pairedttest.h"

#include <QTest>

using namespace cytodiff::engine;

class TestPairedTTest : public QObject {
    Q_OBJECT
private slots:
    void studentTailKnownValues_data()
    {
        // Reference values of the one-sided upper tail P(T >= t), from
        // standard t tables (two-sided critical values halved).
        QTest::addColumn<double>("t");
        QTest::addColumn<int>("df");
        QTest::addColumn<double>("p");
        QTest::newRow("t=2.228 df=10") << 2.228 << 10 << 0.025;
        QTest::newRow("t=4.032 df=5") << 4.032 << 5 << 0.005;
        QTest::newRow("t=1.645 df=inf-ish") << 1.645 << 100000 << 0.05;
        QTest::newRow("t=3.579 df=19 (p 1e-3)") << 3.579 << 19 << 0.001;
        QTest::newRow("t=0") << 0.0 << 7 << 0.5;
        QTest::newRow("t=-2.228 df=10") << -2.228 << 10 << 0.975;
    }
    void studentTailKnownValues()
    {
        QFETCH(double, t);
        QFETCH(int, df);
        QFETCH(double, p);
        const double got = studentTUpperTail(t, df);
        QVERIFY2(qAbs(got - p) < 2e-4, qPrintable(QStringLiteral("got %1 want %2").arg(got).arg(p)));
    }

    void pairedTestOnHandComputedData()
    {
        // d = {1, 2, 3, 4, 5} - {0.5, 1.0, 2.0, 3.9, 4.1} = {0.5, 1, 1, 0.1, 0.9}
        // mean 0.7, sd 0.3937, t = 0.7 / (0.3937 / sqrt 5) = 3.9757, df 4.
        const auto r = pairedTTest({1, 2, 3, 4, 5}, {0.5, 1.0, 2.0, 3.9, 4.1});
        QCOMPARE(r.degreesOfFreedom, 4);
        QVERIFY2(qAbs(r.t - 3.9757) < 1e-3, qPrintable(QString::number(r.t)));
        // One-sided p for t = 3.9757, df 4 is 0.00823.
        QVERIFY2(qAbs(r.pValue - 0.00823) < 2e-4, qPrintable(QString::number(r.pValue)));
    }

    void degenerateInputs()
    {
        QCOMPARE(pairedTTest({1.0}, {0.0}).pValue, 1.0);          // too few pairs
        QCOMPARE(pairedTTest({2, 2, 2}, {1, 1, 1}).pValue, 0.0);  // constant positive gap
        QCOMPARE(pairedTTest({1, 1, 1}, {1, 1, 1}).pValue, 0.5);  // no difference
    }

    void incompleteBetaSymmetry()
    {
        for (double x : {0.1, 0.3, 0.7, 0.95})
            QVERIFY(qAbs(regularizedIncompleteBeta(2.5, 0.5, x) + regularizedIncompleteBeta(0.5, 2.5, 1 - x) - 1) < 1e-10);
        QVERIFY(qAbs(regularizedIncompleteBeta(1, 1, 0.37) - 0.37) < 1e-12); // uniform CDF
    }
};

QTEST_APPLESS_MAIN(TestPairedTTest)
#include "test_pairedttest.moc"
