// libFuzzer target: the one image decoding entry point the importer and
// the classifier share (imaging::probe / preprocess / decodeRgb).
#include "imageio.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace cytodiff::imaging;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    auto info = probe(bytes);
    // A small network input, as the tiny test model uses: keeps each run fast.
    auto input = preprocess(bytes, {32, 16});
    if (input && (input->channels != 3 || input->width != 16 || input->height != 16
                  || input->data.size() != std::size_t(3 * 16 * 16)))
        std::abort();
    for (float v : input ? input->data : std::vector<float>{})
        if (!(v >= -1.0f && v <= 1.0f))
            std::abort();
    auto rgb = decodeRgb(bytes);
    if (rgb) {
        // What decodes also probes (EXIF orientation may swap the sides).
        if (!info)
            std::abort();
        const bool same = rgb->width == info->width && rgb->height == info->height;
        const bool turned = rgb->width == info->height && rgb->height == info->width;
        if (!same && !turned)
            std::abort();
        // The thumbnail path re-encodes decoded pixels; it must round-trip.
        auto png = encodePng(*rgb);
        if (!png || !probe(*png))
            std::abort();
    }
    return 0;
}
