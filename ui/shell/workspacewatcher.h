#pragma once
// Notices when something other than this window's own connection changes
// the open workspace: `cytodiff-cli import` in a terminal, a second
// CytoDiff window, or this window's own workers (import, classification,
// LIS delivery), which write through their own connections (issue 23
// item 4). SQLite's data_version is read every interval; a change is
// reported once the window is idle (no job running, no unsaved edits, no
// modal dialog), so a refresh never pulls a form from under the user.

#include <QObject>

#include <functional>

class QTimer;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class WorkspaceWatcher : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 1500;

    explicit WorkspaceWatcher(QObject *parent = nullptr);

    // Starts watching (nullptr stops). The current state is the baseline:
    // only later changes are reported.
    void setDatabase(const db::Database *database);
    // While this returns true a noticed change waits (it is not lost).
    void setBusyCheck(std::function<bool()> busy) { m_busy = std::move(busy); }
    void setInterval(int milliseconds);
    // The window re-read everything itself (after its own import, say):
    // what changed until now needs no second refresh.
    void acknowledge();
    bool hasPendingChange() const { return m_pending; }

public slots:
    // One poll now (the timer calls it; tests may too).
    void poll();

signals:
    // Another connection committed since the last refresh and the window
    // is idle: re-read the workspace.
    void changedElsewhere();

private:
    const db::Database *m_database = nullptr;
    QTimer *m_timer = nullptr;
    std::function<bool()> m_busy;
    qint64 m_seen = -1;
    bool m_pending = false;
};

} // namespace cytodiff::ui
