#pragma once
// What the user sees when the workspace CytoDiff should open at start-up
// cannot be opened: what happened, and a choice. The app never opens
// another workspace in its place by itself (issue 19: a damaged workspace
// that silently became an empty default one looked like lost data).

#include "workspacebackup.h"

#include <QDialog>

class QListWidget;
class QPushButton;

namespace cytodiff::ui {

class WorkspaceRecoveryDialog : public QDialog {
    Q_OBJECT
public:
    enum class Choice { Restore, ChooseFile, OpenDefault, NoWorkspace };

    // reason: why the workspace did not open; backups: newest first;
    // defaultPath empty when there is no other default to offer.
    WorkspaceRecoveryDialog(const QString &workspacePath, const QString &reason,
                            const QList<db::BackupInfo> &backups, const QString &defaultPath,
                            QWidget *parent = nullptr);

    Choice choice() const { return m_choice; }
    // The backup chosen for Restore.
    QString selectedBackup() const;

private:
    void choose(Choice choice);

    QList<db::BackupInfo> m_backups;
    QListWidget *m_list = nullptr;
    Choice m_choice = Choice::NoWorkspace;
};

} // namespace cytodiff::ui
