#pragma once
// After an import: what came in, what was already there, what was skipped
// and why, and which images came under two labels (both paths, both
// labels, the label kept). The lists can be copied (tab-separated) so the
// user can send them to whoever produced the export.

#include "importoutcome.h"

#include <QDialog>

class QTableWidget;
class QVBoxLayout;

namespace cytodiff::ui {

class ImportSummaryDialog : public QDialog {
    Q_OBJECT
public:
    explicit ImportSummaryDialog(const ImportOutcome &outcome, QWidget *parent = nullptr);

    // "file<TAB>reason" lines with a header, as put on the clipboard.
    static QString issuesAsText(const QList<ImportIssue> &issues);
    // One sentence: both copies with their labels, and the label kept.
    static QString conflictText(const ImportConflict &conflict);
    // "file<TAB>label<TAB>same image as<TAB>label kept" lines with a header.
    static QString conflictsAsText(const QList<ImportConflict> &conflicts);

private:
    void addSummary(QVBoxLayout *layout, const ImportOutcome &outcome);
    void addCounts(QVBoxLayout *layout, const ImportOutcome &outcome);
    void addIssueTable(QVBoxLayout *layout, const QList<ImportIssue> &issues);
    void addConflictTable(QVBoxLayout *layout, const QList<ImportConflict> &conflicts);
    void copyIssues();

    ImportOutcome m_outcome;
    QTableWidget *m_issueTable = nullptr;
    QTableWidget *m_conflictTable = nullptr;
};

} // namespace cytodiff::ui
