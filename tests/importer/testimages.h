#pragma once
// Synthetic cell images for tests: a dark disc on a pale background, with
// colours derived from a seed so that every seed gives different bytes
// (and a different SHA-256). Nothing is read from ../shared.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <vector>

namespace cytodiff::testing {

inline cv::Mat makeCellMat(int seed, int width = 48, int height = 48)
{
    cv::Mat image(height, width, CV_8UC3, cv::Scalar(230, 200 + seed % 40, 220));
    const cv::Scalar nucleus(120 + (seed * 7) % 100, 40 + (seed * 13) % 60, 110 + (seed * 3) % 90);
    cv::circle(image, cv::Point(width / 2, height / 2), std::min(width, height) / 3, nucleus, cv::FILLED);
    // A seed-dependent pixel makes equal-looking seeds still differ.
    image.at<cv::Vec3b>(seed % height, (seed / height) % width) = cv::Vec3b(seed % 256, (seed >> 8) % 256, 7);
    return image;
}

// ext: ".jpg", ".png", ".bmp", ".tiff"
inline QByteArray encodeMat(const cv::Mat &image, const char *ext)
{
    std::vector<uchar> buffer;
    cv::imencode(ext, image, buffer);
    return QByteArray(reinterpret_cast<const char *>(buffer.data()), static_cast<qsizetype>(buffer.size()));
}

inline QByteArray makeCellImage(int seed, const char *ext = ".jpg", int width = 48, int height = 48)
{
    return encodeMat(makeCellMat(seed, width, height), ext);
}

inline bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// Writes a synthetic image to path (format from its extension).
inline bool writeCellImage(const QString &path, int seed)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    const char *ext = suffix == QLatin1String("png")  ? ".png"
                      : suffix == QLatin1String("bmp") ? ".bmp"
                      : suffix.startsWith(QLatin1String("tif")) ? ".tiff"
                                                               : ".jpg";
    return writeBytes(path, makeCellImage(seed, ext));
}

} // namespace cytodiff::testing
