#pragma once
// What a cell image looks like, in numbers a domain check can compare with
// the training images' (issue 21): image size, where and how large the
// cell's nucleus is, how much unstained background surrounds it, the stain's
// colour and the focus. Measured on the source image, before any crop, so a
// tight crop, another magnification or another stain shows up as itself.
//
// Segmentation: optical density (OD = -log10(I / 255), summed over R, G and
// B) separates the dark-stained nucleus from red cells and cytoplasm. A
// three-class Otsu split of the smoothed OD image gives background, light
// stain (red cells, cytoplasm) and dark stain (nucleus, granules); the
// nucleus is the dark-stain area near the image centre (CellaVision crops are
// centred on the cell). No nucleus near the centre = cellFound false: the
// measurement says so instead of guessing. Red cells (round light-stain
// areas away from the centre, not cut by the border) measure the
// magnification: they are about 7.5 um across in every laboratory.

#include "result.h"

#include <array>
#include <limits>
#include <string>
#include <string_view>

namespace cytodiff::imaging {

// Fixed order: the domain reference stores percentiles per feature by name.
enum class ImageFeature {
    Width = 0,        // source pixels
    Height,           // source pixels
    NucleusDiameter,  // equivalent diameter of the central dark-stained area, source pixels
    CentreOffset,     // its centroid's distance from the image centre / shorter side
    BackgroundShare,  // share of pixels that are unstained (summed OD < 0.3)
    NucleusL,         // CIELAB of the nucleus area (L in 0..100, a and b signed)
    NucleusA,
    NucleusB,
    BackgroundL,      // CIELAB of the background (NaN when there is none)
    BackgroundA,
    BackgroundB,
    Sharpness,        // mean |Laplacian| / grey std, rendered at 128/360 of the source pixels
    RedCellDiameter,  // median equivalent diameter of whole, round red cells (NaN: none), source pixels
};
inline constexpr int kImageFeatureCount = 13;

// Stable identifier ("nucleus_diameter") for files and model cards.
std::string featureKey(ImageFeature feature);

struct ImageStats {
    bool cellFound = false;
    // NaN where a value cannot be measured (no background, no nucleus).
    std::array<double, kImageFeatureCount> values{};
    // The nucleus's centroid in source pixels (NaN when none was found):
    // where the case normalisation recentres an off-centre cell.
    double nucleusX = std::numeric_limits<double>::quiet_NaN();
    double nucleusY = std::numeric_limits<double>::quiet_NaN();
    // A JPEG's compression as the IJG quality (1-100) its luminance
    // quantisation table corresponds to; NaN for other formats. Not a
    // reference feature: heavy compression is judged against a fixed floor.
    double jpegQuality = std::numeric_limits<double>::quiet_NaN();
    double value(ImageFeature feature) const { return values[static_cast<int>(feature)]; }
};

// Decodes (with the importer's checks) and measures one image.
Result<ImageStats> measureImage(std::string_view encoded);

// The IJG quality (1-100) of a JPEG's first luminance quantisation table:
// the table is compared with the standard one the IJG quality scales
// (ITU-T T.81 Annex K). NaN when the bytes are no JPEG or hold no table.
double estimateJpegQuality(std::string_view encoded);

} // namespace cytodiff::imaging
