#include "reviewqueuemodel.h"

#include "cellclassnames.h"
#include "cellgallerymodel.h"
#include "reviewpriority.h"

namespace cytodiff::ui {

ReviewQueueModel::ReviewQueueModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(false);
}

void ReviewQueueModel::setGalleryModel(CellGalleryModel *model)
{
    m_gallery = model;
    setSourceModel(model);
    sort(0);
}

void ReviewQueueModel::refreshOrder()
{
    invalidate();
    sort(0);
}

qint64 ReviewQueueModel::cellId(const QModelIndex &proxyIndex) const
{
    return m_gallery ? m_gallery->cellId(mapToSource(proxyIndex)) : 0;
}

QModelIndex ReviewQueueModel::indexOfCell(qint64 cellId) const
{
    return m_gallery ? mapFromSource(m_gallery->indexOfCell(cellId)) : QModelIndex();
}

int ReviewQueueModel::nextUnreviewedRow(int row) const
{
    const int rows = rowCount();
    for (int step = 1; step <= rows; ++step) {
        const int candidate = (row + step) % rows;
        if (!index(candidate, 0).data(CellGalleryModel::ReviewedRole).toBool())
            return candidate;
    }
    return -1;
}

int ReviewQueueModel::unreviewedCount() const
{
    int count = 0;
    for (int row = 0; row < rowCount(); ++row)
        count += index(row, 0).data(CellGalleryModel::ReviewedRole).toBool() ? 0 : 1;
    return count;
}

QList<int> ReviewQueueModel::unreviewedPerGroup() const
{
    QList<int> counts(review::kReviewGroupCount, 0);
    for (int row = 0; row < rowCount(); ++row) {
        const QModelIndex at = index(row, 0);
        if (!at.data(CellGalleryModel::ReviewedRole).toBool())
            ++counts[qBound(0, at.data(CellGalleryModel::ReviewGroupRole).toInt(), review::kReviewGroupCount - 1)];
    }
    return counts;
}

QVariant ReviewQueueModel::data(const QModelIndex &index, int role) const
{
    // The pinned group is named as CellaVision users know it until a
    // reviewer gives the cell a class.
    if ((role == CellGalleryModel::CaptionRole || role == CellGalleryModel::SubCaptionRole
         || role == Qt::DisplayRole)
        && index.isValid() && !index.data(CellGalleryModel::ReviewedRole).toBool()
        && index.data(CellGalleryModel::ReviewGroupRole).toInt() == int(review::ReviewGroup::Unidentified)) {
        if (role == CellGalleryModel::SubCaptionRole) {
            // The model's best guess, for the reviewer to accept or correct.
            const QString predicted = index.data(CellGalleryModel::PredictedClassRole).toString();
            return tr("%1?").arg(CellClassNames::displayName(predicted));
        }
        return tr("Unidentified");
    }
    return QSortFilterProxyModel::data(index, role);
}

bool ReviewQueueModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    const db::CellSummary *cell = m_gallery ? m_gallery->cellAt(sourceRow) : nullptr;
    return cell && review::ReviewPriority::inQueue(review::ReviewPriority::group(*cell, m_gallery->reviewThresholds()));
}

bool ReviewQueueModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const db::CellSummary *a = m_gallery->cellAt(left.row());
    const db::CellSummary *b = m_gallery->cellAt(right.row());
    if (!a || !b)
        return false;
    // Unreviewed work first; what is done sinks to the end on re-sort.
    const bool ra = m_gallery->isReviewed(a->id);
    const bool rb = m_gallery->isReviewed(b->id);
    if (ra != rb)
        return !ra;
    return review::ReviewPriority::queueLess(*a, *b, m_gallery->reviewThresholds());
}

} // namespace cytodiff::ui
