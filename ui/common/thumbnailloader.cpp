#include "thumbnailloader.h"

#include "imageio.h"

#include <QBuffer>
#include <QImageReader>
#include <QMutexLocker>
#include <QThread>

#include <exception>

namespace cytodiff::ui {

// Lives in the loader's thread. Drains the loader's stack until empty.
class ThumbnailWorker : public QObject {
    Q_OBJECT
public:
    ThumbnailWorker(ThumbnailLoader *loader, CellImageFetcherFactory factory)
        : m_loader(loader), m_factory(std::move(factory)) {}

public slots:
    void drain()
    {
        if (!m_fetcher) {
            // Open the connection in this thread, on first use.
            m_fetcher = m_factory();
        }
        for (qint64 id = m_loader->takeNext(); id >= 0; id = m_loader->takeNext()) {
            if (QThread::currentThread()->isInterruptionRequested())
                return;
            QString error;
            QImage image;
            // Nothing may throw across the thread boundary: a decoder or
            // database exception becomes a failed thumbnail, not a crash.
            try {
                const QByteArray bytes = m_fetcher ? m_fetcher(id, &error) : QByteArray();
                if (!bytes.isEmpty())
                    image = ThumbnailLoader::decode(bytes, m_loader->side(), &error);
                else if (error.isEmpty())
                    error = tr("No image stored for this cell.");
            } catch (const std::exception &e) {
                error = QString::fromLocal8Bit(e.what());
            } catch (...) {
                error = tr("Unknown error while decoding.");
            }
            if (image.isNull())
                emit m_loader->thumbnailFailed(id, error);
            else
                emit m_loader->thumbnailReady(id, image);
        }
    }

private:
    ThumbnailLoader *m_loader;
    CellImageFetcherFactory m_factory;
    CellImageFetcher m_fetcher;
};

ThumbnailLoader::ThumbnailLoader(CellImageFetcherFactory factory, int side, QObject *parent)
    : QObject(parent), m_side(side), m_thread(makeThread(QStringLiteral("thumbnails")))
{
    qRegisterMetaType<QImage>();
    m_worker = new ThumbnailWorker(this, std::move(factory));
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start(QThread::LowPriority);
}

ThumbnailLoader::~ThumbnailLoader()
{
    clearPending();
    m_thread.reset(); // quit + wait before members the worker reads go away
}

void ThumbnailLoader::request(qint64 cellId)
{
    bool wake = false;
    {
        QMutexLocker lock(&m_mutex);
        if (m_pending.contains(cellId))
            return;
        m_pending.insert(cellId);
        m_stack.push_back(cellId);
        while (m_stack.size() > size_t(kMaxPending)) {
            m_pending.remove(m_stack.front());
            m_stack.pop_front();
        }
        if (!m_workerBusy) {
            m_workerBusy = true;
            wake = true;
        }
    }
    if (wake)
        QMetaObject::invokeMethod(m_worker, "drain", Qt::QueuedConnection);
}

void ThumbnailLoader::clearPending()
{
    QMutexLocker lock(&m_mutex);
    m_stack.clear();
    m_pending.clear();
}

qint64 ThumbnailLoader::takeNext()
{
    QMutexLocker lock(&m_mutex);
    if (m_stack.empty()) {
        m_workerBusy = false;
        return -1;
    }
    const qint64 id = m_stack.back();
    m_stack.pop_back();
    m_pending.remove(id);
    return id;
}

QImage ThumbnailLoader::decode(const QByteArray &encoded, int side, QString *error)
{
    QBuffer buffer;
    buffer.setData(encoded);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setAutoTransform(true);
    if (reader.canRead()) {
        const QSize full = reader.size();
        if (full.isValid() && (full.width() > side || full.height() > side))
            reader.setScaledSize(full.scaled(side, side, Qt::KeepAspectRatio));
        QImage image = reader.read();
        if (!image.isNull()) {
            if (image.width() > side || image.height() > side)
                image = image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
            return image;
        }
    }

    const std::string_view view(encoded.constData(), size_t(encoded.size()));
    auto decoded = imaging::decodeRgb(view);
    if (!decoded) {
        if (error)
            *error = QString::fromStdString(decoded.error());
        return {};
    }
    const imaging::Rgb8Image &rgb = *decoded;
    // copy(): the wrapper points into `rgb`, which dies with this scope.
    QImage image = QImage(rgb.pixels.data(), rgb.width, rgb.height, rgb.width * 3,
                          QImage::Format_RGB888)
                       .copy();
    if (image.width() > side || image.height() > side)
        image = image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return image;
}

} // namespace cytodiff::ui

#include "thumbnailloader.moc"
