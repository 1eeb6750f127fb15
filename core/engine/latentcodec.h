#pragma once
// Latent diffusion (Model v2, method.md section 1): the bridge between
// pixels and the scaled latent z = encode(x).mean * scale that the
// denoising network of a "latent-diffusion" model works on, and that
// model's one file, which carries the autoencoder next to the UNet.
// Internal (LibTorch).

#include <torch/torch.h>

#include "autoencoder.h"
#include "engine.h"
#include "unet.h"

#include <memory>

namespace cytodiff::engine {

class LatentCodec {
public:
    LatentCodec() = default;
    // network: float32, eval mode, on device.
    LatentCodec(Autoencoder network, double scale, const torch::Device &device);

    bool isNull() const { return m_network.is_empty(); }
    double scale() const { return m_scale; }
    Autoencoder &network() { return m_network; }

    // x: [B, 3, R, R] in [-1, 1] -> z [B, L, R/f, R/f] (on the CPU), in
    // batches so any count fits. No gradients.
    torch::Tensor encode(const torch::Tensor &x);
    // z: [B, L, R/f, R/f] scaled -> [B, 3, R, R] on the CPU, clamped to
    // [-1, 1] like every image the engine hands out.
    torch::Tensor decode(const torch::Tensor &z);

private:
    Autoencoder m_network{nullptr};
    double m_scale = 1.0;
    torch::Device m_device{torch::kCPU};
};

// The payload of a latent model file: one archive with the UNet as "unet"
// (float32) and the autoencoder as "autoencoder" (float16, as in its own
// file). The bundle shares the two networks; it owns neither.
std::shared_ptr<torch::nn::Module> latentBundle(UNet &network, Autoencoder &autoencoder);

// Writes kind "latent-diffusion": card.latent must describe the
// autoencoder. Fills in card.sha256 and card.fileName.
Result<void> saveLatentDiffusionModel(const std::string &path, ModelCard &card, UNet &network,
                                      Autoencoder &autoencoder);

// Builds the card's UNet and autoencoder and fills them from a latent model
// file's payload; both end float32, eval mode, on device.
struct LatentNetworks {
    UNet network{nullptr};
    LatentCodec codec;
};
Result<LatentNetworks> loadLatentNetworks(const ModelCard &card, const std::string &payload,
                                          const torch::Device &device, const std::string &sourceName);

} // namespace cytodiff::engine
