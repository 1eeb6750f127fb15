// The classifier loop against a fake network whose answers are known.
#include <torch/torch.h>

#include "augment.h"
#include "classifier.h"
#include "sampler.h"

#include <QTest>

#include <cmath>

using namespace cytodiff::engine;

namespace {

constexpr int kRes = 16;

// Class templates: flat images of different brightness; class 1 has a dark
// square in the middle (used for the heatmap sign check).
torch::Tensor templates(int classes)
{
    auto t = torch::zeros({classes, 3, kRes, kRes});
    for (int c = 0; c < classes; ++c)
        t[c].fill_(-0.6 + 1.2 * c / std::max(1, classes - 1));
    return t;
}

// An ideal denoiser that believes x0 = template_c, plus noise so errors
// vary between trials like a real network's.
EpsFn fakeNetwork(const torch::Tensor &tmpl, const NoiseSchedule &schedule, double noise, int *calls = nullptr,
                  bool *pairedOk = nullptr)
{
    auto gen = std::make_shared<at::Generator>(at::detail::createCPUGenerator(7));
    return [=](const torch::Tensor &z, const torch::Tensor &t, const torch::Tensor &c) {
        if (calls)
            ++*calls;
        const auto b = z.size(0);
        auto out = torch::empty_like(z);
        for (int64_t i = 0; i < b; ++i) {
            const double ab = schedule.alphaBar(t[i].item<double>());
            out[i] = (z[i] - std::sqrt(ab) * tmpl[c[i].item<int64_t>()]) / std::sqrt(1 - ab);
        }
        if (pairedOk) {
            // Rows of different classes for the same trial must share z and t.
            const int64_t classesInBatch = std::unique(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + b) - c.data_ptr<int64_t>();
            const int64_t k = b / std::max<int64_t>(classesInBatch, 1);
            for (int64_t i = k; i < b; ++i)
                if (!torch::equal(z[i], z[i % k]) || t[i].item<float>() != t[i % k].item<float>())
                    *pairedOk = false;
        }
        return out + noise * torch::randn(z.sizes(), *gen);
    };
}

// For this fake the residual of a wrong class grows like SNR(t): dividing
// by SNR is the ideal per-trial weighting (what calibration finds on a real
// network), so the paired differences are nearly constant.
ErrorScaleFn snrScale(const NoiseSchedule &schedule)
{
    return [schedule](double t) { return schedule.snr(t); };
}

ClassifyOptions fastOptions()
{
    ClassifyOptions o;
    o.trialsMin = 8;
    o.trialsMax = 64;
    o.trialsPerRound = 4;
    o.seed = 3;
    return o.resolved();
}

} // namespace

class TestClassifier : public QObject {
    Q_OBJECT
private slots:
    void picksTheTrueClassAndPrunes()
    {
        NoiseSchedule schedule;
        const int classes = 5;
        auto tmpl = templates(classes);
        for (int truth = 0; truth < classes; ++truth) {
            int calls = 0;
            bool paired = true;
            auto eps = fakeNetwork(tmpl, schedule, 0.3, &calls, &paired);
            auto result = runClassifier(eps, schedule, tmpl[truth], classes, fastOptions(), snrScale(schedule), {});
            QVERIFY(result.ok());
            QCOMPARE(result->predicted, truth);
            QVERIFY(paired);
            QVERIFY(result->trials >= 8);
            // Easy cells stop early: far fewer evaluations than the budget.
            QVERIFY2(result->nfe < classes * 64 / 2, qPrintable(QString::number(result->nfe)));
            QVERIFY(result->confidence > 0);
            // Every trial prefers the true class by about the same margin.
            QVERIFY2(result->evidence > 2.0, qPrintable(QString::number(result->evidence)));
            QCOMPARE(int(result->probabilities.size()), classes);
            QCOMPARE(std::distance(result->probabilities.begin(),
                                   std::max_element(result->probabilities.begin(), result->probabilities.end())),
                     std::ptrdiff_t(truth));
        }
    }

    void viewsCycleThroughTheDihedralGroup()
    {
        // Class 1's template is class 0's turned a quarter: a fake network
        // that is not rotation-equivariant tells them apart from one view,
        // but over all 8 views (2 trials each) both see the same orbit, so
        // their mean errors meet. With the plain view class 0 wins clearly.
        NoiseSchedule schedule;
        torch::manual_seed(4);
        auto cell = torch::rand({3, kRes, kRes}) * 2 - 1; // [3,R,R], no symmetry
        auto tmpl = torch::stack({cell, cell.rot90(1, {1, 2})}); // [2,3,R,R]
        ClassifyOptions options = fastOptions();
        options.trialsMin = options.trialsMax = 16;
        options.pValue = 0.0; // no pruning: every class sees every trial
        options.views = 1;
        auto plain = runClassifier(fakeNetwork(tmpl, schedule, 0.05), schedule, cell, 2, options.resolved(),
                                   snrScale(schedule), {});
        options.views = 8;
        auto turned = runClassifier(fakeNetwork(tmpl, schedule, 0.05), schedule, cell, 2, options.resolved(),
                                    snrScale(schedule), {});
        QVERIFY(plain.ok() && turned.ok());
        QCOMPARE(plain->predicted, 0);
        const double plainGap = plain->errors[1] - plain->errors[0];
        const double turnedGap = std::abs(turned->errors[1] - turned->errors[0]);
        QVERIFY(plainGap > 0);
        QVERIFY2(turnedGap < 0.1 * plainGap, qPrintable(QStringLiteral("%1 vs %2").arg(turnedGap).arg(plainGap)));

        // Templates that do not change under the group (flat ones; the mask
        // is round) give the same errors with and without views.
        auto flat = templates(2);
        options.views = 1;
        auto a = runClassifier(fakeNetwork(flat, schedule, 0.0), schedule, cell, 2, options.resolved(), snrScale(schedule), {});
        options.views = 8;
        auto b = runClassifier(fakeNetwork(flat, schedule, 0.0), schedule, cell, 2, options.resolved(), snrScale(schedule), {});
        QVERIFY(a.ok() && b.ok());
        for (int c = 0; c < 2; ++c)
            QVERIFY(std::abs(a->errors[c] - b->errors[c]) <= 1e-4 * std::abs(a->errors[c]));
    }

    // A latent model hands over its own views (the latent of each turned
    // image): the classifier cycles through those rows, and turns nothing.
    void viewsGivenByTheCallerAreUsedAsTheyAre()
    {
        NoiseSchedule schedule;
        torch::manual_seed(4);
        auto cell = torch::rand({3, kRes, kRes}) * 2 - 1;        // [3,R,R]
        auto tmpl = torch::stack({cell, cell.rot90(1, {1, 2})}); // [2,3,R,R]
        ClassifyOptions options = fastOptions();
        options.trialsMin = options.trialsMax = 16;
        options.pValue = 0.0;
        options.views = 1;
        auto plain = runClassifier(fakeNetwork(tmpl, schedule, 0.05), schedule, cell, 2, options.resolved(),
                                   snrScale(schedule), {});
        options.views = 8;
        auto sameRows = runClassifier(fakeNetwork(tmpl, schedule, 0.05), schedule, cell.unsqueeze(0).repeat({8, 1, 1, 1}),
                                      2, options.resolved(), snrScale(schedule), {});
        std::vector<torch::Tensor> turns;
        for (int v = 0; v < 8; ++v)
            turns.push_back(dihedralVariant(cell, v));
        auto givenTurns = runClassifier(fakeNetwork(tmpl, schedule, 0.05), schedule, torch::stack(turns), 2,
                                        options.resolved(), snrScale(schedule), {});
        auto ownTurns = runClassifier(fakeNetwork(tmpl, schedule, 0.05), schedule, cell, 2, options.resolved(),
                                      snrScale(schedule), {});
        QVERIFY(plain.ok() && sameRows.ok() && givenTurns.ok() && ownTurns.ok());
        for (int c = 0; c < 2; ++c) {
            QCOMPARE(sameRows->errors[c], plain->errors[c]);     // eight plain views = the plain view
            QCOMPARE(givenTurns->errors[c], ownTurns->errors[c]); // the same turns, given or made
        }
        QVERIFY(!runClassifier(fakeNetwork(tmpl, schedule, 0.05), schedule, cell[0], 2, options.resolved(),
                               snrScale(schedule), {})
                     .ok()); // [R,R]: not an image
    }

    void indistinguishableClassesUseTheWholeBudget()
    {
        NoiseSchedule schedule;
        auto tmpl = templates(3);
        tmpl[2].copy_(tmpl[1]); // classes 1 and 2 look the same
        auto eps = fakeNetwork(tmpl, schedule, 0.3);
        auto result = runClassifier(eps, schedule, tmpl[1], 3, fastOptions(), snrScale(schedule), {});
        QVERIFY(result.ok());
        QCOMPARE(result->trials, 64);
        QVERIFY(result->predicted == 1 || result->predicted == 2);
        QCOMPARE(result->trialsPerClass[1], 64);
        QCOMPARE(result->trialsPerClass[2], 64);
        QVERIFY(result->trialsPerClass[0] < 64); // class 0 was pruned
        QCOMPARE(result->nfe, result->trialsPerClass[0] + 64 + 64);
        // The trials prefer neither: no evidence, however many there were.
        QVERIFY2(std::abs(result->evidence) < 1.0, qPrintable(QString::number(result->evidence)));
        auto single = runClassifier(eps, schedule, tmpl[1], 1, fastOptions(), snrScale(schedule), {});
        QVERIFY(single.ok());
        QVERIFY(std::isnan(single->evidence));
    }

    void weightingDecidesHowFastClassesArePruned()
    {
        // Same cell, same trials: the SNR-matched weighting prunes, the
        // paper's polynomial (fitted to another model) barely does.
        NoiseSchedule schedule;
        auto tmpl = templates(3);
        auto matched = runClassifier(fakeNetwork(tmpl, schedule, 0.3), schedule, tmpl[0], 3, fastOptions(),
                                     snrScale(schedule), {});
        auto mismatched = runClassifier(fakeNetwork(tmpl, schedule, 0.3), schedule, tmpl[0], 3, fastOptions(),
                                        paperErrorScale, {});
        QVERIFY(matched.ok() && mismatched.ok());
        QCOMPARE(matched->predicted, 0);
        QCOMPARE(mismatched->predicted, 0);
        QVERIFY2(matched->nfe < mismatched->nfe,
                 qPrintable(QStringLiteral("%1 vs %2").arg(matched->nfe).arg(mismatched->nfe)));
    }

    // The null class (index numClasses) believes in the average image. A
    // cell that is one of the classes gains from being conditioned on it; a
    // cell like none of them is explained as well or better by the null
    // class. Without the option the gain is not measured.
    void nullGainSeparatesKnownFromUnknownCells()
    {
        NoiseSchedule schedule;
        const int classes = 2;
        auto tmpl = templates(classes + 1); // rows 0, 1: classes; row 2: null
        tmpl[0].fill_(-0.6);
        tmpl[1].fill_(0.6);
        tmpl[2].fill_(0.0);
        auto options = fastOptions();
        options.nullGain = true;
        bool paired = true;
        auto known = runClassifier(fakeNetwork(tmpl, schedule, 0.3, nullptr, &paired), schedule, tmpl[0], classes,
                                   options, snrScale(schedule), {});
        auto unknown = runClassifier(fakeNetwork(tmpl, schedule, 0.3), schedule, torch::full({3, kRes, kRes}, 0.1),
                                     classes, options, snrScale(schedule), {});
        QVERIFY(known.ok() && unknown.ok());
        QVERIFY(paired);
        QCOMPARE(known->predicted, 0);
        QVERIFY2(known->nullGain > 0, qPrintable(QString::number(known->nullGain)));
        QVERIFY2(unknown->nullGain < known->nullGain / 4, qPrintable(QString::number(unknown->nullGain)));
        // One more evaluation per trial, and none of it counted as a class's.
        QCOMPARE(known->nfe, known->trialsPerClass[0] + known->trialsPerClass[1] + known->trials);

        // Class offsets move the decision, not the gain: the winner's own
        // offset is taken out before comparing with the null class.
        auto shifted = runClassifier(fakeNetwork(tmpl, schedule, 0.3), schedule, tmpl[0], classes, options,
                                     snrScale(schedule), {}, nullptr, {5.0, 5.0});
        QVERIFY(shifted.ok());
        QCOMPARE(shifted->predicted, 0);
        QVERIFY(std::fabs(shifted->nullGain - known->nullGain) < 1e-6 * std::fabs(known->nullGain) + 1e-9);

        auto plain = runClassifier(fakeNetwork(tmpl, schedule, 0.3), schedule, tmpl[0], classes, fastOptions(),
                                   snrScale(schedule), {});
        QVERIFY(plain.ok());
        QVERIFY(std::isnan(plain->nullGain));
        QCOMPARE(plain->nfe, plain->trialsPerClass[0] + plain->trialsPerClass[1]);
    }

    void noPruningBeforeTrialsMin()
    {
        NoiseSchedule schedule;
        auto tmpl = templates(4);
        auto eps = fakeNetwork(tmpl, schedule, 0.0);
        auto options = fastOptions();
        options.trialsMin = 20;
        options.trialsMax = 40;
        options = options.resolved();
        auto result = runClassifier(eps, schedule, tmpl[0], 4, options, snrScale(schedule), {});
        QVERIFY(result.ok());
        for (int c = 0; c < 4; ++c)
            QVERIFY(result->trialsPerClass[c] >= 20);
    }

    void cancelStopsBetweenRounds()
    {
        NoiseSchedule schedule;
        auto tmpl = templates(3);
        int calls = 0;
        auto eps = fakeNetwork(tmpl, schedule, 0.3, &calls);
        auto result = runClassifier(eps, schedule, tmpl[0], 3, fastOptions(), paperErrorScale,
                                    [&calls] { return calls >= 1; });
        QVERIFY(!result.ok());
        QCOMPARE(calls, 1);
    }

    void heatmapSignConvention()
    {
        // Class 1 = class 0 plus a dark square. For a class-0 cell the
        // counterfactual towards class 1 must be dark (negative) in the
        // square and ~0 elsewhere: "dark = features to add".
        NoiseSchedule schedule;
        auto tmpl = torch::zeros({2, 3, kRes, kRes});
        tmpl[1].slice(1, 6, 10).slice(2, 6, 10).fill_(-0.8);
        auto eps = fakeNetwork(tmpl, schedule, 0.0);
        ClassifyOptions options;
        options.trialsMin = options.trialsMax = 16;
        options = options.resolved();
        ResidualAccumulator residuals;
        auto result = runClassifier(eps, schedule, tmpl[0], 2, options, paperErrorScale, {}, &residuals);
        QVERIFY(result.ok());
        QCOMPARE(result->predicted, 0);
        auto means = residuals.sums / residuals.counts.view({-1, 1, 1, 1});
        auto delta = (means[1] - means[0]).contiguous();
        QVERIFY(delta.slice(1, 6, 10).slice(2, 6, 10).mean().item<double>() < -0.1);
        QVERIFY(delta.slice(1, 0, 4).abs().max().item<double>() < 1e-4);

        cytodiff::FloatImage image{3, kRes, kRes, std::vector<float>(delta.data_ptr<float>(), delta.data_ptr<float>() + delta.numel())};
        auto rendered = renderHeatmap(image, 4.0);
        QVERIFY(rendered.data[8 * kRes + 8] < -0.3f);   // dark inside the square
        QVERIFY(qAbs(rendered.data[1 * kRes + 1]) < 1e-3f); // neutral outside
    }

    void summaryNumbers()
    {
        ClassifyResult r;
        r.errors = {1.0, 2.0, 3.0, 5.0};
        r.predicted = 0;
        summarizeErrors(r, 3);
        QCOMPARE(r.confidence, 1.0);
        // gap = mean(1, 2, 4) = 7/3; spread = mean(|2-3|, |2-5|, |3-5|) = 2.
        QVERIFY(qAbs(r.anomaly - (-(7.0 / 3.0 - 2.0))) < 1e-12);
        double sum = 0;
        for (double p : r.probabilities)
            sum += p;
        QVERIFY(qAbs(sum - 1.0) < 1e-12);

        // A fitted temperature gives the softmax of -errors / T exactly:
        // p0 / p1 = exp((2 - 1) / 0.5).
        summarizeErrors(r, 3, 0.5);
        QVERIFY(qAbs(r.probabilities[0] / r.probabilities[1] - std::exp(2.0)) < 1e-9);
        QVERIFY(qAbs(r.probabilities[1] / r.probabilities[3] - std::exp(6.0)) < 1e-6);
    }

    void stratifiedTimes()
    {
        // Any prefix of length 2^k hits each of the 2^k strata once.
        std::vector<int> hits(8, 0);
        for (int n = 1; n <= 8; ++n)
            ++hits[int(vanDerCorput(n) * 8)];
        for (int h : hits)
            QCOMPARE(h, 1);
    }

    void ddimSamplerRecoversTheFakeNetworksImage()
    {
        // An ideal denoiser for "x0 = template_c" must lead DDIM to exactly
        // that template, from any start noise.
        NoiseSchedule schedule;
        auto tmpl = templates(3);
        auto samples = sampleDdim(fakeNetwork(tmpl, schedule, 0.0), schedule, kRes, 2, 3, 2, {20, 1.0, 9}, {});
        QVERIFY(samples.ok());
        QVERIFY2((*samples - tmpl[2].unsqueeze(0)).abs().max().item<double>() < 1e-3,
                 qPrintable(QString::number((*samples - tmpl[2].unsqueeze(0)).abs().max().item<double>())));
    }

    void diskMask()
    {
        auto mask = centralDiskMask(20);
        QCOMPARE(mask[10][10].item<float>(), 1.0f);
        QCOMPARE(mask[0][0].item<float>(), 0.0f);
        QVERIFY(mask.sum().item<double>() < 20 * 20 * 0.7);
        auto small = centralDiskMask(20, 0.25);
        QCOMPARE(small[10][10].item<float>(), 1.0f);
        QCOMPARE(small[10][3].item<float>(), 0.0f); // 6.5 px from the centre, radius 5
        QCOMPARE(mask[10][3].item<float>(), 1.0f);
    }

    // A cell of class 0 inside radius 0.25 whose surroundings look like
    // class 1 (a padded crop's fill): the default disk lets the larger ring
    // decide; a mask radius inside the image lets only the cell vote.
    void maskRadiusKeepsTheSurroundingsOut()
    {
        NoiseSchedule schedule;
        const int classes = 2;
        auto tmpl = templates(classes);
        auto x0 = tmpl[1].clone(); // [3, R, R]
        x0.slice(1, 4, 12).slice(2, 4, 12).copy_(tmpl[0].slice(1, 4, 12).slice(2, 4, 12));
        auto whole = runClassifier(fakeNetwork(tmpl, schedule, 0.05), schedule, x0, classes, fastOptions(),
                                   snrScale(schedule), {});
        QVERIFY(whole.ok());
        QCOMPARE(whole->predicted, 1);
        auto options = fastOptions();
        options.maskRadius = 0.24;
        auto inner = runClassifier(fakeNetwork(tmpl, schedule, 0.05), schedule, x0, classes, options.resolved(),
                                   snrScale(schedule), {});
        QVERIFY(inner.ok());
        QCOMPARE(inner->predicted, 0);
    }

    // The disk follows the real image of a padded crop, inside its edge by
    // the fill margin, and never shrinks below the smallest disk.
    void maskRadiusFollowsThePaddedImage()
    {
        cytodiff::FloatImage image;
        QCOMPARE(maskRadiusFor(image), kDefaultMaskRadius); // unpadded: imageRadius 1
        image.imageRadius = 0.5;
        QCOMPARE(maskRadiusFor(image), kDefaultMaskRadius);
        image.imageRadius = 0.34;
        QVERIFY(std::abs(maskRadiusFor(image) - (0.34 - kFillMargin)) < 1e-12);
        image.imageRadius = 0.1;
        QCOMPARE(maskRadiusFor(image), kSmallestMaskRadius);
        image.imageRadius = 0.0; // the cell's centre on the picture's edge
        QCOMPARE(maskRadiusFor(image), kSmallestMaskRadius);
    }
};

QTEST_APPLESS_MAIN(TestClassifier)
#include "test_classifier.moc"
