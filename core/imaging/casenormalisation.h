#pragma once
// A case's images brought to the framing and stain the model was trained on
// (issue 21, items 1 and 2). Fitted once per case from its images'
// measurements against the model card's training reference
// (domain::fitNormalisation), then applied to every cell of the case as it
// is preprocessed, so one odd image cannot move its own correction and the
// relative sizes of the case's cells (a lymphocyte is smaller than a
// monocyte) survive:
//  - scale: the case's cells look `scale` times as large as the training
//    cells (red-cell diameter where red cells exist: about 7.5 um in every
//    laboratory; else the nucleus), so the crop is `scale` times the
//    model's crop and the cell reaches the network at the training scale;
//  - framing: a crop that would reach beyond the image (a tight export
//    crop) is filled with the training images' background colour instead
//    of being enlarged, and a cell whose nucleus lies off centre is
//    recentred on it;
//  - stain: a per-channel affine map of optical density (OD = -log10 of the
//    intensity; Beer-Lambert: dyes add in OD, and another stain protocol
//    or lamp scales each channel's density), anchored on the segmented
//    background and nucleus: the idea of Reinhard et al. 2001's colour
//    transfer (match the reference's statistics channel by channel) in the
//    space where stains mix linearly, and on anchors that the case's cell
//    mix and red-cell density do not move.
// The identity leaves preprocessing exactly as without normalisation.

#include "floatimage.h"
#include "imageio.h"
#include "imagestats.h"
#include "result.h"

#include <array>
#include <string>
#include <string_view>

namespace cytodiff::imaging {

struct CaseNormalisation {
    // The case's cells in source pixels per training source pixel.
    double scale = 1.0;
    // Whether the scale was measured (red cells or nuclei) and found to be
    // `scale` (perhaps 1); false: not judged, or beyond what can be trusted.
    bool scaleMeasured = false;
    // Recentre a cell whose nucleus lies further than this share of the
    // image's shorter side from the centre; < 0: never.
    double recentreAbove = -1.0;
    // Fill beyond the image instead of cropping smaller and enlarging.
    bool pad = false;
    // Whether the framing was fitted: the model's crop at the case's scale
    // then either fits in the images or is padded, never enlarged.
    bool framingFitted = false;
    // Optical density per RGB channel: out = gain * in + offset.
    bool stain = false;
    std::array<double, 3> gain{1.0, 1.0, 1.0};
    std::array<double, 3> offset{0.0, 0.0, 0.0};
    // RGB (0..255) of the padding: the training images' background.
    std::array<double, 3> fill{235.0, 225.0, 210.0};

    bool isIdentity() const { return scale == 1.0 && recentreAbove < 0 && !pad && !stain; }
    // "scale 0.80x, tight crops padded, stain corrected" or "none".
    std::string describe() const;
};

// CIELAB (L 0..100) -> 8-bit RGB, for the padding colour.
std::array<double, 3> rgbOfLab(const std::array<double, 3> &lab);

// The network input of one cell of a normalised case: decode, stain map,
// crop (scale, recentring, padding), resize, [-1, 1] planar RGB. stats: the
// image's own measurement when the caller has it (recentring needs the
// nucleus centre); null measures the image when recentring is on.
Result<FloatImage> preprocessNormalised(std::string_view encoded, const PreprocessSpec &spec,
                                        const CaseNormalisation &normalisation, const ImageStats *stats = nullptr);
// The same as 8-bit RGB (heatmap display, training packs, Turing test).
Result<Rgb8Image> preprocessNormalisedRgb(std::string_view encoded, const PreprocessSpec &spec,
                                          const CaseNormalisation &normalisation, const ImageStats *stats = nullptr);

} // namespace cytodiff::imaging
