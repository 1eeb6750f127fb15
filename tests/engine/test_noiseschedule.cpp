#include "noiseschedule.h"

#include <QTest>

using cytodiff::engine::NoiseSchedule;

class TestNoiseSchedule : public QObject {
    Q_OBJECT
private slots:
    void alphaBarIsMonotoneAndBounded_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("cosine") << QStringLiteral("cosine");
        QTest::newRow("linear") << QStringLiteral("linear");
    }
    void alphaBarIsMonotoneAndBounded()
    {
        QFETCH(QString, name);
        NoiseSchedule schedule;
        QVERIFY(NoiseSchedule::fromName(name.toStdString(), schedule));
        QCOMPARE(QString::fromStdString(schedule.name()), name);
        double previous = 2.0;
        for (int i = 0; i <= 1000; ++i) {
            const double ab = schedule.alphaBar(i / 1000.0);
            QVERIFY2(ab <= previous, qPrintable(QStringLiteral("abar rises at t=%1").arg(i / 1000.0)));
            QVERIFY(ab >= NoiseSchedule::kMinAlphaBar && ab <= NoiseSchedule::kMaxAlphaBar);
            previous = ab;
        }
        QVERIFY(schedule.alphaBar(0.0) > 0.999);
        QVERIFY(schedule.alphaBar(1.0) < 1e-3);
    }

    void snrAndMinSnrWeight()
    {
        NoiseSchedule schedule;
        // SNR = abar / (1 - abar), falling with t.
        const double ab = schedule.alphaBar(0.3);
        QVERIFY(qAbs(schedule.snr(0.3) - ab / (1 - ab)) < 1e-12);
        QVERIFY(schedule.snr(0.1) > schedule.snr(0.5));
        // min(5/SNR, 1): below 1 where SNR > 5 (small t), exactly 1 at large t.
        QVERIFY(schedule.minSnrWeight(0.05) < 1.0);
        QCOMPARE(schedule.minSnrWeight(0.9), 1.0);
        QVERIFY(qAbs(schedule.minSnrWeight(0.05) - 5.0 / schedule.snr(0.05)) < 1e-12);
        // Cosine schedule at the midpoint: cos^2 form gives abar(0.5) ~ 0.49.
        QVERIFY(qAbs(schedule.alphaBar(0.5) - 0.4922) < 2e-3);
    }

    void paperPolynomial()
    {
        using cytodiff::engine::paperErrorScale;
        QVERIFY(qAbs(paperErrorScale(0.0) - 0.927) < 1e-12);
        QVERIFY(qAbs(paperErrorScale(1.0) - (0.927 + 9.837 - 4.684 + 6.019 - 9.340)) < 1e-12);
        QVERIFY(qAbs(paperErrorScale(0.5) - (0.927 + 9.837 * 0.5 - 4.684 * 0.25 + 6.019 * 0.125 - 9.340 * 0.0625)) < 1e-12);
    }
};

QTEST_APPLESS_MAIN(TestNoiseSchedule)
#include "test_noiseschedule.moc"
