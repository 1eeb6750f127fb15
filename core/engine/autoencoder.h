#pragma once
// The small convolutional autoencoder of Model v2: a 96x96 RGB cell to a
// 4x24x24 latent and back, so the diffusion network can run on the latent
// as the paper's does on Stable Diffusion's (method.md section 1). Internal
// to the engine: includes LibTorch, so never include it from Qt code.

#include <torch/torch.h>

#include "autoencodercard.h"

namespace cytodiff::engine {

// GroupNorm + SiLU + 3x3 conv, twice, around an identity (or 1x1) skip.
// No time or class input: unet.h's ResBlock is the conditioned one.
class ResidualBlockImpl : public torch::nn::Module {
public:
    ResidualBlockImpl(int inChannels, int outChannels);
    torch::Tensor forward(const torch::Tensor &x);

private:
    torch::nn::GroupNorm m_norm1{nullptr}, m_norm2{nullptr};
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
    torch::nn::Conv2d m_skip{nullptr};
};
TORCH_MODULE(ResidualBlock);

// The posterior q(z | x) = N(mean, exp(logVariance)), both [B, L, R/f, R/f].
struct LatentMoments {
    torch::Tensor mean;
    torch::Tensor logVariance;
};

class AutoencoderImpl : public torch::nn::Module {
public:
    explicit AutoencoderImpl(const AutoencoderConfig &config);

    // x: [B, 3, R, R] in [-1, 1] -> moments of [B, L, R/f, R/f].
    LatentMoments encode(const torch::Tensor &x);
    // z: [B, L, R/f, R/f] (unscaled) -> [B, 3, R, R], not clamped.
    torch::Tensor decode(const torch::Tensor &z);
    // decode(encode(x).mean): the deterministic reconstruction.
    torch::Tensor forward(const torch::Tensor &x);

    const AutoencoderConfig &config() const { return m_config; }

private:
    AutoencoderConfig m_config;
    torch::nn::Conv2d m_encoderStem{nullptr};
    torch::nn::ModuleList m_encoderBlocks, m_downsamplers;
    ResidualBlock m_encoderMid{nullptr};
    torch::nn::GroupNorm m_encoderNorm{nullptr};
    torch::nn::Conv2d m_encoderOut{nullptr};

    torch::nn::Conv2d m_decoderIn{nullptr};
    ResidualBlock m_decoderMid{nullptr};
    torch::nn::ModuleList m_decoderBlocks, m_upsamplers;
    torch::nn::GroupNorm m_decoderNorm{nullptr};
    torch::nn::Conv2d m_decoderOut{nullptr};
};
TORCH_MODULE(Autoencoder);

std::int64_t parameterCount(torch::nn::Module &module);

// Stored weights are float16 (autoencoder files, and the copy a latent
// diffusion model embeds): a float16 CPU copy of the network for writing,
// and, after loading into a network made float16 first (Module::load
// replaces tensors, so the dtype is checked rather than converted), the
// check that the file really held float16 and the widening to float32.
Autoencoder halfPrecisionCopy(Autoencoder &network);
Result<void> widenStoredWeights(Autoencoder &network, const std::string &sourceName);

// The file: a container of kind "autoencoder" with the card as metadata and
// the weights rounded to float16 (half the bytes; the decoder loses nothing
// measurable). Fills in card.sha256 and card.fileName.
Result<void> saveAutoencoder(const std::string &path, AutoencoderCard &card, Autoencoder &network);

struct LoadedAutoencoder {
    AutoencoderCard card;
    Autoencoder network{nullptr}; // float32, eval mode, on the requested device
};
// Errors name the file and say what is wrong (missing, truncated, corrupted,
// another kind, newer format, weights that do not fit the description).
Result<LoadedAutoencoder> loadAutoencoder(const std::string &path, const std::string &device = "cpu");
Result<LoadedAutoencoder> loadAutoencoderFromBytes(const std::string &bytes, const std::string &sourceName,
                                                   const std::string &device = "cpu");

} // namespace cytodiff::engine
