#pragma once
// RAII transaction: rolls back on destruction unless commit() succeeded.
// Nested transactions become SAVEPOINTs, so a store method that opens its
// own transaction can also run inside a caller's batch.

#include "result.h"


namespace cytodiff::db {

class Connection;
class Database;

class Transaction {
public:
    // Fails when the workspace is read-only or busy beyond the timeout.
    static Result<Transaction> begin(Database &db);

    Transaction(Transaction &&other) noexcept;
    Transaction &operator=(Transaction &&) = delete;
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    ~Transaction();

    Result<void> commit();
    void rollback();
    bool isActive() const { return m_active; }

private:
    Transaction(Connection *connection, int *depth, int level);

    Connection *m_connection = nullptr; // owned by the Database's state, stable across moves
    int *m_depth = nullptr; // the connection's nesting counter (stable across Database moves)
    int m_level = 0;        // 0: BEGIN/COMMIT, >0: SAVEPOINT tx<level>
    bool m_active = false;
};

} // namespace cytodiff::db
