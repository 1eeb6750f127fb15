#pragma once
// The names the command line, model cards and study reports give the
// classifier's options (the inverse of engine.h's weightingFromName).

#include "engine.h"

namespace cytodiff::engine {

const char *protocolName(Protocol protocol);    // "fast", "paper"
const char *weightingName(Weighting weighting); // "fitted", "paper", "uniform", "default"

} // namespace cytodiff::engine
