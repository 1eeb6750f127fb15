// Accuracy per confidence decile and errors found early in the review queue.
#include "calibration.h"

#include <QTest>

#include <cmath>

using namespace cytodiff::evaluation;

class TestCalibration : public QObject {
    Q_OBJECT

private slots:
    void queueSharesByHand()
    {
        // 20 cells, confidence = index; errors at the 1st, 2nd and 15th least
        // confident cells. First 5% = 1 cell (1 error), 10% = 2 cells (2),
        // 20% = 4 cells (2) of 3 errors.
        std::vector<double> confidence;
        std::vector<bool> correct;
        for (int i = 0; i < 20; ++i) {
            confidence.push_back(double(19 - i)); // given most confident first
            correct.push_back(!(i == 19 || i == 18 || i == 5));
        }
        const auto s = summariseCalibration(confidence, correct);
        QCOMPARE(s.cells, 20);
        QCOMPARE(s.errors, 3);
        QCOMPARE(s.queue.size(), std::size_t(3));
        QCOMPARE(s.queue[0].reviewed, 1);
        QCOMPARE(s.queue[0].errorsFound, 1);
        QCOMPARE(s.queue[1].reviewed, 2);
        QCOMPARE(s.queue[1].errorsFound, 2);
        QCOMPARE(s.queue[2].reviewed, 4);
        QCOMPARE(s.queue[2].errorsFound, 2);
        QVERIFY(std::abs(s.queue[2].errorShare - 2.0 / 3) < 1e-12);
        // Deciles: 2 cells each, lowest first: 0/2 correct, then 2/2 ...
        QCOMPARE(s.deciles.size(), std::size_t(10));
        QCOMPARE(s.deciles[0].correct, 0);
        QCOMPARE(s.deciles[0].lo, 0.0);
        QCOMPARE(s.deciles[0].hi, 1.0);
        QCOMPARE(s.deciles[7].correct, 1); // confidence 14 and 15: 14 is wrong
        QCOMPARE(s.deciles[9].correct, 2);
        // Error detection: errors have confidence 0, 1, 14 among 0..19:
        // low confidence beats 17 + 17 + 5 of the 3 x 17 pairs.
        QVERIFY(std::abs(s.errorDetectionAuc - 39.0 / 51.0) < 1e-12);
    }

    void noErrorsAndFewCells()
    {
        const auto s = summariseCalibration({0.3, 0.1, 0.2}, {true, true, true});
        QCOMPARE(s.errors, 0);
        QCOMPARE(s.deciles.size(), std::size_t(3));
        QVERIFY(std::isnan(s.queue[0].errorShare));
        QCOMPARE(summariseCalibration({}, {}).cells, 0);
    }
};

QTEST_APPLESS_MAIN(TestCalibration)
#include "test_calibration.moc"
