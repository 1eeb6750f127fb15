#include "caseidentifiersdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace cytodiff::ui {

namespace {
QLineEdit *identifierEdit(const QString &objectName, const QString &value)
{
    auto *edit = new QLineEdit(value);
    edit->setObjectName(objectName);
    edit->setMaxLength(db::kMaxIdentifierLength);
    edit->setMinimumWidth(260);
    return edit;
}
} // namespace

CaseIdentifiersDialog::CaseIdentifiersDialog(const db::CaseRow &row, QWidget *parent)
    : QDialog(parent)
    , m_signed(row.isSigned())
    , m_original(row.identifiers())
{
    setWindowTitle(tr("Identifiers of %1").arg(row.name));
    m_accession = identifierEdit(QStringLiteral("accession"), m_original.accession);
    m_specimen = identifierEdit(QStringLiteral("specimen"), m_original.specimen);
    m_patient = identifierEdit(QStringLiteral("patientId"), m_original.patientId);
    m_slide = identifierEdit(QStringLiteral("slideId"), m_original.slideId);
    m_accession->setPlaceholderText(tr("Order number the result answers"));

    auto *intro = new QLabel(tr("Type the identifiers exactly as the laboratory information system and the slide label "
                                "give them; leave unknown ones empty. Every change is kept in the audit log."));
    intro->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("Accession number"), m_accession);
    form->addRow(tr("Specimen id"), m_specimen);
    form->addRow(tr("Patient id"), m_patient);
    form->addRow(tr("Slide id"), m_slide);
    if (m_signed) {
        m_reason = new QLineEdit;
        m_reason->setObjectName(QStringLiteral("reason"));
        m_reason->setPlaceholderText(tr("Why the signed case's identifiers change"));
        form->addRow(tr("Reason (amendment)"), m_reason);
    }
    m_problem = new QLabel;
    m_problem->setObjectName(QStringLiteral("problem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #8e1b10; }"));
    m_problem->hide();
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    for (QLineEdit *edit : {m_accession, m_specimen, m_patient, m_slide, m_reason})
        if (edit)
            connect(edit, &QLineEdit::textChanged, this, &CaseIdentifiersDialog::validate);
    validate();
}

db::CaseIdentifiers CaseIdentifiersDialog::identifiers() const
{
    return {m_accession->text(), m_specimen->text(), m_patient->text(), m_slide->text()};
}

QString CaseIdentifiersDialog::reason() const
{
    return m_reason ? m_reason->text().trimmed() : QString();
}

void CaseIdentifiersDialog::validate()
{
    const db::CaseIdentifiers ids = identifiers();
    QString problem = db::identifiersProblem(ids);
    if (problem.isEmpty() && m_signed && ids != m_original && reason().isEmpty())
        problem = tr("The case is signed: give the reason for this amendment.");
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(problem.isEmpty() && ids != m_original);
}

} // namespace cytodiff::ui
