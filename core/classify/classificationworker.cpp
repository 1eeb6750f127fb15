#include "classificationworker.h"

#include "database.h"
#include "transaction.h"

namespace cytodiff::classify {

WorkerCalls serviceCalls(ClassificationService &service)
{
    WorkerCalls calls;
    calls.modelId = service.modelId();
    calls.secondOpinionModelId = service.secondOpinionModel() ? service.secondOpinionModelId() : QString();
    const bool second = service.secondOpinionModel() != nullptr;
    calls.startCase = [&service](db::Database &database, qint64 caseId) -> Result<void> {
        auto plan = service.planCase(database, caseId);
        if (!plan)
            return makeError(plan.error());
        return {};
    };
    calls.callsOn = [&service, second](const db::Database &database, qint64 cellId, const engine::CancelFn &cancelled) {
        return service.callsOnStoredCell(database, cellId, true, second, cancelled);
    };
    calls.finishCase = [&service](db::Database &database, qint64 caseId) {
        // The banner's verdict; a failure here leaves the calls stored.
        (void)service.checkDomain(database, caseId);
    };
    return calls;
}

ClassificationWorker::ClassificationWorker(db::Database &database, WorkerCalls calls, const QString &workerName,
                                           WorkerOptions options)
    : m_db(database), m_calls(std::move(calls)), m_options(options), m_leases(database, m_calls.modelId, workerName)
{
}

Result<WorkerBatch> ClassificationWorker::runBatch(const engine::CancelFn &cancelled)
{
    WorkerBatch batch;
    Result<qint64> caseId = qint64(0);
    Result<QList<qint64>> cells = QList<qint64>();
    // Another worker may claim the cells found open between the look and
    // the claim: look again rather than report an empty backlog.
    for (int attempt = 0; attempt < 8; ++attempt) {
        caseId = m_leases.nextCase();
        if (!caseId)
            return makeError(caseId.error());
        if (*caseId == 0)
            return batch;
        if (m_startedCase != *caseId && m_calls.startCase) {
            if (auto started = m_calls.startCase(m_db, *caseId); !started)
                return makeError(started.error());
            m_startedCase = *caseId;
        }
        cells = m_leases.claim(*caseId, m_options.batchSize, m_options.leaseSeconds);
        if (!cells)
            return makeError(cells.error());
        if (!cells->isEmpty())
            break;
    }
    batch.caseId = *caseId;
    batch.claimed = int(cells->size());
    for (qint64 cell : *cells) {
        if (cancelled && cancelled())
            break;
        const StoredCellCalls calls = m_calls.callsOn(m_db, cell, cancelled);
        if (calls.cancelled)
            break;
        if (!calls.error.isEmpty()) {
            // Not stored: the lease runs out and the cell is tried again
            // later (by this or another worker), never silently dropped.
            batch.errors.append(QStringLiteral("cell %1: %2").arg(cell).arg(calls.error));
            continue;
        }
        auto stored = store(cell, calls);
        if (!stored)
            return makeError(stored.error());
        ++(*stored ? batch.stored : batch.skipped);
        if (auto renewed = m_leases.renew(m_options.leaseSeconds); !renewed)
            return makeError(renewed.error());
    }
    if (cancelled && cancelled())
        (void)m_leases.releaseAll();
    if (m_calls.finishCase) {
        auto rest = m_leases.nextCase();
        if (rest && *rest != *caseId)
            m_calls.finishCase(m_db, *caseId);
    }
    return batch;
}

Result<bool> ClassificationWorker::store(qint64 cellId, const StoredCellCalls &calls)
{
    // The lease ends and the calls are stored in one transaction: a worker
    // whose lease was taken over stores nothing.
    auto transaction = db::Transaction::begin(m_db);
    if (!transaction)
        return makeError(transaction.error());
    auto end = m_leases.finish(cellId);
    if (!end)
        return makeError(end.error());
    if (*end == db::ClassificationLeases::LeaseEnd::TakenOver)
        return false; // rolls back: the other worker's lease stays
    if (*end == db::ClassificationLeases::LeaseEnd::AlreadyDone) {
        if (auto committed = transaction->commit(); !committed)
            return makeError(committed.error());
        return false;
    }
    const StoredCellOutcome stored =
        storeCellCalls(m_db, cellId, m_calls.modelId, m_calls.secondOpinionModelId, calls);
    if (!stored.error.isEmpty())
        return makeError(stored.error.toStdString()); // rolls back: the lease stands until it expires
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return true;
}

} // namespace cytodiff::classify
