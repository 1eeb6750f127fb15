#include "domaincheck.h"

#include "quantile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace cytodiff::domain {
namespace {

using imaging::ImageFeature;

// The case's mean network evaluations may exceed the reference's by this
// factor: cases rich in hard classes (immature granulocytes, monocytes) need
// more evaluations without being from elsewhere. The field test's other
// laboratory needed 1.68 times as many.
constexpr double kEffortRatio = 1.4;
// Unidentified share above max(kUnidentifiedFloor, kUnidentifiedRatio x reference).
constexpr double kUnidentifiedFloor = 0.15;
constexpr double kUnidentifiedRatio = 3.0;
// Nucleus found in fewer than max(kFoundFloor, reference - kFoundDrop) of the images.
constexpr double kFoundFloor = 0.5;
constexpr double kFoundDrop = 0.15;
// Images whose shorter side is under this share of the model's crop show
// their cells more than 10% enlarged to the model.
constexpr double kCropShare = 0.9;
// An upper bound that is none (JSON has no infinity).
constexpr double kNoLimit = 1e12;

Aspect aspectOf(ImageFeature feature)
{
    switch (feature) {
    case ImageFeature::Width:
    case ImageFeature::Height: return Aspect::ImageSize;
    case ImageFeature::NucleusDiameter:
    case ImageFeature::RedCellDiameter: return Aspect::Scale;
    case ImageFeature::CentreOffset: return Aspect::Framing;
    case ImageFeature::BackgroundShare:
    case ImageFeature::BackgroundL:
    case ImageFeature::BackgroundA:
    case ImageFeature::BackgroundB: return Aspect::Background;
    case ImageFeature::NucleusL:
    case ImageFeature::NucleusA:
    case ImageFeature::NucleusB: return Aspect::Stain;
    case ImageFeature::Sharpness: return Aspect::Focus;
    }
    return Aspect::ImageSize;
}

std::vector<double> finiteSorted(const std::vector<imaging::ImageStats> &images, ImageFeature feature)
{
    std::vector<double> values;
    for (const auto &image : images)
        if (std::isfinite(image.value(feature)))
            values.push_back(image.value(feature));
    std::sort(values.begin(), values.end());
    return values;
}

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, std::fabs(value) >= 100 ? "%.0f" : "%.3g", value);
    return text;
}

QJsonObject rangeJson(const FeatureRange &range)
{
    return {{"p01", range.p01}, {"p50", range.p50}, {"p99", range.p99}};
}

QJsonArray triple(const std::array<double, 3> &values)
{
    return QJsonArray{values[0], values[1], values[2]};
}

std::array<double, 3> tripleOf(const QJsonValue &value, const std::array<double, 3> &fallback)
{
    const QJsonArray array = value.toArray();
    if (array.size() != 3)
        return fallback;
    return {array.at(0).toDouble(fallback[0]), array.at(1).toDouble(fallback[1]), array.at(2).toDouble(fallback[2])};
}

QJsonObject normalisationJson(const imaging::CaseNormalisation &n)
{
    return QJsonObject{{"scale", n.scale},         {"scale_measured", n.scaleMeasured},
                       {"recentre_above", n.recentreAbove}, {"pad", n.pad}, {"framing_fitted", n.framingFitted},
                       {"stain", n.stain},         {"od_gain", triple(n.gain)},
                       {"od_offset", triple(n.offset)}, {"fill", triple(n.fill)}};
}

// An absent or unreadable object is the identity: the case was classified
// as it came (older workspaces stored no normalisation).
imaging::CaseNormalisation normalisationFromJson(const QJsonObject &o)
{
    imaging::CaseNormalisation n;
    if (o.isEmpty())
        return n;
    const double scale = o.value("scale").toDouble(1.0);
    n.scale = std::isfinite(scale) && scale > 0 ? scale : 1.0;
    n.scaleMeasured = o.value("scale_measured").toBool();
    n.recentreAbove = o.value("recentre_above").toDouble(-1.0);
    n.pad = o.value("pad").toBool();
    n.framingFitted = o.value("framing_fitted").toBool();
    n.stain = o.value("stain").toBool();
    n.gain = tripleOf(o.value("od_gain"), n.gain);
    n.offset = tripleOf(o.value("od_offset"), n.offset);
    n.fill = tripleOf(o.value("fill"), n.fill);
    return n;
}

} // namespace

std::string aspectKey(Aspect aspect)
{
    switch (aspect) {
    case Aspect::Scale: return "scale";
    case Aspect::Framing: return "framing";
    case Aspect::Background: return "background";
    case Aspect::Stain: return "stain";
    case Aspect::Focus: return "focus";
    case Aspect::Segmentation: return "segmentation";
    case Aspect::Effort: return "effort";
    case Aspect::Unidentified: return "unidentified";
    case Aspect::Compression: return "compression";
    case Aspect::ImageSize: return "image_size";
    }
    return "unknown";
}

namespace {
std::optional<Aspect> aspectFromKey(const std::string &key)
{
    for (int a = 0; a <= int(Aspect::ImageSize); ++a)
        if (aspectKey(Aspect(a)) == key)
            return Aspect(a);
    return std::nullopt;
}

std::string aspectPhrase(Aspect aspect)
{
    switch (aspect) {
    case Aspect::Scale: return "cell scale (magnification or crop)";
    case Aspect::Framing: return "framing (cells off centre)";
    case Aspect::Background: return "background (crop tightness or lighting)";
    case Aspect::Stain: return "stain colour";
    case Aspect::Focus: return "focus";
    case Aspect::Segmentation: return "cells that cannot be found";
    case Aspect::Effort: return "the classifier's effort";
    case Aspect::Unidentified: return "cells unlike any trained class";
    case Aspect::Compression: return "heavy JPEG compression";
    case Aspect::ImageSize: return "image size";
    }
    return "unknown";
}
} // namespace

std::string Deviation::describe() const
{
    // A fixed floor (JPEG quality) has no training figure to show.
    const std::string training = typical > 0 ? "training " + number(typical) + ", " : std::string();
    return aspectPhrase(aspect) + ": " + feature + " " + number(caseValue) + " (" + training + "accepted "
         + (high >= kNoLimit ? "from " + number(low) : number(low) + " to " + number(high)) + ")";
}

std::vector<Aspect> DomainVerdict::aspects() const
{
    std::vector<Aspect> out;
    for (const auto &d : deviations)
        if (d.decides() && std::find(out.begin(), out.end(), d.aspect) == out.end())
            out.push_back(d.aspect);
    std::sort(out.begin(), out.end());
    return out;
}

std::string DomainVerdict::warning() const
{
    if (!outside)
        return {};
    std::string list;
    for (const Aspect a : aspects())
        list += (list.empty() ? "" : ", ") + aspectPhrase(a);
    return "These images differ from the model's training images in " + list
         + ": the predictions are unreliable; review every cell.";
}

std::pair<double, double> acceptedRange(const std::string &featureKey, const FeatureRange &range)
{
    // Red cells are about 7.5 um across in every film and do not depend on
    // the case's mix of white cells, so their median is judged against the
    // training median itself: more than a quarter smaller or a third larger
    // is another magnification. (One image's measurement is noisy, hence
    // its wide 1-99% range; a case's median is not.)
    if (featureKey == "red_cell_diameter")
        return {0.75 * range.p50, 1.33 * range.p50};
    // The nucleus median of a case moves with its cell mix, but far less
    // than one image's nucleus does (the 1st-99th percentile range of
    // single images spans small lymphocytes to large monocytes, and let a
    // 1.6x magnification through): a case is held to 0.7-1.43 times the
    // training median, wider than the red cells for the cases of unusual
    // mix (many erythroblasts, blasts, small lymphocytes).
    if (featureKey == "nucleus_diameter")
        return {0.7 * range.p50, 1.43 * range.p50};
    // A sharper image than the training images' is no risk in itself (a
    // lower magnification reads sharper, and cell scale judges it); blur is.
    if (featureKey == "sharpness") {
        const double margin = 0.1 * (range.p99 - range.p01);
        return {std::min(range.p01 - margin, 0.75 * range.p50), kNoLimit};
    }
    double tolerance = 0;
    if (featureKey.rfind("nucleus_", 0) == 0 && featureKey != "nucleus_diameter")
        tolerance = 6.0;
    else if (featureKey.rfind("background_", 0) == 0)
        tolerance = featureKey == "background_share" ? 0.1 : 6.0;
    else if (featureKey == "centre_offset")
        tolerance = 0.05;
    const double margin = 0.1 * (range.p99 - range.p01);
    return {std::min(range.p01 - margin, range.p50 - tolerance), std::max(range.p99 + margin, range.p50 + tolerance)};
}

double caseMedian(const std::vector<imaging::ImageStats> &cells, ImageFeature feature, int minimum)
{
    const auto values = finiteSorted(cells, feature);
    if (values.empty() || int(values.size()) < minimum)
        return std::numeric_limits<double>::quiet_NaN();
    return stats::sortedQuantile(values, 0.5);
}

DomainReference buildReference(const std::vector<imaging::ImageStats> &images)
{
    DomainReference reference;
    reference.images = int(images.size());
    if (images.empty())
        return reference;
    int found = 0;
    for (const auto &image : images)
        found += image.cellFound ? 1 : 0;
    reference.cellFoundShare = double(found) / double(images.size());
    for (int f = 0; f < imaging::kImageFeatureCount; ++f) {
        const auto values = finiteSorted(images, ImageFeature(f));
        // A feature most training images lack (background in tight crops)
        // cannot be judged against.
        if (values.size() * 4 < images.size())
            continue;
        reference.features[imaging::featureKey(ImageFeature(f))] = {
            stats::sortedQuantile(values, 0.01), stats::sortedQuantile(values, 0.5), stats::sortedQuantile(values, 0.99)};
    }
    return reference;
}

DomainVerdict checkCase(const std::vector<imaging::ImageStats> &cells, const DomainReference &reference,
                        const CaseEffort &effort)
{
    DomainVerdict verdict;
    verdict.cells = int(cells.size());
    if (reference.empty() || verdict.cells < kMinimumCells)
        return verdict;
    verdict.checked = true;
    for (int f = 0; f < imaging::kImageFeatureCount; ++f) {
        const auto feature = ImageFeature(f);
        const auto found = reference.features.find(imaging::featureKey(feature));
        if (found == reference.features.end())
            continue;
        const double median = caseMedian(cells, feature);
        if (std::isnan(median))
            continue;
        const FeatureRange &range = found->second;
        const auto [low, high] = acceptedRange(found->first, range);
        if (median < low || median > high)
            verdict.deviations.push_back({aspectOf(feature), found->first, median, range.p50, low, high});
    }
    if (reference.cropSize > 0) {
        std::vector<double> sides;
        for (const auto &cell : cells)
            sides.push_back(std::min(cell.value(ImageFeature::Width), cell.value(ImageFeature::Height)));
        std::sort(sides.begin(), sides.end());
        const double median = stats::sortedQuantile(sides, 0.5);
        const double low = kCropShare * reference.cropSize;
        if (median < low)
            verdict.deviations.push_back({Aspect::Scale, "crop_side", median, double(reference.cropSize), low, kNoLimit});
    }
    std::vector<double> qualities;
    for (const auto &cell : cells)
        if (std::isfinite(cell.jpegQuality))
            qualities.push_back(cell.jpegQuality);
    if (int(qualities.size()) >= kMinimumCells) {
        std::sort(qualities.begin(), qualities.end());
        const double median = stats::sortedQuantile(qualities, 0.5);
        if (median < kMinimumJpegQuality)
            verdict.deviations.push_back({Aspect::Compression, "jpeg_quality", median, 0.0, kMinimumJpegQuality, kNoLimit});
    }
    int foundCells = 0;
    for (const auto &cell : cells)
        foundCells += cell.cellFound ? 1 : 0;
    const double foundShare = double(foundCells) / double(cells.size());
    const double foundLow = std::max(kFoundFloor, reference.cellFoundShare - kFoundDrop);
    if (foundShare < foundLow)
        verdict.deviations.push_back({Aspect::Segmentation, "cell_found_share", foundShare, reference.cellFoundShare,
                                      foundLow, 1.0});
    if (reference.effortMean > 0 && int(effort.evaluations.size()) >= kMinimumCells) {
        double sum = 0;
        for (double e : effort.evaluations)
            sum += e;
        const double mean = sum / double(effort.evaluations.size());
        if (mean > kEffortRatio * reference.effortMean)
            verdict.deviations.push_back({Aspect::Effort, "effort_mean", mean, reference.effortMean, 0.0,
                                          kEffortRatio * reference.effortMean});
    }
    if (reference.unidentifiedShare >= 0 && effort.classified >= kMinimumCells) {
        const double share = double(effort.unidentified) / double(effort.classified);
        const double high = std::max(kUnidentifiedFloor, kUnidentifiedRatio * reference.unidentifiedShare);
        if (share > high)
            verdict.deviations.push_back({Aspect::Unidentified, "unidentified_share", share,
                                          reference.unidentifiedShare, 0.0, high});
    }
    verdict.outside = std::any_of(verdict.deviations.begin(), verdict.deviations.end(),
                                  [](const Deviation &d) { return d.decides(); });
    return verdict;
}

std::string DomainReference::toJson() const
{
    QJsonObject features;
    for (const auto &[key, range] : this->features)
        features[QString::fromStdString(key)] = rangeJson(range);
    QJsonObject root{{"format", 1},
                     {"images", images},
                     {"crop_size", cropSize},
                     {"cell_found_share", cellFoundShare},
                     {"features", features}};
    if (effortCells > 0) {
        root["effort_cells"] = effortCells;
        root["effort_mean"] = effortMean;
        root["unidentified_share"] = unidentifiedShare;
    }
    return QJsonDocument(root).toJson(QJsonDocument::Compact).toStdString();
}

Result<DomainReference> DomainReference::fromJson(const std::string &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return makeError("the model card's domain reference is unreadable");
    const QJsonObject root = document.object();
    if (root.value("format").toInt() != 1)
        return makeError("the model card's domain reference has an unknown format; update CytoDiff");
    DomainReference reference;
    reference.images = root.value("images").toInt();
    reference.cropSize = root.value("crop_size").toInt();
    reference.cellFoundShare = root.value("cell_found_share").toDouble(1.0);
    const QJsonObject features = root.value("features").toObject();
    for (auto it = features.begin(); it != features.end(); ++it) {
        const QJsonObject range = it.value().toObject();
        if (!range.contains("p01") || !range.contains("p50") || !range.contains("p99"))
            return makeError("the model card's domain reference lacks percentiles for " + it.key().toStdString());
        reference.features[it.key().toStdString()] = {range.value("p01").toDouble(), range.value("p50").toDouble(),
                                                      range.value("p99").toDouble()};
    }
    reference.effortCells = root.value("effort_cells").toInt();
    reference.effortMean = root.value("effort_mean").toDouble();
    reference.unidentifiedShare = root.value("unidentified_share").toDouble(-1);
    if (reference.images <= 0 || reference.features.empty())
        return makeError("the model card's domain reference is empty");
    return reference;
}

ReferenceUpdate withoutStaleFigures(const std::string &referenceJson, CallsChange change)
{
    ReferenceUpdate update{referenceJson, false};
    auto reference = DomainReference::fromJson(referenceJson);
    if (referenceJson.empty() || !reference)
        return update;
    if (reference->unidentifiedShare >= 0) {
        reference->unidentifiedShare = -1;
        update.removedFigures = true;
    }
    if (change == CallsChange::ClassErrors && reference->effortCells > 0) {
        reference->effortCells = 0;
        reference->effortMean = 0;
        update.removedFigures = true;
    }
    if (update.removedFigures)
        update.json = reference->toJson();
    return update;
}

std::string DomainVerdict::toJson() const
{
    QJsonArray list;
    for (const auto &d : deviations)
        list.append(QJsonObject{{"aspect", QString::fromStdString(aspectKey(d.aspect))},
                                {"feature", QString::fromStdString(d.feature)},
                                {"case", d.caseValue},
                                {"typical", d.typical},
                                {"low", d.low},
                                {"high", d.high}});
    QJsonObject root{{"checked", checked}, {"outside", outside}, {"cells", cells}, {"deviations", list}};
    if (!normalisation.isIdentity())
        root.insert("normalisation", normalisationJson(normalisation));
    return QJsonDocument(root).toJson(QJsonDocument::Compact).toStdString();
}

Result<DomainVerdict> DomainVerdict::fromJson(const std::string &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return makeError("the stored domain check is unreadable");
    const QJsonObject root = document.object();
    DomainVerdict verdict;
    verdict.checked = root.value("checked").toBool();
    verdict.outside = root.value("outside").toBool();
    verdict.cells = root.value("cells").toInt();
    for (const auto &item : root.value("deviations").toArray()) {
        const QJsonObject d = item.toObject();
        const auto aspect = aspectFromKey(d.value("aspect").toString().toStdString());
        if (!aspect)
            continue; // written by a newer version; the verdict still stands
        verdict.deviations.push_back({*aspect, d.value("feature").toString().toStdString(), d.value("case").toDouble(),
                                      d.value("typical").toDouble(), d.value("low").toDouble(),
                                      d.value("high").toDouble()});
    }
    verdict.normalisation = normalisationFromJson(root.value("normalisation").toObject());
    return verdict;
}

CaseDomainCheck::CaseDomainCheck(const std::string &referenceJson)
{
    if (referenceJson.empty())
        return;
    auto parsed = DomainReference::fromJson(referenceJson);
    if (parsed)
        m_reference = *parsed;
    else
        m_referenceError = parsed.error();
}

void CaseDomainCheck::addImage(std::string_view bytes)
{
    if (auto stats = imaging::measureImage(bytes))
        m_images.push_back(*stats);
}

void CaseDomainCheck::addCall(int evaluations, bool unidentified)
{
    if (evaluations >= 0)
        m_effort.evaluations.push_back(evaluations);
    m_effort.classified += 1;
    m_effort.unidentified += unidentified ? 1 : 0;
}

} // namespace cytodiff::domain
