#include "calibration.h"

#include "roc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cytodiff::evaluation {

CalibrationSummary summariseCalibration(const std::vector<double> &confidence, const std::vector<bool> &correct,
                                        const std::vector<double> &queueShares)
{
    CalibrationSummary summary;
    const std::size_t n = std::min(confidence.size(), correct.size());
    summary.cells = int(n);
    if (n == 0)
        return summary;
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return confidence[a] < confidence[b]; });
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
    for (double share : queueShares) {
        QueueShare q;
        q.queueShare = share;
        q.reviewed = int(std::min<double>(double(n), std::ceil(share * double(n) - 1e-9)));
        for (int i = 0; i < q.reviewed; ++i)
            q.errorsFound += correct[order[std::size_t(i)]] ? 0 : 1;
        q.errorShare = summary.errors ? double(q.errorsFound) / summary.errors
                                      : std::numeric_limits<double>::quiet_NaN();
        summary.queue.push_back(q);
    }
    return summary;
}

} // namespace cytodiff::evaluation
