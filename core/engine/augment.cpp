#include <torch/torch.h>

#include "augment.h"

#include "mathconstants.h"

namespace cytodiff::engine {

// Morphology-preserving augmentation of a batch in [-1, 1]: any rotation,
// flips, +-10% scale, small shifts, and mild colour/stain jitter so the model
// does not learn one laboratory's stain. x: [B,3,R,R].
torch::Tensor augmentBatch(const torch::Tensor &x, at::Generator &gen)
{
    const auto b = x.size(0);
    auto u = [&](double lo, double hi) { return torch::rand({b}, gen) * (hi - lo) + lo; }; // [B]
    auto angle = u(0.0, 2.0 * kPi);
    auto scale = u(0.9, 1.1);
    auto flip = torch::where(torch::rand({b}, gen) < 0.5, torch::ones({b}), -torch::ones({b}));
    auto tx = u(-0.03, 0.03), ty = u(-0.03, 0.03);
    auto cosA = angle.cos() * scale, sinA = angle.sin() * scale;
    auto theta = torch::stack({torch::stack({flip * cosA, -sinA, tx}, 1),
                               torch::stack({flip * sinA, cosA, ty}, 1)}, 1); // [B,2,3]
    auto grid = torch::nn::functional::affine_grid(theta, {b, 3, x.size(2), x.size(3)}, false);
    auto y = torch::nn::functional::grid_sample(
        x, grid, torch::nn::functional::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(false));
    return jitterColours(y, gen);
}

// Draws from gen in the order augmentBatch always did, so models trained
// before the split are reproduced bit for bit.
torch::Tensor jitterColours(const torch::Tensor &x, at::Generator &gen)
{
    const auto b = x.size(0);
    auto u = [&](double lo, double hi) { return torch::rand({b}, gen) * (hi - lo) + lo; }; // [B]
    auto y = x;
    auto view = [](const torch::Tensor &v) { return v.view({-1, 1, 1, 1}); };
    auto gray = y.mean(1, true);                                           // [B,1,R,R]
    y = gray + view(u(0.85, 1.15)) * (y - gray);                           // saturation
    auto mean = y.mean({1, 2, 3}, true);                                   // [B,1,1,1]
    y = mean + view(u(0.85, 1.15)) * (y - mean);                           // contrast
    y = y + view(u(-0.08, 0.08));                                          // brightness
    y = y * (1 + (torch::rand({b, 3, 1, 1}, gen) - 0.5) * 0.1);           // stain balance
    return y.clamp(-1.0, 1.0);
}

torch::Tensor dihedralVariant(const torch::Tensor &x, int k)
{
    const auto rows = x.dim() - 2, columns = x.dim() - 1;
    auto mirrored = k >= 4 ? x.flip({columns}) : x;
    return mirrored.rot90(k % 4, {rows, columns});
}

torch::Tensor dihedralViews(const torch::Tensor &x, int views)
{
    std::vector<torch::Tensor> turned;
    for (int v = 0; v < views; ++v)
        turned.push_back(dihedralVariant(x, v));
    return torch::stack(turned);
}

} // namespace cytodiff::engine
