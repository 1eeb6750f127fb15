#pragma once
// The cell viewer's picture with its counterfactual heatmaps (method.md
// section 2): the original, the heatmap alone, or the heatmap over the
// cell, for a target class the reviewer picks ("what would have to change
// for this cell to read as a monocyte?"), with an opacity slider.
//
// Heatmaps cost many network evaluations, so they are computed in the
// background on demand (the first time a heatmap mode is shown for a
// cell; CellHeatmapJob) and cached there. Moving to another cell never
// waits: the original is shown with "Computing the heatmap…" until the
// map arrives, and a map for a cell no longer shown is not drawn. Drawing
// them (upsampling, colour mapping, opacity) is cheap and done here on
// every change.

#include "floatimage.h"

#include <QPixmap>
#include <QPointer>
#include <QWidget>

class QButtonGroup;
class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace cytodiff::ui {

class CellZoomDialog;
class ClassificationJob;
struct HeatmapData;

class HeatmapView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { Original = 0, Heatmap = 1, Overlay = 2 };

    explicit HeatmapView(int side, QWidget *parent = nullptr);

    // Not owned; nullptr disables the heatmap modes.
    void setJob(ClassificationJob *job);

    // A new cell: its picture and the classes of its prediction (empty when
    // not classified: heatmaps need a model, so only the original is
    // offered). The target starts at suggestedTarget (the runner-up).
    // `original` at full resolution: the viewer scales it, the zoom window
    // shows it as it is.
    void setCell(qint64 cellId, const QPixmap &original, const QStringList &classes,
                 const QString &predictedClass, const QString &suggestedTarget);
    void setImageText(const QString &text); // instead of a picture (decode error)
    void clear();

    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    void setTargetClass(const QString &classId);
    QString targetClass() const;
    int targetCount() const;
    void setOpacity(int percent);
    // Opens (or raises) the zoom window, which then follows this view.
    void showZoom();
    CellZoomDialog *zoomDialog() const;

    // What is on screen (tests, screenshots).
    const QPixmap &shownPixmap() const { return m_shown; }
    QString statusText() const;
    bool hasHeatmap() const;
    // A map for the cell shown was asked for and has not arrived yet.
    bool isComputing() const;

private:
    void requestIfNeeded();
    void onHeatmapReady(qint64 cellId);
    void onHeatmapFailed(qint64 cellId, const QString &reason);
    void render();
    QImage renderHeatmapImage(const HeatmapData &data, int target) const;
    bool eventFilter(QObject *watched, QEvent *event) override;

    const int m_side;
    ClassificationJob *m_job = nullptr;
    qint64 m_cellId = 0;
    QString m_predicted;
    QString m_suggestedTarget;
    QPixmap m_original;
    QPixmap m_shown;
    QPixmap m_full; // what m_shown shows, unscaled (for the zoom window)
    QString m_fullCaption;
    QPointer<CellZoomDialog> m_zoom;
    Mode m_mode = Mode::Original;
    bool m_waiting = false;

    QLabel *m_image = nullptr;
    QButtonGroup *m_modes = nullptr;
    QComboBox *m_target = nullptr;
    QSlider *m_opacity = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_legend = nullptr;
};

} // namespace cytodiff::ui
