#include "mainwindow.h"

#include "aboutdialog.h"
#include "appsettings.h"
#include "casebrowser.h"
#include "caseclaims.h"
#include "caselistmodel.h"
#include "cellgalleryview.h"
#include "cellgallerymodel.h"
#include "classificationjob.h"
#include "classificationstatus.h"
#include "counttext.h"
#include "database.h"
#include "democasejob.h"
#include "filedialogs.h"
#include "importjob.h"
#include "importprogressdialog.h"
#include "importsummarydialog.h"
#include "pgconnection.h"
#include "reportsdialog.h"
#include "labellingmenu.h"
#include "reviewcontroller.h"
#include "startpage.h"
#include "turingmenu.h"
#include "workspacewatcher.h"
#include "workspace.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSlider>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolBar>
#include <QUndoStack>

namespace cytodiff::ui {

namespace {
// The one local folder in a drag, or empty when it is anything else.
QString droppedFolder(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1)
        return {};
    const QUrl url = mime->urls().constFirst();
    return url.isLocalFile() && QFileInfo(url.toLocalFile()).isDir() ? url.toLocalFile() : QString();
}

constexpr int kStartPageIndex = 0;
constexpr int kBrowserIndex = 1;
constexpr int kThumbnailStep = 16;

QString workspaceFilter()
{
    return MainWindow::tr("CytoDiff workspaces (*.%1);;All files (*)")
        .arg(QLatin1String(db::kWorkspaceSuffix));
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/cytodiff.svg")));
    setWindowTitle(tr("CytoDiff"));

    m_startPage = new StartPage;
    m_browser = new CaseBrowser;
    m_pages = new QStackedWidget;
    m_pages->addWidget(m_startPage);
    m_pages->addWidget(m_browser);
    setCentralWidget(m_pages);

    m_review = new ReviewController(this);
    m_browser->setReviewController(m_review);

    m_watcher = new WorkspaceWatcher(this);
    m_watcher->setBusyCheck([this] {
        return isImporting() || isCreatingDemo() || isClassifying() || m_browser->hasUnsavedEdits()
            || QApplication::activeModalWidget() != nullptr;
    });
    connect(m_watcher, &WorkspaceWatcher::changedElsewhere, this, &MainWindow::onWorkspaceChangedElsewhere);

    createActions();
    createMenus();
    createStatusBar();

    connect(m_startPage, &StartPage::importRequested, this, &MainWindow::importInteractive);
    connect(m_startPage, &StartPage::demoRequested, this, &MainWindow::demoInteractive);
    connect(m_startPage, &StartPage::openWorkspaceRequested, this, &MainWindow::openWorkspaceDialog);
    connect(m_browser, &CaseBrowser::errorOccurred, this,
            [this](const QString &message) { showError(tr("Cannot read the workspace"), message); });
    connect(m_browser, &CaseBrowser::caseSelected, this, &MainWindow::onCaseShown);
    connect(m_browser, &CaseBrowser::selectionCountChanged, this, &MainWindow::updateStatus);

    m_browser->setThumbnailSize(AppSettings::thumbnailSize());
    m_browser->restoreSplitterState(AppSettings::mainSplitterState());
    setAcceptDrops(true);
    resize(1360, 860);
    restoreGeometry(AppSettings::mainWindowGeometry());
    restoreState(AppSettings::mainWindowState());
    applySettings();
    updateActions();
    updateStatus();
    updateLisStatus();
}

MainWindow::~MainWindow()
{
    // Join the workers before the database and the widgets they report to go.
    m_lisWorker.stop();
    m_backupThread.reset();
    m_demoJob.reset();
    m_importJob.reset();
    m_browser->setClassificationJob(nullptr);
    m_classifyStatus->setJob(nullptr);
    m_classifier.reset();
    m_review->setContext(nullptr, nullptr);
    m_browser->setDatabase(nullptr, {});
}

void MainWindow::createActions()
{
    m_importAction = new QAction(QIcon(QStringLiteral(":/icons/import.svg")), tr("&Import…"), this);
    m_importAction->setObjectName(QStringLiteral("importAction"));
    m_importAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    m_importAction->setStatusTip(tr("Import a CellaVision export folder into this workspace"));
    m_importAction->setIconText(tr("Import"));
    connect(m_importAction, &QAction::triggered, this, &MainWindow::importInteractive);

    m_openAction = new QAction(QIcon(QStringLiteral(":/icons/workspace-open.svg")),
                               tr("&Open workspace…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setIconText(tr("Open"));
    m_openAction->setStatusTip(tr("Open another laboratory workspace"));
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openWorkspaceDialog);

    m_newAction = new QAction(QIcon(QStringLiteral(":/icons/workspace-new.svg")),
                              tr("&New workspace…"), this);
    m_newAction->setShortcut(QKeySequence::New);
    m_newAction->setIconText(tr("New"));
    m_newAction->setStatusTip(tr("Create an empty workspace file"));
    connect(m_newAction, &QAction::triggered, this, &MainWindow::newWorkspaceDialog);

    m_connectAction = new QAction(tr("&Connect to a laboratory server…"), this);
    m_connectAction->setStatusTip(tr("Open the laboratory's shared workspace on its PostgreSQL server"));
    connect(m_connectAction, &QAction::triggered, this, &MainWindow::connectToServerDialog);

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_biggerAction = new QAction(tr("&Larger thumbnails"), this);
    m_biggerAction->setShortcut(QKeySequence::ZoomIn);
    connect(m_biggerAction, &QAction::triggered, this, [this] {
        m_browser->setThumbnailSize(m_browser->thumbnailSize() + kThumbnailStep);
        AppSettings::setThumbnailSize(m_browser->thumbnailSize());
    });
    m_smallerAction = new QAction(tr("&Smaller thumbnails"), this);
    m_smallerAction->setShortcut(QKeySequence::ZoomOut);
    connect(m_smallerAction, &QAction::triggered, this, [this] {
        m_browser->setThumbnailSize(m_browser->thumbnailSize() - kThumbnailStep);
        AppSettings::setThumbnailSize(m_browser->thumbnailSize());
    });

    createReviewActions();

    m_demoAction = new QAction(tr("Create a &demo case (synthetic cells)"), this);
    m_demoAction->setObjectName(QStringLiteral("demoAction"));
    m_demoAction->setStatusTip(tr("Generate cells with the classification model and classify them, to try the "
                                  "workflow without data of your own"));
    connect(m_demoAction, &QAction::triggered, this, &MainWindow::demoInteractive);

    m_aboutAction = new QAction(tr("&About CytoDiff"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_importAction);
    file->addSeparator();
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    file->addAction(m_connectAction);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::updateRecentMenu);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);
    edit->addSeparator();
    edit->addAction(m_settingsAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_queueAction);
    view->addSeparator();
    view->addAction(m_biggerAction);
    view->addAction(m_smallerAction);
    view->addSeparator();
    // Reports on the whole workspace (confidence vs correctness).
    QAction *reports = view->addAction(tr("&Reports..."), this, [this] {
        if (m_database)
            ReportsDialog(*m_database, this).exec();
    });
    reports->setObjectName(QStringLiteral("reportsAction"));

    QMenu *caseMenu = menuBar()->addMenu(tr("&Case"));
    caseMenu->addAction(m_classifyAction);
    caseMenu->addAction(m_cancelClassifyAction);
    caseMenu->addSeparator();
    caseMenu->addAction(m_identifiersAction);
    caseMenu->addAction(m_signAction);
    caseMenu->addAction(m_lisRetryAction);
    caseMenu->addSeparator();
    caseMenu->addAction(m_exportCsvAction);
    caseMenu->addAction(m_exportPdfAction);

    // The "Turing test" menu (turingmenu.h); its views close when another
    // workspace replaces the connection they read.
    auto *turing = new TuringMenu(this, [this] { return m_database.get(); });
    connect(this, &MainWindow::workspaceOpened, turing, &TuringMenu::closeViews);
    // Expert labelling sessions, agreement and label audit (labellingmenu.h).
    new LabellingMenu(this, [this] { return m_database.get(); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_demoAction);
    help->addSeparator();
    help->addAction(m_aboutAction);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    QToolBar *toolbar = addToolBar(tr("Main toolbar"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setIconSize(QSize(20, 20));
    toolbar->addAction(m_importAction);
    toolbar->addSeparator();
    toolbar->addAction(m_openAction);
    toolbar->addAction(m_newAction);
    toolbar->addSeparator();
    toolbar->addAction(m_classifyAction);
    toolbar->addAction(m_signAction);
    toolbar->addAction(m_exportPdfAction);
}

void MainWindow::createStatusBar()
{
    m_workspaceLabel = new QLabel;
    m_workspaceLabel->setObjectName(QStringLiteral("workspaceLabel"));
    m_workspaceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_countsLabel = new QLabel;
    m_countsLabel->setObjectName(QStringLiteral("countsLabel"));
    m_selectionLabel = new QLabel;
    m_selectionLabel->setObjectName(QStringLiteral("selectionLabel"));
    m_readOnlyLabel = new QLabel;
    m_readOnlyLabel->setObjectName(QStringLiteral("readOnlyLabel"));
    m_readOnlyLabel->setStyleSheet(QStringLiteral("QLabel { color: #b00020; font-weight: bold; }"));
    m_readOnlyLabel->hide();
    m_claimLabel = new QLabel;
    m_claimLabel->setObjectName(QStringLiteral("caseClaimLabel"));
    m_claimLabel->setStyleSheet(QStringLiteral("QLabel { color: #b00020; font-weight: bold; }"));
    m_claimLabel->hide();
    m_lisLabel = new QLabel;
    m_lisLabel->setObjectName(QStringLiteral("lisQueueLabel"));
    m_lisLabel->setStyleSheet(QStringLiteral("QLabel { color: #b00020; }"));
    m_lisLabel->setToolTip(tr("Results that could not be written to the LIS drop folder. They are kept in the "
                              "workspace: Case > Send queued LIS results."));
    m_lisLabel->hide();

    for (QLabel *label : {m_workspaceLabel, m_readOnlyLabel, m_selectionLabel, m_countsLabel})
        label->setContentsMargins(6, 0, 6, 0);
    m_classifyStatus = new ClassificationStatus;
    m_classifyStatus->setCaseNamer([this](qint64 caseId) { return caseName(caseId); });
    statusBar()->addWidget(m_workspaceLabel, 1);
    statusBar()->addPermanentWidget(m_classifyStatus);
    statusBar()->addPermanentWidget(m_readOnlyLabel);
    statusBar()->addPermanentWidget(m_claimLabel);
    statusBar()->addPermanentWidget(m_lisLabel);
    statusBar()->addPermanentWidget(m_selectionLabel);
    statusBar()->addPermanentWidget(m_countsLabel);
    statusBar()->addPermanentWidget(m_browser->thumbnailSizeSlider());
    // A long message (a classification's notices) is cut at the window's
    // edge: while it shows, hovering the bar reads it whole.
    QStatusBar *bar = statusBar();
    connect(bar, &QStatusBar::messageChanged, bar, [bar](const QString &message) { bar->setToolTip(message); });
}

Result<void> MainWindow::openWorkspace(const QString &path)
{
    return openWorkspace(path, db::OpenOptions());
}

Result<void> MainWindow::openWorkspace(const QString &path, const db::OpenOptions &options)
{
    if (isImporting())
        return makeError(tr("An import is running. Wait for it to finish or cancel it first.")
                             .toStdString());
    if (isCreatingDemo())
        return makeError(tr("A demo case is being created. Wait for it to finish or cancel it first.")
                             .toStdString());
    const bool server = db::isServerUri(path);
    const QString absolute = server ? path : QFileInfo(path).absoluteFilePath();
    auto opened = db::Database::open(absolute, options);
    if (!opened)
        return makeError(opened.error());

    // The classifier belongs to the workspace it writes to.
    m_browser->setClassificationJob(nullptr);
    m_classifyStatus->setJob(nullptr);
    m_classifier.reset();
    m_review->setContext(nullptr, nullptr);
    m_browser->setDatabase(nullptr, {});
    m_watcher->setDatabase(nullptr);
    m_claims.reset();
    m_database = std::make_unique<db::Database>(std::move(*opened));
    m_claims = std::make_unique<db::CaseClaims>(*m_database);
    createClassifier();
    m_review->setActor(actorName()); // a server's login, or the settings' reviewer

    // Thumbnails come from a second connection opened inside their thread.
    CellImageFetcherFactory thumbnails = [absolute]() -> CellImageFetcher {
        auto connection = db::Database::open(absolute);
        if (!connection) {
            const QString error = QString::fromStdString(connection.error());
            return [error](qint64, QString *reason) {
                *reason = error;
                return QByteArray();
            };
        }
        auto shared = std::make_shared<db::Database>(std::move(*connection));
        return [shared](qint64 cellId, QString *reason) {
            auto bytes = shared->cellImage(cellId);
            if (!bytes) {
                *reason = QString::fromStdString(bytes.error());
                return QByteArray();
            }
            return *bytes;
        };
    };
    m_browser->setDatabase(m_database.get(), thumbnails);
    m_watcher->setDatabase(m_database.get());
    m_startPage->setWorkspacePath(absolute);
    AppSettings::addRecentWorkspace(absolute);
    // A server is backed up by its administrators (pg_dump, docs/deployment.md).
    if (!m_database->isReadOnly() && !server)
        startDailyBackup(absolute);
    setWindowTitle(tr("%1 — CytoDiff").arg(server ? db::displayUri(absolute) : QFileInfo(absolute).fileName()));
    refresh();
    emit workspaceOpened(absolute);
    return {};
}

bool MainWindow::openWorkspaceInteractive(const QString &path)
{
    auto result = openWorkspace(path, passwordPromptOptions());
    if (!result) {
        showError(tr("Cannot open workspace"),
                  tr("The workspace %1 could not be opened.\n\n%2")
                      .arg(QDir::toNativeSeparators(path), QString::fromStdString(result.error())));
        return false;
    }
    return true;
}

QString MainWindow::workspacePath() const
{
    return m_database ? m_database->path() : QString();
}

bool MainWindow::isReadOnly() const
{
    return m_database && m_database->isReadOnly();
}

bool MainWindow::isStartPageShown() const
{
    return m_pages->currentIndex() == kStartPageIndex;
}

void MainWindow::refresh()
{
    m_watcher->acknowledge(); // what changed elsewhere until now is read below
    if (auto result = m_browser->reload(); !result)
        showError(tr("Cannot read the workspace"), QString::fromStdString(result.error()));
    const bool empty = m_browser->caseModel()->rowCount() == 0;
    m_pages->setCurrentIndex(empty ? kStartPageIndex : kBrowserIndex);
    // Review is keyboard work: arrows should move through cells at once.
    if (!empty)
        m_browser->galleryView()->setFocus();
    else
        m_startPage->importButton()->setFocus();
    updateActions();
    updateStatus();
    updateLisStatus();
}

void MainWindow::onWorkspaceChangedElsewhere()
{
    const qint64 cell = m_browser->currentCellId();
    refresh();
    if (cell)
        m_browser->selectCell(cell);
}

void MainWindow::updateActions()
{
    const bool canWrite = m_database && !m_database->isReadOnly();
    const bool busy = isImporting() || isCreatingDemo();
    m_importAction->setEnabled(canWrite && !busy);
    m_startPage->importButton()->setEnabled(canWrite && !busy);
    m_openAction->setEnabled(!busy);
    m_newAction->setEnabled(!busy);
    m_connectAction->setEnabled(!busy);
    m_recentMenu->setEnabled(!busy);
    const bool browsing = m_pages->currentIndex() == kBrowserIndex;
    m_biggerAction->setEnabled(browsing);
    m_smallerAction->setEnabled(browsing);
    m_browser->thumbnailSizeSlider()->setVisible(browsing);
    updateDemoAvailability();
    updateReviewActions();
}

void MainWindow::updateStatus()
{
    if (!m_database) {
        m_workspaceLabel->setText(tr("No workspace open"));
        m_countsLabel->clear();
        m_selectionLabel->clear();
        m_readOnlyLabel->hide();
        return;
    }
    m_workspaceLabel->setText(tr("Workspace: %1").arg(QDir::toNativeSeparators(m_database->path())));
    m_workspaceLabel->setToolTip(tr("Schema version %1, journal %2")
                                     .arg(m_database->schemaVersion())
                                     .arg(m_database->journalMode()));
    const CaseListModel *cases = m_browser->caseModel();
    m_countsLabel->setText(CountText::cases(cases->rowCount()) + QStringLiteral("  ·  ")
                           + CountText::cells(cases->totalCells()));
    const int selected = int(m_browser->selectedCellIds().size());
    m_selectionLabel->setText(selected > 0 ? CountText::selectedCells(selected) : QString());
    m_readOnlyLabel->setVisible(m_database->isReadOnly());
    m_readOnlyLabel->setText(tr("Read-only"));
    m_readOnlyLabel->setToolTip(m_database->readOnlyReason());
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = AppSettings::recentWorkspaces();
    for (const QString &path : recent) {
        QAction *action = m_recentMenu->addAction(QDir::toNativeSeparators(path));
        action->setEnabled((db::isServerUri(path) || QFileInfo::exists(path)) && path != workspacePath());
        connect(action, &QAction::triggered, this, [this, path] { openWorkspaceInteractive(path); });
    }
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("No recent workspaces"))->setEnabled(false);
}

void MainWindow::openWorkspaceDialog()
{
    const QString start = workspacePath().isEmpty() ? QDir::homePath()
                                                    : QFileInfo(workspacePath()).absolutePath();
    const QString path = FileDialogs::openFile(this, tr("Open workspace"), start, workspaceFilter(),
                                                     FileDialogs::Workspaces::Show);
    if (!path.isEmpty())
        openWorkspaceInteractive(path);
}

void MainWindow::connectToServerDialog()
{
    bool ok = false;
    const QString address =
        QInputDialog::getText(this, tr("Connect to a laboratory server"),
                              tr("Address of the laboratory's workspace, as your administrator gave it:\n"
                                 "postgresql://user@host:port/database\n\n"
                                 "The password is asked for separately (or read from ~/.pgpass)."),
                              QLineEdit::Normal, AppSettings::lastServerAddress(), &ok)
            .trimmed();
    if (!ok || address.isEmpty())
        return;
    if (!db::isServerUri(address)) {
        showError(tr("Not a server address"),
                  tr("A laboratory server's address starts with postgresql://, for example\n"
                     "postgresql://anna@lab-server:5432/haematology"));
        return;
    }
    AppSettings::setLastServerAddress(address);
    openWorkspaceInteractive(address);
}

void MainWindow::newWorkspaceDialog()
{
    const QString start = workspacePath().isEmpty() ? QDir::homePath()
                                                    : QFileInfo(workspacePath()).absolutePath();
    QString path = FileDialogs::saveFile(this, tr("New workspace"), start, workspaceFilter(),
                                         QFileDialog::DontConfirmOverwrite, FileDialogs::Workspaces::Show);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QLatin1Char('.') + QLatin1String(db::kWorkspaceSuffix);
    // Never overwrite: a workspace holds a laboratory's cases and audit log.
    if (QFileInfo::exists(path)) {
        showError(tr("Workspace exists"),
                  tr("%1 already exists. Use Open workspace to open it, or choose another name.")
                      .arg(QDir::toNativeSeparators(path)));
        return;
    }
    openWorkspaceInteractive(path);
}

void MainWindow::importInteractive()
{
    QString start = AppSettings::lastImportFolder();
    if (start.isEmpty())
        start = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString folder = FileDialogs::existingFolder(this, tr("Choose a CellaVision export folder"), start);
    if (folder.isEmpty())
        return;
    AppSettings::setLastImportFolder(folder);
    // The case is named here, before anything is written; the folder's name
    // (what the importer would use) is the proposal.
    const QString folderName = QFileInfo(QDir::cleanPath(folder)).fileName();
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("Import"),
        tr("Case name for the cells of %1 (an export with one sub-folder per case uses it as a prefix):")
            .arg(QDir::toNativeSeparators(folder)),
        QLineEdit::Normal, folderName, &ok).trimmed();
    if (!ok)
        return;
    // Kept as proposed: let the importer name it, so an export of case
    // folders still gets one case per sub-folder, without a prefix.
    startImport(folder, name.isEmpty() || name == folderName ? QString() : name);
}

bool MainWindow::startImport(const QString &folder, const QString &caseName)
{
    if (!m_database) {
        showError(tr("Cannot import"), tr("No workspace is open."));
        return false;
    }
    if (m_database->isReadOnly()) {
        showError(tr("Cannot import"), m_database->readOnlyReason());
        return false;
    }
    if (isImporting() || isCreatingDemo()) {
        showError(tr("Cannot import"), isImporting() ? tr("An import is already running.")
                                                     : tr("A demo case is being created."));
        return false;
    }
    if (!QFileInfo(folder).isDir()) {
        showError(tr("Cannot import"),
                  tr("%1 is not a folder.").arg(QDir::toNativeSeparators(folder)));
        return false;
    }
    // Told now rather than as one skipped file per cell after the import.
    if (!caseName.isEmpty()) {
        auto existing = m_database->caseByName(caseName.trimmed());
        if (existing && *existing && (*existing)->isSigned()) {
            showError(tr("Cannot import"), tr("The case %1 is signed and cannot receive cells. Import under another "
                                              "case name.")
                                               .arg(caseName.trimmed()));
            return false;
        }
    }
    if (!m_importJob) {
        m_importJob = std::make_unique<ImportJob>();
        connect(m_importJob.get(), &ImportJob::finished, this, &MainWindow::onImportFinished);
    }
    m_importJob->start({m_database->path(), folder, caseName.trimmed(), actorName(),
                        AppSettings::effectiveModelPath()});
    m_progressDialog = new ImportProgressDialog(m_importJob.get(), this);
    m_progressDialog->setAttribute(Qt::WA_DeleteOnClose);
    m_progressDialog->open();
    updateActions();
    statusBar()->showMessage(tr("Importing %1…").arg(QDir::toNativeSeparators(folder)));
    return true;
}

bool MainWindow::isImporting() const
{
    return m_importJob && m_importJob->isRunning();
}

void MainWindow::onImportFinished(const ImportOutcome &outcome)
{
    m_progressDialog = nullptr; // closes and deletes itself
    statusBar()->clearMessage();
    const qint64 keepCase = m_browser->currentCaseId();
    refresh();
    // Show what was imported: the first case the import touched.
    if (!outcome.caseNames.isEmpty()) {
        const CaseListModel *cases = m_browser->caseModel();
        for (int row = 0; row < cases->rowCount(); ++row) {
            if (cases->caseAt(row)->name == outcome.caseNames.first()) {
                m_browser->selectCase(cases->caseAt(row)->id);
                break;
            }
        }
    } else if (keepCase) {
        m_browser->selectCase(keepCase);
    }
    updateActions();
    updateStatus();
    // New cases are classified in the background when the settings say so
    // and a model is there; without a model the import still succeeds.
    if (outcome.ran && !outcome.cancelled && AppSettings::classifyAfterImport() && !isReadOnly()) {
        if (AppSettings::effectiveModelPath().isEmpty()) {
            statusBar()->showMessage(tr("Imported. No classification model is chosen: choose one in Settings to "
                                        "classify the cells."),
                                     10000);
        } else {
            const CaseListModel *cases = m_browser->caseModel();
            for (int row = 0; row < cases->rowCount(); ++row) {
                if (!outcome.caseNames.contains(cases->caseAt(row)->name))
                    continue;
                if (auto started = startClassification(cases->caseAt(row)->id); !started) {
                    statusBar()->showMessage(tr("Imported, not classified: %1")
                                                 .arg(QString::fromStdString(started.error())),
                                             15000);
                    break;
                }
            }
        }
    }
    emit importFinished(outcome);
    if (m_showImportSummary) {
        auto *summary = new ImportSummaryDialog(outcome, this);
        summary->setAttribute(Qt::WA_DeleteOnClose);
        summary->open();
    }
}

void MainWindow::showAbout()
{
    AboutDialog dialog(this);
    dialog.exec();
}

void MainWindow::showError(const QString &title, const QString &text)
{
    // Window-modal and non-blocking, so tests and background callbacks never
    // sit in a nested event loop.
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("errorBox"));
    box->open();
}

void MainWindow::saveWindowSettings() const
{
    AppSettings::setMainWindowGeometry(saveGeometry());
    AppSettings::setMainWindowState(saveState());
    AppSettings::setMainSplitterState(m_browser->saveSplitterState());
    AppSettings::setThumbnailSize(m_browser->thumbnailSize());
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (m_importAction->isEnabled() && !droppedFolder(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString folder = droppedFolder(event->mimeData());
    if (folder.isEmpty())
        return;
    event->acceptProposedAction();
    AppSettings::setLastImportFolder(folder);
    startImport(folder);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Every prediction is stored as it is made: stopping loses nothing, and
    // the next Classify resumes, so closing needs no question.
    if (m_classifier)
        m_classifier->cancel();
    if (isImporting()) {
        const auto answer = QMessageBox::question(
            this, tr("Import running"),
            tr("An import is still running. Cancel it and quit? Cells imported so far are kept."),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_importJob->cancel();
        m_importJob.reset(); // joins; the importer stops at the next file
    }
    // A demo case is written only when complete: stopping loses nothing.
    if (m_demoJob) {
        m_demoJob->cancel();
        m_demoJob.reset();
    }
    saveWindowSettings();
    event->accept();
}

} // namespace cytodiff::ui
