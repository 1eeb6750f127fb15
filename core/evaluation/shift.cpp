#include "shift.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace cytodiff::evaluation {

namespace {

std::string number(double v)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return buffer;
}

FloatImage stainShift(const FloatImage &in, double s)
{
    static const double kDirection[3] = {0.6, -0.35, 0.25};
    FloatImage out = in;
    const std::size_t plane = std::size_t(in.height) * std::size_t(in.width);
    for (int c = 0; c < std::min(in.channels, 3); ++c) {
        const double factor = std::max(0.0, 1.0 + kDirection[c] * s);
        for (std::size_t i = 0; i < plane; ++i) {
            float &v = out.data[std::size_t(c) * plane + i];
            const double intensity = std::clamp((double(v) + 1.0) * 0.5, 1.0 / 255.0, 1.0);
            const double density = -std::log(intensity) * factor;
            v = float(std::clamp(std::exp(-density), 0.0, 1.0) * 2.0 - 1.0);
        }
    }
    return out;
}

// Mirror a coordinate back into [0, n): the slide around the crop continues
// with similar texture (other cells, background), so a zoomed-out image
// gets no flat frame that would itself be a cue.
int reflect(int p, int n)
{
    for (int i = 0; i < 4 && (p < 0 || p >= n); ++i)
        p = p < 0 ? -p - 1 : 2 * n - p - 1;
    return std::clamp(p, 0, n - 1);
}

FloatImage scaleShift(const FloatImage &in, double scale)
{
    FloatImage out = in;
    const std::size_t plane = std::size_t(in.height) * std::size_t(in.width);
    const double cx = 0.5 * (in.width - 1), cy = 0.5 * (in.height - 1);
    for (int y = 0; y < in.height; ++y)
        for (int x = 0; x < in.width; ++x) {
            // Inverse map: output pixel -> source position, bilinear.
            const double sx = cx + (x - cx) / scale, sy = cy + (y - cy) / scale;
            const int x0 = int(std::floor(sx)), y0 = int(std::floor(sy));
            const double fx = sx - x0, fy = sy - y0;
            for (int c = 0; c < in.channels; ++c) {
                const auto pixel = [&](int px, int py) -> double {
                    return in.data[std::size_t(c) * plane + std::size_t(reflect(py, in.height)) * in.width
                                   + reflect(px, in.width)];
                };
                const double v = (1 - fy) * ((1 - fx) * pixel(x0, y0) + fx * pixel(x0 + 1, y0))
                                 + fy * ((1 - fx) * pixel(x0, y0 + 1) + fx * pixel(x0 + 1, y0 + 1));
                out.data[std::size_t(c) * plane + std::size_t(y) * in.width + x] = float(v);
            }
        }
    return out;
}

FloatImage blurShift(const FloatImage &in, double sigma)
{
    const int radius = std::max(1, int(std::ceil(3 * sigma)));
    std::vector<double> kernel;
    double sum = 0;
    for (int i = -radius; i <= radius; ++i) {
        kernel.push_back(std::exp(-0.5 * i * i / (sigma * sigma)));
        sum += kernel.back();
    }
    for (double &k : kernel)
        k /= sum;
    const std::size_t plane = std::size_t(in.height) * std::size_t(in.width);
    FloatImage tmp = in, out = in;
    // Separable, edges clamped.
    for (int c = 0; c < in.channels; ++c) {
        const float *src = in.data.data() + std::size_t(c) * plane;
        float *mid = tmp.data.data() + std::size_t(c) * plane;
        float *dst = out.data.data() + std::size_t(c) * plane;
        for (int y = 0; y < in.height; ++y)
            for (int x = 0; x < in.width; ++x) {
                double v = 0;
                for (int i = -radius; i <= radius; ++i)
                    v += kernel[std::size_t(i + radius)] * src[std::size_t(y) * in.width + std::clamp(x + i, 0, in.width - 1)];
                mid[std::size_t(y) * in.width + x] = float(v);
            }
        for (int y = 0; y < in.height; ++y)
            for (int x = 0; x < in.width; ++x) {
                double v = 0;
                for (int i = -radius; i <= radius; ++i)
                    v += kernel[std::size_t(i + radius)] * mid[std::size_t(std::clamp(y + i, 0, in.height - 1)) * in.width + x];
                dst[std::size_t(y) * in.width + x] = float(v);
            }
    }
    return out;
}

} // namespace

std::string ShiftSpec::describe() const
{
    std::string text;
    const auto add = [&text](const std::string &part) { text += (text.empty() ? "" : ",") + part; };
    if (stain != 0)
        add("stain:" + number(stain));
    if (scale != 1)
        add("scale:" + number(scale));
    if (blur != 0)
        add("blur:" + number(blur));
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
        if (part.empty())
            continue;
        const auto colon = part.find(':');
        if (colon == std::string::npos)
            return makeError("Shift '" + part + "' needs a value, e.g. stain:0.3, scale:0.8 or blur:1.");
        const std::string name = part.substr(0, colon);
        char *end = nullptr;
        const std::string valueText = part.substr(colon + 1);
        const double value = std::strtod(valueText.c_str(), &end);
        if (valueText.empty() || end == nullptr || *end != '\0' || !std::isfinite(value))
            return makeError("Shift '" + part + "': '" + valueText + "' is not a number.");
        if (name == "stain") {
            if (std::abs(value) > 1.5)
                return makeError("Shift '" + part + "': stain strength must lie between -1.5 and 1.5.");
            spec.stain = value;
        } else if (name == "scale") {
            if (value < 0.3 || value > 3)
                return makeError("Shift '" + part + "': scale must lie between 0.3 and 3.");
            spec.scale = value;
        } else if (name == "blur") {
            if (value < 0 || value > 10)
                return makeError("Shift '" + part + "': blur sigma must lie between 0 and 10 pixels.");
            spec.blur = value;
        } else {
            return makeError("Unknown shift '" + name + "': use stain, scale or blur.");
        }
    }
    return spec;
}

FloatImage applyShift(const FloatImage &image, const ShiftSpec &shift)
{
    if (image.empty() || image.size() != std::size_t(image.channels) * image.height * image.width)
        return image;
    FloatImage out = image;
    if (shift.scale != 1)
        out = scaleShift(out, shift.scale);
    if (shift.stain != 0)
        out = stainShift(out, shift.stain);
    if (shift.blur > 0)
        out = blurShift(out, shift.blur);
    return out;
}

} // namespace cytodiff::evaluation
