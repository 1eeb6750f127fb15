// Training of the latent autoencoder: class-balanced batches of training
// cells, lossless flips/rotations and colour jitter, AdamW with warm-up and
// cosine decay, loss L1 + MSE + edge + tiny KL; checkpoints through the
// shared loop (trainingloop.h), so a budget can be spent across sessions.
// After training: PSNR on validation cells and the latent scale.
#include <torch/torch.h>

#include "autoencodertrainer.h"

#include "augment.h"
#include "autoencoder.h"
#include "modelio.h"
#include "trainingloop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace cytodiff::engine {
namespace {

using Clock = std::chrono::steady_clock;

// A perfect reconstruction has infinite PSNR; cap it so means stay finite.
constexpr double kMaxPsnr = 99.0;
constexpr int kMeasureBatch = 32;
constexpr int kGridColumns = 8;
constexpr int kGridGap = 4;

// One of the 8 flips/quarter-turns per cell (dihedralVariant): no
// interpolation blur the autoencoder would learn to reproduce. x: [B, 3, R, R].
torch::Tensor dihedral(const torch::Tensor &x, at::Generator &gen)
{
    auto choice = torch::randint(0, 8, {x.size(0)}, gen, torch::kInt64); // [B]
    std::vector<torch::Tensor> cells;
    for (std::int64_t i = 0; i < x.size(0); ++i)
        cells.push_back(dihedralVariant(x[i], int(choice[i].item<std::int64_t>()))); // [3, R, R]
    return torch::stack(cells); // [B, 3, R, R]
}

torch::Tensor horizontalGradient(const torch::Tensor &x)
{
    return x.slice(3, 1) - x.slice(3, 0, -1); // [B, C, R, R-1]
}

torch::Tensor verticalGradient(const torch::Tensor &x)
{
    return x.slice(2, 1) - x.slice(2, 0, -1); // [B, C, R-1, R]
}

// [B, 3, R, R] in [-1, 1] -> the 8-bit values an image file would hold.
torch::Tensor toBytes(const torch::Tensor &x)
{
    return ((x.clamp(-1.0, 1.0) + 1.0) * 127.5).round(); // [B, 3, R, R], float
}

// Cells of one split with the classes interleaved, so any prefix is balanced.
std::vector<std::int64_t> interleavedCells(const TrainingData &data, Split split)
{
    std::vector<std::vector<std::int64_t>> byClass(data.classNames.size());
    for (std::size_t i = 0; i < data.size(); ++i)
        if (data.splits[i] == split)
            byClass[data.labels[i]].push_back(std::int64_t(i));
    std::vector<std::int64_t> cells;
    for (std::size_t round = 0;; ++round) {
        bool any = false;
        for (const auto &cls : byClass)
            if (round < cls.size()) {
                cells.push_back(cls[round]);
                any = true;
            }
        if (!any)
            return cells;
    }
}

struct ReconstructionStats {
    std::vector<double> psnr;          // per cell, in the order given
    double originalGradient = 0;       // summed mean |gradient| of the 8-bit originals
    double reconstructionGradient = 0; // the same of the reconstructions
    double latentSum = 0, latentSquares = 0;
    double latentCount = 0;
    torch::Tensor grid;                // [n, 2, 3, R, R] uint8: original, reconstruction

    double sharpness() const { return originalGradient > 0 ? reconstructionGradient / originalGradient : 0; }
    double latentMean() const { return latentCount > 0 ? latentSum / latentCount : 0; }
    double latentStd() const
    {
        if (latentCount < 2)
            return 0;
        const double mean = latentMean();
        return std::sqrt(std::max(0.0, latentSquares / latentCount - mean * mean));
    }
    double meanPsnr() const
    {
        double sum = 0;
        for (double p : psnr)
            sum += p;
        return psnr.empty() ? 0 : sum / double(psnr.size());
    }
};

// Deterministic reconstructions (the posterior mean) of the given cells.
ReconstructionStats measureReconstruction(Autoencoder &network, const torch::Tensor &pixels,
                                          const std::vector<std::int64_t> &cells, const torch::Device &device,
                                          int gridCells = 0)
{
    c10::InferenceMode inference;
    const bool wasTraining = network->is_training();
    network->eval();
    ReconstructionStats stats;
    std::vector<torch::Tensor> gridParts;
    for (std::size_t start = 0; start < cells.size(); start += kMeasureBatch) {
        const std::vector<std::int64_t> batch(cells.begin() + std::ptrdiff_t(start),
                                              cells.begin() + std::ptrdiff_t(std::min(cells.size(), start + kMeasureBatch)));
        auto x = loadBatch(pixels, batch);                                    // [B, 3, R, R]
        auto mean = network->encode(x.to(device)).mean.to(torch::kCPU, torch::kFloat64); // [B, L, r, r]
        auto y = network->decode(mean.to(device, torch::kFloat32)).to(torch::kCPU); // [B, 3, R, R]
        stats.latentSum += mean.sum().item<double>();
        stats.latentSquares += mean.pow(2).sum().item<double>();
        stats.latentCount += double(mean.numel());

        auto original = pixels.index_select(0, torch::tensor(batch)).to(torch::kFloat32); // [B, 3, R, R]
        auto reconstructed = toBytes(y);                                                   // [B, 3, R, R]
        auto mse = (reconstructed - original).pow(2).mean({1, 2, 3}).clamp_min(1e-12);      // [B]
        auto psnr = (10.0 * torch::log10(255.0 * 255.0 / mse)).clamp_max(kMaxPsnr);         // [B]
        for (std::int64_t i = 0; i < psnr.size(0); ++i)
            stats.psnr.push_back(psnr[i].item<double>());
        auto gradient = [](const torch::Tensor &t) {
            return (horizontalGradient(t).abs().mean({1, 2, 3}) + verticalGradient(t).abs().mean({1, 2, 3})).sum();
        };
        stats.originalGradient += gradient(original).item<double>();
        stats.reconstructionGradient += gradient(reconstructed).item<double>();

        const auto wanted = std::int64_t(gridCells) - std::int64_t(start);
        if (wanted > 0) {
            const auto n = std::min<std::int64_t>(wanted, original.size(0));
            gridParts.push_back(torch::stack({original.slice(0, 0, n), reconstructed.slice(0, 0, n)}, 1)
                                    .to(torch::kUInt8)); // [n, 2, 3, R, R]
        }
    }
    if (!gridParts.empty())
        stats.grid = torch::cat(gridParts);
    if (wasTraining)
        network->train();
    return stats;
}

// Binary PPM (P6): any image viewer opens it, and it needs no image library
// in the engine. Each cell is shown with its reconstruction below it.
Result<void> writeGrid(const std::string &path, const torch::Tensor &grid)
{
    const auto n = grid.size(0), r = grid.size(3);
    const std::int64_t columns = std::min<std::int64_t>(kGridColumns, n);
    const std::int64_t rows = (n + columns - 1) / columns;
    const std::int64_t width = columns * r + (columns + 1) * kGridGap;
    const std::int64_t height = rows * 2 * r + (rows + 1) * kGridGap;
    std::vector<std::uint8_t> rgb(std::size_t(width * height * 3), 255);
    auto cells = grid.permute({0, 1, 3, 4, 2}).contiguous(); // [n, 2, R, R, 3]
    const auto *source = cells.data_ptr<std::uint8_t>();
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t left = kGridGap + (i % columns) * (r + kGridGap);
        const std::int64_t top = kGridGap + (i / columns) * (2 * r + kGridGap);
        for (std::int64_t half = 0; half < 2; ++half)
            for (std::int64_t y = 0; y < r; ++y) {
                const auto *row = source + ((i * 2 + half) * r + y) * r * 3;
                std::copy(row, row + r * 3, rgb.begin() + std::ptrdiff_t(((top + half * r + y) * width + left) * 3));
            }
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return makeError("Cannot write '" + path + "': the folder does not exist or is not writable.");
    out << "P6\n" << width << ' ' << height << "\n255\n";
    out.write(reinterpret_cast<const char *>(rgb.data()), std::streamsize(rgb.size()));
    if (!out)
        return makeError("Writing '" + path + "' failed (disk full?).");
    return {};
}

std::string formatPsnr(const ReconstructionStats &stats)
{
    std::ostringstream line;
    line.setf(std::ios::fixed);
    line.precision(2);
    line << "validation PSNR " << stats.meanPsnr() << " dB, sharpness " << stats.sharpness() << " on "
         << stats.psnr.size() << " cells";
    return line.str();
}

// The budget, schedule and checkpoint settings in the shared loop's terms.
TrainOptions loopOptions(const AutoencoderTrainOptions &o)
{
    TrainOptions t;
    t.outPath = o.outPath;
    t.resumePath = o.resumePath;
    t.checkpointPath = o.checkpointPath;
    t.minutes = o.minutes;
    t.steps = o.steps;
    t.batchSize = o.batchSize;
    t.learningRate = o.learningRate;
    t.warmupSteps = o.warmupSteps;
    t.weightDecay = o.weightDecay;
    t.gradClip = o.gradClip;
    t.augment = o.augment;
    t.seed = o.seed;
    t.device = o.device;
    t.checkpointEverySeconds = o.checkpointEverySeconds;
    t.validateEverySeconds = o.validateEverySeconds;
    t.trainCommand = o.trainCommand;
    return t;
}

class AutoencoderTrainer {
public:
    AutoencoderTrainer(const TrainingData &data, const AutoencoderTrainOptions &options)
        : m_data(data), m_options(options), m_loop(loopOptions(options))
    {
    }

    Result<void> setUp()
    {
        auto device = parseDevice(m_options.device);
        if (!device)
            return makeError(device.error());
        m_device = *device;
        m_config = m_options.network;
        m_config.resolution = m_data.resolution;
        if (auto valid = m_config.check(); !valid)
            return makeError("Cannot train this autoencoder: " + valid.error() + ".");
        torch::manual_seed(m_options.seed); // weight initialisation
        m_network = Autoencoder(m_config);
        m_network->to(m_device);
        if (!m_options.initPath.empty()) {
            if (!m_options.resumePath.empty())
                return makeError("Start from a model file (--init) or resume a checkpoint (--resume), not both.");
            if (auto started = startFrom(m_options.initPath); !started)
                return started;
        }
        m_optimizer = std::make_unique<torch::optim::AdamW>(
            m_network->parameters(),
            torch::optim::AdamWOptions(m_options.learningRate).weight_decay(m_options.weightDecay));
        m_generator = at::detail::createCPUGenerator(m_options.seed);
        m_pixels = pixelTensor(m_data);
        if (auto sampled = m_sampler.init(m_data); !sampled)
            return sampled;
        if (m_sampler.validation().empty())
            return makeError("The training data has no validation cells to measure the autoencoder on.");
        m_started = Clock::now();
        if (m_options.resumePath.empty())
            return {};
        auto position = loadCheckpoint(m_options.resumePath, configKey(), checkpointParts(), m_device);
        if (!position)
            return makeError(position.error());
        m_step = position->step;
        m_elapsedBefore = position->elapsedSeconds;
        m_optimiserRestartedAt = position->optimiserRestartedAt;
        return {};
    }

    // Copies the weights of an earlier run's model file (fp16 -> fp32).
    Result<void> startFrom(const std::string &path)
    {
        auto loaded = loadAutoencoder(path, m_options.device);
        if (!loaded)
            return makeError(loaded.error());
        if (loaded->card.config.describe() != m_config.describe())
            return makeError("'" + path + "' holds another network (" + loaded->card.config.describe() +
                             ") than this run trains (" + m_config.describe() + ").");
        torch::NoGradGuard noGrad;
        const auto source = loaded->network->named_parameters();
        for (auto &target : m_network->named_parameters()) {
            const torch::Tensor *from = source.find(target.key());
            if (!from || !from->sizes().equals(target.value().sizes()))
                return makeError("'" + path + "' does not fit this network (" + target.key() + ").");
            target.value().copy_(*from);
        }
        return {};
    }

    double elapsed() const
    {
        return m_elapsedBefore + std::chrono::duration<double>(Clock::now() - m_started).count();
    }

    double learningRate() const
    {
        return scheduledLearningRate(m_loop, m_step, budgetFraction(m_loop, m_step, elapsed()), m_optimiserRestartedAt);
    }

    double trainStep()
    {
        std::vector<std::int64_t> indices, labels;
        m_sampler.draw(m_options.batchSize, m_generator, indices, labels);
        auto x = loadBatch(m_pixels, indices); // [B, 3, R, R]
        if (m_options.augment)
            x = jitterColours(dihedral(x, m_generator), m_generator);
        // Drawn before the forward pass, on the CPU generator, so the noise
        // is the same on every device and after a resume.
        const std::int64_t latent = m_config.latentSize();
        auto noise = torch::randn({x.size(0), m_config.latentChannels, latent, latent}, m_generator); // [B, L, r, r]
        x = x.to(m_device);

        for (auto &group : m_optimizer->param_groups())
            static_cast<torch::optim::AdamWOptions &>(group.options()).lr(learningRate());
        m_optimizer->zero_grad();
        const auto moments = m_network->encode(x);                                 // [B, L, r, r] each
        auto z = moments.mean + (0.5 * moments.logVariance).exp() * noise.to(m_device); // [B, L, r, r]
        auto y = m_network->decode(z);                                             // [B, 3, R, R]
        auto difference = y - x;
        auto edge = (horizontalGradient(y) - horizontalGradient(x)).abs().mean()
                    + (verticalGradient(y) - verticalGradient(x)).abs().mean();
        auto kl = 0.5 * (moments.mean.pow(2) + moments.logVariance.exp() - 1.0 - moments.logVariance).sum()
                  / double(x.numel()); // per pixel value, see AutoencoderTrainOptions::klWeight
        auto loss = difference.abs().mean() + difference.pow(2).mean() + m_options.edgeWeight * edge
                    + m_options.klWeight * kl;
        loss.backward();
        torch::nn::utils::clip_grad_norm_(m_network->parameters(), m_options.gradClip);
        m_optimizer->step();
        ++m_step;
        return loss.item<double>();
    }

    ReconstructionStats measure(int cells)
    {
        const auto &validation = m_sampler.validation();
        const std::size_t n = cells > 0 ? std::min<std::size_t>(std::size_t(cells), validation.size()) : validation.size();
        return measureReconstruction(m_network, m_pixels, {validation.begin(), validation.begin() + std::ptrdiff_t(n)},
                                     m_device);
    }

    Result<void> saveCheckpoint(const std::string &path)
    {
        return engine::saveCheckpoint(path, configKey(), m_loop, checkpointAt(m_step, elapsed(), m_optimiserRestartedAt),
                                      checkpointParts());
    }

    const TrainOptions &loop() const { return m_loop; }
    std::int64_t step() const { return m_step; }
    Autoencoder &network() { return m_network; }

private:
    // The network and the data: a checkpoint resumes only into both.
    std::string configKey() const { return "autoencoder " + m_config.describe() + " data " + m_data.contentHash(); }

    CheckpointParts checkpointParts() { return {{{"model", m_network.ptr().get()}}, m_optimizer.get(), &m_generator}; }

    const TrainingData &m_data;
    const AutoencoderTrainOptions &m_options;
    TrainOptions m_loop;
    torch::Device m_device{torch::kCPU};
    AutoencoderConfig m_config;
    Autoencoder m_network{nullptr};
    std::unique_ptr<torch::optim::AdamW> m_optimizer;
    at::Generator m_generator;
    torch::Tensor m_pixels; // [N, 3, R, R] uint8
    BalancedSampler m_sampler;
    std::int64_t m_step = 0;
    double m_elapsedBefore = 0; // seconds trained before a resume
    std::int64_t m_optimiserRestartedAt = -1; // CheckpointPosition::optimiserRestartedAt
    Clock::time_point m_started = Clock::now();
};

} // namespace

Result<AutoencoderTrainReport> trainAutoencoder(const TrainingData &data, const AutoencoderTrainOptions &options,
                                                const ProgressFn &progress, const CancelFn &cancelled)
{
    AutoencoderTrainer trainer(data, options);
    if (auto request = checkTrainingRequest(data, trainer.loop()); !request)
        return makeError(request.error());
    const std::string checkpointPath = options.checkpointPath.empty() ? options.outPath + ".ckpt" : options.checkpointPath;
    try {
        if (auto ready = trainer.setUp(); !ready)
            return makeError(ready.error());
        trainer.network()->train();

        TrainingSteps steps;
        steps.step = [&] { return trainer.trainStep(); };
        steps.stepsDone = [&] { return trainer.step(); };
        steps.elapsed = [&] { return trainer.elapsed(); };
        steps.learningRate = [&] { return trainer.learningRate(); };
        steps.checkpoint = [&] { return trainer.saveCheckpoint(checkpointPath); };
        if (options.validationCells > 0)
            steps.validationReport = [&] { return formatPsnr(trainer.measure(options.validationCells)); };
        auto trained = runTrainingLoop(trainer.loop(), steps, checkpointPath, progress, cancelled);
        if (!trained)
            return makeError(trained.error());

        const auto stats = trainer.measure(options.finalValidationCells);
        if (progress) {
            TrainProgress p;
            p.step = trainer.step();
            p.elapsedSeconds = trainer.elapsed();
            p.message = "final " + formatPsnr(stats);
            progress(p);
        }
        const double latentStd = stats.latentStd();
        if (!(latentStd > 0) || !std::isfinite(latentStd))
            return makeError("The trained autoencoder's latents have no spread (std " + std::to_string(latentStd)
                             + "); train longer or lower the learning rate.");

        AutoencoderTrainReport report;
        report.steps = trainer.step();
        report.seconds = trainer.elapsed();
        AutoencoderCard &card = report.card;
        card.config = trainer.network()->config();
        card.cropSize = data.cropSize;
        card.latentScale = 1.0 / latentStd;
        card.latentMean = stats.latentMean();
        card.validationPsnr = stats.meanPsnr();
        card.validationCells = int(stats.psnr.size());
        card.validationSharpness = stats.sharpness();
        card.klWeight = options.klWeight;
        card.edgeWeight = options.edgeWeight;
        card.dataHash = data.contentHash();
        card.trainCommand = options.trainCommand;
        card.createdAt = isoTimestamp();
        card.trainSteps = report.steps;
        card.trainSeconds = report.seconds;
        card.learningRate = options.learningRate;
        card.batchSize = options.batchSize;
        if (auto written = saveAutoencoder(options.outPath, card, trainer.network()); !written)
            return makeError(written.error());
        return report;
    } catch (const std::exception &e) {
        return makeError(std::string("Autoencoder training failed: ") + std::string(e.what()).substr(0, 300));
    }
}

Result<AutoencoderEvaluation> evaluateAutoencoder(const TrainingData &data, const AutoencoderEvalOptions &options)
{
    auto loaded = loadAutoencoder(options.modelPath, options.device);
    if (!loaded)
        return makeError(loaded.error());
    if (auto valid = data.validate(); !valid)
        return makeError(valid.error());
    if (data.resolution != loaded->card.config.resolution) {
        return makeError("The data is " + std::to_string(data.resolution) + " px but the autoencoder '"
                         + options.modelPath + "' was trained at " + std::to_string(loaded->card.config.resolution)
                         + " px; pack the data at its resolution.");
    }
    auto cells = interleavedCells(data, options.split);
    if (options.maxCells > 0 && cells.size() > std::size_t(options.maxCells))
        cells.resize(std::size_t(options.maxCells));
    if (cells.empty())
        return makeError("The data has no cells in the requested split.");
    try {
        auto parsed = parseDevice(options.device);
        if (!parsed)
            return makeError(parsed.error());
        const auto stats = measureReconstruction(loaded->network, pixelTensor(data), cells, *parsed,
                                                 options.gridPath.empty() ? 0 : options.gridCells);
        AutoencoderEvaluation evaluation;
        evaluation.card = loaded->card;
        evaluation.cells = int(cells.size());
        evaluation.psnr = stats.meanPsnr();
        evaluation.psnrMin = *std::min_element(stats.psnr.begin(), stats.psnr.end());
        evaluation.sharpness = stats.sharpness();
        evaluation.latentMean = stats.latentMean();
        evaluation.latentStd = stats.latentStd();
        const std::size_t classes = data.classNames.size();
        std::vector<double> sums(classes, 0.0);
        evaluation.classCells.assign(classes, 0);
        for (std::size_t i = 0; i < cells.size(); ++i) {
            sums[data.labels[cells[i]]] += stats.psnr[i];
            ++evaluation.classCells[data.labels[cells[i]]];
        }
        for (std::size_t c = 0; c < classes; ++c)
            evaluation.classPsnr.push_back(evaluation.classCells[c] ? sums[c] / evaluation.classCells[c]
                                                                     : std::numeric_limits<double>::quiet_NaN());
        if (!options.gridPath.empty() && stats.grid.defined()) {
            if (auto written = writeGrid(options.gridPath, stats.grid); !written)
                return makeError(written.error());
        }
        return evaluation;
    } catch (const std::exception &e) {
        return makeError(std::string("Evaluating the autoencoder failed: ") + std::string(e.what()).substr(0, 300));
    }
}

Result<AutoencoderBenchmark> benchmarkAutoencoder(const AutoencoderConfig &config, int batch, int repeats,
                                                  const std::string &device)
{
    if (auto valid = config.check(); !valid)
        return makeError("Cannot build this autoencoder: " + valid.error() + ".");
    auto parsed = parseDevice(device);
    if (!parsed)
        return makeError(parsed.error());
    try {
        torch::manual_seed(0);
        Autoencoder network(config);
        network->to(*parsed);
        AutoencoderBenchmark result;
        result.parameters = parameterCount(*network);
        auto x = (torch::rand({batch, 3, config.resolution, config.resolution}) * 2.0 - 1.0).to(*parsed); // [B, 3, R, R]
        auto synchronise = [&] {
            if (parsed->is_cuda())
                torch::cuda::synchronize();
        };
        auto timeMs = [&](const std::function<void()> &work) {
            work(); // warm-up: first calls allocate and pick kernels
            synchronise();
            const auto start = Clock::now();
            for (int i = 0; i < repeats; ++i)
                work();
            synchronise();
            return std::chrono::duration<double, std::milli>(Clock::now() - start).count() / std::max(repeats, 1);
        };
        {
            c10::InferenceMode inference;
            network->eval();
            result.encodeDecodeMs = timeMs([&] { network->forward(x); });
        }
        network->train();
        torch::optim::AdamW optimizer(network->parameters(), torch::optim::AdamWOptions(1e-4));
        result.trainStepMs = timeMs([&] {
            optimizer.zero_grad();
            auto moments = network->encode(x);
            auto y = network->decode(moments.mean + (0.5 * moments.logVariance).exp() * torch::randn_like(moments.mean));
            auto loss = (y - x).abs().mean() + (y - x).pow(2).mean();
            loss.backward();
            optimizer.step();
        });
        return result;
    } catch (const std::exception &e) {
        return makeError(std::string("Benchmarking the autoencoder failed: ") + std::string(e.what()).substr(0, 300));
    }
}

} // namespace cytodiff::engine
