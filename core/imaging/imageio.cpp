#include "imageio.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>

namespace cytodiff::imaging {
namespace {

// Below this an image cannot hold a cell at any magnification we support;
// such files are thumbnails, icons or broken crops.
constexpr int kMinimumSide = 16;

enum class Format { Unknown, Jpeg, Png, Bmp, Tiff };

bool startsWith(std::string_view bytes, std::string_view magic)
{
    return bytes.size() >= magic.size() && bytes.substr(0, magic.size()) == magic;
}

// The magic number decides the format, not the file name: exports are
// renamed by hand and a ".jpg" that is really a PNG is still a good image.
Format sniffFormat(std::string_view bytes)
{
    using namespace std::string_view_literals;
    if (startsWith(bytes, "\xFF\xD8\xFF"sv))
        return Format::Jpeg;
    if (startsWith(bytes, "\x89PNG\r\n\x1A\n"sv))
        return Format::Png;
    if (startsWith(bytes, "BM"sv) && bytes.size() >= 26)
        return Format::Bmp;
    if (startsWith(bytes, "II*\0"sv) || startsWith(bytes, "MM\0*"sv))
        return Format::Tiff;
    return Format::Unknown;
}

// libjpeg fills a truncated stream with grey and OpenCV returns the partial
// picture without complaint, so a cut-off download would import as a valid
// cell. A complete JPEG ends with the EOI marker (FF D9); some writers add
// padding after it, so look in the tail rather than at the last two bytes.
bool jpegHasEndMarker(std::string_view bytes)
{
    constexpr std::size_t kTail = 4096;
    const std::size_t start = bytes.size() > kTail ? bytes.size() - kTail : 2;
    for (std::size_t i = bytes.size(); i-- > start + 1;) {
        if (static_cast<unsigned char>(bytes[i - 1]) == 0xFF && static_cast<unsigned char>(bytes[i]) == 0xD9)
            return true;
    }
    return false;
}

// libpng is strict about CRCs but the last chunk may be lost without the
// pixels being affected; a PNG without IEND is still a truncated file.
bool pngHasEndChunk(std::string_view bytes)
{
    using namespace std::string_view_literals;
    constexpr std::size_t kTail = 64;
    const std::string_view tail = bytes.size() > kTail ? bytes.substr(bytes.size() - kTail) : bytes;
    return tail.find("IEND"sv) != std::string_view::npos;
}

// Decoders allocate what the header claims before they find out the data
// is missing, so a 100-byte file can ask for gigabytes. Single-cell crops
// are a few hundred pixels wide; refuse anything that could not be one.
constexpr std::uint64_t kMaximumSide = 16384;
constexpr std::uint64_t kMaximumPixels = 40'000'000;

std::uint32_t bigEndian(std::string_view bytes, std::size_t offset, int size)
{
    std::uint32_t value = 0;
    for (int i = 0; i < size; ++i)
        value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
    return value;
}

std::uint32_t littleEndian(std::string_view bytes, std::size_t offset, int size)
{
    std::uint32_t value = 0;
    for (int i = size; i-- > 0;)
        value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
    return value;
}

struct Extent {
    std::uint64_t width = 0;
    std::uint64_t height = 0;
};

// JPEG: the first start-of-frame marker holds the size.
std::optional<Extent> jpegExtent(std::string_view bytes)
{
    std::size_t i = 2;
    while (i + 4 <= bytes.size()) {
        if (static_cast<unsigned char>(bytes[i]) != 0xFF) {
            // libjpeg skips stray bytes between segments ("extraneous bytes
            // before marker"), so the size check must find the frame too.
            ++i;
            continue;
        }
        const unsigned marker = static_cast<unsigned char>(bytes[i + 1]);
        if (marker == 0xFF) { // fill byte
            ++i;
            continue;
        }
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
            i += 2; // markers without a length
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA)
            return std::nullopt; // no frame header before the scan
        const std::size_t length = bigEndian(bytes, i + 2, 2);
        const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            if (i + 9 > bytes.size())
                return std::nullopt;
            return Extent{bigEndian(bytes, i + 7, 2), bigEndian(bytes, i + 5, 2)};
        }
        if (length < 2)
            return std::nullopt;
        i += 2 + length;
    }
    return std::nullopt;
}

// TIFF: ImageWidth (256) and ImageLength (257) of the first directory.
std::optional<Extent> tiffExtent(std::string_view bytes)
{
    const bool little = bytes[0] == 'I';
    const auto read = [&](std::size_t offset, int size) {
        return little ? littleEndian(bytes, offset, size) : bigEndian(bytes, offset, size);
    };
    if (bytes.size() < 8)
        return std::nullopt;
    const std::size_t directory = read(4, 4);
    if (directory > bytes.size() || bytes.size() - directory < 2)
        return std::nullopt;
    const std::size_t entries = read(directory, 2);
    Extent extent;
    for (std::size_t e = 0; e < entries; ++e) {
        const std::size_t entry = directory + 2 + 12 * e;
        if (entry + 12 > bytes.size())
            break;
        const std::uint32_t tag = read(entry, 2);
        const std::uint32_t type = read(entry + 2, 2);
        const std::uint64_t value = type == 3 ? read(entry + 8, 2) : type == 4 ? read(entry + 8, 4) : 0;
        if (tag == 256)
            extent.width = value;
        else if (tag == 257)
            extent.height = value;
    }
    return extent;
}

// The size an image's header declares, where it can be read cheaply.
std::optional<Extent> declaredExtent(std::string_view bytes, Format format)
{
    switch (format) {
    case Format::Png:
        if (bytes.size() < 24)
            return std::nullopt;
        return Extent{bigEndian(bytes, 16, 4), bigEndian(bytes, 20, 4)};
    case Format::Bmp: {
        // BITMAPCOREHEADER (12 bytes) has 16-bit sides; later headers 32-bit
        // signed ones (a negative height means top-down rows).
        if (littleEndian(bytes, 14, 4) == 12)
            return Extent{littleEndian(bytes, 18, 2), littleEndian(bytes, 20, 2)};
        const auto side = [&](std::size_t offset) {
            return static_cast<std::uint64_t>(std::abs(static_cast<std::int64_t>(
                static_cast<std::int32_t>(littleEndian(bytes, offset, 4)))));
        };
        return Extent{side(18), side(22)};
    }
    case Format::Jpeg:
        return jpegExtent(bytes);
    case Format::Tiff:
        return tiffExtent(bytes);
    case Format::Unknown:
        break;
    }
    return std::nullopt;
}

Result<void> checkContainer(std::string_view encoded)
{
    if (encoded.empty())
        return makeError("empty file");
    switch (sniffFormat(encoded)) {
    case Format::Unknown:
        return makeError("not an image (unrecognised format; expected JPEG, PNG, BMP or TIFF)");
    case Format::Jpeg:
        if (!jpegHasEndMarker(encoded))
            return makeError("truncated JPEG (no end-of-image marker)");
        break;
    case Format::Png:
        if (!pngHasEndChunk(encoded))
            return makeError("truncated PNG (no IEND chunk)");
        break;
    case Format::Bmp:
    case Format::Tiff:
        break;
    }
    if (const auto extent = declaredExtent(encoded, sniffFormat(encoded))) {
        if (extent->width > kMaximumSide || extent->height > kMaximumSide
            || extent->width * extent->height > kMaximumPixels)
            return makeError("image too large (" + std::to_string(extent->width) + "x" + std::to_string(extent->height)
                             + " px declared; at most " + std::to_string(kMaximumPixels / 1'000'000)
                             + " megapixels): not a single-cell image");
    }
    return {};
}

// After decoding, whatever the header said: the same bounds as the
// declared-size check, so what decodes also probes and re-encodes.
Result<void> checkDecodedSize(const cv::Mat &image)
{
    if (image.cols < kMinimumSide || image.rows < kMinimumSide)
        return makeError("image too small (" + std::to_string(image.cols) + "x" + std::to_string(image.rows)
                         + " px; minimum " + std::to_string(kMinimumSide) + " px)");
    const auto width = std::uint64_t(image.cols), height = std::uint64_t(image.rows);
    if (width > kMaximumSide || height > kMaximumSide || width * height > kMaximumPixels)
        return makeError("image too large (" + std::to_string(width) + "x" + std::to_string(height)
                         + " px; at most " + std::to_string(kMaximumSide) + " px a side and "
                         + std::to_string(kMaximumPixels / 1'000'000) + " megapixels): not a single-cell image");
    return {};
}

cv::Mat wrap(std::string_view encoded)
{
    // imdecode only reads the buffer; the const_cast is needed by cv::Mat's
    // constructor, which has no const-data overload.
    return cv::Mat(1, static_cast<int>(encoded.size()), CV_8UC1,
                   const_cast<char *>(encoded.data()));
}

// Decodes to 8-bit BGR (gray, 16-bit and alpha images are converted by
// OpenCV), after the container checks.
Result<cv::Mat> decodeBgr(std::string_view encoded)
{
    if (auto checked = checkContainer(encoded); !checked)
        return makeError(checked.error());
    try {
        cv::Mat image = cv::imdecode(wrap(encoded), cv::IMREAD_COLOR);
        if (image.empty())
            return makeError("cannot decode image (corrupt or unsupported variant)");
        if (auto size = checkDecodedSize(image); !size)
            return makeError(size.error());
        return image;
    } catch (const cv::Exception &e) {
        return makeError(std::string("cannot decode image: ") + e.what());
    }
}

Result<void> checkSpec(const PreprocessSpec &spec)
{
    if (spec.cropSize < 1 || spec.resolution < 1)
        return makeError("invalid preprocessing: crop size and resolution must be positive");
    return {};
}

// Centre square crop of min(cropSize, width, height), then INTER_AREA
// resize (it averages, so downscaling does not alias) to resolution², RGB.
Result<cv::Mat> cropResizeRgb(std::string_view encoded, const PreprocessSpec &spec)
{
    if (auto checked = checkSpec(spec); !checked)
        return makeError(checked.error());
    auto decoded = decodeBgr(encoded);
    if (!decoded)
        return makeError(decoded.error());
    try {
        const cv::Mat &bgr = *decoded;
        const int side = std::min({spec.cropSize, bgr.cols, bgr.rows});
        const cv::Rect box((bgr.cols - side) / 2, (bgr.rows - side) / 2, side, side);
        cv::Mat resized;
        cv::resize(bgr(box), resized, cv::Size(spec.resolution, spec.resolution), 0, 0, cv::INTER_AREA);
        cv::Mat rgb;
        cv::cvtColor(resized, rgb, cv::COLOR_BGR2RGB);
        return rgb;
    } catch (const cv::Exception &e) {
        return makeError(std::string("cannot preprocess image: ") + e.what());
    }
}

Rgb8Image toRgb8(const cv::Mat &rgb)
{
    Rgb8Image out;
    out.width = rgb.cols;
    out.height = rgb.rows;
    out.pixels.resize(static_cast<std::size_t>(rgb.cols) * rgb.rows * 3);
    const cv::Mat continuous = rgb.isContinuous() ? rgb : rgb.clone();
    std::memcpy(out.pixels.data(), continuous.data, out.pixels.size());
    return out;
}

Result<std::string> encodeBgrPng(const cv::Mat &bgr)
{
    try {
        std::vector<std::uint8_t> buffer;
        if (!cv::imencode(".png", bgr, buffer))
            return makeError("PNG encoding failed");
        return std::string(buffer.begin(), buffer.end());
    } catch (const cv::Exception &e) {
        return makeError(std::string("PNG encoding failed: ") + e.what());
    }
}

} // namespace

Result<ImageInfo> probe(std::string_view encoded)
{
    if (auto checked = checkContainer(encoded); !checked)
        return makeError(checked.error());
    try {
        // IMREAD_UNCHANGED reports the file's real channel count; it costs
        // one full decode, which is the point: a file that probes is a file
        // that preprocesses.
        const cv::Mat image = cv::imdecode(wrap(encoded), cv::IMREAD_UNCHANGED);
        if (image.empty())
            return makeError("cannot decode image (corrupt or unsupported variant)");
        if (auto size = checkDecodedSize(image); !size)
            return makeError(size.error());
        return ImageInfo{image.cols, image.rows, image.channels()};
    } catch (const cv::Exception &e) {
        return makeError(std::string("cannot decode image: ") + e.what());
    }
}

Result<FloatImage> preprocess(std::string_view encoded, const PreprocessSpec &spec)
{
    auto rgb = cropResizeRgb(encoded, spec);
    if (!rgb)
        return makeError(rgb.error());
    return toFloatImage(toRgb8(*rgb));
}

FloatImage toFloatImage(const Rgb8Image &image)
{
    FloatImage out;
    out.channels = 3;
    out.height = image.height;
    out.width = image.width;
    const std::size_t plane = static_cast<std::size_t>(image.height) * image.width;
    out.data.resize(3 * plane);
    // Interleaved HWC uint8 -> planar CHW float, [0,255] -> [-1,1].
    for (std::size_t i = 0; i < plane; ++i)
        for (std::size_t c = 0; c < 3; ++c)
            out.data[c * plane + i] = image.pixels[3 * i + c] / 127.5f - 1.0f;
    return out;
}

Result<Rgb8Image> decodeRgb(std::string_view encoded)
{
    auto bgr = decodeBgr(encoded);
    if (!bgr)
        return makeError(bgr.error());
    try {
        cv::Mat rgb;
        cv::cvtColor(*bgr, rgb, cv::COLOR_BGR2RGB);
        return toRgb8(rgb);
    } catch (const cv::Exception &e) {
        return makeError(std::string("cannot convert image: ") + e.what());
    }
}

Result<Rgb8Image> preprocessRgb(std::string_view encoded, const PreprocessSpec &spec)
{
    auto rgb = cropResizeRgb(encoded, spec);
    if (!rgb)
        return makeError(rgb.error());
    return toRgb8(*rgb);
}

namespace {
// [-1, 1] planar floats -> 8-bit interleaved BGR, the one quantisation
// every PNG of a FloatImage goes through.
Result<cv::Mat> floatToBgr8(const FloatImage &image)
{
    if (image.channels != 1 && image.channels != 3)
        return makeError("PNG encoding needs 1 or 3 channels, got " + std::to_string(image.channels));
    const std::size_t plane = static_cast<std::size_t>(image.height) * image.width;
    if (image.height <= 0 || image.width <= 0 || image.data.size() != plane * image.channels)
        return makeError("PNG encoding: image data does not match its " + std::to_string(image.channels) +
                         "x" + std::to_string(image.height) + "x" + std::to_string(image.width) + " shape");
    cv::Mat bgr(image.height, image.width, CV_8UC3);
    auto toByte = [](float v) {
        // [-1,1] -> [0,255]; NaN becomes 0 rather than undefined behaviour.
        const float scaled = std::isnan(v) ? 0.0f : (v + 1.0f) * 127.5f;
        return static_cast<std::uint8_t>(std::lround(std::clamp(scaled, 0.0f, 255.0f)));
    };
    for (int y = 0; y < image.height; ++y) {
        auto *row = bgr.ptr<cv::Vec3b>(y);
        for (int x = 0; x < image.width; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * image.width + x;
            if (image.channels == 1) {
                const std::uint8_t g = toByte(image.data[i]);
                row[x] = cv::Vec3b(g, g, g);
            } else {
                // Planar RGB -> interleaved BGR for OpenCV.
                row[x] = cv::Vec3b(toByte(image.data[2 * plane + i]), toByte(image.data[plane + i]),
                                   toByte(image.data[i]));
            }
        }
    }
    return bgr;
}
} // namespace

Result<std::string> encodePng(const FloatImage &image)
{
    auto bgr = floatToBgr8(image);
    if (!bgr)
        return makeError(bgr.error());
    return encodeBgrPng(*bgr);
}

Result<std::string> encodePngResized(const FloatImage &image, int side)
{
    if (side < 1)
        return makeError("invalid display size: the side must be positive");
    auto bgr = floatToBgr8(image);
    if (!bgr)
        return makeError(bgr.error());
    try {
        cv::Mat resized;
        cv::resize(*bgr, resized, cv::Size(side, side), 0, 0, cv::INTER_LINEAR);
        return encodeBgrPng(resized);
    } catch (const cv::Exception &e) {
        return makeError(std::string("cannot resize image: ") + e.what());
    }
}

Result<std::string> encodePng(const Rgb8Image &image)
{
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        return makeError("PNG encoding: pixel buffer does not match " + std::to_string(image.width) + "x" +
                         std::to_string(image.height) + " RGB");
    try {
        const cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<std::uint8_t *>(image.pixels.data()));
        cv::Mat bgr;
        cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
        return encodeBgrPng(bgr);
    } catch (const cv::Exception &e) {
        return makeError(std::string("PNG encoding failed: ") + e.what());
    }
}

Result<std::string> readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        return makeError("cannot open " + path + ": " + std::strerror(errno));
    const std::streamoff size = in.tellg();
    if (size < 0)
        return makeError("cannot read " + path + " (not a regular file?)");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    in.seekg(0);
    if (size > 0 && !in.read(bytes.data(), size))
        return makeError("cannot read " + path + ": " + std::strerror(errno));
    return bytes;
}

} // namespace cytodiff::imaging
