// MainWindow's part of the LIS output (issue 24): on sign-off and after an
// amendment of a signed case, the result is stored in the workspace's
// outbox (on the GUI thread: a local write) and delivered in the
// background with the worker's own connection, to the drop folder or over
// MLLP. What cannot be delivered stays queued: counted in the status bar,
// retried every minute and from Case > Send queued LIS results.

#include "mainwindow.h"

#include "appsettings.h"
#include "database.h"
#include "lisoutbox.h"

#include <QAction>
#include <QLabel>
#include <QPointer>
#include <QStatusBar>
#include <QTimer>

namespace cytodiff::ui {

namespace {
constexpr int kRetryIntervalMs = 60 * 1000;
}

void MainWindow::sendLisResult(qint64 caseId)
{
    if (!AppSettings::lisOutputEnabled() || !m_database || m_database->isReadOnly() || caseId == 0)
        return;
    auto settings = AppSettings::lisSettings();
    if (!settings) {
        showError(tr("The result was not sent to the LIS"), QString::fromStdString(settings.error()));
        return;
    }
    auto queued = lis::LisOutbox::enqueue(*m_database, caseId, *settings, AppSettings::referenceRanges(),
                                          actorName());
    if (!queued) {
        showError(tr("The result was not sent to the LIS"), QString::fromStdString(queued.error()));
        updateLisStatus();
        return;
    }
    if (!AppSettings::lisFhirFolder().isEmpty())
        if (auto fhir = lis::LisOutbox::enqueueFhir(*m_database, caseId, *settings, AppSettings::referenceRanges(),
                                                    actorName(), *queued);
            !fhir)
            showError(tr("The FHIR bundle was not stored"), QString::fromStdString(fhir.error()));
    updateLisStatus();
    deliverLisQueue(false);
}

void MainWindow::deliverLisQueue(bool quiet)
{
    if (!m_database || m_database->isReadOnly() || m_database->path().isEmpty() || !AppSettings::lisOutputEnabled())
        return;
    if (m_lisWorker.isRunning()) {
        // What was queued meanwhile goes next.
        m_lisDeliverAgainQuietly = m_lisDeliverAgainQuietly.value_or(true) && quiet;
        return;
    }
    const QString workspace = m_database->path();
    const QString folder = AppSettings::lisDropFolder();
    const QString mllp = AppSettings::lisMllpEndpoint();
    const QString fhirFolder = AppSettings::lisFhirFolder();
    QPointer<MainWindow> self(this);
    m_lisWorker.start(QStringLiteral("lis-delivery"), [self, workspace, folder, mllp, fhirFolder,
                                                       quiet](const std::atomic_bool &) {
        bool ok = false;
        QString error;
        int delivered = 0;
        // Its own connection: the GUI's belongs to the GUI thread.
        if (auto database = db::Database::open(workspace); !database) {
            error = QString::fromStdString(database.error());
        } else {
            Result<int> sent = makeError("no LIS destination is set: give a drop folder or an MLLP host:port in "
                                         "Settings > Laboratory system");
            if (!mllp.isEmpty()) {
                if (auto endpoint = lis::parseMllpEndpoint(mllp))
                    sent = lis::LisOutbox::deliverOverMllp(*database, *endpoint);
                else
                    sent = makeError(endpoint.error());
            } else if (!folder.isEmpty()) {
                sent = lis::LisOutbox::deliverToFolder(*database, folder);
            }
            ok = sent.ok();
            if (ok)
                delivered = *sent;
            else
                error = QString::fromStdString(sent.error());
            if (!fhirFolder.isEmpty()) {
                auto bundles = lis::LisOutbox::deliverFhirToFolder(*database, fhirFolder);
                if (bundles) {
                    delivered += *bundles;
                } else {
                    ok = false;
                    error += (error.isEmpty() ? QString() : QStringLiteral("\n")) +
                             QString::fromStdString(bundles.error());
                }
            }
        }
        QMetaObject::invokeMethod(
            self.data(), [self, ok, error, delivered, quiet] {
                if (self)
                    self->onLisDelivered(ok, error, delivered, quiet);
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::onLisDelivered(bool ok, const QString &error, int delivered, bool quiet)
{
    m_lisWorker.finish();
    updateLisStatus();
    if (ok && delivered > 0)
        statusBar()->showMessage(tr("%Ln result(s) sent to the LIS.", nullptr, delivered), 8000);
    if (!ok && !quiet)
        showError(tr("LIS message queued"),
                  tr("%1\n\nIt is kept in the workspace, retried every minute and with Case > Send queued LIS "
                     "results.")
                      .arg(error));
    if (m_lisDeliverAgainQuietly) {
        const bool again = *m_lisDeliverAgainQuietly;
        m_lisDeliverAgainQuietly.reset();
        deliverLisQueue(again);
    }
}

void MainWindow::sendQueuedLisResults()
{
    deliverLisQueue(false);
}

void MainWindow::updateLisStatus()
{
    if (!m_lisLabel || !m_lisRetryAction)
        return; // before the window is built
    int queued = 0;
    if (m_database)
        if (auto pending = lis::LisOutbox::pending(*m_database))
            queued = int(pending->size());
    const bool canSend = AppSettings::lisOutputEnabled() && m_database && !m_database->isReadOnly();
    m_lisLabel->setVisible(queued > 0);
    m_lisLabel->setText(tr("%Ln LIS result(s) queued", nullptr, queued));
    m_lisRetryAction->setEnabled(queued > 0 && canSend);
    if (!m_lisRetryTimer) {
        m_lisRetryTimer = new QTimer(this);
        m_lisRetryTimer->setInterval(kRetryIntervalMs);
        connect(m_lisRetryTimer, &QTimer::timeout, this, [this] { deliverLisQueue(true); });
    }
    if (queued > 0 && canSend)
        m_lisRetryTimer->start();
    else
        m_lisRetryTimer->stop();
}

} // namespace cytodiff::ui
