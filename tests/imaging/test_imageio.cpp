// imaging::probe / preprocess / encodePng / readFile on images synthesized
// here: what the importer accepts and what the network receives.

#include "imageio.h"
#include "testimages.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using cytodiff::testing::encodeMat;
using cytodiff::testing::makeCellImage;

namespace {

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

// Left half pure red, right half pure blue (BGR order for OpenCV).
cv::Mat redBlue(int width, int height)
{
    cv::Mat image(height, width, CV_8UC3, cv::Scalar(0, 0, 255));
    image(cv::Rect(width / 2, 0, width - width / 2, height)).setTo(cv::Scalar(255, 0, 0));
    return image;
}

} // namespace

class TestImageIo : public QObject {
    Q_OBJECT

private slots:
    void probeAcceptsEverySupportedFormat_data()
    {
        QTest::addColumn<QByteArray>("ext");
        QTest::newRow("jpeg") << QByteArray(".jpg");
        QTest::newRow("png") << QByteArray(".png");
        QTest::newRow("bmp") << QByteArray(".bmp");
        QTest::newRow("tiff") << QByteArray(".tiff");
    }
    void probeAcceptsEverySupportedFormat()
    {
        QFETCH(QByteArray, ext);
        const QByteArray bytes = makeCellImage(1, ext.constData(), 40, 30);
        auto info = imaging::probe(view(bytes));
        QVERIFY2(info.ok(), info.ok() ? "" : info.error().c_str());
        QCOMPARE(info->width, 40);
        QCOMPARE(info->height, 30);
        QCOMPARE(info->channels, 3);
    }

    void probeRejectsBadInputWithAReason_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const QByteArray jpeg = makeCellImage(2, ".jpg", 64, 64);
        const QByteArray png = makeCellImage(3, ".png", 64, 64);
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty file");
        QTest::newRow("text") << QByteArray("hello, I am not an image\n") << QStringLiteral("not an image");
        QTest::newRow("truncated jpeg") << jpeg.left(jpeg.size() / 2) << QStringLiteral("truncated JPEG");
        QTest::newRow("truncated png") << png.left(png.size() / 2) << QStringLiteral("truncated PNG");
        QTest::newRow("too small") << makeCellImage(4, ".png", 8, 40) << QStringLiteral("too small");
        QByteArray garbage("\xFF\xD8\xFF\xE0", 4);
        garbage += QByteArray(300, '\x5A') + QByteArray("\xFF\xD9", 2);
        QTest::newRow("corrupt jpeg") << garbage << QStringLiteral("cannot decode");
    }
    void probeRejectsBadInputWithAReason()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        auto info = imaging::probe(view(bytes));
        QVERIFY(!info.ok());
        QVERIFY2(QString::fromStdString(info.error()).contains(reason), info.error().c_str());
    }

    void jpegWithPaddingAfterEndMarkerIsAccepted()
    {
        QByteArray bytes = makeCellImage(5, ".jpg");
        bytes += QByteArray(100, '\0');
        QVERIFY(imaging::probe(view(bytes)).ok());
    }

    void preprocessCropsCentreResizesAndScales()
    {
        // 100x80: the central 60x60 square spans both halves; at 4x4 the
        // left columns are red and the right columns blue.
        const QByteArray png = encodeMat(redBlue(100, 80), ".png");
        auto image = imaging::preprocess(view(png), {60, 4});
        QVERIFY(image.ok());
        QCOMPARE(image->channels, 3);
        QCOMPARE(image->height, 4);
        QCOMPARE(image->width, 4);
        QCOMPARE(image->size(), std::size_t(48));
        const std::size_t plane = 16;
        auto at = [&](int c, int y, int x) { return image->data[c * plane + y * 4 + x]; };
        QCOMPARE(at(0, 1, 0), 1.0f);  // R at the left
        QCOMPARE(at(2, 1, 0), -1.0f); // B at the left
        QCOMPARE(at(0, 1, 3), -1.0f);
        QCOMPARE(at(2, 1, 3), 1.0f);
        for (float v : image->data)
            QVERIFY(v >= -1.0f && v <= 1.0f);
    }

    void cropLargerThanImageUsesTheShortSide()
    {
        const QByteArray png = encodeMat(redBlue(50, 30), ".png");
        auto rgb = imaging::preprocessRgb(view(png), {288, 10});
        QVERIFY(rgb.ok());
        QCOMPARE(rgb->width, 10);
        QCOMPARE(rgb->height, 10);
        QCOMPARE(rgb->pixels.size(), std::size_t(300));
        QCOMPARE(int(rgb->pixels[0]), 255); // top-left is red: R
        QCOMPARE(int(rgb->pixels[2]), 0);
    }

    void preprocessRejectsBadSpecAndBadImage()
    {
        const QByteArray png = makeCellImage(6, ".png");
        QVERIFY(!imaging::preprocess(view(png), {0, 64}).ok());
        QVERIFY(!imaging::preprocess(view(QByteArray("nope")), {64, 64}).ok());
    }

    void pngRoundTripOfFloatImage()
    {
        FloatImage image;
        image.height = 2;
        image.width = 3;
        image.data.assign(18, -1.0f);
        image.data[0] = 1.0f;   // R of pixel (0,0)
        image.data[6 + 4] = 0.0f; // G of pixel (1,1) -> 128
        auto png = imaging::encodePng(image);
        QVERIFY(png.ok());
        auto rgb = imaging::decodeRgb(*png);
        QVERIFY(!rgb.ok()); // 3x2 is below the 16 px minimum for cells
        QVERIFY(QString::fromStdString(rgb.error()).contains(QStringLiteral("too small")));

        image.height = image.width = 16;
        image.data.assign(3 * 256, -1.0f);
        image.data[0] = 1.0f;
        image.data[256 + 17] = 0.0f;
        png = imaging::encodePng(image);
        QVERIFY(png.ok());
        rgb = imaging::decodeRgb(*png);
        QVERIFY(rgb.ok());
        QCOMPARE(int(rgb->pixels[0]), 255);
        QCOMPARE(int(rgb->pixels[1]), 0);
        QCOMPARE(int(rgb->pixels[17 * 3 + 1]), 128);
    }

    void encodePngChecksShapes()
    {
        FloatImage bad;
        bad.height = 4;
        bad.width = 4;
        bad.data.assign(10, 0.0f);
        QVERIFY(!imaging::encodePng(bad).ok());
        imaging::Rgb8Image rgb;
        rgb.width = rgb.height = 16;
        rgb.pixels.assign(16 * 16 * 3, 200);
        auto png = imaging::encodePng(rgb);
        QVERIFY(png.ok());
        QCOMPARE(imaging::probe(*png)->width, 16);
    }

    void encodePngResizedEnlargesUniformly()
    {
        // The Turing test's one rendering path: a 16 px model output (or a
        // preprocessed real cell) enlarged to the shown size.
        FloatImage image;
        image.height = image.width = 16;
        image.data.assign(3 * 256, 0.0f); // mid grey, 128 after quantisation
        auto png = imaging::encodePngResized(image, 48);
        QVERIFY(png.ok());
        auto rgb = imaging::decodeRgb(*png);
        QVERIFY(rgb.ok());
        QCOMPARE(rgb->width, 48);
        QCOMPARE(rgb->height, 48);
        // A flat picture stays flat: bilinear enlargement adds no edge.
        QCOMPARE(int(rgb->pixels[0]), 128);
        QCOMPARE(int(rgb->pixels[(47 * 48 + 47) * 3 + 2]), 128);
        QVERIFY(!imaging::encodePngResized(image, 0).ok());
        image.data.resize(5);
        QVERIFY(!imaging::encodePngResized(image, 48).ok());
    }

    void readFileReadsBytesAndNamesMissingFiles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.jpg"));
        const QByteArray bytes = makeCellImage(7);
        QVERIFY(cytodiff::testing::writeBytes(path, bytes));
        auto read = imaging::readFile(path.toStdString());
        QVERIFY(read.ok());
        QCOMPARE(QByteArray::fromStdString(*read), bytes);
        auto missing = imaging::readFile(dir.filePath(QStringLiteral("missing.jpg")).toStdString());
        QVERIFY(!missing.ok());
        QVERIFY(QString::fromStdString(missing.error()).contains(QStringLiteral("missing.jpg")));
    }

    // A tiny file whose header claims a huge picture is refused before a
    // decoder allocates for it.
    void hugeDeclaredSizeIsRefusedBeforeDecoding_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QByteArray png = makeCellImage(3, ".png");
        png.replace(16, 8, QByteArray::fromHex("0000c3500000c350")); // 50000 x 50000
        QTest::newRow("png") << png;
        QByteArray bmp = makeCellImage(3, ".bmp");
        bmp.replace(18, 8, QByteArray::fromHex("50c3000050c30000"));
        QTest::newRow("bmp") << bmp;
        QByteArray jpeg = makeCellImage(3, ".jpg");
        const qsizetype sof = jpeg.indexOf(QByteArray::fromHex("ffc0"));
        QVERIFY(sof > 0);
        jpeg.replace(sof + 5, 4, QByteArray::fromHex("fde8fde8")); // 65000 x 65000
        QTest::newRow("jpeg") << jpeg;
    }
    void hugeDeclaredSizeIsRefusedBeforeDecoding()
    {
        QFETCH(QByteArray, bytes);
        const std::string_view view(bytes.constData(), std::size_t(bytes.size()));
        auto probed = imaging::probe(view);
        QVERIFY(!probed.ok());
        QVERIFY2(QString::fromStdString(probed.error()).contains(QStringLiteral("too large")), probed.error().c_str());
        QVERIFY(!imaging::preprocess(view, {}).ok());
    }
};

QTEST_GUILESS_MAIN(TestImageIo)
#include "test_imageio.moc"
