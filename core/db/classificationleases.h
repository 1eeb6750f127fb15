#pragma once
// Leases of classification workers on cells (issue 23 item 5): which
// worker classifies which cell for which model, until when. Any number of
// workers on any number of machines share a workspace's backlog this way:
// a claim is one INSERT ... SELECT ... ON CONFLICT on the lease table, so
// two workers never hold one cell, and nothing locks the cells that
// reviewers are labelling meanwhile. Statements that lock several leases
// lock them lowest cell first, so workers cannot deadlock each other.

#include "result.h"

#include <QList>
#include <QString>

namespace cytodiff::db {

class Database;

class ClassificationLeases {
public:
    ClassificationLeases(Database &database, QString modelId, QString worker)
        : m_db(database), m_modelId(std::move(modelId)), m_worker(std::move(worker))
    {
    }

    // The case of the next cell (in id order, after the last this worker
    // claimed, then from the start) without a call of the model and
    // without a standing lease; 0 when there is none.
    Result<qint64> nextCase();
    // Leases up to `count` such cells of the case, from that cell on, for
    // `seconds` (lowest ids first) and returns them; taking over expired
    // leases.
    Result<QList<qint64>> claim(qint64 caseId, int count, int seconds);
    // Moves the expiry of every lease this worker holds.
    Result<void> renew(int seconds);
    // Ends this worker's lease on the cell inside the caller's transaction.
    enum class LeaseEnd {
        Store,       // it still stood: store the call, commit
        TakenOver,   // another worker holds the cell now: store nothing, roll back
        AlreadyDone, // the cell got the model's call meanwhile: store nothing, commit (the lease goes)
    };
    Result<LeaseEnd> finish(qint64 cellId);
    // Gives back every lease this worker holds (a clean exit).
    Result<void> releaseAll();
    // Cells of the workspace with no call of the model yet.
    Result<qint64> backlog() const;

    const QString &worker() const { return m_worker; }

private:
    Database &m_db;
    QString m_modelId;
    QString m_worker;
    qint64 m_cursor = 0; // cells up to here were open when last looked at: start after them
};

// When a lease given now for `seconds` ends, as stored (UTC ISO text).
QString leaseExpiry(int seconds);

} // namespace cytodiff::db
