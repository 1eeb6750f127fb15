#pragma once
// The review queue page: the cells to review in priority order
// (ReviewQueueModel) as thumbnails, a header that says how much is left
// and why cells are here, and the key legend (generated from
// CellClassKeys, so what is shown is what works). Keys are handled by a
// ReviewKeyHandler on the view.

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace cytodiff::ui {

class CellGalleryModel;
class CellGalleryView;
class ReviewController;
class ReviewKeyHandler;
class ReviewQueueModel;

class ReviewQueuePanel : public QWidget {
    Q_OBJECT
public:
    explicit ReviewQueuePanel(CellGalleryModel *model, QWidget *parent = nullptr);

    void setController(ReviewController *controller);

    ReviewQueueModel *queueModel() const { return m_queue; }
    CellGalleryView *view() const { return m_view; }
    ReviewKeyHandler *keyHandler() const { return m_keys; }
    QPushButton *signButton() const { return m_sign; }

    // Re-sorts (keeping the current cell) and updates the header.
    void refreshOrder();
    // Updates the header only (after an edit).
    void updateHeader();
    void selectFirstUnreviewed();
    qint64 currentCellId() const;
    QString summaryText() const;

    // Shown while the case is classified or signed; empty: the normal header.
    void setNotice(const QString &text);

signals:
    void currentCellChanged(qint64 cellId);
    void signRequested();
    void errorOccurred(const QString &message);

private:
    QWidget *buildLegend();

    CellGalleryModel *m_model;
    ReviewQueueModel *m_queue = nullptr;
    CellGalleryView *m_view = nullptr;
    ReviewKeyHandler *m_keys = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_notice = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_sign = nullptr;
};

} // namespace cytodiff::ui
