#include "labellingcellmodel.h"

#include "database.h"
#include "thumbnailloader.h"

#include <QFont>
#include <QImage>

#include <exception>

namespace cytodiff::ui {

LabellingCellModel::LabellingCellModel(db::Database *database, QObject *parent)
    : QAbstractTableModel(parent), m_database(database)
{
}

void LabellingCellModel::setHeaders(const QStringList &headers, const QStringList &toolTips)
{
    beginResetModel();
    m_headers = headers;
    m_headerToolTips = toolTips;
    endResetModel();
}

void LabellingCellModel::setRows(const QList<Row> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

qint64 LabellingCellModel::cellId(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).cellId : 0;
}

QString LabellingCellModel::text(int row, int column) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).texts.value(column) : QString();
}

QPixmap LabellingCellModel::thumbnail(int row) const
{
    const qint64 id = cellId(row);
    if (id == 0 || !m_database)
        return {};
    const auto cached = m_thumbnails.constFind(id);
    if (cached != m_thumbnails.cend())
        return *cached;
    QPixmap pixmap;
    auto bytes = m_database->cellImage(id);
    if (bytes) {
        QString error;
        try {
            // The OpenCV fallback for formats Qt cannot read may throw; a
            // thumbnail that cannot be made is simply left out.
            const QImage image = ThumbnailLoader::decode(*bytes, kThumbnailSide, &error);
            if (!image.isNull())
                pixmap = QPixmap::fromImage(image);
        } catch (const std::exception &) {
        }
    }
    // Kept even when null, so a broken image is not decoded at every repaint.
    m_thumbnails.insert(id, pixmap);
    return pixmap;
}

QPixmap LabellingCellModel::fullImage(int row) const
{
    const qint64 id = cellId(row);
    if (id == 0 || !m_database)
        return {};
    auto bytes = m_database->cellImage(id);
    QImage image;
    if (bytes)
        image.loadFromData(*bytes);
    return QPixmap::fromImage(image);
}

int LabellingCellModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LabellingCellModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_headers.size());
}

QVariant LabellingCellModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return row.texts.value(index.column());
    case Qt::DecorationRole:
        if (index.column() == 0) {
            const QPixmap pixmap = thumbnail(index.row());
            if (!pixmap.isNull())
                return pixmap;
        }
        return {};
    case Qt::FontRole:
        if (row.emphasised.contains(index.column())) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case kCellIdRole:
        return row.cellId;
    default:
        return {};
    }
}

QVariant LabellingCellModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return m_headers.value(section);
    // Headers are sized to their text, but a narrow window may still cut one.
    if (role == Qt::ToolTipRole)
        return m_headerToolTips.value(section).isEmpty() ? m_headers.value(section) : m_headerToolTips.value(section);
    return {};
}

Qt::ItemFlags LabellingCellModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace cytodiff::ui
