#include "casebrowser.h"

#include "caselistmodel.h"
#include "cellclassnames.h"
#include "celldetailspanel.h"
#include "cellfilterproxymodel.h"
#include "cellgallerymodel.h"
#include "cellgalleryview.h"
#include "counttext.h"
#include "database.h"
#include "differentialpanel.h"
#include "morphologypanel.h"
#include "domainwarning.h"
#include "panetitle.h"
#include "reviewcontroller.h"
#include "reviewkeyhandler.h"
#include "reviewqueuemodel.h"
#include "reviewqueuepanel.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QLocale>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace cytodiff::ui {

namespace {
constexpr int kMinThumbnail = 64;
constexpr int kMaxThumbnail = 192;
constexpr int kThumbnailStep = 16;


// A thin header strip above a pane, visually separated from its content.
QWidget *makeHeaderStrip(QLayout *content)
{
    auto *strip = new QWidget;
    strip->setObjectName(QStringLiteral("paneHeader"));
    strip->setAutoFillBackground(true);
    strip->setBackgroundRole(QPalette::Window);
    content->setContentsMargins(10, 8, 10, 8);
    strip->setLayout(content);
    return strip;
}
} // namespace

CaseBrowser::CaseBrowser(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("caseBrowser"));
    m_caseModel = new CaseListModel(this);
    m_caseProxy = new QSortFilterProxyModel(this);
    m_caseProxy->setSourceModel(m_caseModel);
    m_caseProxy->setSortRole(CaseListModel::SortRole);
    m_caseProxy->setFilterRole(CaseListModel::SearchTextRole);
    m_caseProxy->setFilterKeyColumn(CaseListModel::NameColumn);
    m_caseProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_galleryModel = new CellGalleryModel(this);
    m_galleryProxy = new CellFilterProxyModel(this);
    m_galleryProxy->setGalleryModel(m_galleryModel);

    m_details = new CellDetailsPanel;
    m_queuePanel = new ReviewQueuePanel(m_galleryModel);
    m_differential = new DifferentialPanel(m_galleryModel);
    m_morphology = new MorphologyPanel;
    connect(m_morphology, &MorphologyPanel::saveRequested, this, [this](const review::CaseMorphology &morphology) {
        if (!m_review)
            return;
        if (auto saved = m_review->saveMorphology(morphology); !saved)
            emit errorOccurred(QString::fromStdString(saved.error()));
        loadMorphology(); // what is stored now, saved or not
    });
    connect(m_queuePanel, &ReviewQueuePanel::currentCellChanged, this, [this](qint64 cellId) {
        if (currentPage() == Page::Queue)
            showCellInDetails(cellId);
    });
    connect(m_queuePanel, &ReviewQueuePanel::signRequested, this, &CaseBrowser::signRequested);
    connect(m_queuePanel, &ReviewQueuePanel::errorOccurred, this, &CaseBrowser::errorOccurred);

    // The gallery, the queue and the differential are three views of the
    // same cells; the viewer on the right follows the page shown.
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("casePages"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(buildGalleryPane(), tr("Gallery"));
    m_tabs->addTab(m_queuePanel, tr("Review queue"));
    m_tabs->addTab(m_differential, tr("Differential"));
    m_tabs->addTab(m_morphology, tr("Red cells && platelets"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (currentPage() == Page::Queue) {
            showCellInDetails(m_queuePanel->currentCellId());
            m_queuePanel->view()->setFocus();
        } else if (currentPage() == Page::Gallery) {
            onCellSelectionChanged();
            m_galleryView->setFocus();
        } else {
            m_differential->refresh();
        }
    });

    m_derivedTimer = new QTimer(this);
    m_derivedTimer->setSingleShot(true);
    m_derivedTimer->setInterval(300);
    connect(m_derivedTimer, &QTimer::timeout, this, &CaseBrowser::refreshDerivedViews);

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("browserSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(buildCasePane());
    // A demo case's cells are generated: say so above every page, so no
    // screenshot or report of it passes for a patient's film.
    m_syntheticBanner = new QLabel;
    m_syntheticBanner->setObjectName(QStringLiteral("syntheticBanner"));
    m_syntheticBanner->setWordWrap(true);
    m_syntheticBanner->setTextFormat(Qt::RichText);
    m_syntheticBanner->setStyleSheet(QStringLiteral(
        "QLabel { background: #fff4d6; color: #5c4200; border-bottom: 1px solid #e6c35c; padding: 7px 10px; }"));
    m_syntheticBanner->hide();
    // A case unlike the model's training images (core/domain): every cell
    // is queued and this stays above every page until the case is checked again.
    m_domainBanner = new QLabel;
    m_domainBanner->setObjectName(QStringLiteral("domainBanner"));
    m_domainBanner->setWordWrap(true);
    m_domainBanner->setStyleSheet(QStringLiteral(
        "QLabel { background: #fde2e1; color: #7a1712; border-bottom: 1px solid #e0908b; padding: 7px 10px; }"));
    m_domainBanner->hide();
    // What the case normalisation did before the model saw the images
    // (rescaled, padded, stain mapped): not a warning, but the reviewer
    // must know the calls were made on changed pictures.
    m_normalisationNote = new QLabel;
    m_normalisationNote->setObjectName(QStringLiteral("normalisationNote"));
    m_normalisationNote->setWordWrap(true);
    m_normalisationNote->setStyleSheet(QStringLiteral(
        "QLabel { background: #e3eefb; color: #123a63; border-bottom: 1px solid #9dbbe0; padding: 5px 10px; }"));
    m_normalisationNote->hide();
    auto *centre = new QWidget;
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(0);
    centreLayout->addWidget(m_syntheticBanner);
    centreLayout->addWidget(m_domainBanner);
    centreLayout->addWidget(m_normalisationNote);
    centreLayout->addWidget(m_tabs, 1);
    m_splitter->addWidget(centre);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setSizes({340, 800, 300});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
}

CaseBrowser::~CaseBrowser()
{
    // The model must stop talking to the loader before the loader's thread
    // is joined and destroyed.
    m_galleryModel->setThumbnailLoader(nullptr);
}

QWidget *CaseBrowser::buildCasePane()
{
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(makePaneTitle(tr("Cases")));
    titleRow->addStretch();
    m_caseCountLabel = new QLabel;
    m_caseCountLabel->setObjectName(QStringLiteral("caseCount"));
    m_caseCountLabel->setForegroundRole(QPalette::PlaceholderText);
    titleRow->addWidget(m_caseCountLabel);

    m_caseSearch = new QLineEdit;
    m_caseSearch->setObjectName(QStringLiteral("caseSearch"));
    m_caseSearch->setPlaceholderText(tr("Search case, accession, patient, slide or specimen"));
    m_caseSearch->setClearButtonEnabled(true);
    connect(m_caseSearch, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_caseProxy->setFilterFixedString(text);
    });

    m_caseView = new QTreeView;
    m_caseView->setObjectName(QStringLiteral("caseList"));
    m_caseView->setModel(m_caseProxy);
    m_caseView->setRootIsDecorated(false);
    m_caseView->setUniformRowHeights(true);
    m_caseView->setAlternatingRowColors(true);
    m_caseView->setSortingEnabled(true);
    m_caseView->sortByColumn(CaseListModel::ImportedColumn, Qt::DescendingOrder);
    m_caseView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_caseView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_caseView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_caseView->setAllColumnsShowFocus(true);
    m_caseView->setIconSize(QSize(20, 20));
    QHeaderView *header = m_caseView->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(CaseListModel::NameColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(CaseListModel::CellsColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(CaseListModel::StatusColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(CaseListModel::ImportedColumn, QHeaderView::ResizeToContents);
    connect(m_caseView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &CaseBrowser::onCaseCurrentChanged);

    auto *headerLayout = new QVBoxLayout;
    headerLayout->setSpacing(6);
    headerLayout->addLayout(titleRow);
    headerLayout->addWidget(m_caseSearch);

    auto *pane = new QWidget;
    pane->setObjectName(QStringLiteral("casePane"));
    // Wide enough that the case name keeps its room next to the three
    // fixed-width columns.
    pane->setMinimumWidth(320);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(makeHeaderStrip(headerLayout));
    layout->addWidget(m_caseView, 1);
    return pane;
}

QWidget *CaseBrowser::buildGalleryPane()
{
    m_galleryTitle = new QLabel;
    m_galleryTitle->setObjectName(QStringLiteral("galleryTitle"));
    QFont titleFont = m_galleryTitle->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    m_galleryTitle->setFont(titleFont);
    m_galleryTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_gallerySubtitle = new QLabel;
    m_gallerySubtitle->setObjectName(QStringLiteral("gallerySubtitle"));
    m_gallerySubtitle->setForegroundRole(QPalette::PlaceholderText);
    m_gallerySubtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Long case names and subtitles must not force the window wider than
    // the screen; they give way (full text in the tooltip) before the
    // filter controls do.
    for (QLabel *label : {m_galleryTitle, m_gallerySubtitle})
        label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_classFilter = new QComboBox;
    m_classFilter->setObjectName(QStringLiteral("classFilter"));
    m_classFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_classFilter->setToolTip(tr("Show only the cells of one class"));
    connect(m_classFilter, &QComboBox::currentIndexChanged, this, &CaseBrowser::applyClassFilter);

    // Owned here, shown wherever the window places it (see the header).
    m_sizeSlider = new QSlider(Qt::Horizontal, this);
    m_sizeSlider->hide();
    m_sizeSlider->setObjectName(QStringLiteral("thumbnailSize"));
    m_sizeSlider->setRange(kMinThumbnail, kMaxThumbnail);
    m_sizeSlider->setSingleStep(kThumbnailStep);
    m_sizeSlider->setPageStep(kThumbnailStep * 2);
    m_sizeSlider->setFixedWidth(120);
    m_sizeSlider->setToolTip(tr("Thumbnail size (Ctrl++ / Ctrl+-)"));
    // Untracked: a drag re-decodes thumbnails once, on release.
    m_sizeSlider->setTracking(false);
    connect(m_sizeSlider, &QSlider::valueChanged, this, &CaseBrowser::setThumbnailSize);

    // Title and class filter on the first row, the case facts on a row of
    // their own so they have the pane's full width.
    auto *headerLayout = new QGridLayout;
    headerLayout->setHorizontalSpacing(8);
    headerLayout->setVerticalSpacing(2);
    headerLayout->addWidget(m_galleryTitle, 0, 0);
    headerLayout->addWidget(new QLabel(tr("Class:")), 0, 1);
    headerLayout->addWidget(m_classFilter, 0, 2);
    headerLayout->addWidget(m_gallerySubtitle, 1, 0, 1, 3);
    headerLayout->setColumnStretch(0, 1);

    m_galleryView = new CellGalleryView;
    m_galleryView->setModel(m_galleryProxy);
    m_galleryKeys = new ReviewKeyHandler(m_galleryView, false, this);
    connect(m_galleryKeys, &ReviewKeyHandler::errorOccurred, this, &CaseBrowser::errorOccurred);
    m_sizeSlider->setValue(m_galleryView->thumbnailSize());
    connect(m_galleryView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &CaseBrowser::onCellSelectionChanged);
    connect(m_galleryView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &CaseBrowser::onCellSelectionChanged);

    auto *pane = new QWidget;
    pane->setObjectName(QStringLiteral("galleryPane"));
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(makeHeaderStrip(headerLayout));
    layout->addWidget(m_galleryView, 1);
    return pane;
}

void CaseBrowser::setDatabase(const db::Database *database, CellImageFetcherFactory thumbnails)
{
    m_galleryModel->setThumbnailLoader(nullptr);
    m_thumbnailLoader.reset();
    m_database = database;
    m_thumbnailSource = std::move(thumbnails);
    m_shownCaseId = 0;
    m_galleryModel->clear();
    m_caseModel->clear();
    m_details->setDatabase(database);
    rebuildThumbnailLoader();
    updateGalleryHeader();
}

void CaseBrowser::rebuildThumbnailLoader()
{
    m_galleryModel->setThumbnailLoader(nullptr);
    m_thumbnailLoader.reset();
    if (!m_database || !m_thumbnailSource)
        return;
    const int side = qRound(m_galleryView->thumbnailSize() * devicePixelRatioF());
    m_thumbnailLoader = std::make_unique<ThumbnailLoader>(m_thumbnailSource, side);
    m_galleryModel->setThumbnailLoader(m_thumbnailLoader.get());
    // The queue shows the same thumbnails; its view must repaint too.
    m_queuePanel->view()->viewport()->update();
}

Result<void> CaseBrowser::reload()
{
    if (!m_database) {
        m_caseModel->clear();
        m_galleryModel->clear();
        return {};
    }
    const qint64 keep = currentCaseId();
    auto result = m_caseModel->reload(*m_database);
    m_caseCountLabel->setText(CountText::cases(m_caseModel->rowCount()));
    if (!result)
        return result;
    // The gallery reloads even when the same case stays selected: an
    // import may have added cells to it.
    m_shownCaseId = 0;
    if (!(keep && selectCase(keep)) && m_caseProxy->rowCount() > 0)
        m_caseView->setCurrentIndex(m_caseProxy->index(0, CaseListModel::NameColumn));
    if (m_shownCaseId == 0)
        onCaseCurrentChanged();
    return {};
}

bool CaseBrowser::hasUnsavedEdits() const { return m_morphology->hasUnsavedChanges(); }

bool CaseBrowser::selectCase(qint64 caseId)
{
    const QModelIndex source = m_caseModel->indexOfCase(caseId);
    if (!source.isValid())
        return false;
    QModelIndex proxy = m_caseProxy->mapFromSource(source);
    if (!proxy.isValid()) {
        // Hidden by the search filter: the caller asked for it explicitly.
        m_caseSearch->clear();
        proxy = m_caseProxy->mapFromSource(source);
    }
    m_caseView->setCurrentIndex(proxy);
    m_caseView->scrollTo(proxy);
    if (m_shownCaseId != caseId)
        onCaseCurrentChanged();
    return true;
}

bool CaseBrowser::selectCell(qint64 cellId)
{
    const QModelIndex proxy = m_galleryProxy->indexOfCell(cellId);
    if (!proxy.isValid())
        return false;
    m_galleryView->setCurrentIndex(proxy);
    m_galleryView->scrollTo(proxy);
    return true;
}

qint64 CaseBrowser::currentCaseId() const
{
    return m_caseModel->caseId(m_caseProxy->mapToSource(m_caseView->currentIndex()));
}

qint64 CaseBrowser::currentCellId() const
{
    if (currentPage() == Page::Queue)
        return m_queuePanel->currentCellId();
    return m_galleryProxy->cellId(m_galleryView->currentIndex());
}

QList<qint64> CaseBrowser::selectedCellIds() const
{
    QList<qint64> ids;
    const QAbstractItemView *view = currentPage() == Page::Queue ? static_cast<QAbstractItemView *>(m_queuePanel->view())
                                                                 : m_galleryView;
    const QModelIndexList rows = view->selectionModel()->selectedIndexes();
    ids.reserve(rows.size());
    for (const QModelIndex &index : rows)
        ids << index.data(CellGalleryModel::CellIdRole).toLongLong();
    return ids;
}

void CaseBrowser::onCaseCurrentChanged()
{
    const qint64 caseId = currentCaseId();
    if (caseId == m_shownCaseId && caseId != 0)
        return;
    m_shownCaseId = caseId;
    m_details->clear();
    if (!m_database || caseId == 0) {
        m_galleryModel->clear();
    } else if (auto loaded = m_galleryModel->loadCase(*m_database, caseId); !loaded) {
        emit errorOccurred(tr("The cells of this case could not be read: %1")
                               .arg(QString::fromStdString(loaded.error())));
    }
    updateClassFilter();
    updateGalleryHeader();
    m_galleryView->scrollToTop();
    updateCaseState(); // loads the morphology too
    refreshDomainCheck(); // refreshes the review views
    emit caseSelected(caseId);
    emit selectionCountChanged(0);
}

void CaseBrowser::onCellSelectionChanged()
{
    if (currentPage() != Page::Gallery)
        return;
    const QModelIndex current = m_galleryProxy->mapToSource(m_galleryView->currentIndex());
    const db::CellSummary *cell = m_galleryModel->cellAt(current.isValid() ? current.row() : -1);
    showCellInDetails(cell ? cell->id : 0);
    emit selectionCountChanged(int(m_galleryView->selectionModel()->selectedIndexes().size()));
}

void CaseBrowser::updateGalleryHeader()
{
    const db::CaseRow *row = m_caseModel->caseAt(m_caseModel->indexOfCase(m_shownCaseId).row());
    const bool synthetic = row && row->isSynthetic();
    m_syntheticBanner->setVisible(synthetic);
    if (synthetic)
        m_syntheticBanner->setText(
            tr("<b>Demo case — synthetic cells.</b> Every cell here was generated by the model %1; none is a "
               "patient image. The class it was generated for is kept as its code (SYN-…), not as a label: "
               "review and sign it to try the workflow. The domain check does not apply to it: it compares a "
               "laboratory's images with the model's training images.")
                .arg(row->generatorModel().toHtmlEscaped()));
    if (!row) {
        m_galleryTitle->setText(tr("No case selected"));
        m_gallerySubtitle->setText(tr("Choose a case on the left."));
        return;
    }
    m_galleryTitle->setText(row->name);
    m_galleryTitle->setToolTip(row->name);
    QStringList parts;
    if (!row->accession.isEmpty())
        parts << tr("Accession %1").arg(row->accession);
    if (!row->patientId.isEmpty())
        parts << tr("Patient %1").arg(row->patientId);
    if (!row->slideId.isEmpty() && row->slideId != row->name)
        parts << tr("Slide %1").arg(row->slideId);
    if (!row->specimen.isEmpty())
        parts << (synthetic ? row->specimen : tr("Specimen %1").arg(row->specimen));
    parts << CountText::cells(m_galleryModel->rowCount());
    // Progress from the workspace, whoever classifies (this window, the
    // CLI, workers on other machines): live updates re-read it.
    int classified = 0;
    for (int i = 0; i < m_galleryModel->rowCount(); ++i)
        if (const db::CellSummary *cell = m_galleryModel->cellAt(i); cell && cell->hasPrediction)
            ++classified;
    if (classified < m_galleryModel->rowCount())
        parts << tr("%1 of %2 classified")
                     .arg(QLocale().toString(classified), QLocale().toString(m_galleryModel->rowCount()));
    parts << (row->isSigned() ? tr("Signed by %1 on %2")
                                    .arg(row->signedBy, QLocale().toString(row->signedAt.toLocalTime(),
                                                                           QLocale::ShortFormat))
                              : tr("Open"));
    const QString when = QLocale().toString(row->importedAt.toLocalTime(), QLocale::ShortFormat);
    parts << (synthetic ? tr("Generated %1").arg(when) : tr("Imported %1").arg(when));
    m_gallerySubtitle->setText(parts.join(QStringLiteral("  ·  ")));
    m_gallerySubtitle->setToolTip(m_gallerySubtitle->text());
}

void CaseBrowser::loadMorphology()
{
    review::CaseMorphology morphology;
    bool isSigned = false;
    if (m_database && m_shownCaseId) {
        if (auto stored = review::MorphologyStore::load(*m_database, m_shownCaseId))
            morphology = *stored;
        else
            emit errorOccurred(QString::fromStdString(stored.error()));
        if (auto row = m_database->caseById(m_shownCaseId))
            isSigned = row->isSigned();
    }
    m_morphology->setMorphology(morphology, isSigned,
                                m_database && m_shownCaseId && !m_database->isReadOnly() && m_review);
}

void CaseBrowser::updateClassFilter()
{
    const QSignalBlocker blocker(m_classFilter);
    const QVariant previous = m_classFilter->currentData();
    m_classFilter->clear();
    m_classFilter->addItem(tr("All classes (%1)").arg(QLocale().toString(m_galleryModel->rowCount())));
    const QHash<QString, int> counts = m_galleryModel->workingClassCounts();
    QStringList classes = counts.keys();
    std::sort(classes.begin(), classes.end(), [](const QString &a, const QString &b) {
        // Unlabelled last; the rest alphabetically by displayed name.
        if (a.isEmpty() != b.isEmpty())
            return b.isEmpty();
        return CellClassNames::displayName(a).localeAwareCompare(CellClassNames::displayName(b)) < 0;
    });
    for (const QString &id : classes) {
        const QString name = id.isEmpty() ? tr("Unidentified") : CellClassNames::displayName(id);
        m_classFilter->addItem(tr("%1 (%2)").arg(name, QLocale().toString(counts.value(id))), id);
    }
    const int keep = previous.isValid() ? m_classFilter->findData(previous) : -1;
    m_classFilter->setCurrentIndex(keep > 0 ? keep : 0);
    applyClassFilter();
}

void CaseBrowser::applyClassFilter()
{
    const QVariant id = m_classFilter->currentData();
    m_galleryProxy->setLabelClass(id.isValid() ? std::optional<QString>(id.toString()) : std::nullopt);
}

void CaseBrowser::setThumbnailSize(int pixels)
{
    pixels = std::clamp(pixels, kMinThumbnail, kMaxThumbnail);
    if (pixels == m_galleryView->thumbnailSize())
        return;
    m_galleryView->setThumbnailSize(pixels);
    m_queuePanel->view()->setThumbnailSize(pixels);
    {
        const QSignalBlocker blocker(m_sizeSlider);
        m_sizeSlider->setValue(pixels);
    }
    rebuildThumbnailLoader();
}

int CaseBrowser::thumbnailSize() const
{
    return m_galleryView->thumbnailSize();
}

QByteArray CaseBrowser::saveSplitterState() const
{
    return m_splitter->saveState();
}

void CaseBrowser::restoreSplitterState(const QByteArray &state)
{
    if (!state.isEmpty())
        m_splitter->restoreState(state);
}

// ---- review workflow ----

void CaseBrowser::setReviewController(ReviewController *controller)
{
    if (m_review)
        disconnect(m_review, nullptr, this, nullptr);
    m_review = controller;
    m_queuePanel->setController(controller);
    m_galleryKeys->setController(controller);
    if (m_review)
        connect(m_review, &ReviewController::edited, this, &CaseBrowser::onCellsEdited);
    loadMorphology();
}

void CaseBrowser::setClassificationJob(ClassificationJob *job)
{
    m_details->setClassificationJob(job);
}

void CaseBrowser::setReviewThresholds(const review::ReviewThresholds &thresholds)
{
    m_thresholds = thresholds;
    applyReviewThresholds();
}

void CaseBrowser::applyReviewThresholds()
{
    review::ReviewThresholds thresholds = m_thresholds;
    thresholds.reviewEveryCell = m_domain.outside;
    m_galleryModel->setReviewThresholds(thresholds);
    m_details->setReviewThresholds(thresholds);
    refreshReviewViews();
    showCellInDetails(currentCellId());
}

void CaseBrowser::refreshDomainCheck()
{
    m_domain = {};
    if (m_database && m_shownCaseId) {
        auto stored = m_database->domainCheck(m_shownCaseId);
        if (!stored) {
            emit errorOccurred(tr("The domain check of this case could not be read: %1")
                                   .arg(QString::fromStdString(stored.error())));
        } else if (*stored) {
            auto verdict = domain::DomainVerdict::fromJson((*stored)->verdictJson.toStdString());
            if (verdict)
                m_domain = *verdict;
        }
        // A demo case that an earlier version judged (it measured the
        // generator, not a laboratory) keeps no banner, no queued-all and
        // no normalisation note.
        const db::CaseRow *row = m_caseModel->caseAt(m_caseModel->indexOfCase(m_shownCaseId).row());
        if (row && row->isSynthetic())
            m_domain = {};
    }
    const QString warning = DomainWarning::text(m_domain);
    m_domainBanner->setText(warning.isEmpty() ? QString()
                                              : warning + QLatin1Char(' ')
                                                    + tr("All cells of this case are in the review queue."));
    m_domainBanner->setVisible(!warning.isEmpty());
    const QString note = DomainWarning::normalisationText(m_domain);
    m_normalisationNote->setText(note);
    m_normalisationNote->setVisible(!note.isEmpty());
    applyReviewThresholds();
}

void CaseBrowser::setReferenceRanges(const review::ReferenceRanges &ranges)
{
    m_differential->setReferenceRanges(ranges);
}

void CaseBrowser::addPrediction(const db::PredictionRow &prediction)
{
    if (!m_galleryModel->indexOfCell(prediction.cellId).isValid())
        return;
    m_galleryModel->setPrediction(prediction);
    if (prediction.cellId == m_details->cellId())
        showCellInDetails(prediction.cellId);
    m_queueNeedsResort = true;
    if (!m_derivedTimer->isActive())
        m_derivedTimer->start();
}

void CaseBrowser::addSecondOpinion(qint64 cellId, const QString &modelId, const QString &predictedClass)
{
    if (!m_galleryModel->indexOfCell(cellId).isValid())
        return;
    m_galleryModel->setSecondOpinion(cellId, modelId, predictedClass);
    if (cellId == m_details->cellId())
        showCellInDetails(cellId);
    m_queueNeedsResort = true;
    if (!m_derivedTimer->isActive())
        m_derivedTimer->start();
}

void CaseBrowser::onCellsEdited(const QList<qint64> &cellIds)
{
    if (cellIds.contains(m_details->cellId()))
        showCellInDetails(m_details->cellId());
    // Counts and the differential follow at once; the queue keeps its order
    // so the reviewer's place does not move.
    m_queuePanel->updateHeader();
    updateTabTitles();
    if (!m_derivedTimer->isActive())
        m_derivedTimer->start();
}

void CaseBrowser::refreshDerivedViews()
{
    updateClassFilter();
    updateGalleryHeader(); // "n of N classified" as calls arrive
    if (m_queueNeedsResort) {
        m_queueNeedsResort = false;
        const qint64 keep = m_galleryProxy->cellId(m_galleryView->currentIndex());
        m_galleryProxy->refreshOrder();
        if (const QModelIndex index = m_galleryProxy->indexOfCell(keep); index.isValid())
            m_galleryView->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
        m_queuePanel->refreshOrder();
        if (!m_queuePanel->view()->currentIndex().isValid())
            m_queuePanel->selectFirstUnreviewed();
    }
    m_queuePanel->updateHeader();
    if (currentPage() == Page::Differential)
        m_differential->refresh();
    updateTabTitles();
}

void CaseBrowser::refreshReviewViews()
{
    m_derivedTimer->stop();
    m_queueNeedsResort = true;
    refreshDerivedViews();
    m_differential->refresh();
}

void CaseBrowser::updateTabTitles()
{
    const int left = m_queuePanel->queueModel()->unreviewedCount();
    m_tabs->setTabText(int(Page::Queue), left > 0 ? tr("Review queue (%1)").arg(QLocale().toString(left))
                                                  : tr("Review queue"));
}

void CaseBrowser::updateCaseState()
{
    loadMorphology();
    if (m_database && m_shownCaseId) {
        // The list model may be older than a sign-off made a moment ago.
        if (auto fresh = m_database->caseById(m_shownCaseId); fresh && fresh->isSigned()) {
            m_queuePanel->setNotice(tr("Signed by %1 on %2. Changes are amendments: each needs a reason and is "
                                       "kept in the audit log.")
                                        .arg(fresh->signedBy, QLocale().toString(fresh->signedAt.toLocalTime(),
                                                                                 QLocale::ShortFormat)));
            m_queuePanel->signButton()->setEnabled(false);
            m_differential->setCaseSigned(true);
            return;
        }
    }
    m_queuePanel->setNotice({});
    m_queuePanel->signButton()->setEnabled(m_shownCaseId != 0);
    m_differential->setCaseSigned(false);
}

void CaseBrowser::showPage(Page page)
{
    m_tabs->setCurrentIndex(int(page));
}

CaseBrowser::Page CaseBrowser::currentPage() const
{
    return m_tabs ? Page(m_tabs->currentIndex()) : Page::Gallery;
}

void CaseBrowser::showCellInDetails(qint64 cellId)
{
    const db::CellSummary *cell = m_galleryModel->cellAt(m_galleryModel->indexOfCell(cellId).row());
    if (cell) {
        const bool changed = cell->id != m_details->cellId();
        m_details->showCell(*cell, m_galleryModel->isReviewed(cell->id));
        if (changed)
            emit cellSelected(cell->id);
    } else if (m_details->cellId() != 0) {
        m_details->clear();
        emit cellSelected(0);
    }
}

} // namespace cytodiff::ui
