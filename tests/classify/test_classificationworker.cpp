// Classification workers sharing a workspace (issue 23 item 5), with a
// stub model so that the database is what is tested: several workers and
// reviewers at once, a worker that dies mid-batch, a worker whose lease
// was taken over. Built for SQLite and for PostgreSQL (a throwaway
// cluster, test_classificationworker_pg).

#include "classificationworker.h"
#include "database.h"
#include "transaction.h"
#include "workspaceengine.h"

#include <QCryptographicHash>
#include <QTest>

#include <atomic>
#include <thread>

using namespace cytodiff;

namespace {

const QStringList kClasses = {QStringLiteral("neutrophil"), QStringLiteral("lymphocyte"), QStringLiteral("monocyte")};

// A stub model: the class follows from the image bytes, instantly.
classify::WorkerCalls stubCalls(std::atomic<int> *calls = nullptr)
{
    classify::WorkerCalls stub;
    stub.modelId = QStringLiteral("stub@0001");
    stub.secondOpinionModelId = QStringLiteral("stub-cnn@0002");
    stub.callsOn = [calls](const db::Database &database, qint64 cellId, const engine::CancelFn &) {
        classify::StoredCellCalls out;
        auto bytes = database.cellImage(cellId);
        if (!bytes) {
            out.error = QString::fromStdString(bytes.error());
            return out;
        }
        classify::CellCall call;
        call.predicted = int(quint8(bytes->at(0)) % kClasses.size());
        call.predictedClass = kClasses.at(call.predicted);
        call.confidence = 0.9;
        call.result.nfe = 1;
        out.prediction = call;
        out.secondOpinion = call;
        if (calls)
            ++*calls;
        return out;
    };
    return stub;
}

QString makeWorkspace(int cases, int cellsPerCase, QString *why)
{
    const QString address = testing::freshWorkspaceAddress(why);
    if (address.isEmpty())
        return {};
    auto database = db::Database::open(address);
    if (!database) {
        *why = QString::fromStdString(database.error());
        return {};
    }
    auto transaction = db::Transaction::begin(*database);
    int serial = 0;
    for (int k = 0; k < cases; ++k) {
        db::NewCase newCase;
        newCase.name = QStringLiteral("case %1").arg(k);
        auto caseId = database->createCase(newCase);
        for (int i = 0; i < cellsPerCase && caseId; ++i) {
            db::NewCell cell;
            cell.caseId = *caseId;
            ++serial;
            cell.image = QByteArray::number(serial).rightJustified(8, char(serial % 251));
            cell.image[0] = char(serial % 7);
            cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(cell.image, QCryptographicHash::Sha256).toHex());
            cell.width = cell.height = 1;
            cell.originalName = cell.sourcePath = QStringLiteral("%1.jpg").arg(serial);
            if (!database->insertCell(cell)) {
                *why = QStringLiteral("insert failed");
                return {};
            }
        }
    }
    if (!transaction || !transaction->commit()) {
        *why = QStringLiteral("commit failed");
        return {};
    }
    return address;
}

qint64 scalar(db::Database &database, const char *sql)
{
    auto query = database.prepare(sql);
    if (!query || !query->step().ok())
        return -1;
    return query->int64(0);
}

} // namespace

class TestClassificationWorker : public QObject {
    Q_OBJECT

private slots:
    // Three workers and three reviewers on one workspace, 2,000 cells:
    // every cell gets exactly one call of the model, every review and its
    // audit entry is stored.
    void workersAndReviewersShareAWorkspace()
    {
        QString why;
        const QString address = makeWorkspace(4, 500, &why);
        QVERIFY2(!address.isEmpty(), qPrintable(why));

        std::atomic<int> failures{0};
        std::atomic<int> reviews{0};
        QStringList problems;
        std::mutex problemsMutex;
        const auto fail = [&](const std::string &message) {
            ++failures;
            std::lock_guard lock(problemsMutex);
            problems.append(QString::fromStdString(message));
        };
        std::vector<std::thread> threads;
        for (int w = 0; w < 3; ++w)
            threads.emplace_back([&, w] {
                auto database = db::Database::open(address);
                if (!database)
                    return fail(database.error());
                classify::ClassificationWorker worker(*database, stubCalls(), QStringLiteral("worker-%1").arg(w),
                                                      {16, 60});
                for (;;) {
                    auto batch = worker.runBatch();
                    if (!batch)
                        return fail(batch.error());
                    if (batch->claimed == 0)
                        return;
                }
            });
        for (int r = 0; r < 3; ++r)
            threads.emplace_back([&, r] {
                auto database = db::Database::open(address);
                if (!database)
                    return fail(database.error());
                for (int i = 0; i < 60; ++i) {
                    const qint64 cell = 1 + (r * 601 + i * 31) % 2000;
                    auto labelled = database->setLabel(cell, kClasses.at((r + i) % 3), QStringLiteral("reviewer %1").arg(r));
                    if (!labelled)
                        return fail(labelled.error());
                    ++reviews;
                }
            });
        for (auto &thread : threads)
            thread.join();
        QVERIFY2(failures.load() == 0, qPrintable(problems.join(QLatin1Char('\n'))));

        auto database = db::Database::open(address);
        VERIFY_OK(database);
        QCOMPARE(scalar(*database, "SELECT COUNT(*) FROM predictions WHERE model_id = 'stub@0001'"), qint64(2000));
        QCOMPARE(scalar(*database, "SELECT COUNT(DISTINCT cell_id) FROM predictions WHERE model_id = 'stub@0001'"),
                 qint64(2000));
        QCOMPARE(scalar(*database, "SELECT COUNT(*) FROM second_opinions"), qint64(2000));
        QCOMPARE(scalar(*database, "SELECT COUNT(*) FROM classification_leases"), qint64(0));
        QCOMPARE(reviews.load(), 180);
        QCOMPARE(scalar(*database, "SELECT COUNT(*) FROM audit_log WHERE action = 'relabel' OR action = 'label'")
                     + scalar(*database, "SELECT COUNT(*) FROM audit_log WHERE action NOT IN ('relabel', 'label')"),
                 scalar(*database, "SELECT COUNT(*) FROM audit_log"));
        QVERIFY(scalar(*database, "SELECT COUNT(*) FROM audit_log WHERE entity = 'cell'") >= 1);
    }

    // A worker that dies after claiming (kill -9 leaves its leases behind):
    // once they expire another worker does the cells, each exactly once,
    // and the dead worker's late store is refused.
    void anExpiredLeaseGoesToAnotherWorker()
    {
        QString why;
        const QString address = makeWorkspace(1, 20, &why);
        QVERIFY2(!address.isEmpty(), qPrintable(why));
        auto first = db::Database::open(address);
        auto second = db::Database::open(address);
        VERIFY_OK(first);
        VERIFY_OK(second);

        db::ClassificationLeases dead(*first, QStringLiteral("stub@0001"), QStringLiteral("dead"));
        auto claimed = dead.claim(1, 8, 1);
        VERIFY_OK(claimed);
        QCOMPARE(claimed->size(), 8);

        std::atomic<int> calls{0};
        classify::ClassificationWorker alive(*second, stubCalls(&calls), QStringLiteral("alive"), {16, 60});
        auto batch = alive.runBatch();
        VERIFY_OK(batch);
        QCOMPARE(batch->claimed, 12); // the 8 leased cells are not touched yet
        QTest::qWait(1200);           // the dead worker's leases run out
        batch = alive.runBatch();
        VERIFY_OK(batch);
        QCOMPARE(batch->claimed, 8);
        QCOMPARE(batch->stored, 8);
        QCOMPARE(alive.runBatch()->claimed, 0);
        QCOMPARE(calls.load(), 20);

        // The dead worker's store after all: its lease is gone.
        auto late = dead.finish(claimed->first());
        VERIFY_OK(late);
        QVERIFY(*late != db::ClassificationLeases::LeaseEnd::Store);
        QCOMPARE(scalar(*second, "SELECT COUNT(*) FROM predictions"), qint64(20));
        QCOMPARE(scalar(*second, "SELECT COUNT(DISTINCT cell_id) FROM predictions"), qint64(20));
    }

    // A cancelled worker gives its unfinished cells back at once.
    void aCancelledWorkerGivesItsCellsBack()
    {
        QString why;
        const QString address = makeWorkspace(1, 10, &why);
        QVERIFY2(!address.isEmpty(), qPrintable(why));
        auto database = db::Database::open(address);
        VERIFY_OK(database);
        int done = 0;
        classify::ClassificationWorker worker(*database, stubCalls(), QStringLiteral("w"), {10, 60});
        auto batch = worker.runBatch([&] { return ++done > 3; });
        VERIFY_OK(batch);
        QVERIFY(batch->stored < 10);
        QCOMPARE(scalar(*database, "SELECT COUNT(*) FROM classification_leases"), qint64(0));
        QCOMPARE(*worker.backlog(), qint64(10 - batch->stored));
    }
};

QTEST_GUILESS_MAIN(TestClassificationWorker)
#include "test_classificationworker.moc"
