#include "psychometric.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>

namespace cytodiff::evaluation {

namespace {

const double kLogit95 = 2.0 * std::log(19.0); // S from 0.05 to 0.95 across w

// 0 at `zero`, rising as a half cosine to 1 at `full` (either order).
double cosineRamp(double v, double zero, double full)
{
    const double t = std::clamp((v - zero) / (full - zero), 0.0, 1.0);
    return 0.5 - 0.5 * std::cos(std::numbers::pi * t);
}

// psignifit's default threshold prior: flat over the tested range, cosine
// fall-off to 0 over half the range outside it.
double thresholdPrior(double m, double lo, double hi)
{
    const double half = 0.5 * (hi - lo);
    if (m < lo - half || m > hi + half)
        return 0;
    if (m < lo)
        return cosineRamp(m, lo - half, lo);
    if (m > hi)
        return cosineRamp(m, hi + half, hi);
    return 1;
}

// Width prior: flat from 2 x the smallest level spacing to the range,
// cosine fall-offs to 0 at the smallest spacing and at 3 x the range.
double widthPrior(double w, double minDiff, double range)
{
    if (w <= minDiff || w >= 3 * range)
        return 0;
    if (w < 2 * minDiff)
        return cosineRamp(w, minDiff, 2 * minDiff);
    if (w > range)
        return cosineRamp(w, 3 * range, range);
    return 1;
}

// Beta(1, 10) density up to its constant: (1 - lambda)^9.
double lapsePrior(double lambda) { return lambda < 0 || lambda >= 1 ? 0 : std::pow(1 - lambda, 9); }

struct Grid {
    std::vector<double> m, w, l;
    std::vector<double> logPost; // [m][w][l]
    double at(std::size_t i, std::size_t j, std::size_t k) const { return logPost[(i * w.size() + j) * l.size() + k]; }
};

Grid evaluateGrid(const PsychometricData &data, double gamma, std::vector<double> m, std::vector<double> w,
                  std::vector<double> l, double mLo, double mHi, double minDiff, double range)
{
    Grid grid{std::move(m), std::move(w), std::move(l), {}};
    grid.logPost.assign(grid.m.size() * grid.w.size() * grid.l.size(), -std::numeric_limits<double>::infinity());
    const std::size_t n = data.level.size();
    std::vector<double> s(n);
    for (std::size_t i = 0; i < grid.m.size(); ++i) {
        const double pm = thresholdPrior(grid.m[i], mLo, mHi);
        if (pm <= 0)
            continue;
        for (std::size_t j = 0; j < grid.w.size(); ++j) {
            const double pw = widthPrior(grid.w[j], minDiff, range);
            if (pw <= 0)
                continue;
            for (std::size_t b = 0; b < n; ++b)
                s[b] = psychometricSigmoid(data.level[b], grid.m[i], grid.w[j]);
            for (std::size_t k = 0; k < grid.l.size(); ++k) {
                const double pl = lapsePrior(grid.l[k]);
                if (pl <= 0)
                    continue;
                double logLik = 0;
                for (std::size_t b = 0; b < n; ++b) {
                    const double psi = std::clamp(gamma + (1 - gamma - grid.l[k]) * s[b], 1e-12, 1 - 1e-12);
                    logLik += data.correct[b] * std::log(psi) + (data.total[b] - data.correct[b]) * std::log1p(-psi);
                }
                grid.logPost[(i * grid.w.size() + j) * grid.l.size() + k] = logLik + std::log(pm * pw * pl);
            }
        }
    }
    return grid;
}

// Normalised posterior mass per grid point.
std::vector<double> masses(const Grid &grid)
{
    const double top = *std::max_element(grid.logPost.begin(), grid.logPost.end());
    std::vector<double> mass(grid.logPost.size());
    double total = 0;
    for (std::size_t i = 0; i < mass.size(); ++i) {
        mass[i] = std::isfinite(grid.logPost[i]) ? std::exp(grid.logPost[i] - top) : 0.0;
        total += mass[i];
    }
    for (double &v : mass)
        v /= total;
    return mass;
}

// Median and 95% interval of a weighted sample (value, mass), with linear
// interpolation between neighbouring values of the cumulative mass.
CredibleValue credible(std::vector<std::pair<double, double>> sample)
{
    std::sort(sample.begin(), sample.end());
    CredibleValue out;
    if (sample.empty())
        return out;
    double total = 0;
    for (const auto &s : sample)
        total += s.second;
    const auto at = [&](double q) {
        double cumulative = 0;
        for (std::size_t i = 0; i < sample.size(); ++i) {
            const double next = cumulative + sample[i].second / total;
            if (next >= q) {
                if (i == 0 || sample[i].second <= 0)
                    return sample[i].first;
                const double f = (q - cumulative) / (next - cumulative);
                // Each grid value stands for the cell around it: spread its
                // mass over half a step either side.
                const double left = 0.5 * (sample[i - 1].first + sample[i].first);
                const double right = i + 1 < sample.size() ? 0.5 * (sample[i].first + sample[i + 1].first)
                                                           : sample[i].first;
                return left + f * (right - left);
            }
            cumulative = next;
        }
        return sample.back().first;
    };
    out.estimate = at(0.5);
    out.lower = at(0.025);
    out.upper = at(0.975);
    return out;
}

std::vector<double> span(double lo, double hi, int n)
{
    std::vector<double> v;
    for (int i = 0; i < n; ++i)
        v.push_back(n == 1 ? lo : lo + (hi - lo) * i / double(n - 1));
    return v;
}

} // namespace

int PsychometricData::trials() const { return std::accumulate(total.begin(), total.end(), 0); }

int defaultBinCount(std::size_t cases) { return cases < 500 ? 12 : 25; }

PsychometricData binResponses(const std::vector<double> &x, const std::vector<bool> &correct, int bins)
{
    PsychometricData data;
    const std::size_t n = std::min(x.size(), correct.size());
    if (n == 0 || bins <= 0)
        return data;
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    std::map<double, std::pair<int, int>> distinct;
    for (std::size_t i = 0; i < n; ++i) {
        auto &[right, all] = distinct[x[i]];
        right += correct[i] ? 1 : 0;
        ++all;
    }
    if (int(distinct.size()) <= bins) {
        for (const auto &[level, counts] : distinct) {
            data.level.push_back(level);
            data.correct.push_back(counts.first);
            data.total.push_back(counts.second);
        }
        return data;
    }
    for (int b = 0; b < bins; ++b) {
        const std::size_t begin = n * std::size_t(b) / std::size_t(bins);
        const std::size_t end = n * std::size_t(b + 1) / std::size_t(bins);
        if (end <= begin)
            continue;
        double sum = 0;
        int right = 0;
        for (std::size_t i = begin; i < end; ++i) {
            sum += x[order[i]];
            right += correct[order[i]] ? 1 : 0;
        }
        data.level.push_back(sum / double(end - begin));
        data.correct.push_back(right);
        data.total.push_back(int(end - begin));
    }
    return data;
}

double psychometricSigmoid(double x, double threshold, double width)
{
    return 1.0 / (1.0 + std::exp(-kLogit95 * (x - threshold) / width));
}

double psychometricValue(double x, double threshold, double width, double gamma, double lapse)
{
    return gamma + (1 - gamma - lapse) * psychometricSigmoid(x, threshold, width);
}

namespace {

// The box of the coarse grid that holds all but a negligible share of the
// posterior, widened by one step on each side: where pass 2 looks.
struct ZoomBox {
    double mA, mB, wA, wB, lA, lB;
};

ZoomBox zoomBox(const Grid &coarse)
{
    const auto coarseMass = masses(coarse);
    std::size_t i0 = coarse.m.size(), i1 = 0, j0 = coarse.w.size(), j1 = 0, k0 = coarse.l.size(), k1 = 0;
    const double cut = 1e-7 * *std::max_element(coarseMass.begin(), coarseMass.end());
    for (std::size_t i = 0; i < coarse.m.size(); ++i)
        for (std::size_t j = 0; j < coarse.w.size(); ++j)
            for (std::size_t k = 0; k < coarse.l.size(); ++k)
                if (coarseMass[(i * coarse.w.size() + j) * coarse.l.size() + k] > cut) {
                    i0 = std::min(i0, i), i1 = std::max(i1, i);
                    j0 = std::min(j0, j), j1 = std::max(j1, j);
                    k0 = std::min(k0, k), k1 = std::max(k1, k);
                }
    const auto widen = [](const std::vector<double> &axis, std::size_t a, std::size_t b) {
        return std::pair{axis[a > 0 ? a - 1 : 0], axis[std::min(b + 1, axis.size() - 1)]};
    };
    const auto [mA, mB] = widen(coarse.m, i0, i1);
    const auto [wA, wB] = widen(coarse.w, j0, j1);
    const auto [lA, lB] = widen(coarse.l, k0, k1);
    return {mA, mB, wA, wB, lA, lB};
}

// Marginal posteriors, credible intervals of threshold, width, lapse and
// the 80% point, and the densities for the insets.
void summarisePosterior(PsychometricFit &fit, const Grid &fine, const std::vector<double> &mass, double thresholdStep)
{
    std::vector<std::pair<double, double>> mSample, wSample, lSample, m80Sample;
    fit.thresholdGrid = fine.m;
    fit.widthGrid = fine.w;
    fit.thresholdPosterior.assign(fine.m.size(), 0);
    fit.widthPosterior.assign(fine.w.size(), 0);
    std::vector<double> lapseMarginal(fine.l.size(), 0);
    const double logit80 = std::log(4.0); // S = 0.8
    for (std::size_t i = 0; i < fine.m.size(); ++i)
        for (std::size_t j = 0; j < fine.w.size(); ++j)
            for (std::size_t k = 0; k < fine.l.size(); ++k) {
                const double p = mass[(i * fine.w.size() + j) * fine.l.size() + k];
                fit.thresholdPosterior[i] += p;
                fit.widthPosterior[j] += p;
                lapseMarginal[k] += p;
                if (p > 0)
                    m80Sample.emplace_back(fine.m[i] + logit80 * fine.w[j] / kLogit95, p);
            }
    for (std::size_t i = 0; i < fine.m.size(); ++i)
        mSample.emplace_back(fine.m[i], fit.thresholdPosterior[i]);
    for (std::size_t j = 0; j < fine.w.size(); ++j)
        wSample.emplace_back(fine.w[j], fit.widthPosterior[j]);
    for (std::size_t k = 0; k < fine.l.size(); ++k)
        lSample.emplace_back(fine.l[k], lapseMarginal[k]);
    fit.threshold = credible(mSample);
    fit.width = credible(wSample);
    fit.lapse = credible(lSample);
    // m + c w is not on one grid axis: bucket it so the interpolation in
    // credible() has evenly spread neighbours.
    {
        std::map<double, double> buckets;
        const double step = thresholdStep;
        for (const auto &[v, p] : m80Sample)
            buckets[std::round(v / step) * step] += p;
        fit.threshold80 = credible({buckets.begin(), buckets.end()});
    }
    // Densities for the insets (mass per unit of the parameter).
    const auto toDensity = [](std::vector<double> &posterior, const std::vector<double> &grid) {
        if (grid.size() < 2)
            return;
        const double step = grid[1] - grid[0];
        if (step > 0)
            for (double &v : posterior)
                v /= step;
    };
    toDensity(fit.thresholdPosterior, fit.thresholdGrid);
    toDensity(fit.widthPosterior, fit.widthGrid);

}

// Posterior band of psi over curveX (2.5/50/97.5% at each x).
void posteriorBand(PsychometricFit &fit, const Grid &fine, const std::vector<double> &mass, double gamma, double lo,
                   double hi, double range, int curvePoints)
{
    // The points carrying 99.9% of the mass are enough for the quantiles.
    std::vector<std::size_t> heavy(mass.size());
    std::iota(heavy.begin(), heavy.end(), 0);
    std::sort(heavy.begin(), heavy.end(), [&](std::size_t a, std::size_t b) { return mass[a] > mass[b]; });
    double kept = 0;
    std::size_t count = 0;
    while (count < heavy.size() && kept < 0.999)
        kept += mass[heavy[count++]];
    heavy.resize(std::max<std::size_t>(count, 1));
    const double margin = 0.05 * range;
    fit.curveX = span(lo - margin, hi + margin, std::max(2, curvePoints));
    const std::size_t nw = fine.w.size(), nl = fine.l.size();
    for (double x : fit.curveX) {
        std::vector<std::pair<double, double>> values;
        values.reserve(heavy.size());
        for (std::size_t index : heavy) {
            const std::size_t i = index / (nw * nl), j = (index / nl) % nw, k = index % nl;
            values.emplace_back(psychometricValue(x, fine.m[i], fine.w[j], gamma, fine.l[k]), mass[index]);
        }
        std::sort(values.begin(), values.end());
        double total = 0;
        for (const auto &v : values)
            total += v.second;
        const auto q = [&](double p) {
            double c = 0;
            for (const auto &v : values) {
                c += v.second / total;
                if (c >= p)
                    return v.first;
            }
            return values.back().first;
        };
        fit.curveLower.push_back(q(0.025));
        fit.curveMedian.push_back(q(0.5));
        fit.curveUpper.push_back(q(0.975));
    }
}

} // namespace

PsychometricFit fitPsychometric(const PsychometricData &data, const PsychometricOptions &options)
{
    PsychometricFit fit;
    fit.gamma = options.gamma;
    std::vector<double> levels = data.level;
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    if (levels.size() < 3 || data.trials() == 0) {
        fit.message = "A psychometric fit needs responses at three or more different confidence levels.";
        return fit;
    }
    if (options.gamma <= 0 || options.gamma >= 1) {
        fit.message = "The guess rate must lie between 0 and 1 (one over the number of classes).";
        return fit;
    }
    const double lo = levels.front(), hi = levels.back(), range = hi - lo;
    double minDiff = range;
    for (std::size_t i = 1; i < levels.size(); ++i)
        minDiff = std::min(minDiff, levels[i] - levels[i - 1]);
    fit.thresholdPriorLo = lo - 0.5 * range;
    fit.thresholdPriorHi = hi + 0.5 * range;
    fit.widthPriorLo = minDiff;
    fit.widthPriorHi = 3 * range;

    // Pass 1 over the priors' whole support; pass 2 zooms into the box that
    // holds all but a negligible share of the posterior.
    Grid coarse = evaluateGrid(data, options.gamma, span(fit.thresholdPriorLo, fit.thresholdPriorHi, 61),
                               span(fit.widthPriorLo, fit.widthPriorHi, 61), span(0.0, 0.5, 26), lo, hi, minDiff,
                               range);
    const ZoomBox box = zoomBox(coarse);
    Grid fine = evaluateGrid(data, options.gamma, span(box.mA, box.mB, options.thresholdSteps),
                             span(std::max(box.wA, 1e-9), box.wB, options.widthSteps),
                             span(box.lA, box.lB, options.lapseSteps), lo, hi, minDiff, range);
    const auto mass = masses(fine);

    summarisePosterior(fit, fine, mass, (box.mB - box.mA) / std::max(1, options.thresholdSteps - 1));
    posteriorBand(fit, fine, mass, options.gamma, lo, hi, range, options.curvePoints);
    fit.ok = true;
    return fit;
}

} // namespace cytodiff::evaluation
