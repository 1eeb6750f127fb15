#include "cellheatmapjob.h"

#include "casenormalisation.h"
#include "classificationservice.h"
#include "database.h"
#include "engine.h"
#include "imageio.h"

#include <QFileInfo>
#include <QMutex>
#include <QWaitCondition>

#include <atomic>
#include <exception>
#include <optional>
#include <string_view>

namespace cytodiff::ui {

namespace {
// Maps of the last cells looked at (a few hundred KB each).
constexpr int kCacheEntries = 64;

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

std::string_view bytesOf(const QByteArray &bytes)
{
    return {bytes.constData(), std::size_t(bytes.size())};
}
} // namespace

struct CellHeatmapJob::Request {
    qint64 cellId = 0;
    quint64 generation = 0;
    quint64 settingsGeneration = 0;
    HeatmapSettings settings;
};

struct CellHeatmapJob::Shared {
    QMutex mutex;
    QWaitCondition wake;
    std::optional<Request> next; // guarded by mutex: only the newest request waits
    // Read by the engine's cancel callback without the mutex.
    std::atomic<quint64> newest{0};
    std::atomic_bool stop{false};
};

// Lives only inside the worker thread's function: owns the model and the
// worker's database connection.
class CellHeatmapJob::Worker {
public:
    Worker(CellHeatmapJob *job, std::shared_ptr<Shared> shared, QString workspacePath)
        : m_job(job), m_shared(std::move(shared)), m_workspacePath(std::move(workspacePath))
    {
    }

    void run()
    {
        // One intra-op thread, as the classifier's: the GUI thread, the
        // thumbnail loader and the classification need the other cores
        // (and OpenMP's setting is per thread).
        engine::setThreadCount(1);
        for (;;) {
            const std::optional<Request> request = take();
            if (!request)
                return;
            std::shared_ptr<HeatmapData> data;
            QString error;
            // Nothing may escape the thread: an exception here would
            // terminate the whole application.
            try {
                data = compute(*request, &error);
            } catch (const std::exception &e) {
                error = CellHeatmapJob::tr("Unexpected error: %1").arg(QString::fromLocal8Bit(e.what()));
            } catch (...) {
                error = CellHeatmapJob::tr("Unexpected error while computing the heatmap.");
            }
            // A computation cut short because the reviewer moved on is not
            // a failure anyone waits to hear about.
            if (!data && (m_shared->stop || m_shared->newest != request->generation))
                continue;
            // The job outlives this thread (its destructor joins it), and a
            // call still queued when the job is destroyed is discarded by Qt.
            QMetaObject::invokeMethod(
                m_job,
                [job = m_job, generation = request->generation, settings = request->settingsGeneration, data,
                 cell = request->cellId, error] { job->onResult(generation, settings, data, cell, error); },
                Qt::QueuedConnection);
        }
    }

private:
    std::optional<Request> take()
    {
        QMutexLocker lock(&m_shared->mutex);
        while (!m_shared->stop && !m_shared->next)
            m_shared->wake.wait(&m_shared->mutex);
        if (m_shared->stop)
            return std::nullopt;
        std::optional<Request> request = std::move(m_shared->next);
        m_shared->next.reset();
        return request;
    }

    // Opens the connection and (re)loads the model when the settings name
    // another file. Returns an error message, empty on success.
    QString prepare(const HeatmapSettings &settings)
    {
        if (!m_database) {
            auto opened = db::Database::open(m_workspacePath);
            if (!opened)
                return CellHeatmapJob::tr("The workspace cannot be opened for heatmaps: %1").arg(fromStd(opened.error()));
            m_database = std::make_unique<db::Database>(std::move(*opened));
        }
        if (settings.modelPath.isEmpty())
            return CellHeatmapJob::tr("No classification model is chosen. Choose a model file (.pt) in "
                                      "Settings > Classification.");
        if (m_model && settings.modelPath == m_modelPath && settings.modelModified == m_modelModified)
            return {};
        m_model.reset();
        if (!QFileInfo::exists(settings.modelPath))
            return CellHeatmapJob::tr("The model file %1 does not exist. Choose another one in Settings > "
                                      "Classification.")
                .arg(settings.modelPath);
        auto loaded = engine::Model::load(settings.modelPath.toStdString());
        if (!loaded)
            return CellHeatmapJob::tr("The model %1 cannot be loaded: %2").arg(settings.modelPath, fromStd(loaded.error()));
        m_model = std::make_unique<engine::Model>(std::move(*loaded));
        m_modelPath = settings.modelPath;
        m_modelModified = settings.modelModified;
        m_modelId = fromStd(m_model->card().modelId());
        m_classNames.clear();
        for (const std::string &name : m_model->card().classNames)
            m_classNames << fromStd(name);
        return {};
    }

    std::shared_ptr<HeatmapData> compute(const Request &request, QString *error)
    {
        if (const QString problem = prepare(request.settings); !problem.isEmpty()) {
            *error = problem;
            return nullptr;
        }
        auto bytes = m_database->cellImage(request.cellId);
        if (!bytes) {
            *error = fromStd(bytes.error());
            return nullptr;
        }
        const engine::ModelCard &card = m_model->card();
        // The case's normalisation, as its classification used it.
        const auto normalisation = classify::storedNormalisation(*m_database, request.cellId, m_modelId);
        auto input = imaging::preprocessNormalised(bytesOf(*bytes), {card.cropSize, card.network.resolution}, normalisation);
        auto display = imaging::preprocessNormalised(bytesOf(*bytes), {card.cropSize, request.settings.displaySide}, normalisation);
        if (!input || !display) {
            *error = CellHeatmapJob::tr("The image cannot be prepared: %1")
                         .arg(fromStd(!input ? input.error() : display.error()));
            return nullptr;
        }
        // Stops within one network evaluation once a newer request arrives.
        const std::shared_ptr<Shared> shared = m_shared;
        const quint64 generation = request.generation;
        auto maps = m_model->heatmaps(*input, request.settings.trials, std::uint64_t(request.cellId),
                                      [shared, generation] { return shared->stop || shared->newest != generation; });
        if (!maps) {
            *error = fromStd(maps.error());
            return nullptr;
        }
        auto data = std::make_shared<HeatmapData>();
        data->cellId = request.cellId;
        data->modelId = m_modelId;
        data->classNames = m_classNames;
        data->predicted = maps->predicted;
        data->deltas = std::move(maps->deltas);
        data->input = std::move(maps->input);
        data->display = std::move(*display);
        return data;
    }

    CellHeatmapJob *m_job;
    std::shared_ptr<Shared> m_shared;
    QString m_workspacePath;
    std::unique_ptr<db::Database> m_database;
    std::unique_ptr<engine::Model> m_model;
    QString m_modelPath;
    QDateTime m_modelModified;
    QString m_modelId;
    QStringList m_classNames;
};

CellHeatmapJob::CellHeatmapJob(const QString &workspacePath, QObject *parent)
    : QObject(parent), m_shared(std::make_shared<Shared>())
{
    m_cache.setMaxCost(kCacheEntries);
    // The worker object is created inside the thread's function, so the
    // model and the connection are made, used and destroyed in one thread.
    std::shared_ptr<Shared> shared = m_shared;
    m_thread.reset(QThread::create([this, shared, workspacePath] {
        Worker worker(this, shared, workspacePath);
        worker.run();
    }));
    m_thread->setObjectName(QStringLiteral("heatmaps"));
    m_thread->start(QThread::LowPriority);
}

CellHeatmapJob::~CellHeatmapJob()
{
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->stop.store(true);
        m_shared->wake.wakeAll();
    }
    m_thread.reset(); // joins; the engine's cancel callback sees `stop`
}

void CellHeatmapJob::setSettings(const HeatmapSettings &settings)
{
    if (settings == m_settings)
        return;
    m_settings = settings;
    ++m_settingsGeneration;
    m_cache.clear();
    const qint64 pending = m_pendingCell;
    abandon();
    if (pending != 0)
        post(pending);
}

void CellHeatmapJob::request(qint64 cellId)
{
    if (cellId <= 0)
        return;
    if (cached(cellId)) {
        abandon(); // the reviewer moved on from the cell being computed
        emit ready(cellId);
        return;
    }
    if (cellId != m_pendingCell)
        post(cellId);
}

void CellHeatmapJob::abandon()
{
    if (m_pendingCell == 0)
        return;
    m_pendingCell = 0;
    ++m_generation;
    QMutexLocker lock(&m_shared->mutex);
    m_shared->next.reset();
    m_shared->newest = m_generation;
}

const HeatmapData *CellHeatmapJob::cached(qint64 cellId) const
{
    return m_cache.object(cellId);
}

void CellHeatmapJob::post(qint64 cellId)
{
    m_pendingCell = cellId;
    ++m_generation;
    QMutexLocker lock(&m_shared->mutex);
    m_shared->next = Request{cellId, m_generation, m_settingsGeneration, m_settings};
    m_shared->newest = m_generation;
    m_shared->wake.wakeAll();
}

void CellHeatmapJob::onResult(quint64 generation, quint64 settingsGeneration, std::shared_ptr<HeatmapData> data,
                              qint64 cellId, const QString &error)
{
    const bool newest = generation == m_generation;
    if (newest)
        m_pendingCell = 0;
    // Made with other settings (model, trials): stale, whatever the cell.
    if (settingsGeneration != m_settingsGeneration)
        return;
    if (data) {
        // Also a map the reviewer has moved on from: it is valid, and
        // going back to that cell then shows it at once.
        m_cache.insert(cellId, new HeatmapData(std::move(*data)));
        emit ready(cellId);
    } else if (newest) {
        emit failed(cellId, error);
    }
}

} // namespace cytodiff::ui
