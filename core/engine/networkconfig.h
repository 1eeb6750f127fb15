#pragma once
// Hyper-parameters of the denoiser, stored in every model file so the
// loader can rebuild the exact network. Torch-free.

#include <string>
#include <vector>

namespace cytodiff::engine {

struct NetworkConfig {
    // The model's input: resolution x resolution RGB. A latent model's
    // network runs on the autoencoder's smaller latent instead
    // (ModelCard::networkResolution()), but callers preprocess to this.
    int resolution = 48;
    // Channels the network denoises: 3 for RGB pixels, the latent's
    // channels (4) for a latent model. Files without it hold pixel models.
    int inChannels = 3;
    // The member defaults are the diffusion network every command trains
    // unless told otherwise (the shipped models' shape); the CNN baseline's
    // is baselineNetwork(). Callers take their defaults from here.
    int baseChannels = 24;
    std::vector<int> channelMults{1, 2, 3, 4};
    int resBlocks = 1;             // residual blocks per level (down and up)
    int embedDim = 128;            // timestep + class embedding width
    int numClasses = 2;            // the null class is index numClasses
    bool midAttention = true;      // one self-attention at the lowest level

    std::string describe() const;
};

// The discriminative baseline's default shape (ResNet-18-like widths).
NetworkConfig baselineNetwork();

// "1,2,3,4": how commands print and parse channel multipliers.
std::string joinChannelMults(const std::vector<int> &mults);

} // namespace cytodiff::engine
