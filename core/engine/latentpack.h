#pragma once
// A latent pack (.cdlpack): the latents a latent diffusion run trains on,
// encoded once by `cytodiff-engine encode-pack` and stored at 8 bits per
// value, so a borrowed GPU machine trains without the pixel pack (282 MB
// for PBC at 96 px, against about 21 MB here) and without spending its
// minutes on the encoder. Public and torch-free.
//
// Container kind "latent-pack": metadata = class names, cell names,
// resolution, crop, the pixel pack's data hash, the encoding autoencoder's
// SHA-256, variants, jitter, seed, the per-channel affine quantisation and
// its measured error; payload = one archive with "train" [Nt,V,L,r,r]
// uint8, "validation" [Nv,L,r,r] uint8, "labels" and "splits" [N] int64
// (training and validation cells only, in the pixel pack's order), and
// "scale" and "offset" [L] float32 (value = offset + scale * code).

#include "result.h"
#include "trainingdata.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cytodiff::engine {

struct LatentPackOptions {
    std::string autoencoderPath;
    std::string outPath;
    std::string device = "cpu";
    // As the latent trainer encodes: `variants` dihedral variants of every
    // training cell (1-8), colour-jittered when jitter; validation cells plain.
    int variants = 1;
    bool jitter = true;
    bool keepValidation = true; // false = training cells only
    std::uint64_t seed = 1;
};

struct LatentPackReport {
    std::int64_t trainCells = 0;
    std::int64_t validationCells = 0;
    int variants = 1;
    int latentChannels = 0;
    int latentResolution = 0;
    std::int64_t fileBytes = 0;
    double latentStd = 0;             // of the unquantised training latents
    double quantisationRmsRelative = 0; // RMS(dequantised - latent) / latentStd
    double quantisationMaxAbs = 0;      // largest |dequantised - latent|
    double seconds = 0;
    std::string sha256;                 // of the written file
};

// What a latent pack says about itself, read without its tensors.
struct LatentPackHeader {
    TrainingData cells; // class names, names, labels, splits, resolution, crop; no pixels
    std::string dataHash;          // the pixel pack's TrainingData::contentHash()
    std::string autoencoderSha256; // of the autoencoder file that encoded it
    int variants = 1;
    bool jitter = false;
    std::uint64_t seed = 1;
    int latentChannels = 0;
    int latentResolution = 0;
    double quantisationRmsRelative = 0;
    std::string sha256; // of the pack file
};

// (cells encoded, cells to encode).
using LatentPackProgressFn = std::function<void(std::int64_t, std::int64_t)>;

Result<LatentPackReport> writeLatentPack(const TrainingData &data, const LatentPackOptions &options,
                                         const LatentPackProgressFn &progress = {});
Result<LatentPackHeader> readLatentPackHeader(const std::string &path);
// True when the file starts like a latent pack (reads only its first bytes).
bool isLatentPack(const std::string &path);

} // namespace cytodiff::engine
