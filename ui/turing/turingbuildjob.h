#pragma once
// Builds a Turing test (turingbuilder.h) in a worker thread, as
// DemoCaseJob creates the demo case: the worker loads the model and opens
// its own database connection, reports progress by queued calls, and
// catches everything. Cancel stops within one network evaluation; nothing
// is written by then (the test is stored in one transaction at the end).

#include "workerthread.h"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <memory>

namespace cytodiff::ui {

struct TuringBuildRequest {
    QString workspacePath;
    QString modelPath;
    qint64 caseId = 0; // the real side: labelled cells of this case
    QString name;
    int perClass = 10;
    int steps = 50;
    std::uint64_t seed = 1;
};

struct TuringBuildOutcome {
    qint64 testId = 0; // 0 unless built
    QString name;
    int realImages = 0;
    int syntheticImages = 0;
    QStringList skippedClasses;
    bool cancelled = false;
    QString error;
    double seconds = 0.0;
};

class TuringBuildJob : public QObject {
    Q_OBJECT
public:
    explicit TuringBuildJob(QObject *parent = nullptr);
    ~TuringBuildJob() override;

    bool start(const TuringBuildRequest &request); // false while one runs
    bool isRunning() const { return m_worker.isRunning(); }
    bool isCancelRequested() const { return m_worker.isCancelRequested(); }
    const TuringBuildOutcome &outcome() const { return m_outcome; }

public slots:
    void cancel();

signals:
    // done/total in work units (0/0 while the model loads).
    void progress(int done, int total, const QString &classId);
    void finished(const cytodiff::ui::TuringBuildOutcome &outcome);

private:
    void onWorkerFinished(const TuringBuildOutcome &outcome);

    TuringBuildOutcome m_outcome;
    OneShotWorker m_worker;
};

} // namespace cytodiff::ui

Q_DECLARE_METATYPE(cytodiff::ui::TuringBuildOutcome)
