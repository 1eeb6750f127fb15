#pragma once
// The engine's hand-over image type as a QImage, for display and PNG export.

#include "floatimage.h"

#include <QImage>

namespace cytodiff::demo {

// [3][H][W] planar floats in [-1, 1] -> 8-bit RGB.
QImage toQImage(const FloatImage &image);

} // namespace cytodiff::demo
