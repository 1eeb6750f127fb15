// MainWindow: the workspace at start-up (recovery instead of a silent
// switch) and its daily backup.

#include "appsettings.h"
#include "database.h"
#include "filedialogs.h"
#include "mainwindow.h"
#include "pgconnection.h"
#include "workspace.h"
#include "workspacebackup.h"
#include "workspacerecoverydialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QStatusBar>

#include <cstdio>

namespace cytodiff::ui {

QString MainWindow::actorName() const
{
    if (m_database && !m_database->serverLogin().isEmpty())
        return m_database->serverLogin();
    return AppSettings::reviewerName();
}

db::OpenOptions MainWindow::passwordPromptOptions()
{
    db::OpenOptions options;
    options.askPassword = [this](const QString &address) {
        bool ok = false;
        const QString password = QInputDialog::getText(this, tr("Laboratory server password"),
                                                       tr("Password for %1:").arg(address), QLineEdit::Password,
                                                       QString(), &ok);
        return ok ? password : QString();
    };
    return options;
}

void MainWindow::openWorkspaceAtStartup(const QString &path, bool mustExist, const QString &defaultPath)
{
    QString current = path;
    for (;;) {
        QString reason;
        const bool server = db::isServerUri(current);
        if (mustExist && !server && !QFileInfo::exists(current)) {
            reason = tr("The file no longer exists: it was moved, renamed or deleted, or its drive is not "
                        "connected.");
        } else {
            // A server may ask for its password: the user is there at start-up.
            auto opened = openWorkspace(current, server ? passwordPromptOptions() : db::OpenOptions());
            if (opened)
                return;
            reason = QString::fromStdString(opened.error());
        }
        const QString offerDefault =
            QDir::cleanPath(defaultPath) == QDir::cleanPath(QFileInfo(current).absoluteFilePath()) ? QString()
                                                                                                   : defaultPath;
        WorkspaceRecoveryDialog dialog(current, reason, db::listBackups(current), offerDefault, this);
        dialog.exec();
        switch (dialog.choice()) {
        case WorkspaceRecoveryDialog::Choice::Restore: {
            auto restored = db::restoreBackup(QFileInfo(current).absoluteFilePath(), dialog.selectedBackup());
            if (!restored) {
                QMessageBox::warning(this, tr("Restore failed"), QString::fromStdString(restored.error()));
                continue;
            }
            auto opened = openWorkspace(current);
            if (!opened) {
                QMessageBox::warning(this, tr("Restore failed"),
                                     tr("The restored copy does not open either:\n\n%1")
                                         .arg(QString::fromStdString(opened.error())));
                continue;
            }
            const QString kept = *restored;
            QMessageBox::information(
                this, tr("Workspace restored"),
                kept.isEmpty() ? tr("The workspace was restored from its backup.")
                               : tr("The workspace was restored from its backup. Changes made after that backup "
                                    "are not in it.\n\nThe file that could not be opened was kept as %1.")
                                     .arg(QDir::toNativeSeparators(kept)));
            return;
        }
        case WorkspaceRecoveryDialog::Choice::ChooseFile: {
            const QString chosen = FileDialogs::openFile(this, tr("Open workspace"), QFileInfo(current).absolutePath(),
                                  tr("CytoDiff workspaces (*.%1)").arg(QLatin1String(db::kWorkspaceSuffix)),
                                  FileDialogs::Workspaces::Show);
            if (!chosen.isEmpty()) {
                current = chosen;
                mustExist = true;
            }
            continue;
        }
        case WorkspaceRecoveryDialog::Choice::OpenDefault:
            current = defaultPath;
            mustExist = false;
            continue;
        case WorkspaceRecoveryDialog::Choice::NoWorkspace:
            return;
        }
    }
}

void MainWindow::startDailyBackup(const QString &path)
{
    m_backupThread.reset(); // one at a time; a previous one finishes first
    QPointer<MainWindow> window(this);
    m_backupThread.reset(QThread::create([window, path] {
        QString message;
        auto connection = db::Database::open(path);
        if (!connection) {
            message = tr("Daily backup failed: %1").arg(QString::fromStdString(connection.error()));
        } else if (auto made = db::ensureDailyBackup(*connection); !made) {
            message = tr("Daily backup failed: %1").arg(QString::fromStdString(made.error()));
        } else if (made->has_value()) {
            message = tr("Daily backup written to %1").arg(QDir::toNativeSeparators(**made));
        }
        if (message.isEmpty())
            return;
        std::fprintf(stderr, "cytodiff: %s\n", qPrintable(message));
        QMetaObject::invokeMethod(
            window,
            [window, message] {
                if (window)
                    window->statusBar()->showMessage(message, 10000);
            },
            Qt::QueuedConnection);
    }));
    m_backupThread->setObjectName(QStringLiteral("daily backup"));
    m_backupThread->start();
}

} // namespace cytodiff::ui
