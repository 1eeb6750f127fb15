// Rendering of counterfactual deltas (method.md section 2). Torch-free.
#include "engine.h"

#include <algorithm>
#include <cmath>

namespace cytodiff::engine {
namespace {

// Mean over RGB of the signed delta at one pixel.
float meanDelta(const FloatImage &delta, int index, int plane)
{
    return (delta.data[index] + delta.data[index + plane] + delta.data[index + 2 * plane]) / 3.0f;
}

} // namespace

FloatImage renderHeatmap(const FloatImage &delta, double gain)
{
    // x0 for class c minus x0 for the prediction is proportional to +delta_c,
    // so negative = class c wants darker (more stained) pixels: show dark.
    FloatImage out{3, delta.height, delta.width, std::vector<float>(delta.data.size())};
    const int plane = delta.height * delta.width;
    for (int i = 0; i < plane; ++i) {
        const float v = std::clamp(float(gain * meanDelta(delta, i, plane)), -1.0f, 1.0f);
        out.data[i] = out.data[i + plane] = out.data[i + 2 * plane] = v;
    }
    return out;
}

FloatImage renderOverlay(const FloatImage &input, const FloatImage &delta, double gain, double alpha)
{
    FloatImage out = input;
    const int plane = delta.height * delta.width;
    for (int i = 0; i < plane; ++i) {
        const float v = std::clamp(float(gain * meanDelta(delta, i, plane)), -1.0f, 1.0f);
        // Blue where class c needs more stain (v < 0), red where less.
        const float r = v > 0 ? 1.0f : 1.0f + 2.0f * v;
        const float g = 1.0f - 2.0f * std::fabs(v);
        const float b = v < 0 ? 1.0f : 1.0f - 2.0f * v;
        const float weight = float(alpha) * std::min(1.0f, std::fabs(v) * 2.0f);
        out.data[i] = (1 - weight) * input.data[i] + weight * r;
        out.data[i + plane] = (1 - weight) * input.data[i + plane] + weight * g;
        out.data[i + 2 * plane] = (1 - weight) * input.data[i + 2 * plane] + weight * b;
    }
    return out;
}

} // namespace cytodiff::engine
