#pragma once
// The working page of the main window: case list on the left, the selected
// case's cell gallery in the centre, the selected cell's details on the
// right. Owns the models and the thumbnail loader; reads through the GUI
// thread's database connection, which MainWindow owns.

#include "differential.h"
#include "domaincheck.h"
#include "records.h"
#include "result.h"
#include "reviewpriority.h"
#include "thumbnailloader.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QTimer;
class QTreeView;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class CaseListModel;
class CellDetailsPanel;
class CellFilterProxyModel;
class CellGalleryModel;
class CellGalleryView;
class ClassificationJob;
class DifferentialPanel;
class MorphologyPanel;
class ReviewController;
class ReviewKeyHandler;
class ReviewQueuePanel;

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
    // Something typed on a page that a reload would throw away.
    bool hasUnsavedEdits() const;
    QList<qint64> selectedCellIds() const;

    void setThumbnailSize(int pixels);
    int thumbnailSize() const;

    // ---- review workflow (not owned; set once by the window) ----
    void setReviewController(ReviewController *controller);
    void setClassificationJob(ClassificationJob *job);
    void setReviewThresholds(const review::ReviewThresholds &thresholds);
    void setReferenceRanges(const review::ReferenceRanges &ranges);
    // A prediction from the worker: into the model, the viewer and (a
    // moment later, coalesced) the counts, queue and differential.
    void addPrediction(const db::PredictionRow &prediction);
    void addSecondOpinion(qint64 cellId, const QString &modelId, const QString &predictedClass);
    // Re-reads the case row (status after sign-off) and the review notice.
    void updateCaseState();
    // Re-sorts the queue and refreshes the counts now.
    void refreshReviewViews();

    enum class Page { Gallery = 0, Queue = 1, Differential = 2, Morphology = 3 };
    void showPage(Page page);
    Page currentPage() const;

    QByteArray saveSplitterState() const;
    void restoreSplitterState(const QByteArray &state);

    CaseListModel *caseModel() const { return m_caseModel; }
    CellGalleryModel *galleryModel() const { return m_galleryModel; }
    CellFilterProxyModel *cellFilterModel() const { return m_galleryProxy; }
    CellGalleryView *galleryView() const { return m_galleryView; }
    CellDetailsPanel *detailsPanel() const { return m_details; }
    ReviewQueuePanel *queuePanel() const { return m_queuePanel; }
    DifferentialPanel *differentialPanel() const { return m_differential; }
    ReviewKeyHandler *galleryKeys() const { return m_galleryKeys; }
    QTabWidget *pages() const { return m_tabs; }
    // Shown above the pages while a synthetic (demo) case is shown.
    QLabel *syntheticBanner() const { return m_syntheticBanner; }
    QLabel *domainBanner() const { return m_domainBanner; }
    QLabel *normalisationNote() const { return m_normalisationNote; }
    // Reads the shown case's stored domain check again (after a
    // classification run made a new one) and applies it.
    void refreshDomainCheck();
    // The shown case's domain check; unchecked when none is stored.
    const domain::DomainVerdict &domainVerdict() const { return m_domain; }
    QTreeView *caseView() const { return m_caseView; }
    // Not placed in the browser: the window puts it in its status bar,
    // where image viewers keep their zoom.
    QSlider *thumbnailSizeSlider() const { return m_sizeSlider; }

signals:
    void caseSelected(qint64 caseId);
    void cellSelected(qint64 cellId);
    void selectionCountChanged(int count);
    void signRequested();
    // A read failed; the window shows it (the browser never opens dialogs).
    void errorOccurred(const QString &message);

private:
    QWidget *buildCasePane();
    QWidget *buildGalleryPane();
    void onCaseCurrentChanged();
    void onCellSelectionChanged();
    void updateGalleryHeader();
    // The case's red-cell morphology and platelet estimate, as stored.
    void loadMorphology();
    void updateClassFilter();
    void applyClassFilter();
    void rebuildThumbnailLoader();
    void showCellInDetails(qint64 cellId);
    void onCellsEdited(const QList<qint64> &cellIds);
    void refreshDerivedViews();
    void updateTabTitles();

    const db::Database *m_database = nullptr;
    CellImageFetcherFactory m_thumbnailSource;

    CaseListModel *m_caseModel = nullptr;
    QSortFilterProxyModel *m_caseProxy = nullptr;
    CellGalleryModel *m_galleryModel = nullptr;
    CellFilterProxyModel *m_galleryProxy = nullptr;

    QSplitter *m_splitter = nullptr;
    QLineEdit *m_caseSearch = nullptr;
    QTreeView *m_caseView = nullptr;
    QLabel *m_caseCountLabel = nullptr;
    QLabel *m_galleryTitle = nullptr;
    QLabel *m_gallerySubtitle = nullptr;
    QLabel *m_syntheticBanner = nullptr;
    QLabel *m_domainBanner = nullptr;
    QLabel *m_normalisationNote = nullptr;
    domain::DomainVerdict m_domain;
    review::ReviewThresholds m_thresholds; // the user's settings; a case outside its domain adds reviewEveryCell
    void applyReviewThresholds();
    QComboBox *m_classFilter = nullptr;
    QSlider *m_sizeSlider = nullptr;
    CellGalleryView *m_galleryView = nullptr;
    CellDetailsPanel *m_details = nullptr;
    QTabWidget *m_tabs = nullptr;
    ReviewQueuePanel *m_queuePanel = nullptr;
    DifferentialPanel *m_differential = nullptr;
    MorphologyPanel *m_morphology = nullptr;
    ReviewKeyHandler *m_galleryKeys = nullptr;
    ReviewController *m_review = nullptr;
    QTimer *m_derivedTimer = nullptr;
    bool m_queueNeedsResort = false;

    qint64 m_shownCaseId = 0;
    std::unique_ptr<ThumbnailLoader> m_thumbnailLoader;
};

} // namespace cytodiff::ui
