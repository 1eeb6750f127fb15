#include "cellgallerymodel.h"

#include "cellclassnames.h"
#include "database.h"
#include "reviewstore.h"
#include "thumbnailloader.h"

#include <QLocale>

namespace cytodiff::ui {

CellGalleryModel::CellGalleryModel(QObject *parent) : QAbstractListModel(parent)
{
    m_thumbnails.setMaxCost(kDefaultCacheKiB);
}

CellGalleryModel::~CellGalleryModel() = default;

void CellGalleryModel::setThumbnailLoader(ThumbnailLoader *loader)
{
    if (m_loader)
        disconnect(m_loader, nullptr, this, nullptr);
    m_loader = loader;
    m_thumbnails.clear();
    m_thumbnailErrors.clear();
    if (m_loader) {
        connect(m_loader, &ThumbnailLoader::thumbnailReady, this, &CellGalleryModel::onThumbnailReady);
        connect(m_loader, &ThumbnailLoader::thumbnailFailed, this, &CellGalleryModel::onThumbnailFailed);
    }
    if (!m_cells.isEmpty())
        emit dataChanged(index(0), index(int(m_cells.size()) - 1), {ThumbnailRole});
}

void CellGalleryModel::setCacheLimitKiB(int kib)
{
    m_thumbnails.setMaxCost(kib);
}

Result<void> CellGalleryModel::loadCase(const db::Database &database, qint64 caseId)
{
    auto cells = database.cellsOfCase(caseId);
    auto reviewed = cells ? review::ReviewStore::reviewedCells(database, caseId) : Result<QSet<qint64>>(QSet<qint64>());
    beginResetModel();
    if (m_loader)
        m_loader->clearPending();
    m_thumbnails.clear();
    m_thumbnailErrors.clear();
    m_rowOfCell.clear();
    if (cells && reviewed) {
        m_cells = std::move(*cells);
        m_reviewed = std::move(*reviewed);
        m_caseId = caseId;
    } else {
        m_cells.clear();
        m_reviewed.clear();
        m_caseId = 0;
    }
    m_rowOfCell.reserve(m_cells.size());
    for (int row = 0; row < m_cells.size(); ++row)
        m_rowOfCell.insert(m_cells.at(row).id, row);
    endResetModel();
    if (!cells)
        return makeError(cells.error());
    if (!reviewed)
        return makeError(reviewed.error());
    return {};
}

void CellGalleryModel::clear()
{
    beginResetModel();
    if (m_loader)
        m_loader->clearPending();
    m_cells.clear();
    m_rowOfCell.clear();
    m_reviewed.clear();
    m_thumbnails.clear();
    m_thumbnailErrors.clear();
    m_caseId = 0;
    endResetModel();
}

int CellGalleryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_cells.size());
}

Qt::ItemFlags CellGalleryModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant CellGalleryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_cells.size())
        return {};
    const db::CellSummary &cell = m_cells.at(index.row());

    switch (role) {
    case Qt::DisplayRole:
    case CaptionRole: {
        const bool reviewed = m_reviewed.contains(cell.id);
        const QString working = review::ReviewPriority::workingClass(cell, reviewed);
        if (!working.isEmpty())
            return CellClassNames::displayName(working);
        if (reviewed)
            return tr("Unidentified");
        if (!cell.rawCode.isEmpty())
            return cell.rawCode;
        return tr("Unlabelled");
    }
    case SubCaptionRole: {
        // Short enough for a 96 px tile: the model's score margin and the
        // export's own code (what the analyser called the cell).
        QStringList parts;
        if (const auto margin = review::ReviewPriority::scoreMargin(cell))
            parts << QLocale().toString(*margin * 100.0, 'f', 0) + QLatin1Char('%');
        else if (cell.hasPrediction && cell.confidence)
            parts << QLocale().toString(*cell.confidence * 100.0, 'f', 0) + QLatin1Char('%');
        if (!cell.rawCode.isEmpty())
            parts << (cell.unknownCode ? tr("unknown code") : cell.rawCode);
        return parts.join(QStringLiteral(" · "));
    }
    case Qt::ToolTipRole: {
        QString tip = tr("%1\nLabel: %2\nCode: %3\n%4 × %5 px")
                          .arg(cell.originalName,
                               cell.labelClass.isEmpty() ? tr("none") : CellClassNames::displayName(cell.labelClass),
                               cell.rawCode.isEmpty() ? tr("none") : cell.rawCode)
                          .arg(cell.width)
                          .arg(cell.height);
        if (cell.hasPrediction) {
            const auto margin = review::ReviewPriority::scoreMargin(cell);
            tip += QLatin1Char('\n')
                   + tr("Model: %1 (confidence %2%)")
                         .arg(CellClassNames::displayName(cell.predictedClass),
                              margin ? QLocale().toString(*margin * 100.0, 'f', 1) : tr("unknown"));
        }
        tip += QLatin1Char('\n') + (m_reviewed.contains(cell.id) ? tr("Reviewed") : tr("Not reviewed"));
        return tip;
    }
    case Qt::AccessibleTextRole:
        return QString(data(index, CaptionRole).toString() + QStringLiteral(", ") + cell.originalName);
    case CellIdRole:
        return cell.id;
    case CaseIdRole:
        return cell.caseId;
    case FileNameRole:
        return cell.originalName;
    case SourcePathRole:
        return cell.sourcePath;
    case LabelClassRole:
        return cell.labelClass;
    case RawCodeRole:
        return cell.rawCode;
    case UnknownCodeRole:
        return cell.unknownCode;
    case ImageSizeRole:
        return QSize(cell.width, cell.height);
    case PredictedClassRole:
        return cell.hasPrediction ? cell.predictedClass : QString();
    case ConfidenceRole:
        return cell.confidence ? QVariant(*cell.confidence) : QVariant();
    case AnomalyRole:
        return cell.anomaly ? QVariant(*cell.anomaly) : QVariant();
    case ModelIdRole:
        return cell.modelId;
    case ThumbnailRole:
    case Qt::DecorationRole: {
        if (const QPixmap *pixmap = m_thumbnails.object(cell.id))
            return *pixmap;
        // Only rows the view paints get here, so this is the lazy decode.
        if (m_loader && !m_thumbnailErrors.contains(cell.id))
            m_loader->request(cell.id);
        return {};
    }
    case ThumbnailErrorRole:
        return m_thumbnailErrors.value(cell.id);
    case ReviewedRole:
        return m_reviewed.contains(cell.id);
    case ReviewGroupRole:
        return int(review::ReviewPriority::group(cell, m_thresholds));
    case MarginRole: {
        const auto margin = review::ReviewPriority::scoreMargin(cell);
        return margin ? QVariant(*margin) : QVariant();
    }
    case WorkingClassRole:
        return review::ReviewPriority::workingClass(cell, m_reviewed.contains(cell.id));
    default:
        return {};
    }
}

QHash<int, QByteArray> CellGalleryModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(CellIdRole, "cellId");
    names.insert(CaseIdRole, "caseId");
    names.insert(FileNameRole, "fileName");
    names.insert(SourcePathRole, "sourcePath");
    names.insert(LabelClassRole, "labelClass");
    names.insert(RawCodeRole, "rawCode");
    names.insert(UnknownCodeRole, "unknownCode");
    names.insert(ImageSizeRole, "imageSize");
    names.insert(PredictedClassRole, "predictedClass");
    names.insert(ConfidenceRole, "confidence");
    names.insert(AnomalyRole, "anomaly");
    names.insert(ModelIdRole, "modelId");
    names.insert(CaptionRole, "caption");
    names.insert(SubCaptionRole, "subCaption");
    names.insert(ThumbnailRole, "thumbnail");
    names.insert(ThumbnailErrorRole, "thumbnailError");
    names.insert(ReviewedRole, "reviewed");
    names.insert(ReviewGroupRole, "reviewGroup");
    names.insert(MarginRole, "margin");
    names.insert(WorkingClassRole, "workingClass");
    return names;
}

QModelIndex CellGalleryModel::indexOfCell(qint64 cellId) const
{
    const auto it = m_rowOfCell.constFind(cellId);
    return it == m_rowOfCell.constEnd() ? QModelIndex() : index(*it);
}

qint64 CellGalleryModel::cellId(const QModelIndex &index) const
{
    const db::CellSummary *cell = index.isValid() ? cellAt(index.row()) : nullptr;
    return cell ? cell->id : 0;
}

const db::CellSummary *CellGalleryModel::cellAt(int row) const
{
    return (row >= 0 && row < m_cells.size()) ? &m_cells.at(row) : nullptr;
}

QHash<QString, int> CellGalleryModel::labelCounts() const
{
    QHash<QString, int> counts;
    for (const db::CellSummary &cell : m_cells)
        ++counts[cell.labelClass];
    return counts;
}

QHash<QString, int> CellGalleryModel::workingClassCounts() const
{
    QHash<QString, int> counts;
    for (const db::CellSummary &cell : m_cells)
        ++counts[review::ReviewPriority::workingClass(cell, m_reviewed.contains(cell.id))];
    return counts;
}

QString CellGalleryModel::workingClass(qint64 cellId) const
{
    const db::CellSummary *cell = cellAt(m_rowOfCell.value(cellId, -1));
    return cell ? review::ReviewPriority::workingClass(*cell, m_reviewed.contains(cellId)) : QString();
}

void CellGalleryModel::setReviewThresholds(const review::ReviewThresholds &thresholds)
{
    m_thresholds = thresholds;
    if (!m_cells.isEmpty())
        emit dataChanged(index(0), index(int(m_cells.size()) - 1), {ReviewGroupRole});
}

void CellGalleryModel::setReviewed(qint64 cellId, bool reviewed)
{
    if (!m_rowOfCell.contains(cellId) || m_reviewed.contains(cellId) == reviewed)
        return;
    if (reviewed)
        m_reviewed.insert(cellId);
    else
        m_reviewed.remove(cellId);
    emitChanged(cellId, {Qt::DisplayRole, CaptionRole, SubCaptionRole, ReviewedRole, WorkingClassRole});
}

void CellGalleryModel::setPrediction(const db::PredictionRow &prediction)
{
    const auto it = m_rowOfCell.constFind(prediction.cellId);
    if (it == m_rowOfCell.constEnd())
        return;
    db::CellSummary &cell = m_cells[*it];
    cell.hasPrediction = true;
    cell.modelId = prediction.modelId;
    cell.predictedClass = prediction.predictedClass;
    cell.confidence = prediction.confidence;
    cell.anomaly = prediction.anomaly;
    cell.scores = prediction.scores;
    cell.nfe = prediction.nfe;
    emitChanged(cell.id, {Qt::DisplayRole, CaptionRole, SubCaptionRole, PredictedClassRole,
                          ConfidenceRole, AnomalyRole, ModelIdRole, ReviewGroupRole, MarginRole,
                          WorkingClassRole});
}

void CellGalleryModel::setSecondOpinion(qint64 cellId, const QString &modelId, const QString &predictedClass)
{
    const auto it = m_rowOfCell.constFind(cellId);
    if (it == m_rowOfCell.constEnd())
        return;
    db::CellSummary &cell = m_cells[*it];
    cell.secondOpinionModelId = modelId;
    cell.secondOpinionClass = predictedClass;
    emitChanged(cellId, {ReviewGroupRole});
}

void CellGalleryModel::setLabel(qint64 cellId, const QString &labelClass)
{
    const auto it = m_rowOfCell.constFind(cellId);
    if (it == m_rowOfCell.constEnd())
        return;
    m_cells[*it].labelClass = labelClass;
    emitChanged(cellId, {Qt::DisplayRole, CaptionRole, SubCaptionRole, LabelClassRole, ReviewGroupRole,
                         WorkingClassRole});
}

QPixmap CellGalleryModel::cachedThumbnail(qint64 cellId) const
{
    const QPixmap *pixmap = m_thumbnails.object(cellId);
    return pixmap ? *pixmap : QPixmap();
}

void CellGalleryModel::onThumbnailReady(qint64 cellId, const QImage &image)
{
    // A late result for a case no longer shown is dropped here.
    if (!m_rowOfCell.contains(cellId))
        return;
    auto *pixmap = new QPixmap(QPixmap::fromImage(image));
    const int costKiB = qMax(1, int(qint64(image.sizeInBytes()) / 1024));
    m_thumbnails.insert(cellId, pixmap, costKiB);
    emitChanged(cellId, {ThumbnailRole, Qt::DecorationRole});
}

void CellGalleryModel::onThumbnailFailed(qint64 cellId, const QString &reason)
{
    if (!m_rowOfCell.contains(cellId))
        return;
    m_thumbnailErrors.insert(cellId, reason);
    emitChanged(cellId, {ThumbnailRole, ThumbnailErrorRole});
}

void CellGalleryModel::emitChanged(qint64 cellId, const QList<int> &roles)
{
    const QModelIndex changed = indexOfCell(cellId);
    if (changed.isValid())
        emit dataChanged(changed, changed, roles);
}

} // namespace cytodiff::ui
