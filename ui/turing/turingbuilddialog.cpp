#include "turingbuilddialog.h"

#include "cellclassnames.h"
#include "counttext.h"
#include "database.h"
#include "turingbuilder.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cytodiff::ui {

namespace {
constexpr qint64 kMinElapsedForEstimateMs = 3000;
}

TuringBuildDialog::TuringBuildDialog(const db::Database &database, const QString &modelPath, QWidget *parent)
    : QDialog(parent), m_workspacePath(database.path()), m_modelPath(modelPath),
      m_seed(QRandomGenerator::system()->generate64())
{
    setObjectName(QStringLiteral("turingBuildDialog"));
    setWindowTitle(tr("New Turing test"));
    setModal(true);
    m_job = new TuringBuildJob(this);

    auto *explanation = new QLabel(
        tr("Real cells are drawn from the labelled cells of a case; the classification model generates the same "
           "number of synthetic cells for each class. Every image is brought to the model's resolution and back, "
           "and stored as a PNG of the same size, with a random id and no file name, so that only the picture "
           "itself can tell real from synthetic."));
    explanation->setWordWrap(true);
    explanation->setMinimumWidth(480);

    m_caseCombo = new QComboBox;
    m_caseCombo->setObjectName(QStringLiteral("turingCaseCombo"));
    if (auto cases = database.listCases()) {
        for (const db::CaseRow &row : *cases) {
            m_caseCombo->addItem(tr("%1 (%2 labelled)").arg(row.name, QLocale().toString(row.labelledCount)),
                                 row.id);
        }
    }
    m_perClassSpin = new QSpinBox;
    m_perClassSpin->setObjectName(QStringLiteral("turingPerClassSpin"));
    m_perClassSpin->setRange(1, 1000);
    m_perClassSpin->setValue(10);
    m_stepsSpin = new QSpinBox;
    m_stepsSpin->setRange(1, 1000);
    m_stepsSpin->setValue(50);
    m_nameEdit = new QLineEdit;
    m_nameEdit->setObjectName(QStringLiteral("turingNameEdit"));
    m_nameEdit->setPlaceholderText(turing::defaultTestName());

    auto *form = new QFormLayout;
    form->addRow(tr("Real cells from case:"), m_caseCombo);
    form->addRow(tr("Images per class (real and synthetic each):"), m_perClassSpin);
    form->addRow(tr("Generation steps (DDIM):"), m_stepsSpin);
    form->addRow(tr("Test name:"), m_nameEdit);

    m_bar = new QProgressBar;
    m_bar->setObjectName(QStringLiteral("turingBuildProgress"));
    m_bar->setVisible(false);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("turingBuildStatus"));
    m_status->setWordWrap(true);

    auto *buttons = new QDialogButtonBox;
    m_buildButton = buttons->addButton(tr("&Build"), QDialogButtonBox::AcceptRole);
    m_buildButton->setObjectName(QStringLiteral("turingBuildButton"));
    m_cancelButton = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancelButton->setObjectName(QStringLiteral("turingCancelButton"));
    m_closeButton = buttons->addButton(QDialogButtonBox::Close);
    m_closeButton->setVisible(false);
    connect(m_buildButton, &QPushButton::clicked, this, &TuringBuildDialog::startBuild);
    connect(m_cancelButton, &QPushButton::clicked, this, &TuringBuildDialog::reject);
    connect(m_closeButton, &QPushButton::clicked, this, &QDialog::accept);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);
    // A long error (too few labelled cells) makes the dialog taller instead
    // of squeezing the form's rows (field test, issue 19).
    layout->setSizeConstraint(QLayout::SetMinimumSize);
    m_status->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_status->setMinimumWidth(480);
    layout->addWidget(explanation);
    layout->addLayout(form);
    layout->addWidget(m_bar);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(m_job, &TuringBuildJob::progress, this, &TuringBuildDialog::onProgress);
    connect(m_job, &TuringBuildJob::finished, this, &TuringBuildDialog::onFinished);
    if (m_caseCombo->count() == 0) {
        m_status->setText(tr("This workspace has no case. Import an export with labelled cells first."));
        m_buildButton->setEnabled(false);
    }
}

void TuringBuildDialog::setCase(qint64 caseId)
{
    const int index = m_caseCombo->findData(caseId);
    if (index >= 0)
        m_caseCombo->setCurrentIndex(index);
}

void TuringBuildDialog::setPerClass(int perClass) { m_perClassSpin->setValue(perClass); }
void TuringBuildDialog::setSteps(int steps) { m_stepsSpin->setValue(steps); }
void TuringBuildDialog::setTestName(const QString &name) { m_nameEdit->setText(name); }

void TuringBuildDialog::setBusy(bool busy)
{
    m_caseCombo->setEnabled(!busy);
    m_perClassSpin->setEnabled(!busy);
    m_stepsSpin->setEnabled(!busy);
    m_nameEdit->setEnabled(!busy);
    m_buildButton->setEnabled(!busy);
    m_bar->setVisible(busy);
}

bool TuringBuildDialog::startBuild()
{
    if (m_job->isRunning() || m_caseCombo->currentIndex() < 0)
        return false;
    TuringBuildRequest request;
    request.workspacePath = m_workspacePath;
    request.modelPath = m_modelPath;
    request.caseId = m_caseCombo->currentData().toLongLong();
    request.name = m_nameEdit->text().trimmed();
    request.perClass = m_perClassSpin->value();
    request.steps = m_stepsSpin->value();
    request.seed = m_seed;
    if (!m_job->start(request))
        return false;
    setBusy(true);
    m_bar->setRange(0, 0); // busy while the model loads
    m_status->setText(tr("Loading the model…"));
    m_clock.start();
    return true;
}

void TuringBuildDialog::onProgress(int done, int total, const QString &classId)
{
    if (total <= 0 || m_job->isCancelRequested())
        return;
    m_bar->setRange(0, total);
    m_bar->setValue(done);
    if (classId.isEmpty()) {
        m_status->setText(tr("Storing the test…"));
        return;
    }
    QString text = tr("Preparing %1 cells").arg(CellClassNames::displayName(classId));
    const qint64 elapsed = m_clock.elapsed();
    if (elapsed > kMinElapsedForEstimateMs && done > 0) {
        const qint64 left = qint64(double(elapsed) / done * (total - done) / 1000.0);
        text += QStringLiteral("  ·  ") + tr("about %1 left").arg(CountText::seconds(left));
    }
    m_status->setText(text);
}

void TuringBuildDialog::onFinished(const TuringBuildOutcome &outcome)
{
    setBusy(false);
    if (outcome.cancelled) {
        QDialog::reject();
        return;
    }
    if (!outcome.error.isEmpty()) {
        m_status->setText(tr("The test could not be built: %1").arg(outcome.error));
        return;
    }
    QString text = tr("Built \"%1\": %2 real and %3 synthetic images.")
                       .arg(outcome.name, QLocale().toString(outcome.realImages),
                            QLocale().toString(outcome.syntheticImages));
    if (!outcome.skippedClasses.isEmpty())
        text += QLatin1Char(' ') + tr("Left out (too few labelled cells): %1.")
                                      .arg(outcome.skippedClasses.join(QStringLiteral("; ")));
    m_status->setText(text);
    m_buildButton->setVisible(false);
    m_cancelButton->setVisible(false);
    m_closeButton->setVisible(true);
    emit built(outcome.testId);
}

void TuringBuildDialog::reject()
{
    if (m_job->isRunning()) {
        m_status->setText(tr("Cancelling…"));
        m_job->cancel();
        return; // closes when the worker has stopped (onFinished)
    }
    QDialog::reject();
}

} // namespace cytodiff::ui
