#include "agreement.h"

#include <algorithm>
#include <map>

namespace cytodiff::stats {
namespace {

KappaResult kappaFrom(double observed, double expected, int items)
{
    KappaResult result;
    result.observed = observed;
    result.expected = expected;
    result.items = items;
    // pe == 1 means every rating used one category: chance explains all of
    // the agreement and the formula is 0/0. See the header for the choice.
    const double denominator = 1.0 - expected;
    result.kappa = denominator <= 1e-12 ? 1.0 : (observed - expected) / denominator;
    return result;
}

} // namespace

std::optional<KappaResult> cohenKappa(const std::vector<int> &a, const std::vector<int> &b, int categories)
{
    if (categories <= 0)
        return std::nullopt;
    const std::size_t n = std::min(a.size(), b.size());
    std::vector<long long> marginalA(std::size_t(categories), 0);
    std::vector<long long> marginalB(std::size_t(categories), 0);
    long long shared = 0;
    long long agree = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] < 0 || b[i] < 0 || a[i] >= categories || b[i] >= categories)
            continue;
        ++shared;
        agree += a[i] == b[i];
        ++marginalA[std::size_t(a[i])];
        ++marginalB[std::size_t(b[i])];
    }
    if (shared == 0)
        return std::nullopt;
    const double total = double(shared);
    double expected = 0.0;
    for (int k = 0; k < categories; ++k)
        expected += (double(marginalA[std::size_t(k)]) / total) * (double(marginalB[std::size_t(k)]) / total);
    return kappaFrom(double(agree) / total, expected, int(shared));
}

std::optional<KappaResult> fleissKappa(const std::vector<std::vector<int>> &counts)
{
    if (counts.empty())
        return std::nullopt;
    const std::size_t categories = counts.front().size();
    long long raters = -1;
    std::vector<double> categoryTotals(categories, 0.0);
    double sumPi = 0.0;
    for (const auto &row : counts) {
        if (row.size() != categories)
            return std::nullopt;
        long long n = 0;
        long long sumSquares = 0;
        for (std::size_t k = 0; k < categories; ++k) {
            if (row[k] < 0)
                return std::nullopt;
            n += row[k];
            sumSquares += static_cast<long long>(row[k]) * row[k];
            categoryTotals[k] += row[k];
        }
        if (raters < 0)
            raters = n;
        if (n != raters || n < 2)
            return std::nullopt;
        // P_i: the share of agreeing rater pairs on item i.
        sumPi += double(sumSquares - n) / double(n * (n - 1));
    }
    const double items = double(counts.size());
    const double allRatings = items * double(raters);
    double expected = 0.0;
    for (double total : categoryTotals) {
        const double p = total / allRatings;
        expected += p * p;
    }
    return kappaFrom(sumPi / items, expected, int(counts.size()));
}

std::optional<KappaResult> fleissKappaEqualRaters(const std::vector<std::vector<int>> &ratings, int categories,
                                                  int *raters)
{
    if (categories <= 0)
        return std::nullopt;
    std::map<int, int> itemsByCount; // raters per item -> items
    std::vector<int> perItem;
    perItem.reserve(ratings.size());
    for (const auto &row : ratings) {
        const int n = int(std::count_if(row.begin(), row.end(), [&](int r) { return r >= 0 && r < categories; }));
        perItem.push_back(n);
        if (n >= 2)
            ++itemsByCount[n];
    }
    if (itemsByCount.empty())
        return std::nullopt;
    // The count whose cells hold the most rater pairs, items * n(n-1):
    // Fleiss' observed agreement averages over exactly those pairs.
    int bestCount = 0;
    long long bestPairs = -1;
    for (const auto &[count, items] : itemsByCount) {
        const long long pairs = static_cast<long long>(items) * count * (count - 1);
        if (pairs >= bestPairs) { // ascending keys: ">=" lets the larger n win ties
            bestPairs = pairs;
            bestCount = count;
        }
    }
    std::vector<std::vector<int>> counts;
    for (std::size_t i = 0; i < ratings.size(); ++i) {
        if (perItem[i] != bestCount)
            continue;
        std::vector<int> row(std::size_t(categories), 0);
        for (int r : ratings[i])
            if (r >= 0 && r < categories)
                ++row[std::size_t(r)];
        counts.push_back(std::move(row));
    }
    if (raters)
        *raters = bestCount;
    return fleissKappa(counts);
}

ConfidenceMatrix confidenceConfusion(const std::vector<std::vector<int>> &confidenceLevels)
{
    ConfidenceMatrix matrix{};
    for (const auto &row : confidenceLevels) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (row[i] < 0 || row[i] > 3)
                continue;
            for (std::size_t j = 0; j < row.size(); ++j) {
                if (i == j || row[j] < 0 || row[j] > 3)
                    continue;
                ++matrix[std::size_t(row[i])][std::size_t(row[j])];
            }
        }
    }
    return matrix;
}

} // namespace cytodiff::stats
