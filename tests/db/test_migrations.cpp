// Opening workspaces: migrations, WAL, application id, refusing files of
// other programs, read-only for newer schemas, busy timeouts.

#include "database.h"
#include "migrations.h"
#include "transaction.h"
#include "workspace.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace cytodiff;
using namespace cytodiff::db;

namespace {

qint64 pragma(const Database &db, const char *name)
{
    auto statement = db.prepare(std::string("PRAGMA ") + name);
    if (!statement || !statement->step().ok())
        return -1;
    return statement->int64(0);
}

// Writes a file with plain sqlite3 calls, as another program would.
void rawExec(const QString &path, const char *sql)
{
    sqlite3 *handle = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &handle), SQLITE_OK);
    QCOMPARE(sqlite3_exec(handle, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(handle);
}

// Evaluates its argument once (a write must not run twice).
#define VERIFY_OK(expression)                                                                                   \
    do {                                                                                                        \
        const auto &result_ = (expression);                                                                     \
        QVERIFY2(result_.ok(), result_.ok() ? "" : result_.error().c_str());                                    \
    } while (false)

} // namespace

class TestMigrations : public QObject {
    Q_OBJECT

private slots:
    void freshDatabaseGetsTheLatestSchema()
    {
        auto db = Database::openInMemory();
        VERIFY_OK(db);
        QCOMPARE(db->schemaVersion(), latestSchemaVersion());
        QCOMPARE(pragma(*db, "user_version"), qint64(latestSchemaVersion()));
        QCOMPARE(pragma(*db, "application_id"), qint64(Database::kApplicationId));
        QCOMPARE(pragma(*db, "foreign_keys"), qint64(1));
        QCOMPARE(db->journalMode(), QStringLiteral("memory"));
        QVERIFY(!db->isReadOnly());
    }

    void migrationsAreNumberedFromOne()
    {
        int expected = 1;
        for (const Migration &migration : migrations())
            QCOMPARE(migration.version, expected++);
    }

    void fileDatabaseUsesWalAndReopens()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("w.cytodiff"));
        {
            auto db = Database::open(path);
            VERIFY_OK(db);
            QCOMPARE(db->journalMode(), QStringLiteral("wal"));
            QCOMPARE(pragma(*db, "busy_timeout"), qint64(5000));
            VERIFY_OK(db->createCase({QStringLiteral("A"), {}, {}, {}, {}, {}, {}}));
        }
        auto again = Database::open(path);
        VERIFY_OK(again);
        QCOMPARE(again->schemaVersion(), latestSchemaVersion());
        QCOMPARE(again->listCases()->size(), 1);
    }

    void newerSchemaOpensReadOnly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("new.cytodiff"));
        qint64 caseId = 0;
        {
            auto db = Database::open(path);
            VERIFY_OK(db);
            auto created = db->createCase({QStringLiteral("A"), {}, {}, {}, {}, {}, {}});
            VERIFY_OK(created);
            caseId = *created;
        }
        rawExec(path, "PRAGMA user_version = 999");

        auto db = Database::open(path);
        VERIFY_OK(db);
        QVERIFY(db->isReadOnly());
        QCOMPARE(db->schemaVersion(), 999);
        const QString expected = QStringLiteral("This workspace was written by a newer CytoDiff (schema 999 > %1); "
                                                "update CytoDiff to change it.")
                                     .arg(latestSchemaVersion());
        QCOMPARE(db->readOnlyReason(), expected);

        // Reading goes on.
        auto cases = db->listCases();
        VERIFY_OK(cases);
        QCOMPARE(cases->size(), 1);

        // Every write is refused with the message.
        auto created = db->createCase({QStringLiteral("B"), {}, {}, {}, {}, {}, {}});
        QVERIFY(!created.ok());
        QCOMPARE(QString::fromStdString(created.error()), expected);
        NewCell cell;
        cell.caseId = caseId;
        cell.sha256 = QString(64, QLatin1Char('a'));
        cell.image = "x";
        QCOMPARE(QString::fromStdString(db->insertCell(cell).error()), expected);
        QVERIFY(!db->insertPrediction(1, QStringLiteral("m"), QStringLiteral("neutrophil"), 1, 0, {}, 1).ok());
        QVERIFY(!db->signCase(caseId, QStringLiteral("dr x")).ok());
        QVERIFY(!Transaction::begin(*db).ok());
        // SQLite itself refuses too (query_only), even for raw statements.
        QVERIFY(!db->execScript("UPDATE cases SET name = 'C'").ok());
        QCOMPARE(pragma(*db, "user_version"), qint64(999));
    }

    void foreignApplicationIdIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("other.db"));
        rawExec(path, "PRAGMA application_id = 1234; CREATE TABLE t (x INTEGER);");
        auto db = Database::open(path);
        QVERIFY(!db.ok());
        QVERIFY2(QString::fromStdString(db.error()).contains(QStringLiteral("not a CytoDiff workspace")),
                 db.error().c_str());
    }

    void otherProgramsDatabaseIsRefusedAndUntouched()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("other.sqlite"));
        rawExec(path, "CREATE TABLE notes (x TEXT);");
        auto db = Database::open(path);
        QVERIFY(!db.ok());
        QVERIFY(QString::fromStdString(db.error()).contains(QStringLiteral("not a CytoDiff workspace")));
        rawExec(path, "INSERT INTO notes VALUES ('still mine')"); // not locked, not migrated
    }

    void nonSqliteFileIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("text.cytodiff"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        auto db = Database::open(path);
        QVERIFY(!db.ok());
        QVERIFY2(QString::fromStdString(db.error()).contains(QStringLiteral("not a CytoDiff workspace")),
                 db.error().c_str());
    }

    void folderAndMissingParentAreRefused()
    {
        QTemporaryDir dir;
        QVERIFY(!Database::open(dir.path()).ok());
        QVERIFY(!Database::open(dir.filePath(QStringLiteral("no/such/folder/w.cytodiff"))).ok());
        QVERIFY(!Database::open(QString()).ok());
    }

    void busyWorkspaceFailsWithAnErrorNotACrash()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("busy.cytodiff"));
        auto first = Database::open(path);
        VERIFY_OK(first);
        OpenOptions quick;
        quick.busyTimeoutMs = 100;
        auto second = Database::open(path, quick);
        VERIFY_OK(second);
        auto holding = Transaction::begin(*first);
        VERIFY_OK(holding);
        auto created = second->createCase({QStringLiteral("late"), {}, {}, {}, {}, {}, {}});
        QVERIFY(!created.ok());
        QVERIFY2(QString::fromStdString(created.error()).contains(QStringLiteral("busy")), created.error().c_str());
        // Readers are not blocked by a writer in WAL mode.
        VERIFY_OK(second->listCases());
        holding->rollback();
        VERIFY_OK(second->createCase({QStringLiteral("late"), {}, {}, {}, {}, {}, {}}));
    }

    void defaultWorkspaceIsInAppData()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("CytoDiffTest"));
        QCoreApplication::setApplicationName(QStringLiteral("CytoDiffTest"));
        auto path = defaultWorkspacePath();
        VERIFY_OK(path);
        QVERIFY(path->endsWith(QStringLiteral("/workspace.cytodiff")));
        QVERIFY(QFileInfo(QFileInfo(*path).absolutePath()).isDir());
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "test_migrations.moc"
