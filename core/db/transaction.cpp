#include "transaction.h"

#include "connection.h"
#include "database.h"
#include "statement.h"

#include <string>
#include <utility>

namespace cytodiff::db {
namespace {

Result<void> run(Connection *connection, const std::string &sql)
{
    if (!connection)
        return makeError("the workspace is not open");
    return connection->execScript(sql);
}

std::string savepointName(int level)
{
    return "tx" + std::to_string(level);
}

} // namespace

Transaction::Transaction(Connection *connection, int *depth, int level)
    : m_connection(connection), m_depth(depth), m_level(level), m_active(true)
{
}

Transaction::Transaction(Transaction &&other) noexcept
    : m_connection(std::exchange(other.m_connection, nullptr)),
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
    // SAVEPOINT/RELEASE are standard SQL; how the outer one begins is the
    // engine's (SQLite takes its write lock at once).
    Connection *connection = db.connection();
    const std::string sql = level == 0 ? (connection ? connection->beginSql() : std::string())
                                       : "SAVEPOINT " + savepointName(level);
    if (auto begun = run(connection, sql); !begun)
        return makeError("cannot start a change: " + begun.error());
    ++depth;
    return Transaction(connection, &depth, level);
}

Result<void> Transaction::commit()
{
    if (!m_active)
        return makeError("internal error: committing a finished transaction");
    const std::string sql = m_level == 0 ? std::string("COMMIT") : "RELEASE " + savepointName(m_level);
    if (auto committed = run(m_connection, sql); !committed) {
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
        run(m_connection, "ROLLBACK");
    } else {
        const std::string name = savepointName(m_level);
        run(m_connection, "ROLLBACK TO " + name + "; RELEASE " + name);
    }
}

} // namespace cytodiff::db
