#pragma once
// Image decoding, checking and preprocessing with OpenCV. The one decoder
// used by the importer (to validate files) and by the engine's callers (to
// make network inputs), so what imports is exactly what classifies.
// No Qt and no LibTorch here: the engine receives FloatImage values.

#include "floatimage.h"
#include "result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cytodiff::imaging {

struct ImageInfo {
    int width = 0;
    int height = 0;
    int channels = 0;
};

// How a cell image becomes a network input: take the central
// cropSize x cropSize square (CellaVision crops are centred on the cell),
// then resize to resolution x resolution. The crop is fixed in pixels, not
// fitted to the cell, so the cell's scale is kept.
struct PreprocessSpec {
    int cropSize = 288;
    int resolution = 64;
};

// Decodes and validates an encoded image (JPG, PNG, BMP, TIFF). Fails with a
// user-readable reason for empty, truncated, non-image or degenerate input.
Result<ImageInfo> probe(std::string_view encoded);

// Decode + centre crop + resize + RGB planar floats in [-1, 1].
Result<FloatImage> preprocess(std::string_view encoded, const PreprocessSpec &spec);

// Interleaved 8-bit RGB pixels of a decoded image (for thumbnails etc).
struct Rgb8Image {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels; // [height][width][3]
};
Result<Rgb8Image> decodeRgb(std::string_view encoded);
Result<Rgb8Image> preprocessRgb(std::string_view encoded, const PreprocessSpec &spec);
// Interleaved 8-bit RGB -> planar floats in [-1, 1] (the network's input).
FloatImage toFloatImage(const Rgb8Image &image);

// FloatImage in [-1, 1] -> 8-bit RGB -> PNG bytes.
Result<std::string> encodePng(const FloatImage &image);
Result<std::string> encodePng(const Rgb8Image &image);
// FloatImage -> 8-bit RGB -> bilinear resize to side x side -> PNG. The
// Turing test renders real (preprocessed) and generated cells through this
// one path, so both reach the reader at the same size and encoding.
Result<std::string> encodePngResized(const FloatImage &image, int side);

// Reads a whole file; fails with a message naming the file.
Result<std::string> readFile(const std::string &path);

} // namespace cytodiff::imaging
