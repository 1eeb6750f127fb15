#pragma once
// A throwaway PostgreSQL 15 cluster for tests (issue 23: real PostgreSQL,
// not a mock): initdb in a temporary folder, a Unix socket in that folder
// and no TCP port, trust authentication for its own superuser, stopped and
// deleted at the end. As root (CI) the server runs as the unprivileged
// "postgres" account that Debian's postgresql-15 package creates.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

#include <pwd.h>
#include <unistd.h>

namespace cytodiff::testing {

class PgCluster {
public:
    // nullptr with `why` filled when the server cannot start.
    static std::unique_ptr<PgCluster> start(QString *why)
    {
        auto cluster = std::unique_ptr<PgCluster>(new PgCluster);
        if (!cluster->m_dir.isValid()) {
            *why = QStringLiteral("no temporary folder");
            return nullptr;
        }
        cluster->m_bin = binDir();
        if (cluster->m_bin.isEmpty()) {
            *why = QStringLiteral("PostgreSQL's server programs (initdb, pg_ctl) are not installed: "
                                  "apt-get install postgresql-15");
            return nullptr;
        }
        if (::geteuid() == 0) {
            const passwd *account = ::getpwnam("postgres");
            if (!account) {
                *why = QStringLiteral("running as root and there is no 'postgres' account to run the server as");
                return nullptr;
            }
            const QByteArray path = QFile::encodeName(cluster->m_dir.path());
            if (::chown(path.constData(), account->pw_uid, account->pw_gid) != 0) {
                *why = QStringLiteral("cannot hand the cluster folder to the postgres account");
                return nullptr;
            }
            cluster->m_runAs = QStringLiteral("postgres");
        }
        const QString data = cluster->dataDir();
        if (!cluster->run(QStringLiteral("initdb"),
                          {QStringLiteral("-D"), data, QStringLiteral("-U"), superuser(), QStringLiteral("--auth=trust"),
                           QStringLiteral("-E"), QStringLiteral("UTF8"), QStringLiteral("--locale=C"),
                           QStringLiteral("--no-sync")},
                          why))
            return nullptr;
        const QString options = QStringLiteral("-k %1 -c listen_addresses='' -p %2 -F -c max_connections=60")
                                    .arg(cluster->m_dir.path())
                                    .arg(kPort);
        if (!cluster->run(QStringLiteral("pg_ctl"),
                          {QStringLiteral("-D"), data, QStringLiteral("-o"), options, QStringLiteral("-w"),
                           QStringLiteral("-l"), cluster->m_dir.filePath(QStringLiteral("server.log")),
                           QStringLiteral("start")},
                          why))
            return nullptr;
        cluster->m_running = true;
        return cluster;
    }

    ~PgCluster() { stop(); }

    void stop()
    {
        if (!m_running)
            return;
        QString ignored;
        run(QStringLiteral("pg_ctl"),
            {QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), QStringLiteral("immediate"), QStringLiteral("-w"),
             QStringLiteral("stop")},
            &ignored);
        m_running = false;
    }

    // Starts it again after stop() (a server that was down comes back).
    bool restart(QString *why)
    {
        const QString options = QStringLiteral("-k %1 -c listen_addresses='' -p %2 -F -c max_connections=60")
                                    .arg(m_dir.path())
                                    .arg(kPort);
        m_running = run(QStringLiteral("pg_ctl"),
                        {QStringLiteral("-D"), dataDir(), QStringLiteral("-o"), options, QStringLiteral("-w"),
                         QStringLiteral("-l"), m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("start")},
                        why);
        return m_running;
    }

    // Runs SQL as the cluster's superuser (psql, stops at the first error).
    bool sql(const QString &database, const QString &statements, QString *why)
    {
        return run(QStringLiteral("psql"),
                   {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                    QStringLiteral("-h"), m_dir.path(), QStringLiteral("-p"), QString::number(kPort),
                    QStringLiteral("-U"), superuser(), QStringLiteral("-d"), database, QStringLiteral("-c"),
                    statements},
                   why);
    }

    // A new empty database; returns its address for Database::open.
    QString createDatabase(const QString &name, QString *why)
    {
        if (!sql(QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE \"%1\"").arg(name), why))
            return {};
        return uri(name);
    }

    QString uri(const QString &database, const QString &user = superuser()) const
    {
        // Concatenated: the encoded folder holds "%2F", which arg() would take.
        return QStringLiteral("postgresql://") + user + QStringLiteral("@/") + database + QStringLiteral("?host=")
             + QString::fromLatin1(QUrl::toPercentEncoding(m_dir.path())) + QStringLiteral("&port=")
             + QString::number(kPort);
    }

    // From now on `user` logs in with a password (SCRAM), not trusted.
    bool requirePassword(const QString &user, QString *why)
    {
        QFile hba(dataDir() + QStringLiteral("/pg_hba.conf"));
        if (!hba.open(QIODevice::ReadOnly)) {
            *why = QStringLiteral("cannot read pg_hba.conf");
            return false;
        }
        const QByteArray rules = "local all " + user.toUtf8() + " scram-sha-256\n" + hba.readAll();
        hba.close();
        if (!hba.open(QIODevice::WriteOnly | QIODevice::Truncate) || hba.write(rules) != rules.size()) {
            *why = QStringLiteral("cannot write pg_hba.conf");
            return false;
        }
        hba.close();
        return run(QStringLiteral("pg_ctl"), {QStringLiteral("-D"), dataDir(), QStringLiteral("reload")}, why);
    }

    static QString superuser() { return QStringLiteral("cytodiff_admin"); }
    QString socketDir() const { return m_dir.path(); }

private:
    static constexpr int kPort = 5432; // on its own socket folder: no clash

    PgCluster() = default;

    QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }

    static QString binDir()
    {
        for (const QString &version : {QStringLiteral("15"), QStringLiteral("16"), QStringLiteral("17")}) {
            const QString dir = QStringLiteral("/usr/lib/postgresql/%1/bin").arg(version);
            if (QFileInfo::exists(dir + QStringLiteral("/initdb")))
                return dir;
        }
        const QString found = QStandardPaths::findExecutable(QStringLiteral("initdb"));
        return found.isEmpty() ? QString() : QFileInfo(found).absolutePath();
    }

    bool run(const QString &program, const QStringList &arguments, QString *why) const
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.setWorkingDirectory(m_dir.path());
        const QString executable = QDir(m_bin).filePath(program);
        if (m_runAs.isEmpty()) {
            process.start(executable, arguments);
        } else {
            QStringList wrapped = {QStringLiteral("-u"), m_runAs, QStringLiteral("--"), executable};
            wrapped += arguments;
            process.start(QStringLiteral("runuser"), wrapped);
        }
        if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit
            || process.exitCode() != 0) {
            *why = program + QStringLiteral(" failed: ") + QString::fromLocal8Bit(process.readAll()).trimmed();
            return false;
        }
        return true;
    }

    QTemporaryDir m_dir{QDir::tempPath() + QStringLiteral("/cytodiff-pg-XXXXXX")};
    QString m_bin;
    QString m_runAs;
    bool m_running = false;
};

} // namespace cytodiff::testing
