// MainWindow as a user meets it: an empty workspace shows the start page;
// importing an export shows the case, its gallery and the cell details.

#include "aboutdialog.h"
#include "appsettings.h"
#include "casebrowser.h"
#include "caselistmodel.h"
#include "celldetailspanel.h"
#include "cellgallerymodel.h"
#include "cellgalleryview.h"
#include "database.h"
#include "engine.h"
#include "importjob.h"
#include "importoutcome.h"
#include "mainwindow.h"
#include "startpage.h"
#include "uitesthelpers.h"
#include "workspacewatcher.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using namespace cytodiff::ui;

namespace {
db::NewCase namedCase(const QString &name)
{
    db::NewCase newCase;
    newCase.name = name;
    return newCase;
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("CytoDiffTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_mainwindow"));
    }

    // These tests are about the window and import; classification after
    // import (on by default, once a model is installed) would only slow
    // them down. test_reviewworkflow covers it.
    void init() { AppSettings::setClassifyAfterImport(false); }

    // Help > About names, for the laboratory's IT staff, what makes a cell
    // Unidentified and what the domain check compares a case with.
    void aboutNamesTheModelsSafetyNets()
    {
        const QString shipped = QStringLiteral(CYTODIFF_SOURCE_DIR "/models/cytodiff-v2-pbc8.pt");
        QString html = AboutDialog::modelInfoHtml(shipped);
        QVERIFY2(html.contains(QStringLiteral("error profile fitted on 1020 cells (about 5% of normal cells")), qPrintable(html));
        QVERIFY2(html.contains(QStringLiteral("against 8160 training images; the classifier's effort and unidentified "
                                              "share against 96 validation cells")),
                 qPrintable(html));
        QCOMPARE(html.count(QStringLiteral("</table>")), 1);

        const QString tiny = QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
        html = AboutDialog::modelInfoHtml(tiny);
        QVERIFY2(html.contains(QStringLiteral("the card has no error profile")), qPrintable(html));
        QVERIFY2(html.contains(QStringLiteral("the card has no domain reference")), qPrintable(html));

        // A reference whose classifier figures were removed (calibrate), and a damaged profile.
        QTemporaryDir dir;
        const QString edited = dir.filePath(QStringLiteral("edited.pt"));
        QVERIFY(engine::rewriteModelCard(tiny.toStdString(), edited.toStdString(), [](engine::ModelCard &card) -> Result<void> {
            card.domainReference = R"({"format":1,"images":40,"crop_size":0,"cell_found_share":1,"features":)"
                                   R"({"nucleus_diameter":{"p01":20,"p50":30,"p99":40}}})";
            card.anomalyProfile = "{\"version\":1";
            return {};
        }));
        html = AboutDialog::modelInfoHtml(edited);
        QVERIFY2(html.contains(QStringLiteral("against 40 training images; not the classifier's effort")), qPrintable(html));
        QVERIFY2(html.contains(QStringLiteral("none: ")) && html.contains(QStringLiteral("every call fails")), qPrintable(html));

        // anomaly-profile removes the unidentified share alone: the effort is still compared.
        const QString profiled = dir.filePath(QStringLiteral("profiled.pt"));
        QVERIFY(engine::rewriteModelCard(tiny.toStdString(), profiled.toStdString(), [](engine::ModelCard &card) -> Result<void> {
            card.domainReference = R"({"format":1,"images":40,"crop_size":0,"cell_found_share":1,"features":)"
                                   R"({"nucleus_diameter":{"p01":20,"p50":30,"p99":40}},)"
                                   R"("effort_cells":30,"effort_mean":70})";
            return {};
        }));
        html = AboutDialog::modelInfoHtml(profiled);
        QVERIFY2(html.contains(QStringLiteral("the classifier's effort against 30 validation cells; not its unidentified share")),
                 qPrintable(html));

        QVERIFY(AboutDialog::modelInfoHtml(dir.filePath(QStringLiteral("missing.pt"))).contains(QStringLiteral("does not exist")));
    }

    void emptyWorkspaceShowsStartPage()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.setShowImportSummary(false);
        window.show();
        const QString path = dir.filePath(QStringLiteral("empty.cytodiff"));
        QVERIFY2(window.openWorkspace(path).ok(), "open a new workspace");
        QCOMPARE(window.workspacePath(), QFileInfo(path).absoluteFilePath());
        QVERIFY(window.isStartPageShown());
        QVERIFY(window.startPage()->isVisible());
        QVERIFY(!window.caseBrowser()->isVisible());
        auto *button = window.startPage()->findChild<QPushButton *>(QStringLiteral("startImportButton"));
        QVERIFY(button);
        QVERIFY(button->isEnabled());
        QVERIFY(button->text().contains(QStringLiteral("CellaVision")));
        // A status message too long for the bar reads whole on hovering it,
        // and only while it shows.
        const QString notice = QStringLiteral("Classified 32 cells. ") + QString(300, QLatin1Char('x'));
        window.statusBar()->showMessage(notice);
        QCOMPARE(window.statusBar()->toolTip(), notice);
        window.statusBar()->clearMessage();
        QVERIFY(window.statusBar()->toolTip().isEmpty());
    }

    void importShowsCaseGalleryAndDetails()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("slide-0412"));
        QVERIFY(uitest::makeClassFolderExport(root, {{QStringLiteral("basophil"), QStringLiteral("BA"), 5},
                                                    {QStringLiteral("eosinophil"), QStringLiteral("EO"), 3}}));
        // A truncated image and a non-image: skipped and listed, never fatal.
        const QByteArray png = uitest::encode(uitest::makeCellImage(999), "PNG");
        QVERIFY(uitest::writeFile(root + QStringLiteral("/basophil/BA_truncated.png"), png.left(png.size() / 3)));
        QVERIFY(uitest::writeFile(root + QStringLiteral("/eosinophil/EO_empty.jpg"), QByteArray()));

        MainWindow window;
        window.setShowImportSummary(false);
        window.resize(1200, 800);
        window.show();
        QVERIFY(window.openWorkspace(dir.filePath(QStringLiteral("ws.cytodiff"))).ok());
        QVERIFY(window.isStartPageShown());

        QSignalSpy finished(&window, &MainWindow::importFinished);
        QVERIFY(window.startImport(root));
        QVERIFY(window.isImporting());
        QVERIFY(finished.wait(60000));
        const auto outcome = finished.first().first().value<ImportOutcome>();
        QVERIFY2(outcome.ran, qPrintable(outcome.fatalError));
        QVERIFY(!outcome.cancelled);
        QCOMPARE(outcome.imported, 8);
        QCOMPARE(outcome.duplicates, 0);
        QCOMPARE(outcome.skipped, 2);
        QCOMPARE(outcome.issues.size(), 2);
        QStringList skippedFiles;
        for (const ImportIssue &issue : outcome.issues) {
            QVERIFY(!issue.reason.isEmpty());
            skippedFiles << QFileInfo(issue.file).fileName();
        }
        skippedFiles.sort();
        QCOMPARE(skippedFiles, QStringList({QStringLiteral("BA_truncated.png"), QStringLiteral("EO_empty.jpg")}));

        // The browser replaces the start page and shows the new case.
        QVERIFY(!window.isStartPageShown());
        QVERIFY(window.caseBrowser()->isVisible());
        const CaseListModel *cases = window.caseBrowser()->caseModel();
        QCOMPARE(cases->rowCount(), 1);
        QCOMPARE(cases->caseAt(0)->name, QStringLiteral("slide-0412"));
        QCOMPARE(cases->caseAt(0)->cellCount, 8);
        QCOMPARE(cases->index(0, CaseListModel::CellsColumn).data().toString(), QStringLiteral("8"));
        QCOMPARE(cases->index(0, CaseListModel::StatusColumn).data().toString(), QStringLiteral("Open"));
        QCOMPARE(window.caseBrowser()->currentCaseId(), cases->caseAt(0)->id);

        const CellGalleryModel *gallery = window.caseBrowser()->galleryModel();
        QCOMPARE(gallery->rowCount(), 8);
        QCOMPARE(gallery->caseId(), cases->caseAt(0)->id);
        int basophils = 0;
        for (int row = 0; row < gallery->rowCount(); ++row) {
            const QModelIndex index = gallery->index(row);
            const QString code = index.data(CellGalleryModel::RawCodeRole).toString();
            const QString label = index.data(CellGalleryModel::LabelClassRole).toString();
            QVERIFY(index.data(CellGalleryModel::CellIdRole).toLongLong() > 0);
            QVERIFY(index.data(CellGalleryModel::FileNameRole).toString().startsWith(code + QLatin1Char('_')));
            QCOMPARE(index.data(CellGalleryModel::ImageSizeRole).toSize(), QSize(72, 72));
            QVERIFY(!index.data(CellGalleryModel::UnknownCodeRole).toBool());
            QVERIFY(index.data(CellGalleryModel::PredictedClassRole).toString().isEmpty());
            if (code == QLatin1String("BA")) {
                ++basophils;
                QCOMPARE(label, QStringLiteral("basophil"));
                QCOMPARE(index.data(CellGalleryModel::CaptionRole).toString(), QStringLiteral("Basophil"));
                QCOMPARE(index.data(CellGalleryModel::SubCaptionRole).toString(), QStringLiteral("BA"));
            } else {
                QCOMPARE(code, QStringLiteral("EO"));
                QCOMPARE(label, QStringLiteral("eosinophil"));
            }
        }
        QCOMPARE(basophils, 5);

        // Thumbnails arrive from the worker thread for painted rows.
        QVERIFY(uitest::waitUntil([&] {
            return !gallery->cachedThumbnail(gallery->cellId(gallery->index(0))).isNull();
        }));

        // The class filter narrows the gallery.
        auto *filter = window.findChild<QComboBox *>(QStringLiteral("classFilter"));
        QVERIFY(filter);
        QCOMPARE(filter->count(), 3); // all, basophil, eosinophil
        filter->setCurrentIndex(filter->findData(QStringLiteral("basophil")));
        QCOMPARE(window.caseBrowser()->galleryView()->model()->rowCount(), 5);
        filter->setCurrentIndex(0);
        QCOMPARE(window.caseBrowser()->galleryView()->model()->rowCount(), 8);

        // Selecting a cell fills the details panel, hash included.
        const qint64 cellId = gallery->cellId(gallery->index(2));
        QVERIFY(window.caseBrowser()->selectCell(cellId));
        QCOMPARE(window.caseBrowser()->currentCellId(), cellId);
        const CellDetailsPanel *details = window.caseBrowser()->detailsPanel();
        QCOMPARE(details->cellId(), cellId);
        const QString fileName = gallery->index(2).data(CellGalleryModel::FileNameRole).toString();
        QCOMPARE(details->fieldText(QStringLiteral("file")), fileName);
        QFile original(root + QLatin1Char('/')
                       + gallery->index(2).data(CellGalleryModel::SourcePathRole).toString());
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QString sha = QString::fromLatin1(
            QCryptographicHash::hash(original.readAll(), QCryptographicHash::Sha256).toHex());
        QVERIFY(details->fieldText(QStringLiteral("sha256")).startsWith(sha.left(16)));

        // Importing the same export again adds nothing.
        finished.clear();
        QVERIFY(window.startImport(root));
        QVERIFY(finished.wait(60000));
        const auto again = finished.first().first().value<ImportOutcome>();
        QCOMPARE(again.imported, 0);
        QCOMPARE(again.duplicates, 8);
        QCOMPARE(window.caseBrowser()->galleryModel()->rowCount(), 8);
    }

    void failedOpenKeepsCurrentWorkspace()
    {
        QTemporaryDir dir;
        MainWindow window;
        const QString good = dir.filePath(QStringLiteral("good.cytodiff"));
        QVERIFY(window.openWorkspace(good).ok());
        // Not a database: refused with a reason, the open one stays.
        const QString bogus = dir.filePath(QStringLiteral("notes.cytodiff"));
        QVERIFY(uitest::writeFile(bogus, QByteArray(4096, 'x')));
        const auto result = window.openWorkspace(bogus);
        QVERIFY(!result.ok());
        QVERIFY(!result.error().empty());
        QCOMPARE(window.workspacePath(), QFileInfo(good).absoluteFilePath());
    }

    void remembersWorkspacesAndWindowState()
    {
        QSettings().clear();
        QTemporaryDir dir;
        const QString first = QFileInfo(dir.filePath(QStringLiteral("a.cytodiff"))).absoluteFilePath();
        const QString second = QFileInfo(dir.filePath(QStringLiteral("b.cytodiff"))).absoluteFilePath();
        {
            MainWindow window;
            window.show();
            QVERIFY(window.openWorkspace(first).ok());
            QVERIFY(window.openWorkspace(second).ok());
            QVERIFY(window.openWorkspace(first).ok());
            window.resize(1111, 777);
            window.caseBrowser()->setThumbnailSize(128);
            QVERIFY(window.close());
        }
        QCOMPARE(AppSettings::recentWorkspaces(), QStringList({first, second}));
        QCOMPARE(AppSettings::lastWorkspace(), first);
        QCOMPARE(AppSettings::thumbnailSize(), 128);
        QVERIFY(!AppSettings::mainWindowGeometry().isEmpty());
        MainWindow restored;
        QCOMPARE(restored.size(), QSize(1111, 777));
        QCOMPARE(restored.caseBrowser()->thumbnailSize(), 128);

        for (int i = 0; i < AppSettings::kMaxRecentWorkspaces + 3; ++i)
            AppSettings::addRecentWorkspace(QStringLiteral("/w/%1.cytodiff").arg(i));
        QCOMPARE(AppSettings::recentWorkspaces().size(), AppSettings::kMaxRecentWorkspaces);
    }

    void importUnderTheGivenCaseNameNamesLabelConflicts()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("export-0412"));
        QVERIFY(uitest::makeClassFolderExport(root, {{QStringLiteral("basophil"), QStringLiteral("BA"), 2},
                                                    {QStringLiteral("eosinophil"), QStringLiteral("EO"), 2}}));
        // One basophil image sits in the eosinophil folder as well.
        QVERIFY(QFile::copy(root + QStringLiteral("/basophil/BA_1.png"), root + QStringLiteral("/eosinophil/EO_9.png")));

        MainWindow window;
        window.setShowImportSummary(false);
        window.show();
        QVERIFY(window.openWorkspace(dir.filePath(QStringLiteral("ws.cytodiff"))).ok());
        QSignalSpy finished(&window, &MainWindow::importFinished);
        QVERIFY(window.startImport(root, QStringLiteral("Ward 3, film 2")));
        QVERIFY(finished.wait(60000));
        const auto outcome = finished.first().first().value<ImportOutcome>();
        QVERIFY2(outcome.ran, qPrintable(outcome.fatalError));
        QCOMPARE(outcome.caseNames, QStringList{QStringLiteral("Ward 3, film 2")});
        QCOMPARE(outcome.imported, 4);
        QCOMPARE(outcome.duplicates, 1);
        QCOMPARE(outcome.conflicts.size(), 1);
        const ImportConflict &conflict = outcome.conflicts.first();
        QCOMPARE(conflict.file, QStringLiteral("eosinophil/EO_9.png"));
        QCOMPARE(conflict.label, QStringLiteral("eosinophil"));
        QCOMPARE(conflict.keptFile, QStringLiteral("basophil/BA_1.png"));
        QCOMPARE(conflict.keptLabel, QStringLiteral("basophil"));

        const CaseListModel *cases = window.caseBrowser()->caseModel();
        QCOMPARE(cases->rowCount(), 1);
        QCOMPARE(cases->caseAt(0)->name, QStringLiteral("Ward 3, film 2"));
        QCOMPARE(window.caseBrowser()->currentCaseId(), cases->caseAt(0)->id);
    }

    // Issue 23 item 4: a case that another program (cytodiff-cli import, a
    // second window) adds appears without a restart, and the cell the user
    // is on stays selected; a change waits while the user has unsaved typing.
    void changesByAnotherProgramAppear()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("shared.cytodiff"));
        MainWindow window;
        window.show();
        QVERIFY(window.openWorkspace(path).ok());
        window.workspaceWatcher()->setInterval(50);

        auto other = db::Database::open(path);
        QVERIFY2(other.ok(), other.ok() ? "" : other.error().c_str());
        auto first = other->createCase(namedCase(QStringLiteral("Ward 1")));
        QVERIFY(first.ok());
        for (int seed = 1; seed <= 3; ++seed)
            QVERIFY(other->insertCell(uitest::makeNewCell(*first, seed, QStringLiteral("lymphocyte"), QStringLiteral("LY"))).ok());
        const CaseListModel *cases = window.caseBrowser()->caseModel();
        QVERIFY(uitest::waitUntil([&] { return cases->rowCount() == 1; }, 5000));
        QVERIFY(!window.isStartPageShown());
        QTRY_COMPARE(window.caseBrowser()->galleryModel()->rowCount(), 3);

        // The user is on the second cell when another program adds a case.
        const qint64 cell = window.caseBrowser()->galleryModel()->cellAt(1)->id;
        QVERIFY(window.caseBrowser()->selectCell(cell));
        auto second = other->createCase(namedCase(QStringLiteral("Ward 2")));
        QVERIFY(second.ok());
        QVERIFY(uitest::waitUntil([&] { return cases->rowCount() == 2; }, 5000));
        QCOMPARE(window.caseBrowser()->currentCellId(), cell);

        // Busy (an import running, unsaved typing...): noticed, held back.
        bool busy = true;
        window.workspaceWatcher()->setBusyCheck([&] { return busy; });
        QVERIFY(other->createCase(namedCase(QStringLiteral("Ward 3"))).ok());
        QVERIFY(uitest::waitUntil([&] { return window.workspaceWatcher()->hasPendingChange(); }, 5000));
        QTest::qWait(200);
        QCOMPARE(cases->rowCount(), 2);
        busy = false;
        QVERIFY(uitest::waitUntil([&] { return cases->rowCount() == 3; }, 5000));

        // The window's own writes do not make it re-read itself.
        QSignalSpy refreshed(window.workspaceWatcher(), &WorkspaceWatcher::changedElsewhere);
        QVERIFY(window.database()->createCase(namedCase(QStringLiteral("Ward 4"))).ok());
        QTest::qWait(300);
        QCOMPARE(refreshed.count(), 0);
    }

    void importIntoMissingFolderIsRefused()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(window.openWorkspace(dir.filePath(QStringLiteral("ws.cytodiff"))).ok());
        QVERIFY(!window.startImport(dir.filePath(QStringLiteral("does-not-exist"))));
        QVERIFY(!window.isImporting());
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
