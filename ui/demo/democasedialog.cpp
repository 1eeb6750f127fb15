#include "democasedialog.h"

#include "cellclassnames.h"
#include "counttext.h"
#include "democasejob.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace cytodiff::ui {

namespace {
constexpr qint64 kMinElapsedForEstimateMs = 3000;
}

DemoCaseDialog::DemoCaseDialog(DemoCaseJob *job, int cellsPerClass, QWidget *parent)
    : QDialog(parent), m_job(job), m_cellsPerClass(cellsPerClass)
{
    setObjectName(QStringLiteral("demoCaseDialog"));
    setWindowTitle(tr("Creating a demo case"));
    setModal(true);

    auto *title = new QLabel(tr("<b>Generating synthetic cells</b>"));
    auto *explanation = new QLabel(
        tr("The classification model draws %1 cells of each class it knows. They are synthetic pictures, not "
           "patient images, and are marked as such everywhere. The case is then classified like an import.")
            .arg(QLocale().toString(cellsPerClass)));
    explanation->setWordWrap(true);
    explanation->setMinimumWidth(440);

    m_bar = new QProgressBar;
    m_bar->setObjectName(QStringLiteral("demoProgressBar"));
    m_bar->setRange(0, 0); // busy while the model loads
    m_stepLabel = new QLabel(tr("Loading the model…"));
    m_stepLabel->setObjectName(QStringLiteral("demoStep"));

    auto *buttons = new QDialogButtonBox;
    m_cancelButton = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancelButton->setObjectName(QStringLiteral("demoCancelButton"));
    connect(m_cancelButton, &QPushButton::clicked, this, &DemoCaseDialog::requestCancel);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);
    layout->addWidget(title);
    layout->addWidget(explanation);
    layout->addWidget(m_bar);
    layout->addWidget(m_stepLabel);
    layout->addWidget(buttons);

    connect(job, &DemoCaseJob::progress, this, &DemoCaseDialog::onProgress);
    connect(job, &DemoCaseJob::finished, this, [this] { done(m_job->outcome().caseId ? Accepted : Rejected); });
    m_clock.start();
}

void DemoCaseDialog::onProgress(int done, int total, const QString &classId)
{
    if (total <= 0 || m_job->isCancelRequested())
        return;
    m_bar->setRange(0, total);
    m_bar->setValue(done);
    if (classId.isEmpty()) {
        m_stepLabel->setText(tr("Writing the case…"));
        return;
    }
    QString text = tr("Generating %1 cells: %2").arg(QLocale().toString(m_cellsPerClass),
                                                     CellClassNames::displayName(classId));
    const qint64 elapsed = m_clock.elapsed();
    if (elapsed > kMinElapsedForEstimateMs && done > 0) {
        const qint64 left = qint64(double(elapsed) / done * (total - done) / 1000.0);
        text += QStringLiteral("  ·  ") + tr("about %1 left").arg(CountText::seconds(left));
    }
    m_stepLabel->setText(text);
}

void DemoCaseDialog::requestCancel()
{
    if (m_job->isCancelRequested())
        return;
    m_job->cancel();
    m_cancelButton->setEnabled(false);
    m_stepLabel->setText(tr("Cancelling…"));
}

void DemoCaseDialog::reject()
{
    if (m_job->isRunning()) {
        requestCancel(); // closes when the worker has stopped
        return;
    }
    QDialog::reject();
}

} // namespace cytodiff::ui
