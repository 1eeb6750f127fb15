#pragma once
// Classifies cases in a worker thread, so the GUI never waits for the
// network; counterfactual heatmaps are computed on demand by a
// CellHeatmapJob of its own (a second thread), so looking at a cell never
// waits for the case's classification nor delays it.
//
// One thread, one model (plus the optional second-opinion model, whose
// call on each cell is stored next to the prediction), one database
// connection (opened in the worker):
// LibTorch modules are not shared between threads, and SQLite connections
// must not be. The GUI posts cases to a small mutex-guarded queue; the
// worker classifies the cells of one case after the other. Each prediction is written to the database
// as soon as it exists, then reported by a queued call: cancelling or
// quitting loses nothing already computed, and a new run of the same case
// skips the cells that already have a prediction from the same model.
//
// Only engine.h (torch-free) is used here: Qt's `slots`/`signals` macros
// and LibTorch headers do not mix. Nothing throws across the thread
// boundary: the worker body catches everything and reports it as a
// message. The thread is a ThreadPtr, joined by the destructor after
// the worker was told to stop, and the engine's CancelFn makes a running
// classification stop within one network evaluation.

#include "cellheatmapjob.h"
#include "records.h"
#include "workerthread.h"

#include <QElapsedTimer>
#include <QMetaType>
#include <QObject>
#include <QStringList>

#include <memory>
#include <vector>

namespace cytodiff::ui {

// What the worker needs to know; read by the worker at the start of each
// task, so a change applies from the next case or heatmap.
struct ClassificationSettings {
    QString modelPath;
    // A second model (the shipped baseline CNN) that also calls every cell;
    // empty: none. Cells where the calls differ head the review queue.
    QString secondOpinionPath;
    bool paperProtocol = false; // false: the engine's fast protocol
    int maxTrials = -1;         // -1: the protocol's default
    int heatmapTrials = 32;
    int displaySide = 288;      // side of the picture heatmaps are drawn on
};

struct ClassificationOutcome {
    qint64 caseId = 0;
    QString modelId;
    int total = 0;      // cells in the case
    int classified = 0; // by this run
    int skipped = 0;    // already had a prediction from this model (and a second opinion)
    int secondOpinions = 0; // second opinions stored by this run
    QString secondOpinionModelId; // empty: no second opinion this run
    QString notice;     // not fatal, for the status line (second opinion off)
    int failed = 0;
    bool cancelled = false;
    QString error;      // a fatal error (no model, unreadable workspace)
    double seconds = 0.0;
    // The case's domain check after the run (stored in the workspace).
    bool outsideDomain = false;
    QString domainWarning; // DomainWarning::text; empty when inside or unchecked
};

class ClassificationJob : public QObject {
    Q_OBJECT
public:
    explicit ClassificationJob(const QString &workspacePath, QObject *parent = nullptr);
    ~ClassificationJob() override;

    void setSettings(const ClassificationSettings &settings);
    ClassificationSettings settings() const;

    // Queues a case (ignored when it is queued or running already).
    void classifyCase(qint64 caseId);
    bool isRunning() const { return m_runningCase != 0 || !m_queuedCases.isEmpty(); }
    qint64 runningCaseId() const { return m_runningCase; }
    bool isQueued(qint64 caseId) const { return m_queuedCases.contains(caseId); }

    // Asks for a cell's heatmaps and returns at once: answered from the
    // cache when possible (heatmapReady is emitted before this returns),
    // else computed in the background, abandoning the previous request
    // (CellHeatmapJob). Cached per cell for the model and heatmap settings.
    void requestHeatmap(qint64 cellId);
    // Stops working on the cell asked for last (nobody looks at it now).
    void abandonHeatmap();
    const HeatmapData *cachedHeatmap(qint64 cellId) const;
    // The cell whose heatmap is being computed; 0 when none.
    qint64 pendingHeatmapCell() const;

    // The model id of the last model the worker loaded (empty before).
    QString loadedModelId() const { return m_modelId; }

public slots:
    // Stops the running case after the current network evaluation and
    // drops the queued ones. Predictions already stored stay.
    void cancel();

signals:
    void caseStarted(qint64 caseId, int total, int alreadyDone, const QString &modelId);
    void progress(qint64 caseId, int done, int total, double cellsPerSecond, double etaSeconds);
    void predictionReady(const cytodiff::db::PredictionRow &prediction);
    void secondOpinionReady(qint64 cellId, const QString &modelId, const QString &predictedClass);
    void cellFailed(qint64 cellId, const QString &reason);
    void caseFinished(const cytodiff::ui::ClassificationOutcome &outcome);
    void heatmapReady(qint64 cellId);
    void heatmapFailed(qint64 cellId, const QString &reason);

private:
    struct Shared;
    class Worker;
    friend class Worker;

    void onCaseStarted(qint64 caseId, int total, int alreadyDone, const QString &modelId);
    void onCaseFinished(const ClassificationOutcome &outcome);

    std::shared_ptr<Shared> m_shared;
    QList<qint64> m_queuedCases; // GUI-side mirror for isRunning()/isQueued()
    qint64 m_runningCase = 0;
    QString m_modelId;
    std::unique_ptr<CellHeatmapJob> m_heatmaps; // joins its own thread
    ThreadPtr m_thread; // declared last: joined first
};

} // namespace cytodiff::ui

Q_DECLARE_METATYPE(cytodiff::db::PredictionRow)
Q_DECLARE_METATYPE(cytodiff::ui::ClassificationOutcome)
