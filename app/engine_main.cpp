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

#include "autoencodertrainer.h"
#include "engine.h"
#include "latentpack.h"
#include "synthetic.h"
#include "trainer.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {

using namespace cytodiff;

std::map<std::string, std::string> parseOptions(int argc, char **argv, int first)
{
    std::map<std::string, std::string> options;
    for (int i = first; i < argc; ++i) {
        std::string key = argv[i];
        if (key.rfind("--", 0) != 0)
            continue;
        key = key.substr(2);
        const bool hasValue = i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0;
        options[key] = hasValue ? argv[++i] : "1";
    }
    return options;
}

std::string valueOr(const std::map<std::string, std::string> &o, const std::string &key, const std::string &fallback)
{
    const auto it = o.find(key);
    return it == o.end() ? fallback : it->second;
}

std::vector<int> intList(const std::string &text)
{
    std::vector<int> values;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ','))
        values.push_back(std::stoi(part));
    return values;
}

int train(const std::map<std::string, std::string> &o, bool baseline, const std::string &commandLine)
{
    if (!o.count("data") || !o.count("out") || (!o.count("minutes") && !o.count("steps") && !o.count("more-minutes"))) {
        std::fprintf(stderr, "usage: cytodiff-engine %s --data pack.cdpack --out model.pt (--minutes N | --steps N | --more-minutes N) "
                             "[--device cpu|cuda] [--seed S] [--batch B] [--lr X] [--base-channels C] "
                             "[--channel-mults 1,2,3,4] [--res-blocks N] [--resume ckpt | --init earlier-model.pt] [--checkpoint ckpt] [--threads N] [--validate-every 600] "
                             "[--final-validation 200]%s\n",
                     baseline ? "train-baseline" : "train",
                     baseline ? "" : "\n       [--autoencoder ae.pt [--latent-variants 8]]  (latent diffusion on the autoencoder's latent;"
                                     "\n       --data may be a latent pack from encode-pack, which needs its --autoencoder)");
        return 2;
    }
    // A latent pack (encode-pack) holds latents, not pixels: the trainer
    // reads them instead of encoding.
    const bool latentPack = engine::isLatentPack(o.at("data"));
    if (latentPack && (baseline || !o.count("autoencoder"))) {
        std::fprintf(stderr, "error: '%s' is a latent pack: it trains the latent diffusion model only (train "
                             "--autoencoder with the autoencoder that encoded it)\n", o.at("data").c_str());
        return 2;
    }
    Result<engine::TrainingData> data = engine::TrainingData();
    if (!latentPack)
        data = engine::loadPack(o.at("data"));
    if (!data) {
        std::fprintf(stderr, "error: %s\n", data.error().c_str());
        return 1;
    }
    engine::TrainOptions t;
    t.outPath = o.at("out");
    t.resumePath = valueOr(o, "resume", "");
    t.initPath = valueOr(o, "init", "");
    t.minutes = std::stod(valueOr(o, "minutes", "0"));
    if (o.count("more-minutes")) {
        // The budget is the run's total; --more-minutes gives this session's
        // share on top of what the resumed checkpoint already spent.
        double spent = 0;
        if (!t.resumePath.empty()) {
            auto info = engine::readCheckpointInfo(t.resumePath);
            if (!info) {
                std::fprintf(stderr, "error: %s\n", info.error().c_str());
                return 1;
            }
            spent = info->elapsedSeconds / 60.0;
        }
        t.minutes = spent + std::stod(o.at("more-minutes"));
    }
    t.steps = std::stoll(valueOr(o, "steps", "0"));
    t.device = valueOr(o, "device", "cpu");
    t.seed = std::stoull(valueOr(o, "seed", "1"));
    t.batchSize = std::stoi(valueOr(o, "batch", "32"));
    t.learningRate = std::stod(valueOr(o, "lr", "1e-3"));
    t.network.baseChannels = std::stoi(valueOr(o, "base-channels", baseline ? "32" : "24"));
    t.network.channelMults = intList(valueOr(o, "channel-mults", baseline ? "1,2,4,8" : "1,2,3,4"));
    t.network.resBlocks = std::stoi(valueOr(o, "res-blocks", baseline ? "2" : "1"));
    t.validateEverySeconds = std::stod(valueOr(o, "validate-every", "600"));
    t.finalValidationCells = std::stoi(valueOr(o, "final-validation", "200"));
    t.checkpointPath = valueOr(o, "checkpoint", "");
    if (!baseline) {
        t.autoencoderPath = valueOr(o, "autoencoder", "");
        t.latentVariants = std::stoi(valueOr(o, "latent-variants", "8"));
    } else if (o.count("autoencoder")) {
        std::fprintf(stderr, "error: --autoencoder is for train (latent diffusion), not train-baseline\n");
        return 2;
    }
    t.trainCommand = commandLine;
    engine::setThreadCount(std::stoi(valueOr(o, "threads", "0")));
    auto progress = [](const engine::TrainProgress &p) {
        if (!p.message.empty())
            std::fprintf(stderr, "step %lld: %s\n", static_cast<long long>(p.step), p.message.c_str());
        else
            std::fprintf(stderr, "step %lld  loss %.4f  lr %.3g  elapsed %.0f s  eta %.0f s\n",
                         static_cast<long long>(p.step), p.loss, p.learningRate, p.elapsedSeconds, p.etaSeconds);
    };
    auto report = latentPack ? engine::trainDiffusionFromLatentPack(o.at("data"), t, progress, {})
                             : (baseline ? engine::trainBaseline : engine::trainDiffusion)(*data, t, progress, {});
    if (!report) {
        std::fprintf(stderr, "error: %s\n", report.error().c_str());
        return 1;
    }
    std::printf("wrote %s after %lld steps in %.0f s\nsha256 %s\n%s\n", t.outPath.c_str(),
                static_cast<long long>(report->steps), report->seconds, report->card.sha256.c_str(),
                report->card.metrics.c_str());
    if (report->card.isLatent())
        std::printf("latent %dx%dx%d of %d px cells, scale %.5f, autoencoder %s\n", report->card.network.inChannels,
                    report->card.latent.resolution, report->card.latent.resolution, report->card.network.resolution,
                    report->card.latent.scale, report->card.latent.autoencoderId().c_str());
    return 0;
}

int encodePack(const std::map<std::string, std::string> &o)
{
    if (!o.count("data") || !o.count("autoencoder") || !o.count("out")) {
        std::fprintf(stderr, "usage: cytodiff-engine encode-pack --data pack.cdpack --autoencoder ae.pt --out latent.cdlpack "
                             "[--variants 1] [--no-augment] [--split-only train+validation|train] [--seed 1] "
                             "[--device cpu|cuda] [--threads N]\n");
        return 2;
    }
    const std::string splits = valueOr(o, "split-only", "train+validation");
    if (splits != "train+validation" && splits != "train") {
        std::fprintf(stderr, "error: --split-only must be train+validation or train (test cells are never trained on)\n");
        return 2;
    }
    auto data = engine::loadPack(o.at("data"));
    if (!data) {
        std::fprintf(stderr, "error: %s\n", data.error().c_str());
        return 1;
    }
    engine::LatentPackOptions p;
    p.autoencoderPath = o.at("autoencoder");
    p.outPath = o.at("out");
    p.device = valueOr(o, "device", "cpu");
    p.variants = std::stoi(valueOr(o, "variants", "1"));
    // The latent trainer's rule: jittered training cells unless --no-augment.
    p.jitter = !o.count("no-augment");
    p.keepValidation = splits == "train+validation";
    p.seed = std::stoull(valueOr(o, "seed", "1"));
    engine::setThreadCount(std::stoi(valueOr(o, "threads", "0")));
    auto progress = [](std::int64_t done, std::int64_t total) {
        if (done == total || done % 1024 < 32) // a line per ~1000 cells
            std::fprintf(stderr, "encoded %lld/%lld\n", static_cast<long long>(done), static_cast<long long>(total));
    };
    auto report = engine::writeLatentPack(*data, p, progress);
    if (!report) {
        std::fprintf(stderr, "error: %s\n", report.error().c_str());
        return 1;
    }
    std::printf("wrote %s: %lld training cells x %d variant(s) + %lld validation cells, latent %dx%dx%d, %.1f MB, "
                "%.0f s\nsha256 %s\nquantisation: 8 bits per value, RMS error %.4f of the latent std (%.4f), "
                "largest error %.4f\n",
                p.outPath.c_str(), static_cast<long long>(report->trainCells), report->variants,
                static_cast<long long>(report->validationCells), report->latentChannels, report->latentResolution,
                report->latentResolution, double(report->fileBytes) / 1e6, report->seconds, report->sha256.c_str(),
                report->quantisationRmsRelative, report->latentStd, report->quantisationMaxAbs);
    return 0;
}

// A tiny synthetic pack and a random autoencoder: smoke tests on machines
// without OpenCV (scripts/train-on-gpu.sh --dry-run).
int makeTestPack(const std::map<std::string, std::string> &o)
{
    if (!o.count("out")) {
        std::fprintf(stderr, "usage: cytodiff-engine make-test-pack --out tiny.cdpack [--autoencoder-out tiny-ae.pt] "
                             "[--per-class 12] [--resolution 96] [--seed 1]\n");
        return 2;
    }
    const int resolution = std::stoi(valueOr(o, "resolution", "96"));
    const auto seed = std::stoul(valueOr(o, "seed", "1"));
    auto data = engine::syntheticCells(std::stoi(valueOr(o, "per-class", "12")), resolution, std::uint32_t(seed));
    if (auto saved = engine::savePack(o.at("out"), data); !saved) {
        std::fprintf(stderr, "error: %s\n", saved.error().c_str());
        return 1;
    }
    std::printf("wrote %s: %zu synthetic cells at %d px\n", o.at("out").c_str(), data.size(), resolution);
    if (o.count("autoencoder-out")) {
        if (auto saved = engine::writeRandomAutoencoder(o.at("autoencoder-out"), resolution, seed); !saved) {
            std::fprintf(stderr, "error: %s\n", saved.error().c_str());
            return 1;
        }
        std::printf("wrote %s: a random-weight autoencoder (smoke tests only)\n", o.at("autoencoder-out").c_str());
    }
    return 0;
}

int bench(const std::map<std::string, std::string> &o)
{
    if (!o.count("model")) {
        std::fprintf(stderr, "usage: cytodiff-engine bench --model model.pt [--device cpu|cuda] [--threads N]\n");
        return 2;
    }
    auto model = engine::Model::load(o.at("model"), valueOr(o, "device", "cpu"));
    if (!model) {
        std::fprintf(stderr, "error: %s\n", model.error().c_str());
        return 1;
    }
    engine::setThreadCount(std::stoi(valueOr(o, "threads", "0")));
    const auto &card = model->card();
    std::printf("%s: %s, %s, %d thread(s)\n", card.modelId().c_str(), card.kind.c_str(), card.network.describe().c_str(),
                engine::threadCount());
    if (card.isLatent())
        std::printf("network input: %dx%dx%d latent (the %d px cell is encoded once per classification)\n",
                    card.network.inChannels, card.latent.resolution, card.latent.resolution, card.network.resolution);
    for (int batch : {8, 32, 128})
        std::printf("batch %d: %.1f network evaluations/s\n", batch, model->benchmarkNetwork(batch, 5));
    return 0;
}

// Halves a model file: the network's weights as float16 (widened again on
// loading), the card saying so. For shipping and for the resumable weights
// a long training run commits between sessions.
int storeWeights(const std::map<std::string, std::string> &o)
{
    if (!o.count("model") || !o.count("out")) {
        std::fprintf(stderr, "usage: cytodiff-engine store-weights --model model.pt --out copy.pt [--weights float16|float32]\n");
        return 2;
    }
    auto sha = engine::storeModelWeights(o.at("model"), o.at("out"), valueOr(o, "weights", "float16"));
    if (!sha) {
        std::fprintf(stderr, "error: %s\n", sha.error().c_str());
        return 1;
    }
    std::printf("wrote %s\nsha256 %s\n", o.at("out").c_str(), sha->c_str());
    return 0;
}

engine::AutoencoderConfig autoencoderConfig(const std::map<std::string, std::string> &o)
{
    engine::AutoencoderConfig config;
    config.resolution = std::stoi(valueOr(o, "resolution", "96"));
    config.channels = intList(valueOr(o, "channels", "32,64,128"));
    config.resBlocks = std::stoi(valueOr(o, "res-blocks", "1"));
    config.latentChannels = std::stoi(valueOr(o, "latent-channels", "4"));
    return config;
}

int trainAutoencoder(const std::map<std::string, std::string> &o, const std::string &commandLine)
{
    if (!o.count("data") || !o.count("out") || (!o.count("minutes") && !o.count("steps"))) {
        std::fprintf(stderr, "usage: cytodiff-engine train-autoencoder --data pack.cdpack --out ae.pt "
                             "(--minutes N | --steps N) [--seed S] [--threads 1] [--device cpu|cuda] "
                             "[--resume ckpt | --init earlier-ae.pt] [--checkpoint ckpt] [--batch 16] [--lr 5e-4] [--warmup 200] [--edge-weight 0.5] "
                             "[--kl-weight 1e-6] [--channels 32,64,128] [--res-blocks 1] [--latent-channels 4] "
                             "[--validate-every 600] [--final-validation 0 (all)] [--no-augment]\n");
        return 2;
    }
    auto data = engine::loadPack(o.at("data"));
    if (!data) {
        std::fprintf(stderr, "error: %s\n", data.error().c_str());
        return 1;
    }
    engine::AutoencoderTrainOptions t;
    t.outPath = o.at("out");
    t.resumePath = valueOr(o, "resume", "");
    t.initPath = valueOr(o, "init", "");
    t.checkpointPath = valueOr(o, "checkpoint", "");
    t.minutes = std::stod(valueOr(o, "minutes", "0"));
    t.steps = std::stoll(valueOr(o, "steps", "0"));
    t.device = valueOr(o, "device", "cpu");
    t.seed = std::stoull(valueOr(o, "seed", "1"));
    t.batchSize = std::stoi(valueOr(o, "batch", "16"));
    t.learningRate = std::stod(valueOr(o, "lr", "5e-4"));
    t.warmupSteps = std::stoi(valueOr(o, "warmup", "200"));
    t.edgeWeight = std::stod(valueOr(o, "edge-weight", "0.5"));
    t.klWeight = std::stod(valueOr(o, "kl-weight", "1e-6"));
    t.augment = !o.count("no-augment");
    t.network = autoencoderConfig(o);
    t.validateEverySeconds = std::stod(valueOr(o, "validate-every", "600"));
    t.finalValidationCells = std::stoi(valueOr(o, "final-validation", "0"));
    t.trainCommand = commandLine;
    // One thread by default: the machine keeps a core for whoever else works on it.
    engine::setThreadCount(std::stoi(valueOr(o, "threads", "1")));
    auto progress = [](const engine::TrainProgress &p) {
        if (!p.message.empty())
            std::fprintf(stderr, "step %lld: %s\n", static_cast<long long>(p.step), p.message.c_str());
        else
            std::fprintf(stderr, "step %lld  loss %.5f  lr %.3g  elapsed %.0f s  eta %.0f s\n",
                         static_cast<long long>(p.step), p.loss, p.learningRate, p.elapsedSeconds, p.etaSeconds);
    };
    auto report = engine::trainAutoencoder(*data, t, progress, {});
    if (!report) {
        std::fprintf(stderr, "error: %s\n", report.error().c_str());
        return 1;
    }
    const auto &card = report->card;
    std::printf("wrote %s after %lld steps in %.0f s\nsha256 %s\nvalidation PSNR %.2f dB on %d cells, sharpness %.3f, "
                "latent scale %.5f\n",
                t.outPath.c_str(), static_cast<long long>(report->steps), report->seconds, card.sha256.c_str(),
                card.validationPsnr, card.validationCells, card.validationSharpness, card.latentScale);
    return 0;
}

int evalAutoencoder(const std::map<std::string, std::string> &o)
{
    if (!o.count("model") || !o.count("data")) {
        std::fprintf(stderr, "usage: cytodiff-engine eval-autoencoder --model ae.pt --data pack.cdpack "
                             "[--split validation|test|train] [--cells N (0 = all)] [--grid out.ppm] "
                             "[--threads N] [--device cpu|cuda]\n");
        return 2;
    }
    const std::string split = valueOr(o, "split", "validation");
    if (split != "validation" && split != "test" && split != "train") {
        std::fprintf(stderr, "error: --split must be train, validation or test\n");
        return 2;
    }
    auto data = engine::loadPack(o.at("data"));
    if (!data) {
        std::fprintf(stderr, "error: %s\n", data.error().c_str());
        return 1;
    }
    engine::AutoencoderEvalOptions e;
    e.modelPath = o.at("model");
    e.split = split == "test" ? engine::Split::Test : split == "train" ? engine::Split::Train : engine::Split::Validation;
    e.maxCells = std::stoi(valueOr(o, "cells", "0"));
    e.gridPath = valueOr(o, "grid", "");
    e.device = valueOr(o, "device", "cpu");
    engine::setThreadCount(std::stoi(valueOr(o, "threads", "0")));
    auto result = engine::evaluateAutoencoder(*data, e);
    if (!result) {
        std::fprintf(stderr, "error: %s\n", result.error().c_str());
        return 1;
    }
    const auto &card = result->card;
    std::printf("autoencoder %s: %s, %lld steps, latent scale %.5f\n", e.modelPath.c_str(),
                card.config.describe().c_str(), static_cast<long long>(card.trainSteps), card.latentScale);
    std::printf("%s split, %d cells: PSNR %.2f dB (worst cell %.2f), sharpness %.3f, latent mean %.4f std %.4f\n",
                split.c_str(), result->cells, result->psnr, result->psnrMin, result->sharpness, result->latentMean,
                result->latentStd);
    for (std::size_t c = 0; c < data->classNames.size(); ++c)
        if (result->classCells[c] > 0)
            std::printf("  %-14s %5d cells  PSNR %.2f dB\n", data->classNames[c].c_str(), result->classCells[c],
                        result->classPsnr[c]);
    if (!e.gridPath.empty())
        std::printf("wrote %s (each cell above its reconstruction)\n", e.gridPath.c_str());
    return 0;
}

int benchAutoencoder(const std::map<std::string, std::string> &o)
{
    engine::setThreadCount(std::stoi(valueOr(o, "threads", "1")));
    const int batch = std::stoi(valueOr(o, "batch", "32"));
    const auto config = autoencoderConfig(o);
    auto result = engine::benchmarkAutoencoder(config, batch, std::stoi(valueOr(o, "repeats", "3")),
                                               valueOr(o, "device", "cpu"));
    if (!result) {
        std::fprintf(stderr, "error: %s\n", result.error().c_str());
        return 1;
    }
    std::printf("%s: %lld parameters, %d thread(s)\nbatch %d: encode+decode %.0f ms, training step %.0f ms\n",
                config.describe().c_str(), static_cast<long long>(result->parameters), engine::threadCount(), batch,
                result->encodeDecodeMs, result->trainStepMs);
    return 0;
}

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
    if (argc < 2) {
        std::fprintf(stderr, "usage: cytodiff-engine train|train-baseline|bench|train-autoencoder|eval-autoencoder|"
                             "bench-autoencoder|encode-pack|make-test-pack|store-weights [options]\n");
        return 2;
    }
    std::string commandLine = "cytodiff-engine";
    for (int i = 1; i < argc; ++i)
        commandLine += std::string(" ") + argv[i];
    const std::string command = argv[1];
    const auto options = parseOptions(argc, argv, 2);
    try {
        if (command == "train" || command == "train-baseline")
            return train(options, command == "train-baseline", commandLine);
        if (command == "bench")
            return bench(options);
        if (command == "store-weights")
            return storeWeights(options);
        if (command == "encode-pack")
            return encodePack(options);
        if (command == "make-test-pack")
            return makeTestPack(options);
        if (command == "train-autoencoder")
            return trainAutoencoder(options, commandLine);
        if (command == "eval-autoencoder")
            return evalAutoencoder(options);
        if (command == "bench-autoencoder")
            return benchAutoencoder(options);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "error: bad option value (%s)\n", e.what());
        return 2;
    }
    std::fprintf(stderr, "unknown command '%s'\n", command.c_str());
    return 2;
}
