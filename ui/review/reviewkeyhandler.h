#pragma once
// Review keys on a cell view (the queue and the gallery alike): one key per
// class (CellClassKeys) reclassifies the selected cells, Space or Enter
// confirms the class shown, and the view then advances to the next cell
// to review. Arrow keys, Shift+arrows and the mouse stay the view's own.
// An event filter, so the views stay plain QListViews.

#include <QObject>

class QAbstractItemView;

namespace cytodiff::ui {

class ReviewController;

class ReviewKeyHandler : public QObject {
    Q_OBJECT
public:
    // advanceToUnreviewed: skip reviewed cells when advancing (the queue);
    // else move to the next cell (the gallery).
    ReviewKeyHandler(QAbstractItemView *view, bool advanceToUnreviewed, QObject *parent = nullptr);

    void setController(ReviewController *controller) { m_controller = controller; }
    void setAutoAdvance(bool on) { m_autoAdvance = on; }
    bool autoAdvance() const { return m_autoAdvance; }

    // What a key press does; true when it was a review key. Public so the
    // window's menu actions and tests share the path of a real key press.
    bool reclassifySelection(const QString &classId);
    bool confirmSelection();

signals:
    void errorOccurred(const QString &message);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QList<qint64> selectedCellIds() const;
    void advance();

    QAbstractItemView *m_view;
    ReviewController *m_controller = nullptr;
    bool m_toUnreviewed;
    bool m_autoAdvance = true;
};

} // namespace cytodiff::ui
