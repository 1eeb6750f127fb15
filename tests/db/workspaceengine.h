#pragma once
// The engine a database test runs on. The same test source builds twice:
// on SQLite (an in-memory workspace per test) and, with
// CYTODIFF_TEST_POSTGRES, on a throwaway PostgreSQL cluster (a new
// database per test), so the workspace suite covers both engines (issue 23).

#include "database.h"

#include <QTemporaryDir>

#ifdef CYTODIFF_TEST_POSTGRES
#include "pgcluster.h"
#endif

// Evaluates its argument once (a write must not run twice) and shows the
// error when it failed.
#define VERIFY_OK(expression)                                                                                   \
    do {                                                                                                        \
        const auto &result_ = (expression);                                                                     \
        QVERIFY2(result_.ok(), result_.ok() ? "" : result_.error().c_str());                                    \
    } while (false)

namespace cytodiff::testing {

inline constexpr bool kOnServer =
#ifdef CYTODIFF_TEST_POSTGRES
    true;
#else
    false;
#endif

#ifdef CYTODIFF_TEST_POSTGRES
// The process's cluster, started on first use and stopped at exit.
inline PgCluster *testCluster(QString *why)
{
    static QString failure;
    static std::unique_ptr<PgCluster> cluster = PgCluster::start(&failure);
    *why = failure;
    return cluster.get();
}
#endif

// Who the audit log names for an action by `claimed`: on a server the
// login, whatever the client says (the server stamps it).
inline QString expectedActor(const QString &claimed)
{
#ifdef CYTODIFF_TEST_POSTGRES
    Q_UNUSED(claimed);
    return PgCluster::superuser();
#else
    return claimed;
#endif
}

// The address of a new, empty workspace that several connections (threads,
// processes) can open: a file in a folder kept until exit, or a new
// database on the test cluster. Empty with `why` filled on failure.
inline QString freshWorkspaceAddress(QString *why)
{
    static int counter = 0;
#ifdef CYTODIFF_TEST_POSTGRES
    PgCluster *cluster = testCluster(why);
    if (!cluster)
        return {};
    return cluster->createDatabase(QStringLiteral("shared%1").arg(++counter), why);
#else
    static QTemporaryDir folder;
    if (!folder.isValid()) {
        *why = QStringLiteral("no temporary folder");
        return {};
    }
    return folder.filePath(QStringLiteral("shared%1.cytodiff").arg(++counter));
#endif
}

// A new, empty, migrated workspace.
inline Result<db::Database> openFreshWorkspace(const db::OpenOptions &options = {})
{
#ifdef CYTODIFF_TEST_POSTGRES
    static int counter = 0;
    QString why;
    PgCluster *cluster = testCluster(&why);
    if (!cluster)
        return makeError("no PostgreSQL test server: " + why.toStdString());
    const QString uri = cluster->createDatabase(QStringLiteral("ws%1").arg(++counter), &why);
    if (uri.isEmpty())
        return makeError(why.toStdString());
    return db::Database::open(uri, options);
#else
    return db::Database::openInMemory(options);
#endif
}

} // namespace cytodiff::testing
