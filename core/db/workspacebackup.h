#pragma once
// Automatic backups of a workspace, and restoring one.
//
// A workspace holds signed cases and reader answers that exist nowhere
// else, so CytoDiff keeps its own copies next to the file, in
// "<workspace>.backups/": one before every schema migration and one a day
// while the app is used. Copies are made with SQLite's online backup API
// from an open connection (a consistent snapshot, safe while others write)
// into a temporary file that is checked and then renamed, so a backup is
// either whole or absent. The laboratory's own backups stay the primary
// safeguard (docs/hardening.md); these cover "the file will not open
// this morning".

#include "result.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace cytodiff::db {

class Database;

struct BackupInfo {
    QString path;
    QDateTime createdAt; // UTC, from the file name
    QString reason;      // "daily", "before-migration-6", ...
    qint64 bytes = 0;
};

// "<folder>/<name>.cytodiff.backups" for "<folder>/<name>.cytodiff".
QString backupFolder(const QString &workspacePath);

// Copies the open workspace into its backup folder; returns the new file.
// reason: letters, digits and '-' only (it becomes part of the file name).
Result<QString> backupWorkspace(const Database &db, const QString &reason);

// The workspace's backups, newest first; none is not an error.
QList<BackupInfo> listBackups(const QString &workspacePath);

// Makes a "daily" backup when the newest backup of any kind is older than
// maxAge, then keeps only the newest keepDaily daily ones (migration
// backups are kept). nullopt: none was due.
Result<std::optional<QString>> ensureDailyBackup(const Database &db, int keepDaily = 3,
                                                 qint64 maxAgeSeconds = 24 * 3600);

// Puts a backup in the place of a workspace that cannot be opened. The
// unopenable file and its -wal/-shm are kept, renamed to
// "<name>.cytodiff.unopenable-<time>" (never deleted: someone may still
// recover it); the backup is copied in and must pass integrity_check.
// Returns where the unopenable file went (empty when there was none).
Result<QString> restoreBackup(const QString &workspacePath, const QString &backupPath);

} // namespace cytodiff::db
