// cytodiff-worker as a process (issue 23 item 5): a worker is killed with
// SIGKILL in the middle of a batch; another finishes the backlog once its
// leases have run out, and every cell ends with exactly one call of the
// model. On a workspace file and (test_workerprocess_pg) on PostgreSQL.

#include "clitesthelpers.h"
#include "database.h"
#include "engine.h"
#include "workspaceengine.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;

namespace {

const QString kWorkerPath = QStringLiteral(CYTODIFF_WORKER_PATH);
const QString kTinyModel = QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
constexpr int kCells = 24;

qint64 scalar(const QString &address, const char *sql)
{
    auto database = db::Database::open(address);
    if (!database)
        return -1;
    auto query = database->prepare(sql);
    if (!query || !query->step().ok())
        return -1;
    return query->int64(0);
}

std::unique_ptr<QProcess> startWorker(const QStringList &args)
{
    auto process = std::make_unique<QProcess>();
    process->setProgram(kWorkerPath);
    process->setArguments(args);
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->start();
    process->waitForStarted();
    return process;
}

} // namespace

class TestWorkerProcess : public QObject {
    Q_OBJECT

private slots:
    void aKilledWorkersCellsAreFinishedByAnotherOnce()
    {
        QTemporaryDir dir;
        QString why;
        const QString address = testing::freshWorkspaceAddress(&why);
        QVERIFY2(!address.isEmpty(), qPrintable(why));
        QVERIFY(testing::writeExport(dir.filePath(QStringLiteral("export")), kCells));
        const auto imported = testing::runCli({QStringLiteral("import"), dir.filePath(QStringLiteral("export")),
                                               QStringLiteral("--db"), address});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        QCOMPARE(scalar(address, "SELECT COUNT(*) FROM cells"), qint64(kCells));

        const QStringList common = {QStringLiteral("--db"), address, QStringLiteral("--model"), testing::kTinyModelPath,
                                    QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--lease-seconds"),
                                    QStringLiteral("5"), QStringLiteral("--idle-seconds"), QStringLiteral("1")};
        // The first worker claims every cell at once and is killed after
        // its first stored call: the rest of its batch stays leased.
        auto first = startWorker(common + QStringList{QStringLiteral("--batch"), QString::number(kCells),
                                                      QStringLiteral("--name"), QStringLiteral("doomed")});
        const bool midway = testing::waitWhileRunning(*first, [&] {
            return scalar(address, "SELECT COUNT(*) FROM predictions") >= 1;
        });
        QVERIFY2(midway, qPrintable(QString::fromLocal8Bit(first->readAll())));
        first->kill(); // SIGKILL: no clean-up, its leases stay behind
        first->waitForFinished();
        const qint64 before = scalar(address, "SELECT COUNT(*) FROM predictions");
        QVERIFY2(before < kCells, "the worker finished before it could be killed");
        QVERIFY(scalar(address, "SELECT COUNT(*) FROM classification_leases WHERE worker = 'doomed'") > 0);

        auto second = startWorker(common + QStringList{QStringLiteral("--once"), QStringLiteral("--name"),
                                                       QStringLiteral("survivor")});
        QVERIFY(second->waitForFinished(240000));
        const QString log = QString::fromLocal8Bit(second->readAll());
        QVERIFY2(second->exitCode() == 0, qPrintable(log));
        QCOMPARE(scalar(address, "SELECT COUNT(*) FROM predictions"), qint64(kCells));
        QCOMPARE(scalar(address, "SELECT COUNT(DISTINCT cell_id) FROM predictions"), qint64(kCells));
        QCOMPARE(scalar(address, "SELECT COUNT(*) FROM classification_leases"), qint64(0));
    }

    void aMissingModelOrWorkspaceIsNamed()
    {
        QString why;
        const QString address = testing::freshWorkspaceAddress(&why);
        auto noModel = startWorker({QStringLiteral("--db"), address, QStringLiteral("--model"),
                                    QStringLiteral("/nonexistent/model.pt")});
        QVERIFY(noModel->waitForFinished(60000));
        QCOMPARE(noModel->exitCode(), 1); // a share mounted late: the systemd unit tries again
        QVERIFY(QString::fromLocal8Bit(noModel->readAll()).contains(QStringLiteral("cannot load the model")));
        auto noArgs = startWorker({});
        QVERIFY(noArgs->waitForFinished(60000));
        QCOMPARE(noArgs->exitCode(), 2);
    }

    // What the model's card does to every call is said once, at start: a
    // damaged error profile stops the worker before it claims a cell, and
    // a domain reference without the classifier's figures is a note.
    void theModelsSafetyNetsAreNamedAtStart()
    {
        QString why;
        const QString address = testing::freshWorkspaceAddress(&why);
        QVERIFY2(!address.isEmpty(), qPrintable(why));
        QTemporaryDir dir;
        const QString damaged = dir.filePath(QStringLiteral("damaged.pt"));
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), damaged.toStdString(), [](engine::ModelCard &card) -> Result<void> {
            card.anomalyProfile = "{\"version\":1";
            return {};
        }));
        auto refused = startWorker({QStringLiteral("--db"), address, QStringLiteral("--model"), damaged, QStringLiteral("--once")});
        QVERIFY(refused->waitForFinished(60000));
        const QString refusal = QString::fromLocal8Bit(refused->readAll());
        QCOMPARE(refused->exitCode(), 3); // not restarted by the systemd unit
        QVERIFY2(refusal.contains(QStringLiteral("cannot classify with damaged@")) && refusal.contains(QStringLiteral("anomaly profile is unreadable")),
                 qPrintable(refusal));

        const QString imagesOnly = dir.filePath(QStringLiteral("images-only.pt"));
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), imagesOnly.toStdString(), [](engine::ModelCard &card) -> Result<void> {
            card.domainReference = R"({"format":1,"images":40,"crop_size":0,"cell_found_share":1,"features":)"
                                   R"({"nucleus_diameter":{"p01":20,"p50":30,"p99":40}}})";
            return {};
        }));
        auto noted = startWorker({QStringLiteral("--db"), address, QStringLiteral("--model"), imagesOnly, QStringLiteral("--once")});
        QVERIFY(noted->waitForFinished(60000));
        const QString output = QString::fromLocal8Bit(noted->readAll());
        QCOMPARE(noted->exitCode(), 0);
        QVERIFY2(output.contains(QStringLiteral("note: The domain check compares the case's images only")), qPrintable(output));
    }
};

QTEST_GUILESS_MAIN(TestWorkerProcess)
#include "test_workerprocess.moc"
