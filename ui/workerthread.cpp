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

} // namespace cytodiff::ui
