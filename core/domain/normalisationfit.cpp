#include "normalisationfit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace cytodiff::domain {
namespace {

using imaging::ImageFeature;

// Scale dead bands: red cells measure the magnification closely, so 8%
// already means another objective or camera; the nucleus median moves with
// the case's cell mix, so it must differ by 12% (the domain check flags 15%).
constexpr double kRedCellBand = 0.08;
constexpr double kNucleusBand = 0.12;
// Red-cell and nucleus scale figures further apart than this factor: one
// of them failed (the nucleus median alone moves about 15% with the mix).
constexpr double kDisagreement = 1.3;
// A microscope's objectives and cameras differ by up to about 2.5x; beyond
// that the measurement is more likely wrong than the magnification.
constexpr double kScaleLimits[2] = {0.4, 2.5};
// Colour differences (CIELAB units) under this are the same stain; the
// domain check's tolerance.
constexpr double kStainBand = 6.0;
// A stain protocol changes a channel's density by less than this factor;
// a larger fitted gain is clamped (the anchors were measured badly).
constexpr double kGainLimits[2] = {0.4, 2.5};
// Nucleus minus background density (per channel) below which a channel has
// nothing to fit a gain to.
constexpr double kMinimumSpan = 0.05;

std::optional<double> referenceMedian(const DomainReference &reference, ImageFeature feature)
{
    const auto found = reference.features.find(imaging::featureKey(feature));
    if (found == reference.features.end() || !std::isfinite(found->second.p50))
        return std::nullopt;
    return found->second.p50;
}

// The case's cells relative to the training cells' size; 1 when the case
// looks the same; nullopt when it cannot be measured or trusted.
std::optional<double> fitScale(const std::vector<imaging::ImageStats> &cells, const DomainReference &reference)
{
    const auto ratioOf = [&](ImageFeature feature, double band, int minimum) -> std::optional<double> {
        const auto typical = referenceMedian(reference, feature);
        const double median = caseMedian(cells, feature, minimum);
        if (!typical || *typical <= 0 || std::isnan(median))
            return std::nullopt;
        const double ratio = median / *typical;
        return std::abs(ratio - 1.0) < band ? 1.0 : ratio;
    };
    // Red cells decide: they do not depend on the white-cell mix (a case of
    // erythroblasts or blasts has other nuclei, not another magnification).
    // They must be measured in half the images: at a high magnification few
    // whole red cells fit, and fragments measure small. The nucleus decides
    // only without them; when both exist and disagree by more than
    // kDisagreement, one measurement failed and nothing is corrected (the
    // case stays flagged if either is outside).
    const int half = std::max(kMinimumCells, int(cells.size() + 1) / 2);
    const auto redCells = ratioOf(ImageFeature::RedCellDiameter, kRedCellBand, half);
    const auto nuclei = ratioOf(ImageFeature::NucleusDiameter, kNucleusBand, kMinimumCells);
    if (redCells && nuclei && std::abs(std::log(*redCells / *nuclei)) > std::log(kDisagreement))
        return std::nullopt;
    const auto ratio = redCells ? redCells : nuclei;
    if (!ratio || *ratio < kScaleLimits[0] || *ratio > kScaleLimits[1])
        return std::nullopt;
    return *ratio;
}

using Lab = std::array<double, 3>;

std::optional<Lab> labOf(const std::vector<imaging::ImageStats> &cells, const ImageFeature (&features)[3])
{
    Lab lab;
    for (int c = 0; c < 3; ++c) {
        lab[std::size_t(c)] = caseMedian(cells, features[c]);
        if (std::isnan(lab[std::size_t(c)]))
            return std::nullopt;
    }
    return lab;
}

std::optional<Lab> labOf(const DomainReference &reference, const ImageFeature (&features)[3])
{
    Lab lab;
    for (int c = 0; c < 3; ++c) {
        const auto value = referenceMedian(reference, features[c]);
        if (!value)
            return std::nullopt;
        lab[std::size_t(c)] = *value;
    }
    return lab;
}

double distance(const Lab &a, const Lab &b)
{
    return std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

constexpr ImageFeature kNucleusLab[3] = {ImageFeature::NucleusL, ImageFeature::NucleusA, ImageFeature::NucleusB};
constexpr ImageFeature kBackgroundLab[3] = {ImageFeature::BackgroundL, ImageFeature::BackgroundA, ImageFeature::BackgroundB};

// Optical density per RGB channel of a CIELAB colour.
Lab densityOf(const Lab &lab)
{
    const auto rgb = imaging::rgbOfLab(lab);
    Lab od;
    for (std::size_t c = 0; c < 3; ++c)
        od[c] = -std::log10(std::max(rgb[c], 1.0) / 255.0);
    return od;
}

// The per-channel density map that takes the case's background and nucleus
// to the training images' (a scaling of density alone when the case has no
// background or a channel's anchors are too close to fit).
void fitStain(const std::vector<imaging::ImageStats> &cells, const DomainReference &reference,
              imaging::CaseNormalisation &normalisation)
{
    const auto caseNucleus = labOf(cells, kNucleusLab);
    const auto typicalNucleus = labOf(reference, kNucleusLab);
    if (!caseNucleus || !typicalNucleus)
        return;
    const auto caseBackground = labOf(cells, kBackgroundLab);
    const auto typicalBackground = labOf(reference, kBackgroundLab);
    const bool anchored = caseBackground && typicalBackground;
    double worst = distance(*caseNucleus, *typicalNucleus);
    if (anchored)
        worst = std::max(worst, distance(*caseBackground, *typicalBackground));
    if (worst < kStainBand)
        return;
    const Lab nucleusOd = densityOf(*caseNucleus), typicalNucleusOd = densityOf(*typicalNucleus);
    const Lab backgroundOd = anchored ? densityOf(*caseBackground) : Lab{0, 0, 0};
    const Lab typicalBackgroundOd = anchored ? densityOf(*typicalBackground) : Lab{0, 0, 0};
    for (std::size_t c = 0; c < 3; ++c) {
        const double caseSpan = nucleusOd[c] - backgroundOd[c];
        const double typicalSpan = typicalNucleusOd[c] - typicalBackgroundOd[c];
        if (caseSpan < kMinimumSpan || typicalSpan < kMinimumSpan)
            return; // a nucleus as pale as the background: nothing to map by
        const double gain = std::clamp(typicalSpan / caseSpan, kGainLimits[0], kGainLimits[1]);
        normalisation.gain[c] = gain;
        normalisation.offset[c] = typicalBackgroundOd[c] - gain * backgroundOd[c];
    }
    normalisation.stain = true;
}

// The focus measure (mean |Laplacian| / grey std of the whole image rendered
// at 128/360 of its pixels) falls as the cells grow in the picture: on 257 PBC
// images magnified 0.6-2x (sourceshift, image size kept) the median moved as
// scale^-0.85 (0.6x: 0.367, 1x: 0.224, 1.6x: 0.151, 2x: 0.133), where blur
// of 1, 1.5 and 2 source px gave 0.185, 0.157 and 0.131.
constexpr double kSharpnessScaleExponent = 0.85;

// A magnified case's focus, judged as if its cells were at the training
// scale: a case at 1.6x reads as blurred only by its magnification.
bool focusFineAtTrainingScale(const Deviation &deviation, const imaging::CaseNormalisation &n)
{
    if (deviation.feature != "sharpness" || !n.scaleMeasured || n.scale == 1.0)
        return false;
    const double atTrainingScale = deviation.caseValue * std::pow(n.scale, kSharpnessScaleExponent);
    return atTrainingScale >= deviation.low && atTrainingScale <= deviation.high;
}

bool correctedFeature(const std::string &feature, const imaging::CaseNormalisation &n)
{
    if (feature == "red_cell_diameter" || feature == "nucleus_diameter")
        return n.scaleMeasured;
    // A crop that fits once the scale is corrected is no longer too small;
    // a padded one is: the model then sees a flat border where its
    // training images had slide (on 80 validation cells the diffusion
    // model fell from 95 to 81% with 10% silent errors), so the case stays
    // flagged and every cell is queued, with the padding still putting the
    // cell at the right scale for the calls the reviewer sees.
    if (feature == "crop_side")
        return n.framingFitted && !n.pad;
    if (feature == "centre_offset")
        return n.recentreAbove >= 0;
    if (feature == "nucleus_l" || feature == "nucleus_a" || feature == "nucleus_b" || feature == "background_l"
        || feature == "background_a" || feature == "background_b")
        return n.stain;
    return false;
}

} // namespace

imaging::CaseNormalisation fitNormalisation(const std::vector<imaging::ImageStats> &cells, const DomainReference &reference,
                                            const NormalisationChoice &choice)
{
    imaging::CaseNormalisation normalisation;
    if (reference.empty() || int(cells.size()) < kMinimumCells)
        return normalisation;
    if (choice.scale) {
        if (const auto scale = fitScale(cells, reference)) {
            normalisation.scale = *scale;
            normalisation.scaleMeasured = true;
        }
    }
    if (choice.framing) {
        normalisation.framingFitted = true;
        // Pad when the model's crop at the case's scale is larger than the
        // case's images (a tight export crop): enlarging it would show the
        // model its cells too large.
        std::vector<double> sides;
        for (const auto &cell : cells)
            sides.push_back(std::min(cell.value(ImageFeature::Width), cell.value(ImageFeature::Height)));
        std::nth_element(sides.begin(), sides.begin() + std::ptrdiff_t(sides.size() / 2), sides.end());
        const double shorter = sides[sides.size() / 2];
        if (reference.cropSize > 0 && shorter < reference.cropSize * normalisation.scale)
            normalisation.pad = true;
        const auto offset = reference.features.find(imaging::featureKey(ImageFeature::CentreOffset));
        const double caseOffset = caseMedian(cells, ImageFeature::CentreOffset);
        if (offset != reference.features.end() && !std::isnan(caseOffset)) {
            const auto [low, high] = acceptedRange(offset->first, offset->second);
            if (caseOffset > high)
                normalisation.recentreAbove = offset->second.p99;
        }
    }
    if (choice.stain)
        fitStain(cells, reference, normalisation);
    if (normalisation.pad || normalisation.stain) {
        if (const auto background = labOf(reference, kBackgroundLab))
            normalisation.fill = imaging::rgbOfLab(*background);
    }
    return normalisation;
}

DomainVerdict afterNormalisation(const DomainVerdict &verdict, const imaging::CaseNormalisation &normalisation)
{
    DomainVerdict corrected = verdict;
    corrected.normalisation = normalisation;
    corrected.deviations.clear();
    for (const Deviation &deviation : verdict.deviations)
        if (!correctedFeature(deviation.feature, normalisation) && !focusFineAtTrainingScale(deviation, normalisation))
            corrected.deviations.push_back(deviation);
    corrected.outside = std::any_of(corrected.deviations.begin(), corrected.deviations.end(),
                                    [](const Deviation &d) { return d.decides(); });
    return corrected;
}

} // namespace cytodiff::domain
