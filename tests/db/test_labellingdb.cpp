// The expert-labelling tables (migration 2) through Database: sessions,
// answers with progress and undo, current answers, the label audit, and
// the upgrade of a schema-1 workspace that already holds labels.

#include "workspaceengine.h"
#include "database.h"
#include "migrations.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <optional>

using namespace cytodiff;
using namespace cytodiff::db;

namespace {

NewCell makeCell(qint64 caseId, const QByteArray &bytes)
{
    NewCell cell;
    cell.caseId = caseId;
    cell.image = bytes;
    cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    cell.width = 16;
    cell.height = 16;
    cell.originalName = QString::fromLatin1(bytes) + QStringLiteral(".png");
    cell.sourcePath = cell.originalName;
    return cell;
}

qint64 count(const Database &db, const char *sql)
{
    auto statement = db.prepare(sql);
    if (!statement || !statement->step().ok())
        return -1;
    return statement->int64(0);
}

} // namespace

class TestLabellingDb : public QObject {
    Q_OBJECT

private:
    std::optional<Database> m_db;
    QList<qint64> m_cells;
    qint64 m_anna = 0;
    qint64 m_ben = 0;

    Database &db() { return *m_db; }

    qint64 newSession(qint64 labeller, const QList<qint64> &cells, const QList<qint64> &common = {})
    {
        NewLabellingSession session;
        session.name = QStringLiteral("S%1").arg(labeller);
        session.labellerId = labeller;
        session.classes = {QStringLiteral("neutrophil"), QStringLiteral("lymphocyte")};
        session.cellIds = cells;
        session.commonCells = common;
        auto id = db().createLabellingSession(session);
        return id ? *id : -1;
    }

private slots:
    void init()
    {
        auto opened = testing::openFreshWorkspace();
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().c_str());
        m_db.emplace(std::move(*opened));
        QVERIFY(db().schemaVersion() >= 2); // migration 2 holds the labelling tables
        auto caseId = db().createCase({QStringLiteral("C"), {}, {}, {}, {}, {}, {}});
        VERIFY_OK(caseId);
        m_cells.clear();
        for (const char *name : {"a", "b", "c", "d"})
            m_cells.append(db().insertCell(makeCell(*caseId, name))->cellId);
        m_anna = *db().addLabeller(QStringLiteral("Anna"), 20);
        m_ben = *db().addLabeller(QStringLiteral("Ben"), 4);
    }

    void cleanup() { m_db.reset(); }

    void sessionStoresCellsInOrderWithTheCommonFlag()
    {
        const qint64 id = newSession(m_anna, {m_cells[2], m_cells[0], m_cells[1]}, {m_cells[0]});
        QVERIFY(id > 0);
        auto session = db().labellingSession(id);
        VERIFY_OK(session);
        QCOMPARE(session->labellerName, QStringLiteral("Anna"));
        QCOMPARE(session->total, 3);
        QCOMPARE(session->position, 0);
        QCOMPARE(session->classes.size(), 2);
        QVERIFY(session->kind == SessionKind::Label);
        auto cells = db().sessionCells(id);
        VERIFY_OK(cells);
        QCOMPARE(cells->size(), 3);
        QCOMPARE(cells->at(0).cellId, m_cells[2]);
        QCOMPARE(cells->at(1).cellId, m_cells[0]);
        QVERIFY(cells->at(1).common);
        QVERIFY(!cells->at(0).common);
        QCOMPARE(*db().commonCells(), QList<qint64>{m_cells[0]});
        QCOMPARE(db().sessionCoverage()->value(m_cells[2]), 1);

        // Bad input is refused with nothing written.
        QCOMPARE(newSession(m_anna, {}), qint64(-1));
        QCOMPARE(newSession(m_anna, {m_cells[0], m_cells[0]}), qint64(-1)); // listed twice
        QCOMPARE(newSession(m_anna, {99999}), qint64(-1));                   // no such cell
        QCOMPARE(newSession(12345, {m_cells[0]}), qint64(-1));               // no such labeller
        QCOMPARE(db().listLabellingSessions()->size(), 1);
    }

    void answersAdvanceUndoWithdrawsAndTheSessionResumes()
    {
        const qint64 id = newSession(m_anna, {m_cells[0], m_cells[1]});
        VERIFY_OK(db().answerCurrentCell(id, QStringLiteral("neutrophil"), LabelConfidence::High));
        QCOMPARE(db().labellingSession(id)->position, 1);
        // A class outside the session's list is refused.
        QVERIFY(!db().answerCurrentCell(id, QStringLiteral("blast"), LabelConfidence::High).ok());

        // Undo: back to cell 0, the label is kept but withdrawn.
        auto undone = db().undoLastAnswer(id);
        VERIFY_OK(undone);
        QCOMPARE(*undone, 0);
        QCOMPARE(db().activeLabels()->size(), 0);
        QCOMPARE(count(db(), "SELECT COUNT(*) FROM labels WHERE withdrawn_at IS NOT NULL"), qint64(1));
        QVERIFY(!db().undoLastAnswer(id).ok()); // nothing left to undo

        VERIFY_OK(db().answerCurrentCell(id, QStringLiteral("lymphocyte"), LabelConfidence::Low));
        VERIFY_OK(db().answerCurrentCell(id, QStringLiteral("neutrophil"), LabelConfidence::Moderate));
        auto session = db().labellingSession(id);
        QVERIFY(session->isComplete());
        QVERIFY(session->completedAt.isValid());
        QVERIFY(!db().answerCurrentCell(id, QStringLiteral("neutrophil"), LabelConfidence::High).ok());

        auto active = db().activeLabels();
        VERIFY_OK(active);
        QCOMPARE(active->size(), 2);
        QCOMPARE(active->at(0).cellId, m_cells[0]);
        QCOMPARE(active->at(0).labelClass, QStringLiteral("lymphocyte"));
        QVERIFY(active->at(0).confidence == LabelConfidence::Low);
        QCOMPARE(*active->at(0).sessionId, id);

        // Every answer and the undo are in the append-only audit log.
        auto log = db().auditLog(QStringLiteral("cell"), m_cells[0]);
        VERIFY_OK(log);
        QCOMPARE(log->size(), 3);
        QCOMPARE(log->at(1).action, QStringLiteral("unlabel"));
        QCOMPARE(log->at(1).oldValue, QStringLiteral("neutrophil/High"));
    }

    void auditItemsQueueAndResolveWithALogEntry()
    {
        auto prediction = db().insertPrediction(m_cells[0], QStringLiteral("crossval:r1:fold1of3"),
                                                QStringLiteral("lymphocyte"), 0.9, 0.0, {}, 10);
        VERIFY_OK(prediction);
        VERIFY_OK(db().insertPrediction(m_cells[1], QStringLiteral("shipped"), QStringLiteral("blast"), 0.9, 0.0, {}, 10));
        auto crossval = db().latestPredictionsByModelPrefix(QStringLiteral("crossval:"));
        VERIFY_OK(crossval);
        QCOMPARE(crossval->size(), 1);
        QCOMPARE(crossval->at(0).cellId, m_cells[0]);

        NewAuditItem item{m_cells[0], *prediction, QStringLiteral("lymphocyte"), QStringLiteral("neutrophil"),
                          {m_anna, m_ben}};
        auto itemId = db().queueAuditItem(item);
        VERIFY_OK(itemId);
        QVERIFY(!db().queueAuditItem(item).ok()); // already open
        const qint64 session = newSession(m_ben, {m_cells[0]});
        VERIFY_OK(db().setAuditReviewerSession(*itemId, m_ben, session));
        auto items = db().auditItems();
        VERIFY_OK(items);
        QCOMPARE(items->size(), 1);
        QCOMPARE(items->at(0).status, QStringLiteral("open"));
        QCOMPARE(items->at(0).reviewerIds, (QList<qint64>{m_anna, m_ben}));

        VERIFY_OK(db().resolveAuditItem(*itemId, QStringLiteral("lymphocyte"), QStringLiteral("label audit"),
                                        QStringLiteral("reviewed")));
        QVERIFY(!db().resolveAuditItem(*itemId, QStringLiteral("x"), QStringLiteral("a"), {}).ok());
        QCOMPARE(db().auditItems()->at(0).consensusAfter, QStringLiteral("lymphocyte"));
        auto log = db().auditLog(QStringLiteral("cell"), m_cells[0]);
        QCOMPARE(log->last().action, QStringLiteral("audit"));
        QCOMPARE(log->last().oldValue, QStringLiteral("neutrophil"));
        QCOMPARE(log->last().newValue, QStringLiteral("lymphocyte"));
    }

    void labellerCanBeRenamed()
    {
        VERIFY_OK(db().updateLabeller(m_ben, QStringLiteral("Ben B."), 5));
        QCOMPARE(db().labeller(m_ben)->yearsExperience, 5);
        QVERIFY(!db().updateLabeller(m_ben, QStringLiteral("Anna"), 5).ok()); // name taken
        QVERIFY(!db().updateLabeller(m_ben, QStringLiteral("X"), -1).ok());
    }

    void schemaOneWorkspaceWithLabelsIsUpgraded()
    {
        if (testing::kOnServer)
            QSKIP("an SQLite file written by an old CytoDiff; a server has no schema-1 workspaces");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v1.cytodiff"));
        {
            sqlite3 *handle = nullptr;
            QCOMPARE(sqlite3_open(path.toUtf8().constData(), &handle), SQLITE_OK);
            std::string script = migrations().front().sql;
            script += "PRAGMA application_id = 1129923654; PRAGMA user_version = 1;"
                      "INSERT INTO cases (name, imported_at) VALUES ('old', '2026-01-01T00:00:00Z');"
                      "INSERT INTO cells (case_id, sha256, width, height, original_name, source_path, imported_at, image)"
                      " VALUES (1, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1, 1, 'x', 'x',"
                      " '2026-01-01T00:00:00Z', x'00');"
                      "INSERT INTO labellers (name, years_experience) VALUES ('Old expert', 30);"
                      "INSERT INTO labels (cell_id, labeller_id, class, confidence, created_at)"
                      " VALUES (1, 1, 'blast', 'Moderate', '2026-01-01T00:00:00Z');";
            QCOMPARE(sqlite3_exec(handle, script.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(handle);
        }
        auto upgraded = Database::open(path);
        VERIFY_OK(upgraded);
        QCOMPARE(upgraded->schemaVersion(), latestSchemaVersion());
        auto active = upgraded->activeLabels();
        VERIFY_OK(active);
        QCOMPARE(active->size(), 1);
        QVERIFY(!active->at(0).sessionId);
        QCOMPARE(active->at(0).labelClass, QStringLiteral("blast"));
    }
};

QTEST_GUILESS_MAIN(TestLabellingDb)
#include "test_labellingdb.moc"
