#pragma once
// A read-only table of cells for the labelling module's lists: a labeller's
// own answers at the end of a session, and the cells the labellers disagree
// on. The first column shows the cell's thumbnail, decoded from the
// workspace only when a view asks for it (the rows on screen), so a list of
// thousands of cells opens at once; a decoded thumbnail is kept.

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QPixmap>
#include <QSet>
#include <QStringList>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class LabellingCellModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kThumbnailSide = 72;
    static constexpr int kCellIdRole = Qt::UserRole + 1;

    struct Row {
        qint64 cellId = 0;
        QStringList texts;    // one per column; the first is shown beside the thumbnail
        QSet<int> emphasised; // columns shown bold (an answer that lost the vote)
    };

    // The database must outlive the model (the GUI thread's connection).
    explicit LabellingCellModel(db::Database *database, QObject *parent = nullptr);

    void setHeaders(const QStringList &headers, const QStringList &toolTips = {});
    void setRows(const QList<Row> &rows);
    qint64 cellId(int row) const;
    QString text(int row, int column) const;
    // Decoded now if not yet; null when the image cannot be read.
    QPixmap thumbnail(int row) const;
    // The cell's stored image at full size, for a closer look.
    QPixmap fullImage(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    db::Database *m_database = nullptr;
    QStringList m_headers;
    QStringList m_headerToolTips;
    QList<Row> m_rows;
    mutable QHash<qint64, QPixmap> m_thumbnails;
};

} // namespace cytodiff::ui
