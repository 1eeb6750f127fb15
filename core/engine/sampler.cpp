#include <torch/torch.h>

#include "sampler.h"

#include <cmath>

namespace cytodiff::engine {

Result<torch::Tensor> sampleDdim(const EpsFn &eps, const NoiseSchedule &schedule, int resolution, int classIndex,
                                 int nullClass, int count, const SamplerOptions &options, const CancelFn &cancelled)
{
    if (options.steps < 1)
        return makeError("The number of sampling steps must be at least 1.");
    auto generator = at::detail::createCPUGenerator(options.seed);
    const auto bound = [&](const torch::Tensor &v) { return options.clip > 0 ? v.clamp(-options.clip, options.clip) : v; };
    auto x = torch::randn({count, options.channels, resolution, resolution}, generator); // [N,C,R,R]
    const bool guided = options.guidance != 1.0;
    auto classes = torch::full({count}, classIndex, torch::kInt64);
    auto nullClasses = torch::full({count}, nullClass, torch::kInt64);

    for (int i = 0; i < options.steps; ++i) {
        if (cancelled && cancelled())
            return makeError("Cancelled.");
        const double t = 1.0 - double(i) / options.steps;
        const double tNext = 1.0 - double(i + 1) / options.steps;
        const double ab = schedule.alphaBar(t);
        const double abNext = tNext <= 0.0 ? 1.0 : schedule.alphaBar(tNext);
        auto times = torch::full({count}, float(t));
        torch::Tensor predicted;
        if (guided) {
            auto both = eps(torch::cat({x, x}), torch::cat({times, times}), torch::cat({classes, nullClasses}));
            auto parts = both.chunk(2, 0); // 2 x [N,C,R,R]
            predicted = parts[1] + options.guidance * (parts[0] - parts[1]);
        } else {
            predicted = eps(x, times, classes); // [N,C,R,R]
        }
        // DDIM update (Song et al. 2021, eq. 12 with sigma = 0).
        auto x0 = bound((x - std::sqrt(1.0 - ab) * predicted) / std::sqrt(ab)); // [N,C,R,R]
        if (abNext >= 1.0) {
            x = x0;
        } else {
            // Re-derive eps from the clamped x0 so the trajectory stays consistent.
            auto epsClamped = (x - std::sqrt(ab) * x0) / std::sqrt(1.0 - ab);
            x = std::sqrt(abNext) * x0 + std::sqrt(1.0 - abNext) * epsClamped;
        }
    }
    return bound(x);
}

} // namespace cytodiff::engine
