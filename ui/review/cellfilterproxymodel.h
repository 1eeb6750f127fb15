#pragma once
// What the gallery shows of a case: a QSortFilterProxyModel over
// CellGalleryModel with typed setters (qBittorrent's
// TransferListSortModel style), so callers say "only basophils" rather
// than building regular expressions over roles. The review workflow adds
// its orderings (least confident first, critical classes first) here.

#include <QSortFilterProxyModel>

#include <optional>

namespace cytodiff::ui {

class CellGalleryModel;

class CellFilterProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit CellFilterProxyModel(QObject *parent = nullptr);

    void setGalleryModel(CellGalleryModel *model);
    CellGalleryModel *galleryModel() const { return m_gallery; }

    // nullopt: every class; "" : unidentified cells only; else one class id.
    // Filters on the working class (review::ReviewPriority::workingClass): the
    // prediction until a reviewer gave a verdict, then the label.
    void setLabelClass(const std::optional<QString> &labelClass);
    std::optional<QString> labelClass() const { return m_labelClass; }

    QModelIndex indexOfCell(qint64 cellId) const;
    qint64 cellId(const QModelIndex &proxyIndex) const;

    // Cells are grouped by working class in the canonical order (the
    // galleries of an analyser), then by import order. The order is kept
    // while the reviewer works; this re-sorts (new predictions).
    void refreshOrder();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    CellGalleryModel *m_gallery = nullptr;
    std::optional<QString> m_labelClass;
};

} // namespace cytodiff::ui
