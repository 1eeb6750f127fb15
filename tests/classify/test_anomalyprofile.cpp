// The error-profile anomaly score (issue 20, item 2): the distance by hand
// in one dimension, frozen numbers on a seeded synthetic set, atypical
// profiles above the threshold, the out-of-fold threshold, the card's JSON
// (with the classifier settings the profile was fitted on) and what a
// damaged or mismatched one says.
#include "anomalyprofile.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace cytodiff;
using classify::AnomalyProfile;
using classify::ProfileSample;

namespace {

// A small generator of our own, so the synthetic set (and the frozen
// numbers) do not depend on the standard library's distributions.
class Normal {
public:
    explicit Normal(std::uint64_t seed) : m_state(seed) {}
    double uniform()
    {
        m_state = m_state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (double(m_state >> 11) + 0.5) / 9007199254740992.0; // (0, 1)
    }
    double next() // Box-Muller, the two draws in a fixed order
    {
        const double radius = std::sqrt(-2.0 * std::log(uniform()));
        return radius * std::cos(6.283185307179586 * uniform());
    }

private:
    std::uint64_t m_state;
};

const std::vector<std::string> kFour = {"a", "b", "c", "d"};

// A cell of class c: its own error lowest, the others at their typical
// distances (class c's runner-up is c+1, then c+2, ...), with noise.
ProfileSample typicalCall(int c, Normal &noise)
{
    ProfileSample sample;
    sample.predicted = c;
    for (int k = 0; k < 4; ++k) {
        const int behind = (k - c + 4) % 4; // 0 for c itself
        sample.errors.push_back(1.0 + 0.5 * behind + 0.1 * noise.next());
    }
    sample.errors[std::size_t(c)] = 1.0 + 0.02 * noise.next();
    return sample;
}

std::vector<ProfileSample> typicalCalls(int perClass, std::uint64_t seed)
{
    Normal noise(seed);
    std::vector<ProfileSample> samples;
    for (int i = 0; i < perClass; ++i)
        for (int c = 0; c < 4; ++c)
            samples.push_back(typicalCall(c, noise));
    return samples;
}

} // namespace

class TestAnomalyProfile : public QObject {
    Q_OBJECT

private slots:
    void oneDimensionByHand()
    {
        // Two classes: the profile is the loser's error minus the winner's.
        std::vector<ProfileSample> samples;
        std::vector<double> gaps;
        for (int i = 0; i < 10; ++i) {
            const double gap = 1.0 + 0.1 * i;
            gaps.push_back(gap);
            samples.push_back({{2.0, 2.0 + gap}, 0});
            samples.push_back({{3.0 + gap, 3.0}, 1});
        }
        auto fit = AnomalyProfile::fit(samples, {"x", "y"}, {});
        QVERIFY2(fit, fit.ok() ? "" : fit.error().c_str());
        double mean = 0, variance = 0;
        for (double g : gaps)
            mean += g / 10;
        for (double g : gaps)
            variance += (g - mean) * (g - mean) / 9;
        const auto &profile = fit->profile;
        QCOMPARE(profile.classes().size(), std::size_t(2));
        QCOMPARE(profile.classes()[0].cells, 10);
        QVERIFY(std::abs(profile.classes()[0].mean[0] - mean) < 1e-12);
        // (x - m)^2 / s^2; the ridge is a billionth of the variance.
        const double expected = (2.5 - mean) * (2.5 - mean) / variance;
        QVERIFY(std::abs(profile.distance({0.0, 2.5}, 0) / expected - 1.0) < 1e-8);
        QVERIFY(std::abs(profile.distance({2.5, 0.0}, 1) / expected - 1.0) < 1e-8);
        QVERIFY(std::abs(profile.score({0.0, 2.5}, 0) - std::log(expected / profile.threshold())) < 1e-8);
    }

    void frozenNumbers()
    {
        // Golden values of this synthetic set (llm.c style): a change to the
        // fit, the folds or the quantile shows here first.
        ProfileFitOptions options;
        options.quantile = 0.99;
        auto fit = AnomalyProfile::fit(typicalCalls(30, 7), kFour, options);
        QVERIFY(fit);
        const auto &profile = fit->profile;
        QCOMPARE(profile.cells(), 120);
        QCOMPARE(fit->outOfFoldScores.size(), std::size_t(120));
        qInfo("threshold %.10g, score %.10g", profile.threshold(), profile.score({1.0, 1.2, 1.9, 1.5}, 0));
        QVERIFY(std::abs(profile.threshold() - kFrozenThreshold) < 1e-6 * kFrozenThreshold);
        QVERIFY(std::abs(profile.score({1.0, 1.2, 1.9, 1.5}, 0) - kFrozenScore) < 1e-6);
    }

    void atypicalCallsScoreAboveNormalOnes()
    {
        ProfileFitOptions options;
        options.quantile = 0.99;
        auto fit = AnomalyProfile::fit(typicalCalls(60, 11), kFour, options);
        QVERIFY(fit);
        // The threshold is the out-of-fold quantile: about 1% of normal
        // cells the fit never saw lie above it, by construction.
        int above = 0;
        for (double s : fit->outOfFoldScores)
            above += s > 0 ? 1 : 0;
        QVERIFY2(above >= 1 && above <= 4, qPrintable(QString::number(above)));
        // Out of fold, no cell helped to fit the statistics it is scored
        // against, so the bar sits above the in-sample distances' quantile.
        std::vector<double> inSample;
        const auto samples = typicalCalls(60, 11);
        for (const auto &s : samples)
            inSample.push_back(fit->profile.distance(s.errors, s.predicted));
        std::sort(inSample.begin(), inSample.end());
        QVERIFY2(fit->profile.threshold() > inSample[std::size_t(0.99 * double(inSample.size() - 1))],
                 qPrintable(QString::number(fit->profile.threshold())));
        // Fresh normal calls: mostly below.
        Normal fresh(99);
        int freshAbove = 0;
        for (int i = 0; i < 200; ++i)
            freshAbove += fit->profile.score(typicalCall(i % 4, fresh).errors, i % 4) > 0 ? 1 : 0;
        QVERIFY2(freshAbove <= 10, qPrintable(QString::number(freshAbove)));
        // A cell the model never learnt that it calls "a" by a clear margin,
        // with every alternative alike: not an "a"'s profile.
        Normal unseen(5);
        int unseenAbove = 0;
        for (int i = 0; i < 100; ++i) {
            const std::vector<double> errors = {1.0, 1.6 + 0.1 * unseen.next(), 1.6 + 0.1 * unseen.next(),
                                                1.6 + 0.1 * unseen.next()};
            unseenAbove += fit->profile.score(errors, 0) > 0 ? 1 : 0;
        }
        QVERIFY2(unseenAbove >= 95, qPrintable(QString::number(unseenAbove)));
    }

    void cardJsonRoundTrips()
    {
        auto fit = AnomalyProfile::fit(typicalCalls(20, 3), kFour, {});
        QVERIFY(fit);
        fit->profile.setProvenance("unit test");
        const std::string json = fit->profile.toJson();
        auto read = AnomalyProfile::fromJson(json, kFour);
        QVERIFY2(read, read.ok() ? "" : read.error().c_str());
        QCOMPARE(read->provenance(), std::string("unit test"));
        QCOMPARE(read->threshold(), fit->profile.threshold());
        Normal noise(17);
        for (int i = 0; i < 20; ++i) {
            const auto call = typicalCall(i % 4, noise);
            QCOMPARE(read->score(call.errors, call.predicted), fit->profile.score(call.errors, call.predicted));
        }
    }

    void damagedOrForeignJsonIsRefused()
    {
        auto fit = AnomalyProfile::fit(typicalCalls(20, 3), kFour, {});
        QVERIFY(fit);
        const std::string json = fit->profile.toJson();
        auto foreign = AnomalyProfile::fromJson(json, {"a", "b", "c", "e"});
        QVERIFY(!foreign);
        QVERIFY2(foreign.error().find("other classes") != std::string::npos, foreign.error().c_str());
        QVERIFY(foreign.error().find("cytodiff-cli anomaly-profile") != std::string::npos);
        QVERIFY(!AnomalyProfile::fromJson(json.substr(0, json.size() / 2), kFour));
        QVERIFY(!AnomalyProfile::fromJson("", kFour));
        std::string newer = json;
        newer.replace(newer.find("\"version\":1"), 11, "\"version\":2");
        auto version = AnomalyProfile::fromJson(newer, kFour);
        QVERIFY(!version);
        QVERIFY(version.error().find("another version") != std::string::npos);
        // A mean entry that is not a number (same count of entries).
        std::string noNumbers = json;
        const auto mean = noNumbers.find("\"mean\":[") + 8;
        noNumbers.replace(mean, noNumbers.find(',', mean) - mean, "\"x\"");
        QVERIFY(!AnomalyProfile::fromJson(noNumbers, kFour));
        // A precision that is not positive definite would call everything
        // typical: refused as damaged.
        const auto precision = json.find("\"precision\":[") + 13;
        const std::string flipped = json.substr(0, precision) + "-" + json.substr(precision);
        auto negative = AnomalyProfile::fromJson(flipped, kFour);
        QVERIFY(!negative);
        QVERIFY(negative.error().find("damaged") != std::string::npos);
    }

    // The card keeps the classifier settings the calls were fitted on, and
    // names what other settings change: the errors' scale (the profile
    // must not score such calls) or only their noise (it still may).
    void fittedSettingsTravelWithTheProfile()
    {
        auto fit = AnomalyProfile::fit(typicalCalls(20, 3), kFour, {});
        QVERIFY(fit);
        AnomalyProfile &profile = fit->profile;
        // Until told otherwise: the application's defaults.
        QVERIFY(profile.differencesFrom(engine::ClassifyOptions{}).scale.empty());
        QVERIFY(profile.differencesFrom(engine::ClassifyOptions{}).noise.empty());
        engine::ClassifyOptions paper;
        paper.protocol = engine::Protocol::Paper;
        const auto other = profile.differencesFrom(paper);
        QCOMPARE(other.scale, (std::vector<std::string>{"protocol", "time range", "weighting"}));
        QCOMPARE(other.noise, (std::vector<std::string>{"trials"}));
        engine::ClassifyOptions longer;
        longer.trialsMax = 200;
        longer.views = 8;
        QVERIFY(profile.differencesFrom(longer).scale.empty());
        QCOMPARE(profile.differencesFrom(longer).noise, (std::vector<std::string>{"trials", "views"}));
        engine::ClassifyOptions uniform;
        uniform.weighting = engine::Weighting::Uniform;
        QCOMPARE(profile.differencesFrom(uniform).scale, (std::vector<std::string>{"weighting"}));

        // Through the card's JSON.
        profile.setFittedWith(paper);
        auto read = AnomalyProfile::fromJson(profile.toJson(), kFour);
        QVERIFY2(read, read.ok() ? "" : read.error().c_str());
        QVERIFY(read->differencesFrom(paper).scale.empty() && read->differencesFrom(paper).noise.empty());
        QCOMPARE(read->differencesFrom(engine::ClassifyOptions{}).scale.size(), std::size_t(3));
        // A card written before the settings were recorded was fitted with
        // the application's defaults.
        std::string older = profile.toJson();
        const auto from = older.find(",\"fitted_with\":{");
        QVERIFY(from != std::string::npos);
        older = older.substr(0, from) + older.substr(older.find('}', from) + 1);
        auto old = AnomalyProfile::fromJson(older, kFour);
        QVERIFY2(old, old.ok() ? "" : old.error().c_str());
        QVERIFY(old->differencesFrom(engine::ClassifyOptions{}).scale.empty());
        // Settings that cannot be read make the profile unusable, not the
        // defaults.
        const std::string json = profile.toJson();
        const auto at = json.find("\"protocol\":\"paper\"");
        QVERIFY(at != std::string::npos);
        const std::string unknown = json.substr(0, at) + "\"protocol\":\"other\"" + json.substr(at + 18);
        auto refused = AnomalyProfile::fromJson(unknown, kFour);
        QVERIFY(!refused);
        QVERIFY2(refused.error().find("settings") != std::string::npos, refused.error().c_str());
    }

    // The card stores each precision exactly symmetric, as its reader
    // checks (the solve that inverts it leaves rounding asymmetry).
    void precisionsAreStoredSymmetric()
    {
        auto fit = AnomalyProfile::fit(typicalCalls(30, 13), kFour, {});
        QVERIFY(fit);
        for (const auto &c : fit->profile.classes())
            for (std::size_t i = 0; i < 3; ++i)
                for (std::size_t j = 0; j < 3; ++j)
                    QCOMPARE(c.precision[i * 3 + j], c.precision[j * 3 + i]);
    }

    void tooFewCallsOfAClassAreRefused()
    {
        auto samples = typicalCalls(20, 3);
        // Keep only 3 calls of "c".
        int kept = 0;
        std::erase_if(samples, [&](const ProfileSample &s) { return s.predicted == 2 && ++kept > 3; });
        auto fit = AnomalyProfile::fit(samples, kFour, {});
        QVERIFY(!fit);
        QVERIFY2(fit.error().find("'c'") != std::string::npos, fit.error().c_str());
        QVERIFY(fit.error().find("more cells per class") != std::string::npos);
        // Errors of another size than the classes: refused, not guessed.
        samples.push_back({{1.0, 2.0}, 0});
        QVERIFY(!AnomalyProfile::fit(samples, kFour, {}));
    }

    void callsWithoutUsableErrorsAreAtypical()
    {
        auto fit = AnomalyProfile::fit(typicalCalls(20, 3), kFour, {});
        QVERIFY(fit);
        const auto &profile = fit->profile;
        QCOMPARE(profile.score({1.0, NAN, 2.0, 2.5}, 0), AnomalyProfile::kScoreLimit);
        QCOMPARE(profile.score({1.0, 2.0}, 0), AnomalyProfile::kScoreLimit);
        QCOMPARE(profile.score({1.0, 1.5, 2.0, 2.5}, 7), AnomalyProfile::kScoreLimit);
        // The mean profile itself: as typical as a call can be.
        const auto &mean = profile.classes()[0].mean;
        QVERIFY(profile.distance({1.0, 1.0 + mean[0], 1.0 + mean[1], 1.0 + mean[2]}, 0) < 1e-12);
    }

private:
    using ProfileFitOptions = classify::ProfileFitOptions;
    // From this code, and the same from an independent numpy version of the
    // fit (np.cov, np.linalg.inv, np.quantile) on the same generator.
    static constexpr double kFrozenThreshold = 13.30687808;
    static constexpr double kFrozenScore = 2.29209646;
};

QTEST_APPLESS_MAIN(TestAnomalyProfile)
#include "test_anomalyprofile.moc"
