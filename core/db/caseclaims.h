#pragma once
// Case claims on a laboratory server (issue 23 item 3): the station that
// opens a case for review claims it; another station that opens it learns
// "being reviewed by <login> since <time>" and shows it read-only. The
// claim is a PostgreSQL advisory lock named after the case, so it ends
// when the first station moves to another case, quits or loses its
// connection: a claim can never be left behind. A workspace file has one
// user at a time (its own file locks), so there every claim succeeds.

#include "result.h"

#include <QDateTime>
#include <QString>

namespace cytodiff::db {

class Database;

struct CaseClaim {
    bool mine = true;  // this connection holds it (or no claims here)
    QString holder;    // the other station's login, when not mine
    QDateTime since;   // when the holder claimed it
};

class CaseClaims {
public:
    explicit CaseClaims(Database &database) : m_db(database) {}
    ~CaseClaims();
    CaseClaims(const CaseClaims &) = delete;
    CaseClaims &operator=(const CaseClaims &) = delete;

    // Claims the case, giving up the claim on the case held before.
    Result<CaseClaim> claim(qint64 caseId);
    // Gives up the claim held (if any).
    void release();
    qint64 claimedCase() const { return m_claimed; }

private:
    Database &m_db;
    qint64 m_claimed = 0;
    int m_generation = 0; // the connection's session when claimed
};

} // namespace cytodiff::db
