#pragma once
// Synthetic data for the widget tests: small, unique cell-like images made
// in the test itself (no files from ../shared), and temp workspaces.

#include "database.h"
#include "records.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QStandardPaths>
#include <QString>
#include <QTest>

#include <functional>

namespace cytodiff::uitest {

// A pale disc with a darker "nucleus"; `seed` changes colours and the
// nucleus position, and is written into the corner pixels so every seed
// gives different bytes (hence a different SHA-256).
inline QImage makeCellImage(int seed, int side = 72)
{
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(QColor(236, 224, 230));
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(230, 190, 205));
    painter.drawEllipse(QRectF(side * 0.12, side * 0.12, side * 0.76, side * 0.76));
    painter.setBrush(QColor::fromHsv((260 + seed * 7) % 360, 150, 140));
    const qreal offset = (seed % 5) * side * 0.03;
    painter.drawEllipse(QRectF(side * 0.3 + offset, side * 0.3, side * 0.36, side * 0.32));
    painter.end();
    image.setPixel(0, 0, qRgb(seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff));
    image.setPixel(1, 0, qRgb((seed >> 24) & 0xff, 1, 2));
    return image;
}

inline QByteArray encode(const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, format);
    return bytes;
}

inline bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// <root>/<class>/<CODE>_<n>.png for each (class, code, count).
struct ClassSpec {
    QString folder;
    QString code;
    int count;
};
inline bool makeClassFolderExport(const QString &root, const QList<ClassSpec> &classes, int firstSeed = 1)
{
    int seed = firstSeed;
    for (const ClassSpec &spec : classes) {
        for (int i = 0; i < spec.count; ++i) {
            const QString path = QStringLiteral("%1/%2/%3_%4.png").arg(root, spec.folder, spec.code).arg(i + 1);
            if (!writeFile(path, encode(makeCellImage(seed++), "PNG")))
                return false;
        }
    }
    return true;
}

inline db::NewCell makeNewCell(qint64 caseId, int seed, const QString &labelClass, const QString &rawCode)
{
    db::NewCell cell;
    cell.caseId = caseId;
    cell.image = encode(makeCellImage(seed, 32), "PNG");
    cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(cell.image, QCryptographicHash::Sha256).toHex());
    cell.width = 32;
    cell.height = 32;
    cell.originalName = QStringLiteral("%1_%2.png").arg(rawCode).arg(seed);
    cell.sourcePath = labelClass + QLatin1Char('/') + cell.originalName;
    cell.labelClass = labelClass;
    cell.rawCode = rawCode;
    return cell;
}

// Spins the event loop until `done` or the timeout; true when done.
inline bool waitUntil(const std::function<bool()> &done, int timeoutMs = 20000)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QTest::qWait(5);
    }
    return true;
}

} // namespace cytodiff::uitest
