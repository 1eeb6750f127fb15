#pragma once
// Creates the demo case (democase.h) in a worker thread, as ImportJob does
// an import: the worker loads the model and opens its own database
// connection, reports progress by queued calls, and catches everything.
// Cancel stops generation within one network evaluation; nothing has been
// written by then (the case is written in one transaction at the end).

#include "workerthread.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>

namespace cytodiff::ui {

struct DemoCaseRequest {
    QString workspacePath;
    QString modelPath;
    int cellsPerClass = 6;
    std::uint64_t seed = 7;
    QString actor;
};

struct DemoCaseOutcome {
    qint64 caseId = 0; // 0 unless created
    QString modelId;
    int cells = 0;
    bool cancelled = false;
    QString error;
    double seconds = 0.0;
};

class DemoCaseJob : public QObject {
    Q_OBJECT
public:
    explicit DemoCaseJob(QObject *parent = nullptr);
    ~DemoCaseJob() override;

    bool start(const DemoCaseRequest &request); // false while one runs
    bool isRunning() const { return m_worker.isRunning(); }
    bool isCancelRequested() const { return m_worker.isCancelRequested(); }
    const DemoCaseRequest &request() const { return m_request; }
    const DemoCaseOutcome &outcome() const { return m_outcome; }

public slots:
    void cancel();

signals:
    // done/total in generation steps (0/0 while the model loads).
    void progress(int done, int total, const QString &classId);
    void finished(const cytodiff::ui::DemoCaseOutcome &outcome);

private:
    void onWorkerFinished(const DemoCaseOutcome &outcome);

    DemoCaseRequest m_request;
    DemoCaseOutcome m_outcome;
    OneShotWorker m_worker;
};

} // namespace cytodiff::ui

Q_DECLARE_METATYPE(cytodiff::ui::DemoCaseOutcome)
