#pragma once
// Training and measuring the latent autoencoder of Model v2
// (autoencoder.h). Public and torch-free, like trainer.h.

#include "autoencodercard.h"
#include "trainer.h"
#include "trainingdata.h"

namespace cytodiff::engine {

struct AutoencoderTrainOptions {
    std::string outPath;
    std::string resumePath;          // checkpoint to continue from
    // An autoencoder model file whose weights start this run (optimiser,
    // schedule and step count start afresh). How a long training crosses
    // sessions on machines that keep no files: the fp16 model is small
    // enough to commit, the checkpoint is not. Not with resumePath.
    std::string initPath;
    std::string checkpointPath;      // defaults to outPath + ".ckpt"
    double minutes = 0.0;            // wall-clock budget (0 = use steps)
    std::int64_t steps = 0;          // step budget (0 = use minutes)
    int batchSize = 16;
    double learningRate = 5e-4;
    int warmupSteps = 200;
    double weightDecay = 0.01;
    double gradClip = 1.0;
    // Loss = L1 + MSE + edgeWeight * L1 of the image gradients (keeps
    // granules and chromatin edges sharp) + klWeight * KL, with the KL
    // summed over the latent and divided by the pixel count, which puts
    // 1e-6 at the same balance as Stable Diffusion's VAE.
    double edgeWeight = 0.5;
    double klWeight = 1e-6;
    bool augment = true;             // dihedral flips/rotations + colour jitter
    std::uint64_t seed = 1;
    std::string device = "cpu";
    AutoencoderConfig network;       // resolution is taken from the data
    double checkpointEverySeconds = 300;
    double validateEverySeconds = 600;
    int validationCells = 64;        // quick PSNR during training
    int finalValidationCells = 0;    // after training; 0 = every validation cell
    std::string trainCommand;
};

struct AutoencoderTrainReport {
    std::int64_t steps = 0;
    double seconds = 0;
    AutoencoderCard card;            // as written, sha256 included
};

Result<AutoencoderTrainReport> trainAutoencoder(const TrainingData &data, const AutoencoderTrainOptions &options,
                                                const ProgressFn &progress, const CancelFn &cancelled = {});

struct AutoencoderEvalOptions {
    std::string modelPath;
    Split split = Split::Validation;
    int maxCells = 0;                // 0 = all cells of the split (classes interleaved)
    std::string gridPath;            // optional .ppm: originals above reconstructions
    int gridCells = 32;
    int batchSize = 32;
    std::string device = "cpu";
};

struct AutoencoderEvaluation {
    AutoencoderCard card;
    int cells = 0;
    double psnr = 0;                 // dB, mean over cells, 8-bit
    double psnrMin = 0;              // the worst cell
    std::vector<double> classPsnr;   // per data class; NaN where no cell
    std::vector<int> classCells;
    double sharpness = 0;            // see AutoencoderCard::validationSharpness
    double latentMean = 0, latentStd = 0;
};

Result<AutoencoderEvaluation> evaluateAutoencoder(const TrainingData &data, const AutoencoderEvalOptions &options);

struct AutoencoderBenchmark {
    std::int64_t parameters = 0;
    double encodeDecodeMs = 0;       // inference, one batch
    double trainStepMs = 0;          // forward + backward + AdamW, one batch
};
// Timing of the network the config describes, on random input.
Result<AutoencoderBenchmark> benchmarkAutoencoder(const AutoencoderConfig &config, int batch, int repeats,
                                                  const std::string &device = "cpu");

} // namespace cytodiff::engine
