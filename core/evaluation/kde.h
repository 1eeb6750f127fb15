#pragma once
// Gaussian kernel density estimates for the anomaly plots (paper Figure 3).

#include <vector>

namespace cytodiff::evaluation {

// Silverman's rule of thumb: 0.9 min(sd, IQR / 1.34) n^(-1/5). Falls back
// to the standard deviation, then to a small share of |mean| (or 1) when
// the sample has no spread, so the density is always defined. 0 for an
// empty sample.
double silvermanBandwidth(const std::vector<double> &values);

// Density at each grid point (integrates to 1 over the real line).
// bandwidth <= 0 uses silvermanBandwidth(values).
std::vector<double> gaussianKde(const std::vector<double> &values, const std::vector<double> &grid,
                                double bandwidth = 0);

// n evenly spaced points from lo to hi inclusive.
std::vector<double> linspace(double lo, double hi, int n);

} // namespace cytodiff::evaluation
