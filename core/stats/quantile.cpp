#include "quantile.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cytodiff::stats {

double sortedQuantile(const std::vector<double> &sorted, double q)
{
    if (sorted.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const double position = std::clamp(q, 0.0, 1.0) * double(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] + (position - double(below)) * (sorted[above] - sorted[below]);
}

double quantile(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    return sortedQuantile(values, q);
}

} // namespace cytodiff::stats
