#include "differential.h"

#include "classnames.h"
#include "reviewpriority.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace cytodiff::review {

ReferenceRanges ReferenceRanges::defaults()
{
    ReferenceRanges defaults;
    // Adult peripheral blood, % of white cells. The five mature classes are
    // users.md's ranges. Every other white-cell class needs one too, or a
    // differential with 20% immature granulocytes carries no flag:
    //  - immature granulocytes 0-1%: a range common in laboratories for
    //    the manual differential of adult blood (automated IG% upper limits
    //    are of the same order);
    //  - blasts 0-0%: none in normal adult blood, so any blast is flagged;
    //  - variant (reactive) lymphocytes 0-5%: a few are seen in healthy
    //    adults, and 5% is a common laboratory cut-off.
    // They are conventions, not one laboratory's validated ranges: the
    // source line says so, and each laboratory replaces them in Settings.
    defaults.ranges = {
        {QStringLiteral("neutrophil"), 43.0, 72.0}, {QStringLiteral("lymphocyte"), 18.0, 43.0},
        {QStringLiteral("monocyte"), 4.0, 12.0},    {QStringLiteral("eosinophil"), 0.0, 8.0},
        {QStringLiteral("basophil"), 0.0, 2.0},     {QStringLiteral("ig"), 0.0, 1.0},
        {QStringLiteral("blast"), 0.0, 0.0},        {QStringLiteral("variant_lymphocyte"), 0.0, 5.0},
    };
    defaults.source = DifferentialCalculator::tr("Adult ranges shipped with CytoDiff (replace with your "
                                                 "laboratory's in Settings)");
    return defaults;
}

std::optional<ReferenceRange> ReferenceRanges::find(const QString &classId) const
{
    for (const ReferenceRange &range : ranges) {
        if (range.classId == classId)
            return range;
    }
    return std::nullopt;
}

Differential DifferentialCalculator::compute(const QList<db::CellSummary> &cells, const QSet<qint64> &reviewed,
                                             const ReferenceRanges &ranges)
{
    Differential result;
    result.totalCells = int(cells.size());
    QHash<QString, int> counts;
    for (const db::CellSummary &cell : cells) {
        const QString cls = review::ReviewPriority::workingClass(cell, reviewed.contains(cell.id));
        if (cls.isEmpty())
            ++result.unidentified;
        else if (!importer::isCanonicalClass(cls))
            ++result.otherCells;
        else
            ++counts[cls];
    }
    for (const importer::ClassInfo &info : importer::canonicalClasses()) {
        if (info.whiteCell)
            result.whiteCells += counts.value(info.id);
    }
    const int wbc = result.whiteCells;
    for (const importer::ClassInfo &info : importer::canonicalClasses()) {
        const int count = counts.value(info.id);
        if (!info.whiteCell && count == 0)
            continue;
        DifferentialRow row;
        row.classId = info.id;
        row.count = count;
        row.whiteCell = info.whiteCell;
        row.value = wbc > 0 ? 100.0 * count / wbc : 0.0;
        if (info.whiteCell) {
            const WilsonInterval ci = wilsonInterval(count, wbc);
            row.interval = {100.0 * ci.low, 100.0 * ci.high};
            row.range = ranges.find(info.id);
            // A flag needs a count to judge: with no white cells there is
            // no percentage to be out of range.
            if (row.range && wbc > 0) {
                if (row.value < row.range->lowPercent)
                    row.flag = RangeFlag::Low;
                else if (row.value > row.range->highPercent)
                    row.flag = RangeFlag::High;
            }
            result.white.append(row);
        } else {
            result.nonWhite.append(row);
        }
    }
    return result;
}

QString DifferentialCalculator::flagText(RangeFlag flag)
{
    switch (flag) {
    case RangeFlag::Low:
        return tr("Low");
    case RangeFlag::High:
        return tr("High");
    case RangeFlag::None:
        break;
    }
    return {};
}

} // namespace cytodiff::review
