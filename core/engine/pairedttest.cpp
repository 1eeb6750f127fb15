#include "pairedttest.h"

#include <boost/math/special_functions/beta.hpp>

#include <cmath>
#include <limits>

namespace cytodiff::engine {

double regularizedIncompleteBeta(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    // Boost.Math (Debian's, header-only); a bad argument (NaN, a or b <= 0)
    // gives NaN instead of an exception escaping the classifier.
    using namespace boost::math::policies;
    using NoThrow = policy<domain_error<errno_on_error>, overflow_error<errno_on_error>, evaluation_error<errno_on_error>>;
    return boost::math::ibeta(a, b, x, NoThrow());
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
