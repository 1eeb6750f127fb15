// The case database API on a workspace rebuilt for every test: cases,
// cells, predictions, review with its audit log, expert labels,
// transactions. Built twice: on SQLite (in memory) and on PostgreSQL
// (test_database_pg, a throwaway cluster; workspaceengine.h).

#include "csvfield.h"
#include "database.h"
#include "labelledcellcursor.h"
#include "transaction.h"
#include "workspaceengine.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <cmath>
#include <optional>

using namespace cytodiff;
using namespace cytodiff::db;

namespace {

NewCell makeCell(qint64 caseId, const QByteArray &bytes, const QString &label = {}, const QString &raw = {})
{
    NewCell cell;
    cell.caseId = caseId;
    cell.image = bytes;
    cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    cell.width = 360;
    cell.height = 363;
    cell.originalName = QString::fromLatin1(bytes) + QStringLiteral(".jpg");
    cell.sourcePath = QStringLiteral("class/") + cell.originalName;
    cell.labelClass = label;
    cell.rawCode = raw;
    return cell;
}

} // namespace

class TestDatabase : public QObject {
    Q_OBJECT

private:
    std::optional<Database> m_db;
    qint64 m_caseId = 0;

    Database &db() { return *m_db; }

    qint64 addCell(const QByteArray &bytes, const QString &label = {})
    {
        auto inserted = db().insertCell(makeCell(m_caseId, bytes, label, label.toUpper()));
        return inserted.ok() ? inserted->cellId : -1;
    }

private slots:
    void init()
    {
        auto opened = testing::openFreshWorkspace();
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().c_str());
        m_db.emplace(std::move(*opened));
        auto created = db().createCase({QStringLiteral("S-1"), QStringLiteral("BC 0042"), QStringLiteral("SP9"),
                                        QStringLiteral("/exports/s1"), QStringLiteral("DM96"), {}, {}});
        VERIFY_OK(created);
        m_caseId = *created;
    }

    void cleanup() { m_db.reset(); }

    void casesAreCreatedFoundAndCounted()
    {
        QVERIFY(!db().createCase({QStringLiteral("S-1"), {}, {}, {}, {}, {}, {}}).ok()); // name taken
        QVERIFY(!db().createCase({QStringLiteral("  "), {}, {}, {}, {}, {}, {}}).ok());
        addCell("a", QStringLiteral("neutrophil"));
        addCell("b");

        auto byName = db().findCase(QStringLiteral("S-1"));
        VERIFY_OK(byName);
        QCOMPARE(byName->slideId, QStringLiteral("BC 0042"));
        QCOMPARE(byName->specimen, QStringLiteral("SP9"));
        QCOMPARE(byName->instrument, QStringLiteral("DM96"));
        QCOMPARE(byName->status, QStringLiteral("open"));
        QVERIFY(byName->importedAt.isValid());
        QCOMPARE(byName->cellCount, 2);
        QCOMPARE(byName->labelledCount, 1);

        auto byId = db().findCase(QString::number(m_caseId));
        VERIFY_OK(byId);
        QCOMPARE(byId->name, QStringLiteral("S-1"));
        QVERIFY(!db().findCase(QStringLiteral("nope")).ok());
        QVERIFY(!db().findCase(QStringLiteral("999")).ok());

        VERIFY_OK(db().createCase({QStringLiteral("A-0"), {}, {}, {}, {}, {}, {}}));
        auto cases = db().listCases();
        VERIFY_OK(cases);
        QCOMPARE(cases->size(), 2);
        QCOMPARE(cases->at(0).name, QStringLiteral("A-0")); // by name
        QCOMPARE(cases->at(0).cellCount, 0);
    }

    void insertCellDetectsDuplicatesBySha256()
    {
        auto first = db().insertCell(makeCell(m_caseId, "same"));
        VERIFY_OK(first);
        QVERIFY(first->inserted);
        auto other = db().createCase({QStringLiteral("S-2"), {}, {}, {}, {}, {}, {}});
        auto second = db().insertCell(makeCell(*other, "same"));
        VERIFY_OK(second);
        QVERIFY(!second->inserted);
        QCOMPARE(second->cellId, first->cellId);
        QCOMPARE(db().cellIdsOfCase(*other)->size(), 0);
    }

    void insertCellIntoMissingCaseFails()
    {
        auto inserted = db().insertCell(makeCell(12345, "orphan"));
        QVERIFY(!inserted.ok()); // foreign keys are on
    }

    void cellsListWithoutImagesAndImageOnDemand()
    {
        NewCell cell = makeCell(m_caseId, "img1", QString(), QStringLiteral("XYZ"));
        cell.unknownCode = true;
        cell.x = 12.5;
        auto inserted = db().insertCell(cell);
        VERIFY_OK(inserted);
        auto cells = db().cellsOfCase(m_caseId);
        VERIFY_OK(cells);
        QCOMPARE(cells->size(), 1);
        const CellSummary &row = cells->first();
        QCOMPARE(row.originalName, QStringLiteral("img1.jpg"));
        QCOMPARE(row.sourcePath, QStringLiteral("class/img1.jpg"));
        QVERIFY(row.labelClass.isNull());
        QCOMPARE(row.rawCode, QStringLiteral("XYZ"));
        QVERIFY(row.unknownCode);
        QCOMPARE(row.width, 360);
        QCOMPARE(row.x, std::optional<double>(12.5));
        QVERIFY(!row.y);
        QVERIFY(!row.hasPrediction);
        QCOMPARE(row.sha256, cell.sha256);
        QCOMPARE(*db().cellImage(inserted->cellId), QByteArray("img1"));
        QVERIFY(!db().cellImage(999).ok());
        QCOMPARE(*db().cellIdsOfCase(m_caseId), QList<qint64>{inserted->cellId});
        QCOMPARE(db().cell(inserted->cellId)->rawCode, QStringLiteral("XYZ"));
    }

    void latestPredictionWins()
    {
        const qint64 a = addCell("a");
        const qint64 b = addCell("b");
        QMap<QString, double> scores{{QStringLiteral("neutrophil"), 0.7}, {QStringLiteral("ig"), 0.3}};
        VERIFY_OK(db().insertPrediction(a, QStringLiteral("m1"), QStringLiteral("neutrophil"), 0.7, 0.1, scores, 50));
        VERIFY_OK(db().insertPrediction(a, QStringLiteral("m2"), QStringLiteral("ig"), 0.6, std::nan(""), scores, 25));

        auto latest = db().latestPredictions(m_caseId);
        VERIFY_OK(latest);
        QCOMPARE(latest->size(), 1);
        QCOMPARE(latest->first().cellId, a);
        QCOMPARE(latest->first().modelId, QStringLiteral("m2"));
        QVERIFY(!latest->first().anomaly); // NaN stored as unknown
        QCOMPARE(latest->first().scores, scores);
        QCOMPARE(latest->first().nfe, 25);

        auto cells = db().cellsOfCase(m_caseId);
        QVERIFY(cells->at(0).hasPrediction);
        QCOMPARE(cells->at(0).predictedClass, QStringLiteral("ig"));
        QCOMPARE(cells->at(0).confidence, std::optional<double>(0.6));
        QCOMPARE(cells->at(0).scores.value(QStringLiteral("neutrophil")), 0.7);
        QVERIFY(!cells->at(1).hasPrediction);
        QCOMPARE(cells->at(1).id, b);
        QCOMPARE(db().predictionsOfCell(a)->size(), 2);
        QVERIFY(!db().insertPrediction(999, QStringLiteral("m"), QStringLiteral("x"), 1, 0, {}, 1).ok());
        // What a classification run with a model still has to do.
        QCOMPARE(*db().cellsWithoutPrediction(m_caseId, QStringLiteral("m2")), QList<qint64>{b});
        QCOMPARE(*db().cellsWithoutPrediction(m_caseId, QStringLiteral("other")), (QList<qint64>{a, b}));

        // A second opinion sits next to the latest prediction, never in its
        // place; the newest one counts.
        QVERIFY(cells->at(0).secondOpinionClass.isEmpty());
        VERIFY_OK(db().insertSecondOpinion(a, QStringLiteral("cnn"), QStringLiteral("monocyte"), 0.9));
        VERIFY_OK(db().insertSecondOpinion(a, QStringLiteral("cnn"), QStringLiteral("ig"), 0.8));
        cells = db().cellsOfCase(m_caseId);
        QCOMPARE(cells->at(0).predictedClass, QStringLiteral("ig"));
        QCOMPARE(cells->at(0).modelId, QStringLiteral("m2"));
        QCOMPARE(cells->at(0).secondOpinionClass, QStringLiteral("ig"));
        QCOMPARE(cells->at(0).secondOpinionModelId, QStringLiteral("cnn"));
        QVERIFY(cells->at(1).secondOpinionClass.isEmpty());
        QCOMPARE(*db().cellsWithoutSecondOpinion(m_caseId, QStringLiteral("cnn")), QList<qint64>{b});
        QCOMPARE(db().latestPredictions(m_caseId)->first().modelId, QStringLiteral("m2"));
        QVERIFY(!db().insertSecondOpinion(999, QStringLiteral("cnn"), QStringLiteral("x"), 1).ok()); // no such cell
    }

    // Every CSV export quotes through this one function.
    void csvFieldQuotesAsRfc4180()
    {
        using db::csvField;
        QCOMPARE(csvField(QStringLiteral("cell_01.jpg")), QStringLiteral("cell_01.jpg"));
        QCOMPARE(csvField(QString()), QString());
        QCOMPARE(csvField(QStringLiteral("a,b")), QStringLiteral("\"a,b\""));
        QCOMPARE(csvField(QStringLiteral("say \"hi\"")), QStringLiteral("\"say \"\"hi\"\"\""));
        QCOMPARE(csvField(QStringLiteral("two\nlines")), QStringLiteral("\"two\nlines\""));
        QCOMPARE(csvField(QStringLiteral("cr\r")), QStringLiteral("\"cr\r\""));
        QCOMPARE(csvField(QStringLiteral(" padded ")), QStringLiteral("\" padded \""));
        // Identifiers stay as stored unless the file is for a spreadsheet.
        QCOMPARE(csvField(QStringLiteral("=1+1")), QStringLiteral("=1+1"));
        QCOMPARE(csvField(QStringLiteral("=1+1"), db::CsvFormulas::Escape), QStringLiteral("'=1+1"));
        QCOMPARE(csvField(QStringLiteral("-5,3"), db::CsvFormulas::Escape), QStringLiteral("\"'-5,3\""));
        QCOMPARE(csvField(QStringLiteral("a-b"), db::CsvFormulas::Escape), QStringLiteral("a-b"));
    }

    void setLabelWritesTheAuditLogInTheSameTransaction()
    {
        const qint64 cell = addCell("a", QStringLiteral("neutrophil"));
        VERIFY_OK(db().setLabel(cell, QStringLiteral("ig"), QStringLiteral("dr a"), QStringLiteral("band form")));
        VERIFY_OK(db().setLabel(cell, QStringLiteral("ig"), QStringLiteral("dr a"))); // no change, no entry
        VERIFY_OK(db().setLabel(cell, QString(), QStringLiteral("dr b")));           // unidentified
        QVERIFY(db().cell(cell)->labelClass.isNull());

        auto log = db().auditLog(QStringLiteral("cell"), cell);
        VERIFY_OK(log);
        QCOMPARE(log->size(), 2);
        QCOMPARE(log->at(0).actor, testing::expectedActor(QStringLiteral("dr a")));
        QCOMPARE(log->at(0).action, QStringLiteral("relabel"));
        QCOMPARE(log->at(0).oldValue, QStringLiteral("neutrophil"));
        QCOMPARE(log->at(0).newValue, QStringLiteral("ig"));
        QCOMPARE(log->at(0).reason, QStringLiteral("band form"));
        QVERIFY(log->at(0).at.isValid());
        QCOMPARE(log->at(1).oldValue, QStringLiteral("ig"));
        QVERIFY(log->at(1).newValue.isNull());
        QVERIFY(!db().setLabel(999, QStringLiteral("ig"), QStringLiteral("dr a")).ok());
    }

    void signedCaseChangesOnlyByAmendmentWithReason()
    {
        const qint64 cell = addCell("a", QStringLiteral("neutrophil"));
        VERIFY_OK(db().signCase(m_caseId, QStringLiteral("dr s")));
        auto signedCase = db().caseById(m_caseId);
        QVERIFY(signedCase->isSigned());
        QCOMPARE(signedCase->signedBy, testing::expectedActor(QStringLiteral("dr s")));
        QVERIFY(signedCase->signedAt.isValid());
        QVERIFY(!db().signCase(m_caseId, QStringLiteral("dr s")).ok()); // already signed

        auto noReason = db().setLabel(cell, QStringLiteral("blast"), QStringLiteral("dr s"));
        QVERIFY(!noReason.ok());
        QVERIFY(QString::fromStdString(noReason.error()).contains(QStringLiteral("reason")));
        QCOMPARE(db().cell(cell)->labelClass, QStringLiteral("neutrophil"));
        VERIFY_OK(db().setLabel(cell, QStringLiteral("blast"), QStringLiteral("dr s"), QStringLiteral("review")));

        auto caseLog = db().auditLog(QStringLiteral("case"), m_caseId);
        QCOMPARE(caseLog->size(), 1);
        QCOMPARE(caseLog->first().action, QStringLiteral("sign"));
        auto cellLog = db().auditLog(QStringLiteral("cell"), cell);
        QCOMPARE(cellLog->size(), 1);
        QCOMPARE(cellLog->first().action, QStringLiteral("amend"));
    }

    void caseIdentifiersAreKeptExactlyAndAudited()
    {
        // Issue 24: identifiers as given, character for character; every
        // change audited; on a signed case only as an amendment.
        auto created = db().createCase({QStringLiteral("S-2"), QStringLiteral("BC 7"), QStringLiteral("SP 1"), {}, {},
                                        QStringLiteral(" A-00017 "), QStringLiteral("Müller, Jürgen")});
        VERIFY_OK(created);
        auto row = db().caseById(*created);
        VERIFY_OK(row);
        QCOMPARE(row->accession, QStringLiteral(" A-00017 ")); // not trimmed
        QCOMPARE(row->patientId, QStringLiteral("Müller, Jürgen"));
        QCOMPARE(row->identifiers(), (CaseIdentifiers{QStringLiteral(" A-00017 "), QStringLiteral("SP 1"),
                                                      QStringLiteral("Müller, Jürgen"), QStringLiteral("BC 7")}));

        // Lost characters and line breaks are refused, nothing is stored.
        QVERIFY(!db().createCase({QStringLiteral("S-3"), {}, {}, {}, {}, QStringLiteral("A-9"),
                                  QStringLiteral("M\uFFFDller")})
                     .ok());
        QVERIFY(!db().caseByName(QStringLiteral("S-3"))->has_value());
        const CaseIdentifiers broken{QStringLiteral("A-1\nA-2"), {}, {}, {}};
        auto refused = db().setCaseIdentifiers(m_caseId, broken, QStringLiteral("dr s"));
        QVERIFY(!refused.ok());
        QVERIFY(QString::fromStdString(refused.error()).contains(QStringLiteral("control character")));
        QVERIFY(!db().setCaseIdentifiers(m_caseId, {QString(201, QLatin1Char('x')), {}, {}, {}}, QStringLiteral("dr s")).ok());
        QVERIFY(!db().setCaseIdentifiers(m_caseId, {QStringLiteral("A-5"), {}, {}, {}}, QStringLiteral(" ")).ok());

        const CaseIdentifiers typed{QStringLiteral("A-5"), QStringLiteral("SP9"), QStringLiteral("P 12"),
                                    QStringLiteral("BC 0042")};
        VERIFY_OK(db().setCaseIdentifiers(m_caseId, typed, QStringLiteral("dr s")));
        QCOMPARE(db().caseById(m_caseId)->identifiers(), typed);
        VERIFY_OK(db().setCaseIdentifiers(m_caseId, typed, QStringLiteral("dr s"))); // unchanged: no entry
        auto log = db().auditLog(QStringLiteral("case"), m_caseId);
        VERIFY_OK(log);
        QCOMPARE(log->size(), 1);
        QCOMPARE(log->first().action, QStringLiteral("identifiers"));
        QVERIFY(log->first().oldValue.contains(QStringLiteral("\"accession\":\"\"")));
        QVERIFY(log->first().newValue.contains(QStringLiteral("\"accession\":\"A-5\"")));

        VERIFY_OK(db().signCase(m_caseId, QStringLiteral("dr s")));
        CaseIdentifiers corrected = typed;
        corrected.accession = QStringLiteral("A-6");
        auto noReason = db().setCaseIdentifiers(m_caseId, corrected, QStringLiteral("dr s"));
        QVERIFY(!noReason.ok());
        QVERIFY(QString::fromStdString(noReason.error()).contains(QStringLiteral("amendment")));
        QCOMPARE(db().caseById(m_caseId)->accession, QStringLiteral("A-5"));
        VERIFY_OK(db().setCaseIdentifiers(m_caseId, corrected, QStringLiteral("dr s"), QStringLiteral("wrong order")));
        log = db().auditLog(QStringLiteral("case"), m_caseId);
        QCOMPARE(log->size(), 3);
        QCOMPARE(log->last().action, QStringLiteral("amend"));
        QCOMPARE(log->last().reason, QStringLiteral("wrong order"));
    }

    void auditLogIsAppendOnly()
    {
        AuditEntry entry;
        entry.actor = QStringLiteral("dr a");
        entry.action = QStringLiteral("relabel");
        entry.entity = QStringLiteral("cell");
        entry.entityId = 1;
        entry.oldValue = QStringLiteral("x");
        entry.newValue = QStringLiteral("y");
        VERIFY_OK(db().appendAudit(entry));
        auto update = db().execScript("UPDATE audit_log SET new_value = 'z'");
        QVERIFY(!update.ok());
        QVERIFY2(QString::fromStdString(update.error()).contains(QStringLiteral("append-only")), update.error().c_str());
        auto remove = db().execScript("DELETE FROM audit_log");
        QVERIFY(!remove.ok());
        QVERIFY(QString::fromStdString(remove.error()).contains(QStringLiteral("append-only")));
        QCOMPARE(db().auditLog(QStringLiteral("cell"), 1)->first().newValue, QStringLiteral("y"));
        entry.actor.clear();
        QVERIFY(!db().appendAudit(entry).ok()); // who is mandatory
    }

    // The triggers live in the schema, so they hold for any connection (a
    // sqlite3 shell too), and REPLACE cannot delete an entry behind them.
    void auditLogCannotBeRewrittenAnyWay()
    {
        AuditEntry entry;
        entry.actor = QStringLiteral("dr b");
        entry.action = QStringLiteral("verify");
        entry.entity = QStringLiteral("cell");
        entry.entityId = 42;
        entry.newValue = QStringLiteral("blast");
        auto id = db().appendAudit(entry);
        VERIFY_OK(id);
        const QByteArray idText = QByteArray::number(*id);
        if (testing::kOnServer) {
            // PostgreSQL has no REPLACE; a client that bypasses CytoDiff
            // meets the server's triggers.
            const QList<QByteArray> attacks = {
                "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, new_value) "
                "VALUES (" + idText + ", 'x', 'mallory', 'verify', 'cell', 42, 'neutrophil') "
                "ON CONFLICT (id) DO UPDATE SET new_value = excluded.new_value",
                "UPDATE audit_log SET actor = 'mallory' WHERE id = " + idText,
                "DELETE FROM audit_log WHERE id = " + idText,
                "TRUNCATE audit_log",
            };
            for (const QByteArray &sql : attacks) {
                auto result = db().execScript(sql.toStdString());
                QVERIFY2(!result.ok(), sql.constData());
                QVERIFY2(QString::fromStdString(result.error()).contains(QStringLiteral("append-only")),
                         result.error().c_str());
            }
            QCOMPARE(db().auditLog(QStringLiteral("cell"), 42)->first().actor, testing::expectedActor(QStringLiteral("dr b")));
            return;
        }
        const QList<QByteArray> attacks = {
            "INSERT OR REPLACE INTO audit_log (id, at, actor, action, entity, entity_id, new_value) "
            "VALUES (" + idText + ", 'x', 'mallory', 'verify', 'cell', 42, 'neutrophil')",
            "REPLACE INTO audit_log (id, at, actor, action, entity, entity_id, new_value) "
            "VALUES (" + idText + ", 'x', 'mallory', 'verify', 'cell', 42, 'neutrophil')",
            "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, new_value) "
            "VALUES (" + idText + ", 'x', 'mallory', 'verify', 'cell', 42, 'neutrophil') "
            "ON CONFLICT (id) DO UPDATE SET new_value = excluded.new_value",
            "UPDATE OR REPLACE audit_log SET actor = 'mallory' WHERE id = " + idText,
            "DELETE FROM audit_log WHERE id = " + idText,
        };
        for (const QByteArray &sql : attacks) {
            auto result = db().execScript(sql.toStdString());
            QVERIFY2(!result.ok(), sql.constData());
            QVERIFY2(QString::fromStdString(result.error()).contains(QStringLiteral("append-only")),
                     result.error().c_str());
        }
        // The same from a plain connection that knows nothing of CytoDiff.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("raw-audit.cytodiff"));
        {
            auto file = Database::open(path);
            VERIFY_OK(file);
            VERIFY_OK(file->appendAudit(entry));
        }
        sqlite3 *raw = nullptr;
        QCOMPARE(sqlite3_open(path.toUtf8().constData(), &raw), SQLITE_OK);
        for (const char *sql : {"UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log",
                                "INSERT OR REPLACE INTO audit_log (id, at, actor, action, entity, entity_id) "
                                "SELECT id, at, 'mallory', action, entity, entity_id FROM audit_log"})
            QVERIFY2(sqlite3_exec(raw, sql, nullptr, nullptr, nullptr) != SQLITE_OK, sql);
        sqlite3_close(raw);
        auto reopened = Database::open(path);
        VERIFY_OK(reopened);
        auto log = reopened->auditLog(QStringLiteral("cell"), 42);
        VERIFY_OK(log);
        QCOMPARE(log->size(), 1);
        QCOMPARE(log->first().actor, QStringLiteral("dr b"));
        QCOMPARE(db().auditLog(QStringLiteral("cell"), 42)->first().newValue, QStringLiteral("blast"));
    }

    void labelledCellsStreamWithFilters()
    {
        addCell("n1", QStringLiteral("neutrophil"));
        addCell("u1");
        addCell("l1", QStringLiteral("lymphocyte"));
        auto other = db().createCase({QStringLiteral("S-2"), {}, {}, {}, {}, {}, {}});
        VERIFY_OK(db().insertCell(makeCell(*other, "n2", QStringLiteral("neutrophil"))));

        auto cursor = db().labelledCells();
        VERIFY_OK(cursor);
        LabelledCell cell;
        QStringList seen;
        while (*cursor->next(cell))
            seen.append(cell.labelClass + QLatin1Char(':') + QString::fromLatin1(cell.image));
        QCOMPARE(seen, (QStringList{QStringLiteral("neutrophil:n1"), QStringLiteral("lymphocyte:l1"),
                                    QStringLiteral("neutrophil:n2")}));

        LabelledCellQuery query;
        query.classes = {QStringLiteral("neutrophil")};
        query.caseId = m_caseId;
        query.withImages = false;
        auto filtered = db().labelledCells(query);
        QVERIFY(*filtered->next(cell));
        QCOMPARE(cell.caseName, QStringLiteral("S-1"));
        QVERIFY(cell.image.isEmpty());
        QVERIFY(!*filtered->next(cell));
        QCOMPARE(*db().countLabelledCells(query), qint64(1));
        QCOMPARE(*db().countLabelledCells(), qint64(3));
    }

    void expertLabelsAreKeptWithHistory()
    {
        const qint64 cell = addCell("a");
        auto labeller = db().addLabeller(QStringLiteral("Expert 1"), 12);
        VERIFY_OK(labeller);
        QCOMPARE(*db().addLabeller(QStringLiteral("Expert 1"), 12), *labeller); // same name, same id
        VERIFY_OK(db().addExpertLabel(cell, *labeller, QStringLiteral("monocyte"), LabelConfidence::Moderate));
        VERIFY_OK(db().addExpertLabel(cell, *labeller, QStringLiteral("lymphocyte"), LabelConfidence::High));
        QVERIFY(!db().addExpertLabel(cell, 999, QStringLiteral("x"), LabelConfidence::Low).ok());

        auto labels = db().labelsOfCell(cell);
        QCOMPARE(labels->size(), 2);
        QCOMPARE(labels->at(1).confidence, LabelConfidence::High);
        auto log = db().auditLog(QStringLiteral("cell"), cell);
        QCOMPARE(log->size(), 2);
        QCOMPARE(log->at(1).oldValue, QStringLiteral("monocyte/Moderate"));
        QCOMPARE(log->at(1).newValue, QStringLiteral("lymphocyte/High"));
        QCOMPARE(db().listLabellers()->first().yearsExperience, 12);
        QCOMPARE(labelConfidenceFromName(QStringLiteral("low")), std::optional(LabelConfidence::Low));
    }

    void transactionRollsBackUnlessCommitted()
    {
        {
            auto transaction = Transaction::begin(db());
            VERIFY_OK(transaction);
            addCell("gone");
        }
        QCOMPARE(db().cellIdsOfCase(m_caseId)->size(), 0);
        {
            auto outer = Transaction::begin(db());
            addCell("kept");
            {
                auto inner = Transaction::begin(db()); // a savepoint
                VERIFY_OK(inner);
                addCell("inner rolled back");
            }
            {
                auto inner = Transaction::begin(db());
                addCell("inner kept");
                VERIFY_OK(inner->commit());
            }
            VERIFY_OK(outer->commit());
        }
        QCOMPARE(db().cellIdsOfCase(m_caseId)->size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "test_database.moc"
