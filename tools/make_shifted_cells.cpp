// cytodiff-make-shifted-cells: the domain check's benchmark inputs. Writes
// each listed image six ways, one folder per kind, with the same file name:
//   same   unchanged
//   tight  the central 170 px only (an analyser that crops close to the cell)
//   stain  hue turned by 24 degrees (another stain protocol)
//   blur   Gaussian blur, sigma 4 px (out of focus)
//   small  scaled to 55% on a background-coloured canvas of the same size
//          (a lower-power objective)
//   jpeg   re-encoded at JPEG quality 30 (heavy compression)
// The pictures stay local: they are derived from ../shared images, which
// may not be committed.
//
//   cytodiff-make-shifted-cells LIST SOURCE_ROOT OUT_DIR
// LIST: one path per line, relative to SOURCE_ROOT (e.g. "basophil/BA_1.jpg").

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

cv::Mat turnHue(const cv::Mat &bgr, int halfDegrees)
{
    cv::Mat hsv;
    cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV);
    std::vector<cv::Mat> channels;
    cv::split(hsv, channels);
    // OpenCV's 8-bit hue runs 0..179: wrap instead of saturating.
    channels[0].convertTo(channels[0], CV_16S);
    channels[0] = (channels[0] + halfDegrees);
    cv::Mat wrapped = channels[0] - 180;
    wrapped.copyTo(channels[0], channels[0] >= 180);
    channels[0].convertTo(channels[0], CV_8U);
    cv::merge(channels, hsv);
    cv::Mat out;
    cv::cvtColor(hsv, out, cv::COLOR_HSV2BGR);
    return out;
}

cv::Mat shrink(const cv::Mat &bgr, double factor)
{
    cv::Mat small;
    cv::resize(bgr, small, cv::Size(), factor, factor, cv::INTER_AREA);
    // The slide's background colour: the image's brightest tenth, averaged.
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    cv::Mat sorted;
    cv::sort(grey.reshape(1, 1), sorted, cv::SORT_ASCENDING);
    const double bright = sorted.at<uchar>(0, int(sorted.cols * 0.9));
    const cv::Scalar background = cv::mean(bgr, grey >= bright);
    cv::Mat canvas(bgr.size(), bgr.type(), background);
    small.copyTo(canvas(cv::Rect((bgr.cols - small.cols) / 2, (bgr.rows - small.rows) / 2, small.cols, small.rows)));
    return canvas;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: cytodiff-make-shifted-cells LIST SOURCE_ROOT OUT_DIR\n");
        return 2;
    }
    const std::filesystem::path root = argv[2], out = argv[3];
    const char *kinds[] = {"same", "tight", "stain", "blur", "small", "jpeg"};
    for (const char *kind : kinds)
        std::filesystem::create_directories(out / kind);
    std::ifstream list(argv[1]);
    if (!list) {
        std::fprintf(stderr, "error: cannot read %s\n", argv[1]);
        return 1;
    }
    int written = 0;
    for (std::string line; std::getline(list, line);) {
        if (line.empty())
            continue;
        const cv::Mat image = cv::imread((root / line).string(), cv::IMREAD_COLOR);
        if (image.empty()) {
            std::fprintf(stderr, "skipped %s: cannot read it\n", line.c_str());
            continue;
        }
        const std::string name = std::filesystem::path(line).filename().string();
        const int side = std::min({170, image.cols, image.rows});
        const cv::Rect centre((image.cols - side) / 2, (image.rows - side) / 2, side, side);
        cv::Mat blurred;
        cv::GaussianBlur(image, blurred, cv::Size(), 4.0);
        bool ok = cv::imwrite((out / "same" / name).string(), image);
        ok = ok && cv::imwrite((out / "tight" / name).string(), image(centre));
        ok = ok && cv::imwrite((out / "stain" / name).string(), turnHue(image, 12));
        ok = ok && cv::imwrite((out / "blur" / name).string(), blurred);
        ok = ok && cv::imwrite((out / "small" / name).string(), shrink(image, 0.55));
        ok = ok && cv::imwrite((out / "jpeg" / name).string(), image, {cv::IMWRITE_JPEG_QUALITY, 30});
        if (!ok) {
            std::fprintf(stderr, "error: cannot write into %s\n", out.string().c_str());
            return 1;
        }
        ++written;
    }
    std::printf("wrote %d images x 6 kinds into %s\n", written, out.string().c_str());
    return written > 0 ? 0 : 1;
}
