// The blinded Turing test end to end (issue 6): a test is built in the
// background from a case and the tiny committed model (cancel leaves
// nothing), every image is a same-size PNG without metadata, two readers
// are driven through it with scripted key presses (one is interrupted and
// resumes), and the database and the computed results match what the
// script answered. The "real" side here is model-generated too: no
// ../shared image is ever used, so the optional screenshots may be
// committed.
//
// CYTODIFF_SCREENSHOT_DIR=<dir> writes turing-reader.png and
// turing-results.png there; CYTODIFF_TURING_MODEL=<model.pt> uses another
// model (the shipped one makes cells that look like cells), and
// CYTODIFF_TURING_STEPS its DDIM steps:
//   CYTODIFF_TURING_MODEL=models/cytodiff-v2-pbc8.pt CYTODIFF_TURING_STEPS=50
//   CYTODIFF_SCREENSHOT_DIR=docs/screenshots build/tests/ui/test_turing
// (one command line).

#include "appsettings.h"
#include "cellclasskeys.h"
#include "democase.h"
#include "engine.h"
#include "mainwindow.h"
#include "proportion.h"
#include "reviewtesthelpers.h"
#include "turingbuilddialog.h"
#include "turingbuildjob.h"
#include "turingmenu.h"
#include "turingreaderview.h"
#include "turingresultsview.h"
#include "turingstore.h"

#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using namespace cytodiff::ui;

namespace {

#define VERIFY_OK(expression)                                                                                   \
    do {                                                                                                        \
        const auto &result_ = (expression);                                                                     \
        QVERIFY2(result_.ok(), result_.ok() ? "" : result_.error().c_str());                                    \
    } while (false)

constexpr int kPerClass = 2;
const QStringList kClasses = {QStringLiteral("neutrophil"), QStringLiteral("lymphocyte")};

// DDIM steps: few for the tiny model (speed); CYTODIFF_TURING_STEPS=50
// with the shipped model for screenshots.
int generationSteps()
{
    const int steps = qEnvironmentVariableIntValue("CYTODIFF_TURING_STEPS");
    return steps > 0 ? steps : 6;
}

QString modelPath()
{
    const QByteArray override = qgetenv("CYTODIFF_TURING_MODEL");
    return override.isEmpty() ? uitest::tinyModelPath() : QString::fromLocal8Bit(override);
}

// PNG chunk types in file order: a test image must carry pixels only.
QStringList pngChunks(const QByteArray &png)
{
    QStringList chunks;
    qsizetype at = 8;
    while (at + 8 <= png.size()) {
        const quint32 length = (quint32(uchar(png[at])) << 24) | (quint32(uchar(png[at + 1])) << 16) |
                               (quint32(uchar(png[at + 2])) << 8) | quint32(uchar(png[at + 3]));
        chunks << QString::fromLatin1(png.mid(at + 4, 4));
        at += 12 + qsizetype(length);
    }
    return chunks;
}

// What a scripted reader answers for one image.
struct Scripted {
    db::TuringTruth answer;
    QString answerClass;
};

int keyFor(const TuringReaderView &view, const QString &classId)
{
    for (const TuringReaderView::AnswerKey &key : view.answerKeys()) {
        if (key.classId == classId)
            return key.key;
    }
    return 0;
}

} // namespace

class TestTuring : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_workspace;
    qint64 m_caseId = 0;
    qint64 m_testId = 0;
    std::unique_ptr<MainWindow> m_window;

    TuringMenu *menu() const { return m_window->findChild<TuringMenu *>(); }

    // Answers the images from the reader's current position up to `count`
    // of them with key presses, following `script` (keyed by image id).
    void answerWithKeys(TuringReaderView *view, int count, const std::function<Scripted(qint64)> &script)
    {
        db::TuringStore store(*m_window->database());
        const QList<qint64> order = *store.presentationOrder(view->readerId());
        for (int i = 0; i < count; ++i) {
            QCOMPARE(view->step(), TuringReaderView::Step::Truth);
            const qint64 imageId = order[view->position()];
            const Scripted answer = script(imageId);
            const int before = view->position();
            QTest::keyClick(view, answer.answer == db::TuringTruth::Real ? Qt::Key_R : Qt::Key_S);
            QCOMPARE(view->step(), TuringReaderView::Step::CellType);
            const int key = keyFor(*view, answer.answerClass);
            QVERIFY(key != 0);
            QTest::keyClick(view, Qt::Key(key));
            QCOMPARE(view->position(), before + 1);
        }
    }

    QHash<qint64, db::TuringImageRow> imagesById()
    {
        QHash<qint64, db::TuringImageRow> byId;
        const auto images = db::TuringStore(*m_window->database()).images(m_testId);
        for (const db::TuringImageRow &row : *images)
            byId.insert(row.id, row);
        return byId;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::useTinyModel();
        m_workspace = m_dir.filePath(QStringLiteral("turing.cytodiff"));
        m_window = std::make_unique<MainWindow>();
        VERIFY_OK(m_window->openWorkspace(m_workspace));

        // The "real" side: cells generated by the model itself (never
        // ../shared images), written as a labelled case.
        auto model = engine::Model::load(modelPath().toStdString());
        VERIFY_OK(model);
        demo::DemoCaseOptions options;
        options.cellsPerClass = kPerClass + 1; // one spare per class
        options.steps = generationSteps();
        options.seed = 99;
        auto cells = demo::generateDemoCells(*model, options);
        VERIFY_OK(cells);
        db::Database &database = *m_window->database();
        auto caseId = database.createCase({QStringLiteral("REAL-STAND-IN"), {}, {}, {}, {}, {}, {}});
        VERIFY_OK(caseId);
        m_caseId = *caseId;
        int seed = 0;
        for (const demo::DemoCell &cell : *cells) {
            if (!kClasses.contains(cell.classId))
                continue; // the other classes have no labelled cells: left out of the test
            db::NewCell row = uitest::makeNewCell(m_caseId, ++seed, cell.classId, cell.classId);
            row.image = cell.png;
            row.width = row.height = cell.side;
            row.sha256 = QString::fromLatin1(QCryptographicHash::hash(cell.png, QCryptographicHash::Sha256).toHex());
            VERIFY_OK(database.insertCell(row));
        }
    }

    void menuIsThere()
    {
        QVERIFY(menu());
        QVERIFY(menu()->menu());
        QCOMPARE(menu()->menu()->title(), QStringLiteral("&Turing test"));
        QVERIFY(m_window->menuBar()->actions().contains(menu()->menu()->menuAction()));
        QCOMPARE(menu()->menu()->actions().size(), 3);
    }

    void cancellingABuildWritesNothing()
    {
        TuringBuildDialog dialog(*m_window->database(), modelPath());
        dialog.setCase(m_caseId);
        dialog.setPerClass(kPerClass);
        dialog.setSteps(400); // long enough to be cancelled mid-way
        dialog.setTestName(QStringLiteral("cancelled"));
        QSignalSpy finished(dialog.job(), &TuringBuildJob::finished);
        QVERIFY(dialog.startBuild());
        QVERIFY(!dialog.startBuild()); // one at a time
        dialog.reject(); // Esc / Cancel: asks the worker to stop
        QVERIFY(finished.wait(20000));
        QVERIFY(dialog.job()->outcome().cancelled);
        QCOMPARE(uitest::scalar(m_workspace, "SELECT COUNT(*) FROM turing_tests"), qint64(0));
        QCOMPARE(uitest::scalar(m_workspace, "SELECT COUNT(*) FROM turing_images"), qint64(0));
    }

    void buildATest()
    {
        TuringBuildDialog dialog(*m_window->database(), modelPath());
        dialog.setCase(m_caseId);
        dialog.setPerClass(kPerClass);
        dialog.setSteps(generationSteps());
        dialog.setTestName(QStringLiteral("Pilot"));
        dialog.setSeed(5);
        QSignalSpy built(&dialog, &TuringBuildDialog::built);
        QSignalSpy progress(dialog.job(), &TuringBuildJob::progress);
        QVERIFY(dialog.startBuild());
        QVERIFY(uitest::waitUntil([&] { return !dialog.job()->isRunning(); }, 60000));
        const TuringBuildOutcome &outcome = dialog.job()->outcome();
        QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
        QCOMPARE(built.size(), 1);
        QVERIFY(progress.size() > 0);
        m_testId = outcome.testId;
        QVERIFY(m_testId > 0);
        QCOMPARE(outcome.realImages, kPerClass * int(kClasses.size()));
        QCOMPARE(outcome.syntheticImages, kPerClass * int(kClasses.size()));
        QCOMPARE(outcome.skippedClasses.size(), 6); // the tiny model knows 8 classes

        db::TuringStore store(*m_window->database());
        auto test = store.testById(m_testId);
        VERIFY_OK(test);
        QCOMPARE(test->name, QStringLiteral("Pilot"));
        QVERIFY(test->modelId.contains(QLatin1Char('@')));
        QCOMPARE(test->classNames.size(), 8);
        auto images = store.images(m_testId);
        VERIFY_OK(images);
        QCOMPARE(images->size(), 2 * kPerClass * int(kClasses.size()));
        QSet<QString> codes;
        QHash<QString, int> perClassAndTruth;
        for (const db::TuringImageRow &image : *images) {
            codes << image.code;
            QCOMPARE(image.code.size(), 10);
            perClassAndTruth[image.classId + db::turingTruthName(image.truth)] += 1;
            if (image.truth == db::TuringTruth::Real)
                QVERIFY(image.sourceCellId.has_value());
            else
                QVERIFY(!image.sourceCellId.has_value() && image.sourceRef.isEmpty());
            // Same size, same encoding, pixels only.
            auto png = store.imagePng(image.id);
            VERIFY_OK(png);
            QImage picture;
            QVERIFY(picture.loadFromData(*png, "PNG"));
            QCOMPARE(picture.width(), test->imageSize);
            QCOMPARE(picture.height(), test->imageSize);
            QStringList chunks = pngChunks(*png);
            chunks.removeDuplicates(); // the pixels may span several IDAT chunks
            QCOMPARE(chunks, QStringList({QStringLiteral("IHDR"), QStringLiteral("IDAT"), QStringLiteral("IEND")}));
        }
        QCOMPARE(codes.size(), int(images->size()));
        for (const QString &cls : kClasses) {
            QCOMPARE(perClassAndTruth.value(cls + QStringLiteral("real")), kPerClass);
            QCOMPARE(perClassAndTruth.value(cls + QStringLiteral("synthetic")), kPerClass);
        }
    }

    void aReaderAnswersWithKeysAndResumes()
    {
        QVERIFY(m_testId > 0);
        QCOMPARE(menu()->openReader(m_testId, QStringLiteral("Ann")), QString());
        TuringReaderView *view = menu()->readerView();
        QVERIFY(view);
        auto reader = db::TuringStore(*m_window->database()).readers(m_testId);
        VERIFY_OK(reader);
        QCOMPARE(reader->size(), 1);
        QCOMPARE(view->readerId(), reader->first().id);
        QCOMPARE(view->total(), 2 * kPerClass * int(kClasses.size()));
        // Shown at the test's fixed size, pixel for pixel.
        const int side = db::TuringStore(*m_window->database()).testById(m_testId)->imageSize;
        QCOMPARE(view->imageLabel()->size(), QSize(side, side));
        QCOMPARE(view->imageLabel()->pixmap().size(), QSize(side, side));

        // Ann: right about real/synthetic except on synthetic lymphocytes,
        // and names the generating class except for real neutrophils.
        const auto byId = imagesById();
        auto ann = [&byId](qint64 imageId) {
            const db::TuringImageRow &image = byId.value(imageId);
            Scripted s{image.truth, image.classId};
            if (image.truth == db::TuringTruth::Synthetic && image.classId == QLatin1String("lymphocyte"))
                s.answer = db::TuringTruth::Real;
            if (image.truth == db::TuringTruth::Real && image.classId == QLatin1String("neutrophil"))
                s.answerClass = QStringLiteral("monocyte");
            return s;
        };

        // Backspace undoes real/synthetic before the cell type is given;
        // a class key in the first step does nothing.
        QTest::keyClick(view, Qt::Key_1);
        QCOMPARE(view->step(), TuringReaderView::Step::Truth);
        QTest::keyClick(view, Qt::Key_S);
        QCOMPARE(view->step(), TuringReaderView::Step::CellType);
        QTest::keyClick(view, Qt::Key_Backspace);
        QCOMPARE(view->step(), TuringReaderView::Step::Truth);
        QCOMPARE(view->position(), 0);

        answerWithKeys(view, 3, ann);
        QCOMPARE(uitest::scalar(m_workspace, "SELECT COUNT(*) FROM turing_answers"), qint64(3));
        if (const QByteArray dir = qgetenv("CYTODIFF_SCREENSHOT_DIR"); !dir.isEmpty()) {
            view->showNormal(); // the reader runs full screen; the picture is window-sized
            view->resize(900, 680);
            QTest::keyClick(view, Qt::Key_S); // shows the cell-type step with its keys
            QVERIFY(view->grab().save(QString::fromLocal8Bit(dir) + QStringLiteral("/turing-reader.png")));
            QTest::keyClick(view, Qt::Key_Backspace);
        }
        const QList<qint64> order = *db::TuringStore(*m_window->database()).presentationOrder(reader->first().id);

        // Interrupted: the window closes; the same name resumes at image 4
        // in the same order.
        view->close();
        QVERIFY(uitest::waitUntil([this] { return menu()->readerView() == nullptr; }, 5000));
        QCOMPARE(menu()->openReader(m_testId, QStringLiteral("Ann")), QString());
        view = menu()->readerView();
        QVERIFY(view);
        QCOMPARE(view->position(), 3);
        QCOMPARE(*db::TuringStore(*m_window->database()).presentationOrder(reader->first().id), order);
        QSignalSpy finished(view, &TuringReaderView::finished);
        answerWithKeys(view, view->total() - 3, ann);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(view->step(), TuringReaderView::Step::Done);
        // Keys after the end change nothing.
        QTest::keyClick(view, Qt::Key_R);
        QCOMPARE(uitest::scalar(m_workspace, "SELECT COUNT(*) FROM turing_answers"), qint64(view->total()));
        QCOMPARE(uitest::scalar(m_workspace, "SELECT COUNT(*) FROM turing_readers WHERE finished_at IS NOT NULL"),
                 qint64(1));
        view->close();
    }

    void aSecondReaderGetsAnIndependentOrder()
    {
        QCOMPARE(menu()->openReader(m_testId, QStringLiteral("Bob")), QString());
        TuringReaderView *view = menu()->readerView();
        QVERIFY(view);
        auto readers = db::TuringStore(*m_window->database()).readers(m_testId);
        VERIFY_OK(readers);
        QCOMPARE(readers->size(), 2);
        QCOMPARE(readers->at(1).name, QStringLiteral("Bob"));
        QCOMPARE(view->readerId(), readers->at(1).id);
        // Independent order: not Ann's (8! orders; equal only by a bug or
        // a 1-in-40320 chance, and the seed comes from the system).
        QVERIFY(*db::TuringStore(*m_window->database()).presentationOrder(readers->at(0).id) !=
                *db::TuringStore(*m_window->database()).presentationOrder(readers->at(1).id));
        // Bob calls everything synthetic and a neutrophil.
        answerWithKeys(view, view->total(), [](qint64) {
            return Scripted{db::TuringTruth::Synthetic, QStringLiteral("neutrophil")};
        });
        QCOMPARE(view->step(), TuringReaderView::Step::Done);
        view->close();
    }

    void resultsMatchTheScript()
    {
        QCOMPARE(menu()->openResults(m_testId), QString());
        TuringResultsView *view = menu()->resultsView();
        QVERIFY(view);
        const turing::TuringResults &results = view->results();
        QCOMPARE(results.readers.size(), 2);
        const int n = 2 * kPerClass * int(kClasses.size()); // 8 images
        const int synthetic = n / 2;

        // Ann (by hand): synthetic lymphocytes (2) called real, everything
        // else right: TP = 2, FN = 2, TN = 4, FP = 0 -> accuracy 6/8,
        // sensitivity 2/4, specificity 4/4. Cell type right on every
        // synthetic image: 4/4; on real ones wrong for the 2 neutrophils: 2/4.
        const turing::ReaderResult &ann = results.readers[0];
        QCOMPARE(ann.reader, QStringLiteral("Ann"));
        QVERIFY(ann.finished);
        QCOMPARE(ann.counts.truePositive, std::int64_t(2));
        QCOMPARE(ann.counts.falseNegative, std::int64_t(2));
        QCOMPARE(ann.counts.trueNegative, std::int64_t(4));
        QCOMPARE(ann.counts.falsePositive, std::int64_t(0));
        QCOMPARE(ann.accuracy.successes, std::int64_t(6));
        QCOMPARE(ann.accuracy.trials, std::int64_t(n));
        // 6 of 8 against 0.5: (1 + 8 + 28 + 28 + 8 + 1) / 256 = 74 / 256
        QVERIFY(std::fabs(ann.pValue - 74.0 / 256.0) < 1e-12);
        QCOMPARE(ann.sensitivity.value, 0.5);
        QCOMPARE(ann.specificity.value, 1.0);
        QCOMPARE(ann.syntheticClassAgreement.successes, std::int64_t(synthetic));
        QCOMPARE(ann.realClassAgreement.successes, std::int64_t(2));

        // Bob: all synthetic -> sensitivity 1, specificity 0, accuracy 4/8
        // (p = 1); neutrophil is right for the 2 synthetic neutrophils.
        const turing::ReaderResult &bob = results.readers[1];
        QCOMPARE(bob.reader, QStringLiteral("Bob"));
        QCOMPARE(bob.sensitivity.value, 1.0);
        QCOMPARE(bob.specificity.value, 0.0);
        QCOMPARE(bob.accuracy.successes, std::int64_t(4));
        QVERIFY(std::fabs(bob.pValue - 1.0) < 1e-12);
        QCOMPARE(bob.syntheticClassAgreement.successes, std::int64_t(2));

        // Pooled: 10 of 16 right; synthetic class agreement 6/8.
        QCOMPARE(results.pooled.accuracy.successes, std::int64_t(10));
        QCOMPARE(results.pooled.accuracy.trials, std::int64_t(2 * n));
        QCOMPARE(results.pooled.syntheticClassAgreement.successes, std::int64_t(6));
        QVERIFY(std::fabs(results.pooled.pValue - stats::binomialTestTwoSided(10, 16)) < 1e-12);

        // The table shows it, positive class stated.
        QTableWidget *table = view->table();
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->item(0, TuringResultsView::ReaderColumn)->text(), QStringLiteral("Ann"));
        QVERIFY2(table->item(0, TuringResultsView::AccuracyColumn)->text().startsWith(QStringLiteral("75.0%")),
                 qPrintable(table->item(0, TuringResultsView::AccuracyColumn)->text()));
        QVERIFY(table->item(2, TuringResultsView::ReaderColumn)->text().contains(QStringLiteral("Pooled")));
        QVERIFY(table->horizontalHeaderItem(TuringResultsView::SensitivityColumn)->text().contains(
            QStringLiteral("synthetic called synthetic")));
        auto *note = view->findChild<QLabel *>(QStringLiteral("turingResultsNote"));
        QVERIFY(note && note->text().contains(QStringLiteral("Positive class: <b>synthetic</b>")));

        // Long-format CSV for MRMC tools.
        const QString csvPath = m_dir.filePath(QStringLiteral("answers.csv"));
        VERIFY_OK(view->exportCsv(csvPath));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 2 * n);
        QCOMPARE(lines[0], QStringLiteral("reader,image,truth,answer,class,answer_class,time_ms"));
        QVERIFY(lines[1].startsWith(QStringLiteral("Ann,")));
        QCOMPARE(lines[1].split(QLatin1Char(',')).size(), 7);
        VERIFY_OK(view->exportReport(m_dir.filePath(QStringLiteral("report"))));
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("report/results.json"))));
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("report/results.md"))));

        if (const QByteArray dir = qgetenv("CYTODIFF_SCREENSHOT_DIR"); !dir.isEmpty()) {
            view->resize(1280, 300);
            QVERIFY(view->grab().save(QString::fromLocal8Bit(dir) + QStringLiteral("/turing-results.png")));
        }
        view->close();
    }

    // Field test (issue 19): the reader fills the screen and the main
    // window (labels, predictions) is hidden; class buttons in key order;
    // Esc closes; a name typed with other capitals resumes the reader.
    void readerIsBlindedOrderedAndClosesWithEsc()
    {
        QCOMPARE(menu()->openReader(m_testId, QStringLiteral("Cara Diaz")), QString());
        TuringReaderView *view = menu()->readerView();
        QVERIFY(view);
        QVERIFY(view->windowState() & Qt::WindowFullScreen);
        QVERIFY(!m_window->isVisible());
        QStringList classes;
        QList<int> shown;
        for (const TuringReaderView::AnswerKey &key : view->answerKeys()) {
            classes << key.classId;
            shown << key.key;
        }
        QList<int> expected;
        for (const ClassKey &entry : CellClassKeys::all()) {
            if (classes.contains(entry.classId))
                expected << entry.key;
        }
        QCOMPARE(shown, expected);
        QCOMPARE(shown.size(), 8); // the tiny model's eight classes, 1 to 9 without 7
        QVERIFY(view->findChild<QPushButton *>(QStringLiteral("turingCloseButton")));

        QTest::keyClick(view, Qt::Key_R);
        QTest::keyClick(view, Qt::Key_Escape); // back to real or synthetic first
        QCOMPARE(view->step(), TuringReaderView::Step::Truth);
        QTest::keyClick(view, Qt::Key_Escape);
        QVERIFY(uitest::waitUntil([this] { return menu()->readerView() == nullptr; }, 5000));
        QVERIFY(m_window->isVisible());

        QCOMPARE(menu()->openReader(m_testId, QStringLiteral("  cara DIAZ ")), QString());
        QVERIFY(menu()->readerView());
        QCOMPARE(uitest::scalar(m_workspace, "SELECT COUNT(*) FROM turing_readers WHERE name LIKE 'cara%'"),
                 qint64(1));
        menu()->readerView()->close();
        QVERIFY(uitest::waitUntil([this] { return menu()->readerView() == nullptr; }, 5000));
    }

    // The builder gets the model classification uses, not the (empty)
    // Settings entry.
    void builderGetsTheEffectiveModel()
    {
        const QString chosen = AppSettings::modelPath();
        AppSettings::setModelPath({});
        const QString effective = AppSettings::effectiveModelPath();
        if (effective.isEmpty()) {
            AppSettings::setModelPath(chosen);
            QSKIP("no shipped model installed or in the source tree");
        }
        auto *action = m_window->findChild<QMenu *>(QStringLiteral("turingTestMenu"))->actions().first();
        action->trigger();
        const auto dialogs = m_window->findChildren<TuringBuildDialog *>();
        QVERIFY(!dialogs.isEmpty());
        TuringBuildDialog *dialog = dialogs.last(); // the newest child

        QCOMPARE(dialog->modelPath(), effective);
        dialog->close();
        AppSettings::setModelPath(chosen);
    }

    void cleanupTestCase()
    {
        m_window.reset();
    }
};

QTEST_MAIN(TestTuring)
#include "test_turing.moc"
