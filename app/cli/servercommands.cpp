// Laboratory server administration (issue 23 item 2): the roles a server
// enforces, set up once per workspace and granted per login.

#include "clisupport.h"
#include "commands.h"
#include "database.h"
#include "pgconnection.h"
#include "serverroles.h"
#include "workspacecopy.h"

#include <QFileInfo>

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
    auto db = openDatabaseOrReport(command, parser.value(dbOption));
    if (!db)
        return kExitBadInput;
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
    auto db = openDatabaseOrReport(command, parser.value(dbOption));
    if (!db)
        return kExitBadInput;
    const QString login = parser.positionalArguments().at(0);
    if (auto granted = db::grantServerRole(*db, login, *role); !granted) {
        printError(command, granted.error());
        return kExitBadInput;
    }
    printOut(QStringLiteral("%1 is now a %2 on %3.\n").arg(login, db::serverRoleName(*role), db->path()));
    return 0;
}

int runWorkspace(const QStringList &args)
{
    const QString command = commandName(args);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "workspace copy FROM TO: copy a workspace file to an empty laboratory-server workspace or back\n"
        "(postgresql://user@host/dbname; a new, empty database), images, labels, predictions, reviews,\n"
        "signatures and the audit log as they are, then count and checksum every table on both sides.\n"
        "On a server, run it as the database's owner."));
    parser.addPositionalArgument(QStringLiteral("copy"), QStringLiteral("The action: copy."));
    parser.addPositionalArgument(QStringLiteral("from"), QStringLiteral("The workspace to copy."));
    parser.addPositionalArgument(QStringLiteral("to"), QStringLiteral("A new workspace file or an empty server database."));
    if (auto stop = parseArguments(parser, args, 3, 3))
        return *stop;
    const QStringList positional = parser.positionalArguments();
    if (positional.first() != QLatin1String("copy")) {
        printError(command, "unknown action '" + positional.first().toStdString() + "': copy");
        return kExitUsage;
    }
    const QString fromAddress = positional.at(1);
    const QString toAddress = positional.at(2);
    if (!db::isServerUri(fromAddress) && !QFileInfo::exists(fromAddress)) {
        printError(command, "no workspace file " + fromAddress.toStdString());
        return kExitBadInput;
    }
    if (!db::isServerUri(toAddress) && QFileInfo::exists(toAddress)) {
        printError(command, "the target " + toAddress.toStdString() + " exists: copy into a new file only");
        return kExitBadInput;
    }
    auto from = openDatabaseOrReport(command, fromAddress);
    if (!from)
        return kExitBadInput;
    auto to = openDatabaseOrReport(command, toAddress);
    if (!to)
        return kExitBadInput;
    auto copied = db::copyWorkspace(*from, *to, [](const QString &table) {
        printErr(QStringLiteral("copying %1\n").arg(table));
    });
    if (!copied) {
        printError(command, copied.error());
        return kExitBadInput;
    }
    qint64 rows = 0;
    for (const db::CopiedTable &table : *copied) {
        printOut(QStringLiteral("%1 %2 rows  sha256 %3\n")
                     .arg(table.name, -26)
                     .arg(table.rows, 8)
                     .arg(QString::fromLatin1(table.sha256.left(16))));
        rows += table.rows;
    }
    printOut(QStringLiteral("Copied %1 rows to %2; every table's count and checksum match the original.\n")
                 .arg(rows)
                 .arg(db::displayUri(to->path())));
    return 0;
}

} // namespace cytodiff::cli
