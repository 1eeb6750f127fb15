// A labelling session end to end, offscreen, with scripted key presses and
// clicks: two labellers each create a session through the dialog (sharing
// a common subset), label it blinded with the review's class keys and
// H/M/L/N for the confidence (or the buttons), use Backspace to change a
// class and to take back an answer (and see what was taken back), close
// and resume, and see their answers listed at the end; then the database,
// the consensus (with a tie) and Cohen's kappa are checked against values
// worked out by hand, and the agreement window shows them and the
// disagreeing cell. A 32-cell workspace checks the new-session defaults and
// class check boxes; the labeller, audit and labelling windows fit.

#include "agreementreportview.h"
#include "cellclasskeys.h"
#include "cellclassnames.h"
#include "labellingcellmodel.h"
#include "labellingdialogs.h"
#include "labellingdisagreementview.h"
#include "labellingview.h"
#include "labellinganalysis.h"
#include "mainwindow.h"
#include "uitesthelpers.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QFile>
#include <QFont>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
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

    // Confidence levels as the script numbers them: 1 High ... 4 No.
    static db::LabelConfidence level(int number) { return labellingConfidenceKeys().at(number - 1).confidence; }

    // Presses the class key, then the confidence key (level 1-4).
    void answer(LabellingView &view, const QString &classId, int confidenceLevel)
    {
        const int key = keyOf(view, classId);
        QVERIFY(key != 0);
        QTest::keyClick(&view, Qt::Key(key));
        QCOMPARE(view.phase(), LabellingView::Phase::ChooseConfidence);
        QCOMPARE(view.chosenClass(), classId);
        QTest::keyClick(&view, Qt::Key(labellingConfidenceKeys().at(confidenceLevel - 1).key));
    }

    // The same with the mouse: the class button, then the confidence button.
    void answerByClicking(LabellingView &view, const QString &classId, int confidenceLevel)
    {
        auto *classButton = view.findChild<QPushButton *>(QStringLiteral("labellingClass_") + classId);
        QVERIFY(classButton);
        QVERIFY(classButton->isVisible() && classButton->isEnabled());
        QTest::mouseClick(classButton, Qt::LeftButton);
        QCOMPARE(view.phase(), LabellingView::Phase::ChooseConfidence);
        QCOMPARE(view.chosenClass(), classId);
        QVERIFY(classButton->isChecked()); // marked while the confidence is asked for
        auto *confidenceButton = view.findChild<QPushButton *>(QStringLiteral("labellingConfidence_")
                                                               + db::labelConfidenceName(level(confidenceLevel)));
        QVERIFY(confidenceButton);
        QVERIFY(confidenceButton->isEnabled());
        const int before = view.position();
        QTest::mouseClick(confidenceButton, Qt::LeftButton);
        QCOMPARE(view.position(), before + 1);
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
        m_case = *m_db->createCase({QStringLiteral("LAB-1"), {}, {}, {}, {}, {}, {}});
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
        // The consensus and the disagreements are in the GUI too.
        auto *agreement = menu->findChild<QAction *>(QStringLiteral("labellingAgreementAction"));
        QVERIFY(agreement);
        QVERIFY(menu->actions().contains(agreement));
        QVERIFY(agreement->text().contains(QStringLiteral("disagreements")));
    }

    // One key scheme: the review's class keys (1-9, V, S, A) and confidence
    // keys that none of them uses.
    void labellingUsesTheReviewKeys()
    {
        const QList<LabellingKey> keys = labellingKeys(labelling::defaultClasses());
        QCOMPARE(keys.size(), 10);
        QString order;
        for (const LabellingKey &key : keys) {
            QCOMPARE(key.keyText, CellClassKeys::keyText(key.classId));
            QCOMPARE(CellClassKeys::classForKey(key.key), key.classId);
            order += key.keyText;
        }
        QCOMPARE(order, QStringLiteral("123456789A")); // the buttons follow the keys
        for (const LabellingConfidenceKey &confidence : labellingConfidenceKeys()) {
            QVERIFY(CellClassKeys::classForKey(confidence.key).isEmpty());
            for (const LabellingKey &key : keys)
                QVERIFY(key.key != confidence.key);
        }
        // A class outside the review's table gets a letter that is neither a
        // class key (V, S, A) nor a confidence key (H, M, L, N): "Hairy
        // cell" gets I.
        const QList<LabellingKey> other = labellingKeys({kNeut, QStringLiteral("hairy_cell")});
        QCOMPARE(other.size(), 2);
        QCOMPARE(other[1].keyText, QStringLiteral("I"));
        QCOMPARE(other[1].key, int(Qt::Key_I));
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
        // The default ten classes each have their review key, shown on a
        // button.
        QCOMPARE(view.keys().size(), 10);
        for (const auto &key : view.keys()) {
            QCOMPARE(key.keyText, CellClassKeys::keyText(key.classId));
            auto *button = view.findChild<QPushButton *>(QStringLiteral("labellingClass_") + key.classId);
            QVERIFY(button);
            QVERIFY2(button->text().contains(QStringLiteral("[%1]").arg(key.keyText)), qPrintable(button->text()));
            QVERIFY(button->text().contains(CellClassNames::displayName(key.classId)));
        }
        for (const LabellingConfidenceKey &key : labellingConfidenceKeys()) {
            auto *button = view.findChild<QPushButton *>(QStringLiteral("labellingConfidence_")
                                                         + db::labelConfidenceName(key.confidence));
            QVERIFY(button);
            QVERIFY(button->text().contains(QStringLiteral("[%1]").arg(key.keyText)));
            QVERIFY(!button->isEnabled()); // no class chosen yet
        }
        // The side panel's texts wrap instead of being cut.
        auto *side = view.findChild<QWidget *>(QStringLiteral("labellingSidePanel"));
        QVERIFY(side);
        for (const QLabel *label : side->findChildren<QLabel *>())
            QVERIFY2(label->wordWrap(), qPrintable(label->text()));
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
                // ... or replaced by another class key ...
                QTest::keyClick(&view, Qt::Key(keyOf(view, QStringLiteral("blast"))));
                QTest::keyClick(&view, Qt::Key(keyOf(view, QStringLiteral("platelet"))));
                QCOMPARE(view.phase(), LabellingView::Phase::ChooseConfidence);
                QCOMPARE(view.chosenClass(), QStringLiteral("platelet"));
                QTest::keyClick(&view, Qt::Key_Backspace);
                // ... and a wrong answer taken back after it, saying so.
                answer(view, QStringLiteral("platelet"), 4);
                QCOMPARE(view.position(), 1);
                QTest::keyClick(&view, Qt::Key_Backspace);
                QCOMPARE(view.position(), 0);
                QCOMPARE(view.currentCellId(), cell);
                QCOMPARE(view.statusText(),
                         LabellingView::tr("Undone: cell %1, %2. Answer it again.")
                             .arg(1)
                             .arg(labellingAnswerText(QStringLiteral("platelet"), db::LabelConfidence::No)));
                QVERIFY(view.statusText().contains(CellClassNames::displayName(QStringLiteral("platelet"))));
                auto *status = view.findChild<QLabel *>(QStringLiteral("labellingStatus"));
                QVERIFY(status && status->isVisible());
                undoneOnce = true;
            }
            // Confidence keys do nothing while a class is expected.
            QTest::keyClick(&view, Qt::Key(labellingConfidenceKeys().first().key));
            QCOMPARE(view.phase(), LabellingView::Phase::ChooseClass);
            answer(view, target, 1);
            // The next answer replaces the undo line.
            QVERIFY(!view.statusText().startsWith(QStringLiteral("Undone")));
        }
        QCOMPARE(m_db->labellingSession(session)->position, 6);
        QVERIFY(m_db->labellingSession(session)->isComplete());
        // The platelet answer is kept but withdrawn.
        auto active = m_db->activeLabels();
        QCOMPARE(active->size(), 6);
        for (const auto &label : *active)
            QVERIFY(label.labelClass != QStringLiteral("platelet"));

        // At the end, Anna sees her own answers, in the order shown.
        auto *table = view.findChild<QTableView *>(QStringLiteral("labellingAnswers"));
        QVERIFY(table);
        QVERIFY(table->isVisible());
        QCOMPARE(table->editTriggers(), QAbstractItemView::NoEditTriggers);
        const LabellingCellModel *answers = view.answersModel();
        QCOMPARE(answers->rowCount(), 6);
        const auto cells = m_db->sessionCells(session);
        for (int row = 0; row < answers->rowCount(); ++row) {
            QCOMPARE(answers->cellId(row), cells->at(row).cellId);
            const qsizetype k = common.indexOf(answers->cellId(row));
            QCOMPARE(answers->text(row, 1), CellClassNames::displayName(k >= 0 ? annaCommon[k] : kNeut));
            QCOMPARE(answers->text(row, 2), labellingConfidenceText(db::LabelConfidence::High));
        }
        QVERIFY(!answers->thumbnail(0).isNull());
        QVERIFY(!(answers->flags(answers->index(0, 1)) & Qt::ItemIsEditable));
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
        auto runFor = [&](LabellingView &view, int answers, bool byClicking) {
            for (int i = 0; i < answers && view.phase() != LabellingView::Phase::Complete; ++i) {
                const qsizetype k = common.indexOf(view.currentCellId());
                const QString target = k >= 0 ? benCommon[k] : kNeut;
                const int confidence = k >= 0 ? benConfidence[k] : 1;
                if (byClicking)
                    answerByClicking(view, target, confidence);
                else
                    answer(view, target, confidence);
            }
        };
        {
            auto view = std::make_unique<LabellingView>(&*m_db, session);
            view->show();
            QVERIFY(QTest::qWaitForWindowExposed(view.get()));
            runFor(*view, 3, false);
            QCOMPARE(view->position(), 3);
        } // closed mid-session
        LabellingView resumed(&*m_db, session);
        resumed.show();
        QVERIFY(QTest::qWaitForWindowExposed(&resumed));
        QCOMPARE(resumed.position(), 3);
        QCOMPARE(resumed.currentCellId(), cells->at(3).cellId);
        // Ben goes on with the mouse: the buttons store the same answers
        // (checked by the hand computation below).
        runFor(resumed, 10, true);
        QCOMPARE(resumed.phase(), LabellingView::Phase::Complete);
        QCOMPARE(resumed.answersModel()->rowCount(), 6);
        for (auto *button : resumed.findChildren<QPushButton *>())
            if (button->objectName().startsWith(QStringLiteral("labellingClass_")))
                QVERIFY(!button->isEnabled());
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

    // The disagreement of common cell 2 (Anna neutrophil High, Ben
    // monocyte Low) with the cell, both answers and the consensus.
    void agreementWindowShowsTheDisagreeingCell()
    {
        const QList<qint64> common = commonCells();
        AgreementReportView view(&*m_db);
        view.resize(1000, 760);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto *disagreements = view.findChild<LabellingDisagreementView *>(QStringLiteral("disagreementView"));
        QVERIFY(disagreements);
        QVERIFY(view.tabs()->indexOf(disagreements) >= 0);
        view.tabs()->setCurrentWidget(disagreements);
        QVERIFY(view.tabs()->tabText(view.tabs()->indexOf(disagreements)).contains(QStringLiteral("(1)")));
        auto *table = disagreements->findChild<QTableView *>(QStringLiteral("disagreementTable"));
        QVERIFY(table && table->isVisible());

        const LabellingCellModel *cells = disagreements->cellModel();
        QCOMPARE(cells->rowCount(), 1);
        QCOMPARE(cells->cellId(0), common[2]);
        QCOMPARE(cells->headerData(1, Qt::Horizontal).toString(), QStringLiteral("Anna (20 y)"));
        QCOMPARE(cells->headerData(2, Qt::Horizontal).toString(), QStringLiteral("Ben (5 y)"));
        QCOMPARE(cells->text(0, 1), labellingAnswerText(kNeut, db::LabelConfidence::High));
        QCOMPARE(cells->text(0, 2), labellingAnswerText(kMono, db::LabelConfidence::Low));
        // The tie goes to Anna, the more experienced; Ben's answer lost.
        QVERIFY2(cells->text(0, 3).startsWith(CellClassNames::displayName(kNeut)), qPrintable(cells->text(0, 3)));
        QCOMPARE(cells->text(0, 4), QStringLiteral("1 of 2"));
        QVERIFY(cells->data(cells->index(0, 2), Qt::FontRole).value<QFont>().bold());
        QVERIFY(!cells->data(cells->index(0, 1), Qt::FontRole).isValid());
        // The cell itself, not only its number.
        QVERIFY(!cells->thumbnail(0).isNull());
        QVERIFY(cells->data(cells->index(0, 0), Qt::DecorationRole).canConvert<QPixmap>());

        // Per class, on the 4 common cells: neutrophil 3 answers, 2 of 3
        // ordered pairs agree (cell 0 both, cell 2 one): 67 %; lymphocyte
        // 2 of 2: 100 %.
        QTableWidget *classes = disagreements->classTable();
        QCOMPARE(classes->rowCount(), 3);
        QMap<QString, int> rowOf;
        for (int row = 0; row < classes->rowCount(); ++row)
            rowOf.insert(classes->item(row, 0)->text(), row);
        const int neutrophil = rowOf.value(CellClassNames::displayName(kNeut), -1);
        const int lymphocyte = rowOf.value(CellClassNames::displayName(kLymph), -1);
        QVERIFY(neutrophil >= 0 && lymphocyte >= 0);
        QCOMPARE(classes->item(neutrophil, 1)->text(), QLocale().toString(3));
        QVERIFY(classes->item(neutrophil, 2)->text().startsWith(QLocale().toString(67)));
        QVERIFY(classes->item(lymphocyte, 2)->text().startsWith(QLocale().toString(100)));

        // The consensus CSV of cytodiff-cli consensus, from the window.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("consensus.csv"));
        const auto saved = view.saveConsensusCsv(path);
        QVERIFY2(saved.ok(), saved.ok() ? "" : saved.error().c_str());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        auto data = labelling::loadLabellingData(*m_db);
        QVERIFY(data.ok());
        QCOMPARE(lines.size(), labelling::computeConsensus(*data).size() + 1);
        QVERIFY(lines.first().startsWith("cell_id,case,original_name,consensus_class"));
    }

    // The labeller table's headers are as wide as their text.
    void labellerTableHeadersFit()
    {
        LabellersDialog dialog(&*m_db);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("labellersTable"));
        QVERIFY(table);
        QHeaderView *header = table->horizontalHeader();
        const QString years = table->horizontalHeaderItem(1)->text();
        QTRY_VERIFY(header->sectionSize(1) >= header->fontMetrics().horizontalAdvance(years));
        QCOMPARE(table->horizontalHeaderItem(1)->toolTip(), years);
    }

    // The audit window was 2,320 px wide (one unwrapped sentence), its
    // buttons off a 1,440 px screen.
    void auditWindowFitsTheScreen()
    {
        AuditDialog dialog(&*m_db);
        QVERIFY2(dialog.sizeHint().width() <= 1000, qPrintable(QString::number(dialog.sizeHint().width())));
        QVERIFY2(dialog.minimumSizeHint().width() <= 1000,
                 qPrintable(QString::number(dialog.minimumSizeHint().width())));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(dialog.width() <= 1000);
        int buttons = 0;
        for (QPushButton *button : dialog.findChildren<QPushButton *>()) {
            if (!button->isVisible())
                continue;
            const QRect inDialog(button->mapTo(&dialog, QPoint(0, 0)), button->size());
            QVERIFY2(dialog.rect().contains(inDialog), qPrintable(button->text()));
            ++buttons;
        }
        QCOMPARE(buttons, 3); // Queue, Close finished reviews, Close
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

    // A new user's workspace: one case of 32 cells. The session proposes
    // what fits, says how many cells there are, and offers the classes as
    // check boxes (the workspace's own checked); a click on a class button
    // of the new session stores the answer.
    void newSessionFitsA32CellWorkspace()
    {
        auto opened = db::Database::openInMemory();
        QVERIFY(opened.ok());
        db::Database small = std::move(*opened);
        const qint64 caseId = *small.createCase({QStringLiteral("SMALL-32"), {}, {}, {}, {}, {}, {}});
        // Imported classes: neutrophil, lymphocyte, smudge (not one of the
        // paper's ten) and unlabelled; a model also predicted a class that
        // the review's key table does not know.
        const QStringList imported = {kNeut, kLymph, QStringLiteral("smudge"), QString()};
        for (int i = 0; i < 32; ++i) {
            auto inserted =
                small.insertCell(uitest::makeNewCell(caseId, 500 + i, imported[i % 4], QStringLiteral("X")));
            QVERIFY(inserted.ok());
            if (i == 0)
                QVERIFY(small.insertPrediction(inserted->cellId, QStringLiteral("model-x"),
                                               QStringLiteral("hairy_cell"), 0.5, 0.0, {}, 1)
                            .ok());
        }
        const auto eva = small.addLabeller(QStringLiteral("Eva"), 7);
        QVERIFY(eva.ok());

        NewSessionDialog dialog(&small);
        auto *size = dialog.findChild<QSpinBox *>(QStringLiteral("sessionSize"));
        auto *commonSize = dialog.findChild<QSpinBox *>(QStringLiteral("sessionCommon"));
        auto *available = dialog.findChild<QLabel *>(QStringLiteral("sessionAvailable"));
        auto *cases = dialog.findChild<QListWidget *>(QStringLiteral("sessionCases"));
        QVERIFY(size && commonSize && available && cases);
        QCOMPARE(dialog.availableCells(), 32);
        QCOMPARE(size->value(), 32);       // min(100, 32)
        QCOMPARE(commonSize->value(), 16); // min(20, 32 / 2)
        QVERIFY2(available->text().contains(QLocale().toString(32)), qPrintable(available->text()));
        // A size the user typed stays when the cases change; the default
        // subset follows them.
        size->setValue(24);
        QCOMPARE(cases->count(), 1);
        cases->item(0)->setCheckState(Qt::Unchecked);
        QCOMPARE(dialog.availableCells(), 0);
        cases->item(0)->setCheckState(Qt::Checked);
        QCOMPARE(size->value(), 24);
        QCOMPARE(commonSize->value(), 16);

        // Class check boxes, by display name, in key order.
        const QStringList proposed = dialog.classes();
        for (const QString &classId : labelling::defaultClasses())
            QVERIFY2(proposed.contains(classId), qPrintable(classId));
        QVERIFY(proposed.contains(QStringLiteral("smudge")));     // imported
        QVERIFY(proposed.contains(QStringLiteral("hairy_cell"))); // predicted
        QCOMPARE(proposed.first(), kNeut);                        // key 1
        QCOMPARE(proposed.last(), QStringLiteral("hairy_cell"));  // no review key: last
        auto *variant = dialog.findChild<QCheckBox *>(QStringLiteral("sessionClass_variant_lymphocyte"));
        QVERIFY(variant); // offered, unchecked: nothing in the workspace uses it
        QVERIFY(!variant->isChecked());
        QCOMPARE(variant->text(), CellClassNames::displayName(QStringLiteral("variant_lymphocyte")));
        auto *platelet = dialog.findChild<QCheckBox *>(QStringLiteral("sessionClass_platelet"));
        QVERIFY(platelet && platelet->isChecked());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        platelet->click();
        QVERIFY(!dialog.classes().contains(QStringLiteral("platelet")));
        QCOMPARE(dialog.classes().size(), proposed.size() - 1);

        dialog.setLabeller(*eva);
        const qint64 session = dialog.createSession(5);
        QVERIFY2(session > 0, qPrintable(dialog.errorText()));
        auto stored = small.labellingSession(session);
        QVERIFY(stored.ok());
        QCOMPARE(stored->classes, dialog.classes());
        QCOMPARE(stored->total, 24);
        QCOMPARE(small.commonCells()->size(), 16);
        dialog.hide();

        LabellingView view(&small, session);
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.keys().size(), stored->classes.size());
        QVERIFY(!view.findChild<QPushButton *>(QStringLiteral("labellingClass_platelet")));
        auto *hairy = view.findChild<QPushButton *>(QStringLiteral("labellingClass_hairy_cell"));
        QVERIFY(hairy);
        QVERIFY(hairy->text().contains(QStringLiteral("[I]")));
        const qint64 first = view.currentCellId();
        answerByClicking(view, QStringLiteral("smudge"), 2);
        const auto answers = db::sessionAnswers(small, session);
        QVERIFY(answers.ok());
        QCOMPARE(answers->size(), 1);
        QCOMPARE(answers->first().cellId, first);
        QCOMPARE(answers->first().labelClass, QStringLiteral("smudge"));
        QVERIFY(answers->first().confidence == db::LabelConfidence::Moderate);
        QVERIFY(view.statusText().contains(CellClassNames::displayName(QStringLiteral("smudge"))));
    }
};

QTEST_MAIN(TestLabellingSession)
#include "test_labellingsession.moc"
