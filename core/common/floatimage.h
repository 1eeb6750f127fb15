#pragma once
// The hand-over format between image preprocessing (OpenCV) and the engine
// (LibTorch): planar RGB float, values in [-1, 1], so neither side needs
// the other's headers.

#include <cstdint>
#include <vector>

namespace cytodiff {

struct FloatImage {
    int channels = 3;
    int height = 0;
    int width = 0;
    std::vector<float> data; // [channels][height][width]
    // Radius, as a share of the side, of the largest centred disk that holds
    // only the source image: a tight crop padded to the model's framing has
    // flat fill beyond it (casenormalisation). 1 = no fill anywhere.
    double imageRadius = 1.0;

    bool empty() const { return data.empty(); }
    std::size_t size() const { return data.size(); }
};

} // namespace cytodiff
