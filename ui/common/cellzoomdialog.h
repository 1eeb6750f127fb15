#pragma once
// A separate, resizable window with the cell at full resolution: wheel or
// +/- to zoom around the pointer, drag to pan, Fit and 1:1. It follows the
// cell viewer (whatever cell and mode it shows), so a reviewer can keep it
// open on a second screen while stepping through the queue.

#include <QDialog>
#include <QPixmap>

class QGraphicsPixmapItem;
class QGraphicsScene;
class QGraphicsView;
class QLabel;

namespace cytodiff::ui {

class CellZoomDialog : public QDialog {
    Q_OBJECT
public:
    explicit CellZoomDialog(QWidget *parent = nullptr);

    // A new picture keeps the zoom factor unless the view was fitted.
    void setImage(const QPixmap &pixmap, const QString &caption);

    void zoomBy(double factor);
    void fitToWindow();
    void showActualSize();
    double zoomFactor() const { return m_zoom; }
    bool isFitted() const { return m_fitted; }
    QPixmap image() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void applyZoom();

    QGraphicsScene *m_scene = nullptr;
    QGraphicsView *m_view = nullptr;
    QGraphicsPixmapItem *m_item = nullptr;
    QLabel *m_caption = nullptr;
    QLabel *m_zoomText = nullptr;
    double m_zoom = 1.0;
    bool m_fitted = true;
};

} // namespace cytodiff::ui
