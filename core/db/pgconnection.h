#pragma once
// The PostgreSQL engine behind a laboratory workspace (issue 23), through
// libpq. Statements are server-side prepared once per connection and SQL
// text, values travel apart from the SQL (never spliced in), results come
// back as text and are read as the accessors ask.

#include "connection.h"

#include <functional>
#include <map>

struct pg_conn;
struct pg_result;

namespace cytodiff::db {

// True for "postgresql://..." and "postgres://..." (libpq's URI forms).
bool isServerUri(const QString &text);
// The URI as shown to users: any password removed.
QString displayUri(const QString &uri);
// An electronic signature's check (21 CFR 11.200): whether `password` is
// the password of the address's login, by a fresh connection that uses it
// and nothing else (no remembered password, no ~/.pgpass). Meaningful
// only where the server asks for passwords (pg_hba.conf scram-sha-256).
Result<void> verifyServerPassword(const QString &uri, const QString &password);

class PgConnection final : public Connection {
public:
    // Connects to `uri`. The password comes from libpq's own sources
    // (PGPASSWORD, PGPASSFILE or ~/.pgpass) or, when the server asks for
    // one they do not give, from `askPassword` (empty: no prompt). A
    // password inside the URI is refused: it would sit in shell history
    // and process lists.
    static Result<std::unique_ptr<PgConnection>> open(const QString &uri,
                                                     const std::function<QString(const QString &)> &askPassword);
    ~PgConnection() override;
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    Engine engine() const override { return Engine::Postgres; }
    Result<Statement> prepare(std::string_view sql) override;
    Result<void> execScript(std::string_view sql) override;
    std::string beginSql() const override { return "BEGIN"; }

    // The server login this connection runs as.
    QString user() const;
    // Notifications on kChangeChannel from other sessions since the last
    // call (each counts one); this session's own are skipped.
    int takeChangeNotifications();

    pg_conn *handle() const { return m_conn; }
    // A connection the server dropped (restart, network, idle timeout) is
    // opened again before the next statement, outside a transaction only:
    // a statement is never re-sent, and an open transaction fails whole.
    // True when the connection is usable.
    bool ensureConnected();
    // Counts reconnections: what lived on the server session (advisory
    // locks, LISTEN) must be taken again when it changes.
    int generation() const { return m_generation; }
    // The server-side name of a prepared statement for this SQL and these
    // parameter types, preparing it on first use.
    Result<std::string> preparedName(const std::string &sql, const std::string &typeKey, int parameterCount,
                                     const unsigned int *types);
    // A message a user can act on for a failed result (or connection).
    std::string errorMessage(const pg_result *result) const;

private:
    explicit PgConnection(pg_conn *conn) : m_conn(conn) {}

    pg_conn *m_conn = nullptr;
    std::map<std::string, std::string> m_prepared; // sql + types -> statement name
    bool m_listening = false;
    bool m_inTransaction = false; // between our BEGIN and COMMIT/ROLLBACK
    int m_generation = 0;
    int m_notifiedGeneration = 0;
};

} // namespace cytodiff::db
