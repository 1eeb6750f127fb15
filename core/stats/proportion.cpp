#include "proportion.h"

#include <algorithm>
#include <cmath>

namespace cytodiff::stats {

Interval wilsonInterval(std::int64_t k, std::int64_t n, double z)
{
    if (n <= 0)
        return {0.0, 1.0};
    k = std::clamp<std::int64_t>(k, 0, n);
    const double nn = double(n);
    const double p = double(k) / nn;
    const double z2 = z * z;
    const double denominator = 1.0 + z2 / nn;
    const double centre = (p + z2 / (2.0 * nn)) / denominator;
    const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denominator;
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double binomialProbability(std::int64_t k, std::int64_t n, double p)
{
    if (n < 0 || k < 0 || k > n)
        return 0.0;
    p = std::clamp(p, 0.0, 1.0);
    // The degenerate ends: log(0) would turn 0 * log(0) into NaN.
    if (p == 0.0)
        return k == 0 ? 1.0 : 0.0;
    if (p == 1.0)
        return k == n ? 1.0 : 0.0;
    const double logChoose = std::lgamma(double(n) + 1.0) - std::lgamma(double(k) + 1.0) -
                             std::lgamma(double(n - k) + 1.0);
    return std::exp(logChoose + double(k) * std::log(p) + double(n - k) * std::log1p(-p));
}

double binomialTestTwoSided(std::int64_t k, std::int64_t n, double p)
{
    if (n <= 0)
        return 1.0;
    k = std::clamp<std::int64_t>(k, 0, n);
    p = std::clamp(p, 0.0, 1.0);
    const double observed = binomialProbability(k, n, p);
    // The same relative tolerance as R's binom.test: without it, rounding
    // in lgamma can drop the mirror outcome of a symmetric distribution.
    const double limit = observed * (1.0 + 1e-7);
    double total = 0.0;
    for (std::int64_t i = 0; i <= n; ++i) {
        const double probability = binomialProbability(i, n, p);
        if (probability <= limit)
            total += probability;
    }
    return std::min(1.0, total);
}

Proportion proportion(std::int64_t successes, std::int64_t trials, double z)
{
    Proportion result;
    result.trials = std::max<std::int64_t>(0, trials);
    result.successes = std::clamp<std::int64_t>(successes, 0, result.trials);
    result.value = result.trials > 0 ? double(result.successes) / double(result.trials) : 0.0;
    result.ci = wilsonInterval(result.successes, result.trials, z);
    return result;
}

void ConfusionCounts::add(bool truthPositive, bool calledPositive)
{
    if (truthPositive)
        ++(calledPositive ? truePositive : falseNegative);
    else
        ++(calledPositive ? falsePositive : trueNegative);
}

Proportion sensitivity(const ConfusionCounts &counts, double z)
{
    return proportion(counts.truePositive, counts.truePositive + counts.falseNegative, z);
}

Proportion specificity(const ConfusionCounts &counts, double z)
{
    return proportion(counts.trueNegative, counts.trueNegative + counts.falsePositive, z);
}

Proportion accuracy(const ConfusionCounts &counts, double z)
{
    return proportion(counts.correct(), counts.total(), z);
}

} // namespace cytodiff::stats
