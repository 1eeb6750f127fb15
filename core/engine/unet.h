#pragma once
// Compact class-conditional UNet denoiser eps_theta(z_t, t, c). Internal to
// the engine: includes LibTorch, so never include it from Qt code.

#include <torch/torch.h>

#include "networkconfig.h"

namespace cytodiff::engine {

// Residual block with adaptive group norm: the embedding of (t, c) sets a
// per-channel scale and shift after the second normalisation.
struct ResBlockImpl : torch::nn::Module {
    ResBlockImpl(int inChannels, int outChannels, int embedDim);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &emb);

    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::Linear embProj{nullptr};
    torch::nn::Conv2d skipConv{nullptr};
};
TORCH_MODULE(ResBlock);

// Single-head self-attention over all positions of a (small) feature map.
struct AttentionBlockImpl : torch::nn::Module {
    explicit AttentionBlockImpl(int channels);
    torch::Tensor forward(const torch::Tensor &x);

    torch::nn::GroupNorm norm{nullptr};
    torch::nn::Conv2d qkv{nullptr}, proj{nullptr};
};
TORCH_MODULE(AttentionBlock);

struct UNetImpl : torch::nn::Module {
    explicit UNetImpl(const NetworkConfig &config);

    // x: [B, inChannels, R, R] noisy input (pixels or a latent); t: [B]
    // float in [0, 1]; classes: [B] int64 in [0, numClasses] (numClasses =
    // unconditional). Returns the prediction [B, inChannels, R, R].
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &t, const torch::Tensor &classes);

    NetworkConfig config;
    torch::nn::Linear timeFc1{nullptr}, timeFc2{nullptr};
    torch::nn::Embedding classEmbedding{nullptr};
    torch::nn::Conv2d stem{nullptr};
    torch::nn::ModuleList downBlocks, downSamplers, upBlocks, upSamplers;
    ResBlock mid1{nullptr}, mid2{nullptr};
    AttentionBlock midAttention{nullptr};
    torch::nn::GroupNorm outNorm{nullptr};
    torch::nn::Conv2d outConv{nullptr};
};
TORCH_MODULE(UNet);

// Sinusoidal embedding of a continuous time: [B] -> [B, dim].
torch::Tensor timestepEmbedding(const torch::Tensor &t, int dim);

} // namespace cytodiff::engine
