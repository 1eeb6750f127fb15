// Not a test: the scale benchmark (issue 8). Generates a synthetic
// workspace and times what the app does with it: opening the workspace
// and listing its cases, reading the largest case's gallery rows,
// and the first gallery page of thumbnails.
//
//   cytodiff-bench-workspace /tmp/100k.cytodiff --generate 100000
//   cytodiff-bench-workspace /tmp/100k.cytodiff          (time only)
#include "reviewstore.h"
#include "database.h"
#include "imageio.h"
#include "syntheticworkspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <cstdio>
#include <ctime>

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

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: cytodiff-bench-workspace FILE [--generate CELLS]\n");
        return 2;
    }
    const QString path = args.at(1);
    const int generate = args.indexOf(QStringLiteral("--generate")) > 0
                             ? args.value(args.indexOf(QStringLiteral("--generate")) + 1).toInt()
                             : 0;
    if (generate > 0) {
        QFile::remove(path);
        QFile::remove(path + QStringLiteral("-wal"));
        QFile::remove(path + QStringLiteral("-shm"));
        // Routine cases of 100 cells, and one large case of a tenth of them.
        const int large = generate / 10;
        QList<int> sizes(qMax(0, (generate - large) / 100), 100);
        sizes.append(generate - large - 100 * int(sizes.size()) + large);
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
    for (const db::CaseRow &row : *cases) {
        cells += row.cellCount;
        if (row.cellCount > largest->cellCount)
            largest = &row;
    }
    std::printf("workspace: %lld cells in %lld cases\n", cells, qlonglong(cases->size()));
    std::printf("open + list cases: %s\n", qPrintable(openTime));

    for (const db::CaseRow *row : {static_cast<const db::CaseRow *>(&cases->first()), largest}) {
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
        std::printf("case of %6d cells: gallery rows %s, first page (%d thumbnails) %s\n", row->cellCount,
                    qPrintable(rowsTime), kPageCells, qPrintable(clock.text()));
    }
    return 0;
}
