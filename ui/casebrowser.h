#pragma once
// The working page of the main window: case list on the left, the selected
// case's cell gallery in the centre, the selected cell's details on the
// right. Owns the models and the thumbnail loader; reads through the GUI
// thread's database connection, which MainWindow owns.

#include "result.h"
#include "thumbnailloader.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSortFilterProxyModel;
class QSplitter;
class QTreeView;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class CaseListModel;
class CellDetailsPanel;
class CellGalleryModel;
class CellGalleryView;

class CaseBrowser : public QWidget {
    Q_OBJECT
public:
    explicit CaseBrowser(QWidget *parent = nullptr);
    ~CaseBrowser() override;

    // database: the GUI thread's connection, not owned (nullptr detaches).
    // thumbnails: opens a separate connection inside the thumbnail thread.
    void setDatabase(const db::Database *database, CellImageFetcherFactory thumbnails);

    // Re-reads the case list, keeping the selected case when it still exists
    // (selecting the first case otherwise).
    Result<void> reload();
    bool selectCase(qint64 caseId);
    bool selectCell(qint64 cellId);
    qint64 currentCaseId() const;
    qint64 currentCellId() const;
    QList<qint64> selectedCellIds() const;

    void setThumbnailSize(int pixels);
    int thumbnailSize() const;

    QByteArray saveSplitterState() const;
    void restoreSplitterState(const QByteArray &state);

    CaseListModel *caseModel() const { return m_caseModel; }
    CellGalleryModel *galleryModel() const { return m_galleryModel; }
    CellGalleryView *galleryView() const { return m_galleryView; }
    CellDetailsPanel *detailsPanel() const { return m_details; }
    QTreeView *caseView() const { return m_caseView; }

signals:
    void caseSelected(qint64 caseId);
    void cellSelected(qint64 cellId);
    void selectionCountChanged(int count);
    // A read failed; the window shows it (the browser never opens dialogs).
    void errorOccurred(const QString &message);

private:
    QWidget *buildCasePane();
    QWidget *buildGalleryPane();
    void onCaseCurrentChanged();
    void onCellSelectionChanged();
    void updateGalleryHeader();
    void updateClassFilter();
    void applyClassFilter();
    void rebuildThumbnailLoader();

    const db::Database *m_database = nullptr;
    CellImageFetcherFactory m_thumbnailSource;

    CaseListModel *m_caseModel = nullptr;
    QSortFilterProxyModel *m_caseProxy = nullptr;
    CellGalleryModel *m_galleryModel = nullptr;
    QSortFilterProxyModel *m_galleryProxy = nullptr;

    QSplitter *m_splitter = nullptr;
    QLineEdit *m_caseSearch = nullptr;
    QTreeView *m_caseView = nullptr;
    QLabel *m_caseCountLabel = nullptr;
    QLabel *m_galleryTitle = nullptr;
    QLabel *m_gallerySubtitle = nullptr;
    QComboBox *m_classFilter = nullptr;
    QSlider *m_sizeSlider = nullptr;
    CellGalleryView *m_galleryView = nullptr;
    CellDetailsPanel *m_details = nullptr;

    qint64 m_shownCaseId = 0;
    std::unique_ptr<ThumbnailLoader> m_thumbnailLoader;
};

} // namespace cytodiff::ui
