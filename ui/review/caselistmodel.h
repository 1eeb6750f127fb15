#pragma once
// The workspace's cases (slides) for the case list: name, cell count,
// status and import time. Sorting and the search box work on a
// QSortFilterProxyModel over this model, using SortRole and SearchTextRole.

#include "records.h"
#include "result.h"

#include <QAbstractTableModel>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class CaseListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, CellsColumn, StatusColumn, ImportedColumn, ColumnCount };
    enum Role {
        CaseIdRole = Qt::UserRole + 1,
        SortRole,       // numbers and times sort as such, not as text
        SearchTextRole, // name, accession, patient id, slide id, specimen, instrument
        SignedRole      // bool
    };

    explicit CaseListModel(QObject *parent = nullptr);

    // Re-reads the cases; on failure the model is empty and the error says why.
    Result<void> reload(const db::Database &database);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    QModelIndex indexOfCase(qint64 caseId, int column = NameColumn) const;
    qint64 caseId(const QModelIndex &index) const;
    const db::CaseRow *caseAt(int row) const;
    qint64 totalCells() const;

private:
    QList<db::CaseRow> m_cases;
};

} // namespace cytodiff::ui
