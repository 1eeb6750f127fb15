// Kappas and the confidence confusion matrix against values computed by
// hand (the arithmetic is written next to each case).

#include "agreement.h"

#include <QTest>

using namespace cytodiff::stats;

class TestAgreement : public QObject {
    Q_OBJECT

private slots:
    void cohenKappaByHand()
    {
        // 10 items, 3 categories; an 11th item rated by A only is ignored.
        // a = 0 0 0 0 1 1 1 2 2 2
        // b = 0 0 0 1 1 1 2 2 2 0
        // agreements: items 1-3, 5-6, 8-9 -> 7, po = 0.7
        // marginals a: 4, 3, 3; b: 4, 3, 3
        // pe = .4*.4 + .3*.3 + .3*.3 = .34
        // kappa = (.7 - .34) / (1 - .34) = .36 / .66 = 0.545454...
        const std::vector<int> a = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 1};
        const std::vector<int> b = {0, 0, 0, 1, 1, 1, 2, 2, 2, 0, kNoRating};
        const auto kappa = cohenKappa(a, b, 3);
        QVERIFY(kappa);
        QCOMPARE(kappa->items, 10);
        QVERIFY(qAbs(kappa->observed - 0.7) < 1e-12);
        QVERIFY(qAbs(kappa->expected - 0.34) < 1e-12);
        QVERIFY(qAbs(kappa->kappa - 0.36 / 0.66) < 1e-12);
    }

    void cohenKappaEdgeCases()
    {
        // No shared item: undefined.
        QVERIFY(!cohenKappa({0, kNoRating}, {kNoRating, 1}, 2));
        // Perfect agreement on two categories: po = 1, pe = .5, kappa = 1.
        auto perfect = cohenKappa({0, 1, 0, 1}, {0, 1, 0, 1}, 2);
        QVERIFY(perfect && qAbs(perfect->kappa - 1.0) < 1e-12);
        // Systematic disagreement: a = 0 0 1 1, b = 1 1 0 0: po = 0,
        // pe = .5*.5 + .5*.5 = .5, kappa = -1.
        auto opposite = cohenKappa({0, 0, 1, 1}, {1, 1, 0, 0}, 2);
        QVERIFY(opposite && qAbs(opposite->kappa + 1.0) < 1e-12);
        // One category only: pe = 1, defined as 1 (see agreement.h).
        auto single = cohenKappa({2, 2}, {2, 2}, 3);
        QVERIFY(single && single->kappa == 1.0);
    }

    void fleissKappaByHand()
    {
        // 4 items, 3 raters, 2 categories. counts per item:
        // [3,0] P=(9-3)/6=1; [0,3] P=1; [2,1] P=(4+1-3)/6=1/3; [1,2] P=1/3
        // Pbar = (1+1+1/3+1/3)/4 = 2/3
        // p0 = (3+0+2+1)/12 = .5, p1 = .5, Pe = .25+.25 = .5
        // kappa = (2/3 - 1/2) / (1 - 1/2) = 1/3
        const auto kappa = fleissKappa({{3, 0}, {0, 3}, {2, 1}, {1, 2}});
        QVERIFY(kappa);
        QCOMPARE(kappa->items, 4);
        QVERIFY(qAbs(kappa->observed - 2.0 / 3.0) < 1e-12);
        QVERIFY(qAbs(kappa->expected - 0.5) < 1e-12);
        QVERIFY(qAbs(kappa->kappa - 1.0 / 3.0) < 1e-12);
        // Unequal raters per item is refused.
        QVERIFY(!fleissKappa({{3, 0}, {1, 1}}));
    }

    void fleissKappaKeepsTheCountWithMostRaterPairs()
    {
        // The same four 3-rater items as above (4 * 3*2 = 24 ordered rater
        // pairs), plus two 2-rater items (2 * 2*1 = 4) and one 1-rater item:
        // the 3-rater items are kept -> kappa 1/3 again.
        const std::vector<std::vector<int>> ratings = {
            {0, 0, 0}, {1, 1, 1}, {0, 0, 1}, {0, 1, 1},
            {0, 1, kNoRating}, {kNoRating, 1, 1}, {kNoRating, kNoRating, 0}};
        int raters = 0;
        const auto kappa = fleissKappaEqualRaters(ratings, 2, &raters);
        QVERIFY(kappa);
        QCOMPARE(raters, 3);
        QCOMPARE(kappa->items, 4);
        QVERIFY(qAbs(kappa->kappa - 1.0 / 3.0) < 1e-12);

        // Many 2-rater cells do not outweigh a fully rated subset: five
        // 2-rater items (5 * 2 = 10 pairs) vs two 3-rater items (2 * 6 = 12).
        const std::vector<std::vector<int>> subset = {
            {0, 0, 0}, {0, 0, 1}, {1, 1, kNoRating}, {0, kNoRating, 0}, {kNoRating, 1, 0},
            {1, kNoRating, 1}, {0, 0, kNoRating}};
        const auto sub = fleissKappaEqualRaters(subset, 2, &raters);
        QVERIFY(sub);
        QCOMPARE(raters, 3);
        // [0,0,0], [0,0,1]: P = 1, 1/3 -> Pbar 2/3; p0 = 5/6, p1 = 1/6,
        // Pe = 25/36 + 1/36 = 26/36; kappa = (24/36 - 26/36) / (10/36) = -0.2
        QVERIFY(qAbs(sub->kappa + 0.2) < 1e-12);

        // Exact tie (one 3-rater item = 6 pairs, three 2-rater items = 6):
        // the larger n. [0,0,1]: P = 1/3; p0 = 2/3, p1 = 1/3, Pe = 5/9;
        // kappa = (3/9 - 5/9) / (4/9) = -0.5
        const std::vector<std::vector<int>> tie = {
            {0, 0, 1}, {1, 1, kNoRating}, {0, kNoRating, 0}, {kNoRating, 1, 0}};
        const auto tied = fleissKappaEqualRaters(tie, 2, &raters);
        QVERIFY(tied);
        QCOMPARE(raters, 3);
        QCOMPARE(tied->items, 1);
        QVERIFY(qAbs(tied->kappa + 0.5) < 1e-12);
        // Nobody rated twice: nothing to compute.
        QVERIFY(!fleissKappaEqualRaters({{0, kNoRating}, {kNoRating, 1}}, 2));
    }

    void confidenceConfusionCountsOrderedPairs()
    {
        // Item A, levels High, High, Moderate (3 raters, 6 ordered pairs):
        //   (r1,r2) H-H, (r2,r1) H-H -> [0][0] = 2
        //   (r1,r3), (r2,r3) H-M     -> [0][1] = 2
        //   (r3,r1), (r3,r2) M-H     -> [1][0] = 2
        // Item B, levels No, -, Low (2 raters, 2 ordered pairs):
        //   [3][2] = 1, [2][3] = 1
        // total 8 = 3*2 + 2*1
        const auto m = confidenceConfusion({{0, 0, 1}, {3, kNoRating, 2}});
        QCOMPARE(m[0][0], 2LL);
        QCOMPARE(m[0][1], 2LL);
        QCOMPARE(m[1][0], 2LL);
        QCOMPARE(m[3][2], 1LL);
        QCOMPARE(m[2][3], 1LL);
        long long total = 0;
        for (const auto &row : m)
            for (long long v : row)
                total += v;
        QCOMPARE(total, 8LL);
        // The paper's set-up: 6 raters on one image give 30 comparisons.
        const auto six = confidenceConfusion({{0, 0, 0, 0, 0, 0}});
        QCOMPARE(six[0][0], 30LL);
    }
};

QTEST_APPLESS_MAIN(TestAgreement)
#include "test_agreement.moc"
