#include "casebrowser.h"

#include "caselistmodel.h"
#include "cellclassnames.h"
#include "celldetailspanel.h"
#include "cellgallerymodel.h"
#include "cellgalleryview.h"
#include "counttext.h"
#include "database.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpression>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace cytodiff::ui {

namespace {
constexpr int kMinThumbnail = 64;
constexpr int kMaxThumbnail = 192;
constexpr int kThumbnailStep = 16;

QLabel *makePaneTitle(const QString &text)
{
    auto *label = new QLabel(text);
    QFont font = label->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.1);
    label->setFont(font);
    return label;
}

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
    m_galleryProxy = new QSortFilterProxyModel(this);
    m_galleryProxy->setSourceModel(m_galleryModel);
    m_galleryProxy->setFilterRole(CellGalleryModel::LabelClassRole);

    m_details = new CellDetailsPanel;

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("browserSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(buildCasePane());
    m_splitter->addWidget(buildGalleryPane());
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
    m_caseSearch->setPlaceholderText(tr("Search case, slide or specimen"));
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
    pane->setMinimumWidth(260);
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

    m_classFilter = new QComboBox;
    m_classFilter->setObjectName(QStringLiteral("classFilter"));
    m_classFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_classFilter->setToolTip(tr("Show only the cells of one class"));
    connect(m_classFilter, &QComboBox::currentIndexChanged, this, &CaseBrowser::applyClassFilter);

    m_sizeSlider = new QSlider(Qt::Horizontal);
    m_sizeSlider->setObjectName(QStringLiteral("thumbnailSize"));
    m_sizeSlider->setRange(kMinThumbnail, kMaxThumbnail);
    m_sizeSlider->setSingleStep(kThumbnailStep);
    m_sizeSlider->setPageStep(kThumbnailStep * 2);
    m_sizeSlider->setFixedWidth(110);
    m_sizeSlider->setToolTip(tr("Thumbnail size"));
    connect(m_sizeSlider, &QSlider::sliderReleased, this, [this] {
        setThumbnailSize(m_sizeSlider->value());
    });

    auto *titles = new QVBoxLayout;
    titles->setSpacing(2);
    titles->addWidget(m_galleryTitle);
    titles->addWidget(m_gallerySubtitle);

    auto *headerLayout = new QHBoxLayout;
    headerLayout->setSpacing(10);
    headerLayout->addLayout(titles, 1);
    headerLayout->addWidget(new QLabel(tr("Class:")));
    headerLayout->addWidget(m_classFilter);
    headerLayout->addSpacing(8);
    headerLayout->addWidget(new QLabel(tr("Size:")));
    headerLayout->addWidget(m_sizeSlider);

    m_galleryView = new CellGalleryView;
    m_galleryView->setModel(m_galleryProxy);
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
    const QModelIndex proxy = m_galleryProxy->mapFromSource(m_galleryModel->indexOfCell(cellId));
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
    return m_galleryModel->cellId(m_galleryProxy->mapToSource(m_galleryView->currentIndex()));
}

QList<qint64> CaseBrowser::selectedCellIds() const
{
    QList<qint64> ids;
    const QModelIndexList rows = m_galleryView->selectionModel()->selectedIndexes();
    ids.reserve(rows.size());
    for (const QModelIndex &index : rows)
        ids << m_galleryModel->cellId(m_galleryProxy->mapToSource(index));
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
    emit caseSelected(caseId);
    emit selectionCountChanged(0);
}

void CaseBrowser::onCellSelectionChanged()
{
    const QModelIndex current = m_galleryProxy->mapToSource(m_galleryView->currentIndex());
    const db::CellSummary *cell = m_galleryModel->cellAt(current.isValid() ? current.row() : -1);
    if (cell && cell->id != m_details->cellId()) {
        m_details->showCell(*cell);
        emit cellSelected(cell->id);
    } else if (!cell && m_details->cellId() != 0) {
        m_details->clear();
        emit cellSelected(0);
    }
    emit selectionCountChanged(int(m_galleryView->selectionModel()->selectedIndexes().size()));
}

void CaseBrowser::updateGalleryHeader()
{
    const db::CaseRow *row = m_caseModel->caseAt(m_caseModel->indexOfCase(m_shownCaseId).row());
    if (!row) {
        m_galleryTitle->setText(tr("No case selected"));
        m_gallerySubtitle->setText(tr("Choose a case on the left."));
        return;
    }
    m_galleryTitle->setText(row->name);
    QStringList parts;
    if (!row->slideId.isEmpty() && row->slideId != row->name)
        parts << tr("Slide %1").arg(row->slideId);
    if (!row->specimen.isEmpty())
        parts << tr("Specimen %1").arg(row->specimen);
    parts << CountText::cells(m_galleryModel->rowCount());
    parts << (row->isSigned() ? tr("Signed by %1").arg(row->signedBy) : tr("Open"));
    parts << tr("Imported %1").arg(QLocale().toString(row->importedAt.toLocalTime(),
                                                      QLocale::ShortFormat));
    m_gallerySubtitle->setText(parts.join(QStringLiteral("  ·  ")));
}

void CaseBrowser::updateClassFilter()
{
    const QSignalBlocker blocker(m_classFilter);
    const QVariant previous = m_classFilter->currentData();
    m_classFilter->clear();
    m_classFilter->addItem(tr("All classes (%1)").arg(QLocale().toString(m_galleryModel->rowCount())));
    const QHash<QString, int> counts = m_galleryModel->labelCounts();
    QStringList classes = counts.keys();
    std::sort(classes.begin(), classes.end(), [](const QString &a, const QString &b) {
        // Unlabelled last; the rest alphabetically by displayed name.
        if (a.isEmpty() != b.isEmpty())
            return b.isEmpty();
        return CellClassNames::displayName(a).localeAwareCompare(CellClassNames::displayName(b)) < 0;
    });
    for (const QString &id : classes) {
        const QString name = id.isEmpty() ? tr("Unlabelled") : CellClassNames::displayName(id);
        m_classFilter->addItem(tr("%1 (%2)").arg(name, QLocale().toString(counts.value(id))), id);
    }
    const int keep = previous.isValid() ? m_classFilter->findData(previous) : -1;
    m_classFilter->setCurrentIndex(keep > 0 ? keep : 0);
    applyClassFilter();
}

void CaseBrowser::applyClassFilter()
{
    const QVariant id = m_classFilter->currentData();
    if (!id.isValid()) {
        m_galleryProxy->setFilterRegularExpression(QString());
        return;
    }
    m_galleryProxy->setFilterRegularExpression(
        QRegularExpression(QStringLiteral("^%1$").arg(QRegularExpression::escape(id.toString()))));
}

void CaseBrowser::setThumbnailSize(int pixels)
{
    pixels = std::clamp(pixels, kMinThumbnail, kMaxThumbnail);
    if (pixels == m_galleryView->thumbnailSize())
        return;
    m_galleryView->setThumbnailSize(pixels);
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

} // namespace cytodiff::ui
