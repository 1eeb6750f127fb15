#include "classificationleases.h"

#include "database.h"

#include <QDateTime>

#include <algorithm>

namespace cytodiff::db {

QString leaseExpiry(int seconds)
{
    return QDateTime::currentDateTimeUtc().addMSecs(qint64(seconds) * 1000).toString(Qt::ISODateWithMs);
}

namespace {

// A cell still owed a call of the model, not leased by anyone now.
constexpr std::string_view kOpenCell =
    "NOT EXISTS (SELECT 1 FROM predictions p WHERE p.cell_id = c.id AND p.model_id = ?1) "
    "AND NOT EXISTS (SELECT 1 FROM classification_leases l WHERE l.cell_id = c.id AND l.model_id = ?1 "
    "AND l.expires_at > ?2)";

// This worker's lease rows, lowest cell first and, on a server, locked in
// that order. Every statement that locks several lease rows takes them
// lowest id first (a claim inserts in id order, and locks the standing
// leases it meets in that order too), so two of them never wait on each
// other in a cycle: an unordered UPDATE renewing a worker's leases while
// another worker's claim met them was a deadlock, which PostgreSQL breaks
// by failing one of the two. SQLite has one writer at a time.
std::string ownLeasesInOrder(Engine engine, int workerParam, int modelParam)
{
    return "SELECT cell_id FROM classification_leases WHERE worker = ?" + std::to_string(workerParam)
         + " AND model_id = ?" + std::to_string(modelParam) + " ORDER BY cell_id"
         + (engine == Engine::Postgres ? " FOR UPDATE" : "");
}

} // namespace

Result<qint64> ClassificationLeases::nextCase()
{
    // The first open cell after the last one this worker claimed, in id
    // order (an index walk that stops at the first hit, instead of an
    // anti-join over the whole workspace); from the start again when
    // nothing follows, which also finds cells whose leases ran out.
    auto query = m_db.prepare("SELECT c.id, c.case_id FROM cells c WHERE c.id > ?3 AND " + std::string(kOpenCell)
                              + " ORDER BY c.id LIMIT 1");
    if (!query)
        return makeError(query.error());
    for (const qint64 from : {m_cursor, qint64(0)}) {
        query->bind(1, m_modelId).bind(2, nowText()).bind(3, from);
        auto row = query->step();
        if (!row)
            return makeError(row.error());
        if (*row) {
            m_cursor = query->int64(0) - 1;
            return query->int64(1);
        }
        query->reset();
        if (from == 0)
            break;
    }
    m_cursor = 0;
    return qint64(0);
}

Result<QList<qint64>> ClassificationLeases::claim(qint64 caseId, int count, int seconds)
{
    // One statement takes the leases: a cell that two workers reach at
    // once is inserted by one; the other waits on the key, then finds a
    // standing lease and leaves it (the DO UPDATE only takes over expired
    // ones). Nothing locks the cells themselves, so storing calls and
    // reviewers' labels never wait for a claim; ids ascend, so two claims
    // wait on each other in one order only.
    auto claim = m_db.prepare("INSERT INTO classification_leases (cell_id, model_id, worker, expires_at) "
                              "SELECT c.id, ?1, ?5, ?6 FROM cells c WHERE c.case_id = ?3 AND c.id > ?7 AND "
                              + std::string(kOpenCell) + " ORDER BY c.id LIMIT ?4 "
                              "ON CONFLICT (cell_id, model_id) DO UPDATE "
                              "SET worker = excluded.worker, expires_at = excluded.expires_at "
                              "WHERE classification_leases.expires_at <= ?2 "
                              "RETURNING cell_id");
    if (!claim)
        return makeError(claim.error());
    claim->bind(1, m_modelId).bind(2, nowText()).bind(3, caseId).bind(4, count).bind(5, m_worker)
        .bind(6, leaseExpiry(seconds)).bind(7, m_cursor);
    auto cells = collectRows<qint64>(*claim, [](const Statement &s) { return s.int64(0); });
    if (!cells)
        return makeError(cells.error());
    std::sort(cells->begin(), cells->end());
    if (!cells->isEmpty())
        m_cursor = cells->last();
    return *cells;
}

Result<void> ClassificationLeases::renew(int seconds)
{
    auto update = m_db.prepare("UPDATE classification_leases SET expires_at = ?1 WHERE model_id = ?3 AND cell_id IN ("
                               + ownLeasesInOrder(m_db.engine(), 2, 3) + ")");
    if (!update)
        return makeError(update.error());
    update->bind(1, leaseExpiry(seconds)).bind(2, m_worker).bind(3, m_modelId);
    return update->exec();
}

Result<ClassificationLeases::LeaseEnd> ClassificationLeases::finish(qint64 cellId)
{
    // Deleting our own row is the test: a worker that took the cell over
    // has rewritten it with its name.
    auto remove = m_db.prepare("DELETE FROM classification_leases WHERE cell_id = ? AND model_id = ? AND worker = ? "
                               "RETURNING cell_id");
    if (!remove)
        return makeError(remove.error());
    remove->bind(1, cellId).bind(2, m_modelId).bind(3, m_worker);
    auto ours = remove->step();
    if (!ours)
        return makeError(ours.error());
    const bool held = *ours;
    remove->reset();
    if (!held)
        return LeaseEnd::TakenOver;
    auto called = m_db.prepare("SELECT COUNT(*) FROM predictions WHERE cell_id = ? AND model_id = ?");
    if (!called)
        return makeError(called.error());
    called->bind(1, cellId).bind(2, m_modelId);
    auto row = called->step();
    if (!row)
        return makeError(row.error());
    // A claim that raced with another worker's store can lease a cell whose
    // call was committed a moment later.
    return called->int64(0) == 0 ? LeaseEnd::Store : LeaseEnd::AlreadyDone;
}

Result<void> ClassificationLeases::releaseAll()
{
    auto remove = m_db.prepare("DELETE FROM classification_leases WHERE model_id = ?2 AND cell_id IN ("
                               + ownLeasesInOrder(m_db.engine(), 1, 2) + ")");
    if (!remove)
        return makeError(remove.error());
    remove->bind(1, m_worker).bind(2, m_modelId);
    return remove->exec();
}

Result<qint64> ClassificationLeases::backlog() const
{
    auto query = m_db.prepare("SELECT COUNT(*) FROM cells c WHERE NOT EXISTS "
                              "(SELECT 1 FROM predictions p WHERE p.cell_id = c.id AND p.model_id = ?)");
    if (!query)
        return makeError(query.error());
    query->bind(1, m_modelId);
    auto row = query->step();
    if (!row)
        return makeError(row.error());
    return query->int64(0);
}

} // namespace cytodiff::db
