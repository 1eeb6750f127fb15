#pragma once
// A classification worker (issue 23 item 5): takes cells that have no call
// of its model from the workspace's backlog, whichever case they are in,
// under leases (db/classificationleases.h), classifies them and stores the
// calls. Any number of workers, in this process or on other machines,
// share one workspace; a worker that dies loses nothing (its leases
// expire and another takes the cells), and no cell gets two calls of one
// model from workers. `cytodiff-worker` runs one as a service.

#include "classificationleases.h"
#include "classificationservice.h"

#include <functional>

namespace cytodiff::classify {

struct WorkerOptions {
    int batchSize = 16;    // cells claimed at a time
    int leaseSeconds = 120; // renewed after every cell
};

// How a worker gets its calls: the service's models, or (tests and the
// workspace benchmark, which measure the database) a stub.
struct WorkerCalls {
    QString modelId;
    QString secondOpinionModelId; // empty: no second opinion
    // Before the first cell of a case (the service fits the case's
    // normalisation here).
    std::function<Result<void>(db::Database &, qint64 caseId)> startCase;
    std::function<StoredCellCalls(const db::Database &, qint64 cellId, const engine::CancelFn &)> callsOn;
    // After a batch that finished a case (the service's domain check).
    std::function<void(db::Database &, qint64 caseId)> finishCase;
};

// The calls of a classification service (borrowed, the caller's thread).
WorkerCalls serviceCalls(ClassificationService &service);

struct WorkerBatch {
    qint64 caseId = 0;
    int claimed = 0;
    int stored = 0;   // calls stored
    int skipped = 0;  // taken over by another worker meanwhile, or called already
    QStringList errors;
};

class ClassificationWorker {
public:
    ClassificationWorker(db::Database &database, WorkerCalls calls, const QString &workerName,
                         WorkerOptions options = {});

    // One batch from the backlog; claimed == 0 when there is nothing to do.
    // Cancelling stops between cells and gives the rest of the batch back.
    Result<WorkerBatch> runBatch(const engine::CancelFn &cancelled = {});
    // Gives back every lease (a clean stop).
    Result<void> stop() { return m_leases.releaseAll(); }
    Result<qint64> backlog() const { return m_leases.backlog(); }

private:
    Result<bool> store(qint64 cellId, const StoredCellCalls &calls);

    db::Database &m_db;
    WorkerCalls m_calls;
    WorkerOptions m_options;
    db::ClassificationLeases m_leases;
    qint64 m_startedCase = 0;
};

} // namespace cytodiff::classify
