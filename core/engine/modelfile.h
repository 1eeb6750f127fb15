#pragma once
// Internal: a model file's container with its card read, for the tools that
// rewrite or convert model files.

#include "container.h"
#include "engine.h"

namespace cytodiff::engine {

struct ModelFile {
    Container container;
    ModelCard card;
};
// Errors name the file; the card's sha256 and fileName are filled in.
Result<ModelFile> readModelFile(const std::string &path);

} // namespace cytodiff::engine
