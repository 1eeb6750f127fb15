#include "classificationstatus.h"

#include "classificationjob.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QToolButton>

#include <cmath>

namespace cytodiff::ui {

ClassificationStatus::ClassificationStatus(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("classificationStatus"));
    m_label = new QLabel;
    m_label->setObjectName(QStringLiteral("classificationText"));
    m_bar = new QProgressBar;
    m_bar->setObjectName(QStringLiteral("classificationProgress"));
    m_bar->setFixedWidth(160);
    m_bar->setMaximumHeight(14);
    m_bar->setTextVisible(false);
    m_cancel = new QToolButton;
    m_cancel->setObjectName(QStringLiteral("classificationCancel"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop classifying. Cells classified so far are kept; Classify again resumes."));
    m_cancel->setAutoRaise(true);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 6, 0);
    layout->setSpacing(8);
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    hide();
}

void ClassificationStatus::setJob(ClassificationJob *job)
{
    if (m_job)
        disconnect(m_job, nullptr, this, nullptr);
    m_job = job;
    hide();
    if (!m_job)
        return;
    connect(m_job, &ClassificationJob::caseStarted, this,
            [this](qint64 caseId, int total, int alreadyDone) { onStarted(caseId, total, alreadyDone); });
    connect(m_job, &ClassificationJob::progress, this, &ClassificationStatus::onProgress);
    connect(m_job, &ClassificationJob::caseFinished, this, &ClassificationStatus::onFinished);
    connect(m_cancel, &QToolButton::clicked, m_job, &ClassificationJob::cancel, Qt::UniqueConnection);
}

QString ClassificationStatus::text() const
{
    return m_label->text();
}

QString ClassificationStatus::etaText(double seconds)
{
    if (!(seconds >= 0.0))
        return tr("estimating time left…");
    const qint64 total = qint64(std::ceil(seconds));
    if (total < 60)
        return tr("%1 s left").arg(total);
    if (total < 3600)
        return tr("%1:%2 left").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
    return tr("%1 h %2 min left").arg(total / 3600).arg((total % 3600) / 60);
}

void ClassificationStatus::onStarted(qint64 caseId, int total, int alreadyDone)
{
    const QString name = m_caseNamer ? m_caseNamer(caseId) : QString::number(caseId);
    m_bar->setRange(0, qMax(1, total));
    m_bar->setValue(alreadyDone);
    m_label->setText(alreadyDone > 0 ? tr("Classifying %1: resuming at %2 of %3")
                                           .arg(name, QLocale().toString(alreadyDone), QLocale().toString(total))
                                     : tr("Classifying %1…").arg(name));
    show();
}

void ClassificationStatus::onProgress(qint64 caseId, int done, int total, double cellsPerSecond, double etaSeconds)
{
    const QString name = m_caseNamer ? m_caseNamer(caseId) : QString::number(caseId);
    m_bar->setRange(0, qMax(1, total));
    m_bar->setValue(done);
    m_label->setText(tr("Classifying %1: %2 of %3 · %4 cells/s · %5")
                         .arg(name, QLocale().toString(done), QLocale().toString(total),
                              QLocale().toString(cellsPerSecond, 'f', cellsPerSecond < 10 ? 1 : 0),
                              etaText(etaSeconds)));
    show();
}

void ClassificationStatus::onFinished()
{
    if (m_job && m_job->isRunning())
        return; // the next queued case starts at once
    hide();
}

} // namespace cytodiff::ui
