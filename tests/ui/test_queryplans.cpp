// The queries the GUI and the CLI run for one case stay indexed: every
// statement they execute is captured (sqlite3_trace_v2) while the real
// functions run, and EXPLAIN QUERY PLAN must show no full scan of cells,
// predictions, labels or the audit log, and no audit-log search that is
// narrowed only by the entity kind (which is a scan of every review entry
// in the workspace). Plans do not depend on row counts here (no ANALYZE),
// so a small workspace stands for a large one.
#include "database.h"
#include "reviewstore.h"
#include "syntheticworkspace.h"

#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace cytodiff;

namespace {

int traceStatement(unsigned type, void *context, void *statement, void *)
{
    if (type == SQLITE_TRACE_STMT) {
        const char *sql = sqlite3_sql(static_cast<sqlite3_stmt *>(statement));
        if (sql)
            static_cast<QSet<QString> *>(context)->insert(QString::fromUtf8(sql).simplified());
    }
    return 0;
}

} // namespace

class TestQueryPlans : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    // Details of every plan step, e.g. "SEARCH c USING INDEX cells_case_id (case_id=?)".
    static QStringList plan(const db::Database &database, const QString &sql)
    {
        QStringList details;
        auto explain = database.prepare(("EXPLAIN QUERY PLAN " + sql).toStdString());
        if (!explain)
            return {QStringLiteral("cannot explain: ") + QString::fromStdString(explain.error())};
        for (;;) {
            auto row = explain->step();
            if (!row || !*row)
                break;
            details.append(explain->text(3));
        }
        return details;
    }

private slots:
    void perCaseQueriesUseIndexes()
    {
        auto database = db::Database::open(m_dir.filePath(QStringLiteral("plans.cytodiff")));
        QVERIFY(database.ok());
        QVERIFY(testing::fillSyntheticWorkspace(*database, {30, 30, 30}).ok());
        auto cases = database->listCases();
        QVERIFY(cases.ok());
        const qint64 caseId = cases->at(1).id;
        auto ids = database->cellIdsOfCase(caseId);
        QVERIFY(ids.ok() && !ids->isEmpty());
        const qint64 cellId = ids->at(3);
        const QString modelId = QStringLiteral("synthetic@000000000000");

        QSet<QString> executed;
        sqlite3_trace_v2(database->handle(), SQLITE_TRACE_STMT, traceStatement, &executed);
        // Opening a case in the GUI: case list, gallery rows, reviewed set.
        QVERIFY(database->listCases().ok());
        QVERIFY(database->caseById(caseId).ok());
        QVERIFY(database->findCase(cases->at(1).name).ok());
        // CellGalleryModel::loadCase: the rows and the reviewed set.
        auto rows = database->cellsOfCase(caseId);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), 30);
        QVERIFY(review::ReviewStore::reviewedCells(*database, caseId).ok());
        // A gallery page's thumbnails and the cell viewer.
        QVERIFY(database->cellImage(cellId).ok());
        QVERIFY(database->cell(cellId).ok());
        QVERIFY(database->predictionsOfCell(cellId).ok());
        QVERIFY(database->auditLog(QStringLiteral("cell"), cellId).ok());
        QVERIFY(database->labelsOfCell(cellId).ok());
        // Classification (GUI job and CLI): what is left, progress, results.
        QVERIFY(database->cellsWithoutPrediction(caseId, modelId).ok());
        QVERIFY(database->predictionsOfModel(caseId, modelId).ok());
        QVERIFY(database->latestPredictions(caseId).ok());
        QVERIFY(database->insertPrediction(cellId, modelId, QStringLiteral("monocyte"), 1.0, 0.0, {}, 10).ok());
        // Review queue and differential work on the rows loaded above; their
        // writes: relabel, verify, sign-off.
        QVERIFY(database->setLabel(cellId, QStringLiteral("monocyte"), QStringLiteral("tester")).ok());
        QVERIFY(review::ReviewStore::setReviewed(*database, cellId, true, QStringLiteral("monocyte"),
                                             QStringLiteral("tester"))
                    .ok());
        QVERIFY(review::ReviewStore::reviewedCells(*database, caseId).ok());
        QVERIFY(database->cellsOfCase(caseId).ok());
        QVERIFY(database->signCase(caseId, QStringLiteral("tester")).ok());
        sqlite3_trace_v2(database->handle(), 0, nullptr, nullptr);

        static const QRegularExpression fullScan(
            QStringLiteral("^SCAN (cells|predictions|labels|audit_log|c|p|p2|x|a|l)( |$)"));
        static const QRegularExpression entityOnly(QStringLiteral("audit_log_entity \\(entity=\\?\\)"));
        int checked = 0;
        for (const QString &sql : std::as_const(executed)) {
            if (!sql.startsWith(QLatin1String("SELECT")) && !sql.startsWith(QLatin1String("INSERT"))
                && !sql.startsWith(QLatin1String("UPDATE")) && !sql.startsWith(QLatin1String("DELETE")))
                continue;
            ++checked;
            const QStringList steps = plan(*database, sql);
            for (const QString &step : steps) {
                QVERIFY2(!fullScan.match(step).hasMatch() && !entityOnly.match(step).hasMatch(),
                         qPrintable(QStringLiteral("%1\n  in: %2\n  plan: %3").arg(step, sql, steps.join(" | "))));
            }
        }
        QVERIFY2(checked >= 15, qPrintable(QString::number(checked)));
    }
};

QTEST_GUILESS_MAIN(TestQueryPlans)
#include "test_queryplans.moc"
