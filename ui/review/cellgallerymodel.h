#pragma once
// The cells of one case as a flat list for the gallery view.
//
// Rows are light (db::CellSummary: no image bytes), loaded in one query, so
// even 10,000 cells cost a few MB and a few tens of milliseconds and the
// scroll bar is right from the start. Thumbnails are the expensive part:
// they are decoded only when the view asks for a row it paints, off the GUI
// thread (ThumbnailLoader), and kept in an LRU QCache bounded by memory.
//
// Later features extend the rows, not the view: the classification worker
// calls setPrediction() as results arrive, the review workflow setLabel().

#include "records.h"
#include "result.h"
#include "reviewpriority.h"

#include <QAbstractListModel>
#include <QCache>
#include <QHash>
#include <QPixmap>
#include <QSet>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class ThumbnailLoader;

class CellGalleryModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        CellIdRole = Qt::UserRole + 1,
        CaseIdRole,
        FileNameRole,      // original file name as exported
        SourcePathRole,    // path relative to the import root
        LabelClassRole,    // canonical class id; empty when unlabelled/unknown
        RawCodeRole,       // code as in the export, verbatim
        UnknownCodeRole,   // bool: raw code not in the synonym table
        ImageSizeRole,     // QSize of the original image
        PredictedClassRole, // empty until classified
        ConfidenceRole,    // double: the engine's error gap (scale of the model), or invalid
        AnomalyRole,       // double, or invalid QVariant
        ModelIdRole,
        CaptionRole,       // first caption line of the tile
        SubCaptionRole,    // second caption line of the tile
        ThumbnailRole,     // QPixmap, or invalid while not decoded yet
        ThumbnailErrorRole, // reason the thumbnail cannot be decoded, if so
        ReviewedRole,      // bool: a reviewer gave a verdict (see review::ReviewStore)
        ReviewGroupRole,   // int: review::ReviewGroup under the model's thresholds
        MarginRole,        // double in [0, 1]: top minus second score, or invalid
        WorkingClassRole,  // the class the cell counts as (review::ReviewPriority::workingClass)
    };
    Q_ENUM(Role)

    static constexpr int kDefaultCacheKiB = 96 * 1024;

    explicit CellGalleryModel(QObject *parent = nullptr);
    ~CellGalleryModel() override;

    // The loader is not owned; pass nullptr to disable thumbnails (tests).
    // It must outlive the model or be reset to nullptr first.
    void setThumbnailLoader(ThumbnailLoader *loader);
    ThumbnailLoader *thumbnailLoader() const { return m_loader; }
    void setCacheLimitKiB(int kib);

    // Replaces the rows with the cells of caseId and their review state.
    // On failure the model is empty and the error says why.
    Result<void> loadCase(const db::Database &database, qint64 caseId);
    void clear();
    qint64 caseId() const { return m_caseId; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    // Domain access (Tiled's LayerModel style): from a cell to its index and back.
    QModelIndex indexOfCell(qint64 cellId) const;
    qint64 cellId(const QModelIndex &index) const;
    const db::CellSummary *cellAt(int row) const;
    // Counts per canonical label class ("" = unlabelled), for headers.
    QHash<QString, int> labelCounts() const;
    // Counts per working class ("" = unidentified): the gallery's groups.
    QHash<QString, int> workingClassCounts() const;
    QList<db::CellSummary> cells() const { return m_cells; }

    // Review state, kept in step with the audit log by the review
    // controller; loadCase() reads it.
    void setReviewThresholds(const review::ReviewThresholds &thresholds);
    const review::ReviewThresholds &reviewThresholds() const { return m_thresholds; }
    void setReviewed(qint64 cellId, bool reviewed);
    bool isReviewed(qint64 cellId) const { return m_reviewed.contains(cellId); }
    const QSet<qint64> &reviewedCells() const { return m_reviewed; }
    QString workingClass(qint64 cellId) const;

    // Updates from later features; unknown ids are ignored.
    void setPrediction(const db::PredictionRow &prediction);
    void setSecondOpinion(qint64 cellId, const QString &modelId, const QString &predictedClass);
    void setLabel(qint64 cellId, const QString &labelClass);

    // Cached thumbnail of a cell, if decoded (e.g. for the details panel's
    // first paint).
    QPixmap cachedThumbnail(qint64 cellId) const;

private:
    void onThumbnailReady(qint64 cellId, const QImage &image);
    void onThumbnailFailed(qint64 cellId, const QString &reason);
    void emitChanged(qint64 cellId, const QList<int> &roles);

    QList<db::CellSummary> m_cells;
    QHash<qint64, int> m_rowOfCell;
    qint64 m_caseId = 0;
    QSet<qint64> m_reviewed;
    review::ReviewThresholds m_thresholds;

    ThumbnailLoader *m_loader = nullptr;
    // Mutable: data() is const but fills the cache lazily.
    mutable QCache<qint64, QPixmap> m_thumbnails;
    QHash<qint64, QString> m_thumbnailErrors;
};

} // namespace cytodiff::ui
