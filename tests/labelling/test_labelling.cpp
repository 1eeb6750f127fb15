// core/labelling on a real (in-memory) workspace: consensus, agreement and
// disagreements from stored sessions (hand-computed values below), the
// session planner's common subset and default sizes, a session's answers,
// and the label audit from queue to logged outcome.

#include "disagreements.h"
#include "labelaudit.h"
#include "labellinganalysis.h"
#include "sessionplanner.h"

#include <QCryptographicHash>
#include <QSet>
#include <QTest>

#include <optional>

using namespace cytodiff;
using namespace cytodiff::db;
using namespace cytodiff::labelling;

#define VERIFY_OK(expression)                                                                                   \
    do {                                                                                                        \
        const auto &result_ = (expression);                                                                     \
        QVERIFY2(result_.ok(), result_.ok() ? "" : result_.error().c_str());                                    \
    } while (false)

namespace {

const QString kNeut = QStringLiteral("neutrophil");
const QString kLymph = QStringLiteral("lymphocyte");

} // namespace

class TestLabelling : public QObject {
    Q_OBJECT

private:
    std::optional<Database> m_db;
    qint64 m_case = 0;
    QList<qint64> m_cells;
    qint64 m_anna = 0, m_ben = 0, m_cara = 0, m_dan = 0;

    Database &db() { return *m_db; }

    qint64 labelAll(qint64 labeller, const QList<qint64> &cells, const QList<QPair<QString, LabelConfidence>> &answers)
    {
        NewLabellingSession session;
        session.name = QStringLiteral("s");
        session.labellerId = labeller;
        session.classes = defaultClasses();
        session.cellIds = cells;
        session.commonCells = {cells[0], cells[1]};
        auto id = db().createLabellingSession(session);
        if (!id)
            return -1;
        for (const auto &[labelClass, confidence] : answers)
            if (!db().answerCurrentCell(*id, labelClass, confidence))
                return -1;
        return *id;
    }

private slots:
    void init()
    {
        auto opened = Database::openInMemory();
        QVERIFY(opened.ok());
        m_db.emplace(std::move(*opened));
        m_case = *db().createCase({QStringLiteral("C"), {}, {}, {}, {}, {}, {}});
        m_cells.clear();
        for (int i = 0; i < 10; ++i) {
            NewCell cell;
            cell.caseId = m_case;
            cell.image = QByteArray::number(i);
            cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(cell.image, QCryptographicHash::Sha256).toHex());
            cell.width = cell.height = 16;
            cell.originalName = cell.sourcePath = QStringLiteral("c%1.png").arg(i);
            m_cells.append(db().insertCell(cell)->cellId);
        }
        m_anna = *db().addLabeller(QStringLiteral("Anna"), 20);
        m_ben = *db().addLabeller(QStringLiteral("Ben"), 4);
        m_cara = *db().addLabeller(QStringLiteral("Cara"), 10);
        m_dan = *db().addLabeller(QStringLiteral("Dan"), 2);
    }

    void cleanup() { m_db.reset(); }

    void consensusAndAgreementFromSessions()
    {
        const QList<qint64> four = m_cells.mid(0, 4);
        QVERIFY(labelAll(m_anna, four, {{kNeut, LabelConfidence::High}, {kLymph, LabelConfidence::High},
                                        {kNeut, LabelConfidence::Moderate}, {kLymph, LabelConfidence::Low}}) > 0);
        QVERIFY(labelAll(m_ben, four, {{kNeut, LabelConfidence::High}, {kNeut, LabelConfidence::Moderate},
                                       {kNeut, LabelConfidence::High}, {kLymph, LabelConfidence::No}}) > 0);
        auto data = loadLabellingData(db());
        VERIFY_OK(data);
        QCOMPARE(data->commonCells.size(), 2);

        // Cell 1: Anna (20 y) lymphocyte vs Ben (4 y) neutrophil -> tie ->
        // lymphocyte; confidence (1 + 2/3) / 2 = 5/6.
        // Cell 3: both lymphocyte, confidence (1/3 + 0) / 2 = 1/6.
        const auto consensus = computeConsensus(*data);
        QCOMPARE(consensus.size(), 4);
        QCOMPARE(consensus[m_cells[1]].labelClass, kLymph);
        QVERIFY(consensus[m_cells[1]].tieBroken);
        QVERIFY(qAbs(consensus[m_cells[1]].confidence - 5.0 / 6.0) < 1e-12);
        QCOMPARE(consensus[m_cells[3]].labelClass, kLymph);
        QVERIFY(qAbs(consensus[m_cells[3]].confidence - 1.0 / 6.0) < 1e-12);

        // Cohen (Anna, Ben) on 4 cells: agree on 0, 2, 3 -> po = .75;
        // Anna neut 2 lymph 2, Ben neut 3 lymph 1: pe = .5*.75 + .5*.25 = .5;
        // kappa = (.75 - .5) / .5 = .5. Cara and Dan answered nothing.
        const auto report = computeAgreement(*data);
        QCOMPARE(report.pairs.size(), 6);
        const auto &annaBen = report.pairs.at(0);
        QCOMPARE(annaBen.nameA, QStringLiteral("Anna"));
        QCOMPARE(annaBen.nameB, QStringLiteral("Ben"));
        QVERIFY(annaBen.kappa);
        QVERIFY(qAbs(annaBen.kappa->kappa - 0.5) < 1e-12);
        QVERIFY(!report.pairs.at(1).kappa); // Anna-Cara: nothing in common
        // Fleiss, 2 raters x 4 cells: Pbar = 3/4; p_lymph = 3/8, p_neut = 5/8,
        // Pe = 9/64 + 25/64 = 34/64; kappa = (48/64 - 34/64) / (30/64) = 7/15.
        QVERIFY(report.fleiss);
        QCOMPARE(report.fleissRaters, 2);
        QVERIFY(qAbs(report.fleiss->kappa - 7.0 / 15.0) < 1e-12);
        // Confidence pairs: H-H x2, H-M x2, M-H x2, L-No, No-L.
        QCOMPARE(report.confidence[0][0], 2LL);
        QCOMPARE(report.confidence[0][1], 2LL);
        QCOMPARE(report.confidence[1][0], 2LL);
        QCOMPARE(report.confidence[2][3], 1LL);
        QCOMPARE(report.orderedComparisons, 8LL);
        // The common subset (cells 0, 1): H-H x2, H-M, M-H.
        const auto common = computeAgreement(*data, AgreementScope::CommonSubset);
        QCOMPARE(common.cellsRated, 2);
        QCOMPARE(common.orderedComparisons, 4LL);
        QVERIFY(agreementMarkdown(report).contains(QStringLiteral("| Anna | Ben | 4 |")));
        QCOMPARE(agreementJson(report).value(QStringLiteral("fleiss")).toObject().value(QStringLiteral("raters_per_cell")).toInt(), 2);
    }

    void disagreementsPerClassAndPerCell()
    {
        const QList<qint64> four = m_cells.mid(0, 4);
        QVERIFY(labelAll(m_anna, four, {{kNeut, LabelConfidence::High}, {kLymph, LabelConfidence::High},
                                        {kNeut, LabelConfidence::Moderate}, {kLymph, LabelConfidence::Low}}) > 0);
        QVERIFY(labelAll(m_ben, four, {{kNeut, LabelConfidence::High}, {kNeut, LabelConfidence::Moderate},
                                       {kNeut, LabelConfidence::High}, {kLymph, LabelConfidence::No}}) > 0);
        auto data = loadLabellingData(db());
        VERIFY_OK(data);
        const auto report = computeDisagreements(*data);
        // 4 cells with two answers; only cell 1 differs (Anna lymphocyte,
        // Ben neutrophil; the tie goes to Anna's lymphocyte).
        QCOMPARE(report.cellsCompared, 4);
        QCOMPARE(report.cellsUnanimous, 3);
        QCOMPARE(report.disagreements.size(), 1);
        const CellDisagreement &cell = report.disagreements.first();
        QCOMPARE(cell.cellId, m_cells[1]);
        QVERIFY(cell.common);
        QCOMPARE(cell.answers.size(), 2);
        QCOMPARE(cell.answers[0].labellerId, m_anna); // by labeller id
        QCOMPARE(cell.answers[0].labelClass, kLymph);
        QVERIFY(cell.answers[0].confidence == LabelConfidence::High);
        QCOMPARE(cell.answers[1].labellerId, m_ben);
        QCOMPARE(cell.answers[1].labelClass, kNeut);
        QVERIFY(cell.answers[1].confidence == LabelConfidence::Moderate);
        QCOMPARE(cell.consensus.labelClass, kLymph);
        QVERIFY(cell.consensus.tieBroken);

        // Per class, n answers of the class per cell with r answers:
        // neutrophil on cells 0, 1, 2 with n = 2, 1, 2 (r = 2):
        // sum n(n-1) = 4, sum n(r-1) = 5 -> 4/5; lymphocyte on cells 1, 3
        // with n = 1, 2: 2/3. Classes by id.
        QCOMPARE(report.classes.size(), 2);
        const ClassAgreement &lymph = report.classes[0];
        const ClassAgreement &neut = report.classes[1];
        QCOMPARE(lymph.classId, kLymph);
        QCOMPARE(neut.classId, kNeut);
        QCOMPARE(neut.answers, 5);
        QVERIFY(neut.specificAgreement);
        QVERIFY(qAbs(*neut.specificAgreement - 4.0 / 5.0) < 1e-12);
        QCOMPARE(neut.consensusCells, 2);
        QCOMPARE(neut.unanimousCells, 2);
        QCOMPARE(lymph.answers, 3);
        QVERIFY(qAbs(*lymph.specificAgreement - 2.0 / 3.0) < 1e-12);
        QCOMPARE(lymph.consensusCells, 2);
        QCOMPARE(lymph.unanimousCells, 1);

        // The common subset is cells 0 and 1.
        const auto common = computeDisagreements(*data, AgreementScope::CommonSubset);
        QCOMPARE(common.cellsCompared, 2);
        QCOMPARE(common.disagreements.size(), 1);

        // Cara answers lymphocyte on cell 2: it differs now too, but its
        // consensus has 2 of 3 votes, so it comes after cell 1 (1 of 2):
        // the most divided first.
        NewLabellingSession session{QStringLiteral("c"), m_cara, SessionKind::Label, defaultClasses(),
                                    {m_cells[2]}, {}};
        auto cara = db().createLabellingSession(session);
        VERIFY_OK(cara);
        VERIFY_OK(db().answerCurrentCell(*cara, kLymph, LabelConfidence::Low));
        data = loadLabellingData(db());
        const auto three = computeDisagreements(*data);
        QCOMPARE(three.disagreements.size(), 2);
        QCOMPARE(three.disagreements[0].cellId, m_cells[1]);
        QCOMPARE(three.disagreements[1].cellId, m_cells[2]);
        QCOMPARE(three.disagreements[1].answers.size(), 3);
    }

    void defaultSessionSizesFitTheWorkspace()
    {
        // 100 cells and a subset of 20 when there are enough ...
        QCOMPARE(defaultSessionSizes(5000).size, 100);
        QCOMPARE(defaultSessionSizes(5000).commonSize, 20);
        // ... else all cells, half of them shared.
        QCOMPARE(defaultSessionSizes(32).size, 32);
        QCOMPARE(defaultSessionSizes(32).commonSize, 16);
        QCOMPARE(defaultSessionSizes(41).commonSize, 20);
        QCOMPARE(defaultSessionSizes(1).size, 1);
        QCOMPARE(defaultSessionSizes(1).commonSize, 0);
        QCOMPARE(defaultSessionSizes(0).size, 1); // a session has at least one cell
        // An existing subset is reused and must fit in the session.
        QCOMPARE(defaultSessionSizes(32, 40).size, 40);
        QCOMPARE(defaultSessionSizes(32, 40).commonSize, 40);
        QCOMPARE(defaultSessionSizes(500, 12).size, 100);
        QCOMPARE(defaultSessionSizes(500, 12).commonSize, 12);
    }

    void sessionAnswersAndWorkspaceClasses()
    {
        const QList<qint64> four = m_cells.mid(0, 4);
        const qint64 session = labelAll(m_anna, four, {{kNeut, LabelConfidence::High},
                                                       {kLymph, LabelConfidence::Low},
                                                       {kNeut, LabelConfidence::No}});
        QVERIFY(session > 0);
        auto answers = sessionAnswers(db(), session);
        VERIFY_OK(answers);
        QCOMPARE(answers->size(), 3);
        QCOMPARE(answers->at(1).position, 1);
        QCOMPARE(answers->at(1).cellId, m_cells[1]);
        QCOMPARE(answers->at(1).labelClass, kLymph);
        QVERIFY(answers->at(1).confidence == LabelConfidence::Low);
        // An answer taken back is no longer one of the session's answers;
        // the new one is.
        VERIFY_OK(db().undoLastAnswer(session));
        VERIFY_OK(db().answerCurrentCell(session, kLymph, LabelConfidence::Moderate));
        answers = sessionAnswers(db(), session);
        QCOMPARE(answers->size(), 3);
        QCOMPARE(answers->at(2).labelClass, kLymph);
        QVERIFY(answers->at(2).confidence == LabelConfidence::Moderate);

        // Classes in use: expert answers (a withdrawn one too), imported
        // labels and predictions; sorted, each once.
        NewCell labelled;
        labelled.caseId = m_case;
        labelled.image = QByteArrayLiteral("blast cell");
        labelled.sha256 =
            QString::fromLatin1(QCryptographicHash::hash(labelled.image, QCryptographicHash::Sha256).toHex());
        labelled.width = labelled.height = 16;
        labelled.originalName = labelled.sourcePath = QStringLiteral("b.png");
        labelled.labelClass = QStringLiteral("blast");
        VERIFY_OK(db().insertCell(labelled));
        VERIFY_OK(db().insertPrediction(m_cells[5], QStringLiteral("m"), QStringLiteral("smudge"), 0.5, 0.0, {}, 1));
        const auto classes = workspaceClasses(db());
        VERIFY_OK(classes);
        QCOMPARE(*classes, (QStringList{QStringLiteral("blast"), kLymph, kNeut, QStringLiteral("smudge")}));
        const auto sessionClasses = classesOfSessions(db());
        VERIFY_OK(sessionClasses);
        QCOMPARE(*sessionClasses, defaultClasses());
    }

    void plannerSharesTheCommonSubsetAndSpreadsTheRest()
    {
        SessionPlanRequest request;
        request.caseIds = {m_case};
        request.size = 4;
        request.commonSize = 2;
        request.seed = 7;
        auto first = planSession(db(), request);
        VERIFY_OK(first);
        QCOMPARE(first->cells.size(), 4);
        QCOMPARE(first->common.size(), 2);
        QVERIFY(!first->reusedCommon);
        NewLabellingSession session{QStringLiteral("a"), m_anna, SessionKind::Label, defaultClasses(), first->cells,
                                    first->common};
        VERIFY_OK(db().createLabellingSession(session));

        request.seed = 99;
        request.commonSize = 5; // ignored: the subset exists
        auto second = planSession(db(), request);
        VERIFY_OK(second);
        QVERIFY(second->reusedCommon);
        QCOMPARE(QSet<qint64>(second->common.begin(), second->common.end()),
                 QSet<qint64>(first->common.begin(), first->common.end()));
        // The two others are cells no session has yet.
        const QSet<qint64> firstCells(first->cells.begin(), first->cells.end());
        int fresh = 0;
        for (qint64 id : second->cells)
            fresh += !firstCells.contains(id);
        QCOMPARE(fresh, 2);

        request.size = 1; // smaller than the common subset
        QVERIFY(!planSession(db(), request).ok());
        request.caseIds.clear();
        QVERIFY(!planSession(db(), request).ok());
    }

    void auditQueuesReviewsAndChangesTheConsensus()
    {
        const QList<qint64> four = m_cells.mid(0, 4);
        labelAll(m_anna, four, {{kNeut, LabelConfidence::High}, {kLymph, LabelConfidence::High},
                                {kNeut, LabelConfidence::Moderate}, {kLymph, LabelConfidence::Low}});
        labelAll(m_ben, four, {{kNeut, LabelConfidence::High}, {kNeut, LabelConfidence::Moderate},
                               {kNeut, LabelConfidence::High}, {kLymph, LabelConfidence::No}});
        QVERIFY(!queueDisagreements(db(), {}).ok()); // no cross-validated predictions yet
        // Cross-validated predictions: only cell 1 (consensus lymphocyte)
        // disagrees; cell 4 has a prediction but no label.
        for (int i : {0, 1, 2, 3, 4}) {
            const QString predicted = (i == 3 || i == 4) ? kLymph : kNeut;
            VERIFY_OK(db().insertPrediction(m_cells[i], QStringLiteral("crossval:t:fold%1of2").arg(i % 2 + 1), predicted,
                                            0.8, 0.0, {}, 1));
        }
        auto queued = queueDisagreements(db(), {kNeut, kLymph});
        VERIFY_OK(queued);
        QCOMPARE(queued->compared, 4);
        QCOMPARE(queued->agreeing, 3);
        QCOMPARE(queued->queued, 1);
        QCOMPARE(queued->sessionIds.size(), 2);
        auto items = db().auditItems();
        QCOMPARE(items->size(), 1);
        // Reviewers: the two who have not seen cell 1, Cara then Dan.
        QCOMPARE(QSet<qint64>(items->at(0).reviewerIds.begin(), items->at(0).reviewerIds.end()),
                 (QSet<qint64>{m_cara, m_dan}));

        auto waiting = resolveAudits(db(), QStringLiteral("label audit"));
        VERIFY_OK(waiting);
        QCOMPARE(waiting->waiting, 1);
        for (qint64 sessionId : queued->sessionIds) {
            auto session = db().labellingSession(sessionId);
            QVERIFY(session->kind == SessionKind::Audit);
            QCOMPARE(session->total, 1);
            VERIFY_OK(db().answerCurrentCell(sessionId, kNeut, LabelConfidence::High));
        }
        auto resolved = resolveAudits(db(), QStringLiteral("label audit"));
        VERIFY_OK(resolved);
        QCOMPARE(resolved->resolved, 1);
        QCOMPARE(resolved->changed, 1);
        // Now 3 of 4 answers say neutrophil.
        auto data = loadLabellingData(db());
        QCOMPARE(computeConsensus(*data)[m_cells[1]].labelClass, kNeut);
        QCOMPARE(db().auditItems()->at(0).consensusAfter, kNeut);
        auto log = db().auditLog(QStringLiteral("cell"), m_cells[1]);
        QCOMPARE(log->last().action, QStringLiteral("audit"));
        QCOMPARE(log->last().oldValue, kLymph);
        QCOMPARE(log->last().newValue, kNeut);
        // Queuing again adds nothing.
        auto again = queueDisagreements(db(), {});
        VERIFY_OK(again);
        QCOMPARE(again->queued, 0);
    }
};

QTEST_GUILESS_MAIN(TestLabelling)
#include "test_labelling.moc"
