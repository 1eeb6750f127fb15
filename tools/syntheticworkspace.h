#pragma once
// A synthetic workspace for scale tests and the benchmark: cases of cells
// with tiny PNG blobs (16x16, distinct bytes per cell), one prediction per
// cell, and a review verdict on every tenth cell; written in one
// transaction through core/db, so it has exactly the app's schema and rows.

#include "database.h"
#include "imageio.h"
#include "reviewstore.h"
#include "transaction.h"

#include <QCryptographicHash>

namespace cytodiff::testing {

inline const QStringList kSyntheticClasses = {
    QStringLiteral("neutrophil"), QStringLiteral("lymphocyte"), QStringLiteral("monocyte"),
    QStringLiteral("eosinophil"), QStringLiteral("basophil"), QStringLiteral("ig"),
    QStringLiteral("erythroblast"), QStringLiteral("platelet")};

inline QByteArray syntheticCellPng(int index)
{
    imaging::Rgb8Image image{16, 16, std::vector<std::uint8_t>(16 * 16 * 3, 225)};
    // Four pixels carry the index, so every cell's bytes (and SHA-256) differ.
    for (int i = 0; i < 4; ++i)
        image.pixels[std::size_t(i) * 3] = std::uint8_t((index >> (8 * i)) & 0xff);
    for (int y = 5; y < 11; ++y)
        for (int x = 5; x < 11; ++x)
            image.pixels[(std::size_t(y) * 16 + x) * 3 + 1] = std::uint8_t(60 + index % 100);
    auto png = imaging::encodePng(image);
    return png ? QByteArray::fromStdString(*png) : QByteArray();
}

// caseSizes: cells per case, e.g. {100, 100, ..., 10000}.
inline Result<void> fillSyntheticWorkspace(db::Database &database, const QList<int> &caseSizes,
                                           const QString &modelId = QStringLiteral("synthetic@000000000000"))
{
    auto transaction = db::Transaction::begin(database);
    if (!transaction)
        return makeError(transaction.error());
    int index = 0;
    for (int c = 0; c < caseSizes.size(); ++c) {
        db::NewCase newCase;
        newCase.name = QStringLiteral("SYN-%1").arg(c, 6, 10, QLatin1Char('0'));
        auto caseId = database.createCase(newCase);
        if (!caseId)
            return makeError(caseId.error());
        for (int i = 0; i < caseSizes.at(c); ++i, ++index) {
            const QString cls = kSyntheticClasses.at(index % kSyntheticClasses.size());
            db::NewCell cell;
            cell.caseId = *caseId;
            cell.image = syntheticCellPng(index);
            cell.sha256 = QString::fromLatin1(QCryptographicHash::hash(cell.image, QCryptographicHash::Sha256).toHex());
            cell.width = cell.height = 16;
            cell.originalName = QStringLiteral("%1_%2.png").arg(cls).arg(index);
            cell.sourcePath = cls + QLatin1Char('/') + cell.originalName;
            cell.labelClass = cls;
            cell.rawCode = cls;
            auto inserted = database.insertCell(cell);
            if (!inserted)
                return makeError(inserted.error());
            QMap<QString, double> scores;
            for (const QString &k : kSyntheticClasses)
                scores.insert(k, k == cls ? 0.9 : 0.1 / 7);
            auto predicted = database.insertPrediction(inserted->cellId, modelId, cls, 1.5, -1.5, scores, 120);
            if (!predicted)
                return makeError(predicted.error());
            if (index % 10 == 0) {
                auto reviewed = review::ReviewStore::setReviewed(database, inserted->cellId, true, cls,
                                                             QStringLiteral("synthetic"));
                if (!reviewed)
                    return makeError(reviewed.error());
            }
        }
    }
    return transaction->commit();
}

} // namespace cytodiff::testing
