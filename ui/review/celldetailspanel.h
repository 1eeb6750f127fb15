#pragma once
// Right-hand panel, the cell viewer: the selected cell at a readable size
// with its counterfactual heatmaps (HeatmapView), the model's verdict
// (class, score margin, anomaly score, per-class score bars), the review
// state, and the cell's provenance (file, export code, size, SHA-256).

#include "records.h"
#include "reviewpriority.h"

#include <QWidget>

class QFormLayout;
class QLabel;
class QStackedWidget;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class ClassificationJob;
class HeatmapView;
class ScoreBarsPlot;

class CellDetailsPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kImageSide = 256;
    // Larger images are scaled down on decoding (a corrupt header must not
    // make us allocate gigabytes).
    static constexpr int kFullResolutionLimit = 2048;

    explicit CellDetailsPanel(QWidget *parent = nullptr);

    // Not owned; the GUI thread's connection. nullptr clears the panel.
    void setDatabase(const db::Database *database);

    // Not owned: computes the heatmaps (nullptr: original picture only).
    void setClassificationJob(ClassificationJob *job);
    void setReviewThresholds(const review::ReviewThresholds &thresholds) { m_thresholds = thresholds; }

    // Shows one cell; reads its image bytes from the database (one image,
    // a few milliseconds, so on the GUI thread).
    void showCell(const db::CellSummary &cell, bool reviewed = false);
    void clear();

    HeatmapView *heatmapView() const { return m_heatmap; }
    ScoreBarsPlot *scoreBars() const { return m_scores; }

    qint64 cellId() const { return m_cellId; }
    // For tests and for copying: the values shown, by field name.
    QString fieldText(const QString &field) const;

private:
    QLabel *addField(QFormLayout *form, const QString &name, const QString &label);
    void showClassification(const db::CellSummary &cell, bool reviewed);
    void showImage(const db::CellSummary &cell);

    const db::Database *m_database = nullptr;
    qint64 m_cellId = 0;
    QStackedWidget *m_stack = nullptr;
    HeatmapView *m_heatmap = nullptr;
    ScoreBarsPlot *m_scores = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_prediction = nullptr;
    QLabel *m_flag = nullptr;
    QWidget *m_classificationForm = nullptr;
    QHash<QString, QLabel *> m_fields;
    review::ReviewThresholds m_thresholds;
};

} // namespace cytodiff::ui
