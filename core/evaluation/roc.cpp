#include "roc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace cytodiff::evaluation {

double rocAuc(const std::vector<double> &positives, const std::vector<double> &negatives)
{
    if (positives.empty() || negatives.empty())
        return std::numeric_limits<double>::quiet_NaN();
    // Rank all scores together; a tied run shares the mean of its ranks, so
    // each positive-negative tie counts one half.
    std::vector<std::pair<double, bool>> all;
    all.reserve(positives.size() + negatives.size());
    for (double v : positives)
        all.emplace_back(v, true);
    for (double v : negatives)
        all.emplace_back(v, false);
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    double positiveRankSum = 0;
    for (std::size_t i = 0; i < all.size();) {
        std::size_t j = i;
        while (j < all.size() && all[j].first == all[i].first)
            ++j;
        const double midRank = 0.5 * double(i + 1 + j); // ranks i+1 .. j
        for (std::size_t k = i; k < j; ++k)
            if (all[k].second)
                positiveRankSum += midRank;
        i = j;
    }
    const double np = double(positives.size());
    const double nn = double(negatives.size());
    const double u = positiveRankSum - np * (np + 1) / 2;
    return u / (np * nn);
}

std::vector<RocPoint> rocCurve(const std::vector<double> &positives, const std::vector<double> &negatives)
{
    std::vector<RocPoint> curve;
    if (positives.empty() || negatives.empty())
        return curve;
    std::vector<std::pair<double, bool>> all;
    for (double v : positives)
        all.emplace_back(v, true);
    for (double v : negatives)
        all.emplace_back(v, false);
    // Highest score first: lowering the threshold admits more items.
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    curve.push_back({std::numeric_limits<double>::infinity(), 0.0, 0.0});
    double tp = 0, fp = 0;
    for (std::size_t i = 0; i < all.size();) {
        std::size_t j = i;
        while (j < all.size() && all[j].first == all[i].first) {
            (all[j].second ? tp : fp) += 1;
            ++j;
        }
        curve.push_back({all[i].first, fp / double(negatives.size()), tp / double(positives.size())});
        i = j;
    }
    return curve;
}

double areaUnder(const std::vector<RocPoint> &curve)
{
    double area = 0;
    for (std::size_t i = 1; i < curve.size(); ++i)
        area += (curve[i].falsePositiveRate - curve[i - 1].falsePositiveRate)
                * 0.5 * (curve[i].truePositiveRate + curve[i - 1].truePositiveRate);
    return area;
}

} // namespace cytodiff::evaluation
