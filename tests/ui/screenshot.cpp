// cytodiff-screenshot: renders the main window offscreen to a PNG, after
// optionally importing folders, to check how the GUI looks without a
// display and to make README screenshots.
//
//   QT_QPA_PLATFORM=offscreen cytodiff-screenshot --db /tmp/shot.cytodiff
//       --import ../shared/data/pbc/basophil --out /tmp/main.png [--cell 5]
//       [--size 1440x900] [--summary-out /tmp/summary.png]
//       [--about-out /tmp/about.png] [--progress-out /tmp/progress.png] [--class basophil] [--scroll-to 5000]
//
// Settings go to Qt's test locations, never to the user's.

#include "aboutdialog.h"
#include "casebrowser.h"
#include "cellgallerymodel.h"
#include "cellgalleryview.h"
#include "importjob.h"
#include "importoutcome.h"
#include "importsummarydialog.h"
#include "mainwindow.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
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
    parser.addOptions({progressOption, dbOption, importOption, outOption, sizeOption, cellOption, summaryOption, aboutOption,
                       classOption, scrollOption});
    parser.process(app);
    if (!parser.isSet(dbOption) || !parser.isSet(outOption)) {
        std::fprintf(stderr, "--db and --out are required\n");
        return 2;
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
    const int cell = parser.value(cellOption).toInt();
    if (browser->galleryModel()->rowCount() > cell)
        browser->selectCell(browser->galleryModel()->cellId(browser->galleryModel()->index(cell)));
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
