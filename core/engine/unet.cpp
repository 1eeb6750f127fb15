#include <torch/torch.h>

#include "unet.h"

#include <cmath>
#include <sstream>

namespace cytodiff::engine {
namespace nn = torch::nn;

namespace {

int groupsFor(int channels)
{
    for (int groups : {8, 4, 2})
        if (channels % groups == 0)
            return groups;
    return 1;
}

nn::Conv2d conv3x3(int in, int out, int stride = 1)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

} // namespace

NetworkConfig baselineNetwork()
{
    NetworkConfig config;
    config.baseChannels = 32;
    config.channelMults = {1, 2, 4, 8};
    config.resBlocks = 2;
    return config;
}

std::string joinChannelMults(const std::vector<int> &mults)
{
    std::string text;
    for (std::size_t i = 0; i < mults.size(); ++i) {
        // Two appends: GCC 12 reads `"," + std::string` as a -Wrestrict overlap.
        if (i)
            text += ',';
        text += std::to_string(mults[i]);
    }
    return text;
}

std::string NetworkConfig::describe() const
{
    std::ostringstream out;
    out << resolution << "px, base " << baseChannels << ", mults";
    for (int m : channelMults)
        out << ' ' << m;
    out << ", " << resBlocks << " res block(s)/level, embed " << embedDim
        << (midAttention ? ", mid attention" : "");
    // Only when not RGB, so pixel models keep the description (and the
    // checkpoint key) they always had.
    if (inChannels != 3)
        out << ", " << inChannels << " input channels";
    return out.str();
}

ResBlockImpl::ResBlockImpl(int inChannels, int outChannels, int embedDim)
{
    norm1 = register_module("norm1", nn::GroupNorm(groupsFor(inChannels), inChannels));
    conv1 = register_module("conv1", conv3x3(inChannels, outChannels));
    embProj = register_module("embProj", nn::Linear(embedDim, 2 * outChannels));
    norm2 = register_module("norm2", nn::GroupNorm(nn::GroupNormOptions(groupsFor(outChannels), outChannels).affine(false)));
    conv2 = register_module("conv2", conv3x3(outChannels, outChannels));
    // Start each block as the identity: the residual branch's last conv is
    // zero, which keeps early training stable without normalisation tricks.
    torch::NoGradGuard noGrad;
    conv2->weight.zero_();
    conv2->bias.zero_();
    if (inChannels != outChannels)
        skipConv = register_module("skipConv", nn::Conv2d(nn::Conv2dOptions(inChannels, outChannels, 1)));
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor &x, const torch::Tensor &emb)
{
    auto h = conv1(torch::silu(norm1(x)));                      // [B, C, H, W]
    auto scaleShift = embProj(torch::silu(emb)).unsqueeze(-1).unsqueeze(-1); // [B, 2C, 1, 1]
    auto chunks = scaleShift.chunk(2, 1);
    h = norm2(h) * (1 + chunks[0]) + chunks[1];
    h = conv2(torch::silu(h));
    return (skipConv ? skipConv(x) : x) + h;
}

AttentionBlockImpl::AttentionBlockImpl(int channels)
{
    norm = register_module("norm", nn::GroupNorm(groupsFor(channels), channels));
    qkv = register_module("qkv", nn::Conv2d(nn::Conv2dOptions(channels, 3 * channels, 1)));
    proj = register_module("proj", nn::Conv2d(nn::Conv2dOptions(channels, channels, 1)));
    torch::NoGradGuard noGrad;
    proj->weight.zero_();
    proj->bias.zero_();
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor &x)
{
    const auto b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    auto parts = qkv(norm(x)).reshape({b, 3, c, h * w}).unbind(1); // 3 x [B, C, N]
    auto scores = torch::bmm(parts[0].transpose(1, 2), parts[1]) / std::sqrt(double(c)); // [B, N, N]
    auto attended = torch::bmm(parts[2], scores.softmax(-1).transpose(1, 2)); // [B, C, N]
    return x + proj(attended.reshape({b, c, h, w}));
}

torch::Tensor timestepEmbedding(const torch::Tensor &t, int dim)
{
    const int half = dim / 2;
    auto frequencies = torch::exp(-std::log(10000.0) * torch::arange(half, t.options()) / half); // [half]
    auto angles = (t * 1000.0).unsqueeze(1) * frequencies.unsqueeze(0);                        // [B, half]
    return torch::cat({angles.sin(), angles.cos()}, 1);                                         // [B, dim]
}

UNetImpl::UNetImpl(const NetworkConfig &cfg) : config(cfg)
{
    const int base = cfg.baseChannels;
    const int levels = int(cfg.channelMults.size());
    timeFc1 = register_module("timeFc1", nn::Linear(base, cfg.embedDim));
    timeFc2 = register_module("timeFc2", nn::Linear(cfg.embedDim, cfg.embedDim));
    classEmbedding = register_module("classEmbedding", nn::Embedding(cfg.numClasses + 1, cfg.embedDim));
    stem = register_module("stem", conv3x3(cfg.inChannels, base));

    int channels = base;
    for (int level = 0; level < levels; ++level) {
        const int out = base * cfg.channelMults[level];
        for (int r = 0; r < cfg.resBlocks; ++r) {
            downBlocks->push_back(ResBlock(channels, out, cfg.embedDim));
            channels = out;
        }
        if (level + 1 < levels)
            downSamplers->push_back(conv3x3(channels, channels, 2));
    }
    register_module("downBlocks", downBlocks);
    register_module("downSamplers", downSamplers);

    mid1 = register_module("mid1", ResBlock(channels, channels, cfg.embedDim));
    if (cfg.midAttention)
        midAttention = register_module("midAttention", AttentionBlock(channels));
    mid2 = register_module("mid2", ResBlock(channels, channels, cfg.embedDim));

    for (int level = levels - 1; level >= 0; --level) {
        const int out = base * cfg.channelMults[level];
        for (int r = 0; r < cfg.resBlocks; ++r) {
            // The first block of a level takes the skip connection concatenated.
            upBlocks->push_back(ResBlock(r == 0 ? channels + out : channels, out, cfg.embedDim));
            channels = out;
        }
        if (level > 0) {
            const int next = base * cfg.channelMults[level - 1];
            upSamplers->push_back(conv3x3(channels, next));
            channels = next;
        }
    }
    register_module("upBlocks", upBlocks);
    register_module("upSamplers", upSamplers);

    outNorm = register_module("outNorm", nn::GroupNorm(groupsFor(channels), channels));
    outConv = register_module("outConv", conv3x3(channels, cfg.inChannels));
    torch::NoGradGuard noGrad;
    outConv->weight.zero_();
    outConv->bias.zero_();
}

torch::Tensor UNetImpl::forward(const torch::Tensor &x, const torch::Tensor &t, const torch::Tensor &classes)
{
    const int levels = int(config.channelMults.size());
    // The angles in float32 whatever the weights' type (bfloat16 would
    // round t * 1000 to steps of up to 4).
    auto angles = timestepEmbedding(t.to(torch::kFloat32), config.baseChannels).to(x.scalar_type()); // [B, base]
    auto emb = timeFc2(torch::silu(timeFc1(angles)))                                                   // [B, E]
             + classEmbedding(classes);                                              // [B, E]

    auto h = stem(x); // [B, base, R, R] from [B, inChannels, R, R]
    std::vector<torch::Tensor> skips;
    int block = 0;
    for (int level = 0; level < levels; ++level) {
        for (int r = 0; r < config.resBlocks; ++r)
            h = downBlocks[block++]->as<ResBlockImpl>()->forward(h, emb);
        skips.push_back(h); // [B, C_level, R / 2^level, R / 2^level]
        if (level + 1 < levels)
            h = downSamplers[level]->as<nn::Conv2dImpl>()->forward(h);
    }

    h = mid1(h, emb);
    if (midAttention)
        h = midAttention(h);
    h = mid2(h, emb);

    block = 0;
    int sampler = 0;
    for (int level = levels - 1; level >= 0; --level) {
        h = torch::cat({h, skips[level]}, 1);
        for (int r = 0; r < config.resBlocks; ++r)
            h = upBlocks[block++]->as<ResBlockImpl>()->forward(h, emb);
        if (level > 0) {
            h = torch::upsample_nearest2d(h, {skips[level - 1].size(2), skips[level - 1].size(3)});
            h = upSamplers[sampler++]->as<nn::Conv2dImpl>()->forward(h);
        }
    }
    return outConv(torch::silu(outNorm(h))); // [B, inChannels, R, R]
}

} // namespace cytodiff::engine
