#pragma once
// What an autoencoder file says about itself besides its weights, and the
// hyper-parameters that rebuild the network. Torch-free: Qt code may read a
// card (the file is a container of kind "autoencoder", see container.h).

#include "result.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cytodiff::engine {

// Bumped when a reader of this version could misread a newer file.
constexpr int kAutoencoderFormatVersion = 1;

struct AutoencoderConfig {
    int resolution = 96;                 // input is resolution x resolution RGB
    // Width per level; each level after the first halves the size, so
    // three levels give a latent of resolution / 4.
    std::vector<int> channels{32, 64, 128};
    int resBlocks = 1;                   // residual blocks per level, encoder and decoder
    int latentChannels = 4;

    int downsampling() const { return 1 << (channels.empty() ? 0 : int(channels.size()) - 1); }
    int latentSize() const { return resolution / downsampling(); }
    std::string describe() const;        // one line, also the checkpoint key
    Result<void> check() const;          // plausible sizes, resolution divisible
};

struct AutoencoderCard {
    AutoencoderConfig config;
    int cropSize = 0;                    // centre crop in source pixels the pack used
    // Multiply encoder means by this before diffusion (1 / std of the
    // latents of validation cells), as Stable Diffusion's 0.18215.
    double latentScale = 1.0;
    double latentMean = 0.0;             // of the same latents, for the record
    double validationPsnr = 0.0;         // dB, mean over validation cells, 8-bit
    int validationCells = 0;
    // Mean |gradient| of reconstructions / of originals on the same cells:
    // 1 = as sharp as the input, below 1 = blurred.
    double validationSharpness = 0.0;
    double klWeight = 0.0;
    double edgeWeight = 0.0;
    std::string dataHash;
    std::string trainCommand;
    std::string createdAt;
    std::int64_t trainSteps = 0;
    double trainSeconds = 0.0;
    double learningRate = 0.0;
    int batchSize = 0;
    std::string sha256;                  // of the file it was loaded from
    std::string fileName;

    std::map<std::string, std::string> toMetadata() const;
    static Result<AutoencoderCard> fromMetadata(const std::map<std::string, std::string> &metadata);
};

} // namespace cytodiff::engine
