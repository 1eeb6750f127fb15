#pragma once
// The application window: menus, the workspace (one database file), the
// start page or the case browser, background import, and the status bar.
//
// MainWindow owns the GUI thread's database connection. Workers (import,
// thumbnails, and later classification) open their own connections to
// workspacePath(). Methods that tests and later features call return
// Result values and open no blocking dialog; the *Interactive variants
// show the failure to the user.

#include "importoutcome.h"
#include "records.h"
#include "result.h"
#include "workerthread.h"

#include <QMainWindow>

#include <cstdint>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QLabel;
class QMenu;
class QStackedWidget;
class QTimer;

namespace cytodiff::db {
class CaseClaims;
class Database;
struct OpenOptions;
}

namespace cytodiff::ui {

class CaseBrowser;
struct CaseReportInput;
class ClassificationJob;
class ClassificationStatus;
struct ClassificationOutcome;
class DemoCaseDialog;
class DemoCaseJob;
struct DemoCaseOutcome;
class ImportJob;
class ImportProgressDialog;
class ReviewController;
class StartPage;
class WorkspaceWatcher;

class MainWindow : public QMainWindow {
    Q_OBJECT
    // The outcomes its signals carry are declared in the feature libraries;
    // moc needs them complete to register them for queued connections and
    // QSignalSpy.
    Q_MOC_INCLUDE("classificationjob.h")
    Q_MOC_INCLUDE("democasejob.h")
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens (creating if needed) a workspace file and shows it. On failure
    // the previous workspace stays open.
    // `path` may also be a laboratory server's address
    // (postgresql://user@host:port/dbname, issue 23); options carry the
    // password prompt (none here: tests and start-up never block).
    Result<void> openWorkspace(const QString &path);
    Result<void> openWorkspace(const QString &path, const db::OpenOptions &options);
    bool openWorkspaceInteractive(const QString &path);
    // At start-up: opens the workspace; when it cannot be opened (or a
    // remembered one has gone: mustExist) says why and lets the user
    // restore an automatic backup, choose another file, open defaultPath
    // or go on without a workspace. Never switches silently.
    void openWorkspaceAtStartup(const QString &path, bool mustExist, const QString &defaultPath);
    QString workspacePath() const;
    // The GUI thread's connection (nullptr before a workspace is open).
    // Never hand it to another thread: workers open their own.
    db::Database *database() { return m_database.get(); }
    const db::Database *database() const { return m_database.get(); }
    bool isReadOnly() const;
    WorkspaceWatcher *workspaceWatcher() const { return m_watcher; }

    // Imports a folder in the background with a progress dialog; when done,
    // refreshes the cases, selects the imported one and shows the summary.
    // caseName: the case to import into (empty: the importer's default, the
    // folder's name; for an export of case folders, their prefix).
    // Returns false (after telling the user) when it cannot start.
    bool startImport(const QString &folder, const QString &caseName = QString());
    bool isImporting() const;
    ImportJob *importJob() const { return m_importJob.get(); }
    ImportProgressDialog *importProgressDialog() const { return m_progressDialog; }
    // Tests turn the summary dialog off; the outcome is in importFinished().
    void setShowImportSummary(bool show) { m_showImportSummary = show; }

    // ---- review workflow ----
    // Classifies a case in the background with the model of the settings.
    // Fails (without a dialog) when there is no workspace, no model, or the
    // workspace is read-only; the *Interactive variant tells the user.
    Result<void> startClassification(qint64 caseId);
    bool isClassifying() const;
    ClassificationJob *classificationJob() const { return m_classifier.get(); }
    ClassificationStatus *classificationStatus() const { return m_classifyStatus; }
    ReviewController *reviewController() const { return m_review; }
    // Re-reads the settings (model, budget, thresholds, ranges, reviewer).
    void applySettings();
    Result<void> signCurrentCase();
    // The second question before signing a case outside the model's domain.
    bool confirmSignOutsideDomain(const QString &name);
    Result<void> exportCellCsv(const QString &path);
    Result<void> exportReportPdf(const QString &path);
    // Tests answer the amendment question instead of a dialog.
    void setAmendmentReasonProvider(std::function<QString(int)> provider);

    // ---- demo case (democase.h) ----
    static constexpr int kDemoCellsPerClass = 6;
    // Generates a synthetic demo case in the background with the model of
    // the settings, then selects and classifies it. Fails (no dialog) when
    // there is no workspace or model, or something else runs.
    Result<void> startDemoCase(int cellsPerClass = kDemoCellsPerClass, std::optional<std::uint64_t> seed = {});
    bool isCreatingDemo() const;
    DemoCaseJob *demoCaseJob() const { return m_demoJob.get(); }
    DemoCaseDialog *demoCaseDialog() const { return m_demoDialog; }
    // Why the demo cannot start now (empty when it can).
    QString demoUnavailableReason() const;

    CaseBrowser *caseBrowser() const { return m_browser; }
    StartPage *startPage() const { return m_startPage; }
    bool isStartPageShown() const;

    // What the case report and the per-cell CSV of the selected case show.
    Result<CaseReportInput> currentReportInput() const;

public slots:
    // Re-reads the cases; shows the start page when there are none.
    void refresh();
    void importInteractive();
    void openWorkspaceDialog();
    // File > Connect to a laboratory server: asks for the address, then
    // the password if the server wants one that ~/.pgpass does not give.
    void connectToServerDialog();
    void newWorkspaceDialog();
    void showAbout();
    void classifyInteractive();
    void signInteractive();
    // Case > Identifiers: accession, specimen, patient and slide ids.
    void editIdentifiersInteractive();
    // Case > Send queued LIS results: retries what could not be delivered.
    void sendQueuedLisResults();
    void exportCsvInteractive();
    void exportPdfInteractive();
    void showSettings();
    void demoInteractive();

signals:
    void workspaceOpened(const QString &path);
    void importFinished(const cytodiff::ui::ImportOutcome &outcome);
    void classificationFinished(const cytodiff::ui::ClassificationOutcome &outcome);
    // After the demo case was written (and its classification queued), or
    // after it failed or was cancelled.
    void demoCaseFinished(const cytodiff::ui::DemoCaseOutcome &outcome);

protected:
    void closeEvent(QCloseEvent *event) override;
    // A folder dragged from the file manager is imported.
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    // Asks where to save (the case's name with `suffix`, in Documents) and
    // writes there, reporting the outcome.
    void exportInteractive(const QString &title, const QString &suffix, const QString &filter,
                           const std::function<Result<void>(const QString &)> &write);
    // Who the audit log will name: the server login on a laboratory
    // server, else the reviewer name of the settings.
    QString actorName() const;
    // Asks for a laboratory server's password in a dialog when it needs one.
    db::OpenOptions passwordPromptOptions();
    void createActions();
    void createReviewActions();
    void createMenus();
    void createStatusBar();
    void updateRecentMenu();
    void updateActions();
    void updateStatus();
    void onImportFinished(const ImportOutcome &outcome);
    void showError(const QString &title, const QString &text);
    void saveWindowSettings() const;
    void createClassifier();
    void onClassificationFinished(const ClassificationOutcome &outcome);
    void onCaseShown(qint64 caseId);
    QString caseName(qint64 caseId) const;
    void updateReviewActions();
    void updateDemoAvailability();
    void onDemoFinished(const DemoCaseOutcome &outcome);
    // A daily copy into the workspace's backup folder, in the background
    // with its own connection (workspacebackup.h).
    void startDailyBackup(const QString &path);
    // mainwindowlis.cpp: the case's current result into the workspace's LIS
    // outbox, then every queued message to the drop folder (issue 24).
    void sendLisResult(qint64 caseId);
    // Delivers the queue in the background, with its own connection; a
    // failure is shown unless quiet.
    void deliverLisQueue(bool quiet);
    void onLisDelivered(bool ok, const QString &error, int delivered, bool quiet);
    void updateLisStatus();
    // Another program or worker changed the workspace: re-read it, keeping
    // the case and cell the user is on.
    void onWorkspaceChangedElsewhere();

    std::unique_ptr<db::Database> m_database;
    // The claim on the shown case (a laboratory server); declared after the
    // database so that it is given up before the connection closes.
    std::unique_ptr<db::CaseClaims> m_claims;
    QLabel *m_claimLabel = nullptr;

    QStackedWidget *m_pages = nullptr;
    StartPage *m_startPage = nullptr;
    CaseBrowser *m_browser = nullptr;

    QAction *m_importAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_newAction = nullptr;
    QAction *m_connectAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_biggerAction = nullptr;
    QAction *m_smallerAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QAction *m_classifyAction = nullptr;
    QAction *m_cancelClassifyAction = nullptr;
    QAction *m_signAction = nullptr;
    QAction *m_identifiersAction = nullptr;
    QAction *m_exportCsvAction = nullptr;
    QAction *m_exportPdfAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QAction *m_queueAction = nullptr;
    QAction *m_demoAction = nullptr;

    QLabel *m_countsLabel = nullptr;
    QLabel *m_selectionLabel = nullptr;
    QLabel *m_workspaceLabel = nullptr;
    QLabel *m_readOnlyLabel = nullptr;
    QLabel *m_lisLabel = nullptr;
    QAction *m_lisRetryAction = nullptr;
    OneShotWorker m_lisWorker;
    // Asked to deliver while a delivery ran: again afterwards, quietly only
    // if every such request was quiet.
    std::optional<bool> m_lisDeliverAgainQuietly;
    QTimer *m_lisRetryTimer = nullptr;
    WorkspaceWatcher *m_watcher = nullptr;

    ReviewController *m_review = nullptr;
    ClassificationStatus *m_classifyStatus = nullptr;
    std::unique_ptr<ClassificationJob> m_classifier; // joined before the database goes
    std::unique_ptr<ImportJob> m_importJob;
    ImportProgressDialog *m_progressDialog = nullptr; // deletes itself on close
    bool m_showImportSummary = true;
    std::unique_ptr<DemoCaseJob> m_demoJob;
    DemoCaseDialog *m_demoDialog = nullptr; // deletes itself on close
    ThreadPtr m_backupThread;
};

} // namespace cytodiff::ui
