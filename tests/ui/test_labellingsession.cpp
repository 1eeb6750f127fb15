// A labelling session end to end, offscreen, with scripted key presses:
// two labellers each create a session through the dialog (sharing a common
// subset), label it blinded with class letters and 1-4, use Backspace to
// change a class and to take back an answer, close and resume; then the
// database, the consensus (with a tie) and Cohen's kappa are checked
// against values worked out by hand, and the agreement report shows them.

#include "agreementreportview.h"
#include "labellingdialogs.h"
#include "labellingview.h"
#include "labellinganalysis.h"
#include "mainwindow.h"
#include "uitesthelpers.h"

#include <QApplication>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

#include <algorithm>
#include <memory>
#include <optional>

using namespace cytodiff;
using namespace cytodiff::ui;

namespace {

const QString kNeut = QStringLiteral("neutrophil");
const QString kLymph = QStringLiteral("lymphocyte");
const QString kMono = QStringLiteral("monocyte");

} // namespace

class TestLabellingSession : public QObject {
    Q_OBJECT

private:
    std::optional<db::Database> m_db;
    qint64 m_case = 0;
    qint64 m_anna = 0;
    qint64 m_ben = 0;

    int keyOf(const LabellingView &view, const QString &classId)
    {
        for (const auto &key : view.keys())
            if (key.classId == classId)
                return key.key;
        return 0;
    }

    // Presses the class letter, then the confidence digit (1-4).
    void answer(LabellingView &view, const QString &classId, int confidenceDigit)
    {
        const int key = keyOf(view, classId);
        QVERIFY(key != 0);
        QTest::keyClick(&view, Qt::Key(key));
        QCOMPARE(view.phase(), LabellingView::Phase::ChooseConfidence);
        QCOMPARE(view.chosenClass(), classId);
        QTest::keyClick(&view, Qt::Key(Qt::Key_0 + confidenceDigit));
    }

    qint64 createSession(qint64 labeller, const QString &name, quint64 seed)
    {
        NewSessionDialog dialog(&*m_db);
        dialog.setLabeller(labeller);
        dialog.setCases({m_case});
        dialog.setSessionName(name);
        dialog.setSize(6);
        dialog.setCommonSize(4);
        return dialog.createSession(seed);
    }

    // The common cells in id order: the script answers by this index.
    QList<qint64> commonCells()
    {
        auto common = m_db->commonCells();
        return common ? *common : QList<qint64>();
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("CytoDiffTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_labellingsession"));
        auto opened = db::Database::openInMemory();
        QVERIFY(opened.ok());
        m_db.emplace(std::move(*opened));
        m_case = *m_db->createCase({QStringLiteral("LAB-1"), {}, {}, {}, {}});
        for (int i = 0; i < 10; ++i) {
            // Names carry an export code on purpose: the view must not show them.
            auto cell = uitest::makeNewCell(m_case, 100 + i, QString(), QStringLiteral("SNE"));
            cell.originalName = QStringLiteral("SNE_%1.jpg").arg(i);
            auto inserted = m_db->insertCell(cell);
            QVERIFY(inserted.ok());
            QVERIFY(m_db->insertPrediction(inserted->cellId, QStringLiteral("model-x"), QStringLiteral("basophil"),
                                           0.9, 0.0, {}, 5).ok());
        }
        LabellersDialog labellers(&*m_db);
        QVERIFY(labellers.addLabeller(QStringLiteral("Anna"), 20));
        QVERIFY(labellers.addLabeller(QStringLiteral("Ben"), 5));
        const auto rows = m_db->listLabellers();
        for (const auto &row : *rows)
            (row.name == QStringLiteral("Anna") ? m_anna : m_ben) = row.id;
    }

    void cleanupTestCase() { m_db.reset(); }

    void mainWindowHasTheLabellingMenu()
    {
        MainWindow window;
        auto *menu = window.findChild<QMenu *>(QStringLiteral("labellingMenu"));
        QVERIFY(menu);
        QCOMPARE(menu->actions().size(), 7); // 5 actions, 2 separators
    }

    void annaLabelsWithUndo()
    {
        const qint64 session = createSession(m_anna, QStringLiteral("Anna 1"), 3);
        QVERIFY(session > 0);
        const QList<qint64> common = commonCells();
        QCOMPARE(common.size(), 4);

        LabellingView view(&*m_db, session);
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.isValid());
        QCOMPARE(view.total(), 6);
        // The default ten classes each have a letter, digits stay free.
        QCOMPARE(view.keys().size(), 10);
        for (const auto &key : view.keys())
            QVERIFY(key.key >= Qt::Key_A && key.key <= Qt::Key_Z);
        // Blinded: no file name, no prediction, no model shown anywhere.
        for (const QLabel *label : view.findChildren<QLabel *>()) {
            QVERIFY2(!label->text().contains(QStringLiteral("SNE_")), qPrintable(label->text()));
            QVERIFY(!label->text().contains(QStringLiteral("model-x")));
        }

        // Anna's script: common cells neut, lymph, neut, mono (all High);
        // her own cells neut High.
        const QStringList annaCommon = {kNeut, kLymph, kNeut, kMono};
        bool undoneOnce = false;
        while (view.phase() != LabellingView::Phase::Complete) {
            const qint64 cell = view.currentCellId();
            const qsizetype k = common.indexOf(cell);
            const QString target = k >= 0 ? annaCommon[k] : kNeut;
            if (!undoneOnce) {
                // A wrong class taken back before the confidence ...
                QTest::keyClick(&view, Qt::Key(keyOf(view, QStringLiteral("blast"))));
                QCOMPARE(view.phase(), LabellingView::Phase::ChooseConfidence);
                QTest::keyClick(&view, Qt::Key_Backspace);
                QCOMPARE(view.phase(), LabellingView::Phase::ChooseClass);
                // ... and a wrong answer taken back after it.
                answer(view, QStringLiteral("platelet"), 4);
                QCOMPARE(view.position(), 1);
                QTest::keyClick(&view, Qt::Key_Backspace);
                QCOMPARE(view.position(), 0);
                QCOMPARE(view.currentCellId(), cell);
                undoneOnce = true;
            }
            // Digits do nothing while a class is expected.
            QTest::keyClick(&view, Qt::Key_2);
            QCOMPARE(view.phase(), LabellingView::Phase::ChooseClass);
            answer(view, target, 1);
        }
        QCOMPARE(m_db->labellingSession(session)->position, 6);
        QVERIFY(m_db->labellingSession(session)->isComplete());
        // The platelet answer is kept but withdrawn.
        auto active = m_db->activeLabels();
        QCOMPARE(active->size(), 6);
        for (const auto &label : *active)
            QVERIFY(label.labelClass != QStringLiteral("platelet"));
    }

    void benLabelsClosesAndResumes()
    {
        const qint64 session = createSession(m_ben, QStringLiteral("Ben 1"), 8);
        QVERIFY(session > 0);
        const QList<qint64> common = commonCells();
        QCOMPARE(common.size(), 4); // the same subset, reused
        auto cells = m_db->sessionCells(session);
        int shared = 0;
        for (const auto &cell : *cells)
            shared += common.contains(cell.cellId) && cell.common;
        QCOMPARE(shared, 4);

        // Ben: common cells neut H, lymph M, mono L, mono H; own cells neut H.
        const QStringList benCommon = {kNeut, kLymph, kMono, kMono};
        const QList<int> benConfidence = {1, 2, 3, 1};
        auto runFor = [&](LabellingView &view, int answers) {
            for (int i = 0; i < answers && view.phase() != LabellingView::Phase::Complete; ++i) {
                const qsizetype k = common.indexOf(view.currentCellId());
                answer(view, k >= 0 ? benCommon[k] : kNeut, k >= 0 ? benConfidence[k] : 1);
            }
        };
        {
            auto view = std::make_unique<LabellingView>(&*m_db, session);
            view->show();
            QVERIFY(QTest::qWaitForWindowExposed(view.get()));
            runFor(*view, 3);
            QCOMPARE(view->position(), 3);
        } // closed mid-session
        LabellingView resumed(&*m_db, session);
        resumed.show();
        QVERIFY(QTest::qWaitForWindowExposed(&resumed));
        QCOMPARE(resumed.position(), 3);
        QCOMPARE(resumed.currentCellId(), cells->at(3).cellId);
        runFor(resumed, 10);
        QCOMPARE(resumed.phase(), LabellingView::Phase::Complete);
    }

    void consensusAndKappaMatchTheHandComputation()
    {
        auto data = labelling::loadLabellingData(*m_db);
        QVERIFY(data.ok());
        const QList<qint64> common = commonCells();
        // Common cell 2: Anna (20 y) neutrophil vs Ben (5 y) monocyte: tie
        // -> Anna's neutrophil; confidence (High 1 + Low 1/3) / 2 = 2/3.
        const auto consensus = labelling::computeConsensus(*data);
        QCOMPARE(consensus[common[2]].labelClass, kNeut);
        QVERIFY(consensus[common[2]].tieBroken);
        QVERIFY(qAbs(consensus[common[2]].confidence - 2.0 / 3.0) < 1e-12);
        QCOMPARE(consensus[common[3]].labelClass, kMono);

        // Cohen (Anna, Ben) on the 4 common cells (their other cells differ):
        // agree on cells 0, 1, 3 -> po = 3/4. Anna neut 2, lymph 1, mono 1;
        // Ben neut 1, lymph 1, mono 2: pe = 2/16 + 1/16 + 2/16 = 5/16.
        // kappa = (12/16 - 5/16) / (11/16) = 7/11.
        const auto report = labelling::computeAgreement(*data);
        QCOMPARE(report.pairs.size(), 1);
        QVERIFY(report.pairs[0].kappa);
        QCOMPARE(report.pairs[0].kappa->items, 4);
        QVERIFY(qAbs(report.pairs[0].kappa->kappa - 7.0 / 11.0) < 1e-12);
        // Confidence pairs: H-H twice (x2 ordered), H-M, M-H, H-L, L-H.
        QCOMPARE(report.confidence[0][0], 4LL);
        QCOMPARE(report.confidence[0][1], 1LL);
        QCOMPARE(report.confidence[2][0], 1LL);
        QCOMPARE(report.orderedComparisons, 8LL);

        AgreementReportView view(&*m_db);
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.kappaTable()->rowCount(), 2);
        QVERIFY(view.kappaTable()->item(0, 1)->text().contains(QLocale().toString(7.0 / 11.0, 'f', 2)));
        QCOMPARE(view.confidenceTable()->item(0, 0)->text(), QLocale().toString(4));
    }

    void auditThroughTheDialogAndTheBlindedView()
    {
        LabellersDialog labellers(&*m_db);
        QVERIFY(labellers.addLabeller(QStringLiteral("Cara"), 10));
        QVERIFY(labellers.addLabeller(QStringLiteral("Dan"), 3));
        const QList<qint64> common = commonCells();
        // A cross-validated model says monocyte where the consensus (tie
        // broken for Anna) says neutrophil.
        QVERIFY(m_db->insertPrediction(common[2], QStringLiteral("crossval:t:fold1of3:m"), kMono, 0.7, 0.0, {}, 9).ok());
        AuditDialog dialog(&*m_db);
        QPushButton *queue = nullptr;
        for (auto *button : dialog.findChildren<QPushButton *>())
            if (button->text() == AuditDialog::tr("Queue disagreements"))
                queue = button;
        QVERIFY(queue);
        queue->click();
        auto items = m_db->auditItems();
        QCOMPARE(items->size(), 1);
        QCOMPARE(items->at(0).cellId, common[2]);
        QCOMPARE(dialog.findChild<QTableWidget *>()->rowCount(), 1);

        // Both reviewers (the two who never saw the cell) answer monocyte in
        // their audit sessions; the second answer closes the item.
        const auto sessions = m_db->listLabellingSessions();
        int reviewed = 0;
        for (const auto &session : *sessions) {
            if (session.kind != db::SessionKind::Audit)
                continue;
            QVERIFY(session.labellerName == QStringLiteral("Cara") || session.labellerName == QStringLiteral("Dan"));
            LabellingView view(&*m_db, session.id);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            QCOMPARE(view.currentCellId(), common[2]);
            answer(view, kMono, 2);
            QCOMPARE(view.phase(), LabellingView::Phase::Complete);
            ++reviewed;
        }
        QCOMPARE(reviewed, 2);
        items = m_db->auditItems();
        QCOMPARE(items->at(0).status, QStringLiteral("resolved"));
        // Anna neutrophil; Ben, Cara, Dan monocyte -> monocyte 3:1.
        QCOMPARE(items->at(0).consensusAfter, kMono);
        auto data = labelling::loadLabellingData(*m_db);
        QCOMPARE(labelling::computeConsensus(*data)[common[2]].labelClass, kMono);
        const auto log = m_db->auditLog(QStringLiteral("cell"), common[2]);
        QCOMPARE(log->last().action, QStringLiteral("audit"));
        QCOMPARE(log->last().oldValue, kNeut);
        QCOMPARE(log->last().newValue, kMono);
    }
};

QTEST_MAIN(TestLabellingSession)
#include "test_labellingsession.moc"
