#include "differentialpanel.h"

#include "cellclassnames.h"
#include "cellgallerymodel.h"
#include "panetitle.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
#include <qcustomplot.h>
#endif

namespace cytodiff::ui {

namespace {
constexpr int kHistogramBins = 20;

QTableWidget *makeTable(const QStringList &headers)
{
    auto *table = new QTableWidget(0, int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionMode(QAbstractItemView::NoSelection);
    table->setFocusPolicy(Qt::NoFocus);
    table->setAlternatingRowColors(true);
    table->setShowGrid(false);
    table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Every column as wide as its header and values; the last takes what
    // is left. A stretched first column was squeezed below its header and
    // class names in a narrow window.
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    return table;
}

QTableWidgetItem *cell(const QString &text, Qt::Alignment alignment = Qt::AlignRight | Qt::AlignVCenter)
{
    auto *item = new QTableWidgetItem(text);
    item->setTextAlignment(alignment);
    return item;
}

// Never narrower than its headers and values: the page scrolls sideways
// rather than clip them.
void fitWidth(QTableWidget *table)
{
    const QAbstractItemView *view = table; // sizeHintForColumn is public here
    int width = 2 * table->frameWidth();
    for (int column = 0; column < table->columnCount(); ++column)
        width += std::max(view->sizeHintForColumn(column), table->horizontalHeader()->sectionSizeHint(column));
    table->setMinimumWidth(width);
}

// Tables sized to their rows: the page scrolls, not each table.
void fitHeight(QTableWidget *table)
{
    int height = table->horizontalHeader()->height() + 2 * table->frameWidth();
    for (int row = 0; row < table->rowCount(); ++row)
        height += table->rowHeight(row);
    table->setFixedHeight(height);
}

QString percent(double value)
{
    return QLocale().toString(value, 'f', 1);
}
} // namespace

DifferentialPanel::DifferentialPanel(CellGalleryModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_ranges(review::ReferenceRanges::defaults())
{
    setObjectName(QStringLiteral("differentialPanel"));
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("differentialSummary"));
    m_summary->setWordWrap(true);
    m_warning = new QLabel;
    m_warning->setObjectName(QStringLiteral("differentialWarning"));
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(QStringLiteral("QLabel { background: #fff8e1; color: #6d4c00; border-radius: 4px; "
                                            "padding: 5px 8px; }"));
    m_source = new QLabel;
    m_source->setObjectName(QStringLiteral("referenceSource"));
    m_source->setWordWrap(true);
    m_source->setForegroundRole(QPalette::PlaceholderText);

    m_white = makeTable({tr("White cells"), tr("Count"), tr("% of WBC"), tr("95% CI (Wilson)"), tr("Reference"),
                         tr("Flag")});
    m_white->setObjectName(QStringLiteral("differentialTable"));
    m_nonWhite = makeTable({tr("Other cells"), tr("Count"), tr("Per 100 WBC")});
    m_nonWhite->setObjectName(QStringLiteral("nonWhiteTable"));
    m_nonWhiteTitle = makePaneTitle(tr("Not counted in the differential"));

#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
    auto *plot = new QCustomPlot;
    plot->setObjectName(QStringLiteral("confidenceHistogram"));
    plot->setFixedHeight(180);
    plot->setBackground(palette().brush(QPalette::Base));
    plot->xAxis->setLabel(tr("Confidence (score margin, %)"));
    plot->yAxis->setLabel(tr("Cells"));
    plot->xAxis->setRange(0, 100);
    m_histogram = plot;
#else
    m_histogram = new QWidget;
    m_histogram->hide();
#endif

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(14, 12, 14, 12);
    layout->setSpacing(8);
    layout->addWidget(makePaneTitle(tr("Differential")));
    layout->addWidget(m_summary);
    layout->addWidget(m_warning);
    layout->addWidget(m_white);
    layout->addWidget(m_source);
    layout->addSpacing(6);
    layout->addWidget(m_nonWhiteTitle);
    layout->addWidget(m_nonWhite);
    layout->addSpacing(6);
    layout->addWidget(makePaneTitle(tr("Model confidence in this case")));
    layout->addWidget(m_histogram);
    layout->addStretch();

    auto *scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
}

void DifferentialPanel::setReferenceRanges(const review::ReferenceRanges &ranges)
{
    m_ranges = ranges;
    refresh();
}

void DifferentialPanel::setCaseSigned(bool isSigned)
{
    if (m_signed == isSigned)
        return;
    m_signed = isSigned;
    refresh();
}

void DifferentialPanel::refresh()
{
    m_differential = review::DifferentialCalculator::compute(m_model->cells(), m_model->reviewedCells(), m_ranges);
    const review::Differential &d = m_differential;
    int reviewed = 0;
    for (const db::CellSummary &summary : m_model->cells())
        reviewed += m_model->isReviewed(summary.id) ? 1 : 0;
    QStringList parts;
    parts << tr("%1 white cells counted").arg(QLocale().toString(d.whiteCells));
    if (d.unidentified > 0)
        parts << tr("%1 unidentified (not counted)").arg(QLocale().toString(d.unidentified));
    if (d.otherCells > 0)
        parts << tr("%1 with a class outside the table (not counted)").arg(QLocale().toString(d.otherCells));
    parts << tr("%1 of %2 cells reviewed").arg(QLocale().toString(reviewed), QLocale().toString(d.totalCells));
    m_summary->setText(parts.join(QStringLiteral("  ·  ")));
    const bool preliminary = !m_signed && reviewed < d.totalCells;
    QStringList warnings;
    if (d.whiteCells > 0 && d.whiteCells < 100)
        warnings << tr("Fewer than 100 white cells: the intervals are wide.");
    if (preliminary)
        warnings << tr("Preliminary until signed: cells not reviewed yet count under the model's class.");
    m_warning->setText(warnings.join(QLatin1Char(' ')));
    m_warning->setVisible(!warnings.isEmpty());
    m_source->setText(tr("Reference ranges: %1").arg(m_ranges.source.isEmpty() ? tr("source not given") : m_ranges.source));
    fillWhite();
    fillNonWhite();
    updateHistogram();
}

void DifferentialPanel::fillWhite()
{
    const QList<review::DifferentialRow> &rows = m_differential.white;
    m_white->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        const review::DifferentialRow &row = rows.at(r);
        const bool counted = m_differential.whiteCells > 0;
        m_white->setItem(r, 0, cell(CellClassNames::displayName(row.classId), Qt::AlignLeft | Qt::AlignVCenter));
        m_white->setItem(r, 1, cell(QLocale().toString(row.count)));
        m_white->setItem(r, 2, cell(counted ? percent(row.value) : tr("—")));
        m_white->setItem(r, 3, cell(counted ? tr("%1–%2").arg(percent(row.interval.low), percent(row.interval.high))
                                            : tr("—")));
        m_white->setItem(r, 4, cell(row.range ? tr("%1–%2").arg(QLocale().toString(row.range->lowPercent),
                                                                QLocale().toString(row.range->highPercent))
                                              : tr("—")));
        auto *flag = cell(review::DifferentialCalculator::flagText(row.flag), Qt::AlignLeft | Qt::AlignVCenter);
        if (row.flag != review::RangeFlag::None) {
            QFont bold = flag->font();
            bold.setBold(true);
            flag->setFont(bold);
            flag->setForeground(QColor(0xb0, 0x00, 0x20));
            flag->setToolTip(tr("Outside the reference range"));
        }
        m_white->setItem(r, 5, flag);
    }
    m_white->resizeRowsToContents();
    fitHeight(m_white);
    fitWidth(m_white);
}

void DifferentialPanel::fillNonWhite()
{
    const QList<review::DifferentialRow> &rows = m_differential.nonWhite;
    m_nonWhite->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        const review::DifferentialRow &row = rows.at(r);
        m_nonWhite->setItem(r, 0, cell(CellClassNames::displayName(row.classId), Qt::AlignLeft | Qt::AlignVCenter));
        m_nonWhite->setItem(r, 1, cell(QLocale().toString(row.count)));
        m_nonWhite->setItem(r, 2, cell(m_differential.whiteCells > 0 ? percent(row.value) : tr("—")));
    }
    m_nonWhite->resizeRowsToContents();
    fitHeight(m_nonWhite);
    fitWidth(m_nonWhite);
    m_nonWhite->setVisible(!rows.isEmpty());
    m_nonWhiteTitle->setVisible(!rows.isEmpty());
}

void DifferentialPanel::updateHistogram()
{
#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
    auto *plot = static_cast<QCustomPlot *>(m_histogram);
    plot->clearPlottables();
    plot->clearItems();
    QVector<double> keys(kHistogramBins), counts(kHistogramBins, 0.0);
    const double width = 100.0 / kHistogramBins;
    for (int b = 0; b < kHistogramBins; ++b)
        keys[b] = (b + 0.5) * width;
    int classified = 0;
    for (const db::CellSummary &summary : m_model->cells()) {
        const auto margin = review::ReviewPriority::scoreMargin(summary);
        if (!margin)
            continue;
        ++classified;
        counts[qBound(0, int(*margin * 100.0 / width), kHistogramBins - 1)] += 1.0;
    }
    auto *bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setWidth(width * 0.9);
    bars->setPen(Qt::NoPen);
    bars->setBrush(QColor(0x1f, 0x6f, 0xb5));
    bars->setData(keys, counts, true);
    double highest = 1.0;
    for (double c : std::as_const(counts))
        highest = std::max(highest, c);
    plot->yAxis->setRange(0, highest * 1.15);

    const double threshold = m_model->reviewThresholds().marginBelow * 100.0;
    auto *line = new QCPItemStraightLine(plot);
    line->point1->setCoords(threshold, 0);
    line->point2->setCoords(threshold, 1);
    line->setPen(QPen(QColor(0xc6, 0x28, 0x28), 1.5, Qt::DashLine));
    auto *label = new QCPItemText(plot);
    label->position->setCoords(threshold, highest * 1.1);
    label->setPositionAlignment(threshold > 70 ? (Qt::AlignRight | Qt::AlignVCenter) : (Qt::AlignLeft | Qt::AlignVCenter));
    label->setPadding(QMargins(4, 0, 4, 0));
    label->setText(tr("review below %1%").arg(QLocale().toString(threshold, 'f', 0)));
    label->setColor(QColor(0xc6, 0x28, 0x28));
    plot->setVisible(classified > 0);
    plot->replot();
#endif
}

} // namespace cytodiff::ui
