#pragma once
// The white-cell differential of a case, as a haematologist reads it
// (users.md): count and % of white cells per class with a Wilson 95%
// interval, non-white cells (erythroblasts, platelets, smudge cells,
// artefacts) per 100 white cells, and each percentage against the
// laboratory's reference range. Pure computation: the panel, the PDF
// report and the tests use the same numbers.

#include "proportion.h"
#include "records.h"

#include <QCoreApplication>
#include <QList>
#include <QSet>
#include <QString>

#include <optional>

namespace cytodiff::review {

// The Wilson score interval lives in core/stats (shared with the Turing
// test results); these names keep the differential's callers short.
using WilsonInterval = stats::Interval;
using stats::wilsonInterval;

struct ReferenceRange {
    QString classId;
    double lowPercent = 0.0;
    double highPercent = 0.0;
};

struct ReferenceRanges {
    QList<ReferenceRange> ranges;
    QString source; // shown next to the ranges: whose ranges they are

    // Adult ranges, % of WBC (users.md); every laboratory should replace
    // them with its own in Settings.
    static ReferenceRanges defaults();
    std::optional<ReferenceRange> find(const QString &classId) const;
};

enum class RangeFlag { None, Low, High };

struct DifferentialRow {
    QString classId;
    int count = 0;
    bool whiteCell = true;
    // White cells: % of white cells. Non-white: per 100 white cells.
    double value = 0.0;
    WilsonInterval interval; // white cells only, in %, i.e. [0, 100]
    std::optional<ReferenceRange> range;
    RangeFlag flag = RangeFlag::None;
};

struct Differential {
    int totalCells = 0;
    int whiteCells = 0;     // the denominator of the percentages
    int unidentified = 0;   // no class yet: not counted anywhere else
    int otherCells = 0;     // a class outside the canonical table
    QList<DifferentialRow> white;    // canonical order, every white class
    QList<DifferentialRow> nonWhite; // classes present only
};

class DifferentialCalculator {
    Q_DECLARE_TR_FUNCTIONS(DifferentialCalculator)
public:
    // Counts each cell under its working class (ReviewPriority).
    static Differential compute(const QList<db::CellSummary> &cells, const QSet<qint64> &reviewed,
                                const ReferenceRanges &ranges);
    static QString flagText(RangeFlag flag);
};

} // namespace cytodiff::review
