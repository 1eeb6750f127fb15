#pragma once
// Calibration summaries a clinician reads: how accuracy rises with the
// model's confidence, and how many of the model's errors a reviewer meets
// early when the review queue is ordered least-confident first.

#include <vector>

namespace cytodiff::evaluation {

struct ConfidenceBin {
    double lo = 0, hi = 0;  // confidence range of the bin's cells
    int cells = 0;
    int correct = 0;
    double accuracy() const { return cells ? double(correct) / cells : 0.0; }
};

struct QueueShare {
    double queueShare = 0;   // the first 5%, 10%, 20% of the queue
    int reviewed = 0;        // cells in that part
    int errorsFound = 0;
    double errorShare = 0;   // errorsFound / all errors (NaN without errors)
    // 95% percentile bootstrap interval of errorShare (cells resampled with
    // replacement): with a few dozen errors the share moves by several
    // points, so a target like "80% in the first 10%" needs it. NaN when
    // there are no errors.
    double errorShareLower = 0, errorShareUpper = 0;
};

struct CalibrationSummary {
    int cells = 0;
    int errors = 0;
    double accuracy = 0;
    std::vector<ConfidenceBin> deciles;   // lowest confidence first
    std::vector<QueueShare> queue;        // per requested share
    // AUC of "low confidence" for telling errors from correct calls.
    double errorDetectionAuc = 0;
};

// Deciles are equal-count groups of the cells sorted by confidence (fewer
// than ten when there are fewer cells). The queue is ordered by confidence
// ascending, ties kept in input order; "the first p" means ceil(p n) cells.
// The bootstrap uses a fixed seed, so a report is reproducible.
CalibrationSummary summariseCalibration(const std::vector<double> &confidence, const std::vector<bool> &correct,
                                        const std::vector<double> &queueShares = {0.05, 0.10, 0.20},
                                        int bootstrapResamples = 1000);

// The same queue shares (with their bootstrap intervals) for a queue that
// puts the cells with reviewFirst set ahead of the rest, each part least-
// confident first: e.g. the cells on which a second model disagrees.
std::vector<QueueShare> summariseQueue(const std::vector<double> &confidence, const std::vector<bool> &correct,
                                       const std::vector<bool> &reviewFirst,
                                       const std::vector<double> &queueShares = {0.05, 0.10, 0.20},
                                       int bootstrapResamples = 1000);

} // namespace cytodiff::evaluation
