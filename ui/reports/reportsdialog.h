#pragma once
// View > Reports: for the workspace's labelled cells with predictions (and
// expert labels, when there are any), the calibration summary clinicians
// read and the psychometric plots of confidence vs correctness. The same
// computation and the same charts as `cytodiff-cli metacognition --db`.

#include <QDialog>

class QComboBox;
class QTextBrowser;
class QTabWidget;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class ReportsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ReportsDialog(const db::Database &database, QWidget *parent = nullptr);

    // True when the workspace had something to report.
    bool hasReport() const { return m_hasReport; }

private:
    void build(const db::Database &database);

    QTextBrowser *m_summary = nullptr;
    QTabWidget *m_plots = nullptr;
    bool m_hasReport = false;
};

} // namespace cytodiff::ui
