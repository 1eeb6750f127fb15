#pragma once
// Decodes gallery thumbnails off the GUI thread.
//
// The GUI asks for cells as the view paints them; requests go on a bounded
// LIFO stack so that, while the user flings through 10,000 cells, the cells
// now on screen are decoded first and those scrolled past are dropped (they
// are asked for again if they come back into view). The worker opens its own
// database connection through the factory it is given (SQLite connections
// must not be shared between threads) and only QImage values and ids cross
// back, by queued signal. Widgets and QPixmap stay in the GUI thread.

#include "workerthread.h"

#include <QHash>
#include <QImage>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QString>

#include <deque>
#include <functional>
#include <memory>

namespace cytodiff::ui {

// Encoded image bytes of a cell, or an empty array with *error set.
using CellImageFetcher = std::function<QByteArray(qint64 cellId, QString *error)>;
// Called once, inside the worker thread, to open that thread's connection.
using CellImageFetcherFactory = std::function<CellImageFetcher()>;

class ThumbnailWorker;

class ThumbnailLoader : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxPending = 256;

    // side: the longest side of the produced images, in device pixels.
    ThumbnailLoader(CellImageFetcherFactory factory, int side, QObject *parent = nullptr);
    ~ThumbnailLoader() override;

    int side() const { return m_side; }

    // Queue a decode; duplicates of a pending request are ignored.
    void request(qint64 cellId);
    // Forget pending requests (the case changed). Results already in flight
    // may still arrive; receivers check that the id is still theirs.
    void clearPending();

    // Decode and downscale so the longest side is `side` pixels, keeping
    // aspect. JPEG is decoded at reduced size directly (fast); formats Qt has
    // no plugin for (TIFF) go through the OpenCV decoder.
    static QImage decode(const QByteArray &encoded, int side, QString *error);

signals:
    void thumbnailReady(qint64 cellId, const QImage &image);
    void thumbnailFailed(qint64 cellId, const QString &reason);

private:
    friend class ThumbnailWorker;
    // Called by the worker: the next id to decode, or -1 when idle.
    qint64 takeNext();

    const int m_side;
    QMutex m_mutex;
    std::deque<qint64> m_stack; // guarded by m_mutex; back = newest
    QSet<qint64> m_pending;     // guarded by m_mutex
    bool m_workerBusy = false;  // guarded by m_mutex
    ThumbnailWorker *m_worker = nullptr; // lives in m_thread, deleted on finish
    ThreadPtr m_thread;                  // declared last: joined first
};

} // namespace cytodiff::ui
