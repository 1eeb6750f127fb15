#include "workerthread.h"

namespace cytodiff::ui {

void GracefulThreadDeleter::operator()(QThread *thread) const
{
    if (!thread)
        return;
    // Workers check their own cancel flags; quit() only ends the event loop
    // once the current slot has returned.
    thread->requestInterruption();
    thread->quit();
    thread->wait();
    delete thread;
}

ThreadPtr makeThread(const QString &name)
{
    ThreadPtr thread(new QThread);
    thread->setObjectName(name);
    return thread;
}

bool OneShotWorker::start(const QString &name, std::function<void(const std::atomic_bool &)> work)
{
    if (m_running)
        return false;
    m_thread.reset();
    m_running = true;
    m_cancel = std::make_shared<std::atomic_bool>(false);
    // The thread holds its own reference to the flag: cancel() may be
    // called, and the flag read, after the worker object has moved on.
    m_thread.reset(QThread::create([cancel = m_cancel, work = std::move(work)] { work(*cancel); }));
    m_thread->setObjectName(name);
    m_thread->start();
    return true;
}

void OneShotWorker::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void OneShotWorker::finish()
{
    m_running = false;
    m_thread.reset();
}

void OneShotWorker::stop()
{
    cancel();
    m_thread.reset();
    m_running = false;
}

} // namespace cytodiff::ui
