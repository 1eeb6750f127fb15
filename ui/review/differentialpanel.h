#pragma once
// The differential page of a case: white cells per class with count, %,
// Wilson 95% interval, reference range (with its source) and a flag;
// non-white cells per 100 white cells; and a histogram of the model's
// confidence over the case with the review threshold (QCustomPlot).
// Recomputed from the gallery model, so it follows every edit.

#include "differential.h"
#include "reviewpriority.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace cytodiff::ui {

class CellGalleryModel;

class DifferentialPanel : public QWidget {
    Q_OBJECT
public:
    explicit DifferentialPanel(CellGalleryModel *model, QWidget *parent = nullptr);

    void setReferenceRanges(const review::ReferenceRanges &ranges);
    // A signed differential is final, not preliminary.
    void setCaseSigned(bool isSigned);
    void refresh();

    const review::Differential &differential() const { return m_differential; }
    QTableWidget *whiteTable() const { return m_white; }
    QTableWidget *nonWhiteTable() const { return m_nonWhite; }

private:
    void fillWhite();
    void fillNonWhite();
    void updateHistogram();

    CellGalleryModel *m_model;
    review::ReferenceRanges m_ranges;
    bool m_signed = false;
    review::Differential m_differential;
    QLabel *m_summary = nullptr;
    QLabel *m_warning = nullptr;
    QLabel *m_source = nullptr;
    QTableWidget *m_white = nullptr;
    QTableWidget *m_nonWhite = nullptr;
    QLabel *m_nonWhiteTitle = nullptr;
    QWidget *m_histogram = nullptr; // QCustomPlot when available
};

} // namespace cytodiff::ui
