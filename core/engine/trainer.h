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
    std::string checkpointPath;    // defaults to outPath + ".ckpt"
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
    bool augment = true;
    std::uint64_t seed = 1;
    std::string device = "cpu";
    NetworkConfig network;
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
};
Result<CheckpointInfo> readCheckpointInfo(const std::string &path);

// The discriminative baseline (kind "baseline"): same data, sampling,
// augmentation and budget; options.network gives its widths.
Result<TrainReport> trainBaseline(const TrainingData &data, const TrainOptions &options, const ProgressFn &progress,
                                  const CancelFn &cancelled = {});

Result<TrainReport> trainDiffusion(const TrainingData &data, const TrainOptions &options, const ProgressFn &progress,
                                   const CancelFn &cancelled = {});

} // namespace cytodiff::engine
