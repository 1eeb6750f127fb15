#include "calibration.h"

#include "quantile.h"
#include "roc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace cytodiff::evaluation {
namespace {

// The review queue: cells with reviewFirst set (if any) ahead of the rest,
// each part sorted by confidence, ascending, ties kept in input order.
std::vector<std::size_t> queueOrder(const std::vector<double> &confidence, const std::vector<bool> &reviewFirst,
                                    std::vector<std::size_t> cells)
{
    std::stable_sort(cells.begin(), cells.end(), [&](std::size_t a, std::size_t b) {
        if (!reviewFirst.empty() && reviewFirst[a] != reviewFirst[b])
            return bool(reviewFirst[a]);
        return confidence[a] < confidence[b];
    });
    return cells;
}

// "The first p of the queue" is ceil(p n) cells; the epsilon keeps 0.1 * 240
// at 24 rather than 25.
std::size_t reviewedCells(double share, std::size_t n)
{
    return std::size_t(std::min<double>(double(n), std::ceil(share * double(n) - 1e-9)));
}

// Errors among the first reviewedCells(share) cells of an ordered queue.
std::vector<int> errorsInQueue(const std::vector<std::size_t> &order, const std::vector<bool> &correct,
                               const std::vector<double> &shares)
{
    std::vector<int> found;
    for (double share : shares) {
        const auto reviewed = reviewedCells(share, order.size());
        int errors = 0;
        for (std::size_t i = 0; i < reviewed; ++i)
            errors += correct[order[i]] ? 0 : 1;
        found.push_back(errors);
    }
    return found;
}

} // namespace

CalibrationSummary summariseCalibration(const std::vector<double> &confidence, const std::vector<bool> &correct,
                                        const std::vector<double> &queueShares, int bootstrapResamples)
{
    CalibrationSummary summary;
    const std::size_t n = std::min(confidence.size(), correct.size());
    summary.cells = int(n);
    if (n == 0)
        return summary;
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), 0);
    const auto order = queueOrder(confidence, {}, all);
    std::vector<double> wrongScores, rightScores;
    for (std::size_t i = 0; i < n; ++i) {
        if (!correct[i]) {
            ++summary.errors;
            wrongScores.push_back(-confidence[i]);
        } else {
            rightScores.push_back(-confidence[i]);
        }
    }
    summary.accuracy = double(n - std::size_t(summary.errors)) / double(n);
    summary.errorDetectionAuc = rocAuc(wrongScores, rightScores);

    const std::size_t groups = std::min<std::size_t>(10, n);
    for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t begin = n * g / groups, end = n * (g + 1) / groups;
        ConfidenceBin bin;
        bin.lo = confidence[order[begin]];
        bin.hi = confidence[order[end - 1]];
        for (std::size_t i = begin; i < end; ++i) {
            ++bin.cells;
            bin.correct += correct[order[i]] ? 1 : 0;
        }
        summary.deciles.push_back(bin);
    }
    summary.queue = summariseQueue(confidence, correct, {}, queueShares, bootstrapResamples);
    return summary;
}

std::vector<QueueShare> summariseQueue(const std::vector<double> &confidence, const std::vector<bool> &correct,
                                       const std::vector<bool> &reviewFirst, const std::vector<double> &queueShares,
                                       int bootstrapResamples)
{
    const std::size_t n = std::min(confidence.size(), correct.size());
    std::vector<QueueShare> queue;
    if (n == 0)
        return queue;
    const std::vector<bool> first = reviewFirst.size() >= n ? reviewFirst : std::vector<bool>{};
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), 0);
    const int errors = int(std::count(correct.begin(), correct.begin() + std::ptrdiff_t(n), false));
    const auto found = errorsInQueue(queueOrder(confidence, first, all), correct, queueShares);
    for (std::size_t k = 0; k < queueShares.size(); ++k) {
        QueueShare q;
        q.queueShare = queueShares[k];
        q.reviewed = int(reviewedCells(queueShares[k], n));
        q.errorsFound = found[k];
        q.errorShare = errors ? double(q.errorsFound) / errors : std::numeric_limits<double>::quiet_NaN();
        q.errorShareLower = q.errorShareUpper = std::numeric_limits<double>::quiet_NaN();
        queue.push_back(q);
    }
    if (errors == 0 || bootstrapResamples <= 0)
        return queue;
    std::mt19937_64 rng(20260101);
    std::uniform_int_distribution<std::size_t> pick(0, n - 1);
    std::vector<std::vector<double>> shares(queueShares.size());
    std::vector<std::size_t> sample(n);
    for (int b = 0; b < bootstrapResamples; ++b) {
        int sampledErrors = 0;
        for (auto &cell : sample) {
            cell = pick(rng);
            sampledErrors += correct[cell] ? 0 : 1;
        }
        if (sampledErrors == 0)
            continue; // the share is undefined for this resample
        const auto resampled = errorsInQueue(queueOrder(confidence, first, sample), correct, queueShares);
        for (std::size_t k = 0; k < queueShares.size(); ++k)
            shares[k].push_back(double(resampled[k]) / sampledErrors);
    }
    for (std::size_t k = 0; k < queueShares.size(); ++k) {
        queue[k].errorShareLower = stats::quantile(shares[k], 0.025);
        queue[k].errorShareUpper = stats::quantile(shares[k], 0.975);
    }
    return queue;
}

} // namespace cytodiff::evaluation
