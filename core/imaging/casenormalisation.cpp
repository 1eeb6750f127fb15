#include "casenormalisation.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cytodiff::imaging {
namespace {

// rgb8 in place: each channel's optical density through the affine map.
// A function of each 8-bit value alone, so one lookup table does it.
void mapStain(cv::Mat &rgb8, const CaseNormalisation &n)
{
    cv::Mat table(1, 256, CV_8UC3);
    for (int v = 0; v < 256; ++v)
        for (int c = 0; c < 3; ++c) {
            const double density = -std::log10(std::max(v, 1) / 255.0);
            const double mapped = std::max(0.0, n.gain[std::size_t(c)] * density + n.offset[std::size_t(c)]);
            table.at<cv::Vec3b>(0, v)[c] = cv::saturate_cast<std::uint8_t>(255.0 * std::pow(10.0, -mapped));
        }
    cv::LUT(rgb8, table, rgb8);
}

// The crop's centre: the image's, or the nucleus's when it lies off centre.
cv::Point2d cropCentre(std::string_view encoded, const cv::Mat &rgb8, const CaseNormalisation &n, const ImageStats *stats)
{
    const cv::Point2d centre(rgb8.cols / 2.0, rgb8.rows / 2.0);
    if (n.recentreAbove < 0)
        return centre;
    ImageStats measured;
    if (!stats) {
        auto m = measureImage(encoded);
        if (!m)
            return centre;
        measured = *m;
        stats = &measured;
    }
    if (!stats->cellFound || !std::isfinite(stats->nucleusX) || !std::isfinite(stats->nucleusY))
        return centre; // nothing to centre on: the export's own framing
    const cv::Point2d nucleus(stats->nucleusX, stats->nucleusY);
    const double side = std::min(rgb8.cols, rgb8.rows);
    return cv::norm(nucleus - centre) > n.recentreAbove * side ? nucleus : centre;
}

struct NormalisedCrop {
    cv::Mat rgb;             // [resolution, resolution] RGB8
    double imageRadius = 1.0; // FloatImage::imageRadius
};

Result<NormalisedCrop> normalisedCrop(std::string_view encoded, const PreprocessSpec &spec, const CaseNormalisation &n,
                                      const ImageStats *stats)
{
    if (spec.cropSize < 1 || spec.resolution < 1)
        return makeError("invalid preprocessing: crop size and resolution must be positive");
    if (!(n.scale > 0) || !std::isfinite(n.scale))
        return makeError("invalid case normalisation: the scale must be positive");
    auto decoded = decodeRgb(encoded);
    if (!decoded)
        return makeError(decoded.error());
    try {
        cv::Mat rgb(decoded->height, decoded->width, CV_8UC3, decoded->pixels.data());
        if (n.stain)
            mapStain(rgb, n);
        const cv::Point2d centre = cropCentre(encoded, rgb, n, stats);
        // The model's crop at the case's scale, in source pixels; without
        // padding never beyond the image (the unnormalised rule).
        double side = spec.cropSize * n.scale;
        if (!n.pad)
            side = std::min({side, double(rgb.cols), double(rgb.rows)});
        const int whole = std::max(1, int(std::lround(side)));
        const cv::Rect window(int(std::lround(centre.x - whole / 2.0)), int(std::lround(centre.y - whole / 2.0)), whole, whole);
        const cv::Rect inside = window & cv::Rect(0, 0, rgb.cols, rgb.rows);
        if (inside.area() == 0)
            return makeError("the cell lies outside the image");
        const cv::Scalar fill(n.fill[0], n.fill[1], n.fill[2]);
        cv::Mat canvas(whole, whole, CV_8UC3, fill);
        const cv::Rect real = inside - window.tl();
        rgb(inside).copyTo(canvas(real));
        NormalisedCrop out;
        if (real.area() < window.area()) {
            const double c = whole / 2.0;
            const double reach = std::min({c - real.x, real.x + real.width - c, c - real.y, real.y + real.height - c});
            out.imageRadius = std::max(0.0, reach) / whole;
        }
        cv::resize(canvas, out.rgb, cv::Size(spec.resolution, spec.resolution), 0, 0,
                   whole >= spec.resolution ? cv::INTER_AREA : cv::INTER_LINEAR);
        return out;
    } catch (const cv::Exception &e) {
        return makeError(std::string("cannot normalise image: ") + e.what());
    }
}

Rgb8Image toRgb8Image(const cv::Mat &rgb)
{
    Rgb8Image out;
    out.width = rgb.cols;
    out.height = rgb.rows;
    const cv::Mat continuous = rgb.isContinuous() ? rgb : rgb.clone();
    out.pixels.assign(continuous.data, continuous.data + std::size_t(rgb.cols) * rgb.rows * 3);
    return out;
}

} // namespace

std::string CaseNormalisation::describe() const
{
    if (isIdentity())
        return "none";
    std::string text;
    const auto add = [&text](const std::string &part) { text += (text.empty() ? "" : ", ") + part; };
    if (scale != 1.0) {
        char buffer[48];
        std::snprintf(buffer, sizeof buffer, "cells %.2fx the training size rescaled", scale);
        add(buffer);
    }
    if (pad)
        add("crops padded to the model's framing");
    if (recentreAbove >= 0)
        add("off-centre cells recentred");
    if (stain)
        add("stain colours mapped to those of the training images");
    return text;
}

std::array<double, 3> rgbOfLab(const std::array<double, 3> &lab)
{
    cv::Mat pixel(1, 1, CV_32FC3, cv::Scalar(lab[0], lab[1], lab[2]));
    cv::cvtColor(pixel, pixel, cv::COLOR_Lab2RGB);
    const cv::Vec3f rgb = pixel.at<cv::Vec3f>(0, 0);
    return {std::clamp(rgb[0] * 255.0, 0.0, 255.0), std::clamp(rgb[1] * 255.0, 0.0, 255.0),
            std::clamp(rgb[2] * 255.0, 0.0, 255.0)};
}

Result<Rgb8Image> preprocessNormalisedRgb(std::string_view encoded, const PreprocessSpec &spec,
                                          const CaseNormalisation &normalisation, const ImageStats *stats)
{
    if (normalisation.isIdentity())
        return preprocessRgb(encoded, spec);
    auto crop = normalisedCrop(encoded, spec, normalisation, stats);
    if (!crop)
        return makeError(crop.error());
    return toRgb8Image(crop->rgb);
}

Result<FloatImage> preprocessNormalised(std::string_view encoded, const PreprocessSpec &spec,
                                        const CaseNormalisation &normalisation, const ImageStats *stats)
{
    if (normalisation.isIdentity())
        return preprocess(encoded, spec);
    auto crop = normalisedCrop(encoded, spec, normalisation, stats);
    if (!crop)
        return makeError(crop.error());
    FloatImage image = toFloatImage(toRgb8Image(crop->rgb));
    image.imageRadius = crop->imageRadius;
    return image;
}

} // namespace cytodiff::imaging
