#pragma once
// Which cells a reviewer must look at, and in which order. Pure functions
// of a cell's prediction, so the queue, the gallery badges, sign-off and
// the report all agree.
//
// Order (users.md, issue 5): cells unlike any trained class first, shown
// as "Unidentified / possible unseen cell type"; then clinically critical
// classes (blast, immature granulocyte, erythroblast); then cells on which
// the second-opinion model's call differs (they hold most of the model's
// errors: docs/evaluation.md, "A second opinion"); then the rest, least
// confident first. Confidence here is the margin between the
// predicted class's score and the best other score (users.md asks for the
// margin between the two best classes, not entropy), in [0, 1] whatever
// the model's error scale; a cell without scores counts as maximally
// uncertain (margin 0).

#include "records.h"

#include <QString>

#include <optional>

namespace cytodiff::ui {

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
};

enum class ReviewGroup {
    Unidentified = 0, // high anomaly score
    Critical = 1,     // blast, immature granulocyte, erythroblast
    SecondOpinion = 2, // the second-opinion model calls it another class
    Uncertain = 3,    // margin below the threshold, or not classified
    Confident = 4,    // not in the queue
};
inline constexpr int kReviewGroupCount = 5;

namespace ReviewPriority {

bool isCriticalClass(const QString &classId);
// Predicted class's score minus the best other score, clamped to [0, 1];
// nullopt without scores.
std::optional<double> scoreMargin(const db::CellSummary &cell);
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

} // namespace cytodiff::ui
