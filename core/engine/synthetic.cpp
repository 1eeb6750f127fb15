#include <torch/torch.h>

#include "synthetic.h"

#include "autoencoder.h"

#include <cmath>
#include <random>

namespace cytodiff::engine {

TrainingData syntheticCells(int perClass, int resolution, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> jitter(-1.0, 1.0);
    TrainingData data;
    data.classNames = {"disc", "ring"};
    data.resolution = resolution;
    data.cropSize = resolution;
    const double unit = resolution / 96.0; // shapes scale with the resolution
    const double centre = (resolution - 1) / 2.0;
    for (int i = 0; i < 2 * perClass; ++i) {
        const bool ring = i % 2;
        const double radius = (30 + 4 * jitter(rng)) * unit;
        const double cx = centre + 3 * unit * jitter(rng), cy = centre + 3 * unit * jitter(rng);
        const double ink = 80 + 30 * jitter(rng);
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < resolution; ++y)
                for (int x = 0; x < resolution; ++x) {
                    const double r = std::hypot(x - cx, y - cy);
                    const bool inside = ring ? (r <= radius && r >= radius - 8.0 * unit) : r <= radius;
                    const bool dot = !ring && r < 6 * unit;
                    data.pixels.push_back(std::uint8_t(dot ? 30 : inside ? ink + 25 * c : 225 - 12 * c));
                }
        data.labels.push_back(ring ? 1 : 0);
        data.names.push_back("cell" + std::to_string(i));
    }
    data.splits = stratifiedSplit(data.names, data.labels);
    return data;
}

Result<void> writeRandomAutoencoder(const std::string &path, int resolution, std::uint64_t seed)
{
    AutoencoderConfig config;
    config.resolution = resolution;
    config.channels = {8, 8, 8};
    config.latentChannels = 4;
    try {
        torch::manual_seed(seed);
        Autoencoder network(config);
        {
            torch::NoGradGuard noGrad;
            for (auto &p : network->parameters())
                p.add_(torch::randn_like(p) * 0.1);
        }
        AutoencoderCard card;
        card.config = config;
        card.cropSize = resolution;
        card.latentScale = 1.0;
        return saveAutoencoder(path, card, network);
    } catch (const std::exception &e) {
        return makeError(std::string("Building the random autoencoder failed: ") + std::string(e.what()).substr(0, 200));
    }
}

} // namespace cytodiff::engine
