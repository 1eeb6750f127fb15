#pragma once
// Receiver operating characteristic of a score that should be higher for
// "positive" items (e.g. anomalous cells) than for negative ones.

#include <vector>

namespace cytodiff::evaluation {

// Area under the ROC curve = P(score of a random positive > score of a
// random negative) + 0.5 P(tie): the Mann-Whitney U statistic over
// |positives| * |negatives|, with mid-ranks for ties. NaN when either
// group is empty.
double rocAuc(const std::vector<double> &positives, const std::vector<double> &negatives);

struct RocPoint {
    double threshold = 0;          // call positive when score >= threshold
    double falsePositiveRate = 0;
    double truePositiveRate = 0;
};

// The curve's corners from (0, 0) to (1, 1), one point per distinct score
// (tied scores move both rates at once, which is what the AUC integrates).
std::vector<RocPoint> rocCurve(const std::vector<double> &positives, const std::vector<double> &negatives);

// Trapezoidal area under a curve from rocCurve (equals rocAuc).
double areaUnder(const std::vector<RocPoint> &curve);

} // namespace cytodiff::evaluation
