#include "pgconnection.h"

#include "numbertext.h"
#include "pgdialect.h"
#include "statement.h"

#include <QUrl>

#include <libpq-fe.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

namespace cytodiff::db {

bool isServerUri(const QString &text)
{
    return text.startsWith(QLatin1String("postgresql://")) || text.startsWith(QLatin1String("postgres://"));
}

QString displayUri(const QString &uri)
{
    QUrl url(uri);
    if (!url.isValid())
        return uri;
    url.setPassword(QString());
    return url.toString();
}

namespace {

constexpr Oid kByteaOid = 17;

// Passwords typed at a prompt, for this process only (never written
// anywhere): the window's workers and thumbnail loader open their own
// connections to the same server and must not ask again.
std::mutex g_passwordsMutex;
std::map<QString, QByteArray> g_passwords;

QByteArray rememberedPassword(const QString &uri)
{
    std::lock_guard lock(g_passwordsMutex);
    auto found = g_passwords.find(uri);
    return found == g_passwords.end() ? QByteArray() : found->second;
}

void rememberPassword(const QString &uri, const QByteArray &password)
{
    std::lock_guard lock(g_passwordsMutex);
    if (password.isNull())
        g_passwords.erase(uri);
    else
        g_passwords[uri] = password;
}

// PostgreSQL's SQLSTATE classes that a user can act on, in their words.
std::string describe(const char *sqlState, const std::string &detail)
{
    const std::string state = sqlState ? sqlState : "";
    if (state == "42501")
        return "the laboratory server refused this: your role may not do it (" + detail + ")";
    if (state == "40001" || state == "40P01" || state == "55P03")
        return "the workspace is busy: another station changed the same records at the same time (" + detail
             + "); try again";
    if (state.rfind("08", 0) == 0)
        return "the connection to the laboratory server was lost (" + detail + ")";
    if (state == "53100")
        return "the laboratory server's disk is full (" + detail + ")";
    return detail;
}

std::string trimmed(const char *text)
{
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

class PgStatement final : public StatementBackend {
public:
    PgStatement(PgConnection *connection, std::string sql, int parameterCount)
        : m_connection(connection), m_sql(std::move(sql)), m_values(std::size_t(parameterCount)),
          m_types(std::size_t(parameterCount), 0), m_formats(std::size_t(parameterCount), 0),
          m_null(std::size_t(parameterCount), true)
    {
    }
    ~PgStatement() override { PQclear(m_result); }
    PgStatement(const PgStatement &) = delete;
    PgStatement &operator=(const PgStatement &) = delete;

    // Text and numbers go as untyped text, so the server takes the type
    // the SQL gives them (an integer column, substr's length...), as
    // SQLite's type affinity does; bytes go as binary bytea.
    void bindText(int index, const QString &text) override { set(index, text.toUtf8(), 0, 0); }
    void bindInt(int index, qint64 value) override { set(index, QByteArray::number(value), 0, 0); }
    void bindReal(int index, double value) override
    {
        if (std::isnan(value))
            set(index, "NaN", 0, 0);
        else if (std::isinf(value))
            set(index, value > 0 ? "Infinity" : "-Infinity", 0, 0);
        else
            set(index, QByteArray::number(value, 'g', 17), 0, 0);
    }
    void bindBlob(int index, const QByteArray &bytes) override { set(index, bytes, kByteaOid, 1); }
    void bindNull(int index) override
    {
        if (!valid(index))
            return;
        m_null[std::size_t(index - 1)] = true;
        m_types[std::size_t(index - 1)] = 0;
    }

    Result<bool> step() override
    {
        if (!m_bindError.empty())
            return makeError(m_bindError);
        if (!m_result) {
            if (auto ran = run(); !ran)
                return makeError(ran.error());
        }
        ++m_row;
        return m_row < PQntuples(m_result);
    }

    void reset() override
    {
        PQclear(m_result);
        m_result = nullptr;
        m_row = -1;
        std::fill(m_null.begin(), m_null.end(), true);
        std::fill(m_types.begin(), m_types.end(), 0);
        std::fill(m_formats.begin(), m_formats.end(), 0);
        m_bindError.clear();
    }

    bool isNull(int column) const override { return !m_result || PQgetisnull(m_result, m_row, column); }
    qint64 int64(int column) const override
    {
        if (isNull(column))
            return 0;
        const char *value = PQgetvalue(m_result, m_row, column);
        if (value[0] == 't' || value[0] == 'f') // a boolean expression
            return value[0] == 't' ? 1 : 0;
        return std::strtoll(value, nullptr, 10);
    }
    double real(int column) const override
    {
        if (isNull(column))
            return 0.0;
        // PostgreSQL's text results are in the C notation, "NaN" and "Infinity" included.
        return parseNumber(PQgetvalue(m_result, m_row, column)).value_or(0.0);
    }
    QString text(int column) const override
    {
        if (isNull(column))
            return {};
        return QString::fromUtf8(PQgetvalue(m_result, m_row, column), PQgetlength(m_result, m_row, column));
    }
    QByteArray blob(int column) const override
    {
        if (isNull(column))
            return {};
        const auto *escaped = reinterpret_cast<const unsigned char *>(PQgetvalue(m_result, m_row, column));
        if (PQftype(m_result, column) != kByteaOid) // text read as bytes
            return QByteArray(reinterpret_cast<const char *>(escaped), PQgetlength(m_result, m_row, column));
        size_t length = 0;
        unsigned char *bytes = PQunescapeBytea(escaped, &length);
        if (!bytes)
            return {};
        QByteArray out(reinterpret_cast<const char *>(bytes), qsizetype(length));
        PQfreemem(bytes);
        return out;
    }

private:
    bool valid(int index)
    {
        if (index >= 1 && index <= int(m_values.size()))
            return true;
        if (m_bindError.empty())
            m_bindError = "internal error binding a value: no parameter " + std::to_string(index);
        return false;
    }

    void set(int index, const QByteArray &value, Oid type, int format)
    {
        if (!valid(index))
            return;
        const auto i = std::size_t(index - 1);
        m_values[i] = value;
        m_null[i] = false;
        m_types[i] = type;
        m_formats[i] = format;
    }

    Result<void> run()
    {
        std::string typeKey;
        for (Oid type : m_types)
            typeKey += std::to_string(type) + ',';
        m_connection->ensureConnected();
        auto name = m_connection->preparedName(m_sql, typeKey, int(m_types.size()), m_types.data());
        if (!name)
            return makeError(name.error());
        std::vector<const char *> values(m_values.size());
        std::vector<int> lengths(m_values.size());
        for (std::size_t i = 0; i < m_values.size(); ++i) {
            values[i] = m_null[i] ? nullptr : m_values[i].constData();
            lengths[i] = int(m_values[i].size());
        }
        m_result = PQexecPrepared(m_connection->handle(), name->c_str(), int(values.size()), values.data(),
                                  lengths.data(), m_formats.data(), 0);
        const auto status = PQresultStatus(m_result);
        if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
            m_row = -1;
            return {};
        }
        std::string message = m_connection->errorMessage(m_result);
        PQclear(m_result);
        m_result = nullptr;
        return makeError(std::move(message));
    }

    PgConnection *m_connection;
    std::string m_sql;
    std::vector<QByteArray> m_values;
    std::vector<Oid> m_types;
    std::vector<int> m_formats;
    std::vector<bool> m_null;
    std::string m_bindError;
    PGresult *m_result = nullptr;
    int m_row = -1;
};

} // namespace

Result<void> verifyServerPassword(const QString &uri, const QString &password)
{
    const QByteArray utf8 = uri.toUtf8();
    const QByteArray secret = password.toUtf8();
    // passfile pointing nowhere: ~/.pgpass must not sign for the user.
    const char *keys[] = {"dbname", "password", "passfile", "client_encoding", "application_name", nullptr};
    const char *values[] = {utf8.constData(), secret.constData(), "/dev/null", "UTF8", "CytoDiff signature", nullptr};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    const bool ok = PQstatus(conn) == CONNECTION_OK;
    const bool usedPassword = ok && PQconnectionUsedPassword(conn);
    std::string why = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    if (!ok)
        return makeError(why.find("password") != std::string::npos
                             ? std::string("the password is not right; nothing was signed")
                             : "the signature could not be checked: " + why);
    if (!usedPassword)
        return makeError("the laboratory server does not ask for passwords (pg_hba.conf trust), so it cannot "
                         "confirm a signature; ask its administrator to require scram-sha-256");
    return {};
}

Result<std::unique_ptr<PgConnection>> PgConnection::open(const QString &uri,
                                                        const std::function<QString(const QString &)> &askPassword)
{
    const QUrl url(uri);
    if (!url.password().isEmpty())
        return makeError("do not put the password in the server address: it would be visible in shell history and "
                         "process lists; use ~/.pgpass, PGPASSFILE or the password prompt");
    const QByteArray utf8 = uri.toUtf8();
    // client_encoding: every text crosses as UTF-8, whatever the server's
    // locale; application_name shows up in pg_stat_activity.
    const auto connect = [&](const QByteArray &password) {
        std::vector<const char *> keys = {"dbname", "client_encoding", "application_name"};
        std::vector<const char *> values = {utf8.constData(), "UTF8", "CytoDiff"};
        if (!password.isNull()) {
            keys.push_back("password");
            values.push_back(password.constData());
        }
        keys.push_back(nullptr);
        values.push_back(nullptr);
        return PQconnectdbParams(keys.data(), values.data(), 1);
    };
    const QByteArray remembered = rememberedPassword(uri);
    PGconn *conn = connect(remembered);
    if (PQstatus(conn) != CONNECTION_OK && !remembered.isNull()) {
        rememberPassword(uri, QByteArray()); // changed on the server meanwhile
        PQfinish(conn);
        conn = connect(QByteArray());
    }
    if (PQstatus(conn) != CONNECTION_OK && PQconnectionNeedsPassword(conn) && askPassword) {
        PQfinish(conn);
        const QString password = askPassword(displayUri(uri));
        if (password.isNull())
            return makeError("no password given for " + displayUri(uri).toStdString());
        conn = connect(password.toUtf8());
        if (PQstatus(conn) == CONNECTION_OK)
            rememberPassword(uri, password.toUtf8());
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string why = trimmed(PQerrorMessage(conn));
        const bool needsPassword = PQconnectionNeedsPassword(conn) || PQconnectionUsedPassword(conn);
        PQfinish(conn);
        if (why.find("password authentication failed") != std::string::npos)
            return makeError("the laboratory server refused the user name or password (" + why + ")");
        if (needsPassword)
            return makeError("the laboratory server needs a password (" + why + "); add it to ~/.pgpass or enter it "
                             "when asked");
        return makeError("cannot reach the laboratory server " + displayUri(uri).toStdString() + " (" + why + ")");
    }
    // Notices (e.g. "relation already exists, skipping") are not for users.
    PQsetNoticeProcessor(conn, [](void *, const char *) {}, nullptr);
    return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(m_conn); }

QString PgConnection::user() const { return QString::fromUtf8(PQuser(m_conn)); }

std::string PgConnection::errorMessage(const pg_result *result) const
{
    if (PQstatus(m_conn) != CONNECTION_OK)
        return "the connection to the laboratory server was lost (" + trimmed(PQerrorMessage(m_conn)) + ")";
    if (!result)
        return trimmed(PQerrorMessage(m_conn));
    return describe(PQresultErrorField(result, PG_DIAG_SQLSTATE), trimmed(PQresultErrorMessage(result)));
}

Result<std::string> PgConnection::preparedName(const std::string &sql, const std::string &typeKey, int parameterCount,
                                               const unsigned int *types)
{
    const std::string key = typeKey + '\x1f' + sql;
    if (auto found = m_prepared.find(key); found != m_prepared.end())
        return found->second;
    const std::string name = "cd" + std::to_string(m_prepared.size() + 1);
    PGresult *result = PQprepare(m_conn, name.c_str(), sql.c_str(), parameterCount, types);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
        std::string message = errorMessage(result);
        PQclear(result);
        return makeError(std::move(message));
    }
    PQclear(result);
    m_prepared.emplace(key, name);
    return name;
}

Result<Statement> PgConnection::prepare(std::string_view sql)
{
    int parameters = 0;
    std::string translated = postgresPlaceholders(sql, &parameters);
    return Statement(std::make_unique<PgStatement>(this, std::move(translated), parameters));
}

bool PgConnection::ensureConnected()
{
    if (PQstatus(m_conn) == CONNECTION_OK)
        return true;
    if (m_inTransaction)
        return false; // the transaction fails whole; its ROLLBACK clears this
    PQreset(m_conn);
    if (PQstatus(m_conn) != CONNECTION_OK)
        return false;
    // A new server session: nothing prepared, not listening.
    m_prepared.clear();
    m_listening = false;
    ++m_generation;
    return true;
}

Result<void> PgConnection::execScript(std::string_view sql)
{
    const std::string text(sql);
    const bool begins = text == beginSql();
    const bool ends = text == "COMMIT" || text == "ROLLBACK";
    if (ends)
        m_inTransaction = false; // whatever the server says: a dead session has none
    ensureConnected();
    PGresult *result = PQexec(m_conn, text.c_str());
    const auto status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        PQclear(result);
        if (begins)
            m_inTransaction = true;
        return {};
    }
    std::string message = errorMessage(result);
    PQclear(result);
    return makeError(std::move(message));
}

int PgConnection::takeChangeNotifications()
{
    if (!ensureConnected())
        return 0;
    // Whatever changed while the connection was down was not notified:
    // a reconnection counts as a change.
    int count = m_generation != m_notifiedGeneration ? 1 : 0;
    m_notifiedGeneration = m_generation;
    if (!m_listening) {
        if (!execScript("LISTEN " + std::string(kChangeChannel)))
            return 0;
        m_listening = true;
    }
    PQconsumeInput(m_conn);
    const int self = PQbackendPID(m_conn);
    while (PGnotify *note = PQnotifies(m_conn)) {
        if (note->be_pid != self)
            ++count;
        PQfreemem(note);
    }
    return count;
}

} // namespace cytodiff::db
