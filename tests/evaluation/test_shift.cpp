// Synthetic stain / scale / blur shifts: parsing and what they do to pixels.
#include "shift.h"

#include <QTest>

#include <cmath>

using namespace cytodiff;
using namespace cytodiff::evaluation;

namespace {
// A white field with a dark purple square in the middle.
FloatImage cellImage(int size = 16)
{
    FloatImage image;
    image.height = image.width = size;
    image.data.assign(std::size_t(3 * size * size), 1.0f);
    const float purple[3] = {-0.2f, -0.6f, 0.1f};
    for (int c = 0; c < 3; ++c)
        for (int y = size / 4; y < 3 * size / 4; ++y)
            for (int x = size / 4; x < 3 * size / 4; ++x)
                image.data[std::size_t((c * size + y) * size + x)] = purple[c];
    return image;
}
float at(const FloatImage &image, int c, int y, int x)
{
    return image.data[std::size_t((c * image.height + y) * image.width + x)];
}
} // namespace

class TestShift : public QObject {
    Q_OBJECT

private slots:
    void parsing()
    {
        auto spec = parseShift("stain:0.3,scale:0.8");
        QVERIFY(spec.ok());
        QCOMPARE(spec->stain, 0.3);
        QCOMPARE(spec->scale, 0.8);
        QCOMPARE(spec->describe(), std::string("stain:0.3,scale:0.8"));
        QVERIFY(parseShift("blur:1|stain:-0.5").ok());
        QVERIFY(parseShift("none")->isIdentity());
        QVERIFY(parseShift("")->isIdentity());
        QVERIFY(!parseShift("stain").ok());
        QVERIFY(!parseShift("stain:abc").ok());
        QVERIFY(!parseShift("hue:0.2").ok());
        QVERIFY(!parseShift("scale:0").ok());
        QVERIFY(parseShift("hue:0.2").error().find("stain, scale or blur") != std::string::npos);
    }

    void identityLeavesPixels()
    {
        const auto image = cellImage();
        QCOMPARE(applyShift(image, {}).data, image.data);
    }

    void stainChangesStainedPixelsOnly()
    {
        const auto image = cellImage();
        const auto shifted = applyShift(image, *parseShift("stain:0.8"));
        QVERIFY(std::abs(at(shifted, 0, 0, 0) - 1.0f) < 1e-5f); // background stays white
        QVERIFY(at(shifted, 0, 8, 8) < at(image, 0, 8, 8) - 0.05f); // more red density: darker red
        QVERIFY(at(shifted, 1, 8, 8) > at(image, 1, 8, 8) + 0.05f); // less green density
    }

    void scaleShrinksTheCell()
    {
        const auto image = cellImage(32);
        const auto smaller = applyShift(image, *parseShift("scale:0.5"));
        // The square spanned 8..23; at half size it spans about 12..19.
        QVERIFY(at(smaller, 1, 9, 9) > 0.9f);
        QVERIFY(at(smaller, 1, 16, 16) < -0.5f);
        const auto larger = applyShift(image, *parseShift("scale:2"));
        QVERIFY(at(larger, 1, 3, 3) < -0.5f);
    }

    void blurSoftensEdges()
    {
        const auto image = cellImage(32);
        const auto blurred = applyShift(image, *parseShift("blur:2"));
        QVERIFY(at(blurred, 1, 8, 8) > at(image, 1, 8, 8) + 0.2f);
        QVERIFY(std::abs(at(blurred, 1, 16, 16) - at(image, 1, 16, 16)) < 1e-3f);
    }
};

QTEST_APPLESS_MAIN(TestShift)
#include "test_shift.moc"
