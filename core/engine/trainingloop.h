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
// A run resumed from a compact checkpoint restarts its optimiser's moments
// at step restartedAt: the rate warms up again over warmupSteps from there
// (fresh Adam moments make the first steps as large as a new run's).
double scheduledLearningRate(const TrainOptions &options, std::int64_t step, double fraction,
                             std::int64_t restartedAt = -1);
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
    // Where the optimiser's moments last started afresh, i.e. where
    // scheduledLearningRate's warm-up starts again (-1: never since step 0).
    // A compact checkpoint resumes at its own step; a full checkpoint keeps
    // the value it was written with, so a run stopped during the re-warm-up
    // resumes inside it instead of at the full rate with young moments.
    std::int64_t optimiserRestartedAt = -1;
    // The runs before this one (a run started with --init), so that a
    // resume without the earlier model file still writes the whole history
    // into the card. Zero steps: none recorded.
    std::int64_t priorSteps = 0;
    double priorSeconds = 0;
    std::string priorCommand;
};
inline CheckpointPosition checkpointAt(std::int64_t step, double elapsedSeconds, std::int64_t optimiserRestartedAt)
{
    CheckpointPosition position;
    position.step = step;
    position.elapsedSeconds = elapsedSeconds;
    position.optimiserRestartedAt = optimiserRestartedAt;
    return position;
}
// configKey names the network and the data; a checkpoint is only resumed
// into the same key, so another network or pack gets a clear message. The
// learning rate and batch size are recorded but not enforced: a long run
// may be resumed with a lower rate on purpose (models/README.md).
//
// With options.compactCheckpointPath set, each checkpoint also writes a
// compact one there: the first module's weights in float16, the generator
// and the position, without the optimiser's moments (a third of the size of
// a float32 checkpoint's weights alone). It is what a session commits to go
// on with a run on a machine that keeps no files. Resumed, every module
// takes those weights (the trainers' other module is the network's EMA),
// the optimiser starts afresh and the schedule goes on from the position.
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
