#include "sourceshift.h"

#include "imageio.h"
#include "numbertext.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace cytodiff::imaging {
namespace {

// rgb8: interleaved RGB, changed in place.
void stainShift(cv::Mat &rgb8, double s)
{
    static const double kDirection[3] = {0.6, -0.35, 0.25};
    // One lookup table per channel: 256 densities, not one log per pixel.
    cv::Mat table(1, 256, CV_8UC3);
    for (int v = 0; v < 256; ++v)
        for (int c = 0; c < 3; ++c) {
            const double factor = std::max(0.0, 1.0 + kDirection[c] * s);
            const double intensity = std::max(v, 1) / 255.0;
            const double density = -std::log(intensity) * factor;
            table.at<cv::Vec3b>(0, v)[c] = cv::saturate_cast<std::uint8_t>(std::exp(-density) * 255.0);
        }
    cv::LUT(rgb8, table, rgb8);
}

// Same pixel size, content zoomed by `scale` about the centre; the border
// beyond the source is mirrored (the slide around the crop continues with
// similar texture, so a zoomed-out image gets no flat frame that would
// itself be a cue).
cv::Mat scaleShift(const cv::Mat &rgb8, double scale)
{
    const double cx = 0.5 * (rgb8.cols - 1), cy = 0.5 * (rgb8.rows - 1);
    // Output -> source: x_src = cx + (x - cx) / scale.
    const cv::Matx23d toSource(1.0 / scale, 0, cx - cx / scale, 0, 1.0 / scale, cy - cy / scale);
    cv::Mat source = rgb8;
    if (scale < 1) // averaging first: a lower magnification does not alias
        cv::GaussianBlur(rgb8, source, cv::Size(), 0.5 / scale - 0.5 + 1e-3);
    cv::Mat out;
    cv::warpAffine(source, out, toSource, rgb8.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REFLECT_101);
    return out;
}

Result<std::string> encode(const cv::Mat &rgb8, int jpegQuality)
{
    try {
        cv::Mat bgr;
        cv::cvtColor(rgb8, bgr, cv::COLOR_RGB2BGR);
        std::vector<std::uint8_t> buffer;
        const bool ok = jpegQuality > 0 ? cv::imencode(".jpg", bgr, buffer, {cv::IMWRITE_JPEG_QUALITY, jpegQuality})
                                        : cv::imencode(".png", bgr, buffer);
        if (!ok)
            return makeError("encoding the shifted image failed");
        return std::string(buffer.begin(), buffer.end());
    } catch (const cv::Exception &e) {
        return makeError(std::string("encoding the shifted image failed: ") + e.what());
    }
}

// One "name:value" part into spec.
Result<void> parsePart(const std::string &part, ShiftSpec &spec)
{
    const auto colon = part.find(':');
    if (colon == std::string::npos)
        return makeError("Shift '" + part + "' needs a value, e.g. stain:0.3, scale:0.8, blur:1, crop:0.5 or jpeg:70.");
    const std::string name = part.substr(0, colon);
    const std::string valueText = part.substr(colon + 1);
    const double value = parseNumber(valueText).value_or(std::nan(""));
    if (!std::isfinite(value))
        return makeError("Shift '" + part + "': '" + valueText + "' is not a number.");
    const auto outside = [&](double low, double high, const std::string &what) -> Result<void> {
        return makeError("Shift '" + part + "': " + what + " must lie between " + numberText(low) + " and " + numberText(high) + ".");
    };
    if (name == "stain") {
        if (std::abs(value) > 1.5)
            return outside(-1.5, 1.5, "stain strength");
        spec.stain = value;
    } else if (name == "scale") {
        if (value < 0.3 || value > 3)
            return outside(0.3, 3, "scale");
        spec.scale = value;
    } else if (name == "blur") {
        if (value < 0 || value > 10)
            return outside(0, 10, "blur sigma (source pixels)");
        spec.blur = value;
    } else if (name == "crop") {
        if (value < 0.2 || value > 1)
            return outside(0.2, 1, "the crop's share of the shorter side");
        spec.crop = value;
    } else if (name == "jpeg") {
        if (value < 0 || value > 100 || value != std::floor(value))
            return outside(0, 100, "JPEG quality (a whole number; 0 = lossless)");
        spec.jpeg = int(value);
    } else {
        return makeError("Unknown shift '" + name + "': use stain, scale, blur, crop or jpeg.");
    }
    return {};
}

} // namespace

std::string ShiftSpec::describe() const
{
    std::string text;
    const auto add = [&text](const std::string &part) { text += (text.empty() ? "" : ",") + part; };
    if (stain != 0)
        add("stain:" + numberText(stain));
    if (blur != 0)
        add("blur:" + numberText(blur));
    if (scale != 1)
        add("scale:" + numberText(scale));
    if (crop != 1)
        add("crop:" + numberText(crop));
    if (jpeg != 0)
        add("jpeg:" + std::to_string(jpeg));
    return text.empty() ? "none" : text;
}

Result<ShiftSpec> parseShift(const std::string &text)
{
    ShiftSpec spec;
    if (text.empty() || text == "none")
        return spec;
    std::string normalised = text;
    std::replace(normalised.begin(), normalised.end(), '|', ',');
    std::stringstream parts(normalised);
    std::string part;
    while (std::getline(parts, part, ',')) {
        if (part.empty() || part == "none")
            continue;
        if (auto parsed = parsePart(part, spec); !parsed)
            return makeError(parsed.error());
    }
    return spec;
}

Result<std::string> applyShift(std::string_view encoded, const ShiftSpec &shift)
{
    if (shift.isIdentity())
        return std::string(encoded);
    auto decoded = decodeRgb(encoded);
    if (!decoded)
        return makeError(decoded.error());
    try {
        cv::Mat rgb = cv::Mat(decoded->height, decoded->width, CV_8UC3, decoded->pixels.data()).clone();
        if (shift.stain != 0)
            stainShift(rgb, shift.stain);
        if (shift.blur > 0)
            cv::GaussianBlur(rgb, rgb, cv::Size(), shift.blur);
        if (shift.scale != 1)
            rgb = scaleShift(rgb, shift.scale);
        if (shift.crop < 1) {
            const int side = std::max(16, int(std::lround(shift.crop * std::min(rgb.cols, rgb.rows))));
            rgb = rgb(cv::Rect((rgb.cols - side) / 2, (rgb.rows - side) / 2, side, side)).clone();
        }
        return encode(rgb, shift.jpeg);
    } catch (const cv::Exception &e) {
        return makeError(std::string("cannot shift the image: ") + e.what());
    }
}

} // namespace cytodiff::imaging
