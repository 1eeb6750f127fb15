#include "classificationjob.h"

#include "classificationnotices.h"
#include "domainwarning.h"

#include "database.h"
#include "engine.h"
#include "classificationservice.h"

#include <QDateTime>
#include <QFileInfo>
#include <QMutex>
#include <QSet>
#include <QWaitCondition>

#include <algorithm>
#include <atomic>
#include <deque>
#include <exception>
#include <optional>

namespace cytodiff::ui {

namespace {
// Progress is reported at most this often; predictions are not throttled.
constexpr qint64 kProgressIntervalMs = 100;

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}
} // namespace

struct ClassificationJob::Shared {
    QMutex mutex;
    QWaitCondition wake;
    // Guarded by mutex.
    std::deque<qint64> cases;
    ClassificationSettings settings;
    // Read by the engine's cancel callbacks without the mutex.
    std::atomic_bool stop{false};
    std::atomic_bool cancelRun{false};
};

// Lives only inside the worker thread's function: owns the model and the
// worker's database connection.
class ClassificationJob::Worker {
public:
    Worker(ClassificationJob *job, std::shared_ptr<Shared> shared, QString workspacePath)
        : m_job(job), m_shared(std::move(shared)), m_workspacePath(std::move(workspacePath))
    {
    }

    void run()
    {
        // One intra-op thread: the GUI thread and the thumbnail loader need
        // the other cores, and per-cell work is too small to split well.
        engine::setThreadCount(1);
        for (;;) {
            Task task = nextTask();
            if (task.kind == Task::Stop)
                return;
            // Nothing may escape the thread: an exception here would
            // terminate the whole application.
            try {
                if (task.kind == Task::StartCase)
                    startCase(task.id, task.settings);
                else
                    classifyNextCell();
            } catch (const std::exception &e) {
                fail(task, ClassificationJob::tr("Unexpected error: %1").arg(QString::fromLocal8Bit(e.what())));
            } catch (...) {
                fail(task, ClassificationJob::tr("Unexpected error in the classification worker."));
            }
        }
    }

private:
    struct Task {
        enum Kind { Stop, StartCase, NextCell } kind = Stop;
        qint64 id = 0;
        ClassificationSettings settings;
    };

    // The running case, worker side.
    struct Run {
        ClassificationOutcome outcome;
        QList<qint64> remaining;
        QElapsedTimer clock;
        QElapsedTimer sinceProgress;
        classify::CasePlan plan;
    };

    Task nextTask()
    {
        QMutexLocker lock(&m_shared->mutex);
        for (;;) {
            if (m_shared->stop)
                return {};
            if (m_run)
                return {Task::NextCell, m_run->outcome.caseId, {}};
            if (!m_shared->cases.empty()) {
                const qint64 caseId = m_shared->cases.front();
                m_shared->cases.pop_front();
                // Under the mutex, so a cancel() from now on is honoured.
                m_shared->cancelRun = false;
                return {Task::StartCase, caseId, m_shared->settings};
            }
            m_shared->wake.wait(&m_shared->mutex);
        }
    }

    void fail(const Task &task, const QString &message)
    {
        if (!m_run) {
            ClassificationOutcome outcome;
            outcome.caseId = task.id;
            outcome.error = message;
            post([job = m_job, outcome] { job->onCaseFinished(outcome); });
            return;
        }
        m_run->outcome.error = message;
        finishRun();
    }

    template <typename F>
    void post(F &&function)
    {
        // The job outlives this thread (its destructor joins it), and a
        // call still queued when the job is destroyed is discarded by Qt.
        QMetaObject::invokeMethod(m_job, std::forward<F>(function), Qt::QueuedConnection);
    }

    // Opens the connection and (re)loads the model when the settings
    // changed. Returns an error message, empty on success.
    QString prepare(const ClassificationSettings &settings)
    {
        if (!m_database) {
            auto opened = db::Database::open(m_workspacePath);
            if (!opened)
                return ClassificationJob::tr("The workspace cannot be opened for classification: %1")
                    .arg(fromStd(opened.error()));
            m_database = std::make_unique<db::Database>(std::move(*opened));
        }
        if (settings.modelPath.isEmpty())
            return ClassificationJob::tr("No classification model is chosen. Choose a model file (.pt) in "
                                         "Settings > Classification.");
        if (m_model && settings.modelPath == m_modelPath)
            return {};
        m_model.reset();
        m_modelPath.clear();
        if (!QFileInfo::exists(settings.modelPath))
            return ClassificationJob::tr("The model file %1 does not exist. Choose another one in Settings > "
                                         "Classification.")
                .arg(settings.modelPath);
        auto loaded = engine::Model::load(settings.modelPath.toStdString());
        if (!loaded)
            return ClassificationJob::tr("The model %1 cannot be loaded: %2").arg(settings.modelPath, fromStd(loaded.error()));
        m_model = std::make_unique<engine::Model>(std::move(*loaded));
        m_modelPath = settings.modelPath;
        m_modelId = fromStd(m_model->card().modelId());
        m_classNames.clear();
        for (const std::string &name : m_model->card().classNames)
            m_classNames << fromStd(name);
        m_secondPath.clear(); // the pairing is checked again for the new model
        return {};
    }

    // Loads the second-opinion model when the settings name one. Its calls
    // are only comparable over the same classes; otherwise the run goes on
    // without it and says why. Returns a notice, empty when all is well.
    QString prepareSecondOpinion(const ClassificationSettings &settings)
    {
        if (settings.secondOpinionPath.isEmpty()) {
            m_second.reset();
            m_secondPath.clear();
            return {};
        }
        if (m_second && settings.secondOpinionPath == m_secondPath)
            return {};
        m_second.reset();
        m_secondPath.clear();
        auto loaded = engine::Model::load(settings.secondOpinionPath.toStdString());
        if (!loaded)
            return ClassificationJob::tr("No second opinion: the model %1 cannot be loaded (%2). Turn the second "
                                         "opinion off in Settings > Classification, or reinstall CytoDiff.")
                .arg(settings.secondOpinionPath, fromStd(loaded.error()));
        QStringList names;
        for (const std::string &name : loaded->card().classNames)
            names << fromStd(name);
        if (QSet<QString>(names.begin(), names.end()) != QSet<QString>(m_classNames.begin(), m_classNames.end()))
            return ClassificationJob::tr("No second opinion: %1 knows other classes than the classification model.")
                .arg(QFileInfo(settings.secondOpinionPath).fileName());
        m_second = std::make_unique<engine::Model>(std::move(*loaded));
        m_secondPath = settings.secondOpinionPath;
        m_secondId = fromStd(m_second->card().modelId());
        return {};
    }

    void startCase(qint64 caseId, const ClassificationSettings &settings)
    {
        m_run.emplace();
        m_run->clock.start();
        m_run->sinceProgress.start();
        m_run->outcome.caseId = caseId;
        if (const QString error = prepare(settings); !error.isEmpty()) {
            m_run->outcome.error = error;
            finishRun();
            return;
        }
        m_run->outcome.modelId = m_modelId;
        m_run->outcome.notice = prepareSecondOpinion(settings);
        if (m_second)
            m_run->outcome.secondOpinionModelId = m_secondId;
        engine::ClassifyOptions options;
        options.protocol = settings.paperProtocol ? engine::Protocol::Paper : engine::Protocol::Fast;
        options.trialsMax = settings.maxTrials;
        m_service.emplace(m_model.get(), m_second.get(), options);
        // A damaged profile fails every call: say it once, before the first cell.
        if (auto damaged = m_service->profileError()) {
            m_run->outcome.error = fromStd(*damaged);
            finishRun();
            return;
        }
        for (const QString &notice : {ClassificationNotices::profile(m_service->anomalyProfileUse(), m_modelId),
                                      ClassificationNotices::domainCheck(m_service->domainCheckGap())})
            if (!notice.isEmpty())
                m_run->outcome.notice += (m_run->outcome.notice.isEmpty() ? QString() : QStringLiteral(" ")) + notice;
        auto plan = m_service->planCase(*m_database, caseId);
        if (!plan) {
            m_run->outcome.error = ClassificationJob::tr("The cells of the case cannot be read: %1").arg(fromStd(plan.error()));
            finishRun();
            return;
        }
        if (m_database->isReadOnly()) {
            m_run->outcome.error = m_database->readOnlyReason();
            finishRun();
            return;
        }
        // Cells classified before the second opinion existed get one too.
        m_run->plan = *plan;
        m_run->remaining = plan->todo();
        m_run->outcome.total = int(plan->cells.size());
        m_run->outcome.skipped = int(plan->cells.size() - m_run->remaining.size());
        post([job = m_job, caseId, total = m_run->outcome.total, skipped = m_run->outcome.skipped,
              model = m_modelId] { job->onCaseStarted(caseId, total, skipped, model); });
        if (m_run->remaining.isEmpty())
            finishRun();
    }

    void classifyNextCell()
    {
        Run &run = *m_run;
        if (m_shared->cancelRun || m_shared->stop || run.remaining.isEmpty()) {
            run.outcome.cancelled = !run.remaining.isEmpty();
            finishRun();
            return;
        }
        const qint64 cellId = run.remaining.takeFirst();
        const QString reason = classifyCell(cellId);
        if (!reason.isEmpty()) {
            if (m_shared->cancelRun || m_shared->stop) {
                run.outcome.cancelled = true;
                finishRun();
                return;
            }
            ++run.outcome.failed;
            post([job = m_job, cellId, reason] { emit job->cellFailed(cellId, reason); });
        }
        reportProgress(run.remaining.isEmpty());
        if (run.remaining.isEmpty())
            finishRun();
    }

    // Classifies and stores one cell (and its second opinion) through the
    // classification service; an error message, or empty.
    QString classifyCell(qint64 cellId)
    {
        Run &run = *m_run;
        const std::shared_ptr<Shared> shared = m_shared;
        const classify::StoredCellOutcome done = m_service->classifyStoredCell(
            *m_database, cellId, run.plan.needsPrediction.contains(cellId), run.plan.needsSecondOpinion.contains(cellId),
            [shared] { return shared->cancelRun || shared->stop; });
        if (done.prediction) {
            ++run.outcome.classified;
            post([job = m_job, row = *done.prediction] { emit job->predictionReady(row); });
        }
        if (!done.secondOpinionClass.isEmpty()) {
            ++run.outcome.secondOpinions;
            post([job = m_job, cellId, model = m_secondId, predicted = done.secondOpinionClass] {
                emit job->secondOpinionReady(cellId, model, predicted);
            });
        }
        return done.error;
    }

    void reportProgress(bool force)
    {
        Run &run = *m_run;
        if (!force && run.sinceProgress.elapsed() < kProgressIntervalMs)
            return;
        run.sinceProgress.restart();
        // Cells that only lacked a second opinion count as work done too.
        const int done = run.outcome.total - int(run.remaining.size());
        const int worked = done - run.outcome.skipped;
        const double seconds = run.clock.elapsed() / 1000.0;
        const double rate = seconds > 0.0 ? worked / seconds : 0.0;
        const double eta = rate > 0.0 ? run.remaining.size() / rate : -1.0;
        post([job = m_job, caseId = run.outcome.caseId, done, total = run.outcome.total, rate, eta] {
            emit job->progress(caseId, done, total, rate, eta);
        });
    }

    void finishRun()
    {
        m_run->outcome.seconds = m_run->clock.elapsed() / 1000.0;
        ClassificationOutcome &outcome = m_run->outcome;
        if (m_service && outcome.error.isEmpty() && !outcome.cancelled) {
            // The whole case is classified: its images and the model's
            // effort on them decide whether it is like the training images.
            auto verdict = m_service->checkDomain(*m_database, outcome.caseId);
            if (!verdict) {
                const QString problem = ClassificationJob::tr("No domain check: %1").arg(fromStd(verdict.error()));
                outcome.notice = outcome.notice.isEmpty() ? problem : outcome.notice + QStringLiteral(". ") + problem;
            } else {
                outcome.outsideDomain = verdict->outside;
                outcome.domainWarning = DomainWarning::text(*verdict);
            }
        }
        post([job = m_job, outcome = m_run->outcome] { job->onCaseFinished(outcome); });
        m_run.reset();
    }

    ClassificationJob *m_job;
    std::shared_ptr<Shared> m_shared;
    QString m_workspacePath;
    std::unique_ptr<db::Database> m_database;
    std::unique_ptr<engine::Model> m_model;
    QString m_modelPath;
    QString m_modelId;
    QStringList m_classNames;
    std::unique_ptr<engine::Model> m_second;
    QString m_secondPath;
    QString m_secondId;
    std::optional<classify::ClassificationService> m_service; // over the current models
    std::optional<Run> m_run;
};

ClassificationJob::ClassificationJob(const QString &workspacePath, QObject *parent)
    : QObject(parent), m_shared(std::make_shared<Shared>())
{
    qRegisterMetaType<db::PredictionRow>();
    qRegisterMetaType<ClassificationOutcome>();
    m_heatmaps = std::make_unique<CellHeatmapJob>(workspacePath);
    connect(m_heatmaps.get(), &CellHeatmapJob::ready, this, &ClassificationJob::heatmapReady);
    connect(m_heatmaps.get(), &CellHeatmapJob::failed, this, &ClassificationJob::heatmapFailed);
    // The worker object is created inside the thread's function, so the
    // model and the connection are made, used and destroyed in one thread.
    std::shared_ptr<Shared> shared = m_shared;
    m_thread.reset(QThread::create([this, shared, workspacePath] {
        Worker worker(this, shared, workspacePath);
        worker.run();
    }));
    m_thread->setObjectName(QStringLiteral("classification"));
    m_thread->start(QThread::LowPriority);
}

ClassificationJob::~ClassificationJob()
{
    if (Shared *shared = m_shared.get()) {
        QMutexLocker lock(&shared->mutex);
        shared->stop.store(true);
        shared->wake.wakeAll();
    }
    m_thread.reset(); // joins; the engine's cancel callback sees `stop`
}

void ClassificationJob::setSettings(const ClassificationSettings &settings)
{
    HeatmapSettings heatmaps;
    heatmaps.modelPath = settings.modelPath;
    heatmaps.modelModified = QFileInfo(settings.modelPath).lastModified();
    heatmaps.trials = settings.heatmapTrials;
    heatmaps.displaySide = settings.displaySide;
    m_heatmaps->setSettings(heatmaps);
    QMutexLocker lock(&m_shared->mutex);
    m_shared->settings = settings;
}

ClassificationSettings ClassificationJob::settings() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->settings;
}

void ClassificationJob::classifyCase(qint64 caseId)
{
    if (caseId <= 0 || caseId == m_runningCase || m_queuedCases.contains(caseId))
        return;
    m_queuedCases.append(caseId);
    QMutexLocker lock(&m_shared->mutex);
    m_shared->cases.push_back(caseId);
    m_shared->wake.wakeAll();
}

void ClassificationJob::cancel()
{
    m_queuedCases.clear();
    QMutexLocker lock(&m_shared->mutex);
    m_shared->cases.clear();
    m_shared->cancelRun = true;
    m_shared->wake.wakeAll();
}

void ClassificationJob::requestHeatmap(qint64 cellId)
{
    m_heatmaps->request(cellId);
}

void ClassificationJob::abandonHeatmap()
{
    m_heatmaps->abandon();
}

const HeatmapData *ClassificationJob::cachedHeatmap(qint64 cellId) const
{
    return m_heatmaps->cached(cellId);
}

qint64 ClassificationJob::pendingHeatmapCell() const
{
    return m_heatmaps->pendingCell();
}

void ClassificationJob::onCaseStarted(qint64 caseId, int total, int alreadyDone, const QString &modelId)
{
    m_queuedCases.removeOne(caseId);
    m_runningCase = caseId;
    m_modelId = modelId;
    emit caseStarted(caseId, total, alreadyDone, modelId);
}

void ClassificationJob::onCaseFinished(const ClassificationOutcome &outcome)
{
    m_queuedCases.removeOne(outcome.caseId);
    if (m_runningCase == outcome.caseId)
        m_runningCase = 0;
    if (!outcome.modelId.isEmpty())
        m_modelId = outcome.modelId;
    emit caseFinished(outcome);
}

} // namespace cytodiff::ui
