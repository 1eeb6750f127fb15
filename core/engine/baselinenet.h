#pragma once
// The discriminative baseline (issue "Default model"): a ResNet-18-like
// CNN trained from scratch on the same data, augmentation and wall-clock
// budget as the diffusion model, so every figure has a fair comparison.
// Internal header (LibTorch).

#include <torch/torch.h>

#include "networkconfig.h"

namespace cytodiff::engine {

struct BasicBlockImpl : torch::nn::Module {
    BasicBlockImpl(int inChannels, int outChannels, int stride);
    torch::Tensor forward(const torch::Tensor &x);

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcutConv{nullptr};
    torch::nn::BatchNorm2d norm1{nullptr}, norm2{nullptr}, shortcutNorm{nullptr};
};
TORCH_MODULE(BasicBlock);

// Stages of config.resBlocks basic blocks with widths baseChannels x mults;
// every stage after the first halves the resolution.
struct ResNetClassifierImpl : torch::nn::Module {
    explicit ResNetClassifierImpl(const NetworkConfig &config);
    // x: [B,3,R,R] in [-1, 1] -> logits [B, numClasses].
    torch::Tensor forward(const torch::Tensor &x);

    NetworkConfig config;
    torch::nn::Conv2d stem{nullptr};
    torch::nn::BatchNorm2d stemNorm{nullptr};
    torch::nn::ModuleList blocks;
    torch::nn::Linear head{nullptr};
};
TORCH_MODULE(ResNetClassifier);

} // namespace cytodiff::engine
