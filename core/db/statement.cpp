#include "statement.h"

#include "connection.h"
#include "sqliteconnection.h"

#include <utility>

namespace cytodiff::db {

Statement::Statement() = default;
Statement::Statement(std::unique_ptr<StatementBackend> backend) : m_backend(std::move(backend)) {}
Statement::~Statement() = default;
Statement::Statement(Statement &&other) noexcept = default;
Statement &Statement::operator=(Statement &&other) noexcept = default;

Result<Statement> Statement::prepare(sqlite3 *db, std::string_view sql)
{
    return prepareSqlite(db, sql);
}

Statement &Statement::bind(int index, const QString &text)
{
    m_backend->bindText(index, text);
    return *this;
}

Statement &Statement::bind(int index, qint64 value)
{
    m_backend->bindInt(index, value);
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    m_backend->bindReal(index, value);
    return *this;
}

Statement &Statement::bindBlob(int index, const QByteArray &bytes)
{
    m_backend->bindBlob(index, bytes);
    return *this;
}

Statement &Statement::bindNull(int index)
{
    m_backend->bindNull(index);
    return *this;
}

Statement &Statement::bindOptional(int index, const QString &text)
{
    return text.isNull() ? bindNull(index) : bind(index, text);
}

Statement &Statement::bindOptional(int index, std::optional<double> value)
{
    return value ? bind(index, *value) : bindNull(index);
}

Statement &Statement::bindOptional(int index, std::optional<qint64> value)
{
    return value ? bind(index, *value) : bindNull(index);
}

Result<bool> Statement::step()
{
    if (!m_backend)
        return makeError("internal error: stepping an unprepared statement");
    return m_backend->step();
}

Result<void> Statement::exec()
{
    auto row = step();
    if (!row)
        return makeError(row.error());
    reset();
    return {};
}

Result<qint64> Statement::execReturningId()
{
    auto row = step();
    if (!row)
        return makeError(row.error());
    if (!*row)
        return makeError("internal error: INSERT ... RETURNING returned no row");
    const qint64 id = int64(0);
    auto done = step();
    if (!done)
        return makeError(done.error());
    reset();
    return id;
}

void Statement::reset()
{
    if (m_backend)
        m_backend->reset();
}

bool Statement::isNull(int column) const { return m_backend->isNull(column); }
qint64 Statement::int64(int column) const { return m_backend->int64(column); }
double Statement::real(int column) const { return m_backend->real(column); }
QString Statement::text(int column) const { return m_backend->text(column); }
QByteArray Statement::blob(int column) const { return m_backend->blob(column); }

std::optional<double> Statement::optionalReal(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return real(column);
}

} // namespace cytodiff::db
