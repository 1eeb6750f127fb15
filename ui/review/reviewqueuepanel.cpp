#include "reviewqueuepanel.h"

#include "cellclasskeys.h"
#include "cellclassnames.h"
#include "cellgallerymodel.h"
#include "cellgalleryview.h"
#include "reviewkeyhandler.h"
#include "reviewpriority.h"
#include "reviewqueuemodel.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace cytodiff::ui {

ReviewQueuePanel::ReviewQueuePanel(CellGalleryModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    setObjectName(QStringLiteral("reviewQueuePanel"));
    m_queue = new ReviewQueueModel(this);
    m_queue->setGalleryModel(model);

    auto *title = new QLabel(tr("Review queue"));
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    title->setFont(titleFont);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("queueSummary"));
    m_summary->setForegroundRole(QPalette::PlaceholderText);
    // Wraps rather than clips when the queue pane is narrow.
    m_summary->setWordWrap(true);
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("queueProgress"));
    m_progress->setFixedWidth(180);
    m_progress->setFormat(tr("%v of %m reviewed"));
    m_progress->setAlignment(Qt::AlignCenter);

    m_sign = new QPushButton(tr("Sign case…"));
    m_sign->setObjectName(QStringLiteral("queueSignButton"));
    m_sign->setToolTip(tr("Sign the case once every cell in the queue is reviewed"));
    connect(m_sign, &QPushButton::clicked, this, &ReviewQueuePanel::signRequested);

    m_notice = new QLabel;
    m_notice->setObjectName(QStringLiteral("queueNotice"));
    m_notice->setWordWrap(true);
    m_notice->setStyleSheet(QStringLiteral("QLabel { background: #e8f1fb; color: #1d4f80; border-radius: 4px; "
                                           "padding: 5px 8px; }"));
    m_notice->hide();

    auto *header = new QGridLayout;
    header->setContentsMargins(10, 8, 10, 8);
    header->setHorizontalSpacing(10);
    header->setVerticalSpacing(4);
    header->addWidget(title, 0, 0);
    header->addWidget(m_progress, 0, 1, Qt::AlignVCenter);
    header->addWidget(m_sign, 0, 2);
    header->addWidget(m_summary, 1, 0, 1, 3);
    header->addWidget(buildLegend(), 2, 0, 1, 3);
    header->addWidget(m_notice, 3, 0, 1, 3);
    header->setColumnStretch(0, 1);
    auto *strip = new QWidget;
    strip->setObjectName(QStringLiteral("paneHeader"));
    strip->setAutoFillBackground(true);
    strip->setLayout(header);

    m_view = new CellGalleryView;
    m_view->setObjectName(QStringLiteral("queueView"));
    m_view->setModel(m_queue);
    m_keys = new ReviewKeyHandler(m_view, true, this);
    connect(m_keys, &ReviewKeyHandler::errorOccurred, this, &ReviewQueuePanel::errorOccurred);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { emit currentCellChanged(m_queue->cellId(current)); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        refreshOrder();
        selectFirstUnreviewed();
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(strip);
    layout->addWidget(m_view, 1);
    updateHeader();
}

QWidget *ReviewQueuePanel::buildLegend()
{
    QStringList items;
    for (const ClassKey &key : CellClassKeys::all())
        items << QStringLiteral("<b>%1</b>&nbsp;%2").arg(key.keyText, CellClassNames::displayName(key.classId).toHtmlEscaped());
    items << tr("<b>Space</b>&nbsp;confirm") << tr("<b>Arrows</b>&nbsp;move")
          << tr("<b>Shift+arrows</b>&nbsp;select") << tr("<b>Ctrl+Z</b>&nbsp;undo");
    auto *legend = new QLabel(items.join(QStringLiteral(" &nbsp;·&nbsp; ")));
    legend->setObjectName(QStringLiteral("keyLegend"));
    legend->setTextFormat(Qt::RichText);
    legend->setWordWrap(true);
    legend->setForegroundRole(QPalette::PlaceholderText);
    return legend;
}

void ReviewQueuePanel::setController(ReviewController *controller)
{
    m_keys->setController(controller);
}

void ReviewQueuePanel::refreshOrder()
{
    // The reviewer's place is the current cell; when the re-sort drops it
    // from the queue (a reviewed cell now confident), the first of the
    // cells that followed it, not the top of the queue.
    const qint64 current = currentCellId();
    QList<qint64> following;
    for (int row = m_view->currentIndex().row() + 1; current != 0 && row < m_queue->rowCount(); ++row)
        following << m_queue->cellId(m_queue->index(row, 0));
    m_queue->refreshOrder();
    QModelIndex keep = m_queue->indexOfCell(current);
    const bool kept = keep.isValid();
    for (int i = 0; !keep.isValid() && i < following.size(); ++i)
        keep = m_queue->indexOfCell(following.at(i));
    if (keep.isValid()) {
        m_view->selectionModel()->setCurrentIndex(keep, kept ? QItemSelectionModel::NoUpdate
                                                             : QItemSelectionModel::ClearAndSelect);
        if (!kept)
            m_view->scrollTo(keep);
    }
    updateHeader();
}

void ReviewQueuePanel::selectFirstUnreviewed()
{
    const int row = m_queue->nextUnreviewedRow(m_queue->rowCount() - 1);
    if (row < 0)
        return;
    const QModelIndex index = m_queue->index(row, 0);
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
    m_view->scrollTo(index);
}

qint64 ReviewQueuePanel::currentCellId() const
{
    return m_queue->cellId(m_view->currentIndex());
}

QString ReviewQueuePanel::summaryText() const
{
    return m_summary->text();
}

void ReviewQueuePanel::setNotice(const QString &text)
{
    m_notice->setText(text);
    m_notice->setVisible(!text.isEmpty());
}

void ReviewQueuePanel::updateHeader()
{
    const int inQueue = m_queue->rowCount();
    const QList<int> groups = m_queue->unreviewedPerGroup();
    const int left = groups.at(0) + groups.at(1) + groups.at(2) + groups.at(3);
    m_progress->setRange(0, qMax(1, inQueue));
    m_progress->setValue(inQueue - left);
    m_progress->setToolTip(tr("%1 of %2 reviewed").arg(QLocale().toString(inQueue - left), QLocale().toString(inQueue)));
    if (m_model->rowCount() == 0) {
        m_summary->setText(tr("No case selected."));
        return;
    }
    if (inQueue == 0) {
        m_summary->setText(tr("Nothing to review: every cell was classified with a confidence above the review "
                              "threshold."));
        return;
    }
    QStringList parts;
    parts << (left == 0 ? tr("All %1 queue cells reviewed").arg(QLocale().toString(inQueue))
                        : tr("%1 of %2 queue cells to review").arg(QLocale().toString(left), QLocale().toString(inQueue)));
    if (groups.at(int(review::ReviewGroup::Unidentified)) > 0)
        parts << tr("%1 unidentified").arg(QLocale().toString(groups.at(int(review::ReviewGroup::Unidentified))));
    // In queue order.
    if (groups.at(int(review::ReviewGroup::SecondOpinion)) > 0)
        parts << tr("%1 second opinion differs").arg(QLocale().toString(groups.at(int(review::ReviewGroup::SecondOpinion))));
    if (groups.at(int(review::ReviewGroup::Critical)) > 0)
        parts << tr("%1 critical class").arg(QLocale().toString(groups.at(int(review::ReviewGroup::Critical))));
    if (groups.at(int(review::ReviewGroup::Uncertain)) > 0)
        parts << tr("%1 low confidence").arg(QLocale().toString(groups.at(int(review::ReviewGroup::Uncertain))));
    parts << tr("%1 cells in the case").arg(QLocale().toString(m_model->rowCount()));
    m_summary->setText(parts.join(QStringLiteral("  ·  ")));
}

} // namespace cytodiff::ui
