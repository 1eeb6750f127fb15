#pragma once
// A prepared statement of the workspace's engine (SQLite or PostgreSQL,
// connection.h): bind by 1-based index, step, read columns by 0-based
// index. Only prepared statements reach the database, so no value is ever
// spliced into SQL text.

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace cytodiff::db {

// A message a user can act on for an SQLite result code (busy, read-only,
// not a database, disk full...), with SQLite's own text appended.
std::string sqliteErrorMessage(sqlite3 *db, int resultCode);

class StatementBackend;

class Statement {
public:
    Statement();
    explicit Statement(std::unique_ptr<StatementBackend> backend);
    ~Statement();
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    // An SQLite statement on a raw handle (backups, tests); the workspace's
    // own statements come from Database::prepare, whatever its engine.
    static Result<Statement> prepare(sqlite3 *db, std::string_view sql);

    // Binding errors (a wrong index, out of memory) are remembered and
    // reported by the next step(), so call sites stay one line per value.
    Statement &bind(int index, const QString &text);
    Statement &bind(int index, qint64 value);
    Statement &bind(int index, int value) { return bind(index, static_cast<qint64>(value)); }
    Statement &bind(int index, double value);
    Statement &bindBlob(int index, const QByteArray &bytes);
    Statement &bindNull(int index);
    // Null QString / nullopt bind SQL NULL.
    Statement &bindOptional(int index, const QString &text);
    Statement &bindOptional(int index, std::optional<double> value);
    Statement &bindOptional(int index, std::optional<qint64> value);

    // true: a row is available; false: done.
    Result<bool> step();
    // Runs a statement that returns no rows (INSERT/UPDATE/DDL).
    Result<void> exec();
    // Runs an "INSERT ... RETURNING id" to completion and returns the id.
    // Stepping to the end matters: in autocommit mode the implicit
    // transaction only commits when the statement finishes.
    Result<qint64> execReturningId();
    // Ready to run again with new bindings.
    void reset();

    bool isNull(int column) const;
    qint64 int64(int column) const;
    int int32(int column) const { return static_cast<int>(int64(column)); }
    double real(int column) const;
    std::optional<double> optionalReal(int column) const;
    QString text(int column) const; // NULL -> null QString
    QByteArray blob(int column) const;

    bool isValid() const { return m_backend != nullptr; }

private:
    std::unique_ptr<StatementBackend> m_backend;
};

// Steps a bound statement to its end and reads every row with `read`.
template <typename Row, typename Reader>
Result<QList<Row>> collectRows(Statement &statement, Reader read)
{
    QList<Row> rows;
    for (;;) {
        auto more = statement.step();
        if (!more)
            return makeError(more.error());
        if (!*more)
            return rows;
        rows.append(read(statement));
    }
}

// The first row of a bound statement read with `read`, or the error
// `missing` (a message for the user) when there is none.
template <typename Row, typename Reader>
Result<Row> singleRow(Statement &statement, Reader read, const std::string &missing)
{
    auto more = statement.step();
    if (!more)
        return makeError(more.error());
    if (!*more)
        return makeError(missing);
    return read(statement);
}

} // namespace cytodiff::db
