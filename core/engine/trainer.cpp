#include <torch/torch.h>

#include "trainer.h"

#include "classifier.h"
#include "container.h"
#include "modelio.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <numbers>
#include <sstream>

namespace cytodiff::engine {
namespace {

using Clock = std::chrono::steady_clock;

std::string nowIso()
{
    std::time_t now = std::time(nullptr);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buffer;
}

// Morphology-preserving augmentation of a batch in [-1, 1]: any rotation,
// flips, +-10% scale, small shifts, and mild colour/stain jitter so the model
// does not learn one laboratory's stain. x: [B,3,R,R].
torch::Tensor augmentBatch(const torch::Tensor &x, at::Generator &gen)
{
    const auto b = x.size(0);
    auto u = [&](double lo, double hi) { return torch::rand({b}, gen) * (hi - lo) + lo; }; // [B]
    auto angle = u(0.0, 2.0 * std::numbers::pi);
    auto scale = u(0.9, 1.1);
    auto flip = torch::where(torch::rand({b}, gen) < 0.5, torch::ones({b}), -torch::ones({b}));
    auto tx = u(-0.03, 0.03), ty = u(-0.03, 0.03);
    auto cosA = angle.cos() * scale, sinA = angle.sin() * scale;
    auto theta = torch::stack({torch::stack({flip * cosA, -sinA, tx}, 1),
                               torch::stack({flip * sinA, cosA, ty}, 1)}, 1); // [B,2,3]
    auto grid = torch::nn::functional::affine_grid(theta, {b, 3, x.size(2), x.size(3)}, false);
    auto y = torch::nn::functional::grid_sample(
        x, grid, torch::nn::functional::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(false));

    auto view = [](const torch::Tensor &v) { return v.view({-1, 1, 1, 1}); };
    auto gray = y.mean(1, true);                                           // [B,1,R,R]
    y = gray + view(u(0.85, 1.15)) * (y - gray);                           // saturation
    auto mean = y.mean({1, 2, 3}, true);                                   // [B,1,1,1]
    y = mean + view(u(0.85, 1.15)) * (y - mean);                           // contrast
    y = y + view(u(-0.08, 0.08));                                          // brightness
    y = y * (1 + (torch::rand({b, 3, 1, 1}, gen) - 0.5) * 0.1);           // stain balance
    return y.clamp(-1.0, 1.0);
}

struct Trainer {
    const TrainingData &data;
    const TrainOptions &options;
    torch::Device device{torch::kCPU};
    NoiseSchedule schedule;
    UNet network{nullptr}, ema{nullptr};
    std::unique_ptr<torch::optim::AdamW> optimizer;
    at::Generator generator;
    torch::Tensor pixels; // [N,3,R,R] uint8
    std::vector<std::vector<std::int64_t>> trainByClass;
    std::vector<std::int64_t> validation; // balanced order over classes
    std::int64_t step = 0;
    double elapsedBefore = 0; // seconds trained before a resume
    Clock::time_point started = Clock::now();

    Trainer(const TrainingData &d, const TrainOptions &o) : data(d), options(o) {}

    double elapsed() const
    {
        return elapsedBefore + std::chrono::duration<double>(Clock::now() - started).count();
    }

    double fractionDone() const
    {
        double f = 0.0;
        if (options.steps > 0)
            f = std::max(f, double(step) / options.steps);
        if (options.minutes > 0)
            f = std::max(f, elapsed() / (options.minutes * 60.0));
        return std::min(f, 1.0);
    }

    bool finished() const { return fractionDone() >= 1.0; }

    double learningRate() const
    {
        // Linear warm-up, then cosine decay to 10% over the budget.
        if (step < options.warmupSteps)
            return options.learningRate * double(step + 1) / options.warmupSteps;
        return options.learningRate * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(std::numbers::pi * fractionDone())));
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

        const auto n = std::int64_t(data.size());
        pixels = torch::from_blob(const_cast<std::uint8_t *>(data.pixels.data()),
                                  {n, 3, data.resolution, data.resolution}, torch::kUInt8);
        trainByClass.assign(data.classNames.size(), {});
        std::vector<std::vector<std::int64_t>> validationByClass(data.classNames.size());
        for (std::int64_t i = 0; i < n; ++i) {
            if (data.splits[i] == Split::Train)
                trainByClass[data.labels[i]].push_back(i);
            else if (data.splits[i] == Split::Validation)
                validationByClass[data.labels[i]].push_back(i);
        }
        for (std::size_t c = 0; c < trainByClass.size(); ++c)
            if (trainByClass[c].empty())
                return makeError("Class '" + data.classNames[c] + "' has no training images.");
        for (std::size_t round = 0; ; ++round) {
            bool any = false;
            for (auto &cls : validationByClass)
                if (round < cls.size()) {
                    validation.push_back(cls[round]);
                    any = true;
                }
            if (!any)
                break;
        }
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

    torch::Tensor batchImages(const std::vector<std::int64_t> &indices)
    {
        auto idx = torch::tensor(indices);
        return pixels.index_select(0, idx).to(torch::kFloat32) / 127.5 - 1.0; // [B,3,R,R]
    }

    double trainStep()
    {
        const int b = options.batchSize;
        const int classes = int(trainByClass.size());
        // Class-balanced sampling: a uniform class, then a uniform cell of it.
        auto classDraw = torch::randint(0, classes, {b}, generator, torch::kInt64);
        auto cellDraw = torch::rand({b}, generator);
        std::vector<std::int64_t> indices(b), labels(b);
        for (int i = 0; i < b; ++i) {
            const auto c = classDraw[i].item<std::int64_t>();
            const auto &pool = trainByClass[c];
            indices[i] = pool[std::min<std::size_t>(pool.size() - 1, std::size_t(cellDraw[i].item<double>() * pool.size()))];
            labels[i] = c;
        }
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
        const int n = std::min<int>(cells, int(validation.size()));
        if (n == 0)
            return {};
        std::vector<std::int64_t> indices(validation.begin(), validation.begin() + n);
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
        const int n = std::min<int>(cells, int(validation.size()));
        const int classes = int(data.classNames.size());
        std::vector<int> correct(classes, 0), total(classes, 0);
        for (int j = 0; j < n; ++j) {
            const auto i = validation[j];
            auto x0 = batchImages({i})[0]; // [3,R,R]
            auto result = runClassifier(eps, schedule, x0, classes, classify, scale, {});
            ++total[data.labels[i]];
            if (result && result->predicted == data.labels[i])
                ++correct[data.labels[i]];
        }
        int allCorrect = 0, allTotal = 0, seen = 0;
        double recall = 0;
        for (int c = 0; c < classes; ++c) {
            allCorrect += correct[c];
            allTotal += total[c];
            if (total[c] > 0) {
                recall += double(correct[c]) / total[c];
                ++seen;
            }
        }
        return {allTotal ? double(allCorrect) / allTotal : -1.0, seen ? recall / seen : -1.0};
    }

    std::string configKey() const
    {
        NetworkConfig config = options.network;
        config.resolution = data.resolution;
        config.numClasses = int(data.classNames.size());
        return config.describe() + " classes " + std::to_string(config.numClasses) + " data " + data.contentHash();
    }

    Result<void> saveCheckpoint(const std::string &path)
    {
        Container container;
        container.kind = "checkpoint";
        container.metadata["config"] = configKey();
        container.metadata["step"] = std::to_string(step);
        container.metadata["elapsed"] = std::to_string(elapsed());
        try {
            torch::serialize::OutputArchive archive, model, emaArchive, optim;
            network->save(model);
            ema->save(emaArchive);
            optimizer->save(optim);
            archive.write("model", model);
            archive.write("ema", emaArchive);
            archive.write("optim", optim);
            archive.write("generator", generator.get_state());
            std::ostringstream out;
            archive.save_to(out);
            container.payload = out.str();
        } catch (const std::exception &e) {
            return makeError(std::string("Writing the checkpoint failed: ") + e.what());
        }
        return writeContainer(path, container);
    }

    Result<void> resume(const std::string &path)
    {
        auto container = readContainer(path, "checkpoint");
        if (!container)
            return makeError(container.error());
        if (container->metadata["config"] != configKey()) {
            return makeError("The checkpoint '" + path + "' was made for another network or other data ("
                             + container->metadata["config"].substr(0, 80) + "...); start without --resume.");
        }
        try {
            torch::serialize::InputArchive archive, model, emaArchive, optim;
            archive.load_from(container->payload.data(), container->payload.size(), device);
            archive.read("model", model);
            archive.read("ema", emaArchive);
            archive.read("optim", optim);
            network->load(model);
            ema->load(emaArchive);
            optimizer->load(optim);
            torch::Tensor state;
            archive.read("generator", state);
            generator.set_state(state);
            step = std::stoll(container->metadata["step"]);
            elapsedBefore = std::stod(container->metadata["elapsed"]);
        } catch (const std::exception &e) {
            return makeError("The checkpoint '" + path + "' is damaged: " + std::string(e.what()).substr(0, 200));
        }
        return {};
    }
};

} // namespace

Result<TrainReport> trainDiffusion(const TrainingData &data, const TrainOptions &options, const ProgressFn &progress,
                                   const CancelFn &cancelled)
{
    auto valid = data.validate();
    if (!valid)
        return makeError(valid.error());
    if (options.minutes <= 0 && options.steps <= 0)
        return makeError("Give a training budget: --minutes N or --steps N.");
    if (options.outPath.empty())
        return makeError("Give an output model path (--out).");
    const std::string checkpointPath = options.checkpointPath.empty() ? options.outPath + ".ckpt" : options.checkpointPath;

    try {
        Trainer trainer(data, options);
        auto ready = trainer.setUp();
        if (!ready)
            return makeError(ready.error());
        trainer.network->train();

        double runningLoss = 0;
        int lossCount = 0;
        double lastReport = trainer.elapsed(), lastCheckpoint = trainer.elapsed(), lastValidation = trainer.elapsed();
        while (!trainer.finished()) {
            if (cancelled && cancelled()) {
                auto saved = trainer.saveCheckpoint(checkpointPath);
                return makeError("Training cancelled at step " + std::to_string(trainer.step) + "; "
                                 + (saved ? "resume with --resume " + checkpointPath : saved.error()));
            }
            const double loss = trainer.trainStep();
            if (!std::isfinite(loss))
                return makeError("Training diverged (loss is not finite) at step " + std::to_string(trainer.step)
                                 + "; lower the learning rate.");
            runningLoss += loss;
            ++lossCount;
            const double now = trainer.elapsed();
            if (progress && (now - lastReport >= 5.0 || trainer.step == 1)) {
                TrainProgress p;
                p.step = trainer.step;
                p.totalSteps = options.minutes > 0 ? -1 : options.steps;
                p.elapsedSeconds = now;
                const double f = trainer.fractionDone();
                p.etaSeconds = f > 0 ? now * (1 - f) / f : -1;
                p.loss = runningLoss / lossCount;
                p.learningRate = trainer.learningRate();
                progress(p);
                runningLoss = 0;
                lossCount = 0;
                lastReport = now;
            }
            if (now - lastCheckpoint >= options.checkpointEverySeconds) {
                auto saved = trainer.saveCheckpoint(checkpointPath);
                if (!saved)
                    return makeError(saved.error());
                lastCheckpoint = now;
            }
            if (options.validateEverySeconds > 0 && now - lastValidation >= options.validateEverySeconds
                && options.validationCells > 0) {
                const auto [accuracy, balanced] = trainer.validate(options.validationCells, {}, 16);
                TrainProgress p;
                p.step = trainer.step;
                p.elapsedSeconds = trainer.elapsed();
                p.validationAccuracy = accuracy;
                p.message = "validation accuracy " + std::to_string(accuracy) + " (balanced "
                            + std::to_string(balanced) + ") on " + std::to_string(options.validationCells)
                            + " cells, 16 trials";
                if (progress)
                    progress(p);
                lastValidation = trainer.elapsed();
            }
        }
        auto saved = trainer.saveCheckpoint(checkpointPath);
        if (!saved)
            return makeError(saved.error());

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
        card.createdAt = nowIso();
        card.trainSteps = trainer.step;
        card.trainSeconds = report.seconds;
        if (options.finalValidationCells > 0) {
            const auto [accuracy, balanced] = trainer.validate(options.finalValidationCells, card.errorScale, -1);
            report.validationAccuracy = accuracy;
            report.validationBalancedAccuracy = balanced;
            std::ostringstream metrics;
            metrics << "validation accuracy " << accuracy << ", balanced " << balanced << " on "
                    << std::min<std::size_t>(options.finalValidationCells, trainer.validation.size())
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
