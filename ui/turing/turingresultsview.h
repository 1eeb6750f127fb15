#pragma once
// Results of a Turing test: one row per reader and a pooled row, with
// accuracy (Wilson 95% interval), the exact binomial p against 50%,
// sensitivity and specificity (positive = synthetic, stated above the
// table), and the agreement of the readers' cell types with the class a
// synthetic image was generated for. Exports the long-format CSV for MRMC
// tools and the JSON / Markdown report.

#include "turingresults.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class TuringResultsView : public QWidget {
    Q_OBJECT
public:
    enum Column {
        ReaderColumn,
        AnsweredColumn,
        AccuracyColumn,
        PValueColumn,
        SensitivityColumn,
        SpecificityColumn,
        SyntheticClassColumn,
        RealClassColumn,
        TimeColumn,
        ColumnCount
    };

    // database: the GUI thread's connection; it must outlive the view.
    TuringResultsView(const db::Database &database, qint64 testId, QWidget *parent = nullptr);

    // Re-reads the answers (readers may still be at work).
    void reload();
    const turing::TuringResults &results() const { return m_results; }
    QTableWidget *table() const { return m_table; }
    QString loadError() const { return m_error; }

    Result<void> exportCsv(const QString &path) const;
    // results.json and results.md into a folder.
    Result<void> exportReport(const QString &folder) const;

private:
    void exportCsvInteractive();
    void exportReportInteractive();
    void fillRow(int row, const turing::ReaderResult &result);

    const db::Database &m_database;
    qint64 m_testId;
    turing::TuringResults m_results;
    QString m_error;
    QLabel *m_summary = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace cytodiff::ui
