// MainWindow's part of the LIS output (issue 24): on sign-off and after an
// amendment of a signed case, the result is stored in the workspace's
// outbox and delivered to the drop folder; what cannot be delivered stays
// queued, counted in the status bar and retried from the Case menu.

#include "mainwindow.h"

#include "appsettings.h"
#include "database.h"
#include "lisoutbox.h"

#include <QAction>
#include <QLabel>
#include <QStatusBar>

namespace cytodiff::ui {

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
                                          AppSettings::reviewerName());
    if (!queued) {
        showError(tr("The result was not sent to the LIS"), QString::fromStdString(queued.error()));
        updateLisStatus();
        return;
    }
    if (deliverLisQueue(false))
        statusBar()->showMessage(tr("Result of %1 sent to the LIS (%2).").arg(caseName(caseId), *queued), 8000);
}

bool MainWindow::deliverLisQueue(bool quiet)
{
    if (!m_database || m_database->isReadOnly())
        return false;
    auto delivered = lis::LisOutbox::deliverToFolder(*m_database, AppSettings::lisDropFolder());
    updateLisStatus();
    if (!delivered && !quiet)
        showError(tr("LIS message queued"),
                  tr("%1\n\nIt is kept in the workspace and sent with Case > Send queued LIS results once the "
                     "drop folder is available.")
                      .arg(QString::fromStdString(delivered.error())));
    return delivered.ok();
}

void MainWindow::sendQueuedLisResults()
{
    if (deliverLisQueue(false))
        statusBar()->showMessage(tr("Every queued LIS result was sent."), 8000);
}

void MainWindow::updateLisStatus()
{
    if (!m_lisLabel || !m_lisRetryAction)
        return; // before the window is built
    int queued = 0;
    if (m_database)
        if (auto pending = lis::LisOutbox::pending(*m_database))
            queued = int(pending->size());
    m_lisLabel->setVisible(queued > 0);
    m_lisLabel->setText(tr("%Ln LIS result(s) queued", nullptr, queued));
    m_lisRetryAction->setEnabled(queued > 0 && AppSettings::lisOutputEnabled() && m_database && !m_database->isReadOnly());
}

} // namespace cytodiff::ui
