#pragma once
// What a workspace's database engine provides to Database, Statement and
// Transaction: prepared statements and plain scripts. SQLite (a file on
// this machine, the embedded default) and PostgreSQL (a laboratory server,
// issue 23) implement it; everything above speaks the same SQL, written in
// the subset both engines share, with `?` placeholders.

#include "result.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <string>
#include <string_view>

namespace cytodiff::db {

class Statement;

enum class Engine { Sqlite, Postgres };

// One prepared statement of one engine. Bind indexes are 1-based, column
// indexes 0-based; a binding error is reported by the next step().
class StatementBackend {
public:
    virtual ~StatementBackend() = default;
    virtual void bindText(int index, const QString &text) = 0;
    virtual void bindInt(int index, qint64 value) = 0;
    virtual void bindReal(int index, double value) = 0;
    // The bytes must stay alive until the statement has run.
    virtual void bindBlob(int index, const QByteArray &bytes) = 0;
    virtual void bindNull(int index) = 0;
    virtual Result<bool> step() = 0;
    virtual void reset() = 0;
    virtual bool isNull(int column) const = 0;
    virtual qint64 int64(int column) const = 0;
    virtual double real(int column) const = 0;
    virtual QString text(int column) const = 0;
    virtual QByteArray blob(int column) const = 0;
};

class Connection {
public:
    virtual ~Connection() = default;
    virtual Engine engine() const = 0;
    virtual Result<Statement> prepare(std::string_view sql) = 0;
    // One or more statements without parameters or results (DDL, BEGIN).
    virtual Result<void> execScript(std::string_view sql) = 0;
    // How a top-level write transaction starts.
    virtual std::string beginSql() const = 0;
};

} // namespace cytodiff::db
