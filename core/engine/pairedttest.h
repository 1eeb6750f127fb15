#pragma once
// Paired Student t-test used to prune classes during classification
// (method.md section 1: "a paired Student t-test compares every remaining
// class with the current best"). The incomplete beta is Boost.Math's.

#include <vector>

namespace cytodiff::engine {

struct TTestResult {
    double t = 0.0;       // mean(d) / (sd(d) / sqrt(n))
    double pValue = 1.0;  // one-sided: P(T >= t) under H0 mean(d) = 0
    int degreesOfFreedom = 0;
};

// d_i = worse_i - better_i. A small p means "worse" is significantly worse.
TTestResult pairedTTest(const std::vector<double> &worse, const std::vector<double> &better);

// Upper tail of Student's t distribution, P(T >= t), for df > 0.
double studentTUpperTail(double t, int degreesOfFreedom);

// Regularised incomplete beta I_x(a, b).
double regularizedIncompleteBeta(double a, double b, double x);

} // namespace cytodiff::engine
