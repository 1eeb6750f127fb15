#pragma once
// Per-class error offsets: a prior correction for the generative
// classifier. Some classes are simply easier to denoise (a basophil's dark,
// uniform granules give small errors whatever the true class), so the
// argmin over raw errors over-calls them. Torch-free.

#include "result.h"

#include <functional>
#include <string>
#include <vector>

namespace cytodiff::engine {

struct ModelCard;

struct OffsetFit {
    std::vector<double> offsets;  // one per class, mean zero
    double temperature = 1.0;     // softmax temperature of the fit
    double balancedBefore = 0.0;  // balanced accuracy of argmin(errors) on the fitting cells
    double balancedAfter = 0.0;   // ... of argmin(errors + offsets)
    int cells = 0;
};

// errors[i][c]: the mean weighted error of cell i under class c (all
// classes scored on the same paired trials, no pruning); labels[i] its
// true class. Fits offsets b maximising the class-balanced log-likelihood
// of softmax(-(errors + b) / T) with a small ridge on b; the likelihood is
// concave in b, so plain gradient ascent finds the optimum for each T of a
// short grid, and the T with the best likelihood wins. Classes without
// cells keep offset 0.
Result<OffsetFit> fitClassOffsets(const std::vector<std::vector<double>> &errors, const std::vector<int> &labels,
                                  int numClasses);

// Copies a model file with the offsets (and a line saying how they were
// fitted) in its card; the weights are untouched. `alsoEdit` changes the
// rest of the card in the same write (what the offsets made stale beyond
// the engine's own fields). Returns the new SHA-256.
Result<std::string> writeModelWithOffsets(const std::string &source, const std::string &target,
                                          const std::vector<double> &offsets, const std::string &calibration,
                                          double scoreTemperature = 0.0,
                                          const std::function<void(ModelCard &card)> &alsoEdit = {});

} // namespace cytodiff::engine
