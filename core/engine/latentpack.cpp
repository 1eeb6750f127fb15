#include <torch/torch.h>

#include "latentpack.h"

#include "autoencoder.h"
#include "container.h"
#include "latentcache.h"
#include "modelio.h"
#include "numbertext.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

namespace cytodiff::engine {
namespace {

constexpr const char *kKind = "latent-pack";
// 8-bit codes: 256 levels per channel between the channel's min and max.
constexpr double kLevels = 255.0;
// Rows quantised at a time: bounds the float copies of 8-variant packs.
constexpr std::int64_t kQuantiseRows = 256;

std::vector<std::string> splitTabs(const std::string &text)
{
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, '\t'))
        if (!part.empty())
            parts.push_back(part);
    return parts;
}

std::string joinTabs(const std::vector<std::string> &parts)
{
    std::string text;
    for (const auto &part : parts)
        text += part + "\t";
    return text;
}

// Shapes a [L] per-channel vector to broadcast over a latent tensor whose
// channel axis is `channelDim` of `dims`.
torch::Tensor perChannel(const torch::Tensor &values, std::int64_t channelDim, std::int64_t dims)
{
    std::vector<std::int64_t> shape(std::size_t(dims), 1);
    shape[std::size_t(channelDim)] = values.size(0);
    return values.view(shape);
}

struct QuantiseStats {
    double squaredError = 0, maxAbs = 0, count = 0;
};

// float16 latents -> uint8 codes (same shape), chunked by rows; adds the
// rounding error to stats.
torch::Tensor quantise(const torch::Tensor &latents, const torch::Tensor &offset, const torch::Tensor &scale,
                       std::int64_t channelDim, QuantiseStats &stats)
{
    std::vector<torch::Tensor> parts;
    const auto lo = perChannel(offset, channelDim, latents.dim());
    const auto step = perChannel(scale, channelDim, latents.dim());
    for (std::int64_t start = 0; start < latents.size(0); start += kQuantiseRows) {
        auto z = latents.narrow(0, start, std::min(kQuantiseRows, latents.size(0) - start)).to(torch::kFloat32);
        auto codes = ((z - lo) / step).round().clamp(0.0, kLevels);
        auto error = (lo + step * codes - z).to(torch::kDouble);
        stats.squaredError += error.pow(2).sum().item<double>();
        stats.maxAbs = std::max(stats.maxAbs, error.abs().max().item<double>());
        stats.count += double(error.numel());
        parts.push_back(codes.to(torch::kUInt8));
    }
    return torch::cat(parts);
}

torch::Tensor dequantise(const torch::Tensor &codes, const torch::Tensor &offset, const torch::Tensor &scale,
                         std::int64_t channelDim)
{
    return (perChannel(offset, channelDim, codes.dim()) + perChannel(scale, channelDim, codes.dim()) * codes.to(torch::kFloat32))
        .to(torch::kHalf);
}

// The header and, when tensors, the dequantised latents.
Result<StoredLatents> parsePack(const std::string &path, bool tensors)
{
    auto container = readContainer(path, kKind);
    if (!container)
        return makeError(container.error());
    auto &meta = container->metadata;
    StoredLatents stored;
    auto &header = stored.header;
    header.sha256 = container->sha256;
    header.cells.classNames = splitTabs(meta["classes"]);
    header.cells.names = splitTabs(meta["names"]);
    header.dataHash = meta["data_hash"];
    header.autoencoderSha256 = meta["autoencoder_sha256"];
    try {
        header.cells.resolution = std::stoi(meta["resolution"]);
        header.cells.cropSize = std::stoi(meta["crop_size"]);
        header.variants = std::stoi(meta["variants"]);
        header.jitter = meta["jitter"] == "1";
        header.seed = std::stoull(meta["seed"]);
        header.latentChannels = std::stoi(meta["latent_channels"]);
        header.latentResolution = std::stoi(meta["latent_resolution"]);
        header.quantisationRmsRelative = parseWrittenNumber(meta["quantisation_rms_relative"]).value_or(0.0);
        torch::serialize::InputArchive archive;
        archive.load_from(container->payload.data(), container->payload.size());
        torch::Tensor labels, splits;
        archive.read("labels", labels);
        archive.read("splits", splits);
        labels = labels.contiguous();
        splits = splits.contiguous();
        for (std::int64_t i = 0; i < labels.numel(); ++i) {
            header.cells.labels.push_back(int(labels.data_ptr<std::int64_t>()[i]));
            header.cells.splits.push_back(Split(splits.data_ptr<std::int64_t>()[i]));
        }
        if (tensors) {
            torch::Tensor train, offset, scale;
            archive.read("train", train);
            archive.read("offset", offset);
            archive.read("scale", scale);
            stored.train = dequantise(train, offset, scale, 2); // [Nt, V, L, r, r]
            torch::Tensor validation;
            if (archive.try_read("validation", validation))
                stored.validation = dequantise(validation, offset, scale, 1); // [Nv, L, r, r]
        }
    } catch (const std::exception &e) {
        return makeError("'" + path + "' is a damaged latent pack: " + std::string(e.what()).substr(0, 200)
                         + "; encode it again with cytodiff-engine encode-pack.");
    }
    const auto &cells = header.cells;
    bool consistent = !cells.classNames.empty() && cells.names.size() == cells.size()
                      && cells.splits.size() == cells.size() && header.variants >= 1 && header.variants <= 8;
    for (std::size_t i = 0; consistent && i < cells.size(); ++i)
        consistent = cells.labels[i] >= 0 && cells.labels[i] < int(cells.classNames.size())
                     && cells.splits[i] != Split::Test;
    if (!consistent)
        return makeError("'" + path + "' is an inconsistent latent pack (its cell list, labels or variants disagree); "
                         "encode it again with cytodiff-engine encode-pack.");
    return stored;
}

} // namespace

Result<LatentPackReport> writeLatentPack(const TrainingData &data, const LatentPackOptions &options,
                                         const LatentPackProgressFn &progress)
{
    const auto started = std::chrono::steady_clock::now();
    if (auto valid = data.validate(); !valid)
        return makeError(valid.error());
    if (options.outPath.empty())
        return makeError("Give an output path for the latent pack (--out).");
    auto autoencoder = loadAutoencoder(options.autoencoderPath, options.device);
    if (!autoencoder)
        return makeError(autoencoder.error());
    if (auto fits = checkAutoencoderFits(autoencoder->card, options.autoencoderPath, data.resolution, data.cropSize);
        !fits)
        return makeError(fits.error());

    LatentPackReport report;
    Container container;
    container.kind = kKind;
    try {
        // The trainer's own encoding (LatentCache::build, unscaled codec), so
        // a pack holds exactly what an in-process latent run would train on.
        auto device = parseDevice(options.device);
        if (!device)
            return makeError(device.error());
        LatentCodec codec(autoencoder->network, 1.0, *device);
        LatentCache cache;
        auto built = cache.build(data, codec, options.variants, options.jitter, options.seed, progress, {});
        if (!built)
            return makeError(built.error());
        const auto &train = cache.trainLatents(); // [Nt, V, L, r, r] float16
        torch::Tensor validation = options.keepValidation ? cache.validationLatents() : torch::Tensor(); // [Nv, L, r, r]

        // Per-channel range over everything stored, so no value is clipped:
        // the largest error is half a step.
        auto lo = train.to(torch::kFloat32).amin({0, 1, 3, 4}); // [L]
        auto hi = train.to(torch::kFloat32).amax({0, 1, 3, 4}); // [L]
        if (validation.defined() && validation.numel() > 0) {
            lo = torch::minimum(lo, validation.to(torch::kFloat32).amin({0, 2, 3}));
            hi = torch::maximum(hi, validation.to(torch::kFloat32).amax({0, 2, 3}));
        }
        auto scale = ((hi - lo) / kLevels).clamp_min(1e-8); // [L]
        QuantiseStats trainStats, validationStats;
        auto trainCodes = quantise(train, lo, scale, 2, trainStats);
        torch::serialize::OutputArchive archive;
        archive.write("train", trainCodes);
        if (validation.defined() && validation.numel() > 0)
            archive.write("validation", quantise(validation, lo, scale, 1, validationStats));
        archive.write("offset", lo);
        archive.write("scale", scale);

        TrainingData cells; // the stored cells, in the pixel pack's order
        cells.classNames = data.classNames;
        std::vector<std::int64_t> labels, splits;
        for (std::size_t i = 0; i < data.size(); ++i) {
            const bool stored = data.splits[i] == Split::Train
                                || (data.splits[i] == Split::Validation && options.keepValidation);
            if (!stored)
                continue;
            cells.names.push_back(data.names[i]);
            labels.push_back(data.labels[i]);
            splits.push_back(std::int64_t(data.splits[i]));
            (data.splits[i] == Split::Train ? report.trainCells : report.validationCells) += 1;
        }
        archive.write("labels", torch::tensor(labels));
        archive.write("splits", torch::tensor(splits));
        std::ostringstream out;
        archive.save_to(out);
        container.payload = out.str();

        report.latentStd = 1.0 / cache.scale(); // the std the trainer measures
        report.variants = int(train.size(1));
        report.latentChannels = int(train.size(2));
        report.latentResolution = int(train.size(3));
        report.quantisationRmsRelative = std::sqrt(trainStats.squaredError / trainStats.count) / report.latentStd;
        report.quantisationMaxAbs = std::max(trainStats.maxAbs, validationStats.maxAbs);

        auto &meta = container.metadata;
        meta["classes"] = joinTabs(data.classNames);
        meta["names"] = joinTabs(cells.names);
        meta["resolution"] = std::to_string(data.resolution);
        meta["crop_size"] = std::to_string(data.cropSize);
        meta["count"] = std::to_string(cells.names.size());
        meta["data_hash"] = data.contentHash();
        meta["autoencoder_sha256"] = autoencoder->card.sha256;
        meta["autoencoder_file"] = options.autoencoderPath.substr(options.autoencoderPath.find_last_of('/') + 1);
        meta["variants"] = std::to_string(report.variants);
        meta["jitter"] = options.jitter ? "1" : "0";
        meta["seed"] = std::to_string(options.seed);
        meta["latent_channels"] = std::to_string(report.latentChannels);
        meta["latent_resolution"] = std::to_string(report.latentResolution);
        meta["latent_std"] = fixedText(report.latentStd, 6);
        meta["quantisation"] = "uint8 per-channel affine: value = offset + scale * code, range = min..max";
        meta["quantisation_rms_relative"] = fixedText(report.quantisationRmsRelative, 6);
    } catch (const std::exception &e) {
        return makeError(std::string("Encoding the latent pack failed: ") + std::string(e.what()).substr(0, 300));
    }
    if (auto written = writeContainer(options.outPath, container); !written)
        return makeError(written.error());
    report.sha256 = container.sha256;
    std::ifstream file(options.outPath, std::ios::binary | std::ios::ate);
    report.fileBytes = std::int64_t(file.tellg());
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

Result<LatentPackHeader> readLatentPackHeader(const std::string &path)
{
    auto parsed = parsePack(path, false);
    if (!parsed)
        return makeError(parsed.error());
    return parsed->header;
}

Result<StoredLatents> loadLatentPack(const std::string &path)
{
    return parsePack(path, true);
}

bool isLatentPack(const std::string &path)
{
    // "CYTODIFF", u32 version, u32 kind length, kind (container.h).
    std::ifstream file(path, std::ios::binary);
    char head[16 + 11] = {};
    if (!file.read(head, sizeof head))
        return false;
    return std::string(head, 8) == "CYTODIFF" && std::string(head + 16, 11) == kKind
           && static_cast<unsigned char>(head[12]) == 11;
}

} // namespace cytodiff::engine
