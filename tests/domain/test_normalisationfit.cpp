// The case normalisation (core/imaging/casenormalisation, fitted by
// core/domain/normalisationfit) on drawn cells: an in-domain case is left
// exactly alone; another magnification, a tight crop and another stain are
// each measured and undone, and the domain check then no longer names them.
#include "casenormalisation.h"
#include "domaincheck.h"
#include "drawncell.h"
#include "normalisationfit.h"

#include <QtTest>

using namespace cytodiff;
using imaging::ImageFeature;
using namespace cytodiff::testing;

namespace {

std::vector<std::string> drawMany(const Drawing &d, int count, std::uint32_t firstSeed)
{
    std::vector<std::string> files;
    for (int i = 0; i < count; ++i)
        files.push_back(drawCell(d, firstSeed + std::uint32_t(i)));
    return files;
}

std::vector<imaging::ImageStats> measure(const std::vector<std::string> &files)
{
    std::vector<imaging::ImageStats> out;
    for (const auto &file : files)
        if (auto stats = imaging::measureImage(file))
            out.push_back(*stats);
    return out;
}

bool hasAspect(const domain::DomainVerdict &verdict, domain::Aspect aspect)
{
    const auto aspects = verdict.aspects();
    return std::find(aspects.begin(), aspects.end(), aspect) != aspects.end();
}

// A normalised network input, rendered back to a PNG, measured.
Result<imaging::ImageStats> measureNormalised(const std::string &file, const imaging::PreprocessSpec &spec,
                                              const imaging::CaseNormalisation &normalisation)
{
    auto rgb = imaging::preprocessNormalisedRgb(file, spec, normalisation);
    auto png = rgb ? imaging::encodePng(*rgb) : Result<std::string>(makeError(rgb.error()));
    if (!png)
        return makeError(png.error());
    return imaging::measureImage(*png);
}

// The nucleus's measured diameter in a normalised input, at the crop's scale.
double nucleusDiameterAfter(const std::string &file, const imaging::PreprocessSpec &spec,
                            const imaging::CaseNormalisation &normalisation)
{
    auto stats = measureNormalised(file, spec, normalisation);
    return stats && stats->cellFound ? stats->value(ImageFeature::NucleusDiameter) : -1;
}

} // namespace

class TestNormalisationFit : public QObject {
    Q_OBJECT

    domain::DomainReference m_reference;
    const imaging::PreprocessSpec m_spec{240, 120}; // crop 240 source px -> 120 px input

private slots:
    void initTestCase()
    {
        m_reference = domain::buildReference(measureTrainingMix());
        m_reference.cropSize = m_spec.cropSize;
    }

    void inDomainCaseIsLeftAlone()
    {
        Drawing d;
        const auto files = drawMany(d, 20, 9000);
        const auto normalisation = domain::fitNormalisation(measure(files), m_reference);
        QVERIFY2(normalisation.isIdentity(), normalisation.describe().c_str());
        QCOMPARE(normalisation.describe(), std::string("none"));
        // The identity is the unnormalised preprocessing, bit for bit.
        auto plain = imaging::preprocess(files[0], m_spec);
        auto normalised = imaging::preprocessNormalised(files[0], m_spec, normalisation);
        QVERIFY(plain.ok() && normalised.ok());
        QCOMPARE(normalised->data, plain->data);
    }

    void magnificationIsMeasuredAndUndone()
    {
        Drawing d;
        d.scale = 0.7; // a lower-power objective: everything 70% as large
        const auto files = drawMany(d, 20, 7000);
        const auto stats = measure(files);
        const auto verdict = domain::checkCase(stats, m_reference);
        QVERIFY(hasAspect(verdict, domain::Aspect::Scale));
        const auto normalisation = domain::fitNormalisation(stats, m_reference);
        QVERIFY2(std::abs(normalisation.scale - 0.7) < 0.07, qPrintable(QString::number(normalisation.scale)));
        QVERIFY(!hasAspect(domain::afterNormalisation(verdict, normalisation), domain::Aspect::Scale));
        // In the network input the nucleus is as large as an unshifted one.
        Drawing reference;
        const double typical = nucleusDiameterAfter(drawCell(reference, 7000), m_spec, {});
        const double corrected = nucleusDiameterAfter(files[0], m_spec, normalisation);
        const double uncorrected = nucleusDiameterAfter(files[0], m_spec, {});
        QVERIFY2(std::abs(corrected / typical - 1.0) < 0.1,
                 qPrintable(QStringLiteral("%1 vs %2").arg(corrected).arg(typical)));
        QVERIFY(std::abs(uncorrected / typical - 1.0) > 0.2);
    }

    void tightCropIsPaddedNotEnlarged()
    {
        Drawing d;
        d.crop = 160; // smaller than the model's 240 px crop
        d.redCells = false;
        const auto files = drawMany(d, 20, 6000);
        const auto stats = measure(files);
        const auto normalisation = domain::fitNormalisation(stats, m_reference);
        QVERIFY(normalisation.pad);
        QVERIFY2(std::abs(normalisation.scale - 1.0) < 0.15, qPrintable(QString::number(normalisation.scale)));
        // The same cell exported with its surroundings, as the model expects it.
        Drawing whole = d;
        whole.crop = 0;
        const double typical = nucleusDiameterAfter(drawCell(whole, 6000), m_spec, {});
        const double padded = nucleusDiameterAfter(files[0], m_spec, normalisation);
        const double enlarged = nucleusDiameterAfter(files[0], m_spec, {});
        QVERIFY2(std::abs(padded / typical - 1.0) < 0.12,
                 qPrintable(QStringLiteral("%1 vs %2, scale %3").arg(padded).arg(typical).arg(normalisation.scale)));
        QVERIFY(enlarged / typical > 1.3); // without padding: 240/160 = 1.5x too large
        // The classifier learns where the fill begins: 160 of 240 px are the
        // image, a centred disk of radius 80 / 240 (the crop's scale moves it
        // by its fitted few per cent).
        auto input = imaging::preprocessNormalised(files[0], m_spec, normalisation);
        QVERIFY(input.ok());
        const double expected = 80.0 / (240.0 * normalisation.scale);
        QVERIFY2(std::abs(input->imageRadius - expected) < 0.02,
                 qPrintable(QStringLiteral("%1 vs %2").arg(input->imageRadius).arg(expected)));
        QCOMPARE(imaging::preprocessNormalised(drawCell(whole, 6000), m_spec, {})->imageRadius, 1.0);
        // Padded is not like the training images: the case stays flagged.
        const auto verdict = domain::afterNormalisation(domain::checkCase(stats, m_reference), normalisation);
        QVERIFY(verdict.outside);
        QVERIFY(std::any_of(verdict.deviations.begin(), verdict.deviations.end(),
                            [](const domain::Deviation &d) { return d.feature == "crop_side"; }));
    }

    // Crops that are small only at the training scale fit once the scale is
    // corrected: nothing is padded and the crop size no longer decides.
    void cropThatFitsAfterRescalingIsNotFlagged()
    {
        Drawing d;
        d.scale = 0.6;
        d.crop = 200; // under the model's 240 px crop, over 0.6 x 240 = 144 px
        const auto stats = measure(drawMany(d, 20, 3000));
        const auto normalisation = domain::fitNormalisation(stats, m_reference);
        QVERIFY(normalisation.framingFitted);
        QVERIFY(!normalisation.pad);
        QVERIFY2(normalisation.scale < 0.75, qPrintable(QString::number(normalisation.scale)));
        const auto raw = domain::checkCase(stats, m_reference);
        QVERIFY(std::any_of(raw.deviations.begin(), raw.deviations.end(),
                            [](const domain::Deviation &d) { return d.feature == "crop_side"; }));
        const auto verdict = domain::afterNormalisation(raw, normalisation);
        QVERIFY(std::none_of(verdict.deviations.begin(), verdict.deviations.end(),
                             [](const domain::Deviation &d) { return d.feature == "crop_side"; }));
    }

    void stainIsMappedToTheTrainingColours()
    {
        Drawing d;
        d.nucleus = cv::Scalar(40, 60, 150); // a bluer stain
        const auto files = drawMany(d, 20, 5000);
        const auto stats = measure(files);
        const auto verdict = domain::checkCase(stats, m_reference);
        QVERIFY(hasAspect(verdict, domain::Aspect::Stain));
        const auto normalisation = domain::fitNormalisation(stats, m_reference);
        QVERIFY(normalisation.stain);
        QVERIFY(!hasAspect(domain::afterNormalisation(verdict, normalisation), domain::Aspect::Stain));
        // The normalised image's nucleus is the training nucleus colour.
        auto after = measureNormalised(files[0], {360, 360}, normalisation);
        QVERIFY(after.ok() && after->cellFound);
        const double distance =
            std::hypot(after->value(ImageFeature::NucleusL) - m_reference.features.at("nucleus_l").p50,
                       after->value(ImageFeature::NucleusA) - m_reference.features.at("nucleus_a").p50,
                       after->value(ImageFeature::NucleusB) - m_reference.features.at("nucleus_b").p50);
        QVERIFY2(distance < 6.0, qPrintable(QString::number(distance)));
    }

    void choiceOffAndNoReferenceChangeNothing()
    {
        Drawing d;
        d.scale = 0.6;
        d.nucleus = cv::Scalar(40, 60, 150);
        const auto stats = measure(drawMany(d, 12, 4000));
        QVERIFY(domain::fitNormalisation(stats, m_reference, {false, false, false}).isIdentity());
        QVERIFY(domain::fitNormalisation(stats, domain::DomainReference{}).isIdentity());
        // Too few cells to judge a laboratory by.
        QVERIFY(domain::fitNormalisation({stats.begin(), stats.begin() + 2}, m_reference).isIdentity());
    }

    // The focus measure falls as cells grow in the picture: a case whose
    // magnification was measured is judged at the training scale, so 1.6x
    // alone is not "blurred", while real blur stays flagged.
    void magnificationIsNotBlur()
    {
        domain::DomainVerdict verdict;
        verdict.checked = verdict.outside = true;
        verdict.deviations.push_back({domain::Aspect::Focus, "sharpness", 0.11, 0.228, 0.12, 1e9});
        imaging::CaseNormalisation magnified;
        magnified.scale = 1.6;
        magnified.scaleMeasured = true;
        QVERIFY(!domain::afterNormalisation(verdict, magnified).outside);
        // Not measured, or at the training scale: the same reading is blur.
        imaging::CaseNormalisation guessed = magnified;
        guessed.scaleMeasured = false;
        QVERIFY(domain::afterNormalisation(verdict, guessed).outside);
        QVERIFY(domain::afterNormalisation(verdict, {}).outside);
        // Blurred and magnified: 0.07 x 1.6^0.85 = 0.104, still below 0.12.
        verdict.deviations.front().caseValue = 0.07;
        QVERIFY(hasAspect(domain::afterNormalisation(verdict, magnified), domain::Aspect::Focus));
    }

    void badInputIsAnError()
    {
        imaging::CaseNormalisation n;
        n.stain = true;
        QVERIFY(!imaging::preprocessNormalised("not an image", m_spec, n).ok());
        n.scale = 0;
        Drawing d;
        QVERIFY(!imaging::preprocessNormalised(drawCell(d, 1), m_spec, n).ok());
    }
};

QTEST_APPLESS_MAIN(TestNormalisationFit)
#include "test_normalisationfit.moc"
