// cytodiff-engine: the LibTorch-only trainer for machines without Qt or
// OpenCV (a CUDA training box). It reads packed data made by
// `cytodiff-cli pack` and writes the same model files.
//
//   cytodiff-engine train --data pbc.cdpack --out model.pt --minutes 10 --device cuda
//   cytodiff-engine bench --model model.pt [--device cuda]
//   cytodiff-engine train-autoencoder --data pbc96.cdpack --out ae.pt --minutes 120 --threads 1
//   cytodiff-engine eval-autoencoder --model ae.pt --data pbc96.cdpack --split validation --grid check.ppm
//   cytodiff-engine bench-autoencoder [--batch 32] [--threads 1]

#include "autoencodertrainer.h"
#include "engine.h"
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
    if (!o.count("data") || !o.count("out") || (!o.count("minutes") && !o.count("steps"))) {
        std::fprintf(stderr, "usage: cytodiff-engine %s --data pack.cdpack --out model.pt (--minutes N | --steps N) "
                             "[--device cpu|cuda] [--seed S] [--batch B] [--lr X] [--base-channels C] "
                             "[--channel-mults 1,2,3,4] [--res-blocks N] [--resume ckpt]\n",
                     baseline ? "train-baseline" : "train");
        return 2;
    }
    auto data = engine::loadPack(o.at("data"));
    if (!data) {
        std::fprintf(stderr, "error: %s\n", data.error().c_str());
        return 1;
    }
    engine::TrainOptions t;
    t.outPath = o.at("out");
    t.resumePath = valueOr(o, "resume", "");
    t.minutes = std::stod(valueOr(o, "minutes", "0"));
    t.steps = std::stoll(valueOr(o, "steps", "0"));
    t.device = valueOr(o, "device", "cpu");
    t.seed = std::stoull(valueOr(o, "seed", "1"));
    t.batchSize = std::stoi(valueOr(o, "batch", "32"));
    t.learningRate = std::stod(valueOr(o, "lr", "1e-3"));
    t.network.baseChannels = std::stoi(valueOr(o, "base-channels", baseline ? "32" : "24"));
    t.network.channelMults = intList(valueOr(o, "channel-mults", baseline ? "1,2,4,8" : "1,2,3,4"));
    t.network.resBlocks = std::stoi(valueOr(o, "res-blocks", baseline ? "2" : "1"));
    t.validateEverySeconds = std::stod(valueOr(o, "validate-every", "600"));
    t.trainCommand = commandLine;
    engine::setThreadCount(std::stoi(valueOr(o, "threads", "0")));
    auto progress = [](const engine::TrainProgress &p) {
        if (!p.message.empty())
            std::fprintf(stderr, "step %lld: %s\n", static_cast<long long>(p.step), p.message.c_str());
        else
            std::fprintf(stderr, "step %lld  loss %.4f  lr %.3g  elapsed %.0f s  eta %.0f s\n",
                         static_cast<long long>(p.step), p.loss, p.learningRate, p.elapsedSeconds, p.etaSeconds);
    };
    auto report = (baseline ? engine::trainBaseline : engine::trainDiffusion)(*data, t, progress, {});
    if (!report) {
        std::fprintf(stderr, "error: %s\n", report.error().c_str());
        return 1;
    }
    std::printf("wrote %s after %lld steps in %.0f s\nsha256 %s\n%s\n", t.outPath.c_str(),
                static_cast<long long>(report->steps), report->seconds, report->card.sha256.c_str(),
                report->card.metrics.c_str());
    return 0;
}

int bench(const std::map<std::string, std::string> &o)
{
    if (!o.count("model")) {
        std::fprintf(stderr, "usage: cytodiff-engine bench --model model.pt [--device cpu|cuda]\n");
        return 2;
    }
    auto model = engine::Model::load(o.at("model"), valueOr(o, "device", "cpu"));
    if (!model) {
        std::fprintf(stderr, "error: %s\n", model.error().c_str());
        return 1;
    }
    for (int batch : {8, 32, 128})
        std::printf("batch %d: %.1f network evaluations/s\n", batch, model->benchmarkNetwork(batch, 5));
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
                             "bench-autoencoder [options]\n");
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
