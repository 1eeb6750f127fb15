#pragma once
// The SQLite engine behind a workspace file (the embedded default).

#include "connection.h"

struct sqlite3;

namespace cytodiff::db {

// A statement on a raw handle that someone else keeps open.
Result<Statement> prepareSqlite(sqlite3 *db, std::string_view sql);

class SqliteConnection final : public Connection {
public:
    // Takes ownership of an open handle (closed with sqlite3_close_v2, so a
    // cursor finalised after its Database still cleans up).
    explicit SqliteConnection(sqlite3 *handle) : m_handle(handle) {}
    ~SqliteConnection() override;
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    Engine engine() const override { return Engine::Sqlite; }
    Result<Statement> prepare(std::string_view sql) override;
    Result<void> execScript(std::string_view sql) override;
    // IMMEDIATE takes the write lock now, so a busy workspace fails here
    // after the busy timeout rather than half-way through (in WAL a read
    // transaction that later wants to write cannot wait for the lock).
    std::string beginSql() const override { return "BEGIN IMMEDIATE"; }

    sqlite3 *handle() const { return m_handle; }

private:
    sqlite3 *m_handle = nullptr;
};

} // namespace cytodiff::db
