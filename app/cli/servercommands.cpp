// Laboratory server administration (issue 23 item 2): the roles a server
// enforces, set up once per workspace and granted per login.

#include "clisupport.h"
#include "commands.h"
#include "database.h"
#include "serverroles.h"

#include <QCommandLineParser>

namespace cytodiff::cli {

int runServerSetup(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Install the roles a laboratory server enforces on its workspace: technologist (review, reclassify),\n"
        "haematologist (also sign and amend) and administrator (also grant roles). Run once per workspace as\n"
        "a login that may create roles and owns the database; running it again changes nothing."));
    const QCommandLineOption dbOption = databaseOption();
    parser.addOption(dbOption);
    if (auto stop = parseArguments(parser, args, 0, 0))
        return *stop;
    auto db = openDatabaseFromOption(parser.value(dbOption));
    if (!db) {
        printError(command, db.error());
        return kExitBadInput;
    }
    if (auto done = db::setUpServerRoles(*db); !done) {
        printError(command, done.error());
        return kExitBadInput;
    }
    printOut(QStringLiteral("Roles installed on %1: grant them with `cytodiff-cli server-role LOGIN ROLE`.\n")
                 .arg(db->path()));
    return 0;
}

int runServerRole(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Give a server login one of the workspace's roles: technologist, haematologist or\n"
                       "administrator (each includes the ones before it)."));
    parser.addPositionalArgument(QStringLiteral("login"), QStringLiteral("The server login (CREATE ROLE ... LOGIN)."));
    parser.addPositionalArgument(QStringLiteral("role"), QStringLiteral("technologist, haematologist or administrator."));
    const QCommandLineOption dbOption = databaseOption();
    parser.addOption(dbOption);
    if (auto stop = parseArguments(parser, args, 2, 2))
        return *stop;
    auto role = db::serverRoleFromName(parser.positionalArguments().at(1));
    if (!role) {
        printError(command, role.error());
        return kExitUsage;
    }
    auto db = openDatabaseFromOption(parser.value(dbOption));
    if (!db) {
        printError(command, db.error());
        return kExitBadInput;
    }
    const QString login = parser.positionalArguments().at(0);
    if (auto granted = db::grantServerRole(*db, login, *role); !granted) {
        printError(command, granted.error());
        return kExitBadInput;
    }
    printOut(QStringLiteral("%1 is now a %2 on %3.\n").arg(login, db::serverRoleName(*role), db->path()));
    return 0;
}

} // namespace cytodiff::cli
