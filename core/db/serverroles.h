#pragma once
// Roles on a laboratory server (issue 23 item 2), enforced by the server so
// that a modified client cannot do what its login may not:
//  - technologist: imports, classifies, reviews and reclassifies cells of
//    open cases; cannot sign, cannot change a signed case;
//  - haematologist: also signs cases and amends signed ones;
//  - administrator: every table (roles themselves are granted by a login
//    with CREATEROLE, such as the postgres account).
// Group roles (NOLOGIN) cytodiff_technologist, cytodiff_haematologist and
// cytodiff_administrator; GRANTs give each what it may touch, and triggers
// refuse signing, reopening and amending to logins without the right role
// with SQLSTATE 42501 (insufficient_privilege). Triggers rather than
// row-level-security policies: a policy silently filters the refused row
// (zero rows updated), a trigger says why.

#include "result.h"

#include <QList>
#include <QString>

namespace cytodiff::db {

class Database;

enum class ServerRole { Technologist, Haematologist, Administrator };

QString serverRoleName(ServerRole role);                 // "technologist", ...
Result<ServerRole> serverRoleFromName(const QString &name);

// Creates the group roles where the cluster lacks them and installs this
// workspace's grants and guards. Run once per workspace by a login that
// may create roles (a superuser, or CREATEROLE and the database's owner);
// running it again changes nothing. Until it has run, every login with
// rights on the database may do everything the application can.
Result<void> setUpServerRoles(Database &database);
// Makes `login` a member of the role (administrators only).
Result<void> grantServerRole(Database &database, const QString &login, ServerRole role);
// Whether the guards are installed on this workspace.
Result<bool> serverRolesEnforced(const Database &database);
// Whether the session's login may sign and amend (a haematologist or an
// administrator, or any login where the guards are not installed).
Result<bool> maySign(const Database &database);

} // namespace cytodiff::db
