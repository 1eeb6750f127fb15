#include "agreementreportview.h"

#include "database.h"
#include "filedialogs.h"
#include "labellingdisagreementview.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
#include <qcustomplot.h>
#endif

namespace cytodiff::ui {
namespace {

QStringList confidenceNames()
{
    return {AgreementReportView::tr("High"), AgreementReportView::tr("Moderate"), AgreementReportView::tr("Low"),
            AgreementReportView::tr("No")};
}

QTableWidgetItem *readOnlyItem(const QString &text)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setTextAlignment(Qt::AlignCenter);
    return item;
}

} // namespace

AgreementReportView::AgreementReportView(db::Database *database, QWidget *parent)
    : QWidget(parent), m_database(database)
{
    setObjectName(QStringLiteral("agreementReport"));
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Cells:")));
    m_scope = new QComboBox;
    m_scope->setObjectName(QStringLiteral("agreementScope"));
    m_scope->addItem(tr("All cells with answers"));
    m_scope->addItem(tr("Common subset only"));
    top->addWidget(m_scope);
    top->addStretch(1);
    auto *save = new QPushButton(tr("Save report\u2026"));
    save->setObjectName(QStringLiteral("saveAgreementReport"));
    top->addWidget(save);
    auto *saveConsensus = new QPushButton(tr("Save consensus CSV\u2026"));
    saveConsensus->setObjectName(QStringLiteral("saveConsensusCsv"));
    saveConsensus->setToolTip(tr("The consensus label of every cell with answers (majority vote, ties to the most "
                                 "experienced labeller), as cytodiff-cli consensus writes it."));
    top->addWidget(saveConsensus);
    layout->addLayout(top);
    connect(m_scope, &QComboBox::currentIndexChanged, this, &AgreementReportView::refresh);
    connect(save, &QPushButton::clicked, this, &AgreementReportView::saveInteractive);
    connect(saveConsensus, &QPushButton::clicked, this, &AgreementReportView::saveConsensusInteractive);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("agreementSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("agreementTabs"));
    auto *kappaPage = new QWidget;
    auto *grid = new QGridLayout(kappaPage);
    auto *kappaHeading =
        new QLabel(tr("<b>Cohen's kappa per pair</b> (cells both labelled; number of cells in brackets)"));
    kappaHeading->setWordWrap(true);
    grid->addWidget(kappaHeading, 0, 0, 1, 2);
    m_kappaTable = new QTableWidget;
    m_kappaTable->setObjectName(QStringLiteral("kappaTable"));
    m_kappaTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_kappaTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    grid->addWidget(m_kappaTable, 1, 0, 1, 2);
    auto *confidenceHeading = new QLabel(tr("<b>Confidence confusion matrix</b> (pairs of labellers on the same "
                                            "cell; rows: one labeller, columns: the other)"));
    confidenceHeading->setWordWrap(true);
    grid->addWidget(confidenceHeading, 2, 0, 1, 2);
    m_confidenceTable = new QTableWidget(4, 4);
    m_confidenceTable->setObjectName(QStringLiteral("confidenceTable"));
    m_confidenceTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_confidenceTable->setHorizontalHeaderLabels(confidenceNames());
    m_confidenceTable->setVerticalHeaderLabels(confidenceNames());
    m_confidenceTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_confidenceTable->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_confidenceTable->setFixedHeight(m_confidenceTable->horizontalHeader()->sizeHint().height() +
                                      4 * m_confidenceTable->verticalHeader()->defaultSectionSize() + 4);
    auto *left = new QVBoxLayout;
    left->addWidget(m_confidenceTable);
    m_confidenceNote = new QLabel;
    m_confidenceNote->setObjectName(QStringLiteral("confidenceNote"));
    m_confidenceNote->setWordWrap(true);
    left->addWidget(m_confidenceNote);
    left->addStretch(1);
    grid->addLayout(left, 3, 0);
#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
    auto *plot = new QCustomPlot;
    plot->setObjectName(QStringLiteral("confidenceHeatMap"));
    plot->setMinimumSize(320, 280);
    m_heatMap = plot;
#else
    m_heatMap = new QLabel(tr("(heat map needs QCustomPlot)"));
#endif
    grid->addWidget(m_heatMap, 3, 1);
    grid->setRowStretch(3, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    m_tabs->addTab(kappaPage, tr("Kappa and confidence"));
    m_disagreementView = new LabellingDisagreementView(m_database);
    m_tabs->addTab(m_disagreementView, tr("Disagreements"));
    layout->addWidget(m_tabs, 1);
    refresh();
}

void AgreementReportView::refresh()
{
    if (!m_database) {
        m_summary->setText(tr("No workspace is open."));
        return;
    }
    auto data = labelling::loadLabellingData(*m_database);
    if (!data) {
        m_summary->setText(tr("Cannot read the labels: %1").arg(QString::fromStdString(data.error())));
        return;
    }
    const auto scope = m_scope->currentIndex() == 1 ? labelling::AgreementScope::CommonSubset
                                                    : labelling::AgreementScope::AllCells;
    m_data = *data;
    m_report = labelling::computeAgreement(m_data, scope);
    m_disagreements = labelling::computeDisagreements(m_data, scope);
    showReport();
    m_disagreementView->setReport(m_disagreements, m_data.labellers);
    m_tabs->setTabText(1, tr("Disagreements (%1)").arg(QLocale().toString(m_disagreements.disagreements.size())));
}

void AgreementReportView::showReport()
{
    const QLocale locale;
    QString fleiss;
    if (m_report.fleiss)
        fleiss = tr("Fleiss' kappa %1 on %2 cells with %3 labellers each (cells with another number of "
                    "labellers are left out).")
                     .arg(locale.toString(m_report.fleiss->kappa, 'f', 3))
                     .arg(m_report.fleiss->items)
                     .arg(m_report.fleissRaters);
    else
        fleiss = tr("Fleiss' kappa: no cell has two or more labellers yet.");
    m_summary->setText(tr("%1 cells have answers, %2 of them from two or more labellers. %3")
                           .arg(m_report.cellsRated)
                           .arg(m_report.cellsMultiRated)
                           .arg(fleiss));

    const int n = int(m_report.labellers.size());
    m_kappaTable->clear();
    m_kappaTable->setRowCount(n);
    m_kappaTable->setColumnCount(n);
    QStringList names;
    for (const auto &labeller : m_report.labellers)
        names.append(tr("%1 (%2 y)").arg(labeller.name).arg(labeller.yearsExperience));
    m_kappaTable->setHorizontalHeaderLabels(names);
    m_kappaTable->setVerticalHeaderLabels(names);
    for (int i = 0; i < n; ++i)
        m_kappaTable->setItem(i, i, readOnlyItem(QStringLiteral("\u2014")));
    for (const auto &pair : m_report.pairs) {
        int a = -1, b = -1;
        for (int i = 0; i < n; ++i) {
            if (m_report.labellers[i].id == pair.labellerA)
                a = i;
            if (m_report.labellers[i].id == pair.labellerB)
                b = i;
        }
        if (a < 0 || b < 0)
            continue;
        const QString text = pair.kappa ? tr("%1 (%2)").arg(locale.toString(pair.kappa->kappa, 'f', 2))
                                              .arg(pair.kappa->items)
                                        : tr("no shared cell");
        m_kappaTable->setItem(a, b, readOnlyItem(text));
        m_kappaTable->setItem(b, a, readOnlyItem(text));
    }
    // As tall as its rows: the space below goes to the heat map.
    m_kappaTable->setMaximumHeight(m_kappaTable->horizontalHeader()->sizeHint().height() +
                                   std::max(1, n) * m_kappaTable->verticalHeader()->defaultSectionSize() + 6);
    m_confidenceNote->setText(
        tr("Every ordered pair of two labellers who answered the same cell counts once, so the matrix is "
           "symmetric and a cell with r labellers adds r(r-1): %1 ordered comparisons, %2 labeller pairs "
           "(the paper's Figure 9 counts 6 labellers x 200 cells: 30 per cell).")
            .arg(locale.toString(m_report.orderedComparisons))
            .arg(locale.toString(m_report.orderedComparisons / 2)));

    long long maximum = 0;
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            const long long value = m_report.confidence[std::size_t(i)][std::size_t(j)];
            maximum = std::max(maximum, value);
            m_confidenceTable->setItem(i, j, readOnlyItem(locale.toString(value)));
        }

#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
    auto *plot = static_cast<QCustomPlot *>(m_heatMap);
    plot->clearPlottables();
    plot->clearItems();
    auto *map = new QCPColorMap(plot->xAxis, plot->yAxis);
    map->data()->setSize(4, 4);
    map->data()->setRange(QCPRange(0, 3), QCPRange(0, 3));
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            // x: the other labeller (column), y: row, High at the top.
            map->data()->setCell(j, 3 - i, double(m_report.confidence[std::size_t(i)][std::size_t(j)]));
    QCPColorGradient gradient(QCPColorGradient::gpThermal);
    map->setGradient(gradient);
    map->setDataRange(QCPRange(0, std::max<double>(1.0, double(maximum))));
    map->setInterpolate(false);
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            const long long value = m_report.confidence[std::size_t(i)][std::size_t(j)];
            auto *label = new QCPItemText(plot);
            label->position->setCoords(j, 3 - i);
            label->setText(locale.toString(value));
            label->setColor(double(value) > 0.6 * double(maximum) ? Qt::black : Qt::white);
        }
    QSharedPointer<QCPAxisTickerText> xTicks(new QCPAxisTickerText);
    QSharedPointer<QCPAxisTickerText> yTicks(new QCPAxisTickerText);
    const QStringList levels = confidenceNames();
    for (int k = 0; k < 4; ++k) {
        xTicks->addTick(k, levels[k]);
        yTicks->addTick(3 - k, levels[k]);
    }
    plot->xAxis->setTicker(xTicks);
    plot->yAxis->setTicker(yTicks);
    plot->xAxis->setRange(-0.5, 3.5);
    plot->yAxis->setRange(-0.5, 3.5);
    plot->xAxis->setLabel(tr("Other labeller's confidence"));
    plot->yAxis->setLabel(tr("Labeller's confidence"));
    plot->xAxis->grid()->setVisible(false);
    plot->yAxis->grid()->setVisible(false);
    plot->replot();
#endif
}

Result<void> AgreementReportView::saveTo(const QString &folder) const
{
    if (!QDir().mkpath(folder))
        return makeError(tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(folder)).toStdString());
    QFile json(QDir(folder).filePath(QStringLiteral("agreement.json")));
    QFile markdown(QDir(folder).filePath(QStringLiteral("agreement.md")));
    if (!json.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        !markdown.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return makeError(
            tr("Cannot write the report into %1 (is the folder writable?).").arg(QDir::toNativeSeparators(folder)).toStdString());
    json.write(QJsonDocument(labelling::agreementJson(m_report)).toJson());
    markdown.write(labelling::agreementMarkdown(m_report).toUtf8());
    return {};
}

Result<void> AgreementReportView::saveConsensusCsv(const QString &path) const
{
    if (!m_database)
        return makeError(tr("No workspace is open.").toStdString());
    const QString csv = labelling::consensusCsv(*m_database, m_data, labelling::computeConsensus(m_data));
    const QByteArray bytes = csv.toUtf8();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return makeError(
            tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()).toStdString());
    return {};
}

void AgreementReportView::saveConsensusInteractive()
{
    // The application's dialogs: they never open the workspace's own files.
    const QString path = FileDialogs::saveFile(this, tr("Save the consensus labels"), QStringLiteral("consensus.csv"),
                                               tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    if (auto saved = saveConsensusCsv(path); !saved)
        QMessageBox::warning(this, tr("Cannot save the consensus"), QString::fromStdString(saved.error()));
}

void AgreementReportView::saveInteractive()
{
    const QString folder = FileDialogs::existingFolder(this, tr("Save the agreement report into"), QString());
    if (folder.isEmpty())
        return;
    if (auto saved = saveTo(folder); !saved)
        QMessageBox::warning(this, tr("Cannot save the report"), QString::fromStdString(saved.error()));
}

} // namespace cytodiff::ui
