#include <torch/torch.h>

#include "baselinenet.h"
#include "latentcodec.h"
#include "modelfile.h"
#include "modelio.h"

namespace cytodiff::engine {

Result<torch::Dtype> storedDtype(const ModelCard &card)
{
    if (card.weights == "float32")
        return torch::kFloat32;
    if (card.weights == "float16")
        return torch::kHalf;
    return makeError("The model's weights are stored as '" + card.weights + "', which this version cannot read.");
}

void castFloatingTensors(torch::nn::Module &module, torch::Dtype dtype)
{
    // Module::to(dtype) would also turn integer buffers (BatchNorm's batch
    // counter) into floats; only floating-point tensors change here.
    torch::NoGradGuard noGrad;
    for (auto &parameter : module.parameters())
        if (parameter.is_floating_point())
            parameter.set_data(parameter.to(dtype));
    for (auto &buffer : module.buffers())
        if (buffer.is_floating_point())
            buffer.set_data(buffer.to(dtype));
}

Result<void> widenStoredTensors(torch::nn::Module &module, torch::Dtype stored, const std::string &sourceName)
{
    for (const auto &parameter : module.parameters())
        if (parameter.scalar_type() != stored)
            return makeError("The weights in '" + sourceName + "' are not stored as its card says; the file is damaged.");
    castFloatingTensors(module, torch::kFloat32);
    return {};
}

namespace {

// The network a model file's payload holds, built at its stored precision
// so that loading the payload can replace every tensor (the archive keeps
// each tensor's own type). `network` is the part whose precision the card
// names; a latent model's autoencoder is float16 whatever the card says.
struct StoredNetworks {
    std::shared_ptr<torch::nn::Module> root;
    std::shared_ptr<torch::nn::Module> network;
    UNet unet{nullptr}; // the denoiser of a (latent) diffusion model
};

StoredNetworks buildStoredNetworks(const ModelCard &card, torch::Dtype stored)
{
    StoredNetworks built;
    if (card.isLatent()) {
        built.unet = UNet(card.network);
        Autoencoder autoencoder(card.latent.autoencoder.config);
        autoencoder->to(torch::kHalf);
        built.root = latentBundle(built.unet, autoencoder);
        built.network = built.unet.ptr();
    } else if (card.kind == "baseline") {
        built.network = built.root = ResNetClassifier(card.network).ptr();
    } else {
        built.unet = UNet(card.network);
        built.network = built.root = built.unet.ptr();
    }
    castFloatingTensors(*built.network, stored);
    return built;
}

} // namespace

Result<std::string> storeModelWeights(const std::string &source, const std::string &target, const std::string &weights)
{
    auto file = readModelFile(source);
    if (!file)
        return makeError(file.error());
    auto *container = &file->container;
    auto *card = &file->card;
    auto stored = storedDtype(*card);
    ModelCard wanted = *card;
    wanted.weights = weights;
    auto targetDtype = storedDtype(wanted);
    if (!stored || !targetDtype)
        return makeError(!stored ? stored.error() : targetDtype.error());
    try {
        auto built = buildStoredNetworks(*card, *stored);
        if (auto loaded = deserializeModule(*built.root, container->payload, torch::kCPU, source); !loaded)
            return makeError(loaded.error());
        castFloatingTensors(*built.network, *targetDtype);
        container->payload = serializeModule(*built.root);
    } catch (const std::exception &e) {
        return makeError("Converting '" + source + "' failed: " + std::string(e.what()).substr(0, 200));
    }
    for (const auto &[key, value] : wanted.toMetadata())
        container->metadata[key] = value;
    if (weights == "float32")
        container->metadata.erase("weights");
    if (auto written = writeContainer(target, *container); !written)
        return makeError(written.error());
    return container->sha256;
}

Result<StoredDenoiser> loadDenoiser(const std::string &path)
{
    auto file = readModelFile(path);
    if (!file)
        return makeError(file.error());
    auto *container = &file->container;
    auto *card = &file->card;
    if (card->kind == "baseline")
        return makeError("'" + path + "' is a CNN baseline, not a diffusion model.");
    auto stored = storedDtype(*card);
    if (!stored)
        return makeError(stored.error());
    try {
        auto built = buildStoredNetworks(*card, *stored);
        if (auto loaded = deserializeModule(*built.root, container->payload, torch::kCPU, path); !loaded)
            return makeError(loaded.error());
        if (auto widened = widenStoredTensors(*built.network, *stored, path); !widened)
            return makeError(widened.error());
        return StoredDenoiser{std::move(*card), built.unet};
    } catch (const std::exception &e) {
        return makeError("Cannot read the network of '" + path + "': " + std::string(e.what()).substr(0, 200));
    }
}

Result<void> loadStoredWeights(torch::nn::Module &root, torch::nn::Module &network, const ModelCard &card,
                               const std::string &payload, const torch::Device &device, const std::string &sourceName)
{
    auto stored = storedDtype(card);
    if (!stored)
        return makeError(stored.error());
    castFloatingTensors(network, *stored);
    if (auto loaded = deserializeModule(root, payload, device, sourceName); !loaded)
        return loaded;
    return widenStoredTensors(network, *stored, sourceName);
}

} // namespace cytodiff::engine
