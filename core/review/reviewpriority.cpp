#include "reviewpriority.h"

#include <algorithm>
#include <array>

namespace cytodiff::review::ReviewPriority {

bool isCriticalClass(const QString &classId)
{
    return classId == QLatin1String("blast") || classId == QLatin1String("ig")
           || classId == QLatin1String("immature_granulocyte") || classId == QLatin1String("erythroblast");
}

std::optional<double> scoreMargin(const db::CellSummary &cell)
{
    if (!cell.hasPrediction || cell.scores.isEmpty())
        return std::nullopt;
    // The predicted class's lead over the best other class. The engine may
    // predict a class that is not the top score (a pruned class's mean over
    // fewer trials can end lower), so a negative lead is clamped to 0: the
    // least confident there is.
    std::array<double, 2> best{0.0, 0.0};
    double predicted = -1.0;
    double bestOther = 0.0;
    for (auto it = cell.scores.cbegin(); it != cell.scores.cend(); ++it) {
        const double score = it.value();
        if (!(score == score)) // NaN: stored as unknown
            continue;
        if (it.key() == cell.predictedClass)
            predicted = score;
        else
            bestOther = std::max(bestOther, score);
        if (score > best[0]) {
            best[1] = best[0];
            best[0] = score;
        } else if (score > best[1]) {
            best[1] = score;
        }
    }
    const double margin = predicted >= 0.0 ? predicted - bestOther : best[0] - best[1];
    return std::clamp(margin, 0.0, 1.0);
}

double scoreMargin(const std::vector<double> &scores, int predicted)
{
    if (predicted < 0 || std::size_t(predicted) >= scores.size())
        return 0.0;
    double bestOther = 0.0;
    for (std::size_t c = 0; c < scores.size(); ++c)
        if (int(c) != predicted && scores[c] == scores[c])
            bestOther = std::max(bestOther, scores[c]);
    return std::clamp(scores[std::size_t(predicted)] - bestOther, 0.0, 1.0);
}

double sortMargin(const db::CellSummary &cell)
{
    return scoreMargin(cell).value_or(0.0);
}

bool isAnomalous(const db::CellSummary &cell, const ReviewThresholds &thresholds)
{
    return cell.hasPrediction && cell.anomaly && thresholds.flagsUnidentified(*cell.anomaly);
}

bool secondOpinionDiffers(const db::CellSummary &cell)
{
    return cell.hasPrediction && !cell.secondOpinionClass.isEmpty() && cell.secondOpinionClass != cell.predictedClass;
}

bool isCritical(const db::CellSummary &cell)
{
    return (cell.hasPrediction && isCriticalClass(cell.predictedClass)) || isCriticalClass(cell.labelClass);
}

bool isAgreedCriticalCall(const db::CellSummary &cell, const ReviewThresholds &thresholds)
{
    if (!cell.hasPrediction || !isCriticalClass(cell.predictedClass) || cell.secondOpinionClass != cell.predictedClass)
        return false;
    if (!cell.labelClass.isEmpty() && cell.labelClass != cell.predictedClass)
        return false;
    const std::optional<double> margin = scoreMargin(cell);
    return margin && *margin >= thresholds.criticalAgreedMargin;
}

ReviewGroup group(const db::CellSummary &cell, const ReviewThresholds &thresholds)
{
    // The order of these tests is the queue order (reviewpriority.h says why).
    if (isAnomalous(cell, thresholds))
        return ReviewGroup::Unidentified;
    if (secondOpinionDiffers(cell))
        return ReviewGroup::SecondOpinion;
    if (isCritical(cell) && !isAgreedCriticalCall(cell, thresholds))
        return ReviewGroup::Critical;
    const std::optional<double> margin = scoreMargin(cell);
    if (!margin || *margin < thresholds.marginBelow || thresholds.reviewEveryCell)
        return ReviewGroup::Uncertain;
    return ReviewGroup::Confident;
}

bool queueLess(const db::CellSummary &a, const db::CellSummary &b, const ReviewThresholds &thresholds)
{
    const ReviewGroup ga = group(a, thresholds);
    const ReviewGroup gb = group(b, thresholds);
    if (ga != gb)
        return ga < gb;
    const double ma = sortMargin(a);
    const double mb = sortMargin(b);
    if (ma != mb)
        return ma < mb;
    return a.id < b.id; // stable across reloads
}

QString workingClass(const db::CellSummary &cell, bool reviewed)
{
    if (reviewed)
        return cell.labelClass;
    if (cell.hasPrediction && !cell.predictedClass.isEmpty())
        return cell.predictedClass;
    return cell.labelClass;
}

} // namespace cytodiff::review::ReviewPriority
