#include "cellfilterproxymodel.h"

#include "cellgallerymodel.h"
#include "classnames.h"

#include <QHash>

namespace cytodiff::ui {

CellFilterProxyModel::CellFilterProxyModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    // Thumbnails arriving change only ThumbnailRole; none of them can change
    // what is filtered, so do not re-run the filter for each (Qt re-filters
    // on every dataChanged while dynamicSortFilter is on).
    setDynamicSortFilter(false);
}

void CellFilterProxyModel::setGalleryModel(CellGalleryModel *model)
{
    m_gallery = model;
    setSourceModel(model);
    sort(0);
}

void CellFilterProxyModel::refreshOrder()
{
    invalidate();
}

namespace {
int classRank(const QString &classId)
{
    static const QHash<QString, int> ranks = [] {
        QHash<QString, int> map;
        const QList<importer::ClassInfo> &classes = importer::canonicalClasses();
        for (int i = 0; i < classes.size(); ++i)
            map.insert(classes.at(i).id, i);
        return map;
    }();
    if (classId.isEmpty())
        return 1000; // unidentified last
    return ranks.value(classId, 500); // codes outside the table before that
}
} // namespace

bool CellFilterProxyModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const db::CellSummary *a = m_gallery ? m_gallery->cellAt(left.row()) : nullptr;
    const db::CellSummary *b = m_gallery ? m_gallery->cellAt(right.row()) : nullptr;
    if (!a || !b)
        return left.row() < right.row();
    const QString ca = review::ReviewPriority::workingClass(*a, m_gallery->isReviewed(a->id));
    const QString cb = review::ReviewPriority::workingClass(*b, m_gallery->isReviewed(b->id));
    const int ra = classRank(ca), rb = classRank(cb);
    if (ra != rb)
        return ra < rb;
    if (ca != cb)
        return ca < cb;
    return left.row() < right.row();
}

void CellFilterProxyModel::setLabelClass(const std::optional<QString> &labelClass)
{
    if (labelClass == m_labelClass)
        return;
    m_labelClass = labelClass;
    invalidateRowsFilter();
}

QModelIndex CellFilterProxyModel::indexOfCell(qint64 cellId) const
{
    return m_gallery ? mapFromSource(m_gallery->indexOfCell(cellId)) : QModelIndex();
}

qint64 CellFilterProxyModel::cellId(const QModelIndex &proxyIndex) const
{
    return m_gallery ? m_gallery->cellId(mapToSource(proxyIndex)) : 0;
}

bool CellFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    if (!m_labelClass || !m_gallery)
        return true;
    const db::CellSummary *cell = m_gallery->cellAt(sourceRow);
    return cell && review::ReviewPriority::workingClass(*cell, m_gallery->isReviewed(cell->id)) == *m_labelClass;
}

} // namespace cytodiff::ui
