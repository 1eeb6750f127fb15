// Roles enforced by the laboratory server (issue 23 item 2): a
// technologist cannot sign or amend, not through CytoDiff and not with a
// modified client's direct UPDATE; a haematologist signs and amends; a
// signed case never reopens. On a throwaway PostgreSQL cluster.

#include "database.h"
#include "migrations.h"
#include "serverroles.h"
#include "workspaceengine.h"

#include <QCryptographicHash>
#include <QTest>

using namespace cytodiff;
using namespace cytodiff::db;

#define VERIFY_REFUSED(expression, word)                                                                        \
    do {                                                                                                        \
        const auto &result_ = (expression);                                                                     \
        QVERIFY2(!result_.ok(), "the server allowed it");                                                       \
        QVERIFY2(QString::fromStdString(result_.error()).contains(QStringLiteral(word)), result_.error().c_str()); \
    } while (false)

class TestServerRoles : public QObject {
    Q_OBJECT

    testing::PgCluster *m_cluster = nullptr;
    QString m_database;
    qint64 m_case = 0;
    qint64 m_cell = 0;

    Result<Database> as(const QString &login)
    {
        return Database::open(m_cluster->uri(m_database, login));
    }

private slots:
    void initTestCase()
    {
        QString why;
        m_cluster = testing::testCluster(&why);
        QVERIFY2(m_cluster, qPrintable(why));
        m_database = QStringLiteral("roles");
        QVERIFY2(!m_cluster->createDatabase(m_database, &why).isEmpty(), qPrintable(why));
        QVERIFY2(m_cluster->sql(QStringLiteral("postgres"),
                                QStringLiteral("CREATE ROLE tina LOGIN; CREATE ROLE hanna LOGIN; CREATE ROLE olga LOGIN"),
                                &why),
                 qPrintable(why));

        auto admin = as(testing::PgCluster::superuser());
        VERIFY_OK(admin);
        QVERIFY(!*serverRolesEnforced(*admin));
        VERIFY_OK(setUpServerRoles(*admin));
        VERIFY_OK(setUpServerRoles(*admin)); // again: changes nothing
        QVERIFY(*serverRolesEnforced(*admin));
        VERIFY_OK(grantServerRole(*admin, QStringLiteral("tina"), ServerRole::Technologist));
        VERIFY_OK(grantServerRole(*admin, QStringLiteral("hanna"), ServerRole::Haematologist));
        VERIFY_REFUSED(grantServerRole(*admin, QStringLiteral("nobody"), ServerRole::Technologist), "no login");
    }

    void aTechnologistReviewsButCannotSign()
    {
        auto tina = as(QStringLiteral("tina"));
        VERIFY_OK(tina);
        QVERIFY(!*maySign(*tina));
        NewCase newCase;
        newCase.name = QStringLiteral("ward 7");
        auto caseId = tina->createCase(newCase);
        VERIFY_OK(caseId);
        m_case = *caseId;
        NewCell cell;
        cell.caseId = m_case;
        cell.image = "pixels";
        cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(cell.image, QCryptographicHash::Sha256).toHex());
        cell.width = cell.height = 1;
        cell.originalName = cell.sourcePath = QStringLiteral("a.jpg");
        auto inserted = tina->insertCell(cell);
        VERIFY_OK(inserted);
        m_cell = inserted->cellId;
        VERIFY_OK(tina->setLabel(m_cell, QStringLiteral("neutrophil"), QStringLiteral("tina")));
        VERIFY_REFUSED(tina->signCase(m_case, QStringLiteral("tina")), "only a haematologist");
        // A modified client's own SQL meets the same guard.
        VERIFY_REFUSED(tina->execScript("UPDATE cases SET status = 'signed', signed_by = 'tina'"), "only a haematologist");
        VERIFY_REFUSED(tina->execScript("UPDATE audit_log SET actor = 'x'"), "permission denied");
        VERIFY_REFUSED(tina->execScript("DELETE FROM cells"), "permission denied");
        QCOMPARE(tina->caseById(m_case)->status, QStringLiteral("open"));
    }

    void aHaematologistSignsAndOnlyAHaematologistAmends()
    {
        auto hanna = as(QStringLiteral("hanna"));
        VERIFY_OK(hanna);
        QVERIFY(*maySign(*hanna));
        VERIFY_OK(hanna->signCase(m_case, QStringLiteral("whoever")));
        auto signedCase = hanna->caseById(m_case);
        QCOMPARE(signedCase->status, QStringLiteral("signed"));
        QCOMPARE(signedCase->signedBy, QStringLiteral("hanna")); // the login, not the claim

        auto tina = as(QStringLiteral("tina"));
        VERIFY_OK(tina);
        VERIFY_REFUSED(tina->setLabel(m_cell, QStringLiteral("lymphocyte"), QStringLiteral("tina"),
                                      QStringLiteral("second look")),
                       "only a haematologist");
        VERIFY_REFUSED(tina->execScript("UPDATE cells SET label_class = 'blast'"), "only a haematologist");
        VERIFY_REFUSED(tina->execScript("UPDATE cases SET status = 'open'"), "cannot be reopened");
        VERIFY_REFUSED(hanna->execScript("UPDATE cases SET status = 'open'"), "cannot be reopened");
        VERIFY_OK(hanna->setLabel(m_cell, QStringLiteral("lymphocyte"), QStringLiteral("hanna"),
                                  QStringLiteral("second look")));
        QCOMPARE(hanna->cell(m_cell)->labelClass, QStringLiteral("lymphocyte"));
        // The amendment leaves the signature as it was.
        QCOMPARE(hanna->caseById(m_case)->signedBy, QStringLiteral("hanna"));
    }

    // After an upgrade of CytoDiff, a reviewer's login cannot migrate the
    // schema and is told who can; the owner's server-setup does it.
    void anUpgradeIsTheAdministratorsToMake()
    {
        QString why;
        QVERIFY2(m_cluster->sql(m_database,
                                // Back to before migration 11: later ones run again too.
                                QStringLiteral("DROP TABLE case_claims; UPDATE cytodiff_workspace SET schema_version = 10"),
                                &why),
                 qPrintable(why));
        VERIFY_REFUSED(as(QStringLiteral("tina")), "only its administrator");
        auto admin = as(testing::PgCluster::superuser());
        VERIFY_OK(admin);
        VERIFY_OK(setUpServerRoles(*admin));
        auto tina = as(QStringLiteral("tina"));
        VERIFY_OK(tina);
        QCOMPARE(tina->schemaVersion(), latestSchemaVersion());
    }

    // A login the administrator gave no role sees no patient data at all.
    void aLoginWithoutARoleIsRefused()
    {
        VERIFY_REFUSED(as(QStringLiteral("olga")), "permission denied");
    }
};

QTEST_GUILESS_MAIN(TestServerRoles)
#include "test_serverroles.moc"
