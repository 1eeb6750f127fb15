#include "importsummarydialog.h"

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

} // namespace

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

    QString headline;
    if (!outcome.ran)
        headline = tr("The import could not run.");
    else if (outcome.cancelled)
        headline = tr("The import was cancelled. Cells imported before cancelling are kept.");
    else if (outcome.skipped > 0)
        headline = tr("The import finished. Some files were skipped; see the list below.");
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

    if (outcome.ran) {
        auto *tiles = new QGridLayout;
        tiles->addWidget(makeCountTile(tr("imported"), outcome.imported,
                                       QStringLiteral("importedTile")), 0, 0);
        tiles->addWidget(makeCountTile(tr("already in workspace"), outcome.duplicates,
                                       QStringLiteral("duplicatesTile")), 0, 1);
        tiles->addWidget(makeCountTile(tr("skipped"), outcome.skipped,
                                       QStringLiteral("skippedTile")), 0, 2);
        layout->addLayout(tiles);
        if (outcome.unknownCodes > 0) {
            auto *unknown = new QLabel(
                tr("%1 with a class code that is not in the synonym table: the code is "
                   "kept as exported and shown in the gallery.")
                    .arg(CountText::cells(outcome.unknownCodes)));
            unknown->setWordWrap(true);
            layout->addWidget(unknown);
        }
    }

    if (!outcome.issues.isEmpty()) {
        m_issueTable = new QTableWidget(int(outcome.issues.size()), 2);
        m_issueTable->setObjectName(QStringLiteral("issueTable"));
        m_issueTable->setHorizontalHeaderLabels({tr("File"), tr("Reason")});
        m_issueTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
        m_issueTable->setSelectionBehavior(QAbstractItemView::SelectRows);
        m_issueTable->setAlternatingRowColors(true);
        m_issueTable->verticalHeader()->hide();
        m_issueTable->horizontalHeader()->setStretchLastSection(true);
        m_issueTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
        for (int row = 0; row < outcome.issues.size(); ++row) {
            const ImportIssue &issue = outcome.issues.at(row);
            auto *file = new QTableWidgetItem(issue.file);
            file->setToolTip(issue.file);
            m_issueTable->setItem(row, 0, file);
            m_issueTable->setItem(row, 1, new QTableWidgetItem(issue.reason));
        }
        m_issueTable->resizeColumnToContents(0);
        m_issueTable->setColumnWidth(0, qMin(m_issueTable->columnWidth(0), 360));
        layout->addWidget(new QLabel(tr("Skipped files (%1):").arg(outcome.issues.size())));
        layout->addWidget(m_issueTable, 1);
    }

    if (outcome.duplicates > 0) {
        auto *duplicates = new QLabel(
            tr("Files already in the workspace (identical SHA-256) are not imported twice."));
        duplicates->setWordWrap(true);
        duplicates->setForegroundRole(QPalette::PlaceholderText);
        layout->addWidget(duplicates);
    }
    if (!m_issueTable)
        layout->addStretch();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok);
    if (m_issueTable) {
        QPushButton *copy = buttons->addButton(tr("Copy list"), QDialogButtonBox::ActionRole);
        copy->setObjectName(QStringLiteral("copyIssuesButton"));
        connect(copy, &QPushButton::clicked, this, &ImportSummaryDialog::copyIssues);
    }
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    layout->addWidget(buttons);

    setMinimumWidth(540);
    if (m_issueTable)
        resize(720, 540);
    else
        adjustSize();
}

void ImportSummaryDialog::copyIssues()
{
    QApplication::clipboard()->setText(issuesAsText(m_outcome.issues));
}

} // namespace cytodiff::ui
