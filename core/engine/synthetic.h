#pragma once
// Tiny synthetic data for smoke tests where no real pack or trained
// autoencoder is at hand (`cytodiff-engine make-test-pack`, the dry run of
// scripts/train-on-gpu.sh, unit tests): it exercises the code paths, it
// teaches nothing. Public and torch-free.

#include "result.h"
#include "trainingdata.h"

#include <cstdint>
#include <string>

namespace cytodiff::engine {

// Two classes, "disc" (with a dark nucleus dot) and "ring", perClass cells
// each at resolution px, jittered in size, position and ink; the usual
// stratified split.
TrainingData syntheticCells(int perClass, int resolution, std::uint32_t seed);

// An autoencoder of 8-channel levels for resolution px cells with random
// weights: an untrained one starts as the identity blocks with zeroed
// output layers, whose latents would not vary.
Result<void> writeRandomAutoencoder(const std::string &path, int resolution, std::uint64_t seed);

} // namespace cytodiff::engine
