#include "importsummarydialog.h"

#include "cellclassnames.h"
#include "counttext.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFrame>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cytodiff::ui {

namespace {

// One big number with a caption under it, like a lab analyser's summary.
QWidget *makeCountTile(const QString &caption, qint64 value, const QString &objectName)
{
    auto *tile = new QFrame;
    tile->setFrameShape(QFrame::StyledPanel);
    tile->setObjectName(objectName);
    auto *number = new QLabel(QLocale().toString(value));
    number->setObjectName(objectName + QStringLiteral("Value"));
    number->setAlignment(Qt::AlignCenter);
    QFont font = number->font();
    font.setPointSizeF(font.pointSizeF() * 1.8);
    font.setBold(true);
    number->setFont(font);
    auto *label = new QLabel(caption);
    label->setAlignment(Qt::AlignCenter);
    auto *layout = new QVBoxLayout(tile);
    layout->addWidget(number);
    layout->addWidget(label);
    return tile;
}

QString labelName(const QString &label)
{
    return label.isEmpty() ? ImportSummaryDialog::tr("no label") : CellClassNames::displayName(label);
}

QString keptCopy(const ImportConflict &conflict)
{
    return conflict.keptInWorkspace
               ? ImportSummaryDialog::tr("%1 (already in the workspace, case %2)").arg(conflict.keptFile, conflict.keptCase)
               : conflict.keptFile;
}

} // namespace

QString ImportSummaryDialog::conflictText(const ImportConflict &conflict)
{
    if (conflict.keptInWorkspace)
        return tr("%1 (%2) is the same image as %3 (%4), already in the workspace in case %5. Kept: %4; %1 was not "
                  "imported.")
            .arg(conflict.file, labelName(conflict.label), conflict.keptFile, labelName(conflict.keptLabel),
                 conflict.keptCase);
    return tr("%1 (%2) is the same image as %3 (%4). Kept: %4; %1 was not imported.")
        .arg(conflict.file, labelName(conflict.label), conflict.keptFile, labelName(conflict.keptLabel));
}

QString ImportSummaryDialog::conflictsAsText(const QList<ImportConflict> &conflicts)
{
    QString text = tr("Not imported") + QLatin1Char('\t') + tr("Label") + QLatin1Char('\t') + tr("Same image as")
                   + QLatin1Char('\t') + tr("Label kept") + QLatin1Char('\n');
    for (const ImportConflict &conflict : conflicts)
        text += conflict.file + QLatin1Char('\t') + labelName(conflict.label) + QLatin1Char('\t') + keptCopy(conflict)
                + QLatin1Char('\t') + labelName(conflict.keptLabel) + QLatin1Char('\n');
    return text;
}

QString ImportSummaryDialog::issuesAsText(const QList<ImportIssue> &issues)
{
    QString text = tr("File") + QLatin1Char('\t') + tr("Reason") + QLatin1Char('\n');
    for (const ImportIssue &issue : issues)
        text += issue.file + QLatin1Char('\t') + issue.reason + QLatin1Char('\n');
    return text;
}

ImportSummaryDialog::ImportSummaryDialog(const ImportOutcome &outcome, QWidget *parent)
    : QDialog(parent), m_outcome(outcome)
{
    setObjectName(QStringLiteral("importSummaryDialog"));
    setWindowTitle(outcome.cancelled ? tr("Import cancelled") : tr("Import finished"));

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(12);

    addSummary(layout, outcome);
    if (outcome.ran)
        addCounts(layout, outcome);
    if (!outcome.issues.isEmpty())
        addIssueTable(layout, outcome.issues);
    if (!outcome.conflicts.isEmpty())
        addConflictTable(layout, outcome.conflicts);

    if (outcome.duplicates > 0) {
        auto *duplicates = new QLabel(
            tr("Files already in the workspace (identical SHA-256) are not imported twice."));
        duplicates->setWordWrap(true);
        duplicates->setForegroundRole(QPalette::PlaceholderText);
        layout->addWidget(duplicates);
    }
    if (!m_issueTable && !m_conflictTable)
        layout->addStretch();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok);
    if (m_issueTable || m_conflictTable) {
        QPushButton *copy = buttons->addButton(tr("Copy list"), QDialogButtonBox::ActionRole);
        copy->setObjectName(QStringLiteral("copyIssuesButton"));
        connect(copy, &QPushButton::clicked, this, &ImportSummaryDialog::copyIssues);
    }
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    layout->addWidget(buttons);

    setMinimumWidth(540);
    if (m_issueTable || m_conflictTable)
        resize(760, 560);
    else
        adjustSize();
}

// The headline (what happened) and the facts (folder, layout, cases, time,
// the error that stopped it).
void ImportSummaryDialog::addSummary(QVBoxLayout *layout, const ImportOutcome &outcome)
{
    QString headline;
    if (!outcome.ran)
        headline = tr("The import could not run.");
    else if (outcome.cancelled)
        headline = tr("The import was cancelled. Cells imported before cancelling are kept.");
    else if (outcome.skipped > 0)
        headline = tr("The import finished. Some files were skipped; see the list below.");
    else if (!outcome.conflicts.isEmpty())
        headline = tr("The import finished. Some images came under two labels; see the list below.");
    else
        headline = tr("The import finished without problems.");
    auto *headlineLabel = new QLabel(QStringLiteral("<b>%1</b>").arg(headline.toHtmlEscaped()));
    headlineLabel->setWordWrap(true);
    layout->addWidget(headlineLabel);

    QStringList facts;
    facts << tr("Folder: %1").arg(QDir::toNativeSeparators(outcome.folder).toHtmlEscaped());
    if (!outcome.layout.isEmpty())
        facts << tr("Detected layout: %1").arg(outcome.layout.toHtmlEscaped());
    if (!outcome.caseNames.isEmpty())
        facts << tr("Cases: %1").arg(outcome.caseNames.join(QStringLiteral(", ")).toHtmlEscaped());
    if (outcome.ran)
        facts << tr("Time: %1 s").arg(QLocale().toString(outcome.seconds, 'f', 1));
    if (!outcome.fatalError.isEmpty())
        facts << QStringLiteral("<span style='color:#b00020'>%1</span>")
                     .arg(outcome.fatalError.toHtmlEscaped());
    auto *factsLabel = new QLabel(facts.join(QStringLiteral("<br>")));
    factsLabel->setTextFormat(Qt::RichText);
    factsLabel->setWordWrap(true);
    factsLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(factsLabel);
}

// The counts as tiles, the domain check's warnings and unknown class codes.
void ImportSummaryDialog::addCounts(QVBoxLayout *layout, const ImportOutcome &outcome)
{
    auto *tiles = new QGridLayout;
    tiles->addWidget(makeCountTile(tr("imported"), outcome.imported,
                                   QStringLiteral("importedTile")), 0, 0);
    tiles->addWidget(makeCountTile(tr("already in workspace"), outcome.duplicates,
                                   QStringLiteral("duplicatesTile")), 0, 1);
    tiles->addWidget(makeCountTile(tr("skipped"), outcome.skipped,
                                   QStringLiteral("skippedTile")), 0, 2);
    layout->addLayout(tiles);
    for (const QString &warning : outcome.domainWarnings) {
        auto *domain = new QLabel(warning);
        domain->setObjectName(QStringLiteral("domainWarning"));
        domain->setWordWrap(true);
        domain->setStyleSheet(QStringLiteral(
            "QLabel { background: #fde2e1; color: #7a1712; border: 1px solid #e0908b; padding: 6px; }"));
        layout->addWidget(domain);
    }
    if (outcome.unknownCodes > 0) {
        auto *unknown = new QLabel(
            tr("%1 with a class code that is not in the synonym table: the code is "
               "kept as exported and shown in the gallery.")
                .arg(CountText::cells(outcome.unknownCodes)));
        unknown->setWordWrap(true);
        layout->addWidget(unknown);
    }
}

void ImportSummaryDialog::addIssueTable(QVBoxLayout *layout, const QList<ImportIssue> &issues)
{
    m_issueTable = new QTableWidget(int(issues.size()), 2);
    m_issueTable->setObjectName(QStringLiteral("issueTable"));
    m_issueTable->setHorizontalHeaderLabels({tr("File"), tr("Reason")});
    m_issueTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_issueTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_issueTable->setAlternatingRowColors(true);
    m_issueTable->verticalHeader()->hide();
    m_issueTable->horizontalHeader()->setStretchLastSection(true);
    m_issueTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    for (int row = 0; row < issues.size(); ++row) {
        const ImportIssue &issue = issues.at(row);
        auto *file = new QTableWidgetItem(issue.file);
        file->setToolTip(issue.file);
        m_issueTable->setItem(row, 0, file);
        m_issueTable->setItem(row, 1, new QTableWidgetItem(issue.reason));
    }
    m_issueTable->resizeColumnToContents(0);
    m_issueTable->setColumnWidth(0, qMin(m_issueTable->columnWidth(0), 360));
    layout->addWidget(new QLabel(tr("Skipped files (%1):").arg(issues.size())));
    layout->addWidget(m_issueTable, 1);
}

void ImportSummaryDialog::addConflictTable(QVBoxLayout *layout, const QList<ImportConflict> &conflicts)
{
    // A conflicting label is not a plain duplicate: one of the two
    // classes is wrong, and the workspace kept the first copy's.
    auto *title = new QLabel(tr("Same image under two labels (%1): the first copy's label was kept. Check "
                                "these cells when reviewing.")
                                 .arg(conflicts.size()));
    title->setObjectName(QStringLiteral("conflictTitle"));
    title->setWordWrap(true);
    layout->addWidget(title);
    m_conflictTable = new QTableWidget(int(conflicts.size()), 4);
    m_conflictTable->setObjectName(QStringLiteral("conflictTable"));
    m_conflictTable->setHorizontalHeaderLabels({tr("Not imported"), tr("Label"), tr("Same image as"), tr("Label kept")});
    m_conflictTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_conflictTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_conflictTable->setAlternatingRowColors(true);
    m_conflictTable->verticalHeader()->hide();
    m_conflictTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_conflictTable->horizontalHeader()->setStretchLastSection(true);
    for (int row = 0; row < conflicts.size(); ++row) {
        const ImportConflict &conflict = conflicts.at(row);
        const QStringList cells = {conflict.file, labelName(conflict.label), keptCopy(conflict),
                                   labelName(conflict.keptLabel)};
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells.at(column));
            item->setToolTip(conflictText(conflict));
            m_conflictTable->setItem(row, column, item);
        }
    }
    layout->addWidget(m_conflictTable, 1);
}

void ImportSummaryDialog::copyIssues()
{
    QString text;
    if (!m_outcome.issues.isEmpty())
        text += issuesAsText(m_outcome.issues);
    if (!m_outcome.conflicts.isEmpty())
        text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + conflictsAsText(m_outcome.conflicts);
    QApplication::clipboard()->setText(text);
}

} // namespace cytodiff::ui
