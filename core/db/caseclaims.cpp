#include "caseclaims.h"

#include "database.h"

namespace cytodiff::db {

namespace {

// The advisory lock space of case claims: (key, case id). 'CYDF' keeps it
// apart from other programs' advisory locks on the same server; the
// migration lock uses the one-argument form.
constexpr int kClaimKey = Database::kApplicationId;

} // namespace

CaseClaims::~CaseClaims() { release(); }

void CaseClaims::release()
{
    if (m_claimed == 0 || m_db.engine() != Engine::Postgres)
        return;
    if (auto unlock = m_db.prepare("SELECT pg_advisory_unlock(?, CAST(? AS integer))")) {
        unlock->bind(1, kClaimKey).bind(2, m_claimed);
        (void)unlock->step(); // a lost connection has released it anyway
    }
    m_claimed = 0;
}

Result<CaseClaim> CaseClaims::claim(qint64 caseId)
{
    if (m_db.engine() != Engine::Postgres)
        return CaseClaim{};
    // A reconnection ended the old session and its advisory lock with it.
    if (m_db.sessionGeneration() != m_generation)
        m_claimed = 0;
    if (caseId == m_claimed)
        return CaseClaim{};
    release();
    auto tryLock = m_db.prepare("SELECT pg_try_advisory_lock(?, CAST(? AS integer))");
    if (!tryLock)
        return makeError(tryLock.error());
    tryLock->bind(1, kClaimKey).bind(2, caseId);
    auto locked = tryLock->step();
    if (!locked)
        return makeError(locked.error());
    if (tryLock->int64(0) != 0) {
        m_claimed = caseId;
        m_generation = m_db.sessionGeneration();
        auto note = m_db.prepare("INSERT INTO case_claims (case_id, login, backend, since) "
                                 "VALUES (?, session_user, pg_backend_pid(), ?) ON CONFLICT (case_id) DO UPDATE "
                                 "SET login = excluded.login, backend = excluded.backend, since = excluded.since");
        if (!note)
            return makeError(note.error());
        note->bind(1, caseId).bind(2, nowText());
        // A reader without write rights still holds the claim; only the
        // "since" of the message is missing then.
        (void)note->exec();
        return CaseClaim{};
    }
    // Who holds it: the lock's session, and the time its row gives.
    auto holder = m_db.prepare(
        "SELECT a.usename, c.since, a.backend_start FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "LEFT JOIN case_claims c ON c.case_id = ? AND c.backend = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = CAST(? AS oid) "
        "AND l.objid = CAST(? AS oid) AND l.objsubid = 2 LIMIT 1");
    if (!holder)
        return makeError(holder.error());
    holder->bind(1, caseId).bind(2, kClaimKey).bind(3, caseId);
    auto found = holder->step();
    if (!found)
        return makeError(found.error());
    CaseClaim claim;
    claim.mine = false;
    if (*found) {
        claim.holder = holder->text(0);
        claim.since = holder->isNull(1) ? QDateTime::fromString(holder->text(2), Qt::ISODate)
                                        : fromDbTime(holder->text(1));
    } else {
        claim.holder = QStringLiteral("another station"); // released a moment ago
    }
    return claim;
}

} // namespace cytodiff::db
