#include "labellingdisagreementview.h"

#include "cellclassnames.h"
#include "cellzoomdialog.h"
#include "labellingcellmodel.h"
#include "labellingview.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace cytodiff::ui {
namespace {

QTableWidgetItem *readOnlyItem(const QString &text, Qt::Alignment alignment = Qt::AlignVCenter | Qt::AlignRight)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setTextAlignment(alignment);
    return item;
}

QTableWidgetItem *headerItem(const QString &text, const QString &toolTip)
{
    auto *item = new QTableWidgetItem(text);
    item->setToolTip(toolTip);
    return item;
}

} // namespace

LabellingDisagreementView::LabellingDisagreementView(db::Database *database, QWidget *parent)
    : QWidget(parent), m_database(database)
{
    setObjectName(QStringLiteral("disagreementView"));
    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("disagreementSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    auto *splitter = new QSplitter(Qt::Vertical);
    auto *classPane = new QWidget;
    auto *classLayout = new QVBoxLayout(classPane);
    classLayout->setContentsMargins(0, 0, 0, 0);
    auto *classHeading = new QLabel(tr("<b>Agreement per class</b> (cells with two or more answers)"));
    classHeading->setWordWrap(true);
    classLayout->addWidget(classHeading);
    m_classTable = new QTableWidget(0, 5);
    m_classTable->setObjectName(QStringLiteral("classAgreementTable"));
    m_classTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_classTable->verticalHeader()->setVisible(false);
    m_classTable->setHorizontalHeaderItem(0, headerItem(tr("Class"), tr("The class a labeller answered.")));
    m_classTable->setHorizontalHeaderItem(1, headerItem(tr("Answers"), tr("Answers of this class on cells with two "
                                                                         "or more answers.")));
    m_classTable->setHorizontalHeaderItem(
        2, headerItem(tr("Specific agreement"),
                      tr("When one labeller answered this class, how often another labeller of the same cell did "
                         "too (pairs of labellers on a cell).")));
    m_classTable->setHorizontalHeaderItem(3, headerItem(tr("Consensus cells"),
                                                        tr("Cells whose consensus label is this class.")));
    m_classTable->setHorizontalHeaderItem(4, headerItem(tr("Unanimous cells"),
                                                        tr("Cells on which every labeller answered this class.")));
    m_classTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_classTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    classLayout->addWidget(m_classTable);
    splitter->addWidget(classPane);

    auto *cellPane = new QWidget;
    auto *cellLayout = new QVBoxLayout(cellPane);
    cellLayout->setContentsMargins(0, 0, 0, 0);
    auto *cellHeading = new QLabel(tr("<b>Cells with differing answers</b>, the most divided first; answers that "
                                      "differ from the consensus are in bold. Double-click a cell to see it at "
                                      "full size."));
    cellHeading->setWordWrap(true);
    cellLayout->addWidget(cellHeading);
    m_cellModel = new LabellingCellModel(m_database, this);
    m_cellTable = new QTableView;
    m_cellTable->setObjectName(QStringLiteral("disagreementTable"));
    m_cellTable->setModel(m_cellModel);
    m_cellTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_cellTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_cellTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_cellTable->setWordWrap(true);
    m_cellTable->setIconSize(QSize(LabellingCellModel::kThumbnailSide, LabellingCellModel::kThumbnailSide));
    m_cellTable->verticalHeader()->setVisible(false);
    // Fixed heights and a fixed first column: sizing them to their contents
    // would decode every thumbnail, not only those on screen.
    m_cellTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_cellTable->verticalHeader()->setDefaultSectionSize(LabellingCellModel::kThumbnailSide + 8);
    m_cellTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_cellTable->horizontalHeader()->setStretchLastSection(true);
    connect(m_cellTable, &QTableView::doubleClicked, this, [this](const QModelIndex &index) { zoomInto(index.row()); });
    cellLayout->addWidget(m_cellTable, 1);
    splitter->addWidget(cellPane);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);
}

void LabellingDisagreementView::setReport(const labelling::DisagreementReport &report,
                                          const QList<db::LabellerRow> &labellers)
{
    const QLocale locale;
    if (report.cellsCompared == 0)
        m_summary->setText(tr("No cell has answers from two labellers yet: agreement needs cells that several "
                              "labellers answered (the common subset)."));
    else
        m_summary->setText(tr("%1 cells have answers from two or more labellers: %2 unanimous, %3 with differing "
                              "answers.")
                               .arg(locale.toString(report.cellsCompared))
                               .arg(locale.toString(report.cellsUnanimous))
                               .arg(locale.toString(report.disagreements.size())));
    showClasses(report);
    showCells(report, labellers);
}

void LabellingDisagreementView::showClasses(const labelling::DisagreementReport &report)
{
    const QLocale locale;
    QList<labelling::ClassAgreement> classes = report.classes;
    // The most used classes first: their agreement rests on the most pairs.
    std::stable_sort(classes.begin(), classes.end(),
                     [](const labelling::ClassAgreement &a, const labelling::ClassAgreement &b) {
                         return a.answers > b.answers;
                     });
    m_classTable->setRowCount(int(classes.size()));
    for (int row = 0; row < classes.size(); ++row) {
        const auto &entry = classes.at(row);
        m_classTable->setItem(row, 0, readOnlyItem(CellClassNames::displayName(entry.classId),
                                                   Qt::AlignVCenter | Qt::AlignLeft));
        m_classTable->setItem(row, 1, readOnlyItem(locale.toString(entry.answers)));
        const QString specific = entry.specificAgreement
                                     ? tr("%1 %").arg(locale.toString(*entry.specificAgreement * 100.0, 'f', 0))
                                     : QStringLiteral("\u2014");
        m_classTable->setItem(row, 2, readOnlyItem(specific));
        m_classTable->setItem(row, 3, readOnlyItem(locale.toString(entry.consensusCells)));
        m_classTable->setItem(row, 4, readOnlyItem(locale.toString(entry.unanimousCells)));
    }
}

void LabellingDisagreementView::showCells(const labelling::DisagreementReport &report,
                                          const QList<db::LabellerRow> &labellers)
{
    // One column per labeller who answered a listed cell, in id order, so a
    // labeller's answers read down one column.
    QList<db::LabellerRow> columns;
    for (const auto &labeller : labellers) {
        const bool answered = std::any_of(report.disagreements.cbegin(), report.disagreements.cend(),
                                          [&labeller](const labelling::CellDisagreement &cell) {
                                              return std::any_of(cell.answers.cbegin(), cell.answers.cend(),
                                                                 [&labeller](const labelling::CellAnswer &answer) {
                                                                     return answer.labellerId == labeller.id;
                                                                 });
                                          });
        if (answered)
            columns.append(labeller);
    }
    std::sort(columns.begin(), columns.end(),
              [](const db::LabellerRow &a, const db::LabellerRow &b) { return a.id < b.id; });

    QStringList headers = {tr("Cell")};
    QStringList toolTips = {tr("The cell (double-click for full size).")};
    for (const auto &labeller : columns) {
        headers.append(tr("%1 (%2 y)").arg(labeller.name).arg(labeller.yearsExperience));
        toolTips.append(tr("%1's class and confidence (%2 years of experience).")
                            .arg(labeller.name)
                            .arg(labeller.yearsExperience));
    }
    headers << tr("Consensus") << tr("Votes") << tr("Consensus confidence");
    toolTips << tr("Majority vote; a tie goes to the most experienced labeller among those who voted for a tied "
                   "class.")
             << tr("Answers for the consensus class, of all answers.")
             << tr("Mean of High 1, Moderate 2/3, Low 1/3, No 0 over all answers of the cell.");

    const QLocale locale;
    QList<LabellingCellModel::Row> rows;
    for (const auto &cell : report.disagreements) {
        LabellingCellModel::Row row;
        row.cellId = cell.cellId;
        const QString name = tr("Cell %1").arg(cell.cellId);
        row.texts.append(cell.common ? QString(name + QLatin1Char('\n') + tr("common subset")) : name);
        for (const auto &labeller : columns) {
            const auto answer = std::find_if(cell.answers.cbegin(), cell.answers.cend(),
                                             [&labeller](const labelling::CellAnswer &a) {
                                                 return a.labellerId == labeller.id;
                                             });
            if (answer == cell.answers.cend()) {
                row.texts.append(QStringLiteral("\u2014"));
                continue;
            }
            if (answer->labelClass != cell.consensus.labelClass)
                row.emphasised.insert(int(row.texts.size()));
            row.texts.append(labellingAnswerText(answer->labelClass, answer->confidence));
        }
        const QString consensus = CellClassNames::displayName(cell.consensus.labelClass);
        row.texts.append(cell.consensus.tieBroken ? tr("%1\n(tie broken by experience)").arg(consensus) : consensus);
        row.texts.append(tr("%1 of %2").arg(cell.consensus.winningVotes).arg(cell.consensus.votes));
        row.texts.append(locale.toString(cell.consensus.confidence, 'f', 2));
        rows.append(row);
    }
    m_cellModel->setHeaders(headers, toolTips);
    m_cellModel->setRows(rows);
    // The thumbnail column is not sized to its contents (see the
    // constructor): room for the thumbnail and its two lines of text.
    const QFontMetrics metrics = m_cellTable->fontMetrics();
    const int text = std::max({metrics.horizontalAdvance(tr("common subset")),
                               metrics.horizontalAdvance(tr("Cell %1").arg(999999)),
                               metrics.horizontalAdvance(headers.first())});
    m_cellTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Fixed);
    m_cellTable->horizontalHeader()->resizeSection(0, LabellingCellModel::kThumbnailSide + text + 24);
}

void LabellingDisagreementView::zoomInto(int row)
{
    const QPixmap image = m_cellModel->fullImage(row);
    if (image.isNull())
        return;
    if (!m_zoom)
        m_zoom = new CellZoomDialog(this);
    m_zoom->setImage(image, tr("Cell %1").arg(m_cellModel->cellId(row)));
    m_zoom->show();
    m_zoom->raise();
}

} // namespace cytodiff::ui
