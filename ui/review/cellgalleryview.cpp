#include "cellgalleryview.h"

#include "cellthumbnaildelegate.h"

#include <QResizeEvent>

namespace cytodiff::ui {

CellGalleryView::CellGalleryView(QWidget *parent) : QListView(parent)
{
    setObjectName(QStringLiteral("cellGallery"));
    m_delegate = new CellThumbnailDelegate(this);
    setItemDelegate(m_delegate);

    setViewMode(QListView::IconMode);
    setFlow(QListView::LeftToRight);
    setWrapping(true);
    setMovement(QListView::Static);
    setResizeMode(QListView::Adjust);
    // Every tile has the same size, so the view need not ask the delegate
    // for 10,000 size hints, and lays out in batches to stay responsive.
    setUniformItemSizes(true);
    setLayoutMode(QListView::Batched);
    setBatchSize(kLayoutBatch);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setSelectionRectVisible(true);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Tiles wrap, so there is never anything to scroll sideways to; a
    // horizontal bar would only appear from rounding in the grid width.
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setMouseTracking(true); // hover highlight
    setSpacing(0);
    setTextElideMode(Qt::ElideRight);
    updateGrid();
}

void CellGalleryView::resizeEvent(QResizeEvent *event)
{
    QListView::resizeEvent(event);
    updateGrid();
}

void CellGalleryView::updateGrid()
{
    const QSize tile = m_delegate->tileSize();
    // QListView wraps a row when an item would touch the right edge, so
    // leave it a pixel to spare.
    const int available = viewport()->width() - 2;
    const int columns = qMax(1, available / tile.width());
    const QSize grid(qMax(tile.width(), available / columns), tile.height());
    if (grid != gridSize())
        setGridSize(grid);
}

void CellGalleryView::setThumbnailSize(int pixels)
{
    m_delegate->setThumbnailSize(pixels);
    updateGrid();
    scheduleDelayedItemsLayout();
}

int CellGalleryView::thumbnailSize() const
{
    return m_delegate->thumbnailSize();
}

} // namespace cytodiff::ui
