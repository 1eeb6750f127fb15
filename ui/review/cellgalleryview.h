#pragma once
// The thumbnail grid. A QListView in icon mode, configured for very long
// lists: fixed tile size (uniformItemSizes), batched layout, static items.
// Only what is on screen is painted, and painting is what triggers the
// lazy thumbnail decode in CellGalleryModel.

#include <QListView>

namespace cytodiff::ui {

class CellThumbnailDelegate;

class CellGalleryView : public QListView {
    Q_OBJECT
public:
    static constexpr int kLayoutBatch = 400;

    explicit CellGalleryView(QWidget *parent = nullptr);

    void setThumbnailSize(int pixels);
    int thumbnailSize() const;
    CellThumbnailDelegate *thumbnailDelegate() const { return m_delegate; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    // Spreads the spare width over the columns so the grid fills the view
    // instead of leaving a ragged strip on the right.
    void updateGrid();

    CellThumbnailDelegate *m_delegate = nullptr;
};

} // namespace cytodiff::ui
