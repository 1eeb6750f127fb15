#include "transaction.h"

#include "database.h"
#include "statement.h"

#include <sqlite3.h>

#include <string>
#include <utility>

namespace cytodiff::db {
namespace {

Result<void> run(sqlite3 *handle, const std::string &sql)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK)
        return {};
    sqlite3_free(message);
    return makeError(sqliteErrorMessage(handle, rc));
}

std::string savepointName(int level)
{
    return "tx" + std::to_string(level);
}

} // namespace

Transaction::Transaction(sqlite3 *handle, int *depth, int level)
    : m_handle(handle), m_depth(depth), m_level(level), m_active(true)
{
}

Transaction::Transaction(Transaction &&other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr)),
      m_depth(std::exchange(other.m_depth, nullptr)),
      m_level(other.m_level),
      m_active(std::exchange(other.m_active, false))
{
}

Transaction::~Transaction()
{
    rollback();
}

Result<Transaction> Transaction::begin(Database &db)
{
    if (auto writable = db.ensureWritable(); !writable)
        return makeError(writable.error());
    int &depth = db.transactionDepth();
    const int level = depth;
    // IMMEDIATE takes the write lock now, so a busy workspace fails here
    // after the busy timeout rather than half-way through (in WAL a read
    // transaction that later wants to write cannot wait for the lock).
    // PostgreSQL: plain BEGIN. SAVEPOINT/RELEASE are standard SQL.
    const std::string sql = level == 0 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT " + savepointName(level);
    if (auto begun = run(db.handle(), sql); !begun)
        return makeError("cannot start a change: " + begun.error());
    ++depth;
    return Transaction(db.handle(), &depth, level);
}

Result<void> Transaction::commit()
{
    if (!m_active)
        return makeError("internal error: committing a finished transaction");
    const std::string sql = m_level == 0 ? std::string("COMMIT") : "RELEASE " + savepointName(m_level);
    if (auto committed = run(m_handle, sql); !committed) {
        rollback();
        return makeError("cannot save the change: " + committed.error());
    }
    m_active = false;
    --*m_depth;
    return {};
}

void Transaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    --*m_depth;
    if (m_level == 0) {
        // Fails harmlessly if SQLite already rolled back (e.g. after a
        // disk-full error); nothing else can be done in a destructor.
        run(m_handle, "ROLLBACK");
    } else {
        const std::string name = savepointName(m_level);
        run(m_handle, "ROLLBACK TO " + name + "; RELEASE " + name);
    }
}

} // namespace cytodiff::db
