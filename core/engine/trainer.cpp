#include <torch/torch.h>

#include "trainer.h"

#include "augment.h"
#include "classifier.h"
#include "modelio.h"
#include "trainingloop.h"

#include <chrono>
#include <cmath>
#include <sstream>

namespace cytodiff::engine {
namespace {

using Clock = std::chrono::steady_clock;

struct Trainer {
    const TrainingData &data;
    const TrainOptions &options;
    torch::Device device{torch::kCPU};
    NoiseSchedule schedule;
    UNet network{nullptr}, ema{nullptr};
    std::unique_ptr<torch::optim::AdamW> optimizer;
    at::Generator generator;
    torch::Tensor pixels; // [N,3,R,R] uint8
    BalancedSampler sampler;
    std::int64_t step = 0;
    double elapsedBefore = 0; // seconds trained before a resume
    Clock::time_point started = Clock::now();

    Trainer(const TrainingData &d, const TrainOptions &o) : data(d), options(o) {}

    double elapsed() const
    {
        return elapsedBefore + std::chrono::duration<double>(Clock::now() - started).count();
    }

    double learningRate() const
    {
        return scheduledLearningRate(options, step, budgetFraction(options, step, elapsed()));
    }

    Result<void> setUp()
    {
        auto parsed = parseDevice(options.device);
        if (!parsed)
            return makeError(parsed.error());
        device = *parsed;
        if (!NoiseSchedule::fromName(options.schedule, schedule))
            return makeError("Unknown noise schedule '" + options.schedule + "'.");
        NetworkConfig config = options.network;
        config.resolution = data.resolution;
        config.numClasses = int(data.classNames.size());
        torch::manual_seed(options.seed); // weight initialisation
        network = UNet(config);
        ema = UNet(config);
        copyWeights(*network, *ema);
        network->to(device);
        ema->to(device);
        ema->eval();
        optimizer = std::make_unique<torch::optim::AdamW>(
            network->parameters(), torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
        generator = at::detail::createCPUGenerator(options.seed);

        pixels = pixelTensor(data);
        auto sampled = sampler.init(data);
        if (!sampled)
            return sampled;
        if (!options.resumePath.empty())
            return resume(options.resumePath);
        return {};
    }

    static void copyWeights(torch::nn::Module &from, torch::nn::Module &to)
    {
        torch::NoGradGuard noGrad;
        auto source = from.parameters();
        auto target = to.parameters();
        for (std::size_t i = 0; i < source.size(); ++i)
            target[i].copy_(source[i]);
    }

    torch::Tensor batchImages(const std::vector<std::int64_t> &indices) { return loadBatch(pixels, indices); }

    double trainStep()
    {
        const int b = options.batchSize;
        const int classes = int(data.classNames.size());
        std::vector<std::int64_t> indices, labels;
        sampler.draw(b, generator, indices, labels);
        auto x0 = batchImages(indices);
        if (options.augment)
            x0 = augmentBatch(x0, generator);
        auto u = torch::rand({b}, generator);
        auto focus = torch::rand({b}, generator) < options.focusShare;
        auto t = torch::where(focus, u * options.focusTMax, u).clamp(1e-4, 1.0); // [B]
        std::vector<float> sa(b), sb(b), w(b);
        for (int i = 0; i < b; ++i) {
            const double tv = t[i].item<double>();
            const double ab = schedule.alphaBar(tv);
            sa[i] = float(std::sqrt(ab));
            sb[i] = float(std::sqrt(1.0 - ab));
            w[i] = float(schedule.minSnrWeight(tv, options.minSnrGamma));
        }
        auto noise = torch::randn(x0.sizes(), generator);                        // [B,3,R,R]
        auto zt = torch::tensor(sa).view({-1, 1, 1, 1}) * x0 + torch::tensor(sb).view({-1, 1, 1, 1}) * noise;
        auto cls = torch::tensor(labels);
        auto drop = torch::rand({b}, generator) < options.classDropout;
        cls = torch::where(drop, torch::full({b}, classes, torch::kInt64), cls); // null class

        for (auto &group : optimizer->param_groups())
            static_cast<torch::optim::AdamWOptions &>(group.options()).lr(learningRate());
        optimizer->zero_grad();
        auto predicted = network->forward(zt.to(device), t.to(device), cls.to(device)); // [B,3,R,R]
        auto perSample = (predicted - noise.to(device)).pow(2).mean({1, 2, 3});       // [B]
        auto loss = (perSample * torch::tensor(w).to(device)).mean();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(network->parameters(), options.gradClip);
        optimizer->step();

        // EMA with a short warm-up so early checkpoints are usable.
        const double decay = std::min(options.emaDecay, (1.0 + step) / (10.0 + step));
        {
            torch::NoGradGuard noGrad;
            auto source = network->parameters();
            auto target = ema->parameters();
            for (std::size_t i = 0; i < source.size(); ++i)
                target[i].mul_(decay).add_(source[i], 1.0 - decay);
        }
        ++step;
        return loss.item<double>();
    }

    std::vector<double> calibrateErrorScale(int cells)
    {
        // f(t) = mean masked error of the true class at t, on validation
        // cells: dividing by it gives every t the same weight on average.
        c10::InferenceMode inference;
        constexpr int kGrid = 21;
        const int r = data.resolution;
        auto mask = centralDiskMask(r);
        const double maskElements = 3.0 * mask.sum().item<double>();
        auto gen = at::detail::createCPUGenerator(options.seed + 17);
        std::vector<double> scale(kGrid, 0.0);
        const int n = std::min<int>(cells, int(sampler.validation().size()));
        if (n == 0)
            return {};
        std::vector<std::int64_t> indices(sampler.validation().begin(), sampler.validation().begin() + n);
        auto x0 = batchImages(indices); // [n,3,R,R]
        std::vector<std::int64_t> labels;
        for (auto i : indices)
            labels.push_back(data.labels[i]);
        auto cls = torch::tensor(labels);
        for (int g = 0; g < kGrid; ++g) {
            const double t = std::clamp(double(g) / (kGrid - 1), 0.005, 0.995);
            const double ab = schedule.alphaBar(t);
            auto noise = torch::randn(x0.sizes(), gen);
            auto zt = std::sqrt(ab) * x0 + std::sqrt(1.0 - ab) * noise;
            auto out = ema->forward(zt.to(device), torch::full({n}, float(t)).to(device), cls.to(device)).to(torch::kCPU);
            scale[g] = ((out - noise).pow(2) * mask).sum().item<double>() / (maskElements * n);
        }
        return scale;
    }

    // Accuracy and balanced accuracy of the EMA network on validation cells.
    std::pair<double, double> validate(int cells, const std::vector<double> &errorScale, int trialsMax)
    {
        c10::InferenceMode inference;
        ModelCard card;
        card.errorScale = errorScale;
        auto eps = makeEpsFn(ema, schedule, "eps", device);
        ClassifyOptions classify;
        classify.trialsMax = trialsMax;
        classify.seed = options.seed;
        classify = classify.resolved();
        ErrorScaleFn scale = [&](double t) {
            if (errorScale.empty())
                return paperErrorScale(t);
            const int n = int(errorScale.size());
            const double p = std::clamp(t, 0.0, 1.0) * (n - 1);
            const int i = std::min(int(p), n - 2);
            return std::max(1e-8, errorScale[i] * (1 - (p - i)) + errorScale[i + 1] * (p - i));
        };
        const int n = std::min<int>(cells, int(sampler.validation().size()));
        const int classes = int(data.classNames.size());
        std::vector<int> correct(classes, 0), total(classes, 0);
        for (int j = 0; j < n; ++j) {
            const auto i = sampler.validation()[j];
            auto x0 = batchImages({i})[0]; // [3,R,R]
            auto result = runClassifier(eps, schedule, x0, classes, classify, scale, {});
            ++total[data.labels[i]];
            if (result && result->predicted == data.labels[i])
                ++correct[data.labels[i]];
        }
        return accuracyFromCounts(correct, total);
    }

    std::string configKey() const
    {
        NetworkConfig config = options.network;
        config.resolution = data.resolution;
        config.numClasses = int(data.classNames.size());
        return config.describe() + " classes " + std::to_string(config.numClasses) + " data " + data.contentHash();
    }

    CheckpointParts checkpointParts()
    {
        return {{{"model", network.ptr().get()}, {"ema", ema.ptr().get()}}, optimizer.get(), &generator};
    }

    Result<void> saveCheckpoint(const std::string &path)
    {
        return engine::saveCheckpoint(path, configKey(), options, {step, elapsed()}, checkpointParts());
    }

    Result<void> resume(const std::string &path)
    {
        auto position = loadCheckpoint(path, configKey(), checkpointParts(), device);
        if (!position)
            return makeError(position.error());
        step = position->step;
        elapsedBefore = position->elapsedSeconds;
        return {};
    }
};

} // namespace

Result<TrainReport> trainDiffusion(const TrainingData &data, const TrainOptions &options, const ProgressFn &progress,
                                   const CancelFn &cancelled)
{
    auto request = checkTrainingRequest(data, options);
    if (!request)
        return makeError(request.error());
    const std::string checkpointPath = options.checkpointPath.empty() ? options.outPath + ".ckpt" : options.checkpointPath;

    try {
        Trainer trainer(data, options);
        auto ready = trainer.setUp();
        if (!ready)
            return makeError(ready.error());
        trainer.network->train();

        TrainingSteps steps;
        steps.step = [&] { return trainer.trainStep(); };
        steps.stepsDone = [&] { return trainer.step; };
        steps.elapsed = [&] { return trainer.elapsed(); };
        steps.learningRate = [&] { return trainer.learningRate(); };
        steps.checkpoint = [&] { return trainer.saveCheckpoint(checkpointPath); };
        if (options.validationCells > 0)
            steps.validate = [&] { return trainer.validate(options.validationCells, {}, 16); };
        steps.validationCells = std::to_string(options.validationCells) + " cells, 16 trials";
        auto trained = runTrainingLoop(options, steps, checkpointPath, progress, cancelled);
        if (!trained)
            return makeError(trained.error());

        TrainReport report;
        report.steps = trainer.step;
        report.seconds = trainer.elapsed();
        ModelCard &card = report.card;
        card.kind = "diffusion";
        card.classNames = data.classNames;
        card.cropSize = data.cropSize;
        card.network = trainer.network->config;
        card.schedule = options.schedule;
        card.prediction = "eps";
        card.errorScale = trainer.calibrateErrorScale(64);
        card.dataHash = data.contentHash();
        card.trainCommand = options.trainCommand;
        card.createdAt = isoTimestamp();
        card.trainSteps = trainer.step;
        card.trainSeconds = report.seconds;
        card.learningRate = options.learningRate;
        card.batchSize = options.batchSize;
        if (options.finalValidationCells > 0) {
            const auto [accuracy, balanced] = trainer.validate(options.finalValidationCells, card.errorScale, -1);
            report.validationAccuracy = accuracy;
            report.validationBalancedAccuracy = balanced;
            std::ostringstream metrics;
            metrics << "validation accuracy " << accuracy << ", balanced " << balanced << " on "
                    << std::min<std::size_t>(options.finalValidationCells, trainer.sampler.validation().size())
                    << " validation cells (fast protocol)";
            card.metrics = metrics.str();
        }
        auto written = saveDiffusionModel(options.outPath, card, trainer.ema);
        if (!written)
            return makeError(written.error());
        return report;
    } catch (const std::exception &e) {
        return makeError(std::string("Training failed: ") + std::string(e.what()).substr(0, 300));
    }
}

} // namespace cytodiff::engine
