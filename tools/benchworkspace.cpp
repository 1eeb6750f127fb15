// Not a test: the scale benchmark (issues 8 and 23). Generates a synthetic
// workspace and times what the app does with it: opening the workspace
// and listing its cases, reading a case's gallery and review-queue rows
// (a routine case, one of 500 cells, the largest), the first gallery page
// of thumbnails, and with --workers the rate at which that many
// classification workers store calls (a stub model: the database is
// measured, not the network). A workspace file or a laboratory server
// (an empty database for --generate).
//
//   cytodiff-bench-workspace /tmp/100k.cytodiff --generate 100000 [--workers 3 --worker-cells 3000]
//   cytodiff-bench-workspace 'postgresql:///bench?host=/tmp' --generate 100000 --workers 3
//   cytodiff-bench-workspace /tmp/100k.cytodiff          (time only)
#include "classificationworker.h"
#include "database.h"
#include "pgconnection.h"
#include "reviewstore.h"
#include "imageio.h"
#include "syntheticworkspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <thread>

using namespace cytodiff;

namespace {

constexpr int kPageCells = 60; // thumbnails visible at once in a maximised gallery

double ms(const QElapsedTimer &timer) { return timer.nsecsElapsed() / 1e6; }

// Process CPU time as well as wall time: on a shared machine the wall time
// mostly measures the other jobs.
struct Clock {
    QElapsedTimer wall;
    std::clock_t cpu = 0;
    void restart()
    {
        wall.restart();
        cpu = std::clock();
    }
    QString text() const
    {
        return QStringLiteral("%1 ms (CPU %2 ms)")
            .arg(ms(wall), 7, 'f', 1)
            .arg(double(std::clock() - cpu) * 1000.0 / CLOCKS_PER_SEC, 6, 'f', 1);
    }
};

int optionValue(const QStringList &args, const QString &name, int fallback)
{
    const int at = args.indexOf(name);
    return at > 0 ? args.value(at + 1).toInt() : fallback;
}

// `workers` workers, each on its own connection, with a stub model that
// calls a cell instantly; stops once `cells` calls are stored in all.
int benchWorkers(const QString &address, int workers, int cells)
{
    std::atomic<int> stored{0};
    std::atomic<bool> failed{false};
    QElapsedTimer timer;
    timer.start();
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w)
        threads.emplace_back([&, w] {
            auto database = db::Database::open(address);
            if (!database) {
                std::fprintf(stderr, "%s\n", database.error().c_str());
                failed = true;
                return;
            }
            classify::WorkerCalls stub;
            stub.modelId = QStringLiteral("bench-stub@000000000000");
            stub.callsOn = [](const db::Database &, qint64 cellId, const engine::CancelFn &) {
                classify::StoredCellCalls calls;
                classify::CellCall call;
                call.predictedClass = testing::kSyntheticClasses.at(int(cellId % testing::kSyntheticClasses.size()));
                call.confidence = 0.9;
                call.result.nfe = 1;
                calls.prediction = call;
                return calls;
            };
            classify::ClassificationWorker worker(*database, stub, QStringLiteral("bench-%1").arg(w), {32, 60});
            const auto enough = [&] { return stored.load() >= cells; };
            while (!enough() && !failed) {
                auto batch = worker.runBatch(enough);
                if (!batch) {
                    std::fprintf(stderr, "%s\n", batch.error().c_str());
                    failed = true;
                    return;
                }
                if (batch->claimed == 0)
                    break;
                stored += batch->stored;
            }
            (void)worker.stop();
        });
    for (auto &thread : threads)
        thread.join();
    if (failed)
        return 1;
    const double seconds = ms(timer) / 1000.0;
    std::printf("%d workers (stub model) stored %d calls in %.2f s: %.0f cells/s\n", workers, stored.load(), seconds,
                stored.load() / seconds);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: cytodiff-bench-workspace FILE|SERVER [--generate CELLS] [--workers N "
                             "[--worker-cells M]]\n");
        return 2;
    }
    const QString path = args.at(1);
    const int generate = optionValue(args, QStringLiteral("--generate"), 0);
    const int workers = optionValue(args, QStringLiteral("--workers"), 0);
    const int workerCells = optionValue(args, QStringLiteral("--worker-cells"), 3000);
    if (generate > 0) {
        if (!db::isServerUri(path)) {
            QFile::remove(path);
            QFile::remove(path + QStringLiteral("-wal"));
            QFile::remove(path + QStringLiteral("-shm"));
        }
        // Routine cases of 100 cells, one of 500 (a busy day's film), and
        // one large case of a tenth of them.
        const int large = generate / 10;
        QList<int> sizes(qMax(0, (generate - large - 500) / 100), 100);
        sizes.append(500);
        sizes.append(generate - large - 500 - 100 * int(sizes.size() - 1) + large);
        QElapsedTimer timer;
        timer.start();
        auto database = db::Database::open(path);
        if (!database) {
            std::fprintf(stderr, "%s\n", database.error().c_str());
            return 1;
        }
        if (auto filled = testing::fillSyntheticWorkspace(*database, sizes); !filled) {
            std::fprintf(stderr, "%s\n", filled.error().c_str());
            return 1;
        }
        std::printf("generated %d cells in %lld cases: %.0f ms\n", generate, qlonglong(sizes.size()), ms(timer));
    }

    Clock clock;
    clock.wall.start();
    clock.restart();
    auto database = db::Database::open(path);
    if (!database) {
        std::fprintf(stderr, "%s\n", database.error().c_str());
        return 1;
    }
    auto cases = database->listCases();
    if (!cases || cases->isEmpty()) {
        std::fprintf(stderr, "no cases: %s\n", cases ? "" : cases.error().c_str());
        return 1;
    }
    const QString openTime = clock.text();
    qint64 cells = 0;
    const db::CaseRow *largest = &cases->first();
    const db::CaseRow *film = nullptr; // the 500-cell case, if any
    for (const db::CaseRow &row : *cases) {
        cells += row.cellCount;
        if (row.cellCount > largest->cellCount)
            largest = &row;
        if (row.cellCount == 500)
            film = &row;
    }
    std::printf("workspace: %lld cells in %lld cases\n", cells, qlonglong(cases->size()));
    std::printf("open + list cases: %s\n", qPrintable(openTime));

    QList<const db::CaseRow *> timed = {&cases->first()};
    if (film)
        timed.append(film);
    timed.append(largest);
    for (const db::CaseRow *row : timed) {
        // What CellGalleryModel::loadCase reads: the rows and the reviewed set.
        clock.restart();
        auto rows = database->cellsOfCase(row->id);
        auto reviewed = review::ReviewStore::reviewedCells(*database, row->id);
        if (!rows || !reviewed) {
            std::fprintf(stderr, "%s\n", rows ? reviewed.error().c_str() : rows.error().c_str());
            return 1;
        }
        const QString rowsTime = clock.text();
        clock.restart();
        for (int i = 0; i < qMin(kPageCells, int(rows->size())); ++i) {
            const qint64 cellId = rows->at(i).id;
            auto bytes = database->cellImage(cellId);
            if (!bytes || !imaging::decodeRgb(std::string_view(bytes->constData(), std::size_t(bytes->size())))) {
                std::fprintf(stderr, "cell %lld does not decode\n", cellId);
                return 1;
            }
        }
        std::printf("case of %6d cells: gallery and review-queue rows %s, first page (%d thumbnails) %s\n",
                    row->cellCount, qPrintable(rowsTime), kPageCells, qPrintable(clock.text()));
    }
    if (workers > 0)
        return benchWorkers(path, workers, workerCells);
    return 0;
}
