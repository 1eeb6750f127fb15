#pragma once
// Counterfactual heatmaps of the cell on screen, computed on demand in a
// worker thread of their own, so moving between cells never waits for one.
//
// A heatmap costs a few seconds of network evaluations; it used to queue
// behind the classification of the running case in the classifier's
// thread. Here the worker has its own model instance and its own database
// connection (both made, used and destroyed inside the thread; LibTorch
// modules and SQLite connections are not shared between threads).
//
// Only the newest request counts: a request for another cell replaces the
// waiting one and cancels the one being computed (the engine polls the
// cancel callback between network evaluations), and a result whose
// request or settings have been overtaken is dropped or, when still valid,
// only cached. Results are cached per cell for the current settings
// (model file, trials, picture size); changing them empties the cache.
// InferenceMode is set inside the engine, in this thread. Nothing throws
// across the thread boundary: the worker catches everything and reports
// it as a failure.

#include "floatimage.h"
#include "workerthread.h"

#include <QCache>
#include <QDateTime>
#include <QObject>
#include <QStringList>

#include <memory>
#include <vector>

namespace cytodiff::ui {

// A cell's counterfactual maps, at network resolution, plus the cell's
// centre crop at display resolution to draw them on.
struct HeatmapData {
    qint64 cellId = 0;
    QString modelId;
    QStringList classNames; // model order
    int predicted = -1;
    std::vector<FloatImage> deltas; // per class, [3][R][R]; predicted = zeros
    FloatImage input;               // network input, [3][R][R] in [-1, 1]
    FloatImage display;             // centre crop, [3][S][S] in [-1, 1]
};

// What a heatmap depends on besides the cell: the cache key.
struct HeatmapSettings {
    QString modelPath;
    QDateTime modelModified; // a model file replaced in place is another model
    int trials = 32;
    int displaySide = 288;

    bool operator==(const HeatmapSettings &other) const = default;
};

class CellHeatmapJob : public QObject {
    Q_OBJECT
public:
    explicit CellHeatmapJob(const QString &workspacePath, QObject *parent = nullptr);
    ~CellHeatmapJob() override;

    // A change empties the cache and restarts the pending request.
    void setSettings(const HeatmapSettings &settings);
    const HeatmapSettings &settings() const { return m_settings; }

    // Returns at once. A cached map is announced (ready) before this
    // returns; otherwise the worker computes it and ready or failed follows
    // by a queued call. Asking for another cell abandons the previous one.
    void request(qint64 cellId);
    // Stops the work on the pending cell (the viewer went back to the
    // original picture, or to a cell without a map).
    void abandon();
    const HeatmapData *cached(qint64 cellId) const;
    // The cell being computed (or about to be); 0 when idle.
    qint64 pendingCell() const { return m_pendingCell; }

signals:
    void ready(qint64 cellId);
    void failed(qint64 cellId, const QString &reason);

private:
    struct Shared;
    struct Request;
    class Worker;

    void post(qint64 cellId);
    void onResult(quint64 generation, quint64 settingsGeneration, std::shared_ptr<HeatmapData> data,
                  qint64 cellId, const QString &error);

    std::shared_ptr<Shared> m_shared;
    HeatmapSettings m_settings;
    quint64 m_generation = 0;         // one per request: the newest wins
    quint64 m_settingsGeneration = 0; // one per settings change: older results are stale
    qint64 m_pendingCell = 0;
    QCache<qint64, HeatmapData> m_cache;
    ThreadPtr m_thread; // declared last: joined first
};

} // namespace cytodiff::ui
