#pragma once
// Threads owned by RAII: a ThreadPtr going out of scope asks the thread's
// event loop to quit and waits for it, so no worker outlives the window or
// dialog that started it, and no QThread is destroyed while running (which
// would abort the process).

#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

namespace cytodiff::ui {

struct GracefulThreadDeleter {
    void operator()(QThread *thread) const;
};

using ThreadPtr = std::unique_ptr<QThread, GracefulThreadDeleter>;

// A named, not yet started thread. Name it so it is identifiable in a
// debugger or a crash report.
ThreadPtr makeThread(const QString &name);

// The thread, cancel flag and running state of a job that runs one piece of
// work at a time (import, demo case, Turing build). The work runs in a new
// named thread and polls the cancel flag; as its last act it posts a queued
// call to its job, which calls finish() there. Not a QObject: the job owns
// the signals.
class OneShotWorker {
public:
    OneShotWorker() = default;
    ~OneShotWorker() { stop(); }
    OneShotWorker(const OneShotWorker &) = delete;
    OneShotWorker &operator=(const OneShotWorker &) = delete;

    // False while a run is in progress.
    bool start(const QString &name, std::function<void(const std::atomic_bool &cancel)> work);
    void cancel();
    // On the job's thread, from the work's last queued call: joins the
    // thread (which has returned by then) and allows the next start().
    void finish();
    // Cancels and joins. Job destructors call it first, before their other
    // members go, since the work posts calls to the job.
    void stop();
    bool isRunning() const { return m_running; }
    bool isCancelRequested() const { return m_cancel && m_cancel->load(); }

private:
    std::shared_ptr<std::atomic_bool> m_cancel;
    ThreadPtr m_thread;
    bool m_running = false;
};

} // namespace cytodiff::ui
