// AutoencoderCard <-> container metadata. Torch-free.
#include "autoencodercard.h"

#include "numbertext.h"

#include <sstream>

namespace cytodiff::engine {
namespace {

// Bounds far above anything CytoDiff trains, so that a damaged or hostile
// file cannot make the loader allocate a huge network before the weights
// are compared.
constexpr int kMaxResolution = 1024;
constexpr int kMaxLevels = 6;
constexpr int kMaxChannels = 1024;
constexpr int kMaxResBlocks = 8;
constexpr int kMaxLatentChannels = 64;
constexpr double kMaxParameters = 50e6;

std::string number(double value)
{
    std::ostringstream out;
    out.precision(17);
    out << value;
    return out.str();
}

std::string valueOr(const std::map<std::string, std::string> &m, const std::string &key, const std::string &fallback = {})
{
    const auto it = m.find(key);
    return it == m.end() ? fallback : it->second;
}

bool readInt(const std::map<std::string, std::string> &m, const std::string &key, int &out)
{
    try {
        std::size_t used = 0;
        const std::string text = valueOr(m, key);
        out = std::stoi(text, &used);
        return used == text.size();
    } catch (...) {
        return false;
    }
}

bool readDouble(const std::map<std::string, std::string> &m, const std::string &key, double &out)
{
    const auto value = parseNumber(valueOr(m, key));
    if (value)
        out = *value;
    return value.has_value();
}

} // namespace

std::string AutoencoderConfig::describe() const
{
    std::ostringstream out;
    out << resolution << "px, channels";
    for (std::size_t i = 0; i < channels.size(); ++i)
        out << (i ? "," : " ") << channels[i];
    out << ", " << resBlocks << " res block(s)/level, latent " << latentChannels << "x" << latentSize() << "x"
        << latentSize();
    return out.str();
}

Result<void> AutoencoderConfig::check() const
{
    if (channels.empty() || int(channels.size()) > kMaxLevels)
        return makeError("the autoencoder needs 1 to " + std::to_string(kMaxLevels) + " levels of channels");
    for (int c : channels)
        if (c < 1 || c > kMaxChannels)
            return makeError("an autoencoder level has " + std::to_string(c) + " channels");
    if (resBlocks < 1 || resBlocks > kMaxResBlocks)
        return makeError("the autoencoder has " + std::to_string(resBlocks) + " residual blocks per level");
    if (latentChannels < 1 || latentChannels > kMaxLatentChannels)
        return makeError("the autoencoder has " + std::to_string(latentChannels) + " latent channels");
    if (resolution < 8 || resolution > kMaxResolution)
        return makeError("the autoencoder's resolution " + std::to_string(resolution) + " is out of range");
    if (resolution % downsampling() != 0) {
        return makeError("the resolution " + std::to_string(resolution) + " is not divisible by the downsampling factor "
                         + std::to_string(downsampling()));
    }
    // Two 3x3 convolutions per block, encoder and decoder, plus one
    // resampling convolution per level: an over-estimate, in doubles.
    double parameters = 0;
    for (int c : channels)
        parameters += 2.0 * (resBlocks + 1) * 2.0 * 9.0 * double(c) * c + 2.0 * 9.0 * double(c) * c;
    if (parameters > kMaxParameters)
        return makeError("the autoencoder would have about " + std::to_string(std::int64_t(parameters / 1e6))
                         + " M weights");
    return {};
}

std::map<std::string, std::string> AutoencoderCard::toMetadata() const
{
    std::map<std::string, std::string> m;
    m["autoencoder_format"] = std::to_string(kAutoencoderFormatVersion);
    m["kind"] = "autoencoder";
    m["resolution"] = std::to_string(config.resolution);
    std::string widths;
    for (std::size_t i = 0; i < config.channels.size(); ++i) {
        if (i)
            widths += ',';
        widths += std::to_string(config.channels[i]);
    }
    m["channels"] = widths;
    m["res_blocks"] = std::to_string(config.resBlocks);
    m["latent_channels"] = std::to_string(config.latentChannels);
    // Derived, written for a reader of the file; the loader recomputes it.
    m["latent_shape"] = std::to_string(config.latentChannels) + "x" + std::to_string(config.latentSize()) + "x"
                        + std::to_string(config.latentSize());
    m["downsampling"] = std::to_string(config.downsampling());
    m["latent"] = "gaussian posterior (mean, log-variance); encode() gives the mean";
    m["normalisation"] = "rgb/127.5-1";
    m["weights"] = "float16";
    m["crop_size"] = std::to_string(cropSize);
    m["latent_scale"] = number(latentScale);
    m["latent_mean"] = number(latentMean);
    m["validation_psnr"] = number(validationPsnr);
    m["validation_cells"] = std::to_string(validationCells);
    m["validation_sharpness"] = number(validationSharpness);
    m["kl_weight"] = number(klWeight);
    m["edge_weight"] = number(edgeWeight);
    m["data_hash"] = dataHash;
    m["train_command"] = trainCommand;
    m["created_at"] = createdAt;
    m["train_steps"] = std::to_string(trainSteps);
    m["train_seconds"] = number(trainSeconds);
    m["learning_rate"] = number(learningRate);
    m["batch_size"] = std::to_string(batchSize);
    return m;
}

Result<AutoencoderCard> AutoencoderCard::fromMetadata(const std::map<std::string, std::string> &m)
{
    AutoencoderCard card;
    int format = 0;
    if (!readInt(m, "autoencoder_format", format))
        return makeError("the file has no autoencoder format version; it was not written by CytoDiff");
    if (format > kAutoencoderFormatVersion) {
        return makeError("the autoencoder was written by a newer CytoDiff (autoencoder format " + std::to_string(format)
                         + ", this version reads up to " + std::to_string(kAutoencoderFormatVersion)
                         + "); update CytoDiff");
    }
    if (valueOr(m, "weights", "float16") != "float16")
        return makeError("the autoencoder's weights are stored as '" + valueOr(m, "weights") + "', not float16");
    AutoencoderConfig &config = card.config;
    config.channels.clear();
    std::istringstream widths(valueOr(m, "channels"));
    std::string part;
    while (std::getline(widths, part, ',')) {
        try {
            config.channels.push_back(std::stoi(part));
        } catch (...) {
            return makeError("the autoencoder's channel list is unreadable");
        }
    }
    if (!readInt(m, "resolution", config.resolution) || !readInt(m, "res_blocks", config.resBlocks)
        || !readInt(m, "latent_channels", config.latentChannels))
        return makeError("the autoencoder's network description is incomplete");
    if (auto plausible = config.check(); !plausible)
        return makeError("the network description is invalid (" + plausible.error()
                         + "); the file is damaged or not a CytoDiff autoencoder");
    if (!readDouble(m, "latent_scale", card.latentScale) || !(card.latentScale > 0 && card.latentScale < 1e6))
        return makeError("the autoencoder's latent scale is missing or out of range");
    // The rest is provenance: unreadable values read as not recorded.
    readInt(m, "crop_size", card.cropSize);
    readDouble(m, "latent_mean", card.latentMean);
    readDouble(m, "validation_psnr", card.validationPsnr);
    readInt(m, "validation_cells", card.validationCells);
    readDouble(m, "validation_sharpness", card.validationSharpness);
    readDouble(m, "kl_weight", card.klWeight);
    readDouble(m, "edge_weight", card.edgeWeight);
    card.dataHash = valueOr(m, "data_hash");
    card.trainCommand = valueOr(m, "train_command");
    card.createdAt = valueOr(m, "created_at");
    try {
        card.trainSteps = std::stoll(valueOr(m, "train_steps", "0"));
    } catch (...) {
    }
    readDouble(m, "train_seconds", card.trainSeconds);
    readDouble(m, "learning_rate", card.learningRate);
    readInt(m, "batch_size", card.batchSize);
    return card;
}

} // namespace cytodiff::engine
