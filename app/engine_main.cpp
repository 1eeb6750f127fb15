// cytodiff-engine: the LibTorch-only trainer for machines without Qt or
// OpenCV (a CUDA training box). It reads packed data made by
// `cytodiff-cli pack` and writes the same model files.
//
//   cytodiff-engine train --data pbc.cdpack --out model.pt --minutes 10 --device cuda
//   cytodiff-engine bench --model model.pt [--device cuda]

#include "engine.h"
#include "trainer.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>

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

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: cytodiff-engine train|train-baseline|bench [options]\n");
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
    } catch (const std::exception &e) {
        std::fprintf(stderr, "error: bad option value (%s)\n", e.what());
        return 2;
    }
    std::fprintf(stderr, "unknown command '%s'\n", command.c_str());
    return 2;
}
