#include "classoffsets.h"

#include "container.h"
#include "engine.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

namespace cytodiff::engine {
namespace {

struct Objective {
    const std::vector<std::vector<double>> &errors;
    const std::vector<int> &labels;
    std::vector<double> weights; // 1 / (cells of the class * classes present)
    int classes;
    double ridge;

    // Balanced log-likelihood minus ridge; fills the gradient in b.
    double value(const std::vector<double> &b, double temperature, std::vector<double> *gradient) const
    {
        double total = 0.0;
        if (gradient)
            gradient->assign(classes, 0.0);
        std::vector<double> logits(classes);
        for (std::size_t i = 0; i < errors.size(); ++i) {
            double top = -1e300;
            for (int c = 0; c < classes; ++c) {
                logits[c] = -(errors[i][c] + b[c]) / temperature;
                top = std::max(top, logits[c]);
            }
            double sum = 0.0;
            for (int c = 0; c < classes; ++c)
                sum += std::exp(logits[c] - top);
            const double logSum = top + std::log(sum);
            total += weights[i] * (logits[labels[i]] - logSum);
            if (gradient) {
                // d/db_k log p_y = -(1[k=y] - p_k) / T
                for (int c = 0; c < classes; ++c) {
                    const double p = std::exp(logits[c] - logSum);
                    (*gradient)[c] -= weights[i] * ((c == labels[i] ? 1.0 : 0.0) - p) / temperature;
                }
            }
        }
        for (int c = 0; c < classes; ++c) {
            total -= ridge * b[c] * b[c];
            if (gradient)
                (*gradient)[c] -= 2.0 * ridge * b[c];
        }
        return total;
    }
};

double balancedAccuracy(const std::vector<std::vector<double>> &errors, const std::vector<int> &labels,
                        const std::vector<double> &b, int classes)
{
    std::vector<int> correct(classes, 0), total(classes, 0);
    for (std::size_t i = 0; i < errors.size(); ++i) {
        int best = 0;
        for (int c = 1; c < classes; ++c)
            if (errors[i][c] + b[c] < errors[i][best] + b[best])
                best = c;
        ++total[labels[i]];
        correct[labels[i]] += best == labels[i];
    }
    double sum = 0.0;
    int present = 0;
    for (int c = 0; c < classes; ++c)
        if (total[c] > 0) {
            sum += double(correct[c]) / total[c];
            ++present;
        }
    return present ? sum / present : 0.0;
}

} // namespace

Result<OffsetFit> fitClassOffsets(const std::vector<std::vector<double>> &errors, const std::vector<int> &labels,
                                  int numClasses)
{
    if (numClasses < 2)
        return makeError("Class offsets need at least two classes.");
    if (errors.empty() || errors.size() != labels.size())
        return makeError("Class offsets need one label per scored cell.");
    std::vector<int> counts(numClasses, 0);
    for (std::size_t i = 0; i < errors.size(); ++i) {
        if (int(errors[i].size()) != numClasses || labels[i] < 0 || labels[i] >= numClasses)
            return makeError("A scored cell does not match the model's classes.");
        for (double e : errors[i])
            if (!std::isfinite(e))
                return makeError("A scored cell has a non-finite error.");
        ++counts[labels[i]];
    }
    const int present = int(std::count_if(counts.begin(), counts.end(), [](int n) { return n > 0; }));
    if (present < 2)
        return makeError("Class offsets need cells of at least two classes.");

    // Scale of the problem: the typical spread of a cell's errors across
    // classes. Temperatures and the ridge are relative to it, so the fit
    // does not depend on the error's units.
    std::vector<double> spreads;
    for (const auto &row : errors) {
        const auto [lo, hi] = std::minmax_element(row.begin(), row.end());
        spreads.push_back(*hi - *lo);
    }
    std::nth_element(spreads.begin(), spreads.begin() + spreads.size() / 2, spreads.end());
    const double spread = std::max(spreads[spreads.size() / 2], 1e-12);

    Objective objective{errors, labels, {}, numClasses, 0.0};
    for (int label : labels)
        objective.weights.push_back(1.0 / (double(counts[label]) * present));
    // The ridge keeps an offset finite when a class separates perfectly;
    // in units of spread^-2 it costs about as much as 1% of log-likelihood
    // for an offset of one spread.
    objective.ridge = 0.01 / (spread * spread);

    OffsetFit best;
    double bestValue = -1e300;
    std::vector<double> gradient;
    for (double factor : {0.05, 0.1, 0.2, 0.4, 0.8}) {
        const double temperature = factor * spread;
        std::vector<double> b(numClasses, 0.0);
        // Gradient ascent with backtracking: concave, smooth, 8 parameters.
        double step = temperature * temperature;
        double current = objective.value(b, temperature, &gradient);
        for (int iteration = 0; iteration < 500; ++iteration) {
            std::vector<double> trial(numClasses);
            double candidate = -1e300;
            for (int attempt = 0; attempt < 30; ++attempt) {
                for (int c = 0; c < numClasses; ++c)
                    trial[c] = b[c] + step * gradient[c];
                candidate = objective.value(trial, temperature, nullptr);
                if (candidate >= current)
                    break;
                step *= 0.5;
            }
            if (candidate < current)
                break;
            const double gain = candidate - current;
            b = trial;
            current = objective.value(b, temperature, &gradient);
            step *= 1.5;
            if (gain < 1e-10)
                break;
        }
        if (current > bestValue) {
            bestValue = current;
            best.offsets = b;
            best.temperature = temperature;
        }
    }
    // Only differences matter; mean zero makes the numbers readable.
    const double mean = std::accumulate(best.offsets.begin(), best.offsets.end(), 0.0) / numClasses;
    for (int c = 0; c < numClasses; ++c)
        best.offsets[c] = counts[c] > 0 ? best.offsets[c] - mean : 0.0;
    best.cells = int(errors.size());
    best.balancedBefore = balancedAccuracy(errors, labels, std::vector<double>(numClasses, 0.0), numClasses);
    best.balancedAfter = balancedAccuracy(errors, labels, best.offsets, numClasses);
    return best;
}

Result<std::string> writeModelWithOffsets(const std::string &source, const std::string &target,
                                          const std::vector<double> &offsets, const std::string &calibration,
                                          double scoreTemperature, const std::function<void(ModelCard &card)> &alsoEdit)
{
    return rewriteModelCard(source, target, [&](ModelCard &card) -> Result<void> {
        if (card.kind != "diffusion" && card.kind != "latent-diffusion")
            return makeError("Class offsets apply to diffusion models only; " + source + " is a " + card.kind + " model.");
        if (offsets.size() != card.classNames.size())
            return makeError("There are " + std::to_string(offsets.size()) + " offsets for "
                             + std::to_string(card.classNames.size()) + " classes.");
        card.classOffsets = offsets;
        card.calibration = calibration;
        card.scoreTemperature = scoreTemperature;
        // The offsets shift every class's error, so a profile fitted on the
        // old ones no longer describes the calls: fit it again.
        card.anomalyProfile.clear();
        if (alsoEdit)
            alsoEdit(card);
        return {};
    });
}

} // namespace cytodiff::engine
