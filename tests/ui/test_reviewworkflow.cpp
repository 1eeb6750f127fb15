// The review workflow as a haematologist goes through it, offscreen, with
// the tiny committed model: import -> classify in the background -> queue
// order -> reclassify by key -> undo/redo -> bulk reclassify -> confirm the
// rest -> sign -> amend -> export, checking the database after each step.
// Then the field test's points (issue 19): the reviewer's place after a
// reclassification, the name asked at the first sign-off, Sign and
// Classify off on a signed case, heatmaps that never hold up a move.

#include "appsettings.h"
#include "casebrowser.h"
#include "caseidentifiersdialog.h"
#include "casereport.h"
#include "caselistmodel.h"
#include "celldetailspanel.h"
#include "cellgallerymodel.h"
#include "cellgalleryview.h"
#include "classificationjob.h"
#include "classificationstatus.h"
#include "engine.h"
#include "differentialpanel.h"
#include "cellzoomdialog.h"
#include "heatmapview.h"
#include "importoutcome.h"
#include "mainwindow.h"
#include "reviewcontroller.h"
#include "reviewpriority.h"
#include "reviewqueuemodel.h"
#include "reviewqueuepanel.h"
#include "reviewtesthelpers.h"
#include "settingsdialog.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QItemSelectionModel>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <algorithm>
#include <tuple>

using namespace cytodiff;
using namespace cytodiff::ui;

class TestReviewWorkflow : public QObject {
    Q_OBJECT

    // Shows the window on a workspace and imports the export into it.
    static bool openAndImport(MainWindow &window, const QString &workspace, const QString &root)
    {
        window.setShowImportSummary(false);
        window.show();
        if (!window.openWorkspace(workspace).ok())
            return false;
        QSignalSpy imported(&window, &MainWindow::importFinished);
        return window.startImport(root) && imported.wait(30000);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("CytoDiffTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_reviewworkflow"));
        QVERIFY2(QFile::exists(uitest::tinyModelPath()), qPrintable(uitest::tinyModelPath()));
    }

    void init()
    {
        QSettings().clear();
        uitest::useTinyModel();
    }

    void importClassifyReviewSignExport()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("SLIDE-0412"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("neutrophil"), QStringLiteral("SNE"), 4},
                                          {QStringLiteral("lymphocyte"), QStringLiteral("LY"), 3},
                                          {QStringLiteral("monocyte"), QStringLiteral("MO"), 2},
                                          {QStringLiteral("erythroblast"), QStringLiteral("ERB"), 2},
                                          {QStringLiteral("basophil"), QStringLiteral("BA"), 1}}));
        const QString workspace = dir.filePath(QStringLiteral("ws.cytodiff"));
        MainWindow window;
        window.setShowImportSummary(false);
        window.resize(1400, 900);
        window.show();
        QVERIFY(window.openWorkspace(workspace).ok());

        // Import: classification starts by itself and fills the database.
        QSignalSpy classified(&window, &MainWindow::classificationFinished);
        QSignalSpy predictions(window.classificationJob(), &ClassificationJob::predictionReady);
        QVERIFY(window.startImport(root));
        QVERIFY(classified.wait(60000));
        const auto outcome = classified.first().first().value<ClassificationOutcome>();
        QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
        QCOMPARE(outcome.total, 12);
        QCOMPARE(outcome.classified, 12);
        QCOMPARE(predictions.size(), 12);
        QVERIFY(outcome.modelId.startsWith(QStringLiteral("tiny-pbc8@")));
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(*) FROM predictions WHERE model_id = ?", {outcome.modelId}), 12);
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(DISTINCT cell_id) FROM predictions"), 12);
        // The shipped baseline gave each cell a second opinion, stored apart.
        QVERIFY2(outcome.notice.isEmpty(), qPrintable(outcome.notice));
        QVERIFY(outcome.secondOpinionModelId.startsWith(QStringLiteral("baseline-pbc8@")));
        QCOMPARE(outcome.secondOpinions, 12);
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(*) FROM second_opinions WHERE model_id = ?",
                                {outcome.secondOpinionModelId}), 12);

        CaseBrowser *browser = window.caseBrowser();
        CellGalleryModel *cells = browser->galleryModel();
        QCOMPARE(cells->rowCount(), 12);
        for (int row = 0; row < cells->rowCount(); ++row) {
            QVERIFY(cells->cellAt(row)->hasPrediction);
            QVERIFY(!cells->cellAt(row)->secondOpinionClass.isEmpty());
        }
        // The header's progress follows the calls (it read "0 of 12 classified" to the end).
        auto *subtitle = browser->findChild<QLabel *>(QStringLiteral("gallerySubtitle"));
        QVERIFY(subtitle);
        QVERIFY2(subtitle->text().contains(QStringLiteral("12 cell")) && !subtitle->text().contains(QStringLiteral("classified")),
                 qPrintable(subtitle->text()));

        // Queue: every cell (threshold 100%), pinned groups first, then the
        // least confident first.
        ReviewQueuePanel *queue = browser->queuePanel();
        ReviewQueueModel *order = queue->queueModel();
        QCOMPARE(order->rowCount(), 12);
        const review::ReviewThresholds thresholds = cells->reviewThresholds();
        for (int row = 1; row < order->rowCount(); ++row) {
            const db::CellSummary *a = cells->cellAt(order->mapToSource(order->index(row - 1, 0)).row());
            const db::CellSummary *b = cells->cellAt(order->mapToSource(order->index(row, 0)).row());
            QVERIFY(!review::ReviewPriority::queueLess(*b, *a, thresholds));
            const int ga = int(review::ReviewPriority::group(*a, thresholds));
            const int gb = int(review::ReviewPriority::group(*b, thresholds));
            QVERIFY(ga <= gb);
            if (ga == gb)
                QVERIFY(review::ReviewPriority::sortMargin(*a) <= review::ReviewPriority::sortMargin(*b));
        }
        for (int row = 0; row < order->rowCount(); ++row) {
            const QModelIndex index = order->index(row, 0);
            if (index.data(CellGalleryModel::ReviewGroupRole).toInt() == int(review::ReviewGroup::Unidentified))
                QCOMPARE(index.data(CellGalleryModel::CaptionRole).toString(), QStringLiteral("Unidentified"));
        }

        // Signing is refused while the queue has unreviewed cells.
        QCOMPARE(window.reviewController()->signCheck().unreviewed, 12);
        QVERIFY(!window.signCurrentCase().ok());
        QCOMPARE(uitest::text(workspace, "SELECT status FROM cases"), QStringLiteral("open"));

        // Reclassify the first queue cell with key 3 (monocyte).
        browser->showPage(CaseBrowser::Page::Queue);
        CellGalleryView *view = queue->view();
        view->setFocus();
        queue->selectFirstUnreviewed();
        const qint64 first = queue->currentCellId();
        const QString importedLabel = uitest::text(workspace, "SELECT label_class FROM cells WHERE id = ?", {first});
        QCOMPARE(browser->detailsPanel()->cellId(), first);
        QTest::keyClick(view, Qt::Key_3);
        QCOMPARE(uitest::text(workspace, "SELECT label_class FROM cells WHERE id = ?", {first}), QStringLiteral("monocyte"));
        QVERIFY(cells->isReviewed(first));
        QVERIFY(queue->currentCellId() != first); // auto-advance
        const qint64 auditAfterEdit = uitest::scalar(workspace, "SELECT COUNT(*) FROM audit_log WHERE entity_id = ? "
                                                                "AND entity = 'cell'", {first});
        QVERIFY(auditAfterEdit >= 1);
        QCOMPARE(uitest::text(workspace, "SELECT actor FROM audit_log WHERE entity = 'cell' AND entity_id = ? "
                                         "ORDER BY id DESC LIMIT 1", {first}),
                 QStringLiteral("dr.test"));

        // Undo puts the imported label back and the cell back in the queue;
        // the log keeps both changes.
        QUndoStack *undo = window.reviewController()->undoStack();
        QCOMPARE(undo->count(), 1);
        undo->undo();
        QCOMPARE(uitest::text(workspace, "SELECT label_class FROM cells WHERE id = ?", {first}), importedLabel);
        QVERIFY(!cells->isReviewed(first));
        QVERIFY(uitest::scalar(workspace, "SELECT COUNT(*) FROM audit_log WHERE entity = 'cell' AND entity_id = ?", {first})
                > auditAfterEdit);
        undo->redo();
        QCOMPARE(uitest::text(workspace, "SELECT label_class FROM cells WHERE id = ?", {first}), QStringLiteral("monocyte"));
        QVERIFY(cells->isReviewed(first));

        // Bulk: three cells to neutrophil with one key, one undo step.
        const int start = order->indexOfCell(first).row() + 1;
        QItemSelection block(order->index(start, 0), order->index(start + 2, 0));
        view->selectionModel()->setCurrentIndex(order->index(start, 0), QItemSelectionModel::NoUpdate);
        view->selectionModel()->select(block, QItemSelectionModel::ClearAndSelect);
        QList<qint64> bulk;
        for (int row = start; row <= start + 2; ++row)
            bulk << order->cellId(order->index(row, 0));
        QTest::keyClick(view, Qt::Key_1);
        for (qint64 id : bulk)
            QCOMPARE(uitest::text(workspace, "SELECT label_class FROM cells WHERE id = ?", {id}), QStringLiteral("neutrophil"));
        QCOMPARE(undo->count(), 2);
        undo->undo();
        for (qint64 id : bulk)
            QVERIFY(!cells->isReviewed(id));
        undo->redo();
        for (qint64 id : bulk)
            QVERIFY(cells->isReviewed(id));

        // Confirm the rest with Space; auto-advance walks the queue.
        queue->selectFirstUnreviewed();
        for (int guard = 0; guard < 20 && order->unreviewedCount() > 0; ++guard)
            QTest::keyClick(view, Qt::Key_Space);
        QCOMPARE(order->unreviewedCount(), 0);
        QVERIFY2(window.reviewController()->signCheck().allowed, qPrintable(window.reviewController()->signCheck().reason));

        // The differential counts the reviewed classes.
        browser->showPage(CaseBrowser::Page::Differential);
        const review::Differential &d = browser->differentialPanel()->differential();
        const qint64 whiteInDb = uitest::scalar(workspace, "SELECT COUNT(*) FROM cells WHERE label_class IN "
                                                           "('neutrophil','lymphocyte','monocyte','basophil',"
                                                           "'eosinophil','ig','blast','variant_lymphocyte')");
        QCOMPARE(qint64(d.whiteCells), whiteInDb);

        // Sign: locked, logged.
        QVERIFY(window.signCurrentCase().ok());
        QCOMPARE(uitest::text(workspace, "SELECT status FROM cases"), QStringLiteral("signed"));
        QCOMPARE(uitest::text(workspace, "SELECT signed_by FROM cases"), QStringLiteral("dr.test"));
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(*) FROM audit_log WHERE action = 'sign'"), 1);
        QCOMPARE(undo->count(), 0);

        // After signing a change needs a reason: cancelled = nothing written,
        // given = an amendment in the log.
        browser->showPage(CaseBrowser::Page::Queue);
        view->setFocus();
        const qint64 target = queue->currentCellId() ? queue->currentCellId() : order->cellId(order->index(0, 0));
        view->selectionModel()->setCurrentIndex(order->indexOfCell(target), QItemSelectionModel::ClearAndSelect);
        const QString before = uitest::text(workspace, "SELECT label_class FROM cells WHERE id = ?", {target});
        const QString amended = before == QLatin1String("basophil") ? QStringLiteral("eosinophil") : QStringLiteral("basophil");
        window.setAmendmentReasonProvider([](int) { return QString(); });
        QTest::keyClick(view, amended == QLatin1String("basophil") ? Qt::Key_5 : Qt::Key_4);
        QCOMPARE(uitest::text(workspace, "SELECT label_class FROM cells WHERE id = ?", {target}), before);
        window.setAmendmentReasonProvider([](int) { return QStringLiteral("second look under oil"); });
        view->selectionModel()->setCurrentIndex(order->indexOfCell(target), QItemSelectionModel::ClearAndSelect);
        QTest::keyClick(view, amended == QLatin1String("basophil") ? Qt::Key_5 : Qt::Key_4);
        QCOMPARE(uitest::text(workspace, "SELECT label_class FROM cells WHERE id = ?", {target}), amended);
        QCOMPARE(uitest::text(workspace, "SELECT reason FROM audit_log WHERE action = 'amend' AND entity_id = ?", {target}),
                 QStringLiteral("second look under oil"));

        // Exports.
        const QString csvPath = dir.filePath(QStringLiteral("cells.csv"));
        QVERIFY(window.exportCellCsv(csvPath).ok());
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 13);
        QVERIFY(lines.first().startsWith("case,slide_id,specimen,accession,patient_id,cell_id,file"));
        QVERIFY(lines.first().contains("score_neutrophil"));
        QVERIFY(lines.at(1).startsWith("SLIDE-0412,"));
        const QString pdfPath = dir.filePath(QStringLiteral("report.pdf"));
        QVERIFY(window.exportReportPdf(pdfPath).ok());
        QFile pdf(pdfPath);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QVERIFY(pdf.size() > 2000);
    }

    void cancelAndResume()
    {
        uitest::useTinyModel(24); // slower cells, so cancel lands mid-case
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("resume"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("lymphocyte"), QStringLiteral("LY"), 24}}, 120, 500));
        AppSettings::setClassifyAfterImport(false);
        const QString workspace = dir.filePath(QStringLiteral("ws.cytodiff"));
        MainWindow window;
        window.setShowImportSummary(false);
        window.show();
        QVERIFY(window.openWorkspace(workspace).ok());
        QSignalSpy imported(&window, &MainWindow::importFinished);
        QVERIFY(window.startImport(root));
        QVERIFY(imported.wait(30000));
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(*) FROM predictions"), 0);

        const qint64 caseId = window.caseBrowser()->currentCaseId();
        ClassificationJob *job = window.classificationJob();
        QSignalSpy predictions(job, &ClassificationJob::predictionReady);
        QSignalSpy finished(&window, &MainWindow::classificationFinished);
        QVERIFY(window.startClassification(caseId).ok());
        QVERIFY(window.isClassifying());
        QVERIFY(uitest::waitUntil([&] { return predictions.size() >= 3; }, 30000));
        QVERIFY(window.classificationStatus()->isVisible());
        QVERIFY(window.classificationStatus()->text().contains(QStringLiteral("resume")));
        job->cancel();
        QVERIFY(finished.wait(30000));
        const auto stopped = finished.first().first().value<ClassificationOutcome>();
        QVERIFY(stopped.cancelled);
        const qint64 stored = uitest::scalar(workspace, "SELECT COUNT(*) FROM predictions");
        QCOMPARE(stored, qint64(stopped.classified));
        QVERIFY(stored >= 3 && stored < 24);
        // Each stored prediction kept its second opinion.
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(*) FROM second_opinions"), stored);
        QVERIFY(!window.isClassifying());

        // Resume: only the cells without a prediction from this model.
        finished.clear();
        QVERIFY(window.startClassification(caseId).ok());
        QVERIFY(finished.wait(60000));
        const auto resumed = finished.first().first().value<ClassificationOutcome>();
        QVERIFY(!resumed.cancelled);
        QCOMPARE(qint64(resumed.skipped), stored);
        QCOMPARE(resumed.classified, 24 - int(stored));
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(*) FROM predictions"), 24);
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(DISTINCT cell_id) FROM predictions"), 24);
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(DISTINCT cell_id) FROM second_opinions"), 24);

        // A third run has nothing to do.
        finished.clear();
        QVERIFY(window.startClassification(caseId).ok());
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().first().value<ClassificationOutcome>().classified, 0);
        QCOMPARE(uitest::scalar(workspace, "SELECT COUNT(*) FROM predictions"), 24);
    }

    void heatmapOverlayIsComputedOnDemandAndCached()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("heat"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("monocyte"), QStringLiteral("MO"), 3}}, 360, 900));
        MainWindow window;
        window.setShowImportSummary(false);
        window.resize(1400, 900);
        window.show();
        QVERIFY(window.openWorkspace(dir.filePath(QStringLiteral("ws.cytodiff"))).ok());
        QSignalSpy classified(&window, &MainWindow::classificationFinished);
        QVERIFY(window.startImport(root));
        QVERIFY(classified.wait(60000));

        CaseBrowser *browser = window.caseBrowser();
        QVERIFY(browser->selectCell(browser->galleryModel()->cellId(browser->galleryModel()->index(0))));
        HeatmapView *heatmap = browser->detailsPanel()->heatmapView();
        const QImage original = heatmap->shownPixmap().toImage();
        QVERIFY(!original.isNull());
        QVERIFY(!heatmap->targetClass().isEmpty());

        QSignalSpy ready(window.classificationJob(), &ClassificationJob::heatmapReady);
        heatmap->setMode(HeatmapView::Mode::Overlay);
        // Returns at once: the original stays up with a note until the map
        // arrives from the worker.
        QVERIFY(!heatmap->hasHeatmap());
        QVERIFY(heatmap->isComputing());
        QVERIFY(heatmap->statusText().contains(QStringLiteral("Computing")));
        QCOMPARE(heatmap->shownPixmap().toImage(), original);
        QVERIFY(ready.wait(30000));
        QVERIFY(!heatmap->isComputing());
        QVERIFY(heatmap->hasHeatmap());
        const QImage overlay = heatmap->shownPixmap().toImage();
        QVERIFY(!overlay.isNull());
        QVERIFY(overlay != original);
        heatmap->setOpacity(10);
        QVERIFY(heatmap->shownPixmap().toImage() != overlay);
        heatmap->setMode(HeatmapView::Mode::Heatmap);
        QVERIFY(heatmap->shownPixmap().toImage() != overlay);
        heatmap->setMode(HeatmapView::Mode::Original);
        QCOMPARE(heatmap->shownPixmap().toImage(), original);

        // The zoom window shows the stored image at full resolution (the
        // viewer only 256 px) and follows the viewer's mode.
        heatmap->showZoom();
        CellZoomDialog *zoom = heatmap->zoomDialog();
        QVERIFY(zoom);
        QVERIFY(zoom->isVisible());
        QCOMPARE(zoom->image().width(), 360);
        QVERIFY(original.width() < 360);
        QVERIFY(zoom->isFitted());
        zoom->showActualSize();
        QCOMPARE(zoom->zoomFactor(), 1.0);
        zoom->zoomBy(2.0);
        QCOMPARE(zoom->zoomFactor(), 2.0);
        QTest::keyClick(zoom, Qt::Key_F);
        QVERIFY(zoom->isFitted());
        const QImage zoomedOriginal = zoom->image().toImage();
        heatmap->setMode(HeatmapView::Mode::Overlay);
        QVERIFY(zoom->image().toImage() != zoomedOriginal);
        heatmap->setMode(HeatmapView::Mode::Original);
        zoom->close();

        // Cached: asking again answers at once, without the worker.
        ClassificationJob *job = window.classificationJob();
        ready.clear();
        job->requestHeatmap(browser->detailsPanel()->cellId());
        QCOMPARE(ready.size(), 1);

        // Moving to another cell with the overlay on never waits for its
        // map: the move returns with the original shown, the map follows.
        heatmap->setMode(HeatmapView::Mode::Overlay);
        QVERIFY(heatmap->hasHeatmap());
        const qint64 first = browser->detailsPanel()->cellId();
        const qint64 second = browser->galleryModel()->cellId(browser->galleryModel()->index(1));
        const qint64 third = browser->galleryModel()->cellId(browser->galleryModel()->index(2));
        QVERIFY(browser->selectCell(second));
        QCOMPARE(browser->detailsPanel()->cellId(), second);
        QVERIFY(!heatmap->hasHeatmap());
        QVERIFY(heatmap->isComputing());
        QVERIFY(heatmap->statusText().contains(QStringLiteral("Computing")));
        QCOMPARE(job->pendingHeatmapCell(), second);
        QVERIFY(uitest::waitUntil([&] { return heatmap->hasHeatmap(); }, 30000));
        QVERIFY(!heatmap->isComputing());
        QVERIFY(job->cachedHeatmap(first));
        // Back to the first cell: its map is shown at once, from the cache.
        QVERIFY(browser->selectCell(first));
        QVERIFY(heatmap->hasHeatmap());
        QVERIFY(!heatmap->isComputing());
        QCOMPARE(job->pendingHeatmapCell(), 0);
        // A cell passed over on the way is not worked on any more.
        QVERIFY(browser->selectCell(third));
        QCOMPARE(job->pendingHeatmapCell(), third);
        QVERIFY(browser->selectCell(first));
        QCOMPARE(job->pendingHeatmapCell(), 0);
        QVERIFY(heatmap->hasHeatmap());
        // Maps belong to the settings they were made with.
        ClassificationSettings other = job->settings();
        other.heatmapTrials += 1;
        job->setSettings(other);
        QVERIFY(!job->cachedHeatmap(first));
        QVERIFY(!job->cachedHeatmap(second));
    }

    void reclassifyingKeepsTheReviewersPlace()
    {
        // No model needed: unclassified cells are all in the queue.
        AppSettings::setClassifyAfterImport(false);
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("PLACE"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("neutrophil"), QStringLiteral("SNE"), 4},
                                          {QStringLiteral("lymphocyte"), QStringLiteral("LY"), 4}}, 64, 3000));
        MainWindow window;
        window.setShowImportSummary(false);
        window.show();
        QVERIFY(window.openWorkspace(dir.filePath(QStringLiteral("ws.cytodiff"))).ok());
        QSignalSpy imported(&window, &MainWindow::importFinished);
        QVERIFY(window.startImport(root));
        QVERIFY(imported.wait(30000));

        CaseBrowser *browser = window.caseBrowser();
        browser->showPage(CaseBrowser::Page::Queue);
        ReviewQueuePanel *queue = browser->queuePanel();
        ReviewQueueModel *order = queue->queueModel();
        CellGalleryView *view = queue->view();
        view->setFocus();
        QCOMPARE(order->rowCount(), 8);
        const auto row = [&] { return view->currentIndex().row(); };

        // First pass: each verdict moves on to the next cell.
        queue->selectFirstUnreviewed();
        QCOMPARE(row(), 0);
        QTest::keyClick(view, Qt::Key_3); // monocyte
        QCOMPARE(row(), 1);
        QTest::keyClick(view, Qt::Key_Space);
        QCOMPARE(row(), 2);
        const qint64 place = queue->currentCellId();

        // A re-sort puts the two reviewed cells last and keeps the place.
        queue->refreshOrder();
        QCOMPARE(queue->currentCellId(), place);
        const int firstReviewed = order->rowCount() - 2;
        QVERIFY(!order->index(firstReviewed - 1, 0).data(CellGalleryModel::ReviewedRole).toBool());
        QVERIFY(order->index(firstReviewed, 0).data(CellGalleryModel::ReviewedRole).toBool());

        // Going back over a reviewed cell and reclassifying it: the next
        // cell after it, not the first unreviewed one at the top.
        view->selectionModel()->setCurrentIndex(order->index(firstReviewed, 0), QItemSelectionModel::ClearAndSelect);
        const qint64 corrected = queue->currentCellId();
        QTest::keyClick(view, Qt::Key_4); // eosinophil
        QCOMPARE(browser->galleryModel()->workingClass(corrected), QStringLiteral("eosinophil"));
        QCOMPARE(row(), firstReviewed + 1);

        // Mid-queue among unreviewed cells: the next one below.
        view->selectionModel()->setCurrentIndex(order->index(2, 0), QItemSelectionModel::ClearAndSelect);
        QTest::keyClick(view, Qt::Key_1); // neutrophil
        QCOMPARE(row(), 3);
        // From the last row, the first cell still waiting.
        view->selectionModel()->setCurrentIndex(order->index(order->rowCount() - 1, 0),
                                                QItemSelectionModel::ClearAndSelect);
        QTest::keyClick(view, Qt::Key_1);
        QCOMPARE(row(), 0);
    }

    void signOffAsksForTheNameAndLocksSignAndClassify()
    {
        AppSettings::setClassifyAfterImport(false);
        // What older versions stored when Settings was closed with OK.
        AppSettings::setReviewerName(QStringLiteral("unknown"));
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("CASE-1"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("neutrophil"), QStringLiteral("SNE"), 3}}, 64, 3100));
        const QString workspace = dir.filePath(QStringLiteral("ws.cytodiff"));
        MainWindow window;
        QVERIFY(openAndImport(window, workspace, root));

        ReviewController *review = window.reviewController();
        QCOMPARE(AppSettings::storedReviewerName(), QString());
        QCOMPARE(review->reviewerName(), QString());
        auto *sign = window.findChild<QAction *>(QStringLiteral("signAction"));
        auto *classify = window.findChild<QAction *>(QStringLiteral("classifyAction"));
        QVERIFY(sign && classify);
        QVERIFY(sign->isEnabled());
        QVERIFY(classify->isEnabled());

        CellGalleryModel *cells = window.caseBrowser()->galleryModel();
        QList<qint64> ids;
        for (int r = 0; r < cells->rowCount(); ++r)
            ids << cells->cellId(cells->index(r));
        QVERIFY(review->confirm(ids).ok());
        QVERIFY2(review->signCheck().allowed, qPrintable(review->signCheck().reason));

        // Declining the question signs nothing.
        int asked = 0;
        review->setReviewerNameProvider([&asked] {
            ++asked;
            return QString();
        });
        QVERIFY(!window.signCurrentCase().ok());
        QCOMPARE(asked, 1);
        QCOMPARE(uitest::text(workspace, "SELECT status FROM cases"), QStringLiteral("open"));

        // Answering signs under that name, never "unknown", and keeps it.
        review->setReviewerNameProvider([&asked] {
            ++asked;
            return QStringLiteral("  Dr Ada Byron ");
        });
        QVERIFY(window.signCurrentCase().ok());
        QCOMPARE(asked, 2);
        QCOMPARE(uitest::text(workspace, "SELECT status FROM cases"), QStringLiteral("signed"));
        QCOMPARE(uitest::text(workspace, "SELECT signed_by FROM cases"), QStringLiteral("Dr Ada Byron"));
        QCOMPARE(AppSettings::storedReviewerName(), QStringLiteral("Dr Ada Byron"));
        QCOMPARE(review->reviewerName(), QStringLiteral("Dr Ada Byron"));

        // Signed: neither signed again nor classified again, from the
        // toolbar or the menu (the same actions)...
        QVERIFY(!sign->isEnabled());
        QVERIFY(!classify->isEnabled());
        QVERIFY(!window.startClassification(window.caseBrowser()->currentCaseId()).ok());
        // ...but a cell can still be amended, with a reason, by the signer.
        window.setAmendmentReasonProvider([](int) { return QStringLiteral("band form on second look"); });
        QVERIFY(review->reclassify({ids.first()}, QStringLiteral("monocyte")).ok());
        QCOMPARE(uitest::text(workspace, "SELECT label_class FROM cells WHERE id = ?", {ids.first()}),
                 QStringLiteral("monocyte"));
        QCOMPARE(uitest::text(workspace, "SELECT actor FROM audit_log WHERE action = 'amend'"),
                 QStringLiteral("Dr Ada Byron"));
        QCOMPARE(asked, 2); // known now: not asked again
    }

    // Issue 24: with LIS output on, signing needs the accession number; the
    // signed result lands in the drop folder as HL7, an amendment follows as
    // a corrected result, and a drop folder that is gone queues the
    // message in the workspace until it is sent.
    void signedResultReachesTheLisDropFolder()
    {
        AppSettings::setClassifyAfterImport(false);
        AppSettings::setReviewerName(QStringLiteral("Dr Ada Byron"));
        QTemporaryDir dir;
        const QString drop = dir.filePath(QStringLiteral("lis-drop"));
        QVERIFY(QDir().mkpath(drop));
        AppSettings::setLisOutputEnabled(true);
        AppSettings::setLisDropFolder(drop);
        AppSettings::setLisNames(QStringLiteral("HAEM"), QStringLiteral("LIS"), QStringLiteral("HOSP"));
        const QString fhir = dir.filePath(QStringLiteral("fhir"));
        QVERIFY(QDir().mkpath(fhir));
        AppSettings::setLisFhirFolder(fhir);
        const QString root = dir.filePath(QStringLiteral("CASE-L"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("lymphocyte"), QStringLiteral("LY"), 2}}, 64, 3300));
        const QString workspace = dir.filePath(QStringLiteral("ws.cytodiff"));
        {
            MainWindow window;
            QVERIFY(openAndImport(window, workspace, root));
            ReviewController *review = window.reviewController();
            CellGalleryModel *cells = window.caseBrowser()->galleryModel();
            QList<qint64> ids;
            for (int r = 0; r < cells->rowCount(); ++r)
                ids << cells->cellId(cells->index(r));
            QVERIFY(review->confirm(ids).ok());

            // No accession: the LIS could not file it, so no signature.
            QVERIFY(!review->signCheck().allowed);
            QVERIFY(review->signCheck().reason.contains(QStringLiteral("accession")));
            {
                auto db = db::Database::open(workspace);
                QVERIFY(db.ok());
                QVERIFY(db->setCaseIdentifiers(db->findCase(QStringLiteral("CASE-L"))->id,
                                               {QStringLiteral("A-2026-77"), {}, QStringLiteral("P 9"), {}},
                                               QStringLiteral("Dr Ada Byron"))
                            .ok());
            }
            QVERIFY2(review->signCheck().allowed, qPrintable(review->signCheck().reason));
            QVERIFY(window.signCurrentCase().ok());
            // Delivered in the background, with its own connection.
            QTRY_COMPARE_WITH_TIMEOUT(QDir(drop).entryList(QDir::Files).size(), 1, 10000);
            QStringList files = QDir(drop).entryList(QDir::Files, QDir::Name);
            QCOMPARE(files, QStringList{QStringLiteral("A-2026-77_CD0000000001.hl7")});
            QFile first(QDir(drop).filePath(files.first()));
            QVERIFY(first.open(QIODevice::ReadOnly));
            const QByteArray message = first.readAll();
            QVERIFY(message.startsWith("MSH|^~\\&|CytoDiff|HAEM|LIS|HOSP|"));
            QVERIFY(message.contains("OBR|1|A-2026-77|CASE-L|"));
            QVERIFY(message.contains("|26478-8^Lymphocytes/100 leukocytes in Blood^LN||100.0|%|"));
            // ... and the FHIR bundle beside it.
            QTRY_COMPARE_WITH_TIMEOUT(QDir(fhir).entryList(QDir::Files),
                                      QStringList{QStringLiteral("A-2026-77_CD0000000001-FHIR.json")}, 10000);

            // The share goes away; the amendment's corrected result waits.
            QVERIFY(QDir(drop).removeRecursively());
            window.setAmendmentReasonProvider([](int) { return QStringLiteral("monocyte on second look"); });
            QVERIFY(review->reclassify({ids.first()}, QStringLiteral("monocyte")).ok());
            auto *queued = window.findChild<QLabel *>(QStringLiteral("lisQueueLabel"));
            QVERIFY(queued);
            QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QMessageBox *>(QStringLiteral("errorBox")), 10000);
            QCOMPARE(uitest::text(workspace, "SELECT COUNT(*) FROM lis_messages WHERE sent_at IS NULL"),
                     QStringLiteral("1"));
            QVERIFY(uitest::text(workspace, "SELECT last_error FROM lis_messages WHERE sent_at IS NULL")
                        .contains(QStringLiteral("does not exist")));
            QVERIFY(!queued->isHidden());
            auto *retry = window.findChild<QAction *>(QStringLiteral("lisRetryAction"));
            QVERIFY(retry && retry->isEnabled());
            QVERIFY(QDir().mkpath(drop));
            retry->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(queued->isHidden(), 10000);
            files = QDir(drop).entryList(QDir::Files, QDir::Name);
            QCOMPARE(files, QStringList{QStringLiteral("A-2026-77_CD0000000003.hl7")}); // row 2: the first FHIR bundle
            QFile corrected(QDir(drop).filePath(files.first()));
            QVERIFY(corrected.open(QIODevice::ReadOnly));
            const QByteArray second = corrected.readAll();
            QVERIFY(second.contains("|50.0|%|")); // one of two lymphocytes is now a monocyte
            QVERIFY(second.contains("|||C|"));
        }
        AppSettings::setLisOutputEnabled(false);
        AppSettings::setLisFhirFolder(QString());
    }

    // Issue 24 item 2: red cells and platelets are recorded in the review,
    // printed in the report, and after sign-off changed only by amendment.
    void morphologyIsRecordedReportedAndAmended()
    {
        AppSettings::setClassifyAfterImport(false);
        AppSettings::setReviewerName(QStringLiteral("Dr Ada Byron"));
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("CASE-M"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("neutrophil"), QStringLiteral("SNE"), 2}}, 64, 3500));
        const QString workspace = dir.filePath(QStringLiteral("ws.cytodiff"));
        MainWindow window;
        QVERIFY(openAndImport(window, workspace, root));
        auto *panel = window.findChild<QWidget *>(QStringLiteral("morphologyPanel"));
        QVERIFY(panel);
        auto *save = panel->findChild<QPushButton *>(QStringLiteral("saveMorphology"));
        QVERIFY(save && !save->isEnabled()); // nothing changed
        panel->findChild<QComboBox *>(QStringLiteral("grade_anisocytosis"))->setCurrentIndex(2);
        panel->findChild<QComboBox *>(QStringLiteral("plateletEstimate"))->setCurrentIndex(1); // decreased
        auto *counted = panel->findChild<QCheckBox *>(QStringLiteral("schistocytesCounted"));
        counted->setChecked(true);
        panel->findChild<QDoubleSpinBox *>(QStringLiteral("schistocytes"))->setValue(2.5);
        QVERIFY(save->isEnabled());
        save->click();
        QVERIFY(!save->isEnabled()); // stored
        const QString data = uitest::text(workspace, "SELECT data FROM case_morphology");
        QVERIFY2(data.contains(QStringLiteral("\"anisocytosis\":2")), qPrintable(data));
        QVERIFY(data.contains(QStringLiteral("\"platelets\":\"decreased\"")));
        QCOMPARE(uitest::text(workspace, "SELECT action FROM audit_log WHERE entity = 'case' ORDER BY id DESC LIMIT 1"),
                 QStringLiteral("morphology"));
        auto input = window.currentReportInput();
        QVERIFY(input.ok());
        const QString html = CaseReport::reportHtml(*input);
        QVERIFY(html.contains(QStringLiteral("Anisocytosis 2+")));
        QVERIFY(html.contains(QStringLiteral("above 1%")));
        QVERIFY(html.contains(QStringLiteral("Platelet estimate: decreased")));

        // Signed: a change is an amendment with a reason.
        ReviewController *review = window.reviewController();
        CellGalleryModel *cells = window.caseBrowser()->galleryModel();
        QList<qint64> ids;
        for (int r = 0; r < cells->rowCount(); ++r)
            ids << cells->cellId(cells->index(r));
        QVERIFY(review->confirm(ids).ok());
        QVERIFY(window.signCurrentCase().ok());
        window.setAmendmentReasonProvider([](int) { return QStringLiteral("film re-read"); });
        panel->findChild<QComboBox *>(QStringLiteral("plateletEstimate"))->setCurrentIndex(2); // adequate
        save->click();
        QVERIFY(uitest::text(workspace, "SELECT data FROM case_morphology").contains(QStringLiteral("adequate")));
        QCOMPARE(uitest::text(workspace, "SELECT reason FROM audit_log WHERE action = 'amend'"),
                 QStringLiteral("film re-read"));
    }

    // A case unlike the model's training images (issue 21): after
    // classification the banner names how it differs, every cell is in the
    // queue whatever its confidence, and the check is in the workspace.
    void caseOutsideTheModelsDomainIsFlagged()
    {
        QTemporaryDir dir;
        // The tiny model with a reference no picture here matches: its
        // training images were 100 times sharper.
        const QString model = dir.filePath(QStringLiteral("tiny-with-reference.pt"));
        auto written = engine::rewriteModelCard(uitest::tinyModelPath().toStdString(), model.toStdString(),
                                                [](engine::ModelCard &card) -> Result<void> {
                                                    card.domainReference =
                                                        R"({"format":1,"images":100,"cell_found_share":1,)"
                                                        R"("features":{"sharpness":{"p01":50,"p50":60,"p99":70}}})";
                                                    return {};
                                                });
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().c_str());
        AppSettings::setModelPath(model);
        AppSettings::setReviewThresholds({}); // the shipped margin: confident cells stay out...
        const QString root = dir.filePath(QStringLiteral("OTHER-LAB"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("neutrophil"), QStringLiteral("SNE"), 4},
                                          {QStringLiteral("lymphocyte"), QStringLiteral("LY"), 3}}));
        const QString workspace = dir.filePath(QStringLiteral("ws.cytodiff"));
        MainWindow window;
        window.setShowImportSummary(false);
        window.resize(1200, 800);
        window.show();
        QVERIFY(window.openWorkspace(workspace).ok());
        QSignalSpy classified(&window, &MainWindow::classificationFinished);
        QSignalSpy imported(&window, &MainWindow::importFinished);
        QVERIFY(window.startImport(root));
        QVERIFY(classified.wait(60000));
        // The import already said so, from the images alone.
        QCOMPARE(imported.size(), 1);
        const auto importOutcome = imported.first().first().value<ImportOutcome>();
        QCOMPARE(importOutcome.domainWarnings.size(), 1);
        QVERIFY(importOutcome.domainWarnings.first().startsWith(QStringLiteral("OTHER-LAB: ")));
        const auto outcome = classified.first().first().value<ClassificationOutcome>();
        QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
        QVERIFY(outcome.outsideDomain);
        QVERIFY(outcome.domainWarning.contains(QStringLiteral("focus")));

        CaseBrowser *browser = window.caseBrowser();
        QVERIFY(browser->domainVerdict().outside);
        QVERIFY(browser->domainBanner()->isVisible());
        QVERIFY(browser->domainBanner()->text().contains(QStringLiteral("review every cell")));
        QCOMPARE(browser->queuePanel()->queueModel()->rowCount(), 7); // ...but not here
        QVERIFY(browser->galleryModel()->reviewThresholds().reviewEveryCell);
        QCOMPARE(uitest::scalar(workspace, "SELECT outside FROM case_domain_checks"), 1);

        // The shipped tiny model has no reference: no banner, no check.
        AppSettings::setModelPath(uitest::tinyModelPath());
        QSignalSpy again(&window, &MainWindow::classificationFinished);
        QVERIFY(window.startClassification(browser->currentCaseId()).ok());
        QVERIFY(again.wait(60000));
        QVERIFY(!again.first().first().value<ClassificationOutcome>().outsideDomain);
        QVERIFY(!browser->domainBanner()->isVisible());
        QCOMPARE(uitest::scalar(workspace, "SELECT outside FROM case_domain_checks"), 0);
    }

    void savedRangesGainTheShippedOnes()
    {
        // Ranges a laboratory saved before immature granulocytes had one.
        QSettings settings;
        settings.setValue(QStringLiteral("review/referenceRanges"),
                          QStringList({QStringLiteral("neutrophil:40:70"), QStringLiteral("basophil:0:2")}));
        settings.setValue(QStringLiteral("review/referenceSource"), QStringLiteral("Lab SOP 12 v3"));
        settings.sync();
        review::ReferenceRanges ranges = AppSettings::referenceRanges();
        QCOMPARE(ranges.find(QStringLiteral("neutrophil"))->lowPercent, 40.0);
        QVERIFY(ranges.find(QStringLiteral("ig")).has_value());
        QCOMPARE(ranges.find(QStringLiteral("ig"))->highPercent, 1.0);
        QVERIFY(ranges.source.startsWith(QStringLiteral("Lab SOP 12 v3")));
        QVERIFY(ranges.source.contains(QStringLiteral("Immature granulocyte")));
        // Saved again (now without a blast range, on purpose): kept so.
        ranges.ranges.erase(std::remove_if(ranges.ranges.begin(), ranges.ranges.end(),
                                           [](const review::ReferenceRange &r) { return r.classId == QLatin1String("blast"); }),
                            ranges.ranges.end());
        AppSettings::setReferenceRanges(ranges);
        QVERIFY(!AppSettings::referenceRanges().find(QStringLiteral("blast")).has_value());
        QVERIFY(AppSettings::referenceRanges().find(QStringLiteral("ig")).has_value());
    }

    void settingsDialogWritesTheSettings()
    {
        {
            // No name given yet: the field stays empty (the login name shown
            // there would be saved as if chosen).
            AppSettings::setReviewerName(QString());
            SettingsDialog empty;
            QVERIFY(empty.findChild<QLineEdit *>(QStringLiteral("reviewerName"))->text().isEmpty());
            AppSettings::setReviewerName(QStringLiteral("dr.test"));
        }
        SettingsDialog dialog;
        auto *model = dialog.findChild<QLineEdit *>(QStringLiteral("modelPath"));
        QVERIFY(model);
        QCOMPARE(QDir::fromNativeSeparators(model->text()), uitest::tinyModelPath());
        QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("modelInfo"))->text().contains(QStringLiteral("8 classes")));
        auto *second = dialog.findChild<QCheckBox *>(QStringLiteral("secondOpinion"));
        QVERIFY(second && second->isChecked()); // on by default
        QVERIFY(!AppSettings::effectiveSecondOpinionPath().isEmpty());
        second->setChecked(false);
        dialog.findChild<QSpinBox *>(QStringLiteral("maxTrials"))->setValue(40);
        dialog.findChild<QSpinBox *>(QStringLiteral("marginThreshold"))->setValue(35);
        dialog.findChild<QLineEdit *>(QStringLiteral("reviewerName"))->setText(QStringLiteral("Dr Who"));
        dialog.findChild<QLineEdit *>(QStringLiteral("referenceSource"))->setText(QStringLiteral("Lab SOP 12 v3"));
        auto *ranges = dialog.findChild<QTableWidget *>(QStringLiteral("referenceRanges"));
        ranges->item(0, 1)->setText(QStringLiteral("40")); // neutrophil low
        dialog.save();
        QCOMPARE(AppSettings::maxTrials(), 40);
        QVERIFY(!AppSettings::secondOpinion());
        QVERIFY(AppSettings::effectiveSecondOpinionPath().isEmpty());
        QCOMPARE(AppSettings::reviewThresholds().marginBelow, 0.35);
        QCOMPARE(AppSettings::reviewThresholds().criticalAgreedMargin, 0.995); // the default
        QCOMPARE(AppSettings::reviewerName(), QStringLiteral("Dr Who"));
        {
            // A laboratory that wants every critical call in the queue.
            auto *everyCritical = dialog.findChild<QCheckBox *>(QStringLiteral("queueEveryCriticalCall"));
            auto *criticalMargin = dialog.findChild<QDoubleSpinBox *>(QStringLiteral("criticalAgreedMargin"));
            QVERIFY(everyCritical && criticalMargin && !everyCritical->isChecked());
            QCOMPARE(criticalMargin->value(), 99.5);
            criticalMargin->setValue(98.0);
            dialog.save();
            QCOMPARE(AppSettings::reviewThresholds().criticalAgreedMargin, 0.98);
            everyCritical->setChecked(true);
            QVERIFY(!criticalMargin->isEnabled());
            dialog.save();
            QCOMPARE(AppSettings::reviewThresholds().criticalAgreedMargin, review::kEveryCriticalCall);
            SettingsDialog reopened;
            QVERIFY(reopened.findChild<QCheckBox *>(QStringLiteral("queueEveryCriticalCall"))->isChecked());
            AppSettings::setReviewThresholds(review::ReviewThresholds{});
        }
        const review::ReferenceRanges saved = AppSettings::referenceRanges();
        QCOMPARE(saved.source, QStringLiteral("Lab SOP 12 v3"));
        QCOMPARE(saved.find(QStringLiteral("neutrophil"))->lowPercent, 40.0);
        QCOMPARE(saved.find(QStringLiteral("basophil"))->highPercent, 2.0);
        {
            // A German laboratory types and reads its ranges with a decimal comma.
            const QLocale previous;
            QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
            SettingsDialog german;
            auto *table = german.findChild<QTableWidget *>(QStringLiteral("referenceRanges"));
            int basophil = -1;
            for (int row = 0; row < table->rowCount(); ++row)
                if (table->item(row, 0)->data(Qt::UserRole).toString() == QLatin1String("basophil"))
                    basophil = row;
            QVERIFY(basophil >= 0);
            table->item(basophil, 1)->setText(QStringLiteral("0,5"));
            table->item(basophil, 2)->setText(QStringLiteral("2.5")); // the C notation still reads
            german.save();
            QCOMPARE(AppSettings::referenceRanges().find(QStringLiteral("basophil"))->lowPercent, 0.5);
            QCOMPARE(AppSettings::referenceRanges().find(QStringLiteral("basophil"))->highPercent, 2.5);
            QCOMPARE(SettingsDialog().findChild<QTableWidget *>(QStringLiteral("referenceRanges"))->item(basophil, 1)->text(),
                     QStringLiteral("0,5"));
            // What would be dropped keeps the dialog open and says why.
            QCOMPARE(german.rangeProblem().row, -1);
            for (const auto &[low, high, why] : {std::tuple{"abc", "2", "is not a number"}, std::tuple{"1", "", "both limits"},
                                                 std::tuple{"3", "1", "low limit is above"}, std::tuple{"0", "120", "between 0 and 100"}}) {
                table->item(basophil, 1)->setText(QString::fromLatin1(low));
                table->item(basophil, 2)->setText(QString::fromLatin1(high));
                const SettingsDialog::RangeProblem problem = german.rangeProblem();
                QCOMPARE(problem.row, basophil);
                QVERIFY2(problem.message.contains(QString::fromLatin1(why)), qPrintable(problem.message));
            }
            table->item(basophil, 1)->setText(QStringLiteral("0"));
            table->item(basophil, 2)->setText(QStringLiteral("2"));
            german.save();
            QLocale::setDefault(previous);
        }

        // A model that is not one is explained, not loaded.
        QTemporaryDir dir;
        const QString bogus = dir.filePath(QStringLiteral("bogus.pt"));
        QVERIFY(uitest::writeFile(bogus, QByteArray("not a model")));
        model->setText(bogus);
        emit model->editingFinished();
        QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("modelInfo"))->text().startsWith(QStringLiteral("Cannot use")));

        QCOMPARE(ClassificationStatus::etaText(12.2), QStringLiteral("13 s left"));
        QCOMPARE(ClassificationStatus::etaText(125), QStringLiteral("2:05 left"));
    }

    void identifiersDialogKeepsWhatIsTypedAndAsksForAReason()
    {
        db::CaseRow row;
        row.name = QStringLiteral("K1");
        row.accession = QStringLiteral("A-1");
        row.status = QStringLiteral("open");
        CaseIdentifiersDialog open(row);
        auto *save = open.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save);
        QVERIFY(!save->isEnabled()); // nothing changed yet
        open.findChild<QLineEdit *>(QStringLiteral("patientId"))->setText(QStringLiteral(" Müller 7 "));
        QVERIFY(save->isEnabled());
        QCOMPARE(open.identifiers().patientId, QStringLiteral(" Müller 7 ")); // exactly as typed
        QCOMPARE(open.identifiers().accession, QStringLiteral("A-1"));
        open.findChild<QLineEdit *>(QStringLiteral("accession"))->setText(QStringLiteral("A-\uFFFD"));
        QVERIFY(!save->isEnabled());
        QVERIFY(!open.findChild<QLabel *>(QStringLiteral("problem"))->isHidden());

        row.status = QStringLiteral("signed");
        CaseIdentifiersDialog amend(row);
        save = amend.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save);
        amend.findChild<QLineEdit *>(QStringLiteral("accession"))->setText(QStringLiteral("A-2"));
        QVERIFY(!save->isEnabled()); // an amendment needs its reason
        amend.findChild<QLineEdit *>(QStringLiteral("reason"))->setText(QStringLiteral("order corrected"));
        QVERIFY(save->isEnabled());
        QCOMPARE(amend.reason(), QStringLiteral("order corrected"));
    }

    void missingModelIsAClearMessage()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("nomodel"));
        QVERIFY(uitest::makeExport(root, {{QStringLiteral("basophil"), QStringLiteral("BA"), 2}}, 64, 1200));
        AppSettings::setClassifyAfterImport(true);
        AppSettings::setModelPath(dir.filePath(QStringLiteral("gone.pt")));
        MainWindow window;
        window.setShowImportSummary(false);
        window.show();
        QVERIFY(window.openWorkspace(dir.filePath(QStringLiteral("ws.cytodiff"))).ok());
        QSignalSpy imported(&window, &MainWindow::importFinished);
        QVERIFY(window.startImport(root));
        QVERIFY(imported.wait(30000));
        auto started = window.startClassification(window.caseBrowser()->currentCaseId());
        QVERIFY(!started.ok());
        QVERIFY2(QString::fromStdString(started.error()).contains(QStringLiteral("does not exist")), started.error().c_str());
        QVERIFY(!window.isClassifying());
        // The viewer says what to do instead of showing empty bars.
        window.caseBrowser()->selectCell(window.caseBrowser()->galleryModel()->cellId(
            window.caseBrowser()->galleryModel()->index(0)));
        QVERIFY(window.caseBrowser()->detailsPanel()->findChild<QLabel *>(QStringLiteral("detailsPrediction"))
                    ->text()
                    .contains(QStringLiteral("Classify")));
    }
};

QTEST_MAIN(TestReviewWorkflow)
#include "test_reviewworkflow.moc"
