#pragma once
// The generative classifier's trial loop (method.md section 1). It never
// sees the network: it receives eps_theta as a callable, so tests drive it
// with a fake network. Internal header (LibTorch).

#include <torch/torch.h>

#include "engine.h"
#include "noiseschedule.h"

#include <functional>

namespace cytodiff::engine {

// eps_theta(z_t [B,C,R,R], t [B] float, classes [B] int64) -> [B,C,R,R];
// C = 3 for pixels, the latent's channels for a latent model.
using EpsFn = std::function<torch::Tensor(const torch::Tensor &, const torch::Tensor &, const torch::Tensor &)>;
// Per-trial error scale f(t); a trial's errors are divided by it.
using ErrorScaleFn = std::function<double(double)>;

// Sums of the signed residuals eps - eps_theta per class, for
// counterfactual heatmaps (method.md section 2).
struct ResidualAccumulator {
    torch::Tensor sums;   // [classes, C, R, R]
    torch::Tensor counts; // [C]
};

// x0: [C, R, R]: pixels in [-1, 1] or a scaled latent, whose dihedral turns
// are the views when options.views > 1; or [V, C, R, R]: the caller's views,
// plain view first (a latent model encodes each turned image: the latent of
// a turned cell is not the turned latent). Options must be resolved(). classOffsets (one
// per class, or empty) are added to every weighted trial error, so pruning
// and the final decision both see them. scoreTemperature > 0 (fitted with
// the offsets) sets the display softmax's temperature; 0 uses 5% of the
// best error.
Result<ClassifyResult> runClassifier(const EpsFn &eps, const NoiseSchedule &schedule, const torch::Tensor &x0,
                                     int numClasses, const ClassifyOptions &options,
                                     const ErrorScaleFn &errorScale, const CancelFn &cancelled,
                                     ResidualAccumulator *residuals = nullptr,
                                     const std::vector<double> &classOffsets = {}, double scoreTemperature = 0.0);

// Central disk mask [R, R] (1 inside radius radiusShare x R): corners carry
// rotation padding and neighbouring cells, not the cell being classified.
torch::Tensor centralDiskMask(int resolution, double radiusShare = kDefaultMaskRadius);

// The n-th point of a base-2 van der Corput sequence in [0, 1): any prefix
// of length 2^k is stratified, so stopping early still spreads t evenly.
double vanDerCorput(std::uint64_t n);

// Turns per-class mean errors into the summary numbers of a result.
void summarizeErrors(ClassifyResult &result, int anomalyK, double scoreTemperature = 0.0);

} // namespace cytodiff::engine
