#pragma once
// After an import: what came in, what was already there, what was skipped
// and why. The skipped list can be copied (tab-separated) so the user can
// send it to whoever produced the export.

#include "importoutcome.h"

#include <QDialog>

class QTableWidget;

namespace cytodiff::ui {

class ImportSummaryDialog : public QDialog {
    Q_OBJECT
public:
    explicit ImportSummaryDialog(const ImportOutcome &outcome, QWidget *parent = nullptr);

    // "file<TAB>reason" lines with a header, as put on the clipboard.
    static QString issuesAsText(const QList<ImportIssue> &issues);

private:
    void copyIssues();

    ImportOutcome m_outcome;
    QTableWidget *m_issueTable = nullptr;
};

} // namespace cytodiff::ui
