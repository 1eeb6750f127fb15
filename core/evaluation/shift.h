#pragma once
// Synthetic domain shifts for robustness tests (paper section 3.9 uses a
// second lab's images; we have none, so we imitate the two things that
// differ most between labs: the stain and the magnification). Applied to
// the preprocessed network input, after crop and resize.

#include "floatimage.h"
#include "result.h"

#include <string>

namespace cytodiff::evaluation {

struct ShiftSpec {
    // Stain strength change in optical density (Beer-Lambert) space: 0 =
    // none; s scales the red, green and blue densities by (1 + 0.6 s),
    // (1 - 0.35 s) and (1 + 0.25 s), which turns a May-Gruenwald-Giemsa
    // purple bluer and paler. Negative s goes the other way. White
    // background (density 0) stays white, as it does under any stain.
    double stain = 0;
    // Magnification: 0.8 shows the cell at 80% of its size (a lower-power
    // objective); the uncovered border is the image mirrored at its edges.
    double scale = 1;
    // Gaussian blur sigma in input pixels (focus).
    double blur = 0;

    bool isIdentity() const { return stain == 0 && scale == 1 && blur == 0; }
    std::string describe() const; // "stain:0.3,scale:0.8" (or "none")
};

// "stain:0.3", "scale:0.8", "blur:1", or several joined by ',' or '|';
// "none" or "" is the identity. Errors name the part that is wrong.
Result<ShiftSpec> parseShift(const std::string &text);

// Image in [-1, 1] (planar RGB) -> shifted image, same size.
FloatImage applyShift(const FloatImage &image, const ShiftSpec &shift);

} // namespace cytodiff::evaluation
