#pragma once
// Case > Identifiers: the accession (order) number, specimen id, patient id
// and slide id a laboratory files the result by (issue 24), typed or
// corrected by a person. Values are kept exactly as typed (no trimming):
// they must match the laboratory information system character for
// character. On a signed case the change is an amendment, so a reason is
// required. The dialog only collects; the caller stores through
// Database::setCaseIdentifiers, which audits the change.

#include "records.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace cytodiff::ui {

class CaseIdentifiersDialog : public QDialog {
    Q_OBJECT
public:
    CaseIdentifiersDialog(const db::CaseRow &row, QWidget *parent = nullptr);

    db::CaseIdentifiers identifiers() const;
    QString reason() const; // empty unless the case is signed

private:
    void validate();

    bool m_signed = false;
    db::CaseIdentifiers m_original;
    QLineEdit *m_accession = nullptr;
    QLineEdit *m_specimen = nullptr;
    QLineEdit *m_patient = nullptr;
    QLineEdit *m_slide = nullptr;
    QLineEdit *m_reason = nullptr;
    QLabel *m_problem = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace cytodiff::ui
