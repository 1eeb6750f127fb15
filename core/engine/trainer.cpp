#include <torch/torch.h>

#include "trainer.h"

#include "augment.h"
#include "classifier.h"
#include "latentcache.h"
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
    // Latent runs (options.autoencoderPath): the autoencoder, its card and
    // the training cells' latents; the network then denoises latents.
    LoadedAutoencoder autoencoder;
    LatentCache latents;
    // Runs from a latent pack: its latents until adopted by `latents`
    // (then empty), and its header; data is then the pack's cell list.
    StoredLatents *stored = nullptr;
    BalancedSampler sampler;
    std::int64_t step = 0;
    double elapsedBefore = 0; // seconds trained before a resume
    std::int64_t optimiserRestartedAt = -1; // CheckpointPosition::optimiserRestartedAt
    // The history of the model a run started from (TrainOptions::initPath).
    std::int64_t priorSteps = 0;
    double priorSeconds = 0;
    std::string priorCommand;
    Clock::time_point started = Clock::now();

    Trainer(const TrainingData &d, const TrainOptions &o) : data(d), options(o) {}

    double elapsed() const
    {
        return elapsedBefore + std::chrono::duration<double>(Clock::now() - started).count();
    }

    double learningRate() const
    {
        return scheduledLearningRate(options, step, budgetFraction(options, step, elapsed()), optimiserRestartedAt);
    }

    bool latent() const { return !options.autoencoderPath.empty(); }

    // The pixels the model learnt: a latent pack names its pixel pack's.
    std::string dataHash() const { return stored ? stored->header.dataHash : data.contentHash(); }

    Result<void> setUp(const ProgressFn &progress, const CancelFn &cancelled)
    {
        auto parsed = parseDevice(options.device);
        if (!parsed)
            return makeError(parsed.error());
        device = *parsed;
        if (!NoiseSchedule::fromName(options.schedule, schedule))
            return makeError("Unknown noise schedule '" + options.schedule + "'.");
        if (!stored)
            pixels = pixelTensor(data);
        auto sampled = sampler.init(data);
        if (!sampled)
            return sampled;
        if (latent()) {
            auto loaded = loadLatentSpace(progress, cancelled);
            if (!loaded)
                return loaded;
        }
        const NetworkConfig config = networkConfig();
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
        // With both, the run that started from the model is resumed: the
        // weights come from the checkpoint, the history from the model's card.
        if (!options.initPath.empty())
            if (auto started = startFrom(options.initPath); !started)
                return started;
        if (!options.resumePath.empty())
            return resume(options.resumePath);
        return {};
    }

    Result<void> startFrom(const std::string &path)
    {
        auto loaded = loadDenoiser(path);
        if (!loaded)
            return makeError(loaded.error());
        const ModelCard &card = loaded->card;
        NetworkConfig config = networkConfig();
        if (card.network.describe() != config.describe() || card.network.inChannels != config.inChannels)
            return makeError("'" + path + "' holds another network (" + card.network.describe() + ") than this run trains ("
                             + config.describe() + "); pass the same --base-channels, --channel-mults and --res-blocks.");
        if (card.classNames != data.classNames)
            return makeError("'" + path + "' was trained on other classes than this data has.");
        if (card.isLatent() != latent()
            || (latent() && card.latent.autoencoder.sha256 != autoencoder.card.sha256))
            return makeError("'" + path + "' was trained on another latent space (autoencoder) than this run.");
        loaded->network->to(device);
        copyWeights(*loaded->network, *network);
        copyWeights(*loaded->network, *ema);
        // The card of the continued run counts the whole history.
        priorSteps = card.trainSteps;
        priorSeconds = card.trainSeconds;
        priorCommand = card.trainCommand;
        return {};
    }

    // What the network is: the data's resolution and classes; for a latent
    // run the latent's channels (resolution stays the pixel input's, as in
    // the card: the UNet itself is fully convolutional).
    NetworkConfig networkConfig() const
    {
        NetworkConfig config = options.network;
        config.resolution = data.resolution;
        config.numClasses = int(data.classNames.size());
        config.inChannels = latent() ? autoencoder.card.config.latentChannels : 3;
        return config;
    }

    Result<void> loadLatentSpace(const ProgressFn &progress, const CancelFn &cancelled)
    {
        auto loaded = loadAutoencoder(options.autoencoderPath, options.device);
        if (!loaded)
            return makeError(loaded.error());
        autoencoder = std::move(*loaded);
        auto fits = checkAutoencoderFits(autoencoder.card, options.autoencoderPath, data.resolution, data.cropSize);
        if (!fits)
            return fits;
        if (stored) {
            // Latents of another autoencoder would train a UNet that the
            // model file's autoencoder cannot decode or encode for.
            const auto &packed = stored->header.autoencoderSha256;
            if (packed != autoencoder.card.sha256)
                return makeError("The latent pack was encoded by the autoencoder with SHA-256 " + packed.substr(0, 16)
                                 + "..., but '" + options.autoencoderPath + "' is " + autoencoder.card.sha256.substr(0, 16)
                                 + "...: pass that autoencoder, or encode the pack again with this one "
                                   "(cytodiff-engine encode-pack --autoencoder " + options.autoencoderPath + ").");
            return latents.adopt(*stored, options.augment);
        }
        LatentCodec codec(autoencoder.network, 1.0, device); // unscaled: the cache measures the scale
        const auto started = Clock::now();
        auto report = [&](std::int64_t done, std::int64_t total) {
            if (!progress || (done < total && done % 1024 >= 32))
                return; // a line per ~1000 cells is enough
            TrainProgress p;
            const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
            p.elapsedSeconds = seconds;
            p.message = "encoding training cells " + std::to_string(done) + "/" + std::to_string(total) + " ("
                        + std::to_string(int(seconds)) + " s)";
            progress(p);
        };
        const int variants = options.augment ? options.latentVariants : 1;
        auto built = latents.build(data, codec, variants, options.augment, options.seed, report, cancelled);
        return built;
    }

    static void copyWeights(torch::nn::Module &from, torch::nn::Module &to)
    {
        torch::NoGradGuard noGrad;
        auto source = from.parameters();
        auto target = to.parameters();
        for (std::size_t i = 0; i < source.size(); ++i)
            target[i].copy_(source[i]);
    }

    // Validation cells as the network sees them: pixels [B,3,R,R] in
    // [-1, 1], or scaled latents [B,L,r,r].
    torch::Tensor cleanBatch(const std::vector<std::int64_t> &indices)
    {
        return latent() ? latents.validationBatch(indices) : loadBatch(pixels, indices);
    }

    // Training cells, augmented: free rotations, flips and colour jitter on
    // pixels; one of the pre-encoded dihedral variants of a latent.
    torch::Tensor trainingBatch(const std::vector<std::int64_t> &indices)
    {
        if (latent())
            return latents.trainingBatch(indices, generator); // [B,L,r,r]
        auto x0 = loadBatch(pixels, indices);                 // [B,3,R,R]
        return options.augment ? augmentBatch(x0, generator) : x0;
    }

    double trainStep()
    {
        const int b = options.batchSize;
        const int classes = int(data.classNames.size());
        std::vector<std::int64_t> indices, labels;
        sampler.draw(b, generator, indices, labels);
        auto x0 = trainingBatch(indices); // [B,C,R,R]
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
        auto noise = torch::randn(x0.sizes(), generator);                        // [B,C,R,R]
        auto zt = torch::tensor(sa).view({-1, 1, 1, 1}) * x0 + torch::tensor(sb).view({-1, 1, 1, 1}) * noise;
        auto cls = torch::tensor(labels);
        auto drop = torch::rand({b}, generator) < options.classDropout;
        cls = torch::where(drop, torch::full({b}, classes, torch::kInt64), cls); // null class

        for (auto &group : optimizer->param_groups())
            static_cast<torch::optim::AdamWOptions &>(group.options()).lr(learningRate());
        optimizer->zero_grad();
        auto predicted = network->forward(zt.to(device), t.to(device), cls.to(device)); // [B,C,R,R]
        auto perSample = (predicted - noise.to(device)).pow(2).mean({1, 2, 3});       // [B]
        auto loss = (perSample * torch::tensor(w).to(device)).mean();
        if (options.discriminativeWeight > 0.0)
            loss = loss + options.discriminativeWeight * discriminativeLoss(x0, labels, classes);
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

    // Cross-entropy of the classifier's decision rule on the first cells of
    // the batch: one t in the classifier's range and one noise per cell,
    // shared by every class (the paired comparison of the fast protocol).
    torch::Tensor discriminativeLoss(const torch::Tensor &x0, const std::vector<std::int64_t> &labels, int classes)
    {
        const int k = std::min<int>(options.discriminativeCells, int(x0.size(0)));
        auto clean = x0.slice(0, 0, k);                                            // [K,C,R,R]
        auto tCells = 0.02 + 0.48 * torch::rand({k}, generator);                    // [K]
        std::vector<float> sa(k), sb(k);
        for (int i = 0; i < k; ++i) {
            const double ab = schedule.alphaBar(tCells[i].item<double>());
            sa[i] = float(std::sqrt(ab));
            sb[i] = float(std::sqrt(1.0 - ab));
        }
        auto noise = torch::randn(clean.sizes(), generator);                        // [K,C,R,R]
        auto zt = torch::tensor(sa).view({-1, 1, 1, 1}) * clean + torch::tensor(sb).view({-1, 1, 1, 1}) * noise;
        // Every cell under every class: row i * classes + c.
        auto ztAll = zt.repeat_interleave(classes, 0);                              // [K*N,C,R,R]
        auto noiseAll = noise.repeat_interleave(classes, 0);                        // [K*N,C,R,R]
        auto tAll = tCells.repeat_interleave(classes, 0);                           // [K*N]
        auto clsAll = torch::arange(classes, torch::kInt64).repeat({k});            // [K*N]
        auto predicted = network->forward(ztAll.to(device), tAll.to(device), clsAll.to(device));
        auto mask = centralDiskMask(int(x0.size(-1))).to(device);                   // [R,R]
        auto errors = ((predicted - noiseAll.to(device)).pow(2) * mask).sum({1, 2, 3}).view({k, classes}); // [K,N]
        // Relative to the cell's mean error over classes, so one temperature
        // fits every t (the error's scale changes a hundredfold over t).
        auto relative = errors / errors.mean(1, true).detach();                     // [K,N]
        auto logits = -(relative - 1.0) / options.discriminativeTemperature;        // [K,N]
        auto target = torch::tensor(std::vector<std::int64_t>(labels.begin(), labels.begin() + k)).to(device);
        return torch::nn::functional::cross_entropy(logits, target);
    }

    std::vector<double> calibrateErrorScale(int cells)
    {
        // f(t) = mean masked error of the true class at t, on validation
        // cells: dividing by it gives every t the same weight on average.
        c10::InferenceMode inference;
        constexpr int kGrid = 21;
        auto gen = at::detail::createCPUGenerator(options.seed + 17);
        std::vector<double> scale(kGrid, 0.0);
        const int n = std::min<int>(cells, int(sampler.validation().size()));
        if (n == 0)
            return {};
        std::vector<std::int64_t> indices(sampler.validation().begin(), sampler.validation().begin() + n);
        auto x0 = cleanBatch(indices); // [n,C,R,R]
        auto mask = centralDiskMask(int(x0.size(-1)));
        const double maskElements = double(x0.size(1)) * mask.sum().item<double>();
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
            auto x0 = cleanBatch({i})[0]; // [C,R,R]
            auto result = runClassifier(eps, schedule, x0, classes, classify, scale, {});
            ++total[data.labels[i]];
            if (result && result->predicted == data.labels[i])
                ++correct[data.labels[i]];
        }
        return accuracyFromCounts(correct, total);
    }

    // Pixel runs keep the key their checkpoints always had; a latent run's
    // names the autoencoder too, since its latents are the training data.
    std::string configKey() const
    {
        const NetworkConfig config = networkConfig();
        std::string key = config.describe() + " classes " + std::to_string(config.numClasses) + " data "
                        + dataHash();
        if (latent())
            key += " autoencoder " + autoencoder.card.sha256 + " variants " + std::to_string(latents.variants());
        if (stored) // quantised latents, turned at batch time: not an in-process run's batches
            key += " latent-pack " + stored->header.sha256;
        return key;
    }

    CheckpointParts checkpointParts()
    {
        return {{{"model", network.ptr().get()}, {"ema", ema.ptr().get()}}, optimizer.get(), &generator};
    }

    Result<void> saveCheckpoint(const std::string &path)
    {
        CheckpointPosition position = checkpointAt(step, elapsed(), optimiserRestartedAt);
        position.priorSteps = priorSteps;
        position.priorSeconds = priorSeconds;
        position.priorCommand = priorCommand;
        return engine::saveCheckpoint(path, configKey(), options, position, checkpointParts());
    }

    Result<void> resume(const std::string &path)
    {
        auto position = loadCheckpoint(path, configKey(), checkpointParts(), device);
        if (!position)
            return makeError(position.error());
        step = position->step;
        elapsedBefore = position->elapsedSeconds;
        optimiserRestartedAt = position->optimiserRestartedAt;
        // Resumed without --init (its model file left on another machine):
        // the checkpoint remembers the runs before.
        if (options.initPath.empty() && position->priorSteps > 0) {
            priorSteps = position->priorSteps;
            priorSeconds = position->priorSeconds;
            priorCommand = position->priorCommand;
        }
        return {};
    }
};

// Both entry points: data holds pixels, or is a latent pack's cell list
// with stored set.
Result<TrainReport> runDiffusion(const TrainingData &data, StoredLatents *stored, const TrainOptions &options,
                                 const ProgressFn &progress, const CancelFn &cancelled)
{
    const std::string checkpointPath = options.checkpointPath.empty() ? options.outPath + ".ckpt" : options.checkpointPath;

    try {
        Trainer trainer(data, options);
        trainer.stored = stored;
        auto ready = trainer.setUp(progress, cancelled);
        if (!ready)
            return makeError(ready.error());
        // The budget is for training: encoding a latent run's cells (minutes
        // on a CPU, repeated on every resume) does not spend it.
        trainer.started = Clock::now();
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
        card.kind = trainer.latent() ? "latent-diffusion" : "diffusion";
        card.classNames = data.classNames;
        card.cropSize = data.cropSize;
        card.network = trainer.network->config;
        card.schedule = options.schedule;
        card.prediction = "eps";
        card.errorScale = trainer.calibrateErrorScale(64);
        card.dataHash = trainer.dataHash();
        card.trainCommand = trainer.priorCommand.empty() ? options.trainCommand
                                                         : trainer.priorCommand + "\nthen: " + options.trainCommand;
        card.createdAt = isoTimestamp();
        card.trainSteps = trainer.priorSteps + trainer.step;
        card.trainSeconds = trainer.priorSeconds + report.seconds;
        card.learningRate = options.learningRate;
        card.batchSize = options.batchSize;
        if (trainer.latent()) {
            card.latent.resolution = trainer.autoencoder.card.config.latentSize();
            card.latent.scale = trainer.latents.scale();
            card.latent.autoencoder = trainer.autoencoder.card;
        }
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
        auto written = trainer.latent()
                           ? saveLatentDiffusionModel(options.outPath, card, trainer.ema, trainer.autoencoder.network)
                           : saveDiffusionModel(options.outPath, card, trainer.ema);
        if (!written)
            return makeError(written.error());
        return report;
    } catch (const std::exception &e) {
        return makeError(std::string("Training failed: ") + std::string(e.what()).substr(0, 300));
    }
}

} // namespace

Result<TrainReport> trainDiffusion(const TrainingData &data, const TrainOptions &options, const ProgressFn &progress,
                                   const CancelFn &cancelled)
{
    auto request = checkTrainingRequest(data, options);
    if (!request)
        return makeError(request.error());
    return runDiffusion(data, nullptr, options, progress, cancelled);
}

Result<TrainReport> trainDiffusionFromLatentPack(const std::string &packPath, const TrainOptions &options,
                                                 const ProgressFn &progress, const CancelFn &cancelled)
{
    auto request = checkTrainingBudget(options);
    if (!request)
        return makeError(request.error());
    if (options.autoencoderPath.empty())
        return makeError("Training from the latent pack '" + packPath
                         + "' needs the autoencoder that encoded it (--autoencoder ae.pt): the model file carries it.");
    auto stored = loadLatentPack(packPath);
    if (!stored)
        return makeError(stored.error());
    const TrainingData cells = stored->header.cells;
    return runDiffusion(cells, &*stored, options, progress, cancelled);
}

} // namespace cytodiff::engine
