// MainWindow's review workflow: classification in the background, undo,
// sign-off, exports and settings. Kept apart from mainwindow.cpp (the
// window, workspace and import) so each file stays readable.

#include "mainwindow.h"

#include "appsettings.h"
#include "casebrowser.h"
#include "caseclaims.h"
#include "caselistmodel.h"
#include "caseidentifiersdialog.h"
#include "casereport.h"
#include "cellgallerymodel.h"
#include "classificationjob.h"
#include "classificationstatus.h"
#include "counttext.h"
#include "database.h"
#include "domainwarning.h"
#include "filedialogs.h"
#include "pgconnection.h"
#include "reviewcontroller.h"
#include "reviewqueuepanel.h"
#include "reviewstore.h"
#include "settingsdialog.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QUndoStack>

// The review icons live beside the review code in the static ui library;
// Q_INIT_RESOURCE (global namespace only) keeps the linker from dropping them.
static void initReviewIcons()
{
    Q_INIT_RESOURCE(uiicons);
}

namespace cytodiff::ui {

namespace {
ClassificationSettings classificationSettingsFromApp()
{
    ClassificationSettings settings;
    settings.modelPath = AppSettings::effectiveModelPath();
    settings.secondOpinionPath = AppSettings::effectiveSecondOpinionPath();
    settings.paperProtocol = AppSettings::paperProtocol();
    settings.maxTrials = AppSettings::maxTrials() > 0 ? AppSettings::maxTrials() : -1;
    settings.heatmapTrials = AppSettings::heatmapTrials();
    return settings;
}

// A file name from the case name that every file system accepts.
QString safeFileName(const QString &name)
{
    QString out = name;
    static const QString forbidden = QStringLiteral("\\/:*?\"<>|");
    for (QChar &c : out) {
        if (forbidden.contains(c) || c.unicode() < 32)
            c = QLatin1Char('_');
    }
    return out.trimmed().isEmpty() ? QStringLiteral("case") : out.trimmed();
}

// Read from the database, not the case list: the list may predate a
// sign-off made a moment ago.
bool isSignedCase(const db::Database *database, qint64 caseId)
{
    if (!database || caseId <= 0)
        return false;
    auto row = database->caseById(caseId);
    return row && row->isSigned();
}
} // namespace

void MainWindow::createReviewActions()
{
    initReviewIcons();
    m_classifyAction = new QAction(QIcon(QStringLiteral(":/icons/classify.svg")), tr("&Classify"), this);
    m_classifyAction->setObjectName(QStringLiteral("classifyAction"));
    m_classifyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_classifyAction->setStatusTip(tr("Classify the cells of this case in the background (resumes where it stopped)"));
    connect(m_classifyAction, &QAction::triggered, this, &MainWindow::classifyInteractive);

    m_cancelClassifyAction = new QAction(tr("C&ancel classification"), this);
    m_cancelClassifyAction->setObjectName(QStringLiteral("cancelClassifyAction"));
    m_cancelClassifyAction->setStatusTip(tr("Stop classifying; cells classified so far are kept"));
    connect(m_cancelClassifyAction, &QAction::triggered, this, [this] {
        if (m_classifier)
            m_classifier->cancel();
    });

    m_signAction = new QAction(QIcon(QStringLiteral(":/icons/sign.svg")), tr("&Sign case…"), this);
    m_signAction->setObjectName(QStringLiteral("signAction"));
    m_signAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_signAction->setIconText(tr("Sign"));
    m_signAction->setStatusTip(tr("Sign the case once the review queue is done; later changes are amendments"));
    connect(m_signAction, &QAction::triggered, this, &MainWindow::signInteractive);

    m_identifiersAction = new QAction(tr("&Identifiers…"), this);
    m_identifiersAction->setObjectName(QStringLiteral("identifiersAction"));
    m_identifiersAction->setStatusTip(tr("The case's accession number, specimen id, patient id and slide id"));
    connect(m_identifiersAction, &QAction::triggered, this, &MainWindow::editIdentifiersInteractive);

    m_lisRetryAction = new QAction(tr("Send &queued LIS results"), this);
    m_lisRetryAction->setObjectName(QStringLiteral("lisRetryAction"));
    m_lisRetryAction->setEnabled(false);
    connect(m_lisRetryAction, &QAction::triggered, this, &MainWindow::sendQueuedLisResults);
    connect(m_browser, &CaseBrowser::signRequested, this, &MainWindow::signInteractive);

    m_exportCsvAction = new QAction(tr("Export cells as &CSV…"), this);
    m_exportCsvAction->setObjectName(QStringLiteral("exportCsvAction"));
    connect(m_exportCsvAction, &QAction::triggered, this, &MainWindow::exportCsvInteractive);
    m_exportPdfAction = new QAction(QIcon(QStringLiteral(":/icons/report.svg")), tr("Export &report (PDF)…"), this);
    m_exportPdfAction->setObjectName(QStringLiteral("exportPdfAction"));
    m_exportPdfAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_exportPdfAction->setIconText(tr("Report"));
    connect(m_exportPdfAction, &QAction::triggered, this, &MainWindow::exportPdfInteractive);

    m_settingsAction = new QAction(tr("&Settings…"), this);
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_settingsAction->setShortcut(QKeySequence::Preferences);
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::showSettings);

    m_undoAction = m_review->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = m_review->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redoAction->setShortcut(QKeySequence::Redo);

    m_queueAction = new QAction(tr("Review &queue"), this);
    m_queueAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    connect(m_queueAction, &QAction::triggered, this, [this] { m_browser->showPage(CaseBrowser::Page::Queue); });

    m_review->setAmendmentReasonProvider([this](int cells) {
        bool ok = false;
        const QString reason = QInputDialog::getText(
            this, tr("Amend a signed case"),
            tr("This case is signed. Reason for amending %Ln cell(s) (kept in the audit log):", nullptr, cells),
            QLineEdit::Normal, QString(), &ok);
        return ok ? reason : QString();
    });
    m_review->setReviewerNameProvider([this] {
        bool ok = false;
        const QString name = QInputDialog::getText(
            this, tr("Reviewer's name"),
            tr("A signed case carries the name of the person who signed it. Your name, as signed reports should "
               "show it (kept in Settings > Review):"),
            QLineEdit::Normal, AppSettings::suggestedReviewerName(), &ok);
        return ok ? name.trimmed() : QString();
    });
    connect(m_review, &ReviewController::reviewerNameChosen, this,
            [](const QString &name) { AppSettings::setReviewerName(name); });
    connect(m_review, &ReviewController::errorOccurred, this,
            [this](const QString &message) { showError(tr("Cannot change the cell"), message); });
    connect(m_review, &ReviewController::edited, this, &MainWindow::updateReviewActions);
    // An edit of a signed case is an amendment: the LIS gets the corrected
    // result at once.
    connect(m_review, &ReviewController::morphologySaved, this, [this](qint64 caseId) {
        statusBar()->showMessage(tr("Red cells and platelets of %1 saved.").arg(caseName(caseId)), 8000);
        if (isSignedCase(m_database.get(), caseId))
            sendLisResult(caseId); // an amendment: a corrected result
    });
    connect(m_review, &ReviewController::edited, this, [this] {
        const qint64 caseId = m_browser->currentCaseId();
        if (isSignedCase(m_database.get(), caseId))
            sendLisResult(caseId);
    });
    connect(m_review, &ReviewController::caseSigned, this, [this](qint64 caseId) {
        const qint64 keep = m_browser->currentCellId();
        refresh();
        m_browser->selectCase(caseId);
        m_browser->selectCell(keep);
        m_browser->updateCaseState();
        statusBar()->showMessage(tr("Signed %1.").arg(caseName(caseId)), 8000);
        sendLisResult(caseId);
    });
}

void MainWindow::createClassifier()
{
    m_classifier = std::make_unique<ClassificationJob>(m_database->path());
    m_classifier->setSettings(classificationSettingsFromApp());
    connect(m_classifier.get(), &ClassificationJob::predictionReady, m_browser, &CaseBrowser::addPrediction);
    connect(m_classifier.get(), &ClassificationJob::secondOpinionReady, m_browser, &CaseBrowser::addSecondOpinion);
    connect(m_classifier.get(), &ClassificationJob::caseFinished, this, &MainWindow::onClassificationFinished);
    connect(m_classifier.get(), &ClassificationJob::caseStarted, this, &MainWindow::updateReviewActions);
    m_classifyStatus->setJob(m_classifier.get());
    m_browser->setClassificationJob(m_classifier.get());
}

void MainWindow::applySettings()
{
    m_review->setActor(actorName());
    m_review->setReviewerName(AppSettings::storedReviewerName());
    m_review->setAccessionRequired(AppSettings::lisOutputEnabled());
    m_browser->setReviewThresholds(AppSettings::reviewThresholds());
    m_browser->setReferenceRanges(AppSettings::referenceRanges());
    if (m_classifier)
        m_classifier->setSettings(classificationSettingsFromApp());
    updateActions(); // the demo needs a model
}

void MainWindow::setAmendmentReasonProvider(std::function<QString(int)> provider)
{
    m_review->setAmendmentReasonProvider(std::move(provider));
}

QString MainWindow::caseName(qint64 caseId) const
{
    const CaseListModel *cases = m_browser->caseModel();
    const db::CaseRow *row = cases->caseAt(cases->indexOfCase(caseId).row());
    return row ? row->name : tr("case %1").arg(caseId);
}

bool MainWindow::isClassifying() const
{
    return m_classifier && m_classifier->isRunning();
}

void MainWindow::onCaseShown(qint64 caseId)
{
    // Undo steps belong to the case they were made in.
    m_review->setContext(m_database.get(), caseId ? m_browser->galleryModel() : nullptr);
    // On a laboratory server the shown case is claimed; one that another
    // station reviews opens read-only, saying who and since when.
    QString lock;
    if (m_claims && caseId) {
        auto claim = m_claims->claim(caseId);
        if (!claim)
            lock = tr("Who reviews this case could not be checked (%1): opened read-only.")
                       .arg(QString::fromStdString(claim.error()));
        else if (!claim->mine)
            lock = tr("Being reviewed by %1 since %2: opened read-only.")
                       .arg(claim->holder, QLocale().toString(claim->since.toLocalTime(), QLocale::ShortFormat));
    } else if (m_claims) {
        m_claims->release();
    }
    m_review->setCaseLock(lock);
    m_claimLabel->setText(lock);
    m_claimLabel->setVisible(!lock.isEmpty());
    updateReviewActions();
    updateStatus();
}

void MainWindow::updateReviewActions()
{
    const qint64 caseId = m_browser->currentCaseId();
    const bool canWrite = m_database && !m_database->isReadOnly() && m_review->caseLock().isEmpty();
    const bool running = m_classifier && (m_classifier->runningCaseId() == caseId || m_classifier->isQueued(caseId));
    // A signed case is final: neither classified again nor signed twice.
    // Amendments (an edit with a reason) stay possible from the views.
    const bool isSigned = isSignedCase(m_database.get(), caseId);
    m_review->setClassificationRunning(caseId != 0 && running);
    m_classifyAction->setEnabled(canWrite && caseId != 0 && !running && !isSigned);
    m_cancelClassifyAction->setEnabled(isClassifying());
    m_signAction->setEnabled(canWrite && caseId != 0 && !isSigned);
    m_identifiersAction->setEnabled(canWrite && caseId != 0);
    m_exportCsvAction->setEnabled(caseId != 0);
    m_exportPdfAction->setEnabled(caseId != 0);
}

Result<void> MainWindow::startClassification(qint64 caseId)
{
    if (!m_database || !m_classifier)
        return makeError(tr("No workspace is open.").toStdString());
    if (m_database->isReadOnly())
        return makeError(m_database->readOnlyReason().toStdString());
    if (caseId <= 0)
        return makeError(tr("No case is selected.").toStdString());
    if (isSignedCase(m_database.get(), caseId))
        return makeError(tr("%1 is signed: its differential is final. Amend single cells if needed.")
                             .arg(caseName(caseId))
                             .toStdString());
    const ClassificationSettings settings = classificationSettingsFromApp();
    if (settings.modelPath.isEmpty())
        return makeError(tr("No classification model is chosen and the default model is not installed. Choose a "
                            "model file (.pt) in Settings > Classification.")
                             .toStdString());
    if (!QFileInfo::exists(settings.modelPath))
        return makeError(tr("The model file %1 does not exist. Choose another one in Settings > Classification.")
                             .arg(QDir::toNativeSeparators(settings.modelPath))
                             .toStdString());
    m_classifier->setSettings(settings);
    m_classifier->classifyCase(caseId);
    updateReviewActions();
    return {};
}

void MainWindow::classifyInteractive()
{
    auto started = startClassification(m_browser->currentCaseId());
    if (started)
        return;
    // The usual failure is a missing model: offer the way to fix it.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Cannot classify"), QString::fromStdString(started.error()),
                                QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("errorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *settings = box->addButton(tr("Open Settings…"), QMessageBox::ActionRole);
    connect(settings, &QPushButton::clicked, this, &MainWindow::showSettings, Qt::QueuedConnection);
    box->open();
}

void MainWindow::onClassificationFinished(const ClassificationOutcome &outcome)
{
    updateReviewActions();
    if (outcome.caseId == m_browser->currentCaseId())
        m_browser->refreshDomainCheck(); // refreshes the review views
    else
        m_browser->refreshReviewViews();
    const QString name = caseName(outcome.caseId);
    if (!outcome.error.isEmpty()) {
        if (outcome.classified > 0)
            m_browser->refreshReviewViews();
        showError(tr("Classification stopped"), tr("%1 could not be classified.\n\n%2").arg(name, outcome.error));
    } else if (outcome.cancelled) {
        statusBar()->showMessage(tr("Classification of %1 cancelled after %2. Classify again to resume.")
                                     .arg(name, CountText::cells(outcome.skipped + outcome.classified)),
                                 10000);
    } else {
        QString message = tr("Classified %1 of %2 in %3 s").arg(CountText::cells(outcome.classified), name)
                              .arg(QLocale().toString(outcome.seconds, 'f', 1));
        if (outcome.skipped > 0)
            message += tr(" (%1 already classified by this model)").arg(QLocale().toString(outcome.skipped));
        if (outcome.failed > 0)
            message += tr("; %1 failed").arg(QLocale().toString(outcome.failed));
        if (outcome.secondOpinions > 0)
            message += tr("; %1 second opinions").arg(QLocale().toString(outcome.secondOpinions));
        if (!outcome.notice.isEmpty())
            message += QStringLiteral(". ") + outcome.notice;
        if (outcome.outsideDomain)
            message += QStringLiteral(". ") + outcome.domainWarning;
        statusBar()->showMessage(message, outcome.notice.isEmpty() && !outcome.outsideDomain ? 10000 : 30000);
    }
    emit classificationFinished(outcome);
}

bool MainWindow::confirmSignOutsideDomain(const QString &name)
{
    const QString warning = DomainWarning::text(m_browser->domainVerdict());
    if (warning.isEmpty())
        return true;
    // A second, explicit question: the model's calls on this case cannot be
    // trusted, so signing says the reviewer's own classification stands.
    QMessageBox box(QMessageBox::Warning, tr("Sign a case outside the model's training domain"),
                    tr("%1\n\nSign %2 only if you classified every cell yourself: the differential will be yours, "
                       "not the model's.")
                        .arg(warning, name),
                    QMessageBox::Cancel, this);
    QPushButton *sign = box.addButton(tr("I reviewed every cell: sign"), QMessageBox::AcceptRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == sign;
}

Result<void> MainWindow::signCurrentCase()
{
    return m_review->signCase();
}

void MainWindow::signInteractive()
{
    const SignCheck check = m_review->signCheck();
    if (!check.allowed) {
        if (check.unreviewed > 0) {
            m_browser->showPage(CaseBrowser::Page::Queue);
            m_browser->queuePanel()->selectFirstUnreviewed();
        }
        showError(tr("Cannot sign yet"), check.reason);
        return;
    }
    // Asked before the confirmation, so it names who signs.
    if (!m_review->ensureReviewerName())
        return;
    const QString name = caseName(m_browser->currentCaseId());
    const auto answer = QMessageBox::question(
        this, tr("Sign case"),
        tr("Sign %1 as %2?\n\nThe differential becomes final. Later changes are amendments with a reason, kept in "
           "the audit log.")
            .arg(name, m_review->reviewerName()),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return;
    if (!confirmSignOutsideDomain(name))
        return;
    if (m_database && m_database->engine() == db::Engine::Postgres) {
        // An electronic signature (21 CFR 11.200): the login's password
        // again, checked by the server, and what the signature means.
        bool ok = false;
        const QString password = QInputDialog::getText(
            this, tr("Electronic signature"),
            tr("Signing %1 means: reviewed and approved.\n\nPassword of %2 on the laboratory server:")
                .arg(name, m_database->serverLogin()),
            QLineEdit::Password, QString(), &ok);
        if (!ok)
            return;
        if (auto verified = db::verifyServerPassword(m_database->path(), password); !verified) {
            showError(tr("Cannot sign"), QString::fromStdString(verified.error()));
            return;
        }
        if (auto signedOk = m_review->signCase(QStringLiteral("reviewed and approved")); !signedOk)
            showError(tr("Cannot sign"), QString::fromStdString(signedOk.error()));
        return;
    }
    if (auto signedOk = signCurrentCase(); !signedOk)
        showError(tr("Cannot sign"), QString::fromStdString(signedOk.error()));
}

void MainWindow::editIdentifiersInteractive()
{
    const qint64 caseId = m_browser->currentCaseId();
    if (!m_database || caseId == 0)
        return;
    auto row = m_database->caseById(caseId);
    if (!row) {
        showError(tr("Cannot read the case"), QString::fromStdString(row.error()));
        return;
    }
    CaseIdentifiersDialog dialog(*row, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    // The audit entry names who changed them, as a sign-off does.
    if (!m_review->ensureReviewerName())
        return;
    if (auto changed = m_database->setCaseIdentifiers(caseId, dialog.identifiers(), m_review->reviewerName(),
                                                      dialog.reason());
        !changed) {
        showError(tr("Cannot change the identifiers"), QString::fromStdString(changed.error()));
        return;
    }
    const qint64 keep = m_browser->currentCellId();
    refresh();
    m_browser->selectCase(caseId);
    m_browser->selectCell(keep);
    statusBar()->showMessage(tr("Identifiers of %1 saved.").arg(row->name), 8000);
    if (row->isSigned())
        sendLisResult(caseId); // an amendment: a corrected result
}

namespace {
CaseReportInput reportInput(const db::Database &database, const CellGalleryModel &model, const db::CaseRow &row,
                            const review::ReviewThresholds &thresholds, const QString &domainWarning)
{
    CaseReportInput input;
    input.caseRow = row;
    input.cells = model.cells();
    input.reviewed = model.reviewedCells();
    input.thresholds = thresholds;
    input.ranges = AppSettings::referenceRanges();
    input.generatedBy = AppSettings::reviewerName();
    input.domainWarning = domainWarning;
    // Without it the report still marks cells whose final class differs
    // from the model's call.
    if (auto before = review::ReviewStore::labelsBeforeReview(database, row.id))
        input.labelsBeforeReview = *before;
    if (auto morphology = review::MorphologyStore::load(database, row.id))
        input.morphology = *morphology;
    input.imageOf = [&database](qint64 cellId) {
        auto bytes = database.cellImage(cellId);
        return bytes ? *bytes : QByteArray();
    };
    return input;
}
} // namespace

Result<CaseReportInput> MainWindow::currentReportInput() const
{
    if (!m_database || m_browser->galleryModel()->caseId() == 0)
        return makeError(tr("No case is selected.").toStdString());
    auto row = m_database->caseById(m_browser->galleryModel()->caseId());
    if (!row)
        return makeError(row.error());
    const CellGalleryModel *model = m_browser->galleryModel();
    // The report says what the screen says: the warning, and what the case
    // normalisation changed before classification.
    const domain::DomainVerdict &verdict = m_browser->domainVerdict();
    const QString note = QString(DomainWarning::text(verdict) + QLatin1Char(' ') + DomainWarning::normalisationText(verdict)).trimmed();
    return reportInput(*m_database, *model, *row, model->reviewThresholds(), note);
}

Result<void> MainWindow::exportCellCsv(const QString &path)
{
    auto input = currentReportInput();
    if (!input)
        return makeError(input.error());
    return CaseReport::writeCellCsv(path, *input);
}

Result<void> MainWindow::exportReportPdf(const QString &path)
{
    auto input = currentReportInput();
    if (!input)
        return makeError(input.error());
    return CaseReport::writePdf(path, *input);
}

void MainWindow::exportCsvInteractive()
{
    exportInteractive(tr("Export cells as CSV"), QStringLiteral(".csv"), tr("CSV files (*.csv)"),
                      [this](const QString &path) { return exportCellCsv(path); });
}

void MainWindow::exportPdfInteractive()
{
    exportInteractive(tr("Export case report"), QStringLiteral(".pdf"), tr("PDF files (*.pdf)"),
                      [this](const QString &path) { return exportReportPdf(path); });
}

void MainWindow::exportInteractive(const QString &title, const QString &suffix, const QString &filter,
                                   const std::function<Result<void>(const QString &)> &write)
{
    const QString start = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                              .filePath(safeFileName(caseName(m_browser->currentCaseId())) + suffix);
    const QString path = FileDialogs::saveFile(this, title, start, filter);
    if (path.isEmpty())
        return;
    if (auto written = write(path); !written)
        showError(tr("Cannot export"), QString::fromStdString(written.error()));
    else
        statusBar()->showMessage(tr("Wrote %1").arg(QDir::toNativeSeparators(path)), 8000);
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(this);
    if (AppSettings::effectiveModelPath().isEmpty())
        dialog.focusModel();
    if (dialog.exec() == QDialog::Accepted)
        applySettings();
}

} // namespace cytodiff::ui
