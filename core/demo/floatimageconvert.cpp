#include "floatimageconvert.h"

#include <algorithm>

namespace cytodiff::demo {

QImage toQImage(const FloatImage &image)
{
    QImage out(image.width, image.height, QImage::Format_RGB888);
    const int plane = image.width * image.height;
    for (int y = 0; y < image.height; ++y) {
        uchar *line = out.scanLine(y);
        for (int x = 0; x < image.width; ++x) {
            for (int c = 0; c < 3; ++c) {
                const float v = image.data[std::size_t(c * plane + y * image.width + x)];
                line[x * 3 + c] = uchar(std::clamp(int((v + 1.0f) * 127.5f + 0.5f), 0, 255));
            }
        }
    }
    return out;
}

} // namespace cytodiff::demo
