// ThumbnailLoader: decoding (JPEG at reduced size, TIFF through OpenCV,
// garbage reported), and the request stack (newest first, bounded,
// de-duplicated, results delivered by signal on the GUI thread).

#include "thumbnailloader.h"
#include "uitesthelpers.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace cytodiff;
using namespace cytodiff::ui;

namespace {
// A minimal uncompressed RGB baseline TIFF (Qt has no TIFF plugin here, so
// the test writes one by hand to exercise the OpenCV fallback).
QByteArray makeTiff(int width, int height)
{
    QByteArray out;
    auto u16 = [&](quint16 v) { out.append(char(v & 0xff)).append(char(v >> 8)); };
    auto u32 = [&](quint32 v) { for (int i = 0; i < 4; ++i) out.append(char((v >> (8 * i)) & 0xff)); };
    const quint32 pixelBytes = quint32(width * height * 3);
    out.append("II", 2);
    u16(42);
    u32(8); // first IFD right after the header
    const int entries = 9;
    const quint32 ifdSize = 2 + entries * 12 + 4;
    const quint32 bitsOffset = 8 + ifdSize;
    const quint32 dataOffset = bitsOffset + 6;
    u16(entries);
    auto entry = [&](quint16 tag, quint16 type, quint32 count, quint32 value) {
        u16(tag); u16(type); u32(count); u32(value);
    };
    entry(256, 4, 1, quint32(width));          // ImageWidth
    entry(257, 4, 1, quint32(height));         // ImageLength
    entry(258, 3, 3, bitsOffset);              // BitsPerSample -> 8,8,8
    entry(259, 3, 1, 1);                       // Compression: none
    entry(262, 3, 1, 2);                       // Photometric: RGB
    entry(273, 4, 1, dataOffset);              // StripOffsets
    entry(277, 3, 1, 3);                       // SamplesPerPixel
    entry(278, 4, 1, quint32(height));         // RowsPerStrip
    entry(279, 4, 1, pixelBytes);              // StripByteCounts
    u32(0);
    u16(8); u16(8); u16(8);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            out.append(char(x * 255 / width)).append(char(y * 255 / height)).append(char(128));
    return out;
}
} // namespace

class TestThumbnailLoader : public QObject {
    Q_OBJECT

private slots:
    void decodesScaledKeepingAspect()
    {
        const QImage wide = uitest::makeCellImage(3, 360).scaled(360, 180);
        QString error;
        for (const char *format : {"JPG", "PNG", "BMP"}) {
            const QImage thumbnail = ThumbnailLoader::decode(uitest::encode(wide, format), 96, &error);
            QVERIFY2(!thumbnail.isNull(), format);
            QCOMPARE(thumbnail.size(), QSize(96, 48));
        }
        // Smaller than the side: kept at its own size, not blown up.
        const QImage small = ThumbnailLoader::decode(uitest::encode(uitest::makeCellImage(1, 40), "PNG"), 96, &error);
        QCOMPARE(small.size(), QSize(40, 40));
    }

    void decodesTiffThroughOpenCv()
    {
        QString error;
        const QImage thumbnail = ThumbnailLoader::decode(makeTiff(120, 60), 60, &error);
        QVERIFY2(!thumbnail.isNull(), qPrintable(error));
        QCOMPARE(thumbnail.size(), QSize(60, 30));
    }

    void garbageIsReportedNotCrashed()
    {
        QString error;
        QVERIFY(ThumbnailLoader::decode(QByteArray("GIF89a but not really"), 96, &error).isNull());
        QVERIFY(!error.isEmpty());
        error.clear();
        QVERIFY(ThumbnailLoader::decode(QByteArray(), 96, &error).isNull());
        QVERIFY(!error.isEmpty());
    }

    void deliversOnGuiThreadAndDeduplicates()
    {
        const QByteArray png = uitest::encode(uitest::makeCellImage(5, 72), "PNG");
        auto calls = std::make_shared<std::atomic_int>(0);
        auto fetcherThread = std::make_shared<QThread *>(nullptr);
        ThumbnailLoader loader(
            [png, calls, fetcherThread]() -> CellImageFetcher {
                *fetcherThread = QThread::currentThread();
                return [png, calls](qint64 id, QString *error) {
                    ++*calls;
                    if (id == 13) {
                        *error = QStringLiteral("missing");
                        return QByteArray();
                    }
                    return png;
                };
            },
            32);
        QSignalSpy ready(&loader, &ThumbnailLoader::thumbnailReady);
        QSignalSpy failed(&loader, &ThumbnailLoader::thumbnailFailed);
        QThread *gui = QThread::currentThread();
        connect(&loader, &ThumbnailLoader::thumbnailReady, this,
                [gui] { QCOMPARE(QThread::currentThread(), gui); });

        for (int i = 0; i < 3; ++i) {
            loader.request(1);
            loader.request(2);
        }
        loader.request(13);
        QVERIFY(uitest::waitUntil([&] { return ready.size() + failed.size() >= 3; }));
        QTest::qWait(100);
        QVERIFY(calls->load() <= 5); // duplicates of pending requests are merged
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(0).toLongLong(), 13);
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("missing"));
        QVERIFY(*fetcherThread != gui); // the connection is opened in the worker
        QCOMPARE(ready.first().at(1).value<QImage>().size(), QSize(32, 32));
    }

    void boundedStackServesNewestFirst()
    {
        // The fetcher blocks until released, so requests pile up.
        auto gate = std::make_shared<std::atomic_bool>(false);
        auto order = std::make_shared<QList<qint64>>();
        auto mutex = std::make_shared<QMutex>();
        const QByteArray png = uitest::encode(uitest::makeCellImage(7, 16), "PNG");
        ThumbnailLoader loader(
            [=]() -> CellImageFetcher {
                return [=](qint64 id, QString *) {
                    while (!gate->load())
                        QThread::msleep(2);
                    QMutexLocker lock(mutex.get());
                    order->append(id);
                    return png;
                };
            },
            16);
        QSignalSpy ready(&loader, &ThumbnailLoader::thumbnailReady);
        const int requested = ThumbnailLoader::kMaxPending + 200;
        for (int id = 1; id <= requested; ++id)
            loader.request(id);
        gate->store(true);
        // At most the stack plus the one in flight when the gate opened.
        QVERIFY(uitest::waitUntil([&] { return ready.size() >= ThumbnailLoader::kMaxPending; }));
        QTest::qWait(200);
        QVERIFY(ready.size() <= ThumbnailLoader::kMaxPending + 1);
        QMutexLocker lock(mutex.get());
        // Apart from the one the worker may have taken before the pile-up,
        // the newest request is served first.
        const qsizetype newest = order->indexOf(qint64(requested));
        QVERIFY(newest >= 0 && newest <= 1);
        QVERIFY(newest < order->indexOf(qint64(requested - 1)));
        QVERIFY(!order->contains(qint64(2))); // dropped: scrolled past long ago
    }
};

QTEST_MAIN(TestThumbnailLoader)
#include "test_thumbnailloader.moc"
