#pragma once
// DDIM sampling (eta = 0) from the class-conditional model, with optional
// classifier-free guidance. Like the classifier, it only sees eps_theta.

#include <torch/torch.h>

#include "classifier.h"

namespace cytodiff::engine {

struct SamplerOptions {
    int steps = 50;
    double guidance = 1.0; // 1 = conditional only; > 1 mixes the null class
    std::uint64_t seed = 0;
    int channels = 3;      // what the network denoises: 3 for pixels, 4 for a latent
    // Bound on the denoised estimate x0 at every step: 1 keeps pixels in
    // [-1, 1]; a scaled latent has unit spread, not a range (0 = no bound).
    double clip = 1.0;
};

// Returns [count, channels, R, R], within +-clip when clip > 0.
Result<torch::Tensor> sampleDdim(const EpsFn &eps, const NoiseSchedule &schedule, int resolution, int classIndex,
                                 int nullClass, int count, const SamplerOptions &options, const CancelFn &cancelled);

} // namespace cytodiff::engine
