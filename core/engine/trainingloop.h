#pragma once
// Pieces shared by the diffusion trainer and the baseline trainer: the
// class-balanced sampler, the budget, the learning-rate schedule and the
// checkpoints that let a budget be spent across sessions.
// Internal (LibTorch).

#include <torch/torch.h>

#include "trainer.h"

#include <functional>

namespace cytodiff::engine {

class BalancedSampler {
public:
    Result<void> init(const TrainingData &data);
    // A uniform class, then a uniform training cell of it, b times.
    void draw(int b, at::Generator &generator, std::vector<std::int64_t> &indices,
              std::vector<std::int64_t> &labels) const;
    // Validation cells in round-robin class order, so any prefix is balanced.
    const std::vector<std::int64_t> &validation() const { return m_validation; }

private:
    std::vector<std::vector<std::int64_t>> m_trainByClass;
    std::vector<std::int64_t> m_validation;
};

// The checks both trainers make before they start: valid data, a budget,
// an output path.
Result<void> checkTrainingRequest(const TrainingData &data, const TrainOptions &options);
// The budget and output path alone (a latent pack run has no pixels to check).
Result<void> checkTrainingBudget(const TrainOptions &options);

// (accuracy, balanced accuracy) from per-class correct/total counts;
// classes without cells do not count towards the balanced figure.
std::pair<double, double> accuracyFromCounts(const std::vector<int> &correct, const std::vector<int> &total);

// Share of the budget (steps and/or minutes) used, in [0, 1].
double budgetFraction(const TrainOptions &options, std::int64_t step, double elapsedSeconds);
// Linear warm-up, then cosine decay to 10% of the peak over the budget.
double scheduledLearningRate(const TrainOptions &options, std::int64_t step, double fraction);
// uint8 [N,3,R,R] rows -> float [B,3,R,R] in [-1, 1].
torch::Tensor loadBatch(const torch::Tensor &pixels, const std::vector<std::int64_t> &indices);
// The pixels of a TrainingData as a tensor view (no copy).
torch::Tensor pixelTensor(const TrainingData &data);
std::string isoTimestamp();

// What a checkpoint holds besides its position: the named modules (weights
// and buffers), the optimiser's moments and the generator, so a resumed run
// draws the batches an uninterrupted one would have.
struct CheckpointParts {
    std::vector<std::pair<std::string, torch::nn::Module *>> modules;
    torch::optim::Optimizer *optimizer = nullptr;
    at::Generator *generator = nullptr;
};
struct CheckpointPosition {
    std::int64_t step = 0;
    double elapsedSeconds = 0; // wall clock already spent of the budget
};
// configKey names the network and the data; a checkpoint is only resumed
// into the same key, so another network or pack gets a clear message. The
// learning rate and batch size are recorded but not enforced: a long run
// may be resumed with a lower rate on purpose (models/README.md).
Result<void> saveCheckpoint(const std::string &path, const std::string &configKey, const TrainOptions &options,
                            const CheckpointPosition &position, const CheckpointParts &parts);
Result<CheckpointPosition> loadCheckpoint(const std::string &path, const std::string &configKey,
                                          const CheckpointParts &parts, const torch::Device &device);

// What the shared training loop asks of a trainer. validate may be empty
// (no quick validations); it returns (accuracy, balanced accuracy) and
// validationCells names what it measured for the progress line.
struct TrainingSteps {
    std::function<double()> step;          // one optimiser step; the batch loss
    std::function<std::int64_t()> stepsDone;
    std::function<double()> elapsed;       // seconds of the budget spent, resumes included
    std::function<double()> learningRate;  // the rate the next step uses
    std::function<Result<void>()> checkpoint;
    std::function<std::pair<double, double>()> validate;
    std::string validationCells;
    // Instead of validate, for a trainer that does not classify (the
    // autoencoder): measures and returns the line to report.
    std::function<std::string()> validationReport;
};

// Steps until the budget is spent. Progress every 5 seconds (and after the
// first step), a checkpoint every options.checkpointEverySeconds, a quick
// validation every options.validateEverySeconds. On cancel it saves a
// checkpoint and says how to resume; a non-finite loss stops it with advice.
Result<void> runTrainingLoop(const TrainOptions &options, const TrainingSteps &steps, const std::string &checkpointPath,
                             const ProgressFn &progress, const CancelFn &cancelled);

} // namespace cytodiff::engine
