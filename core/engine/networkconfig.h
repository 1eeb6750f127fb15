#pragma once
// Hyper-parameters of the denoiser, stored in every model file so the
// loader can rebuild the exact network. Torch-free.

#include <string>
#include <vector>

namespace cytodiff::engine {

struct NetworkConfig {
    int resolution = 48;           // input is resolution x resolution RGB
    int baseChannels = 32;
    std::vector<int> channelMults{1, 2, 2, 4};
    int resBlocks = 1;             // residual blocks per level (down and up)
    int embedDim = 128;            // timestep + class embedding width
    int numClasses = 2;            // the null class is index numClasses
    bool midAttention = true;      // one self-attention at the lowest level

    std::string describe() const;
};

} // namespace cytodiff::engine
