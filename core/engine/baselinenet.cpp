#include <torch/torch.h>

#include "baselinenet.h"

namespace cytodiff::engine {
namespace nn = torch::nn;

BasicBlockImpl::BasicBlockImpl(int inChannels, int outChannels, int stride)
{
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(inChannels, outChannels, 3).stride(stride).padding(1).bias(false)));
    norm1 = register_module("norm1", nn::BatchNorm2d(outChannels));
    conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(outChannels, outChannels, 3).padding(1).bias(false)));
    norm2 = register_module("norm2", nn::BatchNorm2d(outChannels));
    if (stride != 1 || inChannels != outChannels) {
        shortcutConv = register_module("shortcutConv", nn::Conv2d(nn::Conv2dOptions(inChannels, outChannels, 1).stride(stride).bias(false)));
        shortcutNorm = register_module("shortcutNorm", nn::BatchNorm2d(outChannels));
    }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor &x)
{
    auto h = torch::relu(norm1(conv1(x)));                               // [B,C,H',W']
    h = norm2(conv2(h));
    auto skip = shortcutConv ? shortcutNorm(shortcutConv(x)) : x;
    return torch::relu(h + skip);
}

ResNetClassifierImpl::ResNetClassifierImpl(const NetworkConfig &cfg) : config(cfg)
{
    const int base = cfg.baseChannels;
    stem = register_module("stem", nn::Conv2d(nn::Conv2dOptions(3, base, 3).padding(1).bias(false)));
    stemNorm = register_module("stemNorm", nn::BatchNorm2d(base));
    int channels = base;
    for (std::size_t stage = 0; stage < cfg.channelMults.size(); ++stage) {
        const int out = base * cfg.channelMults[stage];
        for (int b = 0; b < cfg.resBlocks; ++b) {
            blocks->push_back(BasicBlock(channels, out, (stage > 0 && b == 0) ? 2 : 1));
            channels = out;
        }
    }
    register_module("blocks", blocks);
    head = register_module("head", nn::Linear(channels, cfg.numClasses));
}

torch::Tensor ResNetClassifierImpl::forward(const torch::Tensor &x)
{
    auto h = torch::relu(stemNorm(stem(x))); // [B,base,R,R]
    for (auto &block : *blocks)
        h = block->as<BasicBlockImpl>()->forward(h);
    return head(h.mean({2, 3})); // global average pool -> [B,K]
}

} // namespace cytodiff::engine
