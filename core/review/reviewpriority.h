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
// Why disagreements come before critical classes: every critical call is
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
    // The case failed the domain check (core/domain): its images are unlike
    // the model's training images, so no call is confident enough to skip.
    bool reviewEveryCell = false;
};

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
