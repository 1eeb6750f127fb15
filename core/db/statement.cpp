#include "statement.h"

#include <sqlite3.h>

#include <utility>

namespace cytodiff::db {

std::string sqliteErrorMessage(sqlite3 *db, int resultCode)
{
    const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(resultCode);
    switch (resultCode & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "the workspace is busy: another program is writing to it and did not finish in time (" +
               detail + "); try again";
    case SQLITE_READONLY:
        return "the workspace cannot be written (read-only file or folder: " + detail + ")";
    case SQLITE_NOTADB:
        return "not a CytoDiff workspace (" + detail + ")";
    case SQLITE_CORRUPT:
        return "the workspace file is damaged (" + detail + "); restore it from a backup";
    case SQLITE_FULL:
        return "the disk is full (" + detail + ")";
    case SQLITE_CANTOPEN:
        return "cannot open the workspace file (" + detail + ")";
    default:
        return detail;
    }
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)),
      m_stmt(std::exchange(other.m_stmt, nullptr)),
      m_bindError(std::exchange(other.m_bindError, 0))
{
}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_db = std::exchange(other.m_db, nullptr);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_bindError = std::exchange(other.m_bindError, 0);
    }
    return *this;
}

Result<Statement> Statement::prepare(sqlite3 *db, std::string_view sql)
{
    if (!db)
        return makeError("the workspace is not open");
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return makeError(sqliteErrorMessage(db, rc));
    }
    return Statement(db, stmt);
}

void Statement::noteBindResult(int resultCode)
{
    if (resultCode != SQLITE_OK && m_bindError == 0)
        m_bindError = resultCode;
}

Statement &Statement::bind(int index, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    // An empty (non-null) QString must stay '' rather than become NULL.
    noteBindResult(sqlite3_bind_text(m_stmt, index, utf8.isNull() ? "" : utf8.constData(),
                                     static_cast<int>(utf8.size()), SQLITE_TRANSIENT));
    return *this;
}

Statement &Statement::bind(int index, qint64 value)
{
    noteBindResult(sqlite3_bind_int64(m_stmt, index, value));
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    noteBindResult(sqlite3_bind_double(m_stmt, index, value));
    return *this;
}

Statement &Statement::bindBlob(int index, const QByteArray &bytes)
{
    // SQLITE_STATIC: callers keep the QByteArray alive until step(), and
    // image blobs are large enough that a copy would show in import speed.
    noteBindResult(sqlite3_bind_blob64(m_stmt, index, bytes.constData(),
                                       static_cast<sqlite3_uint64>(bytes.size()), SQLITE_STATIC));
    return *this;
}

Statement &Statement::bindNull(int index)
{
    noteBindResult(sqlite3_bind_null(m_stmt, index));
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
    if (!m_stmt)
        return makeError("internal error: stepping an unprepared statement");
    if (m_bindError != 0)
        return makeError("internal error binding a value: " + std::string(sqlite3_errstr(m_bindError)));
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // sqlite3_reset returns the same error; reset so the statement (and its
    // read lock) does not linger in a failed state.
    std::string message = sqliteErrorMessage(m_db, rc);
    sqlite3_reset(m_stmt);
    return makeError(std::move(message));
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
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_bindError = 0;
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

qint64 Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

std::optional<double> Statement::optionalReal(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return real(column);
}

QString Statement::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    if (!data)
        return {};
    return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
}

QByteArray Statement::blob(int column) const
{
    const void *data = sqlite3_column_blob(m_stmt, column);
    const int size = sqlite3_column_bytes(m_stmt, column);
    if (!data || size <= 0)
        return {};
    return QByteArray(static_cast<const char *>(data), size);
}

} // namespace cytodiff::db
