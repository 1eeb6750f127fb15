#include <torch/torch.h>

#include "latentcodec.h"

#include "modelio.h"

namespace cytodiff::engine {
namespace {

// Cells per encoder/decoder call: bounds the 96 px activations (about
// 1 MB per cell per layer) whatever the caller hands in.
constexpr std::int64_t kCodecBatch = 32;

} // namespace

LatentCodec::LatentCodec(Autoencoder network, double scale, const torch::Device &device)
    : m_network(std::move(network)), m_scale(scale), m_device(device)
{
}

torch::Tensor LatentCodec::encode(const torch::Tensor &x)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    for (std::int64_t start = 0; start < x.size(0); start += kCodecBatch) {
        auto chunk = x.narrow(0, start, std::min(kCodecBatch, x.size(0) - start)).to(m_device); // [b, 3, R, R]
        parts.push_back((m_network->encode(chunk).mean * m_scale).to(torch::kCPU));          // [b, L, r, r]
    }
    return torch::cat(parts); // [B, L, r, r]
}

torch::Tensor LatentCodec::decode(const torch::Tensor &z)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    for (std::int64_t start = 0; start < z.size(0); start += kCodecBatch) {
        auto chunk = z.narrow(0, start, std::min(kCodecBatch, z.size(0) - start)).to(m_device); // [b, L, r, r]
        parts.push_back(m_network->decode(chunk / m_scale).clamp(-1.0, 1.0).to(torch::kCPU));  // [b, 3, R, R]
    }
    return torch::cat(parts); // [B, 3, R, R]
}

std::shared_ptr<torch::nn::Module> latentBundle(UNet &network, Autoencoder &autoencoder)
{
    auto bundle = std::make_shared<torch::nn::Module>("LatentDiffusion");
    bundle->register_module("unet", network.ptr());
    bundle->register_module("autoencoder", autoencoder.ptr());
    return bundle;
}

Result<void> saveLatentDiffusionModel(const std::string &path, ModelCard &card, UNet &network,
                                      Autoencoder &autoencoder)
{
    if (!card.isLatent() || card.latent.resolution != autoencoder->config().latentSize())
        return makeError("Internal error: the card does not describe this autoencoder's latent.");
    try {
        auto half = halfPrecisionCopy(autoencoder);
        return writeModelFile(path, card, *latentBundle(network, half));
    } catch (const std::exception &e) {
        return makeError(std::string("Writing the latent model failed: ") + std::string(e.what()).substr(0, 200));
    }
}

Result<LatentNetworks> loadLatentNetworks(const ModelCard &card, const std::string &payload,
                                          const torch::Device &device, const std::string &sourceName)
{
    LatentNetworks loaded;
    Autoencoder autoencoder{nullptr};
    try {
        loaded.network = UNet(card.network);
        autoencoder = Autoencoder(card.latent.autoencoder.config);
        autoencoder->to(torch::kHalf); // see widenStoredWeights
    } catch (const std::exception &e) {
        return makeError("Cannot build the networks described by '" + sourceName + "': " + e.what());
    }
    auto bundle = latentBundle(loaded.network, autoencoder);
    auto weights = loadStoredWeights(*bundle, *loaded.network, card, payload, torch::kCPU, sourceName);
    if (!weights)
        return makeError(weights.error());
    if (auto widened = widenStoredWeights(autoencoder, sourceName); !widened)
        return makeError(widened.error());
    bundle->to(device);
    bundle->eval();
    loaded.codec = LatentCodec(autoencoder, card.latent.scale, device);
    return loaded;
}

} // namespace cytodiff::engine
