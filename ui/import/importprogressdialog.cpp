#include "importprogressdialog.h"

#include "counttext.h"
#include "importjob.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFontMetrics>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace cytodiff::ui {

namespace {
// Rate and time left are noise over the first moments.
constexpr qint64 kMinElapsedForEstimateMs = 1500;

QString formatDuration(qint64 seconds)
{
    if (seconds < 60)
        return CountText::seconds(seconds);
    return ImportProgressDialog::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
}
} // namespace

ImportProgressDialog::ImportProgressDialog(ImportJob *job, QWidget *parent)
    : QDialog(parent), m_job(job)
{
    setObjectName(QStringLiteral("importProgressDialog"));
    setWindowTitle(tr("Importing"));
    setModal(true);

    auto *title = new QLabel(tr("<b>Importing</b> %1")
                                 .arg(QDir::toNativeSeparators(job->request().folder).toHtmlEscaped()));
    title->setWordWrap(true);

    m_bar = new QProgressBar;
    m_bar->setObjectName(QStringLiteral("importProgressBar"));
    m_bar->setRange(0, 0); // busy until the scan knows the file count
    m_bar->setTextVisible(true);

    m_countLabel = new QLabel(tr("Scanning the folder…"));
    m_countLabel->setObjectName(QStringLiteral("importCount"));
    m_fileLabel = new QLabel;
    m_fileLabel->setObjectName(QStringLiteral("importFile"));
    m_fileLabel->setForegroundRole(QPalette::PlaceholderText);
    m_fileLabel->setMinimumWidth(420);

    auto *buttons = new QDialogButtonBox;
    m_cancelButton = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancelButton->setObjectName(QStringLiteral("importCancelButton"));
    connect(m_cancelButton, &QPushButton::clicked, this, &ImportProgressDialog::requestCancel);

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);
    layout->addWidget(title);
    layout->addWidget(m_bar);
    layout->addWidget(m_countLabel);
    layout->addWidget(m_fileLabel);
    layout->addWidget(buttons);

    connect(job, &ImportJob::progress, this, &ImportProgressDialog::onProgress);
    connect(job, &ImportJob::finished, this, &ImportProgressDialog::onFinished);
    m_clock.start();
}

void ImportProgressDialog::onProgress(qint64 done, qint64 total, const QString &currentFile)
{
    if (total > 0) {
        // QProgressBar is int-based; scale to per mille beyond INT_MAX files.
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(done * 1000 / total));
        QString text = tr("%1 of %2 files").arg(QLocale().toString(done), QLocale().toString(total));
        const qint64 elapsed = m_clock.elapsed();
        if (elapsed > kMinElapsedForEstimateMs && done > 0) {
            const double rate = done * 1000.0 / elapsed;
            const qint64 left = qint64((total - done) / rate);
            text += QStringLiteral("  ·  ")
                    + tr("%1 files/s").arg(QLocale().toString(rate, 'f', 0))
                    + QStringLiteral("  ·  ") + tr("about %1 left").arg(formatDuration(left));
        }
        if (!m_job->isCancelRequested())
            m_countLabel->setText(text);
    }
    const QFontMetrics metrics(m_fileLabel->font());
    m_fileLabel->setText(metrics.elidedText(QDir::toNativeSeparators(currentFile), Qt::ElideMiddle,
                                            qMax(200, m_fileLabel->width())));
}

void ImportProgressDialog::requestCancel()
{
    if (m_job->isCancelRequested())
        return;
    m_job->cancel();
    m_cancelButton->setEnabled(false);
    m_countLabel->setText(tr("Cancelling: finishing the current batch…"));
}

void ImportProgressDialog::reject()
{
    if (m_job->isRunning()) {
        requestCancel(); // the dialog closes when the worker has stopped
        return;
    }
    QDialog::reject();
}

void ImportProgressDialog::onFinished()
{
    done(m_job->outcome().cancelled ? QDialog::Rejected : QDialog::Accepted);
}

} // namespace cytodiff::ui
