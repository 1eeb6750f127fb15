// A workspace survives what happened in the field test of issue 19: other
// code in the process opening and closing the workspace file (a file
// dialog's MIME sniffer) must not drop SQLite's locks, and a workspace that
// will not open can be restored from its automatic backups.

#include "database.h"
#include "descriptorlocks.h"
#include "lockprobe.h"
#include "migrations.h"
#include "workspacebackup.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

using namespace cytodiff;
using namespace cytodiff::db;
using cytodiff::testing::anotherProcessSeesLock;
using cytodiff::testing::rawText;

namespace {

// What a file manager, a MIME sniffer or a thumbnailer does.
void openAndCloseBehindSqlite(const QString &path)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    file.read(16);
    file.close();
    const int fd = ::open(path.toLocal8Bit().constData(), O_RDONLY);
    QVERIFY(fd >= 0);
    ::close(fd);
}

qint64 countCases(const QString &path)
{
    auto db = Database::open(path);
    if (!db)
        return -1;
    auto cases = db->listCases();
    return cases ? cases->size() : -1;
}

} // namespace

class TestWorkspaceSafety : public QObject {
    Q_OBJECT

private slots:
    void locksSurviveAnotherDescriptorClosing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("locks.cytodiff"));
        auto db = Database::open(path);
        QVERIFY2(db.ok(), db.ok() ? "" : db.error().c_str());
        QVERIFY(installDescriptorLocks().ok());
        QVERIFY(db->createCase({QStringLiteral("CASE-1"), {}, {}, {}, {}, {}, {}}).ok());
        QVERIFY(anotherProcessSeesLock(path));
        QVERIFY2(descriptorLocksActive(), "this kernel refused open-file-description locks");

        // With plain POSIX locks these closes dropped every lock of the
        // process on the file (the field test's data loss).
        openAndCloseBehindSqlite(path);
        openAndCloseBehindSqlite(path + QStringLiteral("-wal"));
        openAndCloseBehindSqlite(path + QStringLiteral("-shm"));
        QVERIFY(anotherProcessSeesLock(path));

        // A second connection in the same process and its close do not
        // release the first one's locks, and the file stays consistent.
        {
            auto second = Database::open(path);
            QVERIFY(second.ok());
            QVERIFY(second->createCase({QStringLiteral("CASE-2"), {}, {}, {}, {}, {}, {}}).ok());
        }
        QVERIFY(anotherProcessSeesLock(path));
        QVERIFY(db->createCase({QStringLiteral("CASE-3"), {}, {}, {}, {}, {}, {}}).ok());
        QVERIFY(QFileInfo::exists(path + QStringLiteral("-wal")));

        // Closing the last connection releases everything: nobody is left.
        db = makeError("closed");
        QVERIFY(!anotherProcessSeesLock(path));
        QCOMPARE(rawText(path, "PRAGMA integrity_check"), QStringLiteral("ok"));
        QCOMPARE(rawText(path, "SELECT COUNT(*) FROM cases"), QStringLiteral("3"));
    }

    void backupRestoresAnUnopenableWorkspace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("lab.cytodiff"));
        {
            auto db = Database::open(path);
            QVERIFY(db.ok());
            QVERIFY(db->createCase({QStringLiteral("CASE-1"), {}, {}, {}, {}, {}, {}}).ok());
            auto daily = ensureDailyBackup(*db);
            QVERIFY2(daily.ok(), daily.ok() ? "" : daily.error().c_str());
            QVERIFY(daily->has_value());
            // Not due again within a day.
            auto again = ensureDailyBackup(*db);
            QVERIFY(again.ok());
            QVERIFY(!again->has_value());
            QVERIFY(db->createCase({QStringLiteral("CASE-2"), {}, {}, {}, {}, {}, {}}).ok());
        }
        const QList<BackupInfo> backups = listBackups(path);
        QCOMPARE(backups.size(), 1);
        QCOMPARE(backups.first().reason, QStringLiteral("daily"));
        QVERIFY(backups.first().path.startsWith(backupFolder(path)));
        // A self-contained file: no WAL beside it.
        QVERIFY(!QFileInfo::exists(backups.first().path + QStringLiteral("-wal")));

        // The header overwritten, as in the field test.
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            file.write(QByteArray(100, 'x'));
        }
        auto broken = Database::open(path);
        QVERIFY(!broken.ok());

        auto restored = restoreBackup(path, backups.first().path);
        QVERIFY2(restored.ok(), restored.ok() ? "" : restored.error().c_str());
        QVERIFY(restored->contains(QStringLiteral(".unopenable-")));
        QVERIFY(QFileInfo::exists(*restored)); // kept, never deleted
        QCOMPARE(countCases(path), qint64(1)); // the backup's state
        QCOMPARE(listBackups(path).size(), 1);  // the backup itself stays

        // A damaged backup is refused and nothing is moved.
        const QString damaged = dir.filePath(QStringLiteral("damaged.cytodiff"));
        {
            QFile file(damaged);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(4096, 'y'));
        }
        QVERIFY(!restoreBackup(path, damaged).ok());
        QCOMPARE(countCases(path), qint64(1));
    }

    void dailyBackupsArePruned()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("prune.cytodiff"));
        auto db = Database::open(path);
        QVERIFY(db.ok());
        // maxAge 0: due every time; names carry seconds, so wait between.
        for (int i = 0; i < 4; ++i) {
            auto made = ensureDailyBackup(*db, 2, 0);
            QVERIFY2(made.ok(), made.ok() ? "" : made.error().c_str());
            QTest::qWait(1100);
        }
        QCOMPARE(listBackups(path).size(), 2);
    }

    void migrationIsPrecededByABackup()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.cytodiff"));
        {
            // A workspace of schema 1, written as CytoDiff 1 did.
            sqlite3 *handle = nullptr;
            QCOMPARE(sqlite3_open(path.toUtf8().constData(), &handle), SQLITE_OK);
            const std::string script = std::string(migrations().front().sql) + "\nPRAGMA application_id = " +
                                       std::to_string(Database::kApplicationId) + ";\nPRAGMA user_version = 1;";
            QCOMPARE(sqlite3_exec(handle, script.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(handle);
        }
        auto db = Database::open(path);
        QVERIFY2(db.ok(), db.ok() ? "" : db.error().c_str());
        QCOMPARE(db->schemaVersion(), latestSchemaVersion());
        const QList<BackupInfo> backups = listBackups(path);
        QCOMPARE(backups.size(), 1);
        QCOMPARE(backups.first().reason, QStringLiteral("before-migration-2"));
        QCOMPARE(rawText(backups.first().path, "PRAGMA user_version"), QStringLiteral("1"));

        // A current workspace is not copied again on the next open.
        db = makeError("closed");
        QVERIFY(Database::open(path).ok());
        QCOMPARE(listBackups(path).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceSafety)
#include "test_workspacesafety.moc"
