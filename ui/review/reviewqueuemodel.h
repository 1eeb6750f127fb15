#pragma once
// The review queue of a case: the cells a reviewer must look at, in the
// order of ReviewPriority (unidentified first, then cells where the
// second opinion differs, then critical classes, then least confident
// first), over the same CellGalleryModel the gallery uses.
//
// The order is not re-sorted on every change (dynamicSortFilter is off):
// a cell must not jump away under the keyboard the moment it is
// reviewed. refreshOrder() re-sorts, keeping the current cell; the panel
// calls it when a classification run brings new predictions. Reviewed
// cells stay in place, ticked, and auto-advance skips them.

#include <QSortFilterProxyModel>

namespace cytodiff::ui {

class CellGalleryModel;

class ReviewQueueModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ReviewQueueModel(QObject *parent = nullptr);

    void setGalleryModel(CellGalleryModel *model);
    CellGalleryModel *galleryModel() const { return m_gallery; }

    void refreshOrder();

    qint64 cellId(const QModelIndex &proxyIndex) const;
    QModelIndex indexOfCell(qint64 cellId) const;
    // The first unreviewed row after `row` (wrapping), or -1 when none.
    int nextUnreviewedRow(int row) const;
    int unreviewedCount() const;
    // Unreviewed queue cells per review::ReviewGroup (index = int(group)).
    QList<int> unreviewedPerGroup() const;

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    CellGalleryModel *m_gallery = nullptr;
};

} // namespace cytodiff::ui
