#include <torch/torch.h>

#include "autoencoder.h"

#include "container.h"
#include "modelio.h"

namespace cytodiff::engine {
namespace nn = torch::nn;

namespace {

constexpr char kContainerKind[] = "autoencoder";
// Stable Diffusion's clamp: keeps exp(logVariance) finite early in training.
constexpr double kMinLogVariance = -30.0;
constexpr double kMaxLogVariance = 20.0;

// Groups of at least four channels: one channel per group would make the
// norm an instance norm, which erases the stain intensity a cell is read by.
int groupsFor(int channels)
{
    for (int groups : {32, 16, 8, 4, 2})
        if (channels % groups == 0 && channels / groups >= 4)
            return groups;
    return 1;
}

nn::Conv2d conv3x3(int in, int out, int stride = 1)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

} // namespace

ResidualBlockImpl::ResidualBlockImpl(int inChannels, int outChannels)
{
    m_norm1 = register_module("norm1", nn::GroupNorm(groupsFor(inChannels), inChannels));
    m_conv1 = register_module("conv1", conv3x3(inChannels, outChannels));
    m_norm2 = register_module("norm2", nn::GroupNorm(groupsFor(outChannels), outChannels));
    m_conv2 = register_module("conv2", conv3x3(outChannels, outChannels));
    if (inChannels != outChannels)
        m_skip = register_module("skip", nn::Conv2d(nn::Conv2dOptions(inChannels, outChannels, 1)));
    // Every block starts as the identity (as in unet.cpp), so a deep
    // encoder-decoder trains from the first step without exploding.
    torch::NoGradGuard noGrad;
    m_conv2->weight.zero_();
    m_conv2->bias.zero_();
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor &x)
{
    auto h = m_conv1(torch::silu(m_norm1(x))); // [B, C_out, H, W]
    h = m_conv2(torch::silu(m_norm2(h)));     // [B, C_out, H, W]
    return (m_skip ? m_skip(x) : x) + h;
}

AutoencoderImpl::AutoencoderImpl(const AutoencoderConfig &config) : m_config(config)
{
    const auto &widths = config.channels;
    const int levels = int(widths.size());

    m_encoderStem = register_module("encoderStem", conv3x3(3, widths[0]));
    int channels = widths[0];
    for (int level = 0; level < levels; ++level) {
        for (int r = 0; r < config.resBlocks; ++r) {
            m_encoderBlocks->push_back(ResidualBlock(channels, widths[level]));
            channels = widths[level];
        }
        // Strided convolution rather than pooling: the network chooses what
        // of the chromatin texture survives the halving.
        if (level + 1 < levels)
            m_downsamplers->push_back(conv3x3(channels, channels, 2));
    }
    register_module("encoderBlocks", m_encoderBlocks);
    register_module("downsamplers", m_downsamplers);
    m_encoderMid = register_module("encoderMid", ResidualBlock(channels, channels));
    m_encoderNorm = register_module("encoderNorm", nn::GroupNorm(groupsFor(channels), channels));
    m_encoderOut = register_module("encoderOut", conv3x3(channels, 2 * config.latentChannels));

    m_decoderIn = register_module("decoderIn", conv3x3(config.latentChannels, channels));
    m_decoderMid = register_module("decoderMid", ResidualBlock(channels, channels));
    for (int level = levels - 1; level >= 0; --level) {
        for (int r = 0; r < config.resBlocks; ++r) {
            m_decoderBlocks->push_back(ResidualBlock(channels, widths[level]));
            channels = widths[level];
        }
        // Nearest upsampling then a convolution: no checkerboard pattern,
        // unlike a transposed convolution with stride 2.
        if (level > 0) {
            m_upsamplers->push_back(conv3x3(channels, widths[level - 1]));
            channels = widths[level - 1];
        }
    }
    register_module("decoderBlocks", m_decoderBlocks);
    register_module("upsamplers", m_upsamplers);
    m_decoderNorm = register_module("decoderNorm", nn::GroupNorm(groupsFor(channels), channels));
    m_decoderOut = register_module("decoderOut", conv3x3(channels, 3));
}

LatentMoments AutoencoderImpl::encode(const torch::Tensor &x)
{
    const int levels = int(m_config.channels.size());
    auto h = m_encoderStem(x); // [B, C0, R, R]
    int block = 0;
    for (int level = 0; level < levels; ++level) {
        for (int r = 0; r < m_config.resBlocks; ++r)
            h = m_encoderBlocks[block++]->as<ResidualBlockImpl>()->forward(h); // [B, C_level, R/2^level, R/2^level]
        if (level + 1 < levels)
            h = m_downsamplers[level]->as<nn::Conv2dImpl>()->forward(h); // [B, C_level, R/2^(level+1), ...]
    }
    h = m_encoderMid(h);                                       // [B, C_last, R/f, R/f]
    auto moments = m_encoderOut(torch::silu(m_encoderNorm(h))).chunk(2, 1); // 2 x [B, L, R/f, R/f]
    return {moments[0], moments[1].clamp(kMinLogVariance, kMaxLogVariance)};
}

torch::Tensor AutoencoderImpl::decode(const torch::Tensor &z)
{
    const int levels = int(m_config.channels.size());
    auto h = m_decoderMid(m_decoderIn(z)); // [B, C_last, R/f, R/f]
    int block = 0, upsampler = 0;
    for (int level = levels - 1; level >= 0; --level) {
        for (int r = 0; r < m_config.resBlocks; ++r)
            h = m_decoderBlocks[block++]->as<ResidualBlockImpl>()->forward(h); // [B, C_level, R/2^level, R/2^level]
        if (level > 0) {
            h = torch::upsample_nearest2d(h, {2 * h.size(2), 2 * h.size(3)});   // [B, C_level, R/2^(level-1), ...]
            h = m_upsamplers[upsampler++]->as<nn::Conv2dImpl>()->forward(h);     // [B, C_(level-1), ...]
        }
    }
    return m_decoderOut(torch::silu(m_decoderNorm(h))); // [B, 3, R, R]
}

torch::Tensor AutoencoderImpl::forward(const torch::Tensor &x)
{
    return decode(encode(x).mean); // [B, 3, R, R]
}

std::int64_t parameterCount(torch::nn::Module &module)
{
    std::int64_t count = 0;
    for (const auto &p : module.parameters())
        count += p.numel();
    return count;
}

Autoencoder halfPrecisionCopy(Autoencoder &network)
{
    // A CPU copy; the network being trained stays as it is.
    Autoencoder half(network->config());
    {
        torch::NoGradGuard noGrad;
        auto source = network->parameters();
        auto target = half->parameters();
        for (std::size_t i = 0; i < source.size(); ++i)
            target[i].copy_(source[i].detach().to(torch::kCPU));
    }
    half->to(torch::kHalf);
    return half;
}

Result<void> widenStoredWeights(Autoencoder &network, const std::string &sourceName)
{
    for (const auto &p : network->parameters())
        if (p.scalar_type() != torch::kHalf)
            return makeError("The weights in '" + sourceName + "' are not float16 as its card says; the file is damaged.");
    network->to(torch::kFloat32);
    return {};
}

Result<void> saveAutoencoder(const std::string &path, AutoencoderCard &card, Autoencoder &network)
{
    Container container;
    container.kind = kContainerKind;
    container.metadata = card.toMetadata();
    try {
        auto half = halfPrecisionCopy(network);
        container.payload = serializeModule(*half);
    } catch (const std::exception &e) {
        return makeError(std::string("Writing the autoencoder failed: ") + std::string(e.what()).substr(0, 200));
    }
    auto written = writeContainer(path, container);
    if (!written)
        return written;
    card.sha256 = container.sha256;
    card.fileName = path;
    return {};
}

namespace {

Result<LoadedAutoencoder> buildAutoencoder(const Result<Container> &container, const std::string &sourceName,
                                           const std::string &device)
{
    if (!container)
        return makeError(container.error());
    auto card = AutoencoderCard::fromMetadata(container->metadata);
    if (!card)
        return makeError("Cannot use '" + sourceName + "': " + card.error() + ".");
    auto parsedDevice = parseDevice(device);
    if (!parsedDevice)
        return makeError(parsedDevice.error());
    LoadedAutoencoder loaded;
    loaded.card = std::move(*card);
    loaded.card.sha256 = container->sha256;
    loaded.card.fileName = sourceName;
    try {
        loaded.network = Autoencoder(loaded.card.config);
        // Loading replaces each tensor by the stored one, so the network is
        // made float16 first and widened only once the shapes are checked.
        loaded.network->to(torch::kHalf);
    } catch (const std::exception &e) {
        return makeError("Cannot build the autoencoder described by '" + sourceName + "': " + e.what());
    }
    auto weights = deserializeModule(*loaded.network, container->payload, torch::kCPU, sourceName);
    if (!weights)
        return makeError(weights.error());
    if (auto widened = widenStoredWeights(loaded.network, sourceName); !widened)
        return makeError(widened.error());
    loaded.network->to(*parsedDevice);
    loaded.network->eval();
    return loaded;
}

} // namespace

Result<LoadedAutoencoder> loadAutoencoder(const std::string &path, const std::string &device)
{
    return buildAutoencoder(readContainer(path, kContainerKind), path, device);
}

Result<LoadedAutoencoder> loadAutoencoderFromBytes(const std::string &bytes, const std::string &sourceName,
                                                   const std::string &device)
{
    return buildAutoencoder(parseContainer(bytes, kContainerKind, sourceName), sourceName, device);
}

} // namespace cytodiff::engine
