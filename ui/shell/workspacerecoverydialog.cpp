#include "workspacerecoverydialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace cytodiff::ui {

WorkspaceRecoveryDialog::WorkspaceRecoveryDialog(const QString &workspacePath, const QString &reason,
                                                 const QList<db::BackupInfo> &backups,
                                                 const QString &defaultPath, QWidget *parent)
    : QDialog(parent), m_backups(backups)
{
    setWindowTitle(tr("Workspace cannot be opened"));
    setObjectName(QStringLiteral("workspaceRecoveryDialog"));
    auto *layout = new QVBoxLayout(this);

    auto *text = new QLabel(
        tr("<p><b>The workspace %1 could not be opened.</b></p><p>%2</p>"
           "<p>CytoDiff has not opened another workspace in its place. The file has not been changed.</p>")
            .arg(QDir::toNativeSeparators(workspacePath).toHtmlEscaped(), reason.toHtmlEscaped()));
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text->setObjectName(QStringLiteral("recoveryReason"));
    layout->addWidget(text);

    auto *restore = new QPushButton(tr("&Restore the selected backup"));
    restore->setObjectName(QStringLiteral("restoreBackupButton"));
    if (backups.isEmpty()) {
        auto *none = new QLabel(tr("No automatic backup of this workspace was found in %1.")
                                    .arg(QDir::toNativeSeparators(db::backupFolder(workspacePath))));
        none->setWordWrap(true);
        layout->addWidget(none);
        restore->setEnabled(false);
    } else {
        auto *intro = new QLabel(
            tr("Automatic backups (restoring keeps the unopenable file, renamed, next to the workspace):"));
        intro->setWordWrap(true);
        layout->addWidget(intro);
        m_list = new QListWidget;
        m_list->setObjectName(QStringLiteral("backupList"));
        const QLocale locale;
        for (const db::BackupInfo &backup : backups) {
            const QString kind = backup.reason == QLatin1String("daily")
                                     ? tr("daily backup")
                                     : tr("before a schema upgrade (%1)").arg(backup.reason);
            m_list->addItem(tr("%1 — %2, %3")
                                .arg(locale.toString(backup.createdAt.toLocalTime(), QLocale::ShortFormat), kind,
                                     locale.formattedDataSize(backup.bytes)));
        }
        m_list->setCurrentRow(0);
        layout->addWidget(m_list);
    }

    auto *buttons = new QDialogButtonBox;
    buttons->addButton(restore, QDialogButtonBox::AcceptRole);
    auto *chooseFile = buttons->addButton(tr("&Choose another workspace…"), QDialogButtonBox::ActionRole);
    chooseFile->setObjectName(QStringLiteral("chooseWorkspaceButton"));
    if (!defaultPath.isEmpty()) {
        auto *openDefault = buttons->addButton(tr("Open the &default workspace"), QDialogButtonBox::ActionRole);
        openDefault->setObjectName(QStringLiteral("openDefaultButton"));
        openDefault->setToolTip(QDir::toNativeSeparators(defaultPath));
        connect(openDefault, &QPushButton::clicked, this, [this] { choose(Choice::OpenDefault); });
    }
    auto *none = buttons->addButton(tr("Start &without a workspace"), QDialogButtonBox::RejectRole);
    none->setObjectName(QStringLiteral("noWorkspaceButton"));
    connect(restore, &QPushButton::clicked, this, [this] { choose(Choice::Restore); });
    connect(chooseFile, &QPushButton::clicked, this, [this] { choose(Choice::ChooseFile); });
    connect(none, &QPushButton::clicked, this, [this] { choose(Choice::NoWorkspace); });
    layout->addWidget(buttons);
    restore->setDefault(!backups.isEmpty());
    setMinimumWidth(560);
}

QString WorkspaceRecoveryDialog::selectedBackup() const
{
    if (!m_list || m_list->currentRow() < 0 || m_list->currentRow() >= m_backups.size())
        return {};
    return m_backups.at(m_list->currentRow()).path;
}

void WorkspaceRecoveryDialog::choose(Choice choice)
{
    m_choice = choice;
    if (choice == Choice::NoWorkspace)
        reject();
    else
        accept();
}

} // namespace cytodiff::ui
