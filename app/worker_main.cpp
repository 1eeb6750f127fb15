// cytodiff-worker: a headless classification service for a workspace
// (issue 23 item 5). It takes cells without a call of its model from the
// workspace's backlog under leases, classifies them and stores the calls,
// until stopped (SIGTERM, SIGINT) or, with --once, until the backlog is
// empty. Any number of workers on any number of machines may serve one
// laboratory server; a worker that is killed loses nothing.
//
//   cytodiff-worker --db postgresql://worker@lab-server/haematology \
//       --model /usr/share/cytodiff/models/cytodiff-v2-pbc8.pt [--device cuda]

#include "classificationservice.h"
#include "classificationworker.h"
#include "database.h"
#include "engine.h"
#include "numbertext.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QHostInfo>
#include <QThread>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <optional>

using namespace cytodiff;

namespace {

std::atomic<bool> g_stop{false};

void requestStop(int) { g_stop = true; }

// Exit codes: the systemd unit restarts the worker on 1 (a workspace that
// cannot be reached may come back) but not on a fault only an
// administrator can mend (installer/cytodiff-worker@.service).
constexpr int kExitUsage = 2;
constexpr int kExitModel = 3; // a model file that is there cannot be used

void say(const QString &line)
{
    // One line per event; journald adds the time when run as a service.
    std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
    std::fflush(stderr);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    cytodiff::keepCNumberNotation();
    QCoreApplication::setApplicationName(QStringLiteral("cytodiff-worker"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Classifies the cells of a workspace that have no call of the model yet, as a service."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("db"),
         QStringLiteral("The workspace: postgresql://user@host:port/dbname (password from PGPASSFILE or ~/.pgpass) "
                        "or a workspace file."),
         QStringLiteral("workspace")},
        {QStringLiteral("model"), QStringLiteral("The diffusion model file."), QStringLiteral("file")},
        {QStringLiteral("second-opinion"), QStringLiteral("A second model whose calls are stored as second opinions."),
         QStringLiteral("file")},
        {QStringLiteral("device"), QStringLiteral("cpu or cuda."), QStringLiteral("dev"), QStringLiteral("cpu")},
        {QStringLiteral("threads"), QStringLiteral("Intra-op threads (0 = all cores)."), QStringLiteral("T"),
         QStringLiteral("0")},
        {QStringLiteral("batch"), QStringLiteral("Cells claimed at a time (default 16)."), QStringLiteral("N"),
         QStringLiteral("16")},
        {QStringLiteral("lease-seconds"),
         QStringLiteral("How long a claim stands without renewal (default 120); a killed worker's cells go to "
                        "another after this."),
         QStringLiteral("S"), QStringLiteral("120")},
        {QStringLiteral("idle-seconds"), QStringLiteral("Wait between looks at an empty backlog (default 5)."),
         QStringLiteral("S"), QStringLiteral("5")},
        {QStringLiteral("name"), QStringLiteral("This worker's name in the leases (default host:pid)."),
         QStringLiteral("name")},
        {QStringLiteral("once"),
         QStringLiteral("Exit once every cell has a call of the model instead of waiting for more.")},
    });
    parser.process(app);
    if (!parser.isSet(QStringLiteral("db")) || !parser.isSet(QStringLiteral("model"))) {
        say(QStringLiteral("usage: cytodiff-worker --db WORKSPACE --model MODEL [--second-opinion M] [--device cuda] "
                           "[--once]"));
        return kExitUsage;
    }
    bool ok = true;
    classify::WorkerOptions options;
    options.batchSize = parser.value(QStringLiteral("batch")).toInt(&ok);
    if (!ok || options.batchSize < 1)
        return say(QStringLiteral("--batch must be a positive number")), kExitUsage;
    options.leaseSeconds = parser.value(QStringLiteral("lease-seconds")).toInt(&ok);
    if (!ok || options.leaseSeconds < 5)
        return say(QStringLiteral("--lease-seconds must be at least 5")), kExitUsage;
    const int idleSeconds = std::max(1, parser.value(QStringLiteral("idle-seconds")).toInt());
    const QString name = parser.isSet(QStringLiteral("name"))
                             ? parser.value(QStringLiteral("name"))
                             : QStringLiteral("%1:%2").arg(QHostInfo::localHostName()).arg(QCoreApplication::applicationPid());

    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    const std::string device = parser.value(QStringLiteral("device")).toStdString();
    // A file not there yet (a share mounted late) or a GPU not ready at boot
    // may come back: exit 1, restarted; a file that is there and cannot be
    // used will not mend itself.
    const auto loadFailure = [&](const QString &path) {
        return QFileInfo(path).isReadable() && device == "cpu" ? kExitModel : 1;
    };
    const QString modelPath = parser.value(QStringLiteral("model"));
    auto model = engine::Model::load(modelPath.toStdString(), device);
    if (!model)
        return say(QStringLiteral("cannot load the model: %1").arg(QString::fromStdString(model.error()))),
               loadFailure(modelPath);
    std::optional<engine::Model> second;
    if (parser.isSet(QStringLiteral("second-opinion"))) {
        const QString secondPath = parser.value(QStringLiteral("second-opinion"));
        auto loaded = engine::Model::load(secondPath.toStdString(), device);
        if (!loaded)
            return say(QStringLiteral("cannot load the second-opinion model: %1")
                           .arg(QString::fromStdString(loaded.error()))),
                   loadFailure(secondPath);
        if (loaded->card().classNames != model->card().classNames)
            return say(QStringLiteral("the second-opinion model knows other classes than the model")), kExitModel;
        second = std::move(*loaded);
    }
    classify::ClassificationService service(&*model, second ? &*second : nullptr);
    // A damaged profile fails every call: a service would log every cell
    // of every case as failed and retry it forever. Said before the
    // workspace is opened, which may be down for a while.
    if (auto damaged = service.profileError())
        return say(QStringLiteral("cannot classify with %1: %2").arg(service.modelId(), QString::fromStdString(*damaged))),
               kExitModel;
    for (const std::string &notice : {service.profileNotice(), service.domainCheckNotice()})
        if (!notice.empty())
            say(QStringLiteral("%1: note: %2").arg(name, QString::fromStdString(notice)));

    auto database = db::Database::open(parser.value(QStringLiteral("db")));
    if (!database)
        return say(QStringLiteral("cannot open the workspace: %1").arg(QString::fromStdString(database.error()))), 1;
    if (database->isReadOnly())
        return say(QStringLiteral("the workspace is read-only: %1").arg(database->readOnlyReason())), 1;

    classify::ClassificationWorker worker(*database, classify::serviceCalls(service), name, options);
    std::signal(SIGTERM, requestStop);
    std::signal(SIGINT, requestStop);
    say(QStringLiteral("%1: classifying with %2 on %3").arg(name, service.modelId(), database->path()));

    const auto stopping = [] { return g_stop.load(); };
    qint64 stored = 0;
    int failuresInARow = 0;
    while (!g_stop) {
        auto batch = worker.runBatch(stopping);
        if (!batch) {
            // A lost connection or a busy server: say so, wait, try again;
            // the leases of this batch run out and nothing is lost.
            say(QStringLiteral("%1: %2").arg(name, QString::fromStdString(batch.error())));
            if (++failuresInARow >= 10)
                return say(QStringLiteral("%1: giving up after 10 failures in a row").arg(name)), 1;
            QThread::sleep(unsigned(idleSeconds));
            // The worker holds the Database object, whose connection is
            // replaced in place.
            if (auto reopened = db::Database::open(parser.value(QStringLiteral("db"))))
                *database = std::move(*reopened);
            continue;
        }
        failuresInARow = 0;
        for (const QString &problem : batch->errors)
            say(QStringLiteral("%1: %2").arg(name, problem));
        if (batch->claimed > 0) {
            stored += batch->stored;
            say(QStringLiteral("%1: case %2: %3 stored, %4 taken over by another worker (%5 in all)")
                    .arg(name)
                    .arg(batch->caseId)
                    .arg(batch->stored)
                    .arg(batch->skipped)
                    .arg(stored));
            continue;
        }
        if (parser.isSet(QStringLiteral("once"))) {
            // Done when no cell lacks a call; cells still leased by another
            // (perhaps dead) worker are waited for until their leases end.
            auto left = worker.backlog();
            if (left && *left == 0)
                break;
        }
        for (int s = 0; s < idleSeconds * 10 && !g_stop; ++s)
            QThread::msleep(100);
    }
    if (auto released = worker.stop(); !released)
        say(QStringLiteral("%1: leases not given back (they expire): %2")
                .arg(name, QString::fromStdString(released.error())));
    say(QStringLiteral("%1: stopped after %2 calls").arg(name).arg(stored));
    return 0;
}
