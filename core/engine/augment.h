#pragma once
// Training-time augmentation shared by the diffusion trainer and the
// discriminative baseline, so both see exactly the same data. Internal.

#include <torch/torch.h>

namespace cytodiff::engine {

// x: [B,3,R,R] in [-1, 1] -> same shape: random rotation (any angle),
// flips, +-10% scale, small shifts, mild saturation/contrast/brightness and
// per-channel stain jitter.
torch::Tensor augmentBatch(const torch::Tensor &x, at::Generator &gen);

// The colour half of augmentBatch alone (saturation, contrast, brightness,
// stain balance), for the autoencoder, which must not see the blur that
// interpolated rotations add. x: [B,3,R,R] in [-1, 1] -> same shape.
torch::Tensor jitterColours(const torch::Tensor &x, at::Generator &gen);

// The k-th of the 8 flips/quarter-turns (k in [0, 8); 0 = identity, 4..7
// mirrored first): exact on the pixel grid, so unlike augmentBatch's free
// rotation it adds no interpolation blur. x: [..., R, R] -> same shape.
torch::Tensor dihedralVariant(const torch::Tensor &x, int k);
// The first `views` dihedral variants of x stacked, [V,...] (variant 0, the
// plain view, first).
torch::Tensor dihedralViews(const torch::Tensor &x, int views);

} // namespace cytodiff::engine
