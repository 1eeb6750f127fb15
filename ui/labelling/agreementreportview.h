#pragma once
// The Agreement and disagreements window of the labelling module. First
// tab: Cohen's kappa for every pair of labellers (a labeller x labeller
// table), Fleiss' kappa, and the pairwise confidence confusion matrix of
// the paper (supplementary Figure 9) as a table and a heat map. Second tab:
// agreement per class and the cells the labellers disagree on, shown with
// the cells (LabellingDisagreementView). Saves the report and the consensus
// CSV of cytodiff-cli consensus. Reads the workspace when refreshed.

#include "disagreements.h"
#include "labellinganalysis.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTabWidget;
class QTableWidget;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class LabellingDisagreementView;

class AgreementReportView : public QWidget {
    Q_OBJECT
public:
    explicit AgreementReportView(db::Database *database, QWidget *parent = nullptr);

    void refresh();
    const labelling::AgreementReport &report() const { return m_report; }
    const labelling::DisagreementReport &disagreements() const { return m_disagreements; }
    QTableWidget *kappaTable() const { return m_kappaTable; }
    QTableWidget *confidenceTable() const { return m_confidenceTable; }
    QTabWidget *tabs() const { return m_tabs; }
    LabellingDisagreementView *disagreementView() const { return m_disagreementView; }
    // Writes agreement.json and agreement.md into the folder.
    Result<void> saveTo(const QString &folder) const;
    // The consensus of every cell with answers, as cytodiff-cli consensus
    // writes it.
    Result<void> saveConsensusCsv(const QString &path) const;

private:
    void showReport();
    void saveInteractive();
    void saveConsensusInteractive();

    db::Database *m_database = nullptr;
    labelling::LabellingData m_data;
    labelling::AgreementReport m_report;
    labelling::DisagreementReport m_disagreements;
    QComboBox *m_scope = nullptr;
    QTabWidget *m_tabs = nullptr;
    LabellingDisagreementView *m_disagreementView = nullptr;
    QLabel *m_summary = nullptr;
    QTableWidget *m_kappaTable = nullptr;
    QTableWidget *m_confidenceTable = nullptr;
    QLabel *m_confidenceNote = nullptr;
    QWidget *m_heatMap = nullptr;
};

} // namespace cytodiff::ui
