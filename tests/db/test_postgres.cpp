// What only a laboratory server has (issue 23): addresses and passwords,
// a server that is down or goes away, a database of another program or of
// a newer CytoDiff, several stations migrating at once, live-update
// notifications, and hostile text. On a throwaway PostgreSQL 15 cluster.

#include "caseclaims.h"
#include "database.h"
#include "migrations.h"
#include "pgconnection.h"
#include "transaction.h"
#include "workspaceengine.h"

#include <QCryptographicHash>
#include <QTest>

#include <atomic>
#include <thread>

using namespace cytodiff;
using namespace cytodiff::db;

namespace {

NewCase namedCase(const QString &name)
{
    NewCase newCase;
    newCase.name = name;
    return newCase;
}

NewCell cellOf(qint64 caseId, const QByteArray &bytes)
{
    NewCell cell;
    cell.caseId = caseId;
    cell.image = bytes;
    cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    cell.width = 10;
    cell.height = 10;
    cell.originalName = QStringLiteral("x.jpg");
    cell.sourcePath = QStringLiteral("x.jpg");
    return cell;
}

} // namespace

class TestPostgres : public QObject {
    Q_OBJECT

    testing::PgCluster *m_cluster = nullptr;
    int m_next = 0;

    QString freshDatabase()
    {
        QString why;
        const QString uri = m_cluster->createDatabase(QStringLiteral("pg%1").arg(++m_next), &why);
        if (uri.isEmpty())
            qWarning("%s", qPrintable(why));
        return uri;
    }

private slots:
    void initTestCase()
    {
        QString why;
        m_cluster = testing::testCluster(&why);
        QVERIFY2(m_cluster, qPrintable(why));
    }

    void aPasswordInTheAddressIsRefused()
    {
        auto opened = Database::open(QStringLiteral("postgresql://anna:secret@localhost/lab"));
        QVERIFY(!opened.ok());
        QVERIFY2(QString::fromStdString(opened.error()).contains(QStringLiteral(".pgpass")), opened.error().c_str());
        QVERIFY(!QString::fromStdString(opened.error()).contains(QStringLiteral("secret")));
    }

    void passwordsComeFromThePromptAndAWrongOneIsNamed()
    {
        const QString uri = freshDatabase();
        QString why;
        QVERIFY2(m_cluster->sql(QStringLiteral("postgres"),
                                QStringLiteral("CREATE ROLE anna LOGIN PASSWORD 'right horse'; "
                                               "GRANT ALL ON DATABASE pg%1 TO anna; ALTER DATABASE pg%1 OWNER TO anna")
                                    .arg(m_next),
                                &why),
                 qPrintable(why));
        QVERIFY2(m_cluster->requirePassword(QStringLiteral("anna"), &why), qPrintable(why));
        const QString annaUri = m_cluster->uri(QStringLiteral("pg%1").arg(m_next), QStringLiteral("anna"));

        auto noPrompt = Database::open(annaUri);
        QVERIFY(!noPrompt.ok());
        QVERIFY2(QString::fromStdString(noPrompt.error()).contains(QStringLiteral("password")), noPrompt.error().c_str());

        OpenOptions wrong;
        wrong.askPassword = [](const QString &) { return QStringLiteral("wrong horse"); };
        auto refused = Database::open(annaUri, wrong);
        QVERIFY(!refused.ok());
        QVERIFY2(QString::fromStdString(refused.error()).contains(QStringLiteral("refused the user name or password")),
                 refused.error().c_str());

        OpenOptions cancelled;
        cancelled.askPassword = [](const QString &) { return QString(); };
        QVERIFY(!Database::open(annaUri, cancelled).ok());

        OpenOptions right;
        QString shownAddress;
        right.askPassword = [&](const QString &address) {
            shownAddress = address;
            return QStringLiteral("right horse");
        };
        auto opened = Database::open(annaUri, right);
        VERIFY_OK(opened);
        QVERIFY(shownAddress.contains(QStringLiteral("anna@")));
        QCOMPARE(opened->engine(), Engine::Postgres);
        QCOMPARE(opened->journalMode(), QStringLiteral("server"));
        VERIFY_OK(opened->createCase(namedCase(QStringLiteral("by anna"))));

        // The electronic signature's check: the password again, nothing else.
        VERIFY_OK(verifyServerPassword(annaUri, QStringLiteral("right horse")));
        auto wrongSignature = verifyServerPassword(annaUri, QStringLiteral("wrong horse"));
        QVERIFY(!wrongSignature.ok());
        QVERIFY2(QString::fromStdString(wrongSignature.error()).contains(QStringLiteral("not right")),
                 wrongSignature.error().c_str());
        // A server that trusts everyone cannot confirm a signature.
        auto trusted = verifyServerPassword(uri, QStringLiteral("anything"));
        QVERIFY(!trusted.ok());
        QVERIFY2(QString::fromStdString(trusted.error()).contains(QStringLiteral("does not ask for passwords")),
                 trusted.error().c_str());
    }

    void aServerThatIsDownIsNamed()
    {
        auto opened = Database::open(QStringLiteral("postgresql://nobody@/lab?host=/nonexistent-socket-folder"));
        QVERIFY(!opened.ok());
        QVERIFY2(QString::fromStdString(opened.error()).contains(QStringLiteral("cannot reach the laboratory server")),
                 opened.error().c_str());
    }

    void anotherProgramsDatabaseIsLeftAlone()
    {
        const QString uri = freshDatabase();
        QString why;
        QVERIFY2(m_cluster->sql(QStringLiteral("pg%1").arg(m_next), QStringLiteral("CREATE TABLE invoices (id int)"), &why),
                 qPrintable(why));
        auto opened = Database::open(uri);
        QVERIFY(!opened.ok());
        QVERIFY2(QString::fromStdString(opened.error()).contains(QStringLiteral("not a CytoDiff workspace")),
                 opened.error().c_str());
        // Untouched: no CytoDiff table was created.
        QVERIFY(m_cluster->sql(QStringLiteral("pg%1").arg(m_next), QStringLiteral("SELECT 1 FROM invoices"), &why));
        QVERIFY(!m_cluster->sql(QStringLiteral("pg%1").arg(m_next), QStringLiteral("SELECT 1 FROM cases"), &why));
    }

    void aNewerWorkspaceOpensReadOnly()
    {
        const QString uri = freshDatabase();
        {
            auto created = Database::open(uri);
            VERIFY_OK(created);
            VERIFY_OK(created->createCase(namedCase(QStringLiteral("kept"))));
        }
        QString why;
        QVERIFY(m_cluster->sql(QStringLiteral("pg%1").arg(m_next),
                               QStringLiteral("UPDATE cytodiff_workspace SET schema_version = 999"), &why));
        auto opened = Database::open(uri);
        VERIFY_OK(opened);
        QVERIFY(opened->isReadOnly());
        QVERIFY(opened->readOnlyReason().contains(QStringLiteral("newer CytoDiff")));
        QCOMPARE(opened->listCases()->size(), 1);
        QVERIFY(!opened->createCase(namedCase(QStringLiteral("refused"))).ok());
        // Even a write that skips the app's check is refused by the server.
        QVERIFY(!opened->execScript("INSERT INTO labellers (name) VALUES ('x')").ok());
    }

    void stationsOpeningANewDatabaseAtOnceMigrateOnce()
    {
        const QString uri = freshDatabase();
        std::atomic<int> failures{0};
        std::vector<std::thread> stations;
        for (int i = 0; i < 4; ++i)
            stations.emplace_back([&] {
                auto opened = Database::open(uri);
                if (!opened || opened->schemaVersion() != latestSchemaVersion()) {
                    qWarning("%s", opened ? "old schema" : opened.error().c_str());
                    ++failures;
                }
            });
        for (auto &station : stations)
            station.join();
        QCOMPARE(failures.load(), 0);
        auto opened = Database::open(uri);
        VERIFY_OK(opened);
        auto rows = opened->prepare("SELECT COUNT(*) FROM cytodiff_workspace");
        VERIFY_OK(rows);
        QVERIFY(*rows->step());
        QCOMPARE(rows->int64(0), 1);
    }

    void otherStationsChangesAreNoticed()
    {
        const QString uri = freshDatabase();
        auto mine = Database::open(uri);
        auto theirs = Database::open(uri);
        VERIFY_OK(mine);
        VERIFY_OK(theirs);
        const qint64 start = *mine->dataVersion();
        VERIFY_OK(mine->createCase(namedCase(QStringLiteral("mine"))));
        QCOMPARE(*mine->dataVersion(), start); // our own writes do not count
        VERIFY_OK(theirs->createCase(namedCase(QStringLiteral("theirs"))));
        QTRY_VERIFY(*mine->dataVersion() > start);
    }

    void hostileTextRoundTrips()
    {
        const QString uri = freshDatabase();
        auto db = Database::open(uri);
        VERIFY_OK(db);
        const QStringList names = {
            QStringLiteral("O'Brien \"ward\"; DROP TABLE cases; --"),
            QStringLiteral("$1 ? ?1 \\x00ff %s"),
            QString(5000, QLatin1Char('w')),
            QStringLiteral("Zürich — 東京 — عربى — 🩸"),
        };
        for (const QString &name : names) {
            auto id = db->createCase(namedCase(name));
            VERIFY_OK(id);
            auto row = db->caseById(*id);
            VERIFY_OK(row);
            QCOMPARE(row->name, name);
            auto found = db->findCase(name);
            VERIFY_OK(found);
            QCOMPARE(found->id, *id);
        }
        // Bytes with every value, NUL included, come back unchanged.
        QByteArray bytes;
        for (int i = 0; i < 256; ++i)
            bytes.append(char(i));
        auto caseId = db->createCase(namedCase(QStringLiteral("bytes")));
        auto cell = db->insertCell(cellOf(*caseId, bytes));
        VERIFY_OK(cell);
        QCOMPARE(*db->cellImage(cell->cellId), bytes);
        QCOMPARE(db->listCases()->size(), names.size() + 1);
    }

    // A second station that opens a case under review learns who has it
    // since when; the claim ends when the first moves on or goes away.
    void aCaseUnderReviewIsClaimed()
    {
        const QString uri = freshDatabase();
        auto first = Database::open(uri);
        auto second = Database::open(uri);
        VERIFY_OK(first);
        VERIFY_OK(second);
        auto caseA = first->createCase(namedCase(QStringLiteral("A")));
        auto caseB = first->createCase(namedCase(QStringLiteral("B")));
        VERIFY_OK(caseA);
        VERIFY_OK(caseB);
        const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
        {
            CaseClaims mine(*first);
            auto claimed = mine.claim(*caseA);
            VERIFY_OK(claimed);
            QVERIFY(claimed->mine);

            CaseClaims theirs(*second);
            auto refused = theirs.claim(*caseA);
            VERIFY_OK(refused);
            QVERIFY(!refused->mine);
            QCOMPARE(refused->holder, testing::PgCluster::superuser());
            QVERIFY(refused->since >= before);
            QVERIFY(theirs.claim(*caseB)->mine); // another case is free
            theirs.release();

            QVERIFY(mine.claim(*caseB)->mine);   // the first station moves on...
            QVERIFY(theirs.claim(*caseA)->mine); // ...and A is free
        }
        // A station that goes away (quits, loses its connection) lets go.
        {
            CaseClaims mine(*first);
            QVERIFY(mine.claim(*caseA)->mine);
            auto third = Database::open(uri);
            VERIFY_OK(third);
            CaseClaims other(*third);
            QVERIFY(!other.claim(*caseA)->mine);
            *first = std::move(*Database::open(uri)); // the old session ends
            QTRY_VERIFY(other.claim(*caseA).ok() && other.claimedCase() == *caseA);
        }
    }

    // A client cannot put another name in the audit log or on a signature.
    void theServerLoginIsTheActor()
    {
        auto db = Database::open(freshDatabase());
        VERIFY_OK(db);
        auto caseId = db->createCase(namedCase(QStringLiteral("C")));
        VERIFY_OK(caseId);
        VERIFY_OK(db->signCase(*caseId, QStringLiteral("dr mallory")));
        QCOMPARE(db->caseById(*caseId)->signedBy, testing::PgCluster::superuser());
        VERIFY_OK(db->execScript("INSERT INTO audit_log (at, actor, action, entity, entity_id) "
                                 "VALUES ('2026-01-01', 'someone else', 'verify', 'cell', 7)"));
        auto log = db->auditLog(QStringLiteral("cell"), 7);
        VERIFY_OK(log);
        QCOMPARE(log->first().actor, testing::PgCluster::superuser());
    }

    void aLostConnectionIsNamedAndNothingCommittedIsLost()
    {
        const QString uri = freshDatabase();
        auto db = Database::open(uri);
        VERIFY_OK(db);
        VERIFY_OK(db->createCase(namedCase(QStringLiteral("before"))));
        QString why;
        QVERIFY(m_cluster->sql(QStringLiteral("postgres"),
                               QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                              "WHERE datname = 'pg%1' AND application_name = 'CytoDiff'")
                                   .arg(m_next),
                               &why));
        auto after = db->createCase(namedCase(QStringLiteral("after")));
        QVERIFY(!after.ok());
        QVERIFY2(QString::fromStdString(after.error()).contains(QStringLiteral("connection to the laboratory server")),
                 after.error().c_str());
        auto again = Database::open(uri);
        VERIFY_OK(again);
        QCOMPARE(again->listCases()->size(), 1);
        QCOMPARE(again->listCases()->first().name, QStringLiteral("before"));

        // The same connection comes back by itself at the next statement
        // (never re-sending the one that failed), and tells the window.
        const int generation = db->sessionGeneration();
        VERIFY_OK(db->createCase(namedCase(QStringLiteral("after reconnecting"))));
        QCOMPARE(db->sessionGeneration(), generation + 1);
        QCOMPARE(db->listCases()->size(), 2);
        QVERIFY(*db->dataVersion() > 0);
    }
};

QTEST_GUILESS_MAIN(TestPostgres)
#include "test_postgres.moc"
