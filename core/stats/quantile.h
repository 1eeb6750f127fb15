#pragma once
// The one quantile of the project: linear interpolation between the order
// statistics at q * (n - 1) (Hyndman and Fan's type 7, R's and NumPy's
// default), used by the density bandwidth, the calibration report's
// bootstrap intervals and the domain check's reference ranges.

#include <vector>

namespace cytodiff::stats {

// q is clamped to [0, 1]; an empty sample has no quantile (NaN).
double quantile(std::vector<double> values, double q);

// The same for values already sorted ascending (no copy, no sort).
double sortedQuantile(const std::vector<double> &sorted, double q);

} // namespace cytodiff::stats
