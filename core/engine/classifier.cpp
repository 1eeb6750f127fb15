#include <torch/torch.h>

#include "augment.h"
#include "classifier.h"
#include "pairedttest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace cytodiff::engine {

double maskRadiusFor(const FloatImage &image)
{
    if (image.imageRadius - kFillMargin >= kDefaultMaskRadius)
        return kDefaultMaskRadius;
    return std::max(image.imageRadius - kFillMargin, kSmallestMaskRadius);
}

ClassifyOptions ClassifyOptions::resolved() const
{
    ClassifyOptions o = *this;
    const bool paper = protocol == Protocol::Paper;
    // Paper: random t over the whole range, min 20 / max 2000 trials, p 2e-3,
    // pruning after every trial. Fast: stratified t where class evidence
    // lives, pruning every round of 4 paired trials (measured in README).
    if (o.trialsMin < 0) o.trialsMin = paper ? 20 : 8;
    if (o.trialsMax < 0) o.trialsMax = paper ? 2000 : 48;
    if (o.pValue < 0) o.pValue = 2e-3;
    if (o.trialsPerRound < 0) o.trialsPerRound = paper ? 1 : 4;
    if (o.tMin < 0) o.tMin = paper ? 0.0 : 0.02;
    if (o.tMax < 0) o.tMax = paper ? 1.0 : 0.5;
    if (o.views < 0) o.views = 1;
    if (o.weighting == Weighting::Default) o.weighting = paper ? Weighting::Paper : Weighting::Fitted;
    o.views = o.views >= 8 ? 8 : 1;
    o.maskRadius = o.maskRadius < 0 ? kDefaultMaskRadius : std::clamp(o.maskRadius, kSmallestMaskRadius, 0.5);
    o.trialsMax = std::max(o.trialsMax, 1);
    o.trialsMin = std::clamp(o.trialsMin, 2, o.trialsMax);
    o.trialsPerRound = std::max(o.trialsPerRound, 1);
    o.tMax = std::clamp(o.tMax, 0.0, 1.0);
    o.tMin = std::clamp(o.tMin, 0.0, o.tMax);
    return o;
}

double vanDerCorput(std::uint64_t n)
{
    double value = 0.0, denominator = 1.0;
    while (n > 0) {
        denominator *= 2.0;
        value += double(n & 1u) / denominator;
        n >>= 1;
    }
    return value;
}

torch::Tensor centralDiskMask(int resolution, double radiusShare)
{
    auto coords = torch::arange(resolution, torch::kFloat32) - (resolution - 1) / 2.0; // [R]
    auto r2 = coords.unsqueeze(0).pow(2) + coords.unsqueeze(1).pow(2);                  // [R, R]
    const double radius = radiusShare * resolution;
    return (r2 <= radius * radius).to(torch::kFloat32);
}

void summarizeErrors(ClassifyResult &result, int anomalyK, double scoreTemperature)
{
    const int classes = int(result.errors.size());
    std::vector<int> order(classes);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return result.errors[a] < result.errors[b]; });
    if (result.predicted < 0)
        result.predicted = order.front();
    // Keep the predicted class first even if a pruned class's mean over its
    // fewer trials happens to be lower.
    std::stable_partition(order.begin(), order.end(), [&](int c) { return c == result.predicted; });
    const double best = result.errors[result.predicted];
    result.confidence = classes > 1 ? result.errors[order[1]] - best : 0.0;

    // zeta: the winner's mean gap to the next k runners-up minus the
    // runners-up's mean pairwise spread. Reported as anomaly = -zeta.
    const int k = std::min(anomalyK, classes - 1);
    double gap = 0.0, spread = 0.0;
    int pairs = 0;
    for (int i = 1; i <= k; ++i) {
        gap += result.errors[order[i]] - best;
        for (int j = i + 1; j <= k; ++j, ++pairs)
            spread += std::fabs(result.errors[order[i]] - result.errors[order[j]]);
    }
    gap = k > 0 ? gap / k : 0.0;
    spread = pairs > 0 ? spread / pairs : 0.0;
    result.anomaly = -(gap - spread);

    // Display scores: with a calibrated model, the softmax whose temperature
    // was fitted with the class offsets on validation cells (calibrated
    // probabilities); otherwise relative error differences (5% of the best
    // error = one unit), so they do not depend on the error's scale.
    const double temperature = scoreTemperature > 0 ? scoreTemperature : std::max(0.05 * std::fabs(best), 1e-12);
    result.probabilities.assign(classes, 0.0);
    double total = 0.0;
    for (int c = 0; c < classes; ++c) {
        result.probabilities[c] = std::exp(-(result.errors[c] - best) / temperature);
        total += result.probabilities[c];
    }
    for (double &p : result.probabilities)
        p /= total;
}

namespace {

// One round's k diffusion times: a low-discrepancy sequence (van der Corput,
// rotated per cell) for the fast protocol, uniform draws for the paper's;
// with sqrt(alpha_bar) and sqrt(1 - alpha_bar) of each (eq. 1).
struct RoundTimes {
    std::vector<float> times, sqrtAb, sqrtOneMinusAb;
};

RoundTimes roundTimes(const NoiseSchedule &schedule, const ClassifyOptions &options, int trial, int k, double shift,
                      std::mt19937_64 &rng, std::uniform_real_distribution<double> &uniform)
{
    RoundTimes round{std::vector<float>(k), std::vector<float>(k), std::vector<float>(k)};
    for (int i = 0; i < k; ++i) {
        const double u = options.protocol == Protocol::Paper ? uniform(rng)
                                                             : std::fmod(vanDerCorput(trial + i + 1) + shift, 1.0);
        round.times[i] = float(options.tMin + (options.tMax - options.tMin) * u);
        const double ab = schedule.alphaBar(round.times[i]);
        round.sqrtAb[i] = float(std::sqrt(ab));
        round.sqrtOneMinusAb[i] = float(std::sqrt(1.0 - ab));
    }
    return round;
}

double meanError(const std::vector<double> &errors)
{
    return std::accumulate(errors.begin(), errors.end(), 0.0) / double(errors.size());
}

int bestClass(const std::vector<int> &active, const std::vector<std::vector<double>> &errors)
{
    return *std::min_element(active.begin(), active.end(),
                             [&](int x, int y) { return meanError(errors[x]) < meanError(errors[y]); });
}

// The classes the paired t-test cannot yet tell from the best one.
// Trials of a still-active class are exactly those of the best class since
// both were active from the start: the pairs line up.
std::vector<int> survivors(const std::vector<int> &active, const std::vector<std::vector<double>> &errors, double pValue)
{
    const int best = bestClass(active, errors);
    std::vector<int> kept;
    for (int c : active) {
        if (c == best || pairedTTest(errors[c], errors[best]).pValue >= pValue)
            kept.push_back(c);
    }
    return kept;
}

// A pruned class saw fewer (and earlier) trials than the winner, so its
// plain mean is not comparable. Each class is scored as the winner's mean
// plus the paired mean gap over the trials both saw: every class is then on
// the same footing, and the ranking matches the evidence.
void pairedScores(ClassifyResult &result, const std::vector<std::vector<double>> &errors)
{
    const int numClasses = int(errors.size());
    const auto &winner = errors[result.predicted];
    const double winnerMean = meanError(winner);
    result.trialsPerClass.assign(numClasses, 0);
    result.errors.assign(numClasses, winnerMean);
    for (int c = 0; c < numClasses; ++c) {
        result.trialsPerClass[c] = int(errors[c].size());
        if (c == result.predicted || errors[c].empty())
            continue;
        double gap = 0.0;
        for (std::size_t n = 0; n < errors[c].size(); ++n)
            gap += errors[c][n] - winner[n];
        result.errors[c] = winnerMean + gap / double(errors[c].size());
    }
}

// d_z of the runner-up (lowest paired score after the winner) against the
// winner over the trials both saw.
double pairedEvidence(const ClassifyResult &result, const std::vector<std::vector<double>> &errors)
{
    int runnerUp = -1;
    for (int c = 0; c < int(errors.size()); ++c)
        if (c != result.predicted && (runnerUp < 0 || result.errors[c] < result.errors[runnerUp]))
            runnerUp = c;
    if (runnerUp < 0 || errors[runnerUp].size() < 2)
        return std::numeric_limits<double>::quiet_NaN();
    const auto &winner = errors[result.predicted];
    const std::size_t n = errors[runnerUp].size();
    double sum = 0.0, sumSq = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double d = errors[runnerUp][i] - winner[i];
        sum += d;
        sumSq += d * d;
    }
    const double mean = sum / double(n);
    const double variance = std::max(0.0, (sumSq - double(n) * mean * mean) / double(n - 1));
    return mean / std::max(std::sqrt(variance), 1e-12);
}

} // namespace

Result<ClassifyResult> runClassifier(const EpsFn &eps, const NoiseSchedule &schedule, const torch::Tensor &x0,
                                     int numClasses, const ClassifyOptions &options,
                                     const ErrorScaleFn &errorScale, const CancelFn &cancelled,
                                     ResidualAccumulator *residuals, const std::vector<double> &classOffsets,
                                     double scoreTemperature)
{
    if (numClasses < 1)
        return makeError("The model has no classes.");
    if (!classOffsets.empty() && int(classOffsets.size()) != numClasses)
        return makeError("The model's class offsets do not match its classes.");
    auto offsetOf = [&](int c) { return classOffsets.empty() ? 0.0 : classOffsets[c]; };
    if (x0.dim() != 3 && x0.dim() != 4)
        return makeError("The classifier's input has " + std::to_string(x0.dim()) + " dimensions, not 3 or 4.");
    const int resolution = int(x0.size(-1));
    const int channels = int(x0.size(-3)); // 3 for pixels, the latent's channels otherwise
    const double maskShare = options.maskRadius < 0 ? kDefaultMaskRadius : options.maskRadius;
    const auto mask = centralDiskMask(resolution, maskShare); // [R, R]
    const double maskElements = channels * mask.sum().item<double>();
    // The views the trials cycle through, plain view first: the caller's, or
    // the dihedral turns of x0. Residuals are summed in the image's own
    // orientation (heatmaps).
    torch::Tensor viewStack = x0.dim() == 4 ? x0 : x0.unsqueeze(0); // [V,C,R,R]
    if (x0.dim() == 3 && options.views > 1 && !residuals)
        viewStack = dihedralViews(x0, options.views); // [V,C,R,R]
    const int views = residuals ? 1 : int(viewStack.size(0));

    auto generator = at::detail::createCPUGenerator(options.seed);
    std::mt19937_64 rng(options.seed ^ 0x9E3779B97F4A7C15ull);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const double shift = uniform(rng); // Cranley-Patterson rotation per cell

    std::vector<int> active(numClasses);
    std::iota(active.begin(), active.end(), 0);
    // errors[c][n]: weighted error of class c in trial n (trials while active).
    std::vector<std::vector<double>> errors(numClasses);
    std::vector<double> nullErrors; // null class per trial (no class offset)
    ClassifyResult result;

    if (residuals) {
        residuals->sums = torch::zeros({numClasses, channels, resolution, resolution});
        residuals->counts = torch::zeros({numClasses});
    }

    int trial = 0;
    while (trial < options.trialsMax && (active.size() > 1 || (residuals && trial < options.trialsMin))) {
        if (cancelled && cancelled())
            return makeError("Cancelled.");
        const int k = std::min(options.trialsPerRound, options.trialsMax - trial);
        const int a = int(active.size());

        const RoundTimes round = roundTimes(schedule, options, trial, k, shift, rng, uniform);
        const std::vector<float> &times = round.times;
        auto noise = torch::randn({k, channels, resolution, resolution}, generator);             // [k,C,R,R]
        torch::Tensor clean = viewStack[0].unsqueeze(0);                                         // [1,C,R,R]
        if (views > 1) {
            // Trial n's time comes from the low bits of n (van der Corput), so
            // n % 8 alone would tie each view to one band of t; shifting by
            // n / 8 gives every view every band (a Latin square).
            std::vector<std::int64_t> rows(k);
            for (int i = 0; i < k; ++i) {
                const int n = trial + i;
                rows[i] = (n + n / views) % views;
            }
            clean = viewStack.index_select(0, torch::tensor(rows));                              // [k,C,R,R]
        }
        auto zt = torch::tensor(round.sqrtAb).view({k, 1, 1, 1}) * clean
                + torch::tensor(round.sqrtOneMinusAb).view({k, 1, 1, 1}) * noise;                     // [k,C,R,R]

        // Paired design: every active class (and the null class, index
        // numClasses, when asked for) sees the same (t, eps).
        std::vector<std::int64_t> rowClasses(active.begin(), active.end());
        if (options.nullGain)
            rowClasses.push_back(numClasses);
        const int rows = int(rowClasses.size());
        auto batchZ = zt.repeat({rows, 1, 1, 1});                                                // [rows*k,C,R,R]
        auto batchT = torch::tensor(times).repeat({rows});                                       // [rows*k]
        auto batchC = torch::tensor(rowClasses).repeat_interleave(k);                            // [rows*k]
        auto predicted = eps(batchZ, batchT, batchC);                                            // [rows*k,C,R,R]
        auto residual = noise.repeat({rows, 1, 1, 1}) - predicted;                               // [rows*k,C,R,R]
        auto squared = (residual.pow(2) * mask).sum({1, 2, 3}) / maskElements;                   // [rows*k]
        auto squaredData = squared.contiguous();
        const float *values = squaredData.data_ptr<float>();
        for (int ci = 0; ci < a; ++ci)
            for (int i = 0; i < k; ++i)
                errors[active[ci]].push_back(values[ci * k + i] / errorScale(times[i]) + offsetOf(active[ci]));
        if (options.nullGain)
            for (int i = 0; i < k; ++i)
                nullErrors.push_back(values[a * k + i] / errorScale(times[i]));
        if (residuals) {
            auto perClass = residual.narrow(0, 0, a * k).view({a, k, channels, resolution, resolution}).sum(1); // [a,C,R,R]
            for (int ci = 0; ci < a; ++ci) {
                residuals->sums[active[ci]] += perClass[ci];
                residuals->counts[active[ci]] += k;
            }
        }
        result.nfe += rows * k;
        trial += k;

        if (trial < options.trialsMin || residuals)
            continue;
        active = survivors(active, errors, options.pValue);
    }

    result.trials = trial;
    result.predicted = bestClass(active, errors);
    pairedScores(result, errors);
    result.evidence = pairedEvidence(result, errors);
    const auto &winner = errors[result.predicted];
    if (options.nullGain && !nullErrors.empty()) {
        // The winner saw every trial (it is never pruned), so the pairs line
        // up; its class offset is taken out to compare raw errors.
        double gain = 0.0;
        for (std::size_t n = 0; n < nullErrors.size(); ++n)
            gain += nullErrors[n] - (winner[n] - offsetOf(result.predicted));
        result.nullGain = gain / double(nullErrors.size());
    }
    summarizeErrors(result, options.anomalyK, classOffsets.empty() ? 0.0 : scoreTemperature);
    return result;
}

} // namespace cytodiff::engine
