#pragma once
// Paints one gallery tile: the thumbnail (or a placeholder while it is being
// decoded), then a caption with the class label and the raw export code.
// Painting only reads model roles, so the review workflow can add the
// prediction chip by filling CellGalleryModel::PredictedClassRole.

#include <QStyledItemDelegate>

namespace cytodiff::ui {

class CellThumbnailDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit CellThumbnailDelegate(QObject *parent = nullptr);

    void setThumbnailSize(int pixels);
    int thumbnailSize() const { return m_thumbnailSize; }

    // The fixed tile size; the view uses it as its grid so every tile is
    // the same size (a precondition for uniformItemSizes).
    QSize tileSize() const;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_thumbnailSize = 96;
};

} // namespace cytodiff::ui
