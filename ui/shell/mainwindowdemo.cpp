// MainWindow's demo case: offered on the start page of an empty workspace,
// generated in the background (DemoCaseJob), then selected and classified
// like an import, so a new user sees the whole workflow on synthetic cells.

#include "mainwindow.h"

#include "appsettings.h"
#include "casebrowser.h"
#include "database.h"
#include "democase.h"
#include "democasedialog.h"
#include "democasejob.h"
#include "startpage.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QPushButton>
#include <QRandomGenerator>
#include <QStatusBar>

namespace cytodiff::ui {

bool MainWindow::isCreatingDemo() const
{
    return m_demoJob && m_demoJob->isRunning();
}

QString MainWindow::demoUnavailableReason() const
{
    if (!m_database)
        return tr("No workspace is open.");
    if (m_database->isReadOnly())
        return m_database->readOnlyReason();
    const QString model = AppSettings::effectiveModelPath();
    if (model.isEmpty())
        return tr("The demo needs a classification model to generate its cells, and none is installed. Choose a "
                  "model file (.pt) in Edit > Settings > Classification.");
    if (!QFileInfo::exists(model))
        return tr("The demo needs a classification model, and the chosen one (%1) does not exist. Choose another "
                  "in Edit > Settings > Classification.")
            .arg(QDir::toNativeSeparators(model));
    if (isImporting())
        return tr("An import is running.");
    if (isCreatingDemo())
        return tr("The demo case is being created.");
    return {};
}

void MainWindow::updateDemoAvailability()
{
    const QString reason = demoUnavailableReason();
    const bool available = reason.isEmpty();
    QString note = reason;
    if (available) {
        note = tr("No export at hand? The model %1 generates %2 synthetic cells of each class it knows, then "
                  "classifies them: the whole workflow in about a minute, marked as synthetic throughout.")
                   .arg(QFileInfo(AppSettings::effectiveModelPath()).fileName(), QLocale().toString(kDemoCellsPerClass));
    }
    // Where the default model was looked for, for whoever installs it.
    QString details;
    if (AppSettings::effectiveModelPath().isEmpty()) {
        QStringList places;
        for (const QString &candidate : AppSettings::defaultModelCandidates())
            places << QDir::toNativeSeparators(candidate);
        details = tr("The default model is looked for at:\n%1").arg(places.join(QLatin1Char('\n')));
    }
    m_startPage->setDemoAvailable(available, note, details);
    m_demoAction->setEnabled(available);
    m_demoAction->setToolTip(note);
}

Result<void> MainWindow::startDemoCase(int cellsPerClass, std::optional<std::uint64_t> seed)
{
    if (const QString reason = demoUnavailableReason(); !reason.isEmpty())
        return makeError(reason.toStdString());
    if (!m_demoJob) {
        m_demoJob = std::make_unique<DemoCaseJob>();
        connect(m_demoJob.get(), &DemoCaseJob::finished, this, &MainWindow::onDemoFinished);
    }
    DemoCaseRequest request;
    request.workspacePath = m_database->path();
    request.modelPath = AppSettings::effectiveModelPath();
    request.cellsPerClass = cellsPerClass;
    // A fresh seed each time: the same seed would give the same pictures,
    // which the workspace already holds after a first demo.
    request.seed = seed ? *seed : QRandomGenerator::global()->generate64() >> 1;
    request.actor = actorName();
    m_demoJob->start(request);
    m_demoDialog = new DemoCaseDialog(m_demoJob.get(), cellsPerClass, this);
    m_demoDialog->setAttribute(Qt::WA_DeleteOnClose);
    m_demoDialog->open();
    statusBar()->showMessage(tr("Generating synthetic cells for a demo case…"));
    updateActions();
    return {};
}

void MainWindow::demoInteractive()
{
    if (auto started = startDemoCase(); !started)
        showError(tr("Cannot create a demo case"), QString::fromStdString(started.error()));
}

void MainWindow::onDemoFinished(const DemoCaseOutcome &outcome)
{
    m_demoDialog = nullptr; // closes and deletes itself
    statusBar()->clearMessage();
    updateActions();
    if (outcome.cancelled) {
        statusBar()->showMessage(tr("Demo case cancelled; nothing was written."), 8000);
    } else if (!outcome.error.isEmpty()) {
        showError(tr("Cannot create a demo case"), outcome.error);
    } else {
        refresh();
        m_browser->selectCase(outcome.caseId);
        // The point of the demo is the whole workflow: classify at once.
        if (auto started = startClassification(outcome.caseId); !started)
            statusBar()->showMessage(tr("Demo case created, not classified: %1")
                                         .arg(QString::fromStdString(started.error())),
                                     15000);
        else
            statusBar()->showMessage(tr("Demo case created in %1 s; classifying it…")
                                         .arg(QLocale().toString(outcome.seconds, 'f', 0)),
                                     10000);
    }
    emit demoCaseFinished(outcome);
}

} // namespace cytodiff::ui
