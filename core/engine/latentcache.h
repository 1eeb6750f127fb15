#pragma once
// The latents a latent diffusion run trains on, encoded once before the
// first step. Encoding a cell costs about as much as the latent UNet's
// forward and backward pass on it, so encoding every batch would roughly
// double a step; the dihedral variants keep the flips and quarter turns
// that the pixel trainer's augmentation gives. Internal (LibTorch).

#include <torch/torch.h>

#include "engine.h"
#include "latentcodec.h"
#include "latentpack.h"
#include "trainingdata.h"

#include <functional>

namespace cytodiff::engine {

// A latent pack's cells and latents, dequantised: what build() would have
// stored (float16, unscaled), up to the 8-bit quantisation.
struct StoredLatents {
    LatentPackHeader header;
    torch::Tensor train;      // [N_train, V, L, r, r] float16
    torch::Tensor validation; // [N_validation, L, r, r] float16, undefined when none
};
Result<StoredLatents> loadLatentPack(const std::string &path);

// The checks every latent run makes before it encodes or reads latents:
// the autoencoder takes the cells' resolution and was trained on their crop.
Result<void> checkAutoencoderFits(const AutoencoderCard &card, const std::string &autoencoderPath, int resolution,
                                  int cropSize);

class LatentCache {
public:
    // (cells encoded, cells to encode), after every encoder batch.
    using ProgressFn = std::function<void(std::int64_t, std::int64_t)>;

    // Encodes `variants` (1-8) dihedral variants of every training cell,
    // colour-jittered when jitter, and the plain image of every validation
    // cell; unscaled encoder means stored as float16 (half the memory: 4.6
    // kB per 4x24x24 latent). Deterministic given seed. Then measures the
    // latent scale (1 / std over the training latents).
    Result<void> build(const TrainingData &data, LatentCodec &codec, int variants, bool jitter, std::uint64_t seed,
                       const ProgressFn &progress, const CancelFn &cancelled);

    // Instead of build: the latents of a latent pack (moved from stored);
    // data = stored.header.cells. With augment off only the first variant is
    // used; with augment on and one stored variant, every batch gets a
    // random flip or quarter turn in latent space (trainingBatch).
    Result<void> adopt(StoredLatents &stored, bool augment);

    double scale() const { return m_scale; }
    int variants() const { return m_variants; }
    // One variant per cell, drawn from gen: scaled [B, L, r, r] float.
    torch::Tensor trainingBatch(const std::vector<std::int64_t> &indices, at::Generator &gen) const;
    // Validation cells as they are: scaled [B, L, r, r] float.
    torch::Tensor validationBatch(const std::vector<std::int64_t> &indices) const;
    // What encode-pack quantises: as build() stored them.
    const torch::Tensor &trainLatents() const { return m_train; }           // [N_train, V, L, r, r] float16
    const torch::Tensor &validationLatents() const { return m_validation; } // [N_validation, L, r, r] float16

private:
    // Rows of the training and validation tensors in data's order.
    void assignRows(const TrainingData &data, std::vector<std::int64_t> &train, std::vector<std::int64_t> &validation);
    // 1 / std of the stored training latents (in double: 10^8 terms).
    Result<void> measureScale();

    torch::Tensor m_train;      // [N_train, V, L, r, r] float16, unscaled
    torch::Tensor m_validation; // [N_validation, L, r, r] float16, unscaled
    std::vector<std::int64_t> m_row; // cell -> row in its split's tensor, -1 = not encoded
    int m_variants = 1;
    bool m_batchDihedral = false; // one stored variant: flips and turns at batch time
    double m_scale = 1.0;
};

} // namespace cytodiff::engine
