// Two processes write one workspace: cytodiff-cli (import, then classify)
// and this test through core/db, as the app would. Writes must wait for
// each other (busy timeout) instead of failing, and nothing may be lost.
#include "clitesthelpers.h"
#include "database.h"
#include "transaction.h"

#include <QHash>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using namespace cytodiff::testing;

class TestConcurrentWriters : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_workspace;
    QList<qint64> m_ours; // cells of the case this process relabels
    QHash<qint64, QString> m_label; // their current labels, as this process set them

    // Relabels our cells round-robin while the CLI runs, once holding the
    // write lock for a while so the CLI has to wait; every write must succeed.
    int writeWhile(QProcess &cli, db::Database &database, const QString &actor)
    {
        int writes = 0;
        bool heldLock = false;
        while (cli.state() == QProcess::Running) {
            if (!heldLock) {
                auto hold = db::Transaction::begin(database);
                if (!hold.ok())
                    qFatal("cannot take the write lock: %s", hold.error().c_str());
                QThread::msleep(1500); // well below the CLI's 5 s busy timeout
                if (!hold->commit().ok())
                    qFatal("cannot commit the held transaction");
                heldLock = true;
            }
            // Always a different class: an unchanged label writes no audit entry.
            const qint64 cell = m_ours.at(writes % m_ours.size());
            const QString cls = kTinyClasses.at((kTinyClasses.indexOf(m_label.value(cell)) + 1) % kTinyClasses.size());
            auto written = database.setLabel(cell, cls, actor);
            if (!written.ok())
                qFatal("write %d failed while the CLI was writing: %s", writes, written.error().c_str());
            m_label.insert(cell, cls);
            ++writes;
            cli.waitForFinished(1);
        }
        return writes;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_workspace = m_dir.filePath(QStringLiteral("shared.cytodiff"));
        const QString ours = m_dir.filePath(QStringLiteral("ours"));
        QVERIFY(writeExport(ours, 40, 500000));
        const CliRun imported = runCli({QStringLiteral("import"), ours, QStringLiteral("--db"), m_workspace});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        auto database = db::Database::open(m_workspace);
        QVERIFY(database.ok());
        auto found = database->findCase(QStringLiteral("ours"));
        QVERIFY(found.ok());
        auto ids = database->cellIdsOfCase(found->id);
        QVERIFY(ids.ok());
        m_ours = *ids;
        for (qint64 id : m_ours)
            m_label.insert(id, database->cell(id)->labelClass);
    }

    void importWhileAnotherProcessWrites()
    {
        constexpr int kCells = 1600;
        const QString source = m_dir.filePath(QStringLiteral("theirs"));
        QVERIFY(writeExport(source, kCells, 600000));
        auto database = db::Database::open(m_workspace);
        QVERIFY(database.ok());

        auto cli = startCli({QStringLiteral("import"), source, QStringLiteral("--db"), m_workspace});
        const int writes = writeWhile(*cli, *database, QStringLiteral("writer-a"));
        QCOMPARE(cli->exitStatus(), QProcess::NormalExit);
        QVERIFY2(cli->exitCode() == 0, cli->readAllStandardError().constData());
        QVERIFY(writes > 0);

        RawView view(m_workspace);
        QCOMPARE(view.count("SELECT COUNT(*) FROM cells"), qint64(kCells + m_ours.size()));
        QCOMPARE(view.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'writer-a'"), qint64(writes));
        QCOMPARE(view.rows("PRAGMA integrity_check").value(0).value(0), QStringLiteral("ok"));
    }

    void classifyWhileAnotherProcessWrites()
    {
        auto database = db::Database::open(m_workspace);
        QVERIFY(database.ok());
        auto cli = startCli({QStringLiteral("classify"), QStringLiteral("--model"), kTinyModelPath,
                             QStringLiteral("--db"), m_workspace, QStringLiteral("--case"), QStringLiteral("ours"),
                             QStringLiteral("--out"), m_dir.filePath(QStringLiteral("ours.csv")),
                             QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--trials-min"),
                             QStringLiteral("2"), QStringLiteral("--trials-max"), QStringLiteral("2")});
        const int writes = writeWhile(*cli, *database, QStringLiteral("writer-b"));
        QCOMPARE(cli->exitStatus(), QProcess::NormalExit);
        QVERIFY2(cli->exitCode() == 0, cli->readAllStandardError().constData());

        RawView view(m_workspace);
        QCOMPARE(view.count("SELECT COUNT(DISTINCT p.cell_id) FROM predictions p JOIN cells c ON c.id = p.cell_id "
                            "JOIN cases k ON k.id = c.case_id WHERE k.name = 'ours'"),
                 qint64(m_ours.size()));
        QCOMPARE(view.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'writer-b'"), qint64(writes));
        // The last label written to each cell is the one stored.
        for (qint64 cell : std::as_const(m_ours)) {
            auto summary = database->cell(cell);
            QVERIFY(summary.ok());
            QCOMPARE(summary->labelClass, m_label.value(cell));
        }
    }
};

QTEST_GUILESS_MAIN(TestConcurrentWriters)
#include "test_concurrentwriters.moc"
