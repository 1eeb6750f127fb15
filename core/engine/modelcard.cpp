// ModelCard <-> container metadata. Torch-free.
#include "engine.h"

#include "container.h"
#include "modelfile.h"
#include "numbertext.h"

#include <filesystem>

#include <sstream>

namespace cytodiff::engine {
namespace {

template <typename T>
std::string joinList(const std::vector<T> &values, char separator = ',')
{
    std::ostringstream out;
    out.precision(17);
    for (std::size_t i = 0; i < values.size(); ++i)
        out << (i ? std::string(1, separator) : std::string()) << values[i];
    return out.str();
}

std::vector<std::string> splitList(const std::string &text, char separator = ',')
{
    std::vector<std::string> parts;
    if (text.empty())
        return parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator))
        parts.push_back(part);
    return parts;
}

bool parseInt(const std::map<std::string, std::string> &m, const std::string &key, int &out)
{
    const auto it = m.find(key);
    if (it == m.end())
        return false;
    try {
        out = std::stoi(it->second);
        return true;
    } catch (...) {
        return false;
    }
}

std::string valueOr(const std::map<std::string, std::string> &m, const std::string &key, const std::string &fallback = {})
{
    const auto it = m.find(key);
    return it == m.end() ? fallback : it->second;
}

// A damaged or hostile file must not make the loader build a network that
// exhausts memory before the weights are compared: bound every dimension
// and the parameter count far above any model CytoDiff trains (the shipped
// one has 1.5 M parameters).
constexpr int kMaxResolution = 1024;
constexpr int kMaxChannels = 2048;
constexpr int kMaxLevels = 8;
constexpr int kMaxResBlocks = 8;
constexpr int kMaxEmbedDim = 4096;
constexpr int kMaxClasses = 1000;
constexpr int kMaxInChannels = 64;
constexpr double kMaxParameters = 50e6;

Result<void> checkNetworkSize(const NetworkConfig &network)
{
    const auto tooLarge = [](const std::string &what) {
        return makeError("the model file describes an implausibly large network (" + what
                         + "); it is damaged or not a CytoDiff model");
    };
    if (network.resolution > kMaxResolution)
        return tooLarge("resolution " + std::to_string(network.resolution));
    if (network.baseChannels > kMaxChannels || network.embedDim < 1 || network.embedDim > kMaxEmbedDim)
        return tooLarge("base channels " + std::to_string(network.baseChannels) + ", embedding "
                        + std::to_string(network.embedDim));
    if (network.channelMults.size() > std::size_t(kMaxLevels) || network.resBlocks < 1
        || network.resBlocks > kMaxResBlocks)
        return tooLarge(std::to_string(network.channelMults.size()) + " levels of "
                        + std::to_string(network.resBlocks) + " blocks");
    if (network.numClasses > kMaxClasses)
        return tooLarge(std::to_string(network.numClasses) + " classes");
    // Two 3x3 convolutions per residual block, up and down, plus the
    // middle: an over-estimate of the weights, in doubles so it cannot wrap.
    double parameters = 0;
    for (int mult : network.channelMults) {
        if (mult < 1 || double(mult) * network.baseChannels > kMaxChannels)
            return tooLarge("channel multiplier " + std::to_string(mult));
        const double width = double(network.baseChannels) * mult;
        parameters += 2.0 * network.resBlocks * 2.0 * 9.0 * (2.0 * width) * width;
        parameters += 4.0 * 9.0 * width * width;
    }
    if (parameters > kMaxParameters)
        return tooLarge("about " + std::to_string(std::int64_t(parameters / 1e6)) + " M weights");
    return {};
}

} // namespace

const char *protocolName(Protocol protocol)
{
    return protocol == Protocol::Paper ? "paper" : "fast";
}

const char *weightingName(Weighting weighting)
{
    switch (weighting) {
    case Weighting::Fitted: return "fitted";
    case Weighting::Paper: return "paper";
    case Weighting::Uniform: return "uniform";
    case Weighting::Default: break;
    }
    return "default";
}

Weighting weightingFromName(const std::string &name)
{
    if (name == "fitted")
        return Weighting::Fitted;
    if (name == "paper")
        return Weighting::Paper;
    if (name == "uniform")
        return Weighting::Uniform;
    return Weighting::Default;
}

namespace {

// "<file stem>@<sha256 prefix>", the fallback when there is no file name.
std::string fileId(const std::string &fileName, const std::string &sha256, const std::string &fallback)
{
    std::string stem = fileName;
    const auto slash = stem.find_last_of("/\\");
    if (slash != std::string::npos)
        stem = stem.substr(slash + 1);
    const auto dot = stem.rfind('.');
    if (dot != std::string::npos)
        stem = stem.substr(0, dot);
    return (stem.empty() ? fallback : stem) + "@" + sha256.substr(0, 12);
}

// The embedded autoencoder's card travels in the model's metadata under
// this prefix, so the loader rebuilds it with AutoencoderCard's own reader.
const std::string kAutoencoderPrefix = "autoencoder.";

void writeLatent(const ModelCard &card, std::map<std::string, std::string> &m)
{
    std::ostringstream scale;
    scale.precision(17); // the network was trained on exactly this scale
    scale << card.latent.scale;
    m["latent_resolution"] = std::to_string(card.latent.resolution);
    m["latent_scale"] = scale.str();
    m["autoencoder_id"] = card.latent.autoencoderId();
    m["autoencoder_sha256"] = card.latent.autoencoder.sha256;
    m["autoencoder_file"] = card.latent.autoencoder.fileName;
    for (const auto &[key, value] : card.latent.autoencoder.toMetadata())
        m[kAutoencoderPrefix + key] = value;
}

Result<void> readLatent(const std::map<std::string, std::string> &m, ModelCard &card)
{
    std::map<std::string, std::string> embedded;
    for (const auto &[key, value] : m)
        if (key.rfind(kAutoencoderPrefix, 0) == 0)
            embedded[key.substr(kAutoencoderPrefix.size())] = value;
    auto autoencoder = AutoencoderCard::fromMetadata(embedded);
    if (!autoencoder)
        return makeError("its embedded autoencoder: " + autoencoder.error());
    card.latent.autoencoder = std::move(*autoencoder);
    card.latent.autoencoder.sha256 = valueOr(m, "autoencoder_sha256");
    card.latent.autoencoder.fileName = valueOr(m, "autoencoder_file");
    card.latent.scale = parseNumber(valueOr(m, "latent_scale")).value_or(0.0);
    if (!(card.latent.scale > 0 && card.latent.scale < 1e6))
        return makeError("the latent model's latent scale is missing or out of range");
    const auto &config = card.latent.autoencoder.config;
    if (!parseInt(m, "latent_resolution", card.latent.resolution) || card.latent.resolution != config.latentSize()
        || config.resolution != card.network.resolution || config.latentChannels != card.network.inChannels)
        return makeError("the latent model's network (" + std::to_string(card.network.inChannels) + " channels, "
                         + valueOr(m, "latent_resolution", "?") + " px latent of " + std::to_string(card.network.resolution)
                         + " px input) does not fit its autoencoder (" + config.describe() + ")");
    return {};
}

} // namespace

std::string ModelCard::modelId() const { return fileId(fileName, sha256, kind); }

std::string ModelCard::Latent::autoencoderId() const
{
    return fileId(autoencoder.fileName, autoencoder.sha256, "autoencoder");
}

std::map<std::string, std::string> ModelCard::toMetadata() const
{
    std::map<std::string, std::string> m;
    m["model_format"] = std::to_string(kModelFormatVersion);
    m["kind"] = kind;
    m["classes"] = joinList(classNames, '\t');
    m["crop_size"] = std::to_string(cropSize);
    m["resolution"] = std::to_string(network.resolution);
    m["base_channels"] = std::to_string(network.baseChannels);
    m["channel_mults"] = joinChannelMults(network.channelMults);
    m["res_blocks"] = std::to_string(network.resBlocks);
    m["embed_dim"] = std::to_string(network.embedDim);
    m["mid_attention"] = network.midAttention ? "1" : "0";
    // Only when not RGB: pixel model files stay byte for byte as before.
    if (network.inChannels != 3)
        m["in_channels"] = std::to_string(network.inChannels);
    if (isLatent())
        writeLatent(*this, m);
    m["schedule"] = schedule;
    m["prediction"] = prediction;
    m["normalisation"] = "rgb/127.5-1";
    m["error_scale"] = joinList(errorScale);
    if (!classOffsets.empty()) {
        m["class_offsets"] = joinList(classOffsets);
        m["calibration"] = calibration;
        if (scoreTemperature > 0)
            m["score_temperature"] = numberText(scoreTemperature);
    }
    m["data_hash"] = dataHash;
    // Only when present: files without one stay byte for byte as before.
    if (!domainReference.empty())
        m["domain_reference"] = domainReference;
    if (!anomalyProfile.empty())
        m["anomaly_profile"] = anomalyProfile;
    m["train_command"] = trainCommand;
    m["metrics"] = metrics;
    m["created_at"] = createdAt;
    m["train_steps"] = std::to_string(trainSteps);
    m["train_seconds"] = fixedText(trainSeconds, 6); // as std::to_string wrote it in the C locale
    if (learningRate > 0) {
        // Round-trip precision: a resumed study compares it with --lr.
        std::ostringstream rate;
        rate.precision(17);
        rate << learningRate;
        m["learning_rate"] = rate.str();
    }
    if (batchSize > 0)
        m["batch_size"] = std::to_string(batchSize);
    // Only when narrowed: float32 files stay byte for byte as before.
    if (weights != "float32")
        m["weights"] = weights;
    return m;
}

Result<ModelCard> ModelCard::fromMetadata(const std::map<std::string, std::string> &m)
{
    ModelCard card;
    int format = 0;
    if (!parseInt(m, "model_format", format))
        return makeError("the model file has no format version; it was not written by CytoDiff");
    if (format > kModelFormatVersion) {
        return makeError("the model was written by a newer CytoDiff (model format " + std::to_string(format)
                         + ", this version reads up to " + std::to_string(kModelFormatVersion)
                         + "); update CytoDiff");
    }
    card.kind = valueOr(m, "kind", "diffusion");
    card.classNames = splitList(valueOr(m, "classes"), '\t');
    if (card.classNames.empty())
        return makeError("the model file lists no classes");
    card.network.numClasses = int(card.classNames.size());
    if (!parseInt(m, "crop_size", card.cropSize) || !parseInt(m, "resolution", card.network.resolution)
        || !parseInt(m, "base_channels", card.network.baseChannels) || !parseInt(m, "res_blocks", card.network.resBlocks)
        || !parseInt(m, "embed_dim", card.network.embedDim)) {
        return makeError("the model file's network description is incomplete");
    }
    card.network.channelMults.clear();
    for (const auto &part : splitList(valueOr(m, "channel_mults"))) {
        try {
            card.network.channelMults.push_back(std::stoi(part));
        } catch (...) {
            return makeError("the model file's channel multipliers are unreadable");
        }
    }
    if (card.network.channelMults.empty() || card.network.resolution < 8 || card.network.baseChannels < 1)
        return makeError("the model file's network description is invalid");
    if (auto plausible = checkNetworkSize(card.network); !plausible)
        return makeError(plausible.error());
    card.network.midAttention = valueOr(m, "mid_attention", "1") == "1";
    if (m.count("in_channels")
        && (!parseInt(m, "in_channels", card.network.inChannels) || card.network.inChannels < 1
            || card.network.inChannels > kMaxInChannels))
        return makeError("the model file's input channel count is invalid");
    if (card.isLatent()) {
        if (auto latent = readLatent(m, card); !latent)
            return makeError(latent.error());
    } else if (card.network.inChannels != 3) {
        return makeError("the model file describes a " + std::to_string(card.network.inChannels)
                         + "-channel pixel network; it is damaged");
    }
    card.schedule = valueOr(m, "schedule", "cosine");
    card.prediction = valueOr(m, "prediction", "eps");
    for (const auto &part : splitList(valueOr(m, "error_scale"))) {
        const auto value = parseNumber(part);
        if (!value)
            return makeError("the model file's error scale is unreadable");
        // Each is a positive error size; zeros are what an earlier CytoDiff
        // wrote back after reading the card under a decimal-comma locale.
        if (!(*value > 0))
            return makeError("the model file's error scale is damaged (a value is not above 0; an earlier CytoDiff "
                             "on a decimal-comma workstation rewrote it): make the card again from the trained file");
        card.errorScale.push_back(*value);
    }
    for (const auto &part : splitList(valueOr(m, "class_offsets"))) {
        const auto value = parseNumber(part);
        if (!value)
            return makeError("the model file's class offsets are unreadable");
        card.classOffsets.push_back(*value);
    }
    if (!card.classOffsets.empty() && card.classOffsets.size() != card.classNames.size())
        return makeError("the model file has " + std::to_string(card.classOffsets.size()) + " class offsets for "
                         + std::to_string(card.classNames.size()) + " classes");
    card.calibration = valueOr(m, "calibration");
    card.weights = valueOr(m, "weights", "float32");
    if (card.weights != "float32" && card.weights != "float16")
        return makeError("the model's weights are stored as '" + card.weights
                         + "', which this version of CytoDiff does not read (float32 or float16)");
    const auto temperature = parseWrittenNumber(valueOr(m, "score_temperature", "0"));
    if (!temperature)
        return makeError("the model file's score temperature is unreadable");
    card.scoreTemperature = *temperature;
    // NaN fails both comparisons; an absurd value would flatten or spike the
    // scores a reviewer reads.
    if (!(card.scoreTemperature >= 0.0 && card.scoreTemperature < 1e6))
        return makeError("the model file's score temperature is out of range");
    card.dataHash = valueOr(m, "data_hash");
    card.domainReference = valueOr(m, "domain_reference");
    card.anomalyProfile = valueOr(m, "anomaly_profile");
    card.trainCommand = valueOr(m, "train_command");
    card.metrics = valueOr(m, "metrics");
    card.createdAt = valueOr(m, "created_at");
    try {
        card.trainSteps = std::stoll(valueOr(m, "train_steps", "0"));
    } catch (...) {
    }
    // Provenance only: an unreadable value reads as not recorded.
    card.trainSeconds = parseWrittenNumber(valueOr(m, "train_seconds", "0")).value_or(0.0);
    card.learningRate = parseNumber(valueOr(m, "learning_rate", "0")).value_or(0.0);
    if (!(card.learningRate > 0 && card.learningRate < 1e3))
        card.learningRate = 0;
    if (!parseInt(m, "batch_size", card.batchSize) || card.batchSize < 0)
        card.batchSize = 0;
    return card;
}

Result<ModelFile> readModelFile(const std::string &path)
{
    auto container = readContainer(path, "model");
    if (!container)
        return makeError(container.error());
    auto card = ModelCard::fromMetadata(container->metadata);
    if (!card)
        return makeError("Cannot use '" + path + "': " + card.error() + ".");
    card->sha256 = container->sha256;
    card->fileName = path;
    return ModelFile{std::move(*container), std::move(*card)};
}

Result<std::string> rewriteModelCard(const std::string &source, const std::string &target,
                                     const std::function<Result<void>(ModelCard &card)> &edit)
{
    auto file = readModelFile(source);
    if (!file)
        return makeError(file.error());
    auto *container = &file->container;
    auto *card = &file->card;
    const auto before = card->toMetadata();
    if (auto edited = edit(*card); !edited)
        return makeError(edited.error());
    const auto metadata = card->toMetadata();
    for (const auto &[key, value] : metadata)
        container->metadata[key] = value;
    // Optional keys are written only when present: one the card wrote
    // before the edit and not after was cleared by it (a profile, offsets).
    for (const auto &[key, value] : before)
        if (!metadata.count(key))
            container->metadata.erase(key);
    const std::string temporary = target + ".partial";
    auto written = writeContainer(temporary, *container);
    if (!written)
        return makeError(written.error());
    std::error_code error;
    std::filesystem::rename(temporary, target, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        return makeError("Cannot write " + target + ": " + error.message());
    }
    return container->sha256;
}

} // namespace cytodiff::engine
