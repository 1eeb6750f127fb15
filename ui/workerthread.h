#pragma once
// Threads owned by RAII: a ThreadPtr going out of scope asks the thread's
// event loop to quit and waits for it, so no worker outlives the window or
// dialog that started it, and no QThread is destroyed while running (which
// would abort the process).

#include <QThread>

#include <memory>

namespace cytodiff::ui {

struct GracefulThreadDeleter {
    void operator()(QThread *thread) const;
};

using ThreadPtr = std::unique_ptr<QThread, GracefulThreadDeleter>;

// A named, not yet started thread. Name it so it is identifiable in a
// debugger or a crash report.
ThreadPtr makeThread(const QString &name);

} // namespace cytodiff::ui
