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

Result<torch::Device> parseDevice(const std::string &device);

// FloatImage [C,R,R] <-> tensor.
torch::Tensor toTensor(const FloatImage &image);
FloatImage toFloatImage(const torch::Tensor &chw);

// eps_theta as the classifier and sampler want it, from a network whose
// output may be eps or v (v converted to eps: eps = sqrt(1-ab) z + sqrt(ab) v).
// Any channel count: pixels or a latent.
EpsFn makeEpsFn(UNet &network, const NoiseSchedule &schedule, const std::string &prediction,
                const torch::Device &device);

} // namespace cytodiff::engine
