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

    // A second model's disagreement puts cells ahead of the rest; each part
    // stays least-confident first.
    void queueWithCellsReviewedFirst()
    {
        std::vector<double> confidence;
        std::vector<bool> correct, first;
        for (int i = 0; i < 20; ++i) {
            confidence.push_back(double(19 - i));
            correct.push_back(!(i == 19 || i == 18 || i == 5));
            first.push_back(i == 5 || i == 0); // confidence 14 (an error) and 19
        }
        // Queue: 14 (error), 19, then 0 (error), 1 (error), 2, ...
        const auto q = summariseQueue(confidence, correct, first);
        QCOMPARE(q.size(), std::size_t(3));
        QCOMPARE(q[0].errorsFound, 1);
        QCOMPARE(q[1].errorsFound, 1);
        QCOMPARE(q[2].reviewed, 4);
        QCOMPARE(q[2].errorsFound, 3);
        QVERIFY(q[2].errorShareLower <= q[2].errorShare && q[2].errorShare <= q[2].errorShareUpper);
        // Without flags it is the plain queue, intervals included.
        const auto plain = summariseQueue(confidence, correct, {});
        const auto s = summariseCalibration(confidence, correct);
        for (std::size_t k = 0; k < 3; ++k) {
            QCOMPARE(plain[k].errorsFound, s.queue[k].errorsFound);
            QCOMPARE(plain[k].errorShareLower, s.queue[k].errorShareLower);
            QCOMPARE(plain[k].errorShareUpper, s.queue[k].errorShareUpper);
        }
    }

    void noErrorsAndFewCells()
    {
        const auto s = summariseCalibration({0.3, 0.1, 0.2}, {true, true, true});
        QCOMPARE(s.errors, 0);
        QCOMPARE(s.deciles.size(), std::size_t(3));
        QVERIFY(std::isnan(s.queue[0].errorShare));
        QVERIFY(std::isnan(s.queue[0].errorShareLower) && std::isnan(s.queue[0].errorShareUpper));
        QCOMPARE(summariseCalibration({}, {}).cells, 0);
    }

    void bootstrapIntervalOfTheQueueShare()
    {
        // Every 10th cell wrong, confidence unrelated to correctness except
        // that errors sit a little lower: the share in the first 10% is
        // uncertain, and the interval must say so, narrower with 10x the cells.
        auto make = [](int n) {
            std::vector<double> confidence;
            std::vector<bool> correct;
            for (int i = 0; i < n; ++i) {
                const bool wrong = i % 10 == 0;
                confidence.push_back(std::fmod(i * 0.618034, 1.0) - (wrong ? 0.3 : 0.0));
                correct.push_back(!wrong);
            }
            return summariseCalibration(confidence, correct);
        };
        const auto small = make(200), large = make(2000);
        for (const auto *s : {&small, &large}) {
            for (const auto &q : s->queue) {
                QVERIFY2(q.errorShareLower <= q.errorShare && q.errorShare <= q.errorShareUpper,
                         qPrintable(QStringLiteral("%1 [%2, %3]").arg(q.errorShare).arg(q.errorShareLower).arg(q.errorShareUpper)));
                QVERIFY(q.errorShareLower >= 0.0 && q.errorShareUpper <= 1.0);
            }
            QVERIFY(s->queue[1].errorShareUpper - s->queue[1].errorShareLower > 0.0);
        }
        QVERIFY(large.queue[1].errorShareUpper - large.queue[1].errorShareLower
                < 0.6 * (small.queue[1].errorShareUpper - small.queue[1].errorShareLower));
        // Reproducible: a fixed seed.
        QCOMPARE(make(200).queue[1].errorShareLower, small.queue[1].errorShareLower);

        // A perfect ranking with 3% errors: every resample finds all its
        // errors in the first 20%, so that interval is the single point 1.
        std::vector<double> confidence;
        std::vector<bool> correct;
        for (int i = 0; i < 100; ++i) {
            confidence.push_back(double(i));
            correct.push_back(i >= 3);
        }
        const auto perfect = summariseCalibration(confidence, correct);
        QCOMPARE(perfect.queue[2].errorShareLower, 1.0);
        QCOMPARE(perfect.queue[2].errorShareUpper, 1.0);
        QVERIFY(std::isnan(summariseCalibration(confidence, correct, {0.1}, 0).queue[0].errorShareLower));
    }
};

QTEST_APPLESS_MAIN(TestCalibration)
#include "test_calibration.moc"
