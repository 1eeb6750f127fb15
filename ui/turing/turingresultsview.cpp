#include "turingresultsview.h"

#include "database.h"
#include "filedialogs.h"
#include "turingstore.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cytodiff::ui {

namespace {

QString percentText(const stats::Proportion &p)
{
    if (!p.isDefined())
        return QStringLiteral("–");
    return TuringResultsView::tr("%1% (%2–%3)")
        .arg(QLocale().toString(100.0 * p.value, 'f', 1), QLocale().toString(100.0 * p.ci.low, 'f', 1),
             QLocale().toString(100.0 * p.ci.high, 'f', 1));
}

QString fractionTip(const stats::Proportion &p)
{
    return TuringResultsView::tr("%1 of %2; Wilson 95% interval").arg(p.successes).arg(p.trials);
}

QString pValueText(double p)
{
    return p < 0.001 ? TuringResultsView::tr("< 0.001") : QLocale().toString(p, 'f', 3);
}

Result<void> saveBytes(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(file.errorString().toStdString());
    file.write(bytes);
    if (!file.commit())
        return makeError(file.errorString().toStdString());
    return {};
}

} // namespace

TuringResultsView::TuringResultsView(const db::Database &database, qint64 testId, QWidget *parent)
    : QWidget(parent), m_database(database), m_testId(testId)
{
    setObjectName(QStringLiteral("turingResultsView"));
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("turingResultsSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);

    m_table = new QTableWidget(0, ColumnCount);
    m_table->setObjectName(QStringLiteral("turingResultsTable"));
    m_table->setHorizontalHeaderLabels({tr("Reader"), tr("Answered"), tr("Accuracy (95% CI)"), tr("p vs 50%"),
                                        tr("Sensitivity\n(synthetic called synthetic)"),
                                        tr("Specificity\n(real called real)"),
                                        tr("Cell type = generating class\n(synthetic images)"),
                                        tr("Cell type = label\n(real images)"), tr("Mean time")});
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setAlternatingRowColors(true);

    auto *note = new QLabel(
        tr("Positive class: <b>synthetic</b>. Sensitivity is the share of synthetic images called synthetic, "
           "specificity the share of real images called real. Accuracy near 50% means the readers could not tell "
           "real from synthetic; p is the exact two-sided binomial test against 50%. For synthetic images, the cell "
           "types named agreed with the generating class in 98.6% of the paper's readings. The pooled row counts every "
           "reading as independent, which readers of the same images are not: for inference across readers use "
           "an MRMC analysis of the CSV export."));
    note->setWordWrap(true);
    note->setObjectName(QStringLiteral("turingResultsNote"));

    auto *exportCsvButton = new QPushButton(tr("Export answers (CSV)…"));
    exportCsvButton->setObjectName(QStringLiteral("turingExportCsvButton"));
    connect(exportCsvButton, &QPushButton::clicked, this, &TuringResultsView::exportCsvInteractive);
    auto *exportReportButton = new QPushButton(tr("Save report (JSON + Markdown)…"));
    connect(exportReportButton, &QPushButton::clicked, this, &TuringResultsView::exportReportInteractive);
    auto *reloadButton = new QPushButton(tr("Refresh"));
    connect(reloadButton, &QPushButton::clicked, this, &TuringResultsView::reload);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(reloadButton);
    buttons->addStretch();
    buttons->addWidget(exportCsvButton);
    buttons->addWidget(exportReportButton);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
    layout->addWidget(note);
    layout->addLayout(buttons);
    reload();
}

void TuringResultsView::reload()
{
    auto results = turing::loadResults(m_database, m_testId);
    if (!results) {
        m_error = QString::fromStdString(results.error());
        m_summary->setText(tr("The results cannot be read: %1").arg(m_error.toHtmlEscaped()));
        m_table->setRowCount(0);
        return;
    }
    m_error.clear();
    m_results = *results;
    const db::TuringTestRow &test = m_results.test;
    m_summary->setText(tr("<b>%1</b><br>Model %2 · %3 images shown at %4 px · %5 readers")
                           .arg(test.name.toHtmlEscaped(), test.modelId.toHtmlEscaped(),
                                QLocale().toString(test.imageCount), QLocale().toString(test.imageSize),
                                QLocale().toString(m_results.readers.size())));
    m_table->setRowCount(int(m_results.readers.size()) + 1);
    for (int row = 0; row < m_results.readers.size(); ++row)
        fillRow(row, m_results.readers[row]);
    fillRow(int(m_results.readers.size()), m_results.pooled);
}

void TuringResultsView::fillRow(int row, const turing::ReaderResult &result)
{
    auto set = [&](int column, const QString &text, const QString &tip = {}) {
        auto *item = new QTableWidgetItem(text);
        item->setToolTip(tip);
        if (result.pooled) {
            QFont font = item->font();
            font.setBold(true);
            item->setFont(font);
        }
        if (column != ReaderColumn)
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(row, column, item);
    };
    set(ReaderColumn, result.pooled ? tr("Pooled (all readings)") : result.reader);
    QString answered = tr("%1 of %2").arg(QLocale().toString(qint64(result.counts.total())),
                                          QLocale().toString(result.total));
    if (!result.pooled && !result.finished)
        answered += QLatin1Char(' ') + tr("(in progress)");
    set(AnsweredColumn, answered);
    set(AccuracyColumn, percentText(result.accuracy), fractionTip(result.accuracy));
    set(PValueColumn, result.counts.total() > 0 ? pValueText(result.pValue) : QStringLiteral("–"),
        tr("Exact two-sided binomial test against 50%: the probability of outcomes no more likely than the "
           "observed one"));
    set(SensitivityColumn, percentText(result.sensitivity), fractionTip(result.sensitivity));
    set(SpecificityColumn, percentText(result.specificity), fractionTip(result.specificity));
    set(SyntheticClassColumn, percentText(result.syntheticClassAgreement), fractionTip(result.syntheticClassAgreement));
    set(RealClassColumn, percentText(result.realClassAgreement), fractionTip(result.realClassAgreement));
    set(TimeColumn, result.counts.total() > 0 ? tr("%1 s").arg(QLocale().toString(result.meanTimeMs / 1000.0, 'f', 1))
                                              : QStringLiteral("–"));
}

Result<void> TuringResultsView::exportCsv(const QString &path) const
{
    auto answers = db::TuringStore(m_database).answers(m_testId);
    if (!answers)
        return makeError(answers.error());
    return saveBytes(path, turing::answersCsv(*answers));
}

Result<void> TuringResultsView::exportReport(const QString &folder) const
{
    const QDir dir(folder);
    if (!dir.mkpath(QStringLiteral(".")))
        return makeError(tr("Cannot create the folder %1.").arg(folder).toStdString());
    if (auto json = saveBytes(dir.filePath(QStringLiteral("results.json")), turing::resultsJson(m_results)); !json)
        return json;
    return saveBytes(dir.filePath(QStringLiteral("results.md")), turing::resultsMarkdown(m_results).toUtf8());
}

void TuringResultsView::exportCsvInteractive()
{
    const QString path = FileDialogs::saveFile(this, tr("Export answers"), QStringLiteral("turing-answers.csv"),
                                               tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    if (auto done = exportCsv(path); !done)
        QMessageBox::warning(this, tr("Export answers"),
                             tr("The answers could not be written: %1").arg(QString::fromStdString(done.error())));
}

void TuringResultsView::exportReportInteractive()
{
    const QString folder = FileDialogs::existingFolder(this, tr("Folder for results.json and results.md"), {});
    if (folder.isEmpty())
        return;
    if (auto done = exportReport(folder); !done)
        QMessageBox::warning(this, tr("Save report"),
                             tr("The report could not be written: %1").arg(QString::fromStdString(done.error())));
}

} // namespace cytodiff::ui
