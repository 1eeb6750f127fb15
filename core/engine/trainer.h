#pragma once
// Training of the class-conditional diffusion model (method.md sections 1
// and 6, adapted to CPU). Public and torch-free.

#include "engine.h"
#include "trainingdata.h"

#include <functional>

namespace cytodiff::engine {

struct TrainOptions {
    std::string outPath;
    std::string resumePath;        // checkpoint to continue from
    // Or: a model file of an earlier run with the same network, classes and
    // (latent) autoencoder whose weights start this run (network and EMA);
    // the optimiser, step count and schedule start afresh, and the card
    // adds the earlier run's steps, time and command. This is how a long run
    // continues from the fp16 weights a session commits. With resumePath
    // too, a run that started so is resumed (weights from the checkpoint).
    std::string initPath;
    std::string checkpointPath;    // defaults to outPath + ".ckpt"
    // Also written at each checkpoint when set: the run's compact form
    // (float16 weights, no optimiser state), small enough to commit;
    // --resume takes it as it takes a checkpoint (trainingloop.h).
    std::string compactCheckpointPath;
    double minutes = 0.0;          // wall-clock budget (0 = use steps)
    std::int64_t steps = 0;        // step budget (0 = use minutes)
    int batchSize = 32;
    double learningRate = 1e-3;
    int warmupSteps = 200;
    double weightDecay = 0.01;
    double emaDecay = 0.999;
    double gradClip = 1.0;
    double classDropout = 0.1;     // share of steps trained unconditionally
    double minSnrGamma = 5.0;
    // Share of t drawn from [0, focusTMax] instead of [0, 1]: classification
    // reads the model at small and medium t, generation needs all of it.
    double focusShare = 0.5;
    double focusTMax = 0.5;
    // Discriminative term (0 = off, the paper's pure denoising objective):
    // each step also noises `discriminativeCells` cells once at a t of the
    // classifier's range [0.02, 0.5], denoises each under every class and
    // adds this weight times the cross-entropy of the classifier's decision
    // rule (lowest masked error wins) to the loss. The network stays a
    // class-conditional denoiser; the term trains it to separate the
    // classes where the classifier reads it.
    double discriminativeWeight = 0.0;
    int discriminativeCells = 4;
    // Relative error difference worth one logit in that cross-entropy.
    double discriminativeTemperature = 0.01;
    bool augment = true;
    std::uint64_t seed = 1;
    std::string device = "cpu";
    NetworkConfig network;
    // Latent diffusion (kind "latent-diffusion"): an autoencoder file whose
    // latent the network learns, z = encode(x).mean * scale, with scale
    // measured on the training cells. Its weights go into the model file.
    // Empty = pixel-space diffusion.
    std::string autoencoderPath;
    // Latent runs encode every training cell once, before the first step,
    // in this many dihedral variants (1-8; colour-jittered when augment).
    int latentVariants = 8;
    std::string schedule = "cosine";
    double checkpointEverySeconds = 300;
    double validateEverySeconds = 600;
    int validationCells = 48;      // quick validation during training
    int finalValidationCells = 200;
    std::string trainCommand;
};

struct TrainProgress {
    std::int64_t step = 0;
    std::int64_t totalSteps = -1;  // -1 when the budget is time
    double elapsedSeconds = 0;
    double etaSeconds = -1;
    double loss = 0;               // running mean
    double learningRate = 0;
    double validationAccuracy = -1; // set on validation lines only
    std::string message;
};

struct TrainReport {
    std::int64_t steps = 0;
    double seconds = 0;
    double validationAccuracy = -1;
    double validationBalancedAccuracy = -1;
    ModelCard card;
};

using ProgressFn = std::function<void(const TrainProgress &)>;

// What a checkpoint says about itself, read without loading its tensors
// (a study decides whether to continue it). 0 = not recorded.
struct CheckpointInfo {
    std::int64_t step = 0;
    double learningRate = 0.0;
    int batchSize = 0;
    double elapsedSeconds = 0.0; // of the budget already spent
    std::int64_t optimiserRestartedAt = -1; // CheckpointPosition::optimiserRestartedAt
};
Result<CheckpointInfo> readCheckpointInfo(const std::string &path);

// The discriminative baseline (kind "baseline"): same data, sampling,
// augmentation and budget; options.network gives its widths.
Result<TrainReport> trainBaseline(const TrainingData &data, const TrainOptions &options, const ProgressFn &progress,
                                  const CancelFn &cancelled = {});

Result<TrainReport> trainDiffusion(const TrainingData &data, const TrainOptions &options, const ProgressFn &progress,
                                   const CancelFn &cancelled = {});

// Latent diffusion from a latent pack (latentpack.h, `cytodiff-engine
// encode-pack`): the same trainer, reading the cells' latents instead of
// encoding them. options.autoencoderPath must name the autoencoder that
// encoded the pack (its SHA-256 is checked): the model file carries it.
// options.latentVariants is ignored (the pack's count is used).
Result<TrainReport> trainDiffusionFromLatentPack(const std::string &packPath, const TrainOptions &options,
                                                 const ProgressFn &progress, const CancelFn &cancelled = {});

} // namespace cytodiff::engine
