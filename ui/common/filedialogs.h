#pragma once
// The application's file dialogs. Qt's own dialog (used wherever the
// desktop offers no native one, e.g. under Xvfb or on a bare X server)
// opens every listed file to guess its type (QFileSystemModel ->
// QAbstractFileIconProvider::type -> QMimeDatabase); in the folder that
// holds the open workspace that meant opening and closing the workspace
// file, which dropped SQLite's POSIX locks (issue 19). The locks are now
// immune (core/db/descriptorlocks.h); these dialogs also never open a
// listed file (types come from the extension alone) and never list a
// workspace's SQLite companions (-wal, -shm, -journal), which no user
// should pick or move by hand.

#include <QFileDialog>
#include <QString>

class QWidget;

namespace cytodiff::ui::FileDialogs {

enum class Workspaces { Show, Hide };

// Empty when cancelled.
QString existingFolder(QWidget *parent, const QString &title, const QString &start);
QString openFile(QWidget *parent, const QString &title, const QString &start, const QString &filter,
                 Workspaces workspaces = Workspaces::Hide);
QString saveFile(QWidget *parent, const QString &title, const QString &start, const QString &filter,
                 QFileDialog::Options options = {}, Workspaces workspaces = Workspaces::Hide);

// Applies the two rules above to a dialog built elsewhere.
void makeSafe(QFileDialog &dialog, Workspaces workspaces);

} // namespace cytodiff::ui::FileDialogs
