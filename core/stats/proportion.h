#pragma once
// Statistics of one proportion: the Wilson score interval, the exact
// binomial test, and sensitivity / specificity of a two-class decision.
// Used by the differential (ui/differential) and the Turing test results.

#include <cstdint>

namespace cytodiff::stats {

// z for a two-sided 95% interval (the 0.975 quantile of the normal).
inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
    double low = 0.0; // proportions in [0, 1]
    double high = 0.0;
};

// Wilson score interval for k successes in n trials. n <= 0 gives [0, 1]
// (no observations, no information); k is clamped to [0, n].
Interval wilsonInterval(std::int64_t k, std::int64_t n, double z = kZ95);

// Exact two-sided binomial test of k successes in n trials against the
// success probability p. Two-sided convention (as R's binom.test): the
// p-value is the total probability of every outcome i in [0, n] whose
// probability P(X = i) is not larger than that of the observed k (with a
// relative tolerance of 1e-7 so that ties of a symmetric distribution are
// counted on both sides). For p = 0.5 this equals min(1, 2 * smaller tail).
// Returns 1 for n <= 0; p is clamped to [0, 1].
double binomialTestTwoSided(std::int64_t k, std::int64_t n, double p = 0.5);

// P(X = k) for X ~ Binomial(n, p), computed in log space (no overflow for
// large n).
double binomialProbability(std::int64_t k, std::int64_t n, double p);

// A proportion with its Wilson 95% interval.
struct Proportion {
    std::int64_t successes = 0;
    std::int64_t trials = 0;
    double value = 0.0; // successes / trials; 0 when trials == 0
    Interval ci;

    bool isDefined() const { return trials > 0; }
};
Proportion proportion(std::int64_t successes, std::int64_t trials, double z = kZ95);

// Counts of a two-class decision. Which class is "positive" is the
// caller's statement (the Turing test: synthetic = positive).
struct ConfusionCounts {
    std::int64_t truePositive = 0;  // positive called positive
    std::int64_t falseNegative = 0; // positive called negative
    std::int64_t trueNegative = 0;  // negative called negative
    std::int64_t falsePositive = 0; // negative called positive

    std::int64_t total() const { return truePositive + falseNegative + trueNegative + falsePositive; }
    std::int64_t correct() const { return truePositive + trueNegative; }
    void add(bool truthPositive, bool calledPositive);
};

// TP / (TP + FN): the share of positives called positive.
Proportion sensitivity(const ConfusionCounts &counts, double z = kZ95);
// TN / (TN + FP): the share of negatives called negative.
Proportion specificity(const ConfusionCounts &counts, double z = kZ95);
// (TP + TN) / total.
Proportion accuracy(const ConfusionCounts &counts, double z = kZ95);

} // namespace cytodiff::stats
