#include "reviewkeyhandler.h"

#include "cellclasskeys.h"
#include "cellgallerymodel.h"
#include "reviewcontroller.h"

#include <QAbstractItemView>
#include <QKeyEvent>

#include <algorithm>

namespace cytodiff::ui {

ReviewKeyHandler::ReviewKeyHandler(QAbstractItemView *view, bool advanceToUnreviewed, QObject *parent)
    : QObject(parent), m_view(view), m_toUnreviewed(advanceToUnreviewed)
{
    m_view->installEventFilter(this);
}

bool ReviewKeyHandler::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_view || event->type() != QEvent::KeyPress)
        return QObject::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);
    // Shortcuts with Ctrl/Alt (undo, menus) belong to the window.
    if (key->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))
        return false;
    if (CellClassKeys::isConfirmKey(key->key()))
        return confirmSelection();
    const QString classId = CellClassKeys::classForKey(key->key());
    if (!classId.isEmpty())
        return reclassifySelection(classId);
    return false;
}

QList<qint64> ReviewKeyHandler::selectedCellIds() const
{
    QList<qint64> ids;
    QModelIndexList rows = m_view->selectionModel()->selectedIndexes();
    if (rows.isEmpty() && m_view->currentIndex().isValid())
        rows << m_view->currentIndex();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    for (const QModelIndex &index : std::as_const(rows))
        ids << index.data(CellGalleryModel::CellIdRole).toLongLong();
    return ids;
}

bool ReviewKeyHandler::reclassifySelection(const QString &classId)
{
    if (!m_controller)
        return false;
    const QList<qint64> ids = selectedCellIds();
    if (ids.isEmpty())
        return true;
    if (auto done = m_controller->reclassify(ids, classId); !done) {
        emit errorOccurred(QString::fromStdString(done.error()));
        return true;
    }
    advance();
    return true;
}

bool ReviewKeyHandler::confirmSelection()
{
    if (!m_controller)
        return false;
    const QList<qint64> ids = selectedCellIds();
    if (ids.isEmpty())
        return true;
    if (auto done = m_controller->confirm(ids); !done) {
        emit errorOccurred(QString::fromStdString(done.error()));
        return true;
    }
    advance();
    return true;
}

void ReviewKeyHandler::advance()
{
    if (!m_autoAdvance)
        return;
    QAbstractItemModel *model = m_view->model();
    const int rows = model->rowCount();
    if (rows == 0)
        return;
    // From the last selected row, so a bulk edit continues after the block.
    int from = m_view->currentIndex().row();
    for (const QModelIndex &index : m_view->selectionModel()->selectedIndexes())
        from = std::max(from, index.row());
    const auto waiting = [model](int row) {
        return !model->index(row, 0).data(CellGalleryModel::ReviewedRole).toBool();
    };
    int next = -1;
    if (m_toUnreviewed) {
        // The next cell still to review below the one just handled. When
        // none waits below it (the reviewer is going back over reviewed
        // cells, which a re-sort puts last), simply the next cell: jumping
        // to the top of the queue would lose their place. Only from the
        // last row does it wrap to the first cell still waiting.
        for (int row = from + 1; row < rows && next < 0; ++row) {
            if (waiting(row))
                next = row;
        }
        if (next < 0 && from + 1 < rows)
            next = from + 1;
        for (int row = 0; next < 0 && row < from; ++row) {
            if (waiting(row))
                next = row;
        }
    } else if (from + 1 < rows) {
        next = from + 1;
    }
    if (next < 0)
        return; // everything reviewed: stay, the header says so
    const QModelIndex target = model->index(next, 0);
    m_view->selectionModel()->setCurrentIndex(target, QItemSelectionModel::ClearAndSelect);
    m_view->scrollTo(target);
}

} // namespace cytodiff::ui
