#pragma once
// The disagreements of the labelling module, with the cells themselves:
// per class, how often two labellers on the same cell agree (specific
// agreement, labelling/disagreements.h), and every cell whose answers
// differ with its thumbnail, each labeller's class and confidence, and the
// consensus. Double-click a cell to see it at full size. Part of the
// Agreement and disagreements window (AgreementReportView).

#include "disagreements.h"

#include <QWidget>

class QLabel;
class QTableView;
class QTableWidget;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class CellZoomDialog;
class LabellingCellModel;

class LabellingDisagreementView : public QWidget {
    Q_OBJECT
public:
    // The database must outlive the view (the GUI thread's connection).
    explicit LabellingDisagreementView(db::Database *database, QWidget *parent = nullptr);

    void setReport(const labelling::DisagreementReport &report, const QList<db::LabellerRow> &labellers);

    QTableWidget *classTable() const { return m_classTable; }
    QTableView *cellTable() const { return m_cellTable; }
    const LabellingCellModel *cellModel() const { return m_cellModel; }

private:
    void showClasses(const labelling::DisagreementReport &report);
    void showCells(const labelling::DisagreementReport &report, const QList<db::LabellerRow> &labellers);
    void zoomInto(int row);

    db::Database *m_database = nullptr;
    QLabel *m_summary = nullptr;
    QTableWidget *m_classTable = nullptr;
    QTableView *m_cellTable = nullptr;
    LabellingCellModel *m_cellModel = nullptr;
    CellZoomDialog *m_zoom = nullptr;
};

} // namespace cytodiff::ui
