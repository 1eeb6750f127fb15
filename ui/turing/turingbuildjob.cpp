#include "turingbuildjob.h"

#include "database.h"
#include "engine.h"
#include "turingbuilder.h"

#include <QElapsedTimer>
#include <QFileInfo>

#include <exception>

namespace cytodiff::ui {

namespace {
constexpr qint64 kProgressIntervalMs = 100;

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

// Runs in the worker thread; everything it touches is local or atomic.
TuringBuildOutcome runBuild(const TuringBuildRequest &request, const std::atomic_bool &cancel,
                            const turing::BuildProgressFn &progress)
{
    TuringBuildOutcome outcome;
    QElapsedTimer clock;
    clock.start();
    try {
        // One intra-op thread, as for classification: the GUI keeps a core.
        engine::setThreadCount(1);
        if (request.modelPath.isEmpty() || !QFileInfo::exists(request.modelPath)) {
            outcome.error = TuringBuildJob::tr("No model file is available to generate cells. Choose a model file "
                                               "(.pt) in Settings > Classification.");
            return outcome;
        }
        auto model = engine::Model::load(request.modelPath.toStdString());
        if (!model) {
            outcome.error = TuringBuildJob::tr("The model %1 cannot be loaded: %2")
                                .arg(request.modelPath, fromStd(model.error()));
            return outcome;
        }
        auto database = db::Database::open(request.workspacePath);
        if (!database) {
            outcome.error = fromStd(database.error());
            return outcome;
        }
        auto caseRow = database->caseById(request.caseId);
        if (!caseRow) {
            outcome.error = fromStd(caseRow.error());
            return outcome;
        }
        auto candidates = turing::realCandidatesFromCase(*database, request.caseId);
        if (!candidates) {
            outcome.error = fromStd(candidates.error());
            return outcome;
        }
        turing::BuildOptions options;
        options.name = request.name;
        options.perClass = request.perClass;
        options.steps = request.steps;
        options.seed = request.seed;
        options.source = QStringLiteral("case %1").arg(caseRow->name);
        QElapsedTimer sinceLast;
        sinceLast.start();
        auto throttled = [&](int done, int total, const QString &what) {
            if (done == total || done == 0 || sinceLast.elapsed() >= kProgressIntervalMs) {
                sinceLast.restart();
                progress(done, total, what);
            }
        };
        auto built = turing::buildTuringTest(*database, *model, *candidates, options,
                                             [&cancel] { return cancel.load(); }, throttled);
        if (built) {
            outcome.testId = built->testId;
            outcome.name = built->name;
            outcome.realImages = built->realImages;
            outcome.syntheticImages = built->syntheticImages;
            outcome.skippedClasses = built->skippedClasses;
        } else if (turing::isCancelledError(built.error()) || cancel.load()) {
            outcome.cancelled = true;
        } else {
            outcome.error = fromStd(built.error());
        }
    } catch (const std::exception &e) {
        outcome.error = TuringBuildJob::tr("Unexpected error: %1").arg(QString::fromLocal8Bit(e.what()));
    } catch (...) {
        outcome.error = TuringBuildJob::tr("Unexpected error while building the Turing test.");
    }
    outcome.seconds = clock.elapsed() / 1000.0;
    return outcome;
}
} // namespace

TuringBuildJob::TuringBuildJob(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<TuringBuildOutcome>();
}

TuringBuildJob::~TuringBuildJob()
{
    m_worker.stop(); // joins: the work posts calls to `this`
}

bool TuringBuildJob::start(const TuringBuildRequest &request)
{
    if (m_worker.isRunning())
        return false;
    m_outcome = {};
    return m_worker.start(QStringLiteral("turing build"), [this, request](const std::atomic_bool &cancel) {
        auto report = [this](int done, int total, const QString &what) {
            QMetaObject::invokeMethod(
                this, [this, done, total, what] { emit progress(done, total, what); }, Qt::QueuedConnection);
        };
        const TuringBuildOutcome outcome = runBuild(request, cancel, report);
        QMetaObject::invokeMethod(
            this, [this, outcome] { onWorkerFinished(outcome); }, Qt::QueuedConnection);
    });
}

void TuringBuildJob::cancel() { m_worker.cancel(); }

void TuringBuildJob::onWorkerFinished(const TuringBuildOutcome &outcome)
{
    m_outcome = outcome;
    m_worker.finish();
    emit finished(m_outcome);
}

} // namespace cytodiff::ui
