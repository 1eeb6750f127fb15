// Crash safety: cytodiff-cli is killed with SIGKILL in the middle of an
// import and of a classification (500 cells, tiny model); the workspace
// must pass integrity_check, keep everything committed before the kill,
// and a rerun must finish the work without duplicating any of it.
#include "clitesthelpers.h"
#include "database.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using namespace cytodiff::testing;

class TestCrashSafety : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static void checkIntact(const QString &workspace)
    {
        RawView view(workspace);
        QVERIFY(view.isOpen());
        const auto integrity = view.rows("PRAGMA integrity_check");
        QCOMPARE(integrity.size(), 1);
        QCOMPARE(integrity.first().value(0), QStringLiteral("ok"));
        QVERIFY(view.rows("PRAGMA foreign_key_check").isEmpty());
        QCOMPARE(view.tornImages(), 0);
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void importKilledMidwayResumes()
    {
        // Large enough that the import runs for about a second after the
        // first batch of 200 commits, however fast the machine.
        constexpr int kCells = 2400;
        const QString source = m_dir.filePath(QStringLiteral("export"));
        QVERIFY(writeExport(source, kCells));
        const QString workspace = m_dir.filePath(QStringLiteral("import.cytodiff"));

        auto import = startCli({QStringLiteral("import"), source, QStringLiteral("--db"), workspace});
        QList<QStringList> before; // rows visible (= committed) just before the kill
        const bool midway = waitWhileRunning(*import, [&] {
            RawView view(workspace);
            before = view.rows("SELECT sha256, label_class, raw_code FROM cells ORDER BY sha256");
            return !before.isEmpty();
        });
        import->kill(); // SIGKILL
        import->waitForFinished();
        QVERIFY2(midway, "the import finished before it could be killed");

        checkIntact(workspace);
        RawView view(workspace);
        const auto after = view.rows("SELECT sha256, label_class, raw_code FROM cells ORDER BY sha256");
        QVERIFY2(after.size() < kCells, "the kill came after the import had finished");
        // Batches are all-or-nothing: whole batches of 200 only.
        QCOMPARE(after.size() % 200, 0);
        const QSet<QStringList> afterSet(after.cbegin(), after.cend());
        for (const QStringList &row : before)
            QVERIFY2(afterSet.contains(row), qPrintable(QStringLiteral("lost after the kill: ") + row.join(',')));

        const CliRun rerun = runCli({QStringLiteral("import"), source, QStringLiteral("--db"), workspace});
        QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.err));
        checkIntact(workspace);
        QCOMPARE(view.count("SELECT COUNT(*) FROM cells"), qint64(kCells));
        QCOMPARE(view.count("SELECT COUNT(*) FROM cases"), qint64(1));
        // Every cell carries the class of its folder.
        QCOMPARE(view.count("SELECT COUNT(*) FROM cells WHERE label_class IS NULL "
                            "OR source_path NOT LIKE label_class || '/%'"),
                 qint64(0));
        const auto final = view.rows("SELECT sha256, label_class, raw_code FROM cells ORDER BY sha256");
        const QSet<QStringList> finalSet(final.cbegin(), final.cend());
        for (const QStringList &row : after)
            QVERIFY(finalSet.contains(row));
    }

    void classifyKilledMidwayResumes()
    {
        constexpr int kCells = 500;
        const QString source = m_dir.filePath(QStringLiteral("case500"));
        QVERIFY(writeExport(source, kCells, 100000));
        const QString workspace = m_dir.filePath(QStringLiteral("classify.cytodiff"));
        const CliRun imported = runCli({QStringLiteral("import"), source, QStringLiteral("--db"), workspace});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));

        // Review labels committed before classification starts.
        QList<qint64> relabelled;
        {
            auto database = db::Database::open(workspace);
            QVERIFY(database.ok());
            auto found = database->findCase(QStringLiteral("case500"));
            QVERIFY(found.ok());
            auto ids = database->cellIdsOfCase(found->id);
            QVERIFY(ids.ok());
            QCOMPARE(ids->size(), kCells);
            for (int i = 0; i < 10; ++i) {
                relabelled.append(ids->at(i * 37));
                QVERIFY(database->setLabel(ids->at(i * 37), QStringLiteral("blast"), QStringLiteral("tester")).ok());
            }
        }

        const QStringList classify = {QStringLiteral("classify"), QStringLiteral("--model"), kTinyModelPath,
                                      QStringLiteral("--db"), workspace, QStringLiteral("--case"),
                                      QStringLiteral("case500"), QStringLiteral("--out"),
                                      m_dir.filePath(QStringLiteral("case500.csv")), QStringLiteral("--threads"),
                                      QStringLiteral("1"), QStringLiteral("--trials-min"), QStringLiteral("2"),
                                      QStringLiteral("--trials-max"), QStringLiteral("2")};
        auto process = startCli(classify);
        QList<QStringList> before;
        const bool midway = waitWhileRunning(*process, [&] {
            RawView view(workspace);
            before = view.rows("SELECT id, cell_id, model_id, predicted_class, scores FROM predictions ORDER BY id");
            return before.size() >= 20;
        });
        process->kill();
        process->waitForFinished();
        QVERIFY2(midway, "the classification finished before it could be killed");

        checkIntact(workspace);
        RawView view(workspace);
        const auto after = view.rows("SELECT id, cell_id, model_id, predicted_class, scores FROM predictions ORDER BY id");
        QVERIFY(after.size() < kCells);
        const QSet<QStringList> afterSet(after.cbegin(), after.cend());
        for (const QStringList &row : before)
            QVERIFY2(afterSet.contains(row), qPrintable(QStringLiteral("prediction lost: ") + row.join(',')));
        QCOMPARE(view.count("SELECT COUNT(*) FROM cells WHERE label_class = 'blast'"), qint64(relabelled.size()));
        QCOMPARE(view.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'tester'"), qint64(relabelled.size()));

        // The rerun classifies only what is missing: one prediction per cell.
        const CliRun rerun = runCli(classify);
        QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.err));
        QVERIFY2(rerun.err.contains(QStringLiteral("already have a prediction")), qPrintable(rerun.err));
        checkIntact(workspace);
        QCOMPARE(view.count("SELECT COUNT(*) FROM predictions"), qint64(kCells));
        QCOMPARE(view.count("SELECT COUNT(DISTINCT cell_id) FROM predictions"), qint64(kCells));
        const auto final = view.rows("SELECT id, cell_id, model_id, predicted_class, scores FROM predictions ORDER BY id");
        const QSet<QStringList> finalSet(final.cbegin(), final.cend());
        for (const QStringList &row : after)
            QVERIFY(finalSet.contains(row));
        QCOMPARE(view.count("SELECT COUNT(*) FROM cells WHERE label_class = 'blast'"), qint64(relabelled.size()));

        // The CSV of the rerun still lists every cell of the case.
        QFile csv(m_dir.filePath(QStringLiteral("case500.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), kCells + 1);
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "test_crashsafety.moc"
