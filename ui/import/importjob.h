#pragma once
// Runs one import in a worker thread.
//
// The worker opens its own database connection (one per thread), calls the
// importer with a progress callback, and reports by queued signals. Cancel
// sets an atomic flag the callback returns, so the importer stops at the
// next file with its finished batches committed. Exceptions are caught in
// the worker and turned into ImportOutcome::fatalError: nothing throws
// across the thread boundary. The thread is owned by a ThreadPtr, so
// destroying the job (or the window) cancels and joins it.

#include "importoutcome.h"
#include "workerthread.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace cytodiff::ui {

struct ImportRequest {
    QString workspacePath; // the worker opens its own connection to this file
    QString folder;        // the export to import
    QString caseName;      // optional: force one case name
    QString actor;         // who imports, for the audit log
    // The classification model: each imported case's images are checked
    // against its training images (domain check). Empty: no check.
    QString modelPath;
};

class ImportWorker;

class ImportJob : public QObject {
    Q_OBJECT
public:
    explicit ImportJob(QObject *parent = nullptr);
    ~ImportJob() override;

    // false when a job is already running.
    bool start(const ImportRequest &request);
    bool isRunning() const { return m_worker.isRunning(); }
    bool isCancelRequested() const { return m_worker.isCancelRequested(); }
    const ImportRequest &request() const { return m_request; }
    // Valid after finished().
    const ImportOutcome &outcome() const { return m_outcome; }

public slots:
    void cancel();

signals:
    // total is 0 while the importer is still scanning the folder.
    void progress(qint64 done, qint64 total, const QString &currentFile);
    void finished(const cytodiff::ui::ImportOutcome &outcome);

private:
    void onWorkerFinished(const cytodiff::ui::ImportOutcome &outcome);

    ImportRequest m_request;
    ImportOutcome m_outcome;
    OneShotWorker m_worker;
};

} // namespace cytodiff::ui
