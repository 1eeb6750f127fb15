#include "pairedttest.h"

#include <cmath>
#include <limits>

namespace cytodiff::engine {
namespace {

// Continued fraction for I_x(a, b) by the modified Lentz method.
double betaContinuedFraction(double a, double b, double x)
{
    constexpr int kMaxIterations = 300;
    constexpr double kEpsilon = 1e-15;
    constexpr double kTiny = 1e-300;

    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::fabs(d) < kTiny)
        d = kTiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= kMaxIterations; ++m) {
        const double m2 = 2.0 * m;
        double numerator = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + numerator * d;
        c = 1.0 + numerator / c;
        d = std::fabs(d) < kTiny ? kTiny : d;
        c = std::fabs(c) < kTiny ? kTiny : c;
        d = 1.0 / d;
        h *= d * c;
        numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + numerator * d;
        c = 1.0 + numerator / c;
        d = std::fabs(d) < kTiny ? kTiny : d;
        c = std::fabs(c) < kTiny ? kTiny : c;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < kEpsilon)
            break;
    }
    return h;
}

} // namespace

double regularizedIncompleteBeta(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    const double logFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b)
                          + a * std::log(x) + b * std::log1p(-x);
    const double front = std::exp(logFront);
    // The continued fraction converges fast only for x < (a + 1) / (a + b + 2);
    // otherwise use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * betaContinuedFraction(a, b, x) / a;
    return 1.0 - front * betaContinuedFraction(b, a, 1.0 - x) / b;
}

double studentTUpperTail(double t, int degreesOfFreedom)
{
    const double df = degreesOfFreedom;
    const double x = df / (df + t * t);
    const double twoSided = regularizedIncompleteBeta(df / 2.0, 0.5, x);
    return t >= 0.0 ? 0.5 * twoSided : 1.0 - 0.5 * twoSided;
}

TTestResult pairedTTest(const std::vector<double> &worse, const std::vector<double> &better)
{
    TTestResult result;
    const std::size_t n = std::min(worse.size(), better.size());
    if (n < 2)
        return result;
    double mean = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        mean += worse[i] - better[i];
    mean /= double(n);
    double sumSquares = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double d = worse[i] - better[i] - mean;
        sumSquares += d * d;
    }
    const double sd = std::sqrt(sumSquares / double(n - 1));
    result.degreesOfFreedom = int(n) - 1;
    if (sd <= 0.0) {
        // Identical differences: infinitely significant unless they are zero.
        result.t = mean > 0 ? std::numeric_limits<double>::infinity() : 0.0;
        result.pValue = mean > 0 ? 0.0 : (mean < 0 ? 1.0 : 0.5);
        return result;
    }
    result.t = mean / (sd / std::sqrt(double(n)));
    result.pValue = studentTUpperTail(result.t, result.degreesOfFreedom);
    return result;
}

} // namespace cytodiff::engine
