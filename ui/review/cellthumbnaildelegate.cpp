#include "cellthumbnaildelegate.h"

#include "cellgallerymodel.h"
#include "reviewpriority.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace cytodiff::ui {

namespace {
constexpr int kPadding = 6;
constexpr int kCaptionLines = 2;
constexpr qreal kRadius = 5.0;
constexpr int kBadge = 18;

// A round badge with a symbol, on the corner of the thumbnail.
void drawBadge(QPainter *painter, const QPointF &centre, const QColor &fill, const QString &symbol)
{
    painter->setPen(QPen(Qt::white, 1.5));
    painter->setBrush(fill);
    painter->drawEllipse(centre, kBadge / 2.0, kBadge / 2.0);
    QFont font = painter->font();
    font.setBold(true);
    font.setPixelSize(kBadge - 6);
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(QRectF(centre.x() - kBadge / 2.0, centre.y() - kBadge / 2.0, kBadge, kBadge), Qt::AlignCenter,
                      symbol);
}
} // namespace

CellThumbnailDelegate::CellThumbnailDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

void CellThumbnailDelegate::setThumbnailSize(int pixels)
{
    m_thumbnailSize = pixels;
}

QSize CellThumbnailDelegate::tileSize() const
{
    const QFontMetrics metrics(QApplication::font());
    const int caption = kCaptionLines * metrics.height() + 2;
    return {m_thumbnailSize + 2 * kPadding, m_thumbnailSize + caption + 3 * kPadding};
}

QSize CellThumbnailDelegate::sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const
{
    return tileSize();
}

void CellThumbnailDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                  const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);

    const QPalette &palette = option.palette;
    const bool selected = option.state & QStyle::State_Selected;
    const bool hovered = option.state & QStyle::State_MouseOver;
    const QRectF tile = QRectF(option.rect).adjusted(2, 2, -2, -2);

    QPainterPath frame;
    frame.addRoundedRect(tile, kRadius, kRadius);
    if (selected) {
        QColor fill = palette.color(QPalette::Highlight);
        fill.setAlpha(55);
        painter->fillPath(frame, fill);
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2.0));
        painter->drawPath(frame);
    } else if (hovered) {
        QColor fill = palette.color(QPalette::Highlight);
        fill.setAlpha(22);
        painter->fillPath(frame, fill);
    }

    // Thumbnail box, square, centred horizontally.
    const QRect imageBox(option.rect.left() + (option.rect.width() - m_thumbnailSize) / 2,
                         option.rect.top() + kPadding, m_thumbnailSize, m_thumbnailSize);
    const QVariant pixmapValue = index.data(CellGalleryModel::ThumbnailRole);
    if (pixmapValue.canConvert<QPixmap>() && !pixmapValue.value<QPixmap>().isNull()) {
        const QPixmap pixmap = pixmapValue.value<QPixmap>();
        const QSizeF logical = pixmap.deviceIndependentSize();
        const QSizeF fitted = logical.scaled(imageBox.size(), Qt::KeepAspectRatio);
        const QRectF target(imageBox.left() + (imageBox.width() - fitted.width()) / 2.0,
                            imageBox.top() + (imageBox.height() - fitted.height()) / 2.0,
                            fitted.width(), fitted.height());
        painter->drawPixmap(target, pixmap, QRectF(QPointF(0, 0), pixmap.size()));
    } else {
        // Decoding happens off the GUI thread; a neutral box keeps the grid
        // stable instead of popping in.
        painter->setPen(Qt::NoPen);
        painter->setBrush(palette.color(QPalette::AlternateBase));
        painter->drawRoundedRect(imageBox, 3, 3);
        const QString failed = index.data(CellGalleryModel::ThumbnailErrorRole).toString();
        if (!failed.isEmpty()) {
            painter->setPen(palette.color(QPalette::PlaceholderText));
            painter->drawText(imageBox, Qt::AlignCenter | Qt::TextWordWrap, tr("Cannot\ndecode"));
        }
    }

    // Review state: a tick once reviewed; before that, why the cell is in
    // the queue when it is there for a reason other than low confidence.
    if (index.data(CellGalleryModel::ReviewedRole).toBool()) {
        drawBadge(painter, QPointF(imageBox.right() - kBadge / 2.0 + 2, imageBox.top() + kBadge / 2.0 - 2),
                  QColor(0x2e, 0x7d, 0x32), QStringLiteral("✓"));
    } else if (!index.data(CellGalleryModel::PredictedClassRole).toString().isEmpty()) {
        const int group = index.data(CellGalleryModel::ReviewGroupRole).toInt();
        const QPointF corner(imageBox.left() + kBadge / 2.0 - 2, imageBox.top() + kBadge / 2.0 - 2);
        if (group == int(review::ReviewGroup::Unidentified))
            drawBadge(painter, corner, QColor(0xe6, 0x7e, 0x00), QStringLiteral("?"));
        else if (group == int(review::ReviewGroup::Critical))
            drawBadge(painter, corner, QColor(0xc6, 0x28, 0x28), QStringLiteral("!"));
        else if (group == int(review::ReviewGroup::SecondOpinion))
            drawBadge(painter, corner, QColor(0x15, 0x65, 0xc0), QStringLiteral("≠"));
        // A critical call out of the queue (both models agree, confidently)
        // keeps a pale mark: critical, but not waiting for review.
        else if (review::ReviewPriority::isCriticalClass(index.data(CellGalleryModel::PredictedClassRole).toString()))
            drawBadge(painter, corner, QColor(0xe5, 0x9c, 0x95), QStringLiteral("!"));
        // Disagreements come first in the queue, critical calls among them
        // too: keep their critical mark beside the disagreement's.
        if (group == int(review::ReviewGroup::SecondOpinion)
            && (review::ReviewPriority::isCriticalClass(index.data(CellGalleryModel::PredictedClassRole).toString())
                || review::ReviewPriority::isCriticalClass(index.data(CellGalleryModel::LabelClassRole).toString())))
            drawBadge(painter, corner + QPointF(kBadge, 0.0), QColor(0xc6, 0x28, 0x28), QStringLiteral("!"));
    }

    // Caption: first line the class (bold), second line the raw code, or
    // the predicted class once there is one.
    const QRect captionBox(option.rect.left() + kPadding, imageBox.bottom() + kPadding,
                           option.rect.width() - 2 * kPadding,
                           option.rect.bottom() - imageBox.bottom() - kPadding);
    const QString title = index.data(CellGalleryModel::CaptionRole).toString();
    const QString subtitle = index.data(CellGalleryModel::SubCaptionRole).toString();

    QFont titleFont = option.font;
    titleFont.setBold(true);
    const QFontMetrics titleMetrics(titleFont);
    const QFontMetrics subMetrics(option.font);
    const QColor text = palette.color(selected ? QPalette::Text : QPalette::WindowText);

    painter->setFont(titleFont);
    painter->setPen(text);
    painter->drawText(QRect(captionBox.left(), captionBox.top(), captionBox.width(),
                            titleMetrics.height()),
                      Qt::AlignHCenter | Qt::AlignTop,
                      titleMetrics.elidedText(title, Qt::ElideRight, captionBox.width()));
    if (!subtitle.isEmpty()) {
        painter->setFont(option.font);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        painter->drawText(QRect(captionBox.left(), captionBox.top() + titleMetrics.height(),
                                captionBox.width(), subMetrics.height()),
                          Qt::AlignHCenter | Qt::AlignTop,
                          subMetrics.elidedText(subtitle, Qt::ElideMiddle, captionBox.width()));
    }

    if (option.state & QStyle::State_HasFocus && !selected) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 1.0, Qt::DotLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawPath(frame);
    }
    painter->restore();
}

} // namespace cytodiff::ui
