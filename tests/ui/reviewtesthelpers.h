#pragma once
// Shared set-up of the review workflow tests: the tiny committed model,
// settings for fast classification, and cell exports big enough for the
// model's centre crop.

#include "appsettings.h"
#include "uitesthelpers.h"

#include <QSettings>
#include <QString>

namespace cytodiff::uitest {

inline QString tinyModelPath()
{
    return QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
}

// Fast, reproducible classification with the tiny model; every cell in the
// review queue unless a test says otherwise.
inline void useTinyModel(int maxTrials = 8)
{
    ui::AppSettings::setModelPath(tinyModelPath());
    ui::AppSettings::setPaperProtocol(false);
    ui::AppSettings::setMaxTrials(maxTrials);
    ui::AppSettings::setHeatmapTrials(4);
    ui::AppSettings::setReviewerName(QStringLiteral("dr.test"));
    review::ReviewThresholds thresholds;
    thresholds.marginBelow = 1.0;
    ui::AppSettings::setReviewThresholds(thresholds);
}

// <root>/<folder>/<CODE>_<n>.png with cells of `side` pixels.
inline bool makeExport(const QString &root, const QList<ClassSpec> &classes, int side = 240, int firstSeed = 1)
{
    int seed = firstSeed;
    for (const ClassSpec &spec : classes) {
        for (int i = 0; i < spec.count; ++i) {
            const QString path = QStringLiteral("%1/%2/%3_%4.png").arg(root, spec.folder, spec.code).arg(i + 1);
            if (!writeFile(path, encode(makeCellImage(seed++, side), "PNG")))
                return false;
        }
    }
    return true;
}

// One-value query on a workspace file, through a fresh connection (what
// another program reading the file would see).
inline qint64 scalar(const QString &workspace, const char *sql, const QList<QVariant> &values = {})
{
    auto database = db::Database::open(workspace);
    if (!database)
        return -1;
    auto query = database->prepare(sql);
    if (!query)
        return -1;
    for (int i = 0; i < values.size(); ++i) {
        const QVariant &value = values.at(i);
        if (value.typeId() == QMetaType::QString)
            query->bind(i + 1, value.toString());
        else
            query->bind(i + 1, value.toLongLong());
    }
    auto row = query->step();
    return (row && *row) ? query->int64(0) : -1;
}

inline QString text(const QString &workspace, const char *sql, const QList<QVariant> &values = {})
{
    auto database = db::Database::open(workspace);
    if (!database)
        return {};
    auto query = database->prepare(sql);
    if (!query)
        return {};
    for (int i = 0; i < values.size(); ++i) {
        const QVariant &value = values.at(i);
        if (value.typeId() == QMetaType::QString)
            query->bind(i + 1, value.toString());
        else
            query->bind(i + 1, value.toLongLong());
    }
    auto row = query->step();
    return (row && *row) ? query->text(0) : QString();
}

} // namespace cytodiff::uitest
