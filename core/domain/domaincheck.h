#pragma once
// Are a case's images like the ones the model learnt from? (issue 21, item 3)
//
// A model card carries a DomainReference: percentiles of every
// imaging::ImageFeature over the training images, and the classifier's own
// effort and unidentified share on held-out cells of the same data. A case
// is compared feature by feature: the median of its cells must lie inside
// the training images' 1st-99th percentile range, widened by a tenth of that
// range (a case median is far steadier than one image, so an in-domain case
// sits well inside). A case outside on any deciding aspect gets the banner,
// all its cells go to the review queue and sign-off asks for confirmation.
//
// Image size alone only informs: a larger export at the same magnification
// classifies the same; what a smaller image does to the crop shows up as
// cell scale. Cases under kMinimumCells measured cells are not judged (one
// odd image is not a laboratory).

#include "casenormalisation.h"
#include "imagestats.h"
#include "result.h"

#include <map>
#include <string>
#include <vector>

namespace cytodiff::domain {

inline constexpr int kMinimumCells = 5;
// JPEG quality (IJG scale) below which a case's images are too compressed
// to be judged: at 50 the shipped CNN lost 6 points on PBC test cells, at
// 30 13 points with 4.5% silent errors (docs/evaluation.md section 7).
inline constexpr double kMinimumJpegQuality = 60.0;

struct FeatureRange {
    double p01 = 0, p50 = 0, p99 = 0;
};
// The range a case's median may take: the 1st-99th percentiles widened by a
// tenth of their width, and never narrower than the feature's tolerance
// around the median (a colour difference under 6 CIELAB units, a tenth of
// the image more or less background, 15% in cell size or 25% in sharpness
// is not another laboratory; a narrow training spread must not say it is).
// Red-cell diameter, independent of the case's cell mix, is held to 0.75-1.33
// times the training median.
std::pair<double, double> acceptedRange(const std::string &featureKey, const FeatureRange &range);

struct DomainReference {
    int images = 0;                               // training images measured
    std::map<std::string, FeatureRange> features; // by imaging::featureKey
    double cellFoundShare = 1.0;                  // images whose nucleus was found
    // The model's centre crop in source pixels (its card's cropSize; 0 =
    // unknown). An image whose shorter side is under it is cropped to that
    // side and enlarged: the model sees its cells too large.
    int cropSize = 0;
    // The classifier on held-out cells of the training data (0 / -1: not measured).
    int effortCells = 0;
    double effortMean = 0;                        // network evaluations per cell
    double unidentifiedShare = -1;

    bool empty() const { return images == 0; }
    // Which of a diffusion model's figures its calls can be judged against
    // (card edits remove them when stale).
    bool hasEffort() const { return effortCells > 0 && effortMean > 0; }
    bool hasUnidentifiedShare() const { return unidentifiedShare >= 0; }
    std::string toJson() const;
    static Result<DomainReference> fromJson(const std::string &json);
};

// A card edit that changes the classifier's calls leaves the reference's
// classifier figures measured on calls the model no longer makes. A new
// error profile changes which calls are Unidentified, not how long the race
// runs; new class offsets change both.
enum class CallsChange { UnidentifiedRule, ClassErrors };
struct ReferenceUpdate {
    std::string json;       // the reference to store
    bool removedFigures = false;
};
// The reference without the figures `change` made stale (its image ranges
// always stay, they depend on the images alone), so a case is never judged
// against them; `domain-reference` measures them again. An empty or
// unreadable reference is returned as it is (its reader says what is wrong).
ReferenceUpdate withoutStaleFigures(const std::string &referenceJson, CallsChange change);

// The median of a feature over a case's images (NaN values skipped); NaN
// when fewer than `minimum` images have it.
double caseMedian(const std::vector<imaging::ImageStats> &cells, imaging::ImageFeature feature, int minimum = kMinimumCells);

// Percentiles over measured training images (NaN values skipped).
DomainReference buildReference(const std::vector<imaging::ImageStats> &images);

// The aspects a case can differ in, in the order the banner lists them.
enum class Aspect {
    Scale,          // nucleus diameter: magnification or crop
    Framing,        // nucleus off centre
    Background,     // share or colour of the unstained background (tight crops, lighting)
    Stain,          // nucleus colour
    Focus,          // sharpness
    Segmentation,   // no nucleus found in many images
    Effort,         // the diffusion classifier needed many more evaluations
    Unidentified,   // many cells unlike any trained class
    Compression,    // heavy JPEG compression (a fixed floor, not the reference)
    ImageSize,      // informative only
};
std::string aspectKey(Aspect aspect); // "scale", "stain", ...

struct Deviation {
    Aspect aspect = Aspect::Scale;
    std::string feature;     // featureKey, or "cell_found_share", "effort_mean", "unidentified_share"
    double caseValue = 0;    // the case's median (or share / mean)
    double typical = 0;      // the training images' median (or reference figure)
    double low = 0, high = 0; // the accepted range
    bool decides() const { return aspect != Aspect::ImageSize; }
    std::string describe() const; // one English line for the CLI and logs
};

struct DomainVerdict {
    bool checked = false;    // false: no reference, or too few cells
    bool outside = false;    // a deciding deviation exists
    int cells = 0;           // cells measured
    std::vector<Deviation> deviations;
    // What the classification did to the case's images before the model saw
    // them (the identity: nothing); deviations it corrected are not listed.
    imaging::CaseNormalisation normalisation;
    // Deciding aspects, de-duplicated, in Aspect order.
    std::vector<Aspect> aspects() const;
    // "these images differ from the model's training images in cell scale,
    // stain: ..." for the CLI; empty when not outside.
    std::string warning() const;
    std::string toJson() const;
    static Result<DomainVerdict> fromJson(const std::string &json);
};

// What the classifier did on the case's cells (diffusion effort = network
// evaluations per cell; leave empty for a model without an effort figure).
struct CaseEffort {
    std::vector<double> evaluations;
    int unidentified = 0;
    int classified = 0;
};

DomainVerdict checkCase(const std::vector<imaging::ImageStats> &cells, const DomainReference &reference,
                        const CaseEffort &effort = {});

// A case's check as its cells go by: the images first (before any
// classification, so every call can be queued), then the classifier's calls.
class CaseDomainCheck {
public:
    // referenceJson: the model card's domainReference; empty = unchecked.
    explicit CaseDomainCheck(const std::string &referenceJson);
    // Whether the model carries a reference, and why not when it is unreadable.
    bool hasReference() const { return !m_reference.empty(); }
    const std::string &referenceError() const { return m_referenceError; }

    // An image file's bytes; undecodable ones are skipped (they fail
    // classification with their own message).
    void addImage(std::string_view bytes);
    void addMeasurement(const imaging::ImageStats &stats) { m_images.push_back(stats); }
    const std::vector<imaging::ImageStats> &images() const { return m_images; }
    // effort: network evaluations (diffusion; < 0 = none to count).
    void addCall(int evaluations, bool unidentified);

    DomainVerdict verdict() const { return checkCase(m_images, m_reference, m_effort); }

private:
    DomainReference m_reference;
    std::string m_referenceError;
    std::vector<imaging::ImageStats> m_images;
    CaseEffort m_effort;
};

} // namespace cytodiff::domain
