#pragma once
// The inter-rater agreement report of the labelling module: Cohen's kappa
// for every pair of labellers (a labeller x labeller table), Fleiss' kappa,
// and the pairwise confidence confusion matrix of the paper (supplementary
// Figure 9) as a table and a heat map. Reads the workspace when refreshed.

#include "labellinganalysis.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTableWidget;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class AgreementReportView : public QWidget {
    Q_OBJECT
public:
    explicit AgreementReportView(db::Database *database, QWidget *parent = nullptr);

    void refresh();
    const labelling::AgreementReport &report() const { return m_report; }
    QTableWidget *kappaTable() const { return m_kappaTable; }
    QTableWidget *confidenceTable() const { return m_confidenceTable; }
    // Writes agreement.json and agreement.md into the folder.
    Result<void> saveTo(const QString &folder) const;

private:
    void showReport();
    void saveInteractive();

    db::Database *m_database = nullptr;
    labelling::AgreementReport m_report;
    QComboBox *m_scope = nullptr;
    QLabel *m_summary = nullptr;
    QTableWidget *m_kappaTable = nullptr;
    QTableWidget *m_confidenceTable = nullptr;
    QLabel *m_confidenceNote = nullptr;
    QWidget *m_heatMap = nullptr;
};

} // namespace cytodiff::ui
