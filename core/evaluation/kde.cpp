#include "kde.h"

#include "quantile.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace cytodiff::evaluation {

double silvermanBandwidth(const std::vector<double> &values)
{
    const double n = double(values.size());
    if (values.empty())
        return 0;
    double mean = 0;
    for (double v : values)
        mean += v;
    mean /= n;
    double ss = 0;
    for (double v : values)
        ss += (v - mean) * (v - mean);
    const double sd = values.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
    const double iqr = stats::quantile(values, 0.75) - stats::quantile(values, 0.25);
    double spread = sd;
    if (iqr > 0)
        spread = std::min(sd, iqr / 1.34);
    if (spread <= 0)
        spread = std::abs(mean) > 0 ? 0.01 * std::abs(mean) : 1.0;
    return 0.9 * spread * std::pow(n, -0.2);
}

std::vector<double> gaussianKde(const std::vector<double> &values, const std::vector<double> &grid, double bandwidth)
{
    std::vector<double> density(grid.size(), 0.0);
    if (values.empty())
        return density;
    const double h = bandwidth > 0 ? bandwidth : silvermanBandwidth(values);
    const double norm = 1.0 / (double(values.size()) * h * std::sqrt(2.0 * std::numbers::pi));
    for (std::size_t g = 0; g < grid.size(); ++g) {
        double sum = 0;
        for (double v : values) {
            const double z = (grid[g] - v) / h;
            sum += std::exp(-0.5 * z * z);
        }
        density[g] = sum * norm;
    }
    return density;
}

std::vector<double> linspace(double lo, double hi, int n)
{
    std::vector<double> points;
    if (n <= 0)
        return points;
    if (n == 1)
        return {lo};
    for (int i = 0; i < n; ++i)
        points.push_back(lo + (hi - lo) * double(i) / double(n - 1));
    return points;
}

} // namespace cytodiff::evaluation
