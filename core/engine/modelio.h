#pragma once
// Internal: writing and reading network weights inside a container.

#include <torch/torch.h>

#include "classifier.h"
#include "container.h"
#include "engine.h"
#include "unet.h"

namespace cytodiff::engine {

std::string serializeModule(torch::nn::Module &module);
Result<void> deserializeModule(torch::nn::Module &module, const std::string &payload, const torch::Device &device,
                               const std::string &sourceName);

// A container of kind "model": the card as metadata, the module's weights
// (moved to the CPU for writing) as payload. Fills in card.sha256 and
// card.fileName.
Result<void> writeModelFile(const std::string &path, ModelCard &card, torch::nn::Module &weights);
Result<void> saveDiffusionModel(const std::string &path, ModelCard &card, UNet &network);

// Storage precision (ModelCard::weights). Loading builds the network,
// narrows it to the stored type so the archive can replace every tensor,
// reads the payload into root (which contains network) and widens network
// back to float32; a payload of another type is a damaged file.
Result<torch::Dtype> storedDtype(const ModelCard &card);
void castFloatingTensors(torch::nn::Module &module, torch::Dtype dtype);
Result<void> loadStoredWeights(torch::nn::Module &root, torch::nn::Module &network, const ModelCard &card,
                               const std::string &payload, const torch::Device &device, const std::string &sourceName);

// The denoising network of a (latent) diffusion model file, float32 on the
// CPU, with its card: the warm start of a training run (TrainOptions::initPath).
struct StoredDenoiser {
    ModelCard card;
    UNet network{nullptr};
};
Result<StoredDenoiser> loadDenoiser(const std::string &path);

Result<torch::Device> parseDevice(const std::string &device);

// FloatImage [C,R,R] <-> tensor.
torch::Tensor toTensor(const FloatImage &image);
FloatImage toFloatImage(const torch::Tensor &chw);

// eps_theta as the classifier and sampler want it, from a network whose
// output may be eps or v (v converted to eps: eps = sqrt(1-ab) z + sqrt(ab) v).
// Any channel count: pixels or a latent.
// bf16: the network's weights are bfloat16 (Model::setNetworkPrecision); z
// goes in as bfloat16, t as float32, and the output comes back float32.
EpsFn makeEpsFn(UNet &network, const NoiseSchedule &schedule, const std::string &prediction,
                const torch::Device &device, bool bf16 = false);

} // namespace cytodiff::engine
