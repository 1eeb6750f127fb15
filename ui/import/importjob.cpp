#include "importjob.h"

#include "classificationservice.h"
#include "domainwarning.h"
#include "engine.h"

#include "database.h"
#include "importer.h"

#include <QDir>
#include <QElapsedTimer>

#include <exception>

namespace cytodiff::ui {

namespace {
// Queued progress events are throttled: one per file would flood the GUI
// thread's queue during a fast import of 10,000 small files.
constexpr qint64 kProgressIntervalMs = 50;

// The importer's own names are English (the CLI prints them); the GUI
// shows them in its language.
QString layoutDisplayName(importer::Layout layout)
{
    switch (layout) {
    case importer::Layout::ClassFolders:
        return ImportJob::tr("folder per class");
    case importer::Layout::CaseFolders:
        return ImportJob::tr("case folders");
    case importer::Layout::FlatPrefix:
        return ImportJob::tr("class code as file-name prefix");
    case importer::Layout::Manifest:
        return ImportJob::tr("manifest.csv");
    case importer::Layout::Unlabelled:
        break;
    }
    return ImportJob::tr("unlabelled images");
}

ImportOutcome toOutcome(const importer::ImportReport &report)
{
    ImportOutcome outcome;
    outcome.ran = true;
    outcome.cancelled = report.cancelled;
    outcome.fatalError = report.error;
    outcome.layout = layoutDisplayName(report.layout);
    outcome.caseNames = report.casesCreated + report.casesUpdated;
    outcome.imported = report.imported;
    outcome.duplicates = report.duplicates;
    outcome.skipped = report.skipped.size();
    for (int count : report.unknownCodes)
        outcome.unknownCodes += count;
    outcome.seconds = report.elapsedMs / 1000.0;
    outcome.issues.reserve(report.skipped.size());
    for (const importer::SkippedFile &file : report.skipped)
        outcome.issues.append({file.path, file.reason});
    for (const importer::LabelConflict &conflict : report.labelConflicts)
        outcome.conflicts.append({conflict.path, conflict.label, conflict.keptPath, conflict.keptLabel,
                                  conflict.keptCase, conflict.keptInWorkspace});
    return outcome;
}

// The image half of the domain check on each case the import touched, as
// `cytodiff-cli import --model` does; the warning lines for the summary.
QStringList checkImportedCases(db::Database &database, const importer::ImportReport &report, const QString &modelPath)
{
    QStringList warnings;
    auto model = engine::Model::load(modelPath.toStdString());
    if (!model || model->card().domainReference.empty())
        return warnings; // the classification run reports an unusable model
    for (const QString &name : report.casesCreated + report.casesUpdated) {
        auto found = database.findCase(name);
        if (!found)
            continue;
        auto verdict = classify::checkStoredCaseImages(database, found->id, model->card().domainReference);
        if (verdict && verdict->outside)
            warnings << QStringLiteral("%1: %2").arg(name, DomainWarning::text(*verdict));
        else if (verdict && !verdict->normalisation.isIdentity())
            warnings << QStringLiteral("%1: %2").arg(name, DomainWarning::normalisationText(*verdict));
    }
    return warnings;
}

// Runs in the worker thread. Everything it touches is local or atomic.
ImportOutcome runImport(const ImportRequest &request, const std::atomic_bool &cancel,
                        const std::function<void(qint64, qint64, const QString &)> &progress)
{
    ImportOutcome outcome;
    try {
        auto database = db::Database::open(request.workspacePath);
        if (!database) {
            outcome.fatalError = QString::fromStdString(database.error());
        } else {
            importer::ImportOptions options;
            options.caseName = request.caseName;
            options.actor = request.actor;
            importer::ImportCallbacks callbacks;
            callbacks.cancelFlag = &cancel;
            QElapsedTimer sinceLast;
            sinceLast.start();
            callbacks.progress = [&](int done, int total, const QString &file) {
                if (done == total || sinceLast.elapsed() >= kProgressIntervalMs) {
                    sinceLast.restart();
                    progress(done, total, file);
                }
            };
            auto report = importer::importFolder(*database, request.folder, options, callbacks);
            if (report) {
                outcome = toOutcome(*report);
                if (!report->cancelled && !request.modelPath.isEmpty())
                    outcome.domainWarnings = checkImportedCases(*database, *report, request.modelPath);
            } else {
                outcome.fatalError = QString::fromStdString(report.error());
            }
        }
    } catch (const std::exception &e) {
        outcome.fatalError = ImportJob::tr("Unexpected error: %1").arg(QString::fromLocal8Bit(e.what()));
    } catch (...) {
        outcome.fatalError = ImportJob::tr("Unexpected error during the import.");
    }
    outcome.folder = request.folder;
    return outcome;
}
} // namespace

ImportJob::ImportJob(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<ImportOutcome>();
}

ImportJob::~ImportJob()
{
    m_worker.stop(); // joins: the work posts calls to `this`
}

bool ImportJob::start(const ImportRequest &request)
{
    if (m_worker.isRunning())
        return false;
    m_request = request;
    m_outcome = {};
    return m_worker.start(QStringLiteral("import"), [this, request](const std::atomic_bool &cancel) {
        auto report = [this](qint64 done, qint64 total, const QString &file) {
            QMetaObject::invokeMethod(
                this, [this, done, total, file] { emit progress(done, total, file); },
                Qt::QueuedConnection);
        };
        const ImportOutcome outcome = runImport(request, cancel, report);
        QMetaObject::invokeMethod(
            this, [this, outcome] { onWorkerFinished(outcome); }, Qt::QueuedConnection);
    });
}

void ImportJob::cancel() { m_worker.cancel(); }

void ImportJob::onWorkerFinished(const ImportOutcome &outcome)
{
    m_outcome = outcome;
    m_worker.finish();
    emit finished(m_outcome);
}

} // namespace cytodiff::ui
