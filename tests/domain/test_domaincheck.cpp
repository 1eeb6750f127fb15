// The image measurements (core/imaging/imagestats) and the per-case domain
// check (core/domain) on drawn cells: a case like the reference passes, and
// each kind of difference another laboratory brings is named.
#include "domaincheck.h"
#include "drawncell.h"
#include "imagestats.h"

#include <QtTest>

using namespace cytodiff;
using imaging::ImageFeature;
using namespace cytodiff::testing;

namespace {

bool hasAspect(const domain::DomainVerdict &verdict, domain::Aspect aspect)
{
    const auto aspects = verdict.aspects();
    return std::find(aspects.begin(), aspects.end(), aspect) != aspects.end();
}

} // namespace

class TestDomainCheck : public QObject {
    Q_OBJECT

    domain::DomainReference m_reference;
    // The reference with a diffusion model's figures (mean 100 evaluations
    // a cell, 3% unidentified), and a case beyond each of them.
    const domain::CaseEffort m_hardCase{std::vector<double>(10, 168.0), 0, 10};
    const domain::CaseEffort m_strangeCase{std::vector<double>(10, 100.0), 4, 10};
    domain::DomainReference withFigures() const
    {
        domain::DomainReference reference = m_reference;
        reference.effortCells = 100;
        reference.effortMean = 100;
        reference.unidentifiedShare = 0.03;
        return reference;
    }

private slots:
    void initTestCase()
    {
        const auto training = measureTrainingMix();
        QCOMPARE(int(training.size()), 60);
        m_reference = domain::buildReference(training);
    }

    void measuresTheDrawnCell()
    {
        Drawing d;
        d.nucleusRadius = 40;
        auto stats = imaging::measureImage(drawCell(d, 7));
        QVERIFY(stats.ok());
        QVERIFY(stats->cellFound);
        QCOMPARE(stats->value(ImageFeature::Width), 360.0);
        // The drawn nucleus is 80 px across (plus up to ~9 px of jitter).
        QVERIFY2(std::abs(stats->value(ImageFeature::NucleusDiameter) - 80.0) < 14.0,
                 qPrintable(QString::number(stats->value(ImageFeature::NucleusDiameter))));
        QVERIFY(stats->value(ImageFeature::CentreOffset) < 0.05);
        QVERIFY(stats->value(ImageFeature::BackgroundShare) > 0.4);
        QVERIFY(stats->value(ImageFeature::NucleusL) < 45.0); // dark purple
        QVERIFY(stats->value(ImageFeature::BackgroundL) > 80.0);
    }

    void emptySlideHasNoCell()
    {
        cv::Mat blank(200, 200, CV_8UC3, cv::Scalar(218, 214, 226));
        std::vector<uchar> png;
        cv::imencode(".png", blank, png);
        auto stats = imaging::measureImage(std::string(png.begin(), png.end()));
        QVERIFY(stats.ok());
        QVERIFY(!stats->cellFound);
        QVERIFY(std::isnan(stats->value(ImageFeature::NucleusDiameter)));
        QVERIFY(!imaging::measureImage("not an image").ok());
    }

    void caseLikeTheReferencePasses()
    {
        Drawing d;
        auto verdict = domain::checkCase(measureMany(d, 20, 9000), m_reference);
        QVERIFY(verdict.checked);
        QVERIFY2(!verdict.outside, verdict.warning().c_str());
        QVERIFY(verdict.warning().empty());
    }

    void otherLaboratoriesAreNamed_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("aspect");
        QTest::newRow("half magnification") << 0 << int(domain::Aspect::Scale);
        QTest::newRow("tight crop") << 1 << int(domain::Aspect::Background);
        QTest::newRow("bluer stain") << 2 << int(domain::Aspect::Stain);
        QTest::newRow("out of focus") << 3 << int(domain::Aspect::Focus);
    }

    void otherLaboratoriesAreNamed()
    {
        QFETCH(int, kind);
        QFETCH(int, aspect);
        Drawing d;
        if (kind == 0)
            d.scale = 0.45;
        if (kind == 1) {
            d.crop = 150;
            d.redCells = false;
        }
        if (kind == 2)
            d.nucleus = cv::Scalar(40, 60, 150);
        if (kind == 3)
            d.blur = 6;
        auto verdict = domain::checkCase(measureMany(d, 12, 5000), m_reference);
        QVERIFY(verdict.checked);
        QVERIFY(verdict.outside);
        QVERIFY2(hasAspect(verdict, domain::Aspect(aspect)), verdict.warning().c_str());
        QVERIFY(verdict.warning().find("review every cell") != std::string::npos);
    }

    // Heavy JPEG compression: the quality is read from the file's
    // quantisation table, and a case below the floor is named.
    void jpegQualityIsEstimatedAndHeavyCompressionNamed()
    {
        Drawing d;
        const auto reencode = [](const std::string &png, int quality) {
            const std::vector<uchar> bytes(png.begin(), png.end());
            const cv::Mat image = cv::imdecode(bytes, cv::IMREAD_COLOR);
            std::vector<uchar> jpeg;
            cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, quality});
            return std::string(jpeg.begin(), jpeg.end());
        };
        for (const int quality : {20, 50, 75, 95})
            QVERIFY2(std::abs(imaging::estimateJpegQuality(reencode(drawCell(d, 1), quality)) - quality) <= 2.0,
                     qPrintable(QString::number(imaging::estimateJpegQuality(reencode(drawCell(d, 1), quality)))));
        QVERIFY(std::isnan(imaging::estimateJpegQuality(drawCell(d, 1)))); // a PNG
        QVERIFY(std::isnan(imaging::estimateJpegQuality("\xFF\xD8\xFF")));
        for (const int quality : {30, 90}) {
            std::vector<imaging::ImageStats> cells;
            for (std::uint32_t i = 0; i < 8; ++i)
                cells.push_back(*imaging::measureImage(reencode(drawCell(d, 300 + i), quality)));
            QCOMPARE(cells.front().jpegQuality > 60, quality > 60);
            const auto verdict = domain::checkCase(cells, m_reference);
            QCOMPARE(hasAspect(verdict, domain::Aspect::Compression), quality < 60);
        }
    }

    // An image smaller than the model's crop is enlarged to the network's
    // input: its cells look too large to the model, whatever the source scale.
    void smallImagesAreEnlargedByTheCrop()
    {
        domain::DomainReference reference = m_reference;
        reference.cropSize = 288;
        Drawing d;
        d.crop = 200;
        const auto verdict = domain::checkCase(measureMany(d, 8, 11000), reference);
        QVERIFY(verdict.outside);
        QVERIFY(std::any_of(verdict.deviations.begin(), verdict.deviations.end(), [](const domain::Deviation &dv) {
            return dv.feature == "crop_side" && dv.aspect == domain::Aspect::Scale;
        }));
        QVERIFY(!domain::checkCase(measureMany(Drawing{}, 8, 11000), reference).outside);
        QCOMPARE(domain::DomainReference::fromJson(reference.toJson())->cropSize, 288);
    }

    void effortAndUnidentifiedCount()
    {
        const domain::DomainReference reference = withFigures();
        const auto cells = measureMany(Drawing{}, 10, 7000);
        domain::CaseEffort usual{std::vector<double>(10, 120.0), 1, 10};
        QVERIFY(!domain::checkCase(cells, reference, usual).outside);
        QVERIFY(hasAspect(domain::checkCase(cells, reference, m_hardCase), domain::Aspect::Effort));
        QVERIFY(hasAspect(domain::checkCase(cells, reference, m_strangeCase), domain::Aspect::Unidentified));
    }

    // A new error profile makes the unidentified share stale, new class
    // offsets the effort too; the image ranges stay, and a case is then
    // not judged on the stale figure.
    void cardEditsDropStaleFigures()
    {
        const domain::DomainReference reference = withFigures();
        const auto cells = measureMany(Drawing{}, 10, 7000);

        const auto profiled = domain::withoutStaleFigures(reference.toJson(), domain::CallsChange::UnidentifiedRule);
        QVERIFY(profiled.removedFigures);
        auto kept = domain::DomainReference::fromJson(profiled.json);
        QVERIFY(kept.ok());
        QCOMPARE(kept->features.size(), reference.features.size());
        QCOMPARE(kept->effortCells, 100);
        QCOMPARE(kept->effortMean, 100.0);
        QCOMPARE(kept->unidentifiedShare, -1.0);
        QVERIFY(!hasAspect(domain::checkCase(cells, *kept, m_strangeCase), domain::Aspect::Unidentified));
        QVERIFY(hasAspect(domain::checkCase(cells, *kept, m_hardCase), domain::Aspect::Effort));
        // Nothing left to remove the second time.
        QVERIFY(!domain::withoutStaleFigures(profiled.json, domain::CallsChange::UnidentifiedRule).removedFigures);

        const auto calibrated = domain::withoutStaleFigures(reference.toJson(), domain::CallsChange::ClassErrors);
        QVERIFY(calibrated.removedFigures);
        kept = domain::DomainReference::fromJson(calibrated.json);
        QVERIFY(kept.ok());
        QCOMPARE(kept->toJson(), m_reference.toJson()); // the images' part, exactly
        QVERIFY(!hasAspect(domain::checkCase(cells, *kept, m_hardCase), domain::Aspect::Effort));

        // A reference without figures, none at all, or a damaged one: unchanged.
        QVERIFY(!domain::withoutStaleFigures(m_reference.toJson(), domain::CallsChange::ClassErrors).removedFigures);
        QCOMPARE(domain::withoutStaleFigures(m_reference.toJson(), domain::CallsChange::ClassErrors).json, m_reference.toJson());
        QCOMPARE(domain::withoutStaleFigures("", domain::CallsChange::ClassErrors).json, std::string());
        QCOMPARE(domain::withoutStaleFigures("{", domain::CallsChange::ClassErrors).json, std::string("{"));
    }

    void fewCellsAreNotJudged()
    {
        Drawing d;
        d.scale = 0.45;
        auto verdict = domain::checkCase(measureMany(d, domain::kMinimumCells - 1, 1), m_reference);
        QVERIFY(!verdict.checked);
        QVERIFY(!verdict.outside);
        QVERIFY(!domain::checkCase(measureMany(Drawing{}, 10, 1), domain::DomainReference{}).checked);
    }

    void imageSizeAloneOnlyInforms()
    {
        std::vector<imaging::ImageStats> cells = measureMany(Drawing{}, 10, 3000);
        for (auto &cell : cells)
            cell.values[int(ImageFeature::Width)] = 720; // same cells, a larger export
        auto verdict = domain::checkCase(cells, m_reference);
        QCOMPARE(int(verdict.deviations.size()), 1);
        QCOMPARE(int(verdict.deviations.front().aspect), int(domain::Aspect::ImageSize));
        QVERIFY(!verdict.outside);
    }

    void jsonRoundTrips()
    {
        auto reference = domain::DomainReference::fromJson(m_reference.toJson());
        QVERIFY(reference.ok());
        QCOMPARE(reference->images, m_reference.images);
        QCOMPARE(reference->toJson(), m_reference.toJson());
        QVERIFY(!domain::DomainReference::fromJson("{").ok());
        QVERIFY(!domain::DomainReference::fromJson(R"({"format":2,"images":3})").ok());

        Drawing d;
        d.scale = 0.45;
        const auto verdict = domain::checkCase(measureMany(d, 8, 1), m_reference);
        auto back = domain::DomainVerdict::fromJson(verdict.toJson());
        QVERIFY(back.ok());
        QCOMPARE(back->outside, verdict.outside);
        QCOMPARE(back->toJson(), verdict.toJson());

        domain::CaseDomainCheck broken("not json");
        QVERIFY(!broken.hasReference());
        QVERIFY(!broken.referenceError().empty());
    }
};

QTEST_GUILESS_MAIN(TestDomainCheck)
#include "test_domaincheck.moc"
