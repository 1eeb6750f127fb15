// Training of the discriminative baseline: same data, same class-balanced
// sampling, same augmentation and the same kind of budget as the diffusion
// model; cross-entropy with label smoothing, AdamW, warm-up + cosine decay.
// Checkpoints as the diffusion trainer does, so a budget longer than one
// session is spent by resuming.
#include <torch/torch.h>

#include "augment.h"
#include "baselinenet.h"
#include "container.h"
#include "modelio.h"
#include "trainingloop.h"

#include <chrono>
#include <sstream>

namespace cytodiff::engine {
namespace {

using Clock = std::chrono::steady_clock;

std::pair<double, double> baselineAccuracy(ResNetClassifier &net, const TrainingData &data, const torch::Tensor &pixels,
                                           const std::vector<std::int64_t> &cells, const torch::Device &device)
{
    c10::InferenceMode inference;
    net->eval();
    const int classes = int(data.classNames.size());
    std::vector<int> correct(classes, 0), total(classes, 0);
    for (std::size_t start = 0; start < cells.size(); start += 64) {
        std::vector<std::int64_t> batch(cells.begin() + start, cells.begin() + std::min(cells.size(), start + 64));
        auto predicted = net->forward(loadBatch(pixels, batch).to(device)).argmax(1).to(torch::kCPU); // [B]
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const int truth = data.labels[batch[i]];
            ++total[truth];
            correct[truth] += predicted[i].item<int64_t>() == truth;
        }
    }
    net->train();
    return accuracyFromCounts(correct, total);
}

// Another key than the diffusion trainer's: a diffusion checkpoint of the
// same widths must not resume into the baseline.
std::string baselineConfigKey(const NetworkConfig &config, const TrainingData &data)
{
    return "baseline " + config.describe() + " classes " + std::to_string(config.numClasses) + " data "
           + data.contentHash();
}

} // namespace

Result<TrainReport> trainBaseline(const TrainingData &data, const TrainOptions &options, const ProgressFn &progress,
                                  const CancelFn &cancelled)
{
    auto request = checkTrainingRequest(data, options);
    if (!request)
        return makeError(request.error());
    auto device = parseDevice(options.device);
    if (!device)
        return makeError(device.error());
    try {
        NetworkConfig config = options.network;
        config.resolution = data.resolution;
        config.numClasses = int(data.classNames.size());
        torch::manual_seed(options.seed);
        ResNetClassifier net(config);
        net->to(*device);
        torch::optim::AdamW optimizer(net->parameters(),
                                      torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
        auto generator = at::detail::createCPUGenerator(options.seed);
        BalancedSampler sampler;
        auto ready = sampler.init(data);
        if (!ready)
            return makeError(ready.error());
        const auto pixels = pixelTensor(data);

        const std::string configKey = baselineConfigKey(config, data);
        const std::string checkpointPath =
            options.checkpointPath.empty() ? options.outPath + ".ckpt" : options.checkpointPath;
        const CheckpointParts parts{{{"model", net.ptr().get()}}, &optimizer, &generator};
        std::int64_t step = 0;
        double elapsedBefore = 0;
        std::int64_t optimiserRestartedAt = -1; // CheckpointPosition::optimiserRestartedAt
        if (!options.resumePath.empty()) {
            auto position = loadCheckpoint(options.resumePath, configKey, parts, *device);
            if (!position)
                return makeError(position.error());
            step = position->step;
            elapsedBefore = position->elapsedSeconds;
            optimiserRestartedAt = position->optimiserRestartedAt;
        }
        const auto started = Clock::now();
        TrainingSteps steps;
        steps.elapsed = [&] { return elapsedBefore + std::chrono::duration<double>(Clock::now() - started).count(); };
        steps.stepsDone = [&] { return step; };
        steps.learningRate = [&] {
            return scheduledLearningRate(options, step, budgetFraction(options, step, steps.elapsed()),
                                         optimiserRestartedAt);
        };
        steps.checkpoint = [&] {
            return saveCheckpoint(checkpointPath, configKey, options,
                                  checkpointAt(step, steps.elapsed(), optimiserRestartedAt), parts);
        };
        steps.validate = [&] { return baselineAccuracy(net, data, pixels, sampler.validation(), *device); };
        steps.validationCells = std::to_string(sampler.validation().size()) + " cells";
        std::vector<std::int64_t> indices, labels;
        steps.step = [&] {
            sampler.draw(options.batchSize, generator, indices, labels);
            auto x = loadBatch(pixels, indices); // [B,3,R,R]
            if (options.augment)
                x = augmentBatch(x, generator);
            const double lr = steps.learningRate();
            for (auto &group : optimizer.param_groups())
                static_cast<torch::optim::AdamWOptions &>(group.options()).lr(lr);
            optimizer.zero_grad();
            auto logits = net->forward(x.to(*device)); // [B,K]
            auto loss = torch::nn::functional::cross_entropy(
                logits, torch::tensor(labels).to(*device),
                torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(0.1));
            loss.backward();
            torch::nn::utils::clip_grad_norm_(net->parameters(), options.gradClip);
            optimizer.step();
            ++step;
            return loss.item<double>();
        };
        net->train();
        auto trained = runTrainingLoop(options, steps, checkpointPath, progress, cancelled);
        if (!trained)
            return makeError(trained.error());

        TrainReport report;
        report.steps = step;
        report.seconds = steps.elapsed();
        const auto [accuracy, balanced] = baselineAccuracy(net, data, pixels, sampler.validation(), *device);
        report.validationAccuracy = accuracy;
        report.validationBalancedAccuracy = balanced;
        ModelCard &card = report.card;
        card.kind = "baseline";
        card.classNames = data.classNames;
        card.cropSize = data.cropSize;
        card.network = config;
        card.dataHash = data.contentHash();
        card.trainCommand = options.trainCommand;
        card.createdAt = isoTimestamp();
        card.trainSteps = step;
        card.trainSeconds = report.seconds;
        card.learningRate = options.learningRate;
        card.batchSize = options.batchSize;
        std::ostringstream metrics;
        metrics << "validation accuracy " << accuracy << ", balanced " << balanced << " on "
                << sampler.validation().size() << " validation cells";
        card.metrics = metrics.str();

        net->eval();
        net->to(torch::kCPU);
        Container container;
        container.kind = "model";
        container.metadata = card.toMetadata();
        container.payload = serializeModule(*net);
        auto written = writeContainer(options.outPath, container);
        if (!written)
            return makeError(written.error());
        card.sha256 = container.sha256;
        card.fileName = options.outPath;
        return report;
    } catch (const std::exception &e) {
        return makeError(std::string("Baseline training failed: ") + std::string(e.what()).substr(0, 300));
    }
}

} // namespace cytodiff::engine
