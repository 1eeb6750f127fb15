// Synthetic source-image shifts (core/imaging/sourceshift): parsing, and
// what each does to an image file.
#include "imageio.h"
#include "sourceshift.h"

#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace cytodiff;
using namespace cytodiff::imaging;

namespace {

// A white field with a dark purple square in the middle, as PNG bytes.
std::string cellFile(int size = 64)
{
    cv::Mat rgb(size, size, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::rectangle(rgb, cv::Rect(size / 4, size / 4, size / 2, size / 2), cv::Scalar(100, 40, 140), cv::FILLED);
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<uchar> png;
    cv::imencode(".png", bgr, png);
    return std::string(png.begin(), png.end());
}

cv::Vec3b pixel(const Rgb8Image &image, int y, int x)
{
    const std::size_t i = 3 * (std::size_t(y) * image.width + x);
    return {image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]};
}

Rgb8Image shifted(const std::string &file, const char *spec)
{
    auto parsed = parseShift(spec);
    if (!parsed)
        return {};
    auto bytes = applyShift(file, *parsed);
    if (!bytes)
        return {};
    auto rgb = decodeRgb(*bytes);
    return rgb ? *rgb : Rgb8Image{};
}

} // namespace

class TestSourceShift : public QObject {
    Q_OBJECT

private slots:
    void parsing()
    {
        auto spec = parseShift("stain:0.3,scale:0.8,crop:0.5,jpeg:70");
        QVERIFY(spec.ok());
        QCOMPARE(spec->stain, 0.3);
        QCOMPARE(spec->scale, 0.8);
        QCOMPARE(spec->crop, 0.5);
        QCOMPARE(spec->jpeg, 70);
        QCOMPARE(spec->describe(), std::string("stain:0.3,scale:0.8,crop:0.5,jpeg:70"));
        QVERIFY(parseShift("blur:1|stain:-0.5").ok());
        QVERIFY(parseShift("none")->isIdentity());
        QVERIFY(parseShift("")->isIdentity());
        QVERIFY(!parseShift("stain").ok());
        QVERIFY(!parseShift("stain:abc").ok());
        QVERIFY(!parseShift("scale:0").ok());
        QVERIFY(!parseShift("crop:0.1").ok());
        QVERIFY(!parseShift("jpeg:70.5").ok());
        QVERIFY(!parseShift("jpeg:101").ok());
        QVERIFY(parseShift("hue:0.2").error().find("stain, scale, blur, crop or jpeg") != std::string::npos);
    }

    void identityKeepsTheFile()
    {
        const auto file = cellFile();
        auto same = applyShift(file, {});
        QVERIFY(same.ok());
        QCOMPARE(*same, file);
        QVERIFY(!applyShift("not an image", *parseShift("stain:0.5")).ok());
    }

    void stainChangesStainedPixelsOnly()
    {
        const auto file = cellFile();
        const auto before = *decodeRgb(file);
        const auto after = shifted(file, "stain:0.8");
        QCOMPARE(after.width, 64);
        QCOMPARE(pixel(after, 0, 0), cv::Vec3b(255, 255, 255)); // background stays white
        QVERIFY(pixel(after, 32, 32)[0] < pixel(before, 32, 32)[0] - 10); // more red density
        QVERIFY(pixel(after, 32, 32)[1] > pixel(before, 32, 32)[1] + 10); // less green density
    }

    void scaleKeepsTheImageSize()
    {
        const auto file = cellFile();
        const auto smaller = shifted(file, "scale:0.5");
        QCOMPARE(smaller.width, 64);
        QCOMPARE(smaller.height, 64);
        // The square spanned 16..47; at half size it spans about 24..39.
        QVERIFY(pixel(smaller, 20, 20)[1] > 200);
        QVERIFY(pixel(smaller, 32, 32)[1] < 80);
        const auto larger = shifted(file, "scale:2");
        QVERIFY(pixel(larger, 6, 6)[1] < 80);
    }

    void cropJpegAndBlur()
    {
        const auto file = cellFile(100);
        const auto cropped = shifted(file, "crop:0.5");
        QCOMPARE(cropped.width, 50);
        QCOMPARE(cropped.height, 50);
        auto jpeg = applyShift(file, *parseShift("jpeg:60"));
        QVERIFY(jpeg.ok());
        QVERIFY(jpeg->size() > 3 && std::uint8_t((*jpeg)[0]) == 0xFF && std::uint8_t((*jpeg)[1]) == 0xD8);
        QVERIFY(decodeRgb(*jpeg).ok());
        const auto blurred = shifted(file, "blur:3");
        const auto sharp = *decodeRgb(file);
        // The square's corner (25,25) softens; its middle does not.
        QVERIFY(pixel(blurred, 25, 25)[1] > pixel(sharp, 25, 25)[1] + 20);
        QVERIFY(std::abs(int(pixel(blurred, 50, 50)[1]) - int(pixel(sharp, 50, 50)[1])) <= 2);
    }
};

QTEST_APPLESS_MAIN(TestSourceShift)
#include "test_sourceshift.moc"
