#include "sqliteconnection.h"

#include "statement.h"

#include <sqlite3.h>

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

namespace {

class SqliteStatement final : public StatementBackend {
public:
    SqliteStatement(sqlite3 *db, sqlite3_stmt *stmt) : m_db(db), m_stmt(stmt) {}
    ~SqliteStatement() override { sqlite3_finalize(m_stmt); }
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    void bindText(int index, const QString &text) override
    {
        const QByteArray utf8 = text.toUtf8();
        // An empty (non-null) QString must stay '' rather than become NULL.
        note(sqlite3_bind_text(m_stmt, index, utf8.isNull() ? "" : utf8.constData(), static_cast<int>(utf8.size()),
                               SQLITE_TRANSIENT));
    }
    void bindInt(int index, qint64 value) override { note(sqlite3_bind_int64(m_stmt, index, value)); }
    void bindReal(int index, double value) override { note(sqlite3_bind_double(m_stmt, index, value)); }
    void bindBlob(int index, const QByteArray &bytes) override
    {
        // SQLITE_STATIC: callers keep the QByteArray alive until step(), and
        // image blobs are large enough that a copy would show in import speed.
        note(sqlite3_bind_blob64(m_stmt, index, bytes.constData(), static_cast<sqlite3_uint64>(bytes.size()),
                                 SQLITE_STATIC));
    }
    void bindNull(int index) override { note(sqlite3_bind_null(m_stmt, index)); }

    Result<bool> step() override
    {
        if (m_bindError != 0)
            return makeError("internal error binding a value: " + std::string(sqlite3_errstr(m_bindError)));
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        // sqlite3_reset returns the same error; reset so the statement (and
        // its read lock) does not linger in a failed state.
        std::string message = sqliteErrorMessage(m_db, rc);
        sqlite3_reset(m_stmt);
        return makeError(std::move(message));
    }

    void reset() override
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
        m_bindError = 0;
    }

    bool isNull(int column) const override { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
    qint64 int64(int column) const override { return sqlite3_column_int64(m_stmt, column); }
    double real(int column) const override { return sqlite3_column_double(m_stmt, column); }
    QString text(int column) const override
    {
        const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
        if (!data)
            return {};
        return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
    }
    QByteArray blob(int column) const override
    {
        const void *data = sqlite3_column_blob(m_stmt, column);
        const int size = sqlite3_column_bytes(m_stmt, column);
        if (!data || size <= 0)
            return {};
        return QByteArray(static_cast<const char *>(data), size);
    }

private:
    void note(int resultCode)
    {
        if (resultCode != SQLITE_OK && m_bindError == 0)
            m_bindError = resultCode;
    }

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    int m_bindError = 0; // first failing sqlite3_bind_* result, 0 if none
};

} // namespace

Result<Statement> prepareSqlite(sqlite3 *db, std::string_view sql)
{
    if (!db)
        return makeError("the workspace is not open");
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return makeError(sqliteErrorMessage(db, rc));
    }
    return Statement(std::make_unique<SqliteStatement>(db, stmt));
}

SqliteConnection::~SqliteConnection() { sqlite3_close_v2(m_handle); }

Result<Statement> SqliteConnection::prepare(std::string_view sql) { return prepareSqlite(m_handle, sql); }

Result<void> SqliteConnection::execScript(std::string_view sql)
{
    if (!m_handle)
        return makeError("the workspace is not open");
    char *message = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(m_handle, text.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK)
        return {};
    std::string why = message ? std::string(message) : sqliteErrorMessage(m_handle, rc);
    sqlite3_free(message);
    const int primary = rc & 0xFF;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL || primary == SQLITE_READONLY)
        why = sqliteErrorMessage(m_handle, rc);
    return makeError(why);
}

} // namespace cytodiff::db
