#pragma once
// Synthetic shifts of a source image, imitating another laboratory's
// analyser on our own labelled cells (issue 21, item 5): another stain,
// another magnification, a tighter export crop, lossy compression, focus.
//
// They act on the image file, before anything of ours has seen it, so the
// whole pipeline meets them as it would meet a foreign export: the domain
// check measures them, the case normalisation corrects what it can, and the
// preprocessing crops and resizes the result.

#include "result.h"

#include <string>
#include <string_view>

namespace cytodiff::imaging {

struct ShiftSpec {
    // Stain strength change in optical density (Beer-Lambert) space: 0 =
    // none; s scales the red, green and blue densities by (1 + 0.6 s),
    // (1 - 0.35 s) and (1 + 0.25 s), which turns a May-Gruenwald-Giemsa
    // purple bluer and paler. Negative s goes the other way. White
    // background (density 0) stays white, as it does under any stain.
    double stain = 0;
    // Gaussian blur sigma in source pixels (focus), applied before scaling.
    double blur = 0;
    // Magnification: 0.8 shows the cell at 80% of its size in an image of
    // the same pixel size (a lower-power objective sees more of the slide;
    // the part we do not have is the image mirrored at its edges).
    double scale = 1;
    // Export crop: keep the central square of this share of the shorter
    // side (0.45 of a 360 px PBC image is a 162 px crop, tight around the
    // cell, as some analysers export). 1 = no crop.
    double crop = 1;
    // JPEG quality 1-100 of the exported file; 0 = lossless (PNG).
    int jpeg = 0;

    bool isIdentity() const { return stain == 0 && blur == 0 && scale == 1 && crop == 1 && jpeg == 0; }
    std::string describe() const; // "stain:0.3,scale:0.8" (or "none")
};

// "stain:0.3", "scale:0.8", "blur:1", "crop:0.5", "jpeg:70", or several
// joined by ',' or '|'; "none" or "" is the identity. Errors name the part
// that is wrong.
Result<ShiftSpec> parseShift(const std::string &text);

// An image file's bytes -> the shifted image file's bytes (PNG, or JPEG at
// the spec's quality). The identity returns the input unchanged.
Result<std::string> applyShift(std::string_view encoded, const ShiftSpec &shift);

} // namespace cytodiff::imaging
