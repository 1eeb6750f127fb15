#include "imagestats.h"

#include "imageio.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cytodiff::imaging {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Summed OD above which a pixel is stained; below it is the slide's
// background (PBC background sums to about 0.15, red cells to 0.5).
constexpr double kBackgroundOd = 0.3;
// Summed OD a nucleus reaches at least (PBC nuclei 1.0-2.0, red cells 0.5).
constexpr double kNucleusOd = 0.8;
// OD histogram range: the darkest nuclei sum to about 2.
constexpr double kMaxOd = 3.0;
constexpr int kBins = 256;

// The bin index that splits the histogram into two classes with the largest
// between-class variance (Otsu's criterion).
int otsu(const std::array<double, kBins> &histogram)
{
    double total = 0, moment = 0;
    for (int i = 0; i < kBins; ++i) {
        total += histogram[i];
        moment += histogram[i] * i;
    }
    double weight = 0, partial = 0, best = -1;
    int split = kBins / 2;
    for (int t = 1; t < kBins; ++t) {
        weight += histogram[t - 1];
        partial += histogram[t - 1] * (t - 1);
        if (weight <= 0 || weight >= total)
            continue;
        const double m0 = partial / weight, m1 = (moment - partial) / (total - weight);
        const double score = weight * (total - weight) * (m0 - m1) * (m0 - m1);
        if (score > best) {
            best = score;
            split = t;
        }
    }
    return split;
}

// Mean CIELAB (L 0..100) of the pixels under mask; NaN when the mask is empty.
std::array<double, 3> meanLab(const cv::Mat &lab32, const cv::Mat &mask)
{
    if (cv::countNonZero(mask) == 0)
        return {kNaN, kNaN, kNaN};
    const cv::Scalar m = cv::mean(lab32, mask);
    return {m[0], m[1], m[2]};
}

double sharpness(const cv::Mat &rgb8)
{
    // Rendered at a fixed share of the source pixels (a 360 px CellaVision
    // export becomes 128 px), so a tight crop or a smaller export is judged
    // at the detail its pixels carry, not enlarged into blur (a demo case
    // of 96 px generated cells stored as 224 px crops read as out of focus
    // at a fixed 128 px); dividing by contrast keeps a pale stain from
    // reading as blur.
    constexpr double kRenderingPerSourcePixel = 128.0 / 360.0;
    const auto rendered = [](int side) { return std::max(32, int(std::lround(side * kRenderingPerSourcePixel))); };
    cv::Mat grey, small, laplacian;
    cv::cvtColor(rgb8, grey, cv::COLOR_RGB2GRAY);
    cv::resize(grey, small, cv::Size(rendered(rgb8.cols), rendered(rgb8.rows)), 0, 0, cv::INTER_AREA);
    small.convertTo(small, CV_32F);
    cv::Laplacian(small, laplacian, CV_32F);
    cv::Scalar mean, stddev;
    cv::meanStdDev(small, mean, stddev);
    if (stddev[0] < 1e-6)
        return 0.0;
    return cv::mean(cv::abs(laplacian))[0] / stddev[0];
}

// Median equivalent diameter of the round light-stain components that the
// border does not cut and that do not cover the centre (the white cell).
double redCellDiameter(const cv::Mat &light, double minimumArea)
{
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(light, labels, stats, centroids, 8, CV_32S);
    std::vector<double> diameters;
    const cv::Point centre(light.cols / 2, light.rows / 2);
    for (int i = 1; i < count; ++i) {
        const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                           stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
        const double area = stats.at<int>(i, cv::CC_STAT_AREA);
        if (area < minimumArea || box.x == 0 || box.y == 0 || box.br().x >= light.cols || box.br().y >= light.rows
            || box.contains(centre))
            continue;
        // A disc fills pi/4 of its box; overlapping pairs and fragments do not.
        const double fill = area / double(box.area());
        const double aspect = double(box.width) / double(box.height);
        if (fill < 0.55 || fill > 0.92 || aspect < 0.7 || aspect > 1.43)
            continue;
        diameters.push_back(std::sqrt(4.0 * area / M_PI));
    }
    if (diameters.empty())
        return kNaN;
    std::nth_element(diameters.begin(), diameters.begin() + diameters.size() / 2, diameters.end());
    return diameters[diameters.size() / 2];
}

ImageStats measure(const cv::Mat &rgb8)
{
    ImageStats stats;
    stats.values.fill(kNaN);
    auto set = [&](ImageFeature f, double v) { stats.values[static_cast<int>(f)] = v; };
    set(ImageFeature::Width, rgb8.cols);
    set(ImageFeature::Height, rgb8.rows);
    set(ImageFeature::Sharpness, sharpness(rgb8));

    // Summed optical density per pixel, [H, W] float.
    cv::Mat rgb32;
    rgb8.convertTo(rgb32, CV_32FC3, 1.0 / 255.0, 0.5 / 255.0); // +half a step: no log(0)
    cv::Mat od;
    cv::log(rgb32, od);
    od *= -1.0 / std::log(10.0);
    cv::Mat odSum;
    cv::transform(od, odSum, cv::Matx13f(1, 1, 1));
    const double sigma = std::max(1.0, std::min(rgb8.cols, rgb8.rows) / 150.0);
    cv::GaussianBlur(odSum, odSum, cv::Size(), sigma);

    const cv::Mat background = odSum < kBackgroundOd;
    set(ImageFeature::BackgroundShare, double(cv::countNonZero(background)) / double(rgb8.total()));

    cv::Mat lab32;
    cv::cvtColor(rgb32, lab32, cv::COLOR_RGB2Lab);
    const auto backgroundLab = meanLab(lab32, background);
    set(ImageFeature::BackgroundL, backgroundLab[0]);
    set(ImageFeature::BackgroundA, backgroundLab[1]);
    set(ImageFeature::BackgroundB, backgroundLab[2]);

    // The nucleus: the darker Otsu class among stained pixels, and never
    // lighter than kNucleusOd (with few nucleus pixels Otsu would split the
    // red cells instead).
    std::array<double, kBins> histogram{};
    for (int y = 0; y < odSum.rows; ++y) {
        const float *row = odSum.ptr<float>(y);
        for (int x = 0; x < odSum.cols; ++x)
            if (row[x] >= kBackgroundOd)
                histogram[std::clamp(int(row[x] / kMaxOd * (kBins - 1)), 0, kBins - 1)] += 1.0;
    }
    const double darkOd = std::max(kNucleusOd, otsu(histogram) * kMaxOd / (kBins - 1));
    cv::Mat dark = odSum > darkOd;
    const double side = std::min(rgb8.cols, rgb8.rows);
    const double minimumArea = side * side * 0.002; // specks and noise
    // Red cells: stained but lighter than a nucleus. Their pale centres
    // (central pallor) are filled by closing.
    cv::Mat light = (odSum >= kBackgroundOd) & (odSum <= darkOd);
    const int radius = std::max(1, int(side / 60));
    cv::morphologyEx(light, light, cv::MORPH_CLOSE,
                     cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * radius + 1, 2 * radius + 1)));
    set(ImageFeature::RedCellDiameter, redCellDiameter(light, minimumArea));

    // Components whose centroid lies within a third of the shorter side of
    // the centre form the cell's nucleus (a segmented neutrophil has several
    // lobes); red-cell edges and neighbours further out do not count.
    cv::Mat labels, componentStats, centroids;
    const int count = cv::connectedComponentsWithStats(dark, labels, componentStats, centroids, 8, CV_32S);
    const cv::Point2d centre(rgb8.cols / 2.0, rgb8.rows / 2.0);
    cv::Mat nucleus = cv::Mat::zeros(dark.size(), CV_8U);
    double area = 0, cx = 0, cy = 0;
    for (int i = 1; i < count; ++i) {
        const double a = componentStats.at<int>(i, cv::CC_STAT_AREA);
        const cv::Point2d c(centroids.at<double>(i, 0), centroids.at<double>(i, 1));
        if (a < minimumArea || cv::norm(c - centre) > side / 3.0)
            continue;
        nucleus.setTo(255, labels == i);
        area += a;
        cx += a * c.x;
        cy += a * c.y;
    }
    if (area <= 0)
        return stats;
    stats.cellFound = true;
    stats.nucleusX = cx / area;
    stats.nucleusY = cy / area;
    set(ImageFeature::NucleusDiameter, std::sqrt(4.0 * area / M_PI));
    set(ImageFeature::CentreOffset, cv::norm(cv::Point2d(cx / area, cy / area) - centre) / side);
    const auto nucleusLab = meanLab(lab32, nucleus);
    set(ImageFeature::NucleusL, nucleusLab[0]);
    set(ImageFeature::NucleusA, nucleusLab[1]);
    set(ImageFeature::NucleusB, nucleusLab[2]);
    return stats;
}

} // namespace

std::string featureKey(ImageFeature feature)
{
    switch (feature) {
    case ImageFeature::Width: return "width";
    case ImageFeature::Height: return "height";
    case ImageFeature::NucleusDiameter: return "nucleus_diameter";
    case ImageFeature::CentreOffset: return "centre_offset";
    case ImageFeature::BackgroundShare: return "background_share";
    case ImageFeature::NucleusL: return "nucleus_l";
    case ImageFeature::NucleusA: return "nucleus_a";
    case ImageFeature::NucleusB: return "nucleus_b";
    case ImageFeature::BackgroundL: return "background_l";
    case ImageFeature::BackgroundA: return "background_a";
    case ImageFeature::BackgroundB: return "background_b";
    case ImageFeature::Sharpness: return "sharpness";
    case ImageFeature::RedCellDiameter: return "red_cell_diameter";
    }
    return "unknown";
}

double estimateJpegQuality(std::string_view encoded)
{
    // Annex K's luminance table (its sum; the estimate needs no more).
    constexpr double kStandardSum = 3688.0;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(encoded[i]); };
    if (encoded.size() < 4 || byte(0) != 0xFF || byte(1) != 0xD8)
        return kNaN;
    std::size_t i = 2;
    while (i + 4 <= encoded.size() && byte(i) == 0xFF) {
        const unsigned marker = byte(i + 1);
        const std::size_t length = std::size_t(byte(i + 2)) << 8 | byte(i + 3);
        if (marker == 0xDA || marker == 0xD9 || length < 2 || i + 2 + length > encoded.size())
            return kNaN; // the scan starts: no table before it
        if (marker == 0xDB) {
            // One or more tables: Pq (precision) and Tq (id) in one byte,
            // then 64 values of 8 or 16 bits.
            std::size_t t = i + 4;
            while (t < i + 2 + length) {
                const bool wide = (byte(t) >> 4) != 0;
                const int id = byte(t) & 0x0F;
                const std::size_t size = wide ? 128 : 64;
                if (t + 1 + size > i + 2 + length)
                    return kNaN;
                if (id == 0) {
                    double sum = 0;
                    for (std::size_t k = 0; k < 64; ++k)
                        sum += wide ? double(std::size_t(byte(t + 1 + 2 * k)) << 8 | byte(t + 2 + 2 * k)) : byte(t + 1 + k);
                    // IJG: table = standard * scale / 100, scale = 5000 / q
                    // below quality 50 and 200 - 2q above.
                    const double scale = 100.0 * sum / kStandardSum;
                    const double quality = scale <= 100.0 ? (200.0 - scale) / 2.0 : 5000.0 / scale;
                    return std::clamp(quality, 1.0, 100.0);
                }
                t += 1 + size;
            }
        }
        i += 2 + length;
    }
    return kNaN;
}

Result<ImageStats> measureImage(std::string_view encoded)
{
    auto decoded = decodeRgb(encoded);
    if (!decoded)
        return makeError(decoded.error());
    try {
        const cv::Mat rgb(decoded->height, decoded->width, CV_8UC3, decoded->pixels.data());
        ImageStats stats = measure(rgb);
        stats.jpegQuality = estimateJpegQuality(encoded);
        return stats;
    } catch (const cv::Exception &e) {
        return makeError(std::string("cannot measure image: ") + e.what());
    }
}

} // namespace cytodiff::imaging
