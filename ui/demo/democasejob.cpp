#include "democasejob.h"

#include "database.h"
#include "democase.h"
#include "engine.h"

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
DemoCaseOutcome runDemo(const DemoCaseRequest &request, const std::atomic_bool &cancel,
                        const demo::DemoProgressFn &progress)
{
    DemoCaseOutcome outcome;
    QElapsedTimer clock;
    clock.start();
    try {
        // One intra-op thread, as for classification: the GUI keeps a core.
        engine::setThreadCount(1);
        if (request.modelPath.isEmpty() || !QFileInfo::exists(request.modelPath)) {
            outcome.error = DemoCaseJob::tr("No model file is available to generate cells. Choose a model file "
                                            "(.pt) in Settings > Classification.");
            return outcome;
        }
        auto model = engine::Model::load(request.modelPath.toStdString());
        if (!model) {
            outcome.error = DemoCaseJob::tr("The model %1 cannot be loaded: %2")
                                .arg(request.modelPath, fromStd(model.error()));
            return outcome;
        }
        outcome.modelId = fromStd(model->card().modelId());
        auto database = db::Database::open(request.workspacePath);
        if (!database) {
            outcome.error = fromStd(database.error());
            return outcome;
        }
        demo::DemoCaseOptions options;
        options.cellsPerClass = request.cellsPerClass;
        options.seed = request.seed;
        options.actor = request.actor;
        QElapsedTimer sinceLast;
        sinceLast.start();
        auto throttled = [&](int done, int total, const QString &classId) {
            if (done == total || done == 0 || sinceLast.elapsed() >= kProgressIntervalMs) {
                sinceLast.restart();
                progress(done, total, classId);
            }
        };
        auto created = demo::createDemoCase(*database, *model, options, [&cancel] { return cancel.load(); }, throttled);
        if (created) {
            outcome.caseId = *created;
            outcome.cells = model->numClasses() * request.cellsPerClass;
        } else if (demo::isCancelledError(created.error()) || cancel.load()) {
            outcome.cancelled = true;
        } else {
            outcome.error = fromStd(created.error());
        }
    } catch (const std::exception &e) {
        outcome.error = DemoCaseJob::tr("Unexpected error: %1").arg(QString::fromLocal8Bit(e.what()));
    } catch (...) {
        outcome.error = DemoCaseJob::tr("Unexpected error while generating the demo case.");
    }
    outcome.seconds = clock.elapsed() / 1000.0;
    return outcome;
}
} // namespace

DemoCaseJob::DemoCaseJob(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<DemoCaseOutcome>();
}

DemoCaseJob::~DemoCaseJob()
{
    m_worker.stop(); // joins: the work posts calls to `this`
}

bool DemoCaseJob::start(const DemoCaseRequest &request)
{
    if (m_worker.isRunning())
        return false;
    m_request = request;
    m_outcome = {};
    return m_worker.start(QStringLiteral("demo case"), [this, request](const std::atomic_bool &cancel) {
        auto report = [this](int done, int total, const QString &classId) {
            QMetaObject::invokeMethod(
                this, [this, done, total, classId] { emit progress(done, total, classId); }, Qt::QueuedConnection);
        };
        const DemoCaseOutcome outcome = runDemo(request, cancel, report);
        QMetaObject::invokeMethod(
            this, [this, outcome] { onWorkerFinished(outcome); }, Qt::QueuedConnection);
    });
}

void DemoCaseJob::cancel() { m_worker.cancel(); }

void DemoCaseJob::onWorkerFinished(const DemoCaseOutcome &outcome)
{
    m_outcome = outcome;
    m_worker.finish();
    emit finished(m_outcome);
}

} // namespace cytodiff::ui
