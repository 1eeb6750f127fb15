// cytodiff-engine: the LibTorch-only trainer for machines without Qt or
// OpenCV (a CUDA training box). It reads packed data made by
// `cytodiff-cli pack` and writes the same model files.
//
//   cytodiff-engine train --data pbc.cdpack --out model.pt --minutes 10 --device cuda
//   cytodiff-engine train --data pbc96.cdpack --autoencoder ae.pt --out latent.pt --minutes 60 --threads 1
//   cytodiff-engine encode-pack --data pbc96.cdpack --autoencoder ae.pt --out pbc-latent.cdlpack
//   cytodiff-engine train --data pbc-latent.cdlpack --autoencoder ae.pt --out latent.pt --minutes 7 --device cuda
//   cytodiff-engine make-test-pack --out tiny.cdpack --autoencoder-out tiny-ae.pt
//   cytodiff-engine bench --model model.pt [--device cuda]
//   cytodiff-engine train-autoencoder --data pbc96.cdpack --out ae.pt --minutes 120 --threads 1
//   cytodiff-engine eval-autoencoder --model ae.pt --data pbc96.cdpack --split validation --grid check.ppm
//   cytodiff-engine bench-autoencoder [--batch 32] [--threads 1]
//
// Options are parsed by CLI11: an unknown or misspelt option is an error,
// never silently ignored (a typo in a six-hour run's budget costs the run).
// Defaults come from the engine's option structs, the one place they live.

#include "autoencodertrainer.h"
#include "engine.h"
#include "latentpack.h"
#include "modelfile.h"
#include "synthetic.h"
#include "trainer.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {

using namespace cytodiff;

// Ctrl-C or a session's end (SIGTERM) stops a training run at its next
// step with a checkpoint, rather than losing the minutes since the last one.
volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int) { g_interrupted = 1; }

// Installed while a run trains; the default handlers come back after.
class InterruptGuard {
public:
    InterruptGuard()
    {
        std::signal(SIGINT, onInterrupt);
        std::signal(SIGTERM, onInterrupt);
    }
    ~InterruptGuard()
    {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
    }
    InterruptGuard(const InterruptGuard &) = delete;
    InterruptGuard &operator=(const InterruptGuard &) = delete;
    static bool interrupted() { return g_interrupted != 0; }
};

int fail(const std::string &message)
{
    std::fprintf(stderr, "error: %s\n", message.c_str());
    return 1;
}

void printProgress(const engine::TrainProgress &p, const char *lossFormat)
{
    if (!p.message.empty()) {
        std::fprintf(stderr, "step %lld: %s\n", static_cast<long long>(p.step), p.message.c_str());
        return;
    }
    std::fprintf(stderr, "step %lld  loss ", static_cast<long long>(p.step));
    std::fprintf(stderr, lossFormat, p.loss);
    std::fprintf(stderr, "  lr %.3g  elapsed %.0f s  eta %.0f s\n", p.learningRate, p.elapsedSeconds, p.etaSeconds);
}

// Options shared by the diffusion and baseline trainers.
struct TrainCommand {
    bool baseline = false;
    engine::TrainOptions options;
    std::string dataPath;
    double moreMinutes = -1; // < 0: not given
    int threads = 0;
    bool noAugment = false;

    void addTo(CLI::App &cmd)
    {
        if (baseline)
            options.network = engine::baselineNetwork();
        cmd.add_option("--data", dataPath, "pixel pack (.cdpack) or, for train, a latent pack (.cdlpack)")->required();
        cmd.add_option("--out", options.outPath, "model file to write")->required();
        auto *budget = cmd.add_option_group("budget", "how long to train (one or more; the first reached ends the run)");
        auto *minutes = budget->add_option("--minutes", options.minutes, "wall-clock budget of the whole run");
        budget->add_option("--steps", options.steps, "step budget (deterministic for a seed on CPU)");
        budget->add_option("--more-minutes", moreMinutes, "with --resume: the checkpoint's spent minutes + this")
            ->excludes(minutes);
        budget->require_option(1, 0);
        cmd.add_option("--device", options.device, "cpu or cuda")->capture_default_str();
        cmd.add_option("--seed", options.seed)->capture_default_str();
        cmd.add_option("--batch", options.batchSize)->capture_default_str()->check(CLI::PositiveNumber);
        cmd.add_option("--lr", options.learningRate, "peak learning rate")->capture_default_str();
        cmd.add_option("--base-channels", options.network.baseChannels)->capture_default_str()->check(CLI::PositiveNumber);
        cmd.add_option("--channel-mults", options.network.channelMults, "width multipliers per level, e.g. 1,2,3,4")
            ->delimiter(',')->capture_default_str();
        cmd.add_option("--res-blocks", options.network.resBlocks)->capture_default_str()->check(CLI::PositiveNumber);
        cmd.add_option("--resume", options.resumePath, "checkpoint to continue");
        cmd.add_option("--init", options.initPath, "earlier model file whose weights start this run (with --resume too: a run that started so)");
        cmd.add_option("--checkpoint", options.checkpointPath, "checkpoint path (default <out>.ckpt)");
        cmd.add_option("--compact-checkpoint", options.compactCheckpointPath,
                       "also write a compact checkpoint (float16 weights, no optimiser state) at each checkpoint, "
                       "small enough to commit; --resume takes it");
        cmd.add_option("--threads", threads, "intra-op threads (0 = LibTorch's choice)")->capture_default_str();
        cmd.add_option("--validate-every", options.validateEverySeconds, "seconds between quick validations (0 = off)")
            ->capture_default_str();
        cmd.add_option("--final-validation", options.finalValidationCells, "validation cells classified at the end")
            ->capture_default_str();
        cmd.add_flag("--no-augment", noAugment, "train on the plain cells");
        if (!baseline) {
            cmd.add_option("--autoencoder", options.autoencoderPath,
                           "latent diffusion on this autoencoder's latent (needed for a latent pack)");
            cmd.add_option("--latent-variants", options.latentVariants, "dihedral variants encoded per training cell")
                ->capture_default_str()->check(CLI::Range(1, 8));
            cmd.add_option("--discriminative", options.discriminativeWeight,
                           "weight of the classifier's cross-entropy added to the denoising loss (0 = off)")
                ->capture_default_str()->check(CLI::NonNegativeNumber);
            cmd.add_option("--discriminative-cells", options.discriminativeCells,
                           "cells per step denoised under every class for that term")
                ->capture_default_str()->check(CLI::PositiveNumber);
            cmd.add_option("--discriminative-temperature", options.discriminativeTemperature,
                           "relative error difference worth one logit in that term")
                ->capture_default_str()->check(CLI::PositiveNumber);
        }
    }

    int run(const std::string &commandLine)
    {
        // A latent pack (encode-pack) holds latents, not pixels: the trainer
        // reads them instead of encoding.
        const bool latentPack = engine::isLatentPack(dataPath);
        if (latentPack && (baseline || options.autoencoderPath.empty()))
            return fail("'" + dataPath + "' is a latent pack: it trains the latent diffusion model only (train "
                        "--autoencoder with the autoencoder that encoded it)");
        Result<engine::TrainingData> data = engine::TrainingData();
        if (!latentPack)
            data = engine::loadPack(dataPath);
        if (!data)
            return fail(data.error());
        if (moreMinutes >= 0) {
            // The budget is the run's total; --more-minutes gives this
            // session's share on top of what the checkpoint already spent.
            double spent = 0;
            if (!options.resumePath.empty()) {
                auto info = engine::readCheckpointInfo(options.resumePath);
                if (!info)
                    return fail(info.error());
                spent = info->elapsedSeconds / 60.0;
            }
            options.minutes = spent + moreMinutes;
        }
        options.augment = !noAugment;
        options.trainCommand = commandLine;
        engine::setThreadCount(threads);
        auto progress = [](const engine::TrainProgress &p) { printProgress(p, "%.4f"); };
        const InterruptGuard guard;
        const engine::CancelFn cancelled = &InterruptGuard::interrupted;
        auto report = latentPack
                          ? engine::trainDiffusionFromLatentPack(dataPath, options, progress, cancelled)
                          : (baseline ? engine::trainBaseline : engine::trainDiffusion)(*data, options, progress, cancelled);
        if (!report)
            return fail(report.error());
        const auto &card = report->card;
        std::printf("wrote %s after %lld steps in %.0f s\nsha256 %s\n%s\n", options.outPath.c_str(),
                    static_cast<long long>(report->steps), report->seconds, card.sha256.c_str(), card.metrics.c_str());
        if (card.isLatent())
            std::printf("latent %dx%dx%d of %d px cells, scale %.5f, autoencoder %s\n", card.network.inChannels,
                        card.latent.resolution, card.latent.resolution, card.network.resolution, card.latent.scale,
                        card.latent.autoencoderId().c_str());
        return 0;
    }
};

struct EncodePackCommand {
    engine::LatentPackOptions options;
    std::string dataPath;
    std::string splits = "train+validation";
    bool noAugment = false;
    int threads = 0;

    void addTo(CLI::App &cmd)
    {
        cmd.add_option("--data", dataPath, "pixel pack (.cdpack)")->required();
        cmd.add_option("--autoencoder", options.autoencoderPath)->required();
        cmd.add_option("--out", options.outPath, "latent pack to write (.cdlpack)")->required();
        cmd.add_option("--variants", options.variants, "dihedral variants per training cell")
            ->capture_default_str()->check(CLI::Range(1, 8));
        cmd.add_flag("--no-augment", noAugment, "no colour jitter on the training cells");
        cmd.add_option("--split-only", splits, "cells to store (test cells are never stored)")
            ->capture_default_str()->check(CLI::IsMember({"train+validation", "train"}));
        cmd.add_option("--seed", options.seed)->capture_default_str();
        cmd.add_option("--device", options.device)->capture_default_str();
        cmd.add_option("--threads", threads)->capture_default_str();
    }

    int run()
    {
        auto data = engine::loadPack(dataPath);
        if (!data)
            return fail(data.error());
        // The latent trainer's rule: jittered training cells unless --no-augment.
        options.jitter = !noAugment;
        options.keepValidation = splits == "train+validation";
        engine::setThreadCount(threads);
        auto progress = [](std::int64_t done, std::int64_t total) {
            if (done == total || done % 1024 < 32) // a line per ~1000 cells
                std::fprintf(stderr, "encoded %lld/%lld\n", static_cast<long long>(done), static_cast<long long>(total));
        };
        auto report = engine::writeLatentPack(*data, options, progress);
        if (!report)
            return fail(report.error());
        std::printf("wrote %s: %lld training cells x %d variant(s) + %lld validation cells, latent %dx%dx%d, %.1f MB, "
                    "%.0f s\nsha256 %s\nquantisation: 8 bits per value, RMS error %.4f of the latent std (%.4f), "
                    "largest error %.4f\n",
                    options.outPath.c_str(), static_cast<long long>(report->trainCells), report->variants,
                    static_cast<long long>(report->validationCells), report->latentChannels, report->latentResolution,
                    report->latentResolution, double(report->fileBytes) / 1e6, report->seconds, report->sha256.c_str(),
                    report->quantisationRmsRelative, report->latentStd, report->quantisationMaxAbs);
        return 0;
    }
};

// A tiny synthetic pack and a random autoencoder: smoke tests on machines
// without OpenCV (scripts/train-on-gpu.sh --dry-run).
struct MakeTestPackCommand {
    std::string outPath;
    std::string autoencoderOut;
    int perClass = 12;
    int resolution = 96;
    std::uint32_t seed = 1;

    void addTo(CLI::App &cmd)
    {
        cmd.add_option("--out", outPath, "pixel pack to write")->required();
        cmd.add_option("--autoencoder-out", autoencoderOut, "also write a random-weight autoencoder");
        cmd.add_option("--per-class", perClass)->capture_default_str()->check(CLI::PositiveNumber);
        cmd.add_option("--resolution", resolution)->capture_default_str()->check(CLI::PositiveNumber);
        cmd.add_option("--seed", seed)->capture_default_str();
    }

    int run()
    {
        auto data = engine::syntheticCells(perClass, resolution, seed);
        if (auto saved = engine::savePack(outPath, data); !saved)
            return fail(saved.error());
        std::printf("wrote %s: %zu synthetic cells at %d px\n", outPath.c_str(), data.size(), resolution);
        if (autoencoderOut.empty())
            return 0;
        if (auto saved = engine::writeRandomAutoencoder(autoencoderOut, resolution, seed); !saved)
            return fail(saved.error());
        std::printf("wrote %s: a random-weight autoencoder (smoke tests only)\n", autoencoderOut.c_str());
        return 0;
    }
};

struct BenchCommand {
    std::string modelPath;
    std::string device = "cpu";
    int threads = 0;

    void addTo(CLI::App &cmd)
    {
        cmd.add_option("--model", modelPath)->required();
        cmd.add_option("--device", device)->capture_default_str();
        cmd.add_option("--threads", threads)->capture_default_str();
    }

    int run()
    {
        auto model = engine::Model::load(modelPath, device);
        if (!model)
            return fail(model.error());
        engine::setThreadCount(threads);
        const auto &card = model->card();
        std::printf("%s: %s, %s, %d thread(s)\n", card.modelId().c_str(), card.kind.c_str(),
                    card.network.describe().c_str(), engine::threadCount());
        if (card.isLatent())
            std::printf("network input: %dx%dx%d latent (the %d px cell is encoded once per classification)\n",
                        card.network.inChannels, card.latent.resolution, card.latent.resolution, card.network.resolution);
        for (int batch : {8, 32, 128})
            std::printf("batch %d: %.1f network evaluations/s\n", batch, model->benchmarkNetwork(batch, 5));
        return 0;
    }
};

// Halves a model file: the network's weights as float16 (widened again on
// loading), the card saying so. For shipping and for the resumable weights
// a long training run commits between sessions.
struct StoreWeightsCommand {
    std::string modelPath;
    std::string outPath;
    std::string weights = "float16";

    void addTo(CLI::App &cmd)
    {
        cmd.add_option("--model", modelPath)->required();
        cmd.add_option("--out", outPath)->required();
        cmd.add_option("--weights", weights)->capture_default_str()->check(CLI::IsMember({"float16", "float32"}));
    }

    int run()
    {
        auto source = engine::readModelFile(modelPath);
        if (!source)
            return fail(source.error());
        auto sha = engine::storeModelWeights(modelPath, outPath, weights);
        if (!sha)
            return fail(sha.error());
        std::printf("wrote %s\nsha256 %s\n", outPath.c_str(), sha->c_str());
        // What was fitted on the float32 network's calls: rounding the
        // weights moves those calls a little, so the fits no longer match
        // them exactly (the model cards' order runs store-weights first).
        const engine::ModelCard &card = source->card;
        if (weights == "float16" && card.weights != "float16") {
            std::string fitted;
            for (const auto &[present, name] : {std::pair{!card.classOffsets.empty(), "class offsets (calibrate)"},
                                                std::pair{!card.anomalyProfile.empty(), "error profile (anomaly-profile)"},
                                                std::pair{!card.domainReference.empty(), "domain reference (domain-reference)"}})
                if (present)
                    fitted += (fitted.empty() ? "" : ", ") + std::string(name);
            if (!fitted.empty())
                std::printf("note: the card carries %s; fitted on float32 weights, they describe the float16 model's "
                            "calls only approximately: fit them again on %s (not needed when they were fitted on "
                            "float16 weights widened to this file)\n",
                            fitted.c_str(), outPath.c_str());
        }
        return 0;
    }
};

void addAutoencoderShape(CLI::App &cmd, engine::AutoencoderConfig &config)
{
    cmd.add_option("--channels", config.channels, "width per level, e.g. 32,64,128")->delimiter(',')->capture_default_str();
    cmd.add_option("--res-blocks", config.resBlocks)->capture_default_str()->check(CLI::PositiveNumber);
    cmd.add_option("--latent-channels", config.latentChannels)->capture_default_str()->check(CLI::PositiveNumber);
}

struct TrainAutoencoderCommand {
    engine::AutoencoderTrainOptions options;
    std::string dataPath;
    bool noAugment = false;
    // One thread by default: the machine keeps a core for whoever else works on it.
    int threads = 1;

    void addTo(CLI::App &cmd)
    {
        cmd.add_option("--data", dataPath, "pixel pack (.cdpack)")->required();
        cmd.add_option("--out", options.outPath)->required();
        auto *budget = cmd.add_option_group("budget", "how long to train");
        budget->add_option("--minutes", options.minutes);
        budget->add_option("--steps", options.steps);
        budget->require_option(1, 0);
        auto *resume = cmd.add_option("--resume", options.resumePath, "checkpoint to continue");
        cmd.add_option("--init", options.initPath, "earlier autoencoder whose weights start this run")->excludes(resume);
        cmd.add_option("--checkpoint", options.checkpointPath, "checkpoint path (default <out>.ckpt)");
        cmd.add_option("--seed", options.seed)->capture_default_str();
        cmd.add_option("--threads", threads)->capture_default_str();
        cmd.add_option("--device", options.device)->capture_default_str();
        cmd.add_option("--batch", options.batchSize)->capture_default_str()->check(CLI::PositiveNumber);
        cmd.add_option("--lr", options.learningRate)->capture_default_str();
        cmd.add_option("--warmup", options.warmupSteps)->capture_default_str();
        cmd.add_option("--edge-weight", options.edgeWeight)->capture_default_str();
        cmd.add_option("--kl-weight", options.klWeight)->capture_default_str();
        addAutoencoderShape(cmd, options.network);
        cmd.add_option("--validate-every", options.validateEverySeconds)->capture_default_str();
        cmd.add_option("--final-validation", options.finalValidationCells, "validation cells at the end (0 = all)")
            ->capture_default_str();
        cmd.add_flag("--no-augment", noAugment);
    }

    int run(const std::string &commandLine)
    {
        auto data = engine::loadPack(dataPath);
        if (!data)
            return fail(data.error());
        options.augment = !noAugment;
        options.trainCommand = commandLine;
        engine::setThreadCount(threads);
        auto progress = [](const engine::TrainProgress &p) { printProgress(p, "%.5f"); };
        const InterruptGuard guard;
        auto report = engine::trainAutoencoder(*data, options, progress, &InterruptGuard::interrupted);
        if (!report)
            return fail(report.error());
        const auto &card = report->card;
        std::printf("wrote %s after %lld steps in %.0f s\nsha256 %s\nvalidation PSNR %.2f dB on %d cells, "
                    "sharpness %.3f, latent scale %.5f\n",
                    options.outPath.c_str(), static_cast<long long>(report->steps), report->seconds,
                    card.sha256.c_str(), card.validationPsnr, card.validationCells, card.validationSharpness,
                    card.latentScale);
        return 0;
    }
};

struct EvalAutoencoderCommand {
    engine::AutoencoderEvalOptions options;
    std::string dataPath;
    std::string split = "validation";
    int threads = 0;

    void addTo(CLI::App &cmd)
    {
        cmd.add_option("--model", options.modelPath)->required();
        cmd.add_option("--data", dataPath, "pixel pack (.cdpack)")->required();
        cmd.add_option("--split", split)->capture_default_str()->check(CLI::IsMember({"train", "validation", "test"}));
        cmd.add_option("--cells", options.maxCells, "0 = every cell of the split")->capture_default_str();
        cmd.add_option("--grid", options.gridPath, ".ppm of originals above their reconstructions");
        cmd.add_option("--threads", threads)->capture_default_str();
        cmd.add_option("--device", options.device)->capture_default_str();
    }

    int run()
    {
        auto data = engine::loadPack(dataPath);
        if (!data)
            return fail(data.error());
        options.split = split == "test" ? engine::Split::Test
                      : split == "train" ? engine::Split::Train : engine::Split::Validation;
        engine::setThreadCount(threads);
        auto result = engine::evaluateAutoencoder(*data, options);
        if (!result)
            return fail(result.error());
        const auto &card = result->card;
        std::printf("autoencoder %s: %s, %lld steps, latent scale %.5f\n", options.modelPath.c_str(),
                    card.config.describe().c_str(), static_cast<long long>(card.trainSteps), card.latentScale);
        std::printf("%s split, %d cells: PSNR %.2f dB (worst cell %.2f), sharpness %.3f, latent mean %.4f std %.4f\n",
                    split.c_str(), result->cells, result->psnr, result->psnrMin, result->sharpness, result->latentMean,
                    result->latentStd);
        for (std::size_t c = 0; c < data->classNames.size(); ++c)
            if (result->classCells[c] > 0)
                std::printf("  %-14s %5d cells  PSNR %.2f dB\n", data->classNames[c].c_str(), result->classCells[c],
                            result->classPsnr[c]);
        if (!options.gridPath.empty())
            std::printf("wrote %s (each cell above its reconstruction)\n", options.gridPath.c_str());
        return 0;
    }
};

struct BenchAutoencoderCommand {
    engine::AutoencoderConfig config;
    int batch = 32;
    int repeats = 3;
    int threads = 1;
    std::string device = "cpu";

    void addTo(CLI::App &cmd)
    {
        cmd.add_option("--resolution", config.resolution)->capture_default_str()->check(CLI::PositiveNumber);
        addAutoencoderShape(cmd, config);
        cmd.add_option("--batch", batch)->capture_default_str()->check(CLI::PositiveNumber);
        cmd.add_option("--repeats", repeats)->capture_default_str()->check(CLI::PositiveNumber);
        cmd.add_option("--threads", threads)->capture_default_str();
        cmd.add_option("--device", device)->capture_default_str();
    }

    int run()
    {
        engine::setThreadCount(threads);
        auto result = engine::benchmarkAutoencoder(config, batch, repeats, device);
        if (!result)
            return fail(result.error());
        std::printf("%s: %lld parameters, %d thread(s)\nbatch %d: encode+decode %.0f ms, training step %.0f ms\n",
                    config.describe().c_str(), static_cast<long long>(result->parameters), engine::threadCount(),
                    batch, result->encodeDecodeMs, result->trainStepMs);
        return 0;
    }
};

// glibc hands every block over 32 MB (a 96 px activation at batch 32 is
// 38 MB) straight back to the kernel when freed, so each training step
// faulted its activations in afresh: measured 3.6x slower steps on this
// machine (bench-autoencoder: 10.5 s vs 2.9 s). Keep freed memory in the
// heap for reuse instead; the peak stays resident, which a trainer needs anyway.
void keepFreedMemory()
{
#ifdef __GLIBC__
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

} // namespace

int main(int argc, char **argv)
{
    keepFreedMemory();
    std::string commandLine = "cytodiff-engine";
    for (int i = 1; i < argc; ++i)
        commandLine += std::string(" ") + argv[i];

    CLI::App app{"The CytoDiff engine: trains and benchmarks models from packed data (LibTorch only).",
                 "cytodiff-engine"};
    app.require_subcommand(1);
    TrainCommand train;
    TrainCommand trainBaseline;
    trainBaseline.baseline = true;
    EncodePackCommand encodePack;
    MakeTestPackCommand makeTestPack;
    BenchCommand bench;
    StoreWeightsCommand storeWeights;
    TrainAutoencoderCommand trainAutoencoder;
    EvalAutoencoderCommand evalAutoencoder;
    BenchAutoencoderCommand benchAutoencoder;
    const std::vector<std::pair<CLI::App *, std::function<int()>>> commands = {
        {app.add_subcommand("train", "train the diffusion classifier (pixels, or latents with --autoencoder)"),
         [&] { return train.run(commandLine); }},
        {app.add_subcommand("train-baseline", "train the discriminative CNN baseline on the same data"),
         [&] { return trainBaseline.run(commandLine); }},
        {app.add_subcommand("encode-pack", "encode a pixel pack's cells into a latent pack"), [&] { return encodePack.run(); }},
        {app.add_subcommand("make-test-pack", "write a tiny synthetic pack (smoke tests)"), [&] { return makeTestPack.run(); }},
        {app.add_subcommand("bench", "network evaluations per second of a model"), [&] { return bench.run(); }},
        {app.add_subcommand("store-weights", "copy a model with float16 (or float32) weights"),
         [&] { return storeWeights.run(); }},
        {app.add_subcommand("train-autoencoder", "train the autoencoder of the latent models"),
         [&] { return trainAutoencoder.run(commandLine); }},
        {app.add_subcommand("eval-autoencoder", "reconstruction quality of an autoencoder"),
         [&] { return evalAutoencoder.run(); }},
        {app.add_subcommand("bench-autoencoder", "speed of an autoencoder shape"), [&] { return benchAutoencoder.run(); }},
    };
    train.addTo(*commands[0].first);
    trainBaseline.addTo(*commands[1].first);
    encodePack.addTo(*commands[2].first);
    makeTestPack.addTo(*commands[3].first);
    bench.addTo(*commands[4].first);
    storeWeights.addTo(*commands[5].first);
    trainAutoencoder.addTo(*commands[6].first);
    evalAutoencoder.addTo(*commands[7].first);
    benchAutoencoder.addTo(*commands[8].first);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        // Usage errors exit 2 (help and version 0), as before.
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    try {
        for (const auto &[command, run] : commands)
            if (command->parsed())
                return run();
    } catch (const std::exception &e) {
        // Library code returns its failures; this is the last guard for
        // anything LibTorch throws past it (e.g. out of memory).
        return fail(e.what());
    }
    return 2;
}
