#pragma once
// Which cells a reviewer must look at, and in which order. Pure functions
// of a cell's prediction, so the queue, the gallery badges, sign-off and
// the report all agree.
//
// Order (users.md, issue 5; issue 19): cells unlike any trained class
// first, shown as "Unidentified / possible unseen cell type"; then cells on
// which the second-opinion model's call differs; then clinically critical
// classes (blast, immature granulocyte, erythroblast); then the rest, least
// confident first.
//
// Why disagreements come before critical classes: critical calls are
// queued anyway, so the order only decides what the reviewer sees first,
// and the cells where the two models disagree hold most of the model's
// errors (32 of 41 on the PBC test part, in 6.5% of the cells;
// docs/evaluation.md, "A second opinion"). Putting them first is the
// ordering that was measured (85% of errors in the first 10% of cells
// instead of 76%). A critical call on which the models disagree is both,
// and is shown in the disagreement group with its critical flag. Unseen
// cell types stay ahead of both: neither model can be right about them.
//
// Confidence here is the margin between the predicted class's score and
// the best other score (users.md asks for the margin between the two best
// classes, not entropy), in [0, 1] whatever the model's error scale; a
// cell without scores counts as maximally uncertain (margin 0).

#include "records.h"

#include <QString>

#include <optional>
#include <vector>

namespace cytodiff::review {

struct ReviewThresholds {
    // Cells whose score margin is below this join the queue; 1 puts every
    // classified cell in the queue. 0.7 was chosen on PBC validation cells
    // with the calibrated shipped model (display scores are calibrated
    // probabilities): it queues 11% of cells and 10 of their 14 errors, where
    // 0.5 queued 7% and half the errors (models/README.md, "Review queue").
    double marginBelow = 0.7;
    // anomaly = -zeta (engine.h): above 0 no class stands out from the
    // runners-up more than they differ among themselves.
    double anomalyAbove = 0.0;
    // The queue's Unidentified rule on an anomaly score (NaN: never). The
    // domain check counts unidentified calls by the default thresholds'
    // rule, as its reference measured them.
    bool flagsUnidentified(double anomaly) const { return anomaly > anomalyAbove; }
    // The case failed the domain check (core/domain): its images are unlike
    // the model's training images, so no call is confident enough to skip.
    bool reviewEveryCell = false;
    // A critical call leaves the critical group only when the second-opinion
    // model makes the same call, the analyser's label (if any) does not name
    // another class, and the score margin is at least this; such a call is
    // then queued or not as any other (marginBelow). Above 1: every critical
    // call is queued. Why not always queue them (issue 21): ig and
    // erythroblast calls were 250 of the 346 queued PBC validation cells (a
    // 34% queue). 0.995 was chosen on the validation part, with the CNN as
    // second opinion, as the lowest margin that lets not one more error out
    // of the queue for either diffusion model: queue 34.4 -> 26.0% (pixel
    // model, 5 silent errors of 1,020 either way) and 33.9 -> 21.6% (latent
    // base-40, 4 either way); 0.9 would have let 2 more through
    // (docs/method-notes.md, "The critical group"). Critical calls still
    // lead the report's flagged cells and keep a mark in the gallery.
    double criticalAgreedMargin = 0.995;
};
// criticalAgreedMargin that no margin reaches: every critical call queued.
inline constexpr double kEveryCriticalCall = 2.0;

// In queue order: the values order the queue and index per-group counts.
enum class ReviewGroup {
    Unidentified = 0,  // high anomaly score
    SecondOpinion = 1, // the second-opinion model calls it another class
    Critical = 2,      // blast, immature granulocyte, erythroblast
    Uncertain = 3,     // margin below the threshold, or not classified
    Confident = 4,     // not in the queue
};
inline constexpr int kReviewGroupCount = 5;

namespace ReviewPriority {

bool isCriticalClass(const QString &classId);
// The model's call or the imported label is a critical class (whatever
// group the cell is in).
bool isCritical(const db::CellSummary &cell);
// A critical call that is not queued as critical: both models make it, the
// label agrees or is absent, and the margin reaches criticalAgreedMargin.
bool isAgreedCriticalCall(const db::CellSummary &cell, const ReviewThresholds &thresholds);
// Predicted class's score minus the best other score, clamped to [0, 1];
// nullopt without scores.
std::optional<double> scoreMargin(const db::CellSummary &cell);
// The same from a classification's display scores (index = class); 0 when
// the prediction is not one of them. The one margin every caller uses.
double scoreMargin(const std::vector<double> &scores, int predicted);
// The margin used for ordering: 0 when unknown.
double sortMargin(const db::CellSummary &cell);
bool isAnomalous(const db::CellSummary &cell, const ReviewThresholds &thresholds);
// A second opinion exists and names another class than the prediction.
bool secondOpinionDiffers(const db::CellSummary &cell);
ReviewGroup group(const db::CellSummary &cell, const ReviewThresholds &thresholds);
inline bool inQueue(ReviewGroup group) { return group != ReviewGroup::Confident; }
// Strict weak order of the queue (reviewed state aside).
bool queueLess(const db::CellSummary &a, const db::CellSummary &b, const ReviewThresholds &thresholds);

// The class a cell counts as: the reviewer's label once reviewed, else the
// model's prediction, else the imported label. Empty = unidentified.
QString workingClass(const db::CellSummary &cell, bool reviewed);

} // namespace ReviewPriority

} // namespace cytodiff::review
