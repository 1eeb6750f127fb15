// cytodiff-screenshot: renders the main window offscreen to a PNG, after
// optionally importing folders, to check how the GUI looks without a
// display and to make README screenshots.
//
//   QT_QPA_PLATFORM=offscreen cytodiff-screenshot --db /tmp/shot.cytodiff
//       --import ../shared/data/pbc/basophil --out /tmp/main.png [--cell 5]
//       [--size 1440x900] [--summary-out /tmp/summary.png]
//       [--about-out /tmp/about.png] [--progress-out /tmp/progress.png] [--class basophil] [--scroll-to 5000]
//       [--model tiny-pbc8.pt --classify] [--margin 50] [--page gallery|queue|differential|morphology]
//       [--review 5] [--heatmap overlay|heatmap] [--target monocyte] [--viewer-out /tmp/viewer.png]
//       [--settings-out /tmp/settings.png] [--demo 6 [--demo-progress-out /tmp/demo-progress.png]]
//       [--language de]
//
// Settings go to Qt's test locations, never to the user's.

#include "aboutdialog.h"
#include "appsettings.h"
#include "casebrowser.h"
#include "celldetailspanel.h"
#include "casereport.h"
#include "cellgallerymodel.h"
#include "cellgalleryview.h"
#include "classificationjob.h"
#include "database.h"
#include "democasedialog.h"
#include "democasejob.h"
#include "cellzoomdialog.h"
#include "heatmapview.h"
#include "reviewkeyhandler.h"
#include "reviewqueuemodel.h"
#include "reviewqueuepanel.h"
#include "settingsdialog.h"
#include "importjob.h"
#include "importprogressdialog.h"
#include "importoutcome.h"
#include "importsummarydialog.h"
#include "mainwindow.h"
#include "translationloader.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QPainter>
#include <QSettings>
#include <QTextDocument>
#include <QUrl>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>

using namespace cytodiff::ui;

namespace {

void spin(int ms)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
}

// Waits until every tile on screen has its thumbnail (or 10 s passed).
void waitForVisibleThumbnails(CaseBrowser *browser)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 10000) {
        spin(50);
        CellGalleryView *view = browser->galleryView();
        const QRect viewport = view->viewport()->rect();
        bool all = true;
        for (int row = 0; row < view->model()->rowCount() && all; ++row) {
            const QModelIndex index = view->model()->index(row, 0);
            if (!view->visualRect(index).intersects(viewport))
                continue;
            all = index.data(CellGalleryModel::ThumbnailRole).isValid()
                  || !index.data(CellGalleryModel::ThumbnailErrorRole).toString().isEmpty();
        }
        if (all)
            return;
    }
}

bool save(QWidget *widget, const QString &path)
{
    if (!widget->grab().save(path)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
        return false;
    }
    std::printf("wrote %s\n", qPrintable(path));
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    // Settings of this run only: runs in parallel (several sessions making
    // screenshots) must not read each other's model path.
    QTemporaryDir settingsDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    QApplication::setOrganizationName(QStringLiteral("CytoDiff"));
    QApplication::setApplicationName(QStringLiteral("CytoDiffScreenshot"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption dbOption(QStringLiteral("db"), QStringLiteral("Workspace file."), QStringLiteral("PATH"));
    const QCommandLineOption importOption(QStringLiteral("import"), QStringLiteral("Folder to import first (repeatable)."),
                                          QStringLiteral("FOLDER"));
    const QCommandLineOption outOption(QStringLiteral("out"), QStringLiteral("PNG of the main window."), QStringLiteral("PNG"));
    const QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Window size WxH."), QStringLiteral("WxH"),
                                        QStringLiteral("1440x900"));
    const QCommandLineOption cellOption(QStringLiteral("cell"), QStringLiteral("Select the Nth cell."), QStringLiteral("N"),
                                        QStringLiteral("0"));
    const QCommandLineOption summaryOption(QStringLiteral("summary-out"), QStringLiteral("PNG of the last import summary."),
                                           QStringLiteral("PNG"));
    const QCommandLineOption aboutOption(QStringLiteral("about-out"), QStringLiteral("PNG of the About dialog."),
                                         QStringLiteral("PNG"));
    const QCommandLineOption classOption(QStringLiteral("class"), QStringLiteral("Show only this class id."),
                                         QStringLiteral("ID"));
    const QCommandLineOption scrollOption(QStringLiteral("scroll-to"), QStringLiteral("Scroll the gallery to row N."),
                                          QStringLiteral("N"));
    const QCommandLineOption progressOption(QStringLiteral("progress-out"),
                                            QStringLiteral("PNG of the import progress dialog."), QStringLiteral("PNG"));
    const QCommandLineOption modelOption(QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("PT"));
    const QCommandLineOption classifyOption(QStringLiteral("classify"), QStringLiteral("Classify the case and wait."));
    const QCommandLineOption paperOption(QStringLiteral("paper"),
                                         QStringLiteral("Classify with the paper's protocol, at most N trials."), QStringLiteral("N"));
    const QCommandLineOption marginOption(QStringLiteral("margin"), QStringLiteral("Review below this confidence, %."),
                                          QStringLiteral("N"));
    const QCommandLineOption anomalyOption(QStringLiteral("anomaly"), QStringLiteral("Unidentified above this anomaly."),
                                           QStringLiteral("X"));
    const QCommandLineOption pageOption(QStringLiteral("page"), QStringLiteral("gallery, queue, differential or morphology."),
                                        QStringLiteral("PAGE"), QStringLiteral("gallery"));
    const QCommandLineOption reviewOption(QStringLiteral("review"), QStringLiteral("Confirm the first N queue cells."),
                                          QStringLiteral("N"));
    const QCommandLineOption heatmapOption(QStringLiteral("heatmap"), QStringLiteral("overlay or heatmap."),
                                           QStringLiteral("MODE"));
    const QCommandLineOption targetOption(QStringLiteral("target"), QStringLiteral("Heatmap target class."),
                                          QStringLiteral("ID"));
    const QCommandLineOption viewerOption(QStringLiteral("viewer-out"), QStringLiteral("PNG of the cell viewer."),
                                          QStringLiteral("PNG"));
    const QCommandLineOption settingsOption(QStringLiteral("settings-out"), QStringLiteral("PNG of the Settings dialog."),
                                            QStringLiteral("PNG"));
    const QCommandLineOption reportOption(QStringLiteral("report-out"),
                                          QStringLiteral("PNG of the case report's first page (as the PDF lays it out)."),
                                          QStringLiteral("PNG"));
    const QCommandLineOption pdfOption(QStringLiteral("pdf-out"), QStringLiteral("Write the case report PDF."),
                                       QStringLiteral("PDF"));
    const QCommandLineOption signOption(QStringLiteral("sign"), QStringLiteral("Confirm every queue cell and sign."));
    const QCommandLineOption demoOption(QStringLiteral("demo"),
                                        QStringLiteral("Create the demo case (N cells per class), classify, wait."),
                                        QStringLiteral("N"));
    const QCommandLineOption demoProgressOption(QStringLiteral("demo-progress-out"),
                                                QStringLiteral("PNG of the demo case's progress dialog."),
                                                QStringLiteral("PNG"));
    const QCommandLineOption languageOption(QStringLiteral("language"),
                                            QStringLiteral("GUI language: en (default), de, fr, es."),
                                            QStringLiteral("CODE"), QStringLiteral("en"));
    parser.addOptions({demoOption, demoProgressOption, languageOption});
    parser.addOptions({reportOption, pdfOption, signOption, progressOption, dbOption, importOption, outOption, sizeOption, cellOption, summaryOption, aboutOption,
                       classOption, scrollOption, modelOption, classifyOption, marginOption, anomalyOption, pageOption,
                       reviewOption, heatmapOption, targetOption, viewerOption, settingsOption});
    const QCommandLineOption zoomOption(QStringLiteral("zoom-out"), QStringLiteral("PNG of the cell's zoom window."),
                                        QStringLiteral("file"));
    parser.addOption(zoomOption);
    parser.addOption(paperOption);
    parser.process(app);
    if (!parser.isSet(dbOption) || !parser.isSet(outOption)) {
        std::fprintf(stderr, "--db and --out are required\n");
        return 2;
    }

    // As main() does, before any widget exists.
    TranslationLoader::install(&app, parser.value(languageOption));

    // Test-mode settings: start from the defaults every time.
    QSettings().clear();
    AppSettings::setClassifyAfterImport(false);
    AppSettings::setReviewerName(QStringLiteral("Dr A. Reviewer"));
    if (parser.isSet(modelOption))
        AppSettings::setModelPath(QFileInfo(parser.value(modelOption)).absoluteFilePath());
    cytodiff::review::ReviewThresholds thresholds = AppSettings::reviewThresholds();
    if (parser.isSet(marginOption))
        thresholds.marginBelow = parser.value(marginOption).toDouble() / 100.0;
    if (parser.isSet(anomalyOption))
        thresholds.anomalyAbove = parser.value(anomalyOption).toDouble();
    AppSettings::setReviewThresholds(thresholds);
    if (parser.isSet(paperOption)) {
        AppSettings::setPaperProtocol(true);
        AppSettings::setMaxTrials(parser.value(paperOption).toInt());
    }

    MainWindow window;
    window.setShowImportSummary(false);
    const QStringList size = parser.value(sizeOption).split(QLatin1Char('x'));
    window.resize(size.value(0).toInt(), size.value(1).toInt());
    window.show();
    QElapsedTimer clock;
    clock.start();
    if (auto opened = window.openWorkspace(parser.value(dbOption)); !opened) {
        std::fprintf(stderr, "cannot open workspace: %s\n", opened.error().c_str());
        return 1;
    }
    std::printf("opened the workspace and loaded the first case in %lld ms\n", clock.elapsed());

    ImportOutcome last;
    bool progressSaved = false;
    for (const QString &folder : parser.values(importOption)) {
        QEventLoop loop;
        QObject::connect(&window, &MainWindow::importFinished, &loop, [&](const ImportOutcome &outcome) {
            last = outcome;
            loop.quit();
        });
        if (!window.startImport(folder))
            return 1;
        if (parser.isSet(progressOption) && window.importProgressDialog()) {
            // Grab the progress dialog once it has shown some progress.
            QObject::connect(window.importJob(), &ImportJob::progress, &loop, [&](qint64 done) {
                if (done >= 50 && window.importProgressDialog() && !progressSaved)
                    progressSaved = save(window.importProgressDialog(), parser.value(progressOption));
            });
        }
        loop.exec();
        std::printf("%s: imported %lld, duplicates %lld, skipped %lld in %.1f s\n", qPrintable(folder),
                    last.imported, last.duplicates, last.skipped, last.seconds);
    }

    CaseBrowser *browser = window.caseBrowser();
    if (parser.isSet(demoOption)) {
        QEventLoop loop;
        bool failed = false;
        QObject::connect(&window, &MainWindow::demoCaseFinished, &loop, [&](const DemoCaseOutcome &outcome) {
            std::printf("demo case: %d cells in %.1f s %s\n", outcome.cells, outcome.seconds,
                        qPrintable(outcome.error));
            failed = outcome.caseId == 0;
            if (failed)
                loop.quit();
        });
        QObject::connect(&window, &MainWindow::classificationFinished, &loop, &QEventLoop::quit);
        bool demoProgressSaved = false;
        if (auto started = window.startDemoCase(parser.value(demoOption).toInt(), 7); !started) {
            std::fprintf(stderr, "cannot create the demo case: %s\n", started.error().c_str());
            return 1;
        }
        if (parser.isSet(demoProgressOption)) {
            QObject::connect(window.demoCaseJob(), &DemoCaseJob::progress, &loop, [&](int done, int total) {
                if (total > 0 && done * 3 >= total && window.demoCaseDialog() && !demoProgressSaved)
                    demoProgressSaved = save(window.demoCaseDialog(), parser.value(demoProgressOption));
            });
        }
        loop.exec();
        if (failed)
            return 1;
    }
    if (parser.isSet(classifyOption)) {
        QEventLoop loop;
        QObject::connect(&window, &MainWindow::classificationFinished, &loop, &QEventLoop::quit);
        clock.restart();
        if (auto started = window.startClassification(browser->currentCaseId()); !started) {
            std::fprintf(stderr, "cannot classify: %s\n", started.error().c_str());
            return 1;
        }
        loop.exec();
        std::printf("classified in %lld ms\n", clock.elapsed());
    }
    const QString page = parser.value(pageOption);
    if (page == QLatin1String("queue") || parser.isSet(reviewOption))
        browser->showPage(CaseBrowser::Page::Queue);
    if (parser.isSet(reviewOption)) {
        ReviewQueuePanel *queue = browser->queuePanel();
        queue->selectFirstUnreviewed();
        for (int i = 0; i < parser.value(reviewOption).toInt(); ++i)
            queue->keyHandler()->confirmSelection();
    }
    if (parser.isSet(signOption)) {
        ReviewQueuePanel *queue = browser->queuePanel();
        browser->showPage(CaseBrowser::Page::Queue);
        queue->selectFirstUnreviewed();
        while (queue->queueModel()->unreviewedCount() > 0)
            queue->keyHandler()->confirmSelection();
        if (auto signedOk = window.signCurrentCase(); !signedOk)
            std::fprintf(stderr, "cannot sign: %s\n", signedOk.error().c_str());
    }
    if (page == QLatin1String("differential"))
        browser->showPage(CaseBrowser::Page::Differential);
    else if (page == QLatin1String("morphology"))
        browser->showPage(CaseBrowser::Page::Morphology);
    else if (page == QLatin1String("gallery"))
        browser->showPage(CaseBrowser::Page::Gallery);
    const int cell = parser.value(cellOption).toInt();
    if (page == QLatin1String("queue")) {
        QAbstractItemView *view = browser->queuePanel()->view();
        if (view->model()->rowCount() > cell)
            view->setCurrentIndex(view->model()->index(cell, 0));
        view->setFocus();
    } else if (browser->galleryModel()->rowCount() > cell) {
        browser->selectCell(browser->galleryModel()->cellId(browser->galleryModel()->index(cell)));
    }
    if (parser.isSet(heatmapOption)) {
        HeatmapView *heatmap = browser->detailsPanel()->heatmapView();
        if (parser.isSet(targetOption))
            heatmap->setTargetClass(parser.value(targetOption));
        QEventLoop loop;
        QObject::connect(window.classificationJob(), &ClassificationJob::heatmapReady, &loop, &QEventLoop::quit);
        QObject::connect(window.classificationJob(), &ClassificationJob::heatmapFailed, &loop, &QEventLoop::quit);
        heatmap->setMode(parser.value(heatmapOption) == QLatin1String("heatmap") ? HeatmapView::Mode::Heatmap
                                                                                  : HeatmapView::Mode::Overlay);
        if (!heatmap->hasHeatmap())
            loop.exec();
        std::printf("heatmap: %s\n", qPrintable(heatmap->statusText()));
    }
    if (parser.isSet(classOption)) {
        auto *filter = window.findChild<QComboBox *>(QStringLiteral("classFilter"));
        if (filter)
            filter->setCurrentIndex(qMax(0, filter->findData(parser.value(classOption))));
    }
    clock.restart();
    spin(50);
    waitForVisibleThumbnails(browser);
    std::printf("visible thumbnails ready in %lld ms\n", clock.elapsed());
    if (parser.isSet(scrollOption)) {
        CellGalleryView *view = browser->galleryView();
        clock.restart();
        view->scrollTo(view->model()->index(parser.value(scrollOption).toInt(), 0),
                       QAbstractItemView::PositionAtTop);
        waitForVisibleThumbnails(browser);
        std::printf("after scrolling, visible thumbnails ready in %lld ms\n", clock.elapsed());
    }
    bool ok = save(&window, parser.value(outOption));
    if (parser.isSet(viewerOption))
        ok = save(browser->detailsPanel(), parser.value(viewerOption)) && ok;
    if (parser.isSet(zoomOption)) {
        HeatmapView *heatmap = browser->detailsPanel()->heatmapView();
        heatmap->showZoom();
        heatmap->zoomDialog()->resize(560, 600);
        heatmap->zoomDialog()->fitToWindow();
        spin(50);
        ok = save(heatmap->zoomDialog(), parser.value(zoomOption)) && ok;
    }
    if (parser.isSet(pdfOption)) {
        if (auto written = window.exportReportPdf(parser.value(pdfOption)); !written)
            std::fprintf(stderr, "cannot write the report: %s\n", written.error().c_str());
        else
            std::printf("wrote %s\n", qPrintable(parser.value(pdfOption)));
    }
    if (parser.isSet(reportOption)) {
        // The PDF's layout engine (QTextDocument) drawn on an A4-sized image.
        auto row = window.database()->caseById(browser->galleryModel()->caseId());
        CaseReportInput input;
        input.caseRow = row ? *row : cytodiff::db::CaseRow{};
        input.cells = browser->galleryModel()->cells();
        input.reviewed = browser->galleryModel()->reviewedCells();
        input.thresholds = browser->galleryModel()->reviewThresholds();
        input.ranges = AppSettings::referenceRanges();
        input.generatedBy = AppSettings::reviewerName();
        const cytodiff::db::Database *database = window.database();
        input.imageOf = [database](qint64 id) {
            auto bytes = database->cellImage(id);
            return bytes ? *bytes : QByteArray();
        };
        QList<std::pair<QString, QImage>> images;
        const QString html = CaseReport::reportHtml(input, &images);
        QTextDocument document;
        for (const auto &[url, image] : std::as_const(images))
            document.addResource(QTextDocument::ImageResource, QUrl(url), image);
        document.setHtml(html);
        document.setTextWidth(794 - 2 * 56);
        QImage pageImage(794, 1123, QImage::Format_RGB32);
        pageImage.fill(Qt::white);
        QPainter painter(&pageImage);
        painter.translate(56, 56);
        document.drawContents(&painter, QRectF(0, 0, 794 - 2 * 56, 1123 - 2 * 56));
        painter.end();
        ok = pageImage.save(parser.value(reportOption)) && ok;
        std::printf("wrote %s\n", qPrintable(parser.value(reportOption)));
    }
    if (parser.isSet(settingsOption)) {
        SettingsDialog settings(&window);
        settings.show();
        spin(100);
        ok = save(&settings, parser.value(settingsOption)) && ok;
    }

    if (parser.isSet(summaryOption)) {
        ImportSummaryDialog summary(last, &window);
        summary.show();
        spin(100);
        ok = save(&summary, parser.value(summaryOption)) && ok;
    }
    if (parser.isSet(aboutOption)) {
        AboutDialog about(&window);
        about.show();
        spin(100);
        ok = save(&about, parser.value(aboutOption)) && ok;
    }
    return ok ? 0 : 1;
}
