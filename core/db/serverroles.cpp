#include "serverroles.h"

#include "database.h"
#include "transaction.h"

namespace cytodiff::db {

namespace {

constexpr std::string_view kGroups = R"sql(
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cytodiff_technologist') THEN
        CREATE ROLE cytodiff_technologist NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cytodiff_haematologist') THEN
        CREATE ROLE cytodiff_haematologist NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cytodiff_administrator') THEN
        CREATE ROLE cytodiff_administrator NOLOGIN;
    END IF;
END
$$;
)sql";

// What each role may touch. The audit log is append-only for everyone (a
// trigger since migration 1); rows are deleted only where the application
// replaces them (a case's domain check, a worker's leases).
constexpr std::string_view kGrants = R"sql(
GRANT cytodiff_technologist TO cytodiff_haematologist;
GRANT cytodiff_haematologist TO cytodiff_administrator;
GRANT USAGE ON SCHEMA public TO cytodiff_technologist;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO cytodiff_technologist;
REVOKE UPDATE ON audit_log, cytodiff_workspace FROM cytodiff_technologist;
REVOKE INSERT ON cytodiff_workspace FROM cytodiff_technologist;
GRANT DELETE ON case_domain_checks, classification_leases TO cytodiff_technologist;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO cytodiff_technologist;
GRANT ALL ON ALL TABLES IN SCHEMA public TO cytodiff_administrator;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO cytodiff_administrator;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE ON TABLES TO cytodiff_technologist;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO cytodiff_technologist;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO cytodiff_administrator;
)sql";

constexpr std::string_view kGuards = R"sql(
CREATE OR REPLACE FUNCTION cytodiff_may_sign() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(session_user, 'cytodiff_haematologist', 'MEMBER')
$$;
CREATE OR REPLACE FUNCTION cytodiff_guard_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'signed' AND NEW.status <> 'signed' THEN
        RAISE EXCEPTION 'a signed case cannot be reopened' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.status = 'signed' OR OLD.status = 'signed') AND NOT cytodiff_may_sign() THEN
        RAISE EXCEPTION 'only a haematologist may sign or amend a case; % is not one', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS cases_guard ON cases;
CREATE TRIGGER cases_guard BEFORE UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION cytodiff_guard_case();
CREATE OR REPLACE FUNCTION cytodiff_guard_case_part() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cases WHERE id = NEW.case_id AND status = 'signed') AND NOT cytodiff_may_sign() THEN
        RAISE EXCEPTION 'only a haematologist may amend a signed case; % is not one', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS cells_guard ON cells;
CREATE TRIGGER cells_guard BEFORE INSERT OR UPDATE ON cells
    FOR EACH ROW EXECUTE FUNCTION cytodiff_guard_case_part();
DROP TRIGGER IF EXISTS case_morphology_guard ON case_morphology;
CREATE TRIGGER case_morphology_guard BEFORE INSERT OR UPDATE ON case_morphology
    FOR EACH ROW EXECUTE FUNCTION cytodiff_guard_case_part();
)sql";

} // namespace

QString serverRoleName(ServerRole role)
{
    switch (role) {
    case ServerRole::Technologist:
        return QStringLiteral("technologist");
    case ServerRole::Haematologist:
        return QStringLiteral("haematologist");
    case ServerRole::Administrator:
        return QStringLiteral("administrator");
    }
    return {};
}

Result<ServerRole> serverRoleFromName(const QString &name)
{
    for (ServerRole role : {ServerRole::Technologist, ServerRole::Haematologist, ServerRole::Administrator})
        if (serverRoleName(role) == name)
            return role;
    return makeError("unknown role '" + name.toStdString() + "': technologist, haematologist or administrator");
}

Result<void> setUpServerRoles(Database &database)
{
    if (database.engine() != Engine::Postgres)
        return makeError("roles exist on a laboratory server only; a workspace file has one user");
    if (auto writable = database.ensureWritable(); !writable)
        return writable;
    auto transaction = Transaction::begin(database);
    if (!transaction)
        return makeError(transaction.error());
    for (std::string_view script : {kGroups, kGrants, kGuards})
        if (auto done = database.execScript(script); !done)
            return makeError("setting up the roles failed (run it as a login that may create roles and owns the "
                             "database): " + done.error());
    return transaction->commit();
}

Result<void> grantServerRole(Database &database, const QString &login, ServerRole role)
{
    if (database.engine() != Engine::Postgres)
        return makeError("roles exist on a laboratory server only");
    // GRANT takes no bound parameters: the server itself quotes the names
    // (format's %I), given as bound values, so no text of ours is spliced.
    auto grant = database.prepare("SELECT format('GRANT %I TO %I', CAST(? AS text), CAST(? AS text))");
    if (!grant)
        return makeError(grant.error());
    grant->bind(1, QStringLiteral("cytodiff_") + serverRoleName(role)).bind(2, login);
    auto row = grant->step();
    if (!row)
        return makeError(row.error());
    const QString statement = grant->text(0);
    grant->reset();
    auto exists = database.prepare("SELECT COUNT(*) FROM pg_roles WHERE rolname = ? AND rolcanlogin");
    if (!exists)
        return makeError(exists.error());
    exists->bind(1, login);
    auto found = exists->step();
    if (!found)
        return makeError(found.error());
    if (exists->int64(0) == 0)
        return makeError("the server has no login '" + login.toStdString() + "' (create it first: CREATE ROLE ... LOGIN)");
    exists->reset();
    return database.execScript(statement.toStdString());
}

Result<bool> serverRolesEnforced(const Database &database)
{
    if (database.engine() != Engine::Postgres)
        return false;
    auto query = database.prepare("SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'cases_guard'");
    if (!query)
        return makeError(query.error());
    auto row = query->step();
    if (!row)
        return makeError(row.error());
    return query->int64(0) > 0;
}

Result<bool> maySign(const Database &database)
{
    auto enforced = serverRolesEnforced(database);
    if (!enforced)
        return makeError(enforced.error());
    if (!*enforced)
        return true;
    auto query = database.prepare("SELECT cytodiff_may_sign()");
    if (!query)
        return makeError(query.error());
    auto row = query->step();
    if (!row)
        return makeError(row.error());
    return query->int64(0) != 0;
}

} // namespace cytodiff::db
