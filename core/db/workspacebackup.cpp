#include "workspacebackup.h"

#include "database.h"
#include "statement.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <sqlite3.h>

#include <algorithm>
#include <memory>

namespace cytodiff::db {
namespace {

const char *const kTimeFormat = "yyyyMMdd-HHmmss";
const char *const kDaily = "daily";

struct SqliteCloser {
    void operator()(sqlite3 *handle) const { sqlite3_close_v2(handle); }
};
using Connection = std::unique_ptr<sqlite3, SqliteCloser>;

Result<Connection> openPlain(const QString &path)
{
    sqlite3 *raw = nullptr;
    const int rc = sqlite3_open_v2(QDir::toNativeSeparators(path).toUtf8().constData(), &raw,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Connection connection(raw);
    if (rc != SQLITE_OK)
        return makeError("cannot open " + path.toStdString() + ": " + sqliteErrorMessage(raw, rc));
    return connection;
}

// integrity_check reads every page: slow on big files but what a restore
// must pass; a fresh backup only needs quick_check (no index contents).
Result<void> checkFile(sqlite3 *handle, bool thorough)
{
    auto statement = Statement::prepare(handle, thorough ? "PRAGMA integrity_check" : "PRAGMA quick_check");
    if (!statement)
        return makeError(statement.error());
    auto row = statement->step();
    if (!row)
        return makeError(row.error());
    if (!*row || statement->text(0) != QLatin1String("ok"))
        return makeError("the copy fails SQLite's integrity check" +
                         (*row ? ": " + statement->text(0).toStdString() : std::string()));
    return {};
}

QString baseName(const QString &workspacePath)
{
    QString name = QFileInfo(workspacePath).fileName();
    if (name.endsWith(QLatin1String(".cytodiff")))
        name.chop(int(qstrlen(".cytodiff")));
    return name;
}

bool validReason(const QString &reason)
{
    static const QRegularExpression allowed(QStringLiteral("^[a-z0-9][a-z0-9-]*$"));
    return allowed.match(reason).hasMatch();
}

// Removes a file and SQLite's companions of it, if present.
void removeWithCompanions(const QString &path)
{
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1String(suffix));
}

} // namespace

QString backupFolder(const QString &workspacePath)
{
    const QFileInfo info(workspacePath);
    return info.absoluteDir().filePath(info.fileName() + QStringLiteral(".backups"));
}

Result<QString> backupWorkspace(const Database &db, const QString &reason)
{
    if (!validReason(reason))
        return makeError("internal error: backup reason '" + reason.toStdString() + "' is not a file-name word");
    if (db.path().isEmpty() || !db.handle())
        return makeError("an in-memory workspace has no backups");
    const QString folder = backupFolder(db.path());
    if (!QDir().mkpath(folder))
        return makeError("cannot create the backup folder " + folder.toStdString());

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString finalPath = QDir(folder).filePath(QStringLiteral("%1-%2-%3.cytodiff")
                                                        .arg(baseName(db.path()), now.toString(QLatin1String(kTimeFormat)), reason));
    const QString partial = finalPath + QStringLiteral(".partial");
    removeWithCompanions(partial);
    {
        auto target = openPlain(partial);
        if (!target)
            return makeError(target.error());
        sqlite3_backup *backup = sqlite3_backup_init(target->get(), "main", db.handle(), "main");
        if (!backup)
            return makeError("cannot start the backup: " + std::string(sqlite3_errmsg(target->get())));
        // -1: all pages in one step, one consistent read of the source.
        const int stepped = sqlite3_backup_step(backup, -1);
        const int finished = sqlite3_backup_finish(backup);
        if (stepped != SQLITE_DONE || finished != SQLITE_OK) {
            target->reset();
            removeWithCompanions(partial);
            return makeError("the backup did not complete: " + std::string(sqlite3_errstr(stepped != SQLITE_DONE ? stepped : finished)));
        }
        // A backup is one self-contained file: no WAL beside it.
        sqlite3_exec(target->get(), "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr);
        if (auto checked = checkFile(target->get(), false); !checked) {
            target->reset();
            removeWithCompanions(partial);
            return makeError(checked.error());
        }
    }
    QFile::remove(finalPath);
    if (!QFile::rename(partial, finalPath)) {
        removeWithCompanions(partial);
        return makeError("cannot name the backup " + finalPath.toStdString());
    }
    return finalPath;
}

QList<BackupInfo> listBackups(const QString &workspacePath)
{
    static const QRegularExpression pattern(QStringLiteral("-(\\d{8}-\\d{6})-([a-z0-9-]+)\\.cytodiff$"));
    QList<BackupInfo> backups;
    const QString prefix = baseName(workspacePath) + QLatin1Char('-');
    const QFileInfoList files = QDir(backupFolder(workspacePath)).entryInfoList({QStringLiteral("*.cytodiff")}, QDir::Files);
    for (const QFileInfo &file : files) {
        if (!file.fileName().startsWith(prefix))
            continue;
        const auto match = pattern.match(file.fileName());
        if (!match.hasMatch())
            continue;
        BackupInfo info;
        info.path = file.absoluteFilePath();
        info.createdAt = QDateTime::fromString(match.captured(1), QLatin1String(kTimeFormat));
        info.createdAt.setTimeSpec(Qt::UTC);
        info.reason = match.captured(2);
        info.bytes = file.size();
        if (info.createdAt.isValid())
            backups.append(info);
    }
    std::sort(backups.begin(), backups.end(),
              [](const BackupInfo &a, const BackupInfo &b) { return a.createdAt > b.createdAt; });
    return backups;
}

Result<std::optional<QString>> ensureDailyBackup(const Database &db, int keepDaily, qint64 maxAgeSeconds)
{
    const QList<BackupInfo> existing = listBackups(db.path());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!existing.isEmpty() && existing.first().createdAt.secsTo(now) < maxAgeSeconds)
        return std::optional<QString>();
    auto made = backupWorkspace(db, QLatin1String(kDaily));
    if (!made)
        return makeError(made.error());
    int dailySeen = 0;
    for (const BackupInfo &backup : listBackups(db.path())) {
        if (backup.reason == QLatin1String(kDaily) && ++dailySeen > std::max(1, keepDaily))
            QFile::remove(backup.path);
    }
    return std::optional<QString>(*made);
}

Result<QString> restoreBackup(const QString &workspacePath, const QString &backupPath)
{
    if (!QFileInfo(backupPath).isFile())
        return makeError("no backup file " + backupPath.toStdString());
    const QString restoring = workspacePath + QStringLiteral(".restoring");
    removeWithCompanions(restoring);
    if (!QFile::copy(backupPath, restoring))
        return makeError("cannot copy the backup to " + restoring.toStdString() + " (disk full or no permission?)");
    {
        auto copy = openPlain(restoring);
        if (!copy)
            return makeError(copy.error());
        if (auto checked = checkFile(copy->get(), true); !checked) {
            copy->reset();
            removeWithCompanions(restoring);
            return makeError("the backup " + backupPath.toStdString() + " is damaged too: " + checked.error());
        }
    }

    QString keptAt;
    if (QFileInfo::exists(workspacePath)) {
        keptAt = workspacePath + QStringLiteral(".unopenable-") +
                 QDateTime::currentDateTimeUtc().toString(QLatin1String(kTimeFormat));
        if (!QFile::rename(workspacePath, keptAt)) {
            removeWithCompanions(restoring);
            return makeError("cannot move the unopenable workspace aside to " + keptAt.toStdString());
        }
        // Its WAL belongs to it, not to the restored copy.
        for (const char *suffix : {"-wal", "-shm"}) {
            const QString companion = workspacePath + QLatin1String(suffix);
            if (QFileInfo::exists(companion))
                QFile::rename(companion, keptAt + QLatin1String(suffix));
        }
    }
    if (!QFile::rename(restoring, workspacePath))
        return makeError("cannot put the restored copy in place at " + workspacePath.toStdString());
    return keptAt;
}

} // namespace cytodiff::db
