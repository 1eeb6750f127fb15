#include "workspacewatcher.h"

#include "database.h"

#include <QTimer>

namespace cytodiff::ui {

WorkspaceWatcher::WorkspaceWatcher(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setInterval(kDefaultIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &WorkspaceWatcher::poll);
}

void WorkspaceWatcher::setDatabase(const db::Database *database)
{
    m_database = database;
    m_pending = false;
    m_seen = -1;
    if (!m_database) {
        m_timer->stop();
        return;
    }
    acknowledge();
    m_timer->start();
}

void WorkspaceWatcher::setInterval(int milliseconds) { m_timer->setInterval(milliseconds); }

void WorkspaceWatcher::acknowledge()
{
    m_pending = false;
    if (!m_database)
        return;
    // A failed read (the file is busy being checkpointed) keeps the old
    // baseline: the next poll compares again.
    if (auto version = m_database->dataVersion())
        m_seen = *version;
}

void WorkspaceWatcher::poll()
{
    if (!m_database)
        return;
    auto version = m_database->dataVersion();
    if (!version)
        return; // a busy or vanished file: the next poll tries again
    if (*version != m_seen) {
        m_seen = *version;
        m_pending = true;
    }
    if (!m_pending || (m_busy && m_busy()))
        return;
    m_pending = false;
    emit changedElsewhere();
}

} // namespace cytodiff::ui
