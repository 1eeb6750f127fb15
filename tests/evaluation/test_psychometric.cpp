// The Bayesian psychometric fit recovers the parameters of simulated
// observers: the true threshold and width lie inside the 95% credible
// intervals, the estimates are close when data are plentiful, and the
// intervals cover the truth at about the nominal rate over many observers.
#include "psychometric.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace cytodiff::evaluation;

namespace {

struct Observer {
    double threshold, width, lapse, gamma;
};

// n cases with confidence uniform on [0, 1]; each is right with
// probability psi(confidence).
PsychometricData simulate(const Observer &o, int n, int bins, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<double> x;
    std::vector<bool> correct;
    for (int i = 0; i < n; ++i) {
        const double c = uniform(rng);
        x.push_back(c);
        correct.push_back(uniform(rng) < psychometricValue(c, o.threshold, o.width, o.gamma, o.lapse));
    }
    return binResponses(x, correct, bins);
}

PsychometricOptions optionsFor(const Observer &o)
{
    PsychometricOptions options;
    options.gamma = o.gamma;
    return options;
}

} // namespace

class TestPsychometric : public QObject {
    Q_OBJECT

private slots:
    void sigmoidFollowsPsignifitConventions()
    {
        QCOMPARE(psychometricSigmoid(0.4, 0.4, 0.2), 0.5);
        QVERIFY(std::abs(psychometricSigmoid(0.3, 0.4, 0.2) - 0.05) < 1e-12);
        QVERIFY(std::abs(psychometricSigmoid(0.5, 0.4, 0.2) - 0.95) < 1e-12);
        QVERIFY(std::abs(psychometricValue(10.0, 0.4, 0.2, 0.125, 0.05) - 0.95) < 1e-9);
        QVERIFY(std::abs(psychometricValue(-10.0, 0.4, 0.2, 0.125, 0.05) - 0.125) < 1e-9);
    }

    void binning()
    {
        // Few distinct values (expert confidence): one level each.
        const auto experts = binResponses({1, 1, 2.0 / 3, 0, 1.0 / 3, 1}, {true, true, false, false, true, false}, 12);
        QCOMPARE(experts.level.size(), std::size_t(4));
        QCOMPARE(experts.total.back(), 3);
        QCOMPARE(experts.correct.back(), 2);
        // Many values: equal-count bins.
        std::vector<double> x;
        std::vector<bool> c;
        for (int i = 0; i < 100; ++i) {
            x.push_back(i / 100.0);
            c.push_back(i % 2 == 0);
        }
        const auto binned = binResponses(x, c, 25);
        QCOMPARE(binned.level.size(), std::size_t(25));
        for (int t : binned.total)
            QCOMPARE(t, 4);
        QCOMPARE(binned.trials(), 100);
        QVERIFY(std::abs(binned.level.front() - 0.015) < 1e-12);
        QCOMPARE(defaultBinCount(200), 12);
        QCOMPARE(defaultBinCount(5000), 25);
    }

    void recoversAKnownObserver()
    {
        const Observer truth{0.45, 0.35, 0.03, 0.125};
        const auto data = simulate(truth, 5000, 25, 7);
        const auto fit = fitPsychometric(data, optionsFor(truth));
        QVERIFY2(fit.ok, fit.message.c_str());
        const QString report = QStringLiteral("m %1 [%2, %3]  w %4 [%5, %6]")
                                   .arg(fit.threshold.estimate).arg(fit.threshold.lower).arg(fit.threshold.upper)
                                   .arg(fit.width.estimate).arg(fit.width.lower).arg(fit.width.upper);
        QVERIFY2(fit.threshold.lower <= truth.threshold && truth.threshold <= fit.threshold.upper, qPrintable(report));
        QVERIFY2(fit.width.lower <= truth.width && truth.width <= fit.width.upper, qPrintable(report));
        QVERIFY2(std::abs(fit.threshold.estimate - truth.threshold) < 0.05, qPrintable(report));
        QVERIFY2(std::abs(fit.width.estimate - truth.width) < 0.12, qPrintable(report));
        QVERIFY(fit.threshold.upper - fit.threshold.lower < 0.15);
        QVERIFY(fit.lapse.lower <= truth.lapse && truth.lapse <= fit.lapse.upper);
        // The 80% point sits above the threshold by ln(4) / (2 ln 19) of w.
        QVERIFY(fit.threshold80.estimate > fit.threshold.estimate);
        // The band holds the median and brackets the true curve mostly.
        QCOMPARE(fit.curveX.size(), fit.curveUpper.size());
        int inside = 0;
        for (std::size_t i = 0; i < fit.curveX.size(); ++i) {
            QVERIFY(fit.curveLower[i] <= fit.curveMedian[i] && fit.curveMedian[i] <= fit.curveUpper[i]);
            const double y = psychometricValue(fit.curveX[i], truth.threshold, truth.width, truth.gamma, truth.lapse);
            inside += fit.curveLower[i] - 1e-3 <= y && y <= fit.curveUpper[i] + 1e-3;
        }
        QVERIFY2(inside >= int(fit.curveX.size() * 8 / 10), qPrintable(QString::number(inside)));
    }

    void intervalsCoverTheTruthAcrossObservers()
    {
        // 20 observers with different parameters and small samples (400
        // cases, 12 bins, like the paper's expert subsets). A calibrated 95%
        // interval misses about 1 in 20; a broken fit misses many.
        int thresholdHits = 0, widthHits = 0;
        const int observers = 20;
        std::mt19937 pick(2024);
        std::uniform_real_distribution<double> m(0.3, 0.7), w(0.2, 0.6), l(0.0, 0.08);
        for (int i = 0; i < observers; ++i) {
            const Observer truth{m(pick), w(pick), l(pick), 0.125};
            const auto fit = fitPsychometric(simulate(truth, 400, 12, 100 + i), optionsFor(truth));
            QVERIFY(fit.ok);
            thresholdHits += fit.threshold.lower <= truth.threshold && truth.threshold <= fit.threshold.upper;
            widthHits += fit.width.lower <= truth.width && truth.width <= fit.width.upper;
        }
        QVERIFY2(thresholdHits >= 16, qPrintable(QString::number(thresholdHits)));
        QVERIFY2(widthHits >= 16, qPrintable(QString::number(widthHits)));
    }

    void wrongGuessRateOrTooFewLevelsFailCleanly()
    {
        PsychometricData few{{0.1, 0.2}, {1, 2}, {3, 3}};
        QVERIFY(!fitPsychometric(few, {}).ok);
        PsychometricData data{{0.1, 0.5, 0.9}, {1, 2, 3}, {3, 3, 3}};
        PsychometricOptions bad;
        bad.gamma = 1.5;
        const auto fit = fitPsychometric(data, bad);
        QVERIFY(!fit.ok);
        QVERIFY(!fit.message.empty());
    }

    void steeperObserverHasSmallerWidth()
    {
        const Observer sharp{0.5, 0.15, 0.02, 0.125}, shallow{0.5, 0.7, 0.02, 0.125};
        const auto a = fitPsychometric(simulate(sharp, 3000, 25, 11), optionsFor(sharp));
        const auto b = fitPsychometric(simulate(shallow, 3000, 25, 12), optionsFor(shallow));
        QVERIFY(a.ok && b.ok);
        QVERIFY(a.width.upper < b.width.lower);
    }
};

QTEST_APPLESS_MAIN(TestPsychometric)
#include "test_psychometric.moc"
