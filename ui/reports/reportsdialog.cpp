#include "reportsdialog.h"

#include "metacognition.h"
#include "reportplots.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QLabel>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <cmath>

namespace cytodiff::ui {

namespace {

// The report is built in core (shared with the English-only CLI), so its
// observer and signal names and the plot texts arrive in English; the
// dialog shows them in the user's language.
QString observerText(const studies::ObserverSeries &series)
{
    return series.observer == QLatin1String("model") ? ReportsDialog::tr("model") : series.observer;
}

QString signalText(const QString &signal)
{
    if (signal == QLatin1String("model confidence"))
        return ReportsDialog::tr("model confidence");
    if (signal == QLatin1String("expert confidence"))
        return ReportsDialog::tr("expert confidence");
    return signal;
}

QString fixed3(double v) { return QString::number(v, 'f', 3); }

using evaluation::Chart;

Chart localisedChart(const studies::ObserverResult &o)
{
    auto chart = o.chart;
    const QString signal = signalText(o.series.signal);
    chart.title = ReportsDialog::tr("%1: %2 vs correctness").arg(observerText(o.series), signal).toStdString();
    chart.xLabel = (o.series.rescale ? ReportsDialog::tr("%1 (rescaled to [0, 1])").arg(signal) : signal).toStdString();
    chart.yLabel = ReportsDialog::tr("Proportion correct").toStdString();
    for (auto &s : chart.series) {
        if (s.name == "95% credible band")
            s.name = ReportsDialog::tr("95% credible band").toStdString();
        else if (s.name == "posterior median fit")
            s.name = ReportsDialog::tr("posterior median fit").toStdString();
        else if (s.name == "threshold (80%) 95% CI")
            s.name = ReportsDialog::tr("threshold (80%) 95% CI").toStdString();
        else if (s.name == "binned data")
            s.name = ReportsDialog::tr("binned data").toStdString();
    }
    if (o.fit.ok) {
        const auto interval = [](const QString &text, const evaluation::CredibleValue &v) {
            return text.arg(fixed3(v.estimate), fixed3(v.lower), fixed3(v.upper)).toStdString();
        };
        chart.notes = {interval(ReportsDialog::tr("threshold m = %1 [%2, %3]"), o.fit.threshold),
                       interval(ReportsDialog::tr("width w = %1 [%2, %3]"), o.fit.width),
                       ReportsDialog::tr("lapse = %1, guess rate = %2")
                           .arg(fixed3(o.fit.lapse.estimate), fixed3(o.fit.gamma))
                           .toStdString()};
    }
    return chart;
}

} // namespace

ReportsDialog::ReportsDialog(const db::Database &database, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("reportsDialog"));
    setWindowTitle(tr("Reports: confidence and correctness"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Cells with a reference label in this workspace. The review queue is ordered "
                                "least-confident first; a good confidence measure puts most of the model's errors "
                                "at its start. The psychometric fit shows how correctness rises with confidence "
                                "(threshold and width with 95% credible intervals)."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_plots = new QTabWidget;
    m_plots->setObjectName(QStringLiteral("reportPlots"));
    m_summary = new QTextBrowser;
    m_summary->setObjectName(QStringLiteral("reportSummary"));
    m_plots->addTab(m_summary, tr("Summary"));
    layout->addWidget(m_plots, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(860, 640);
    build(database);
}

void ReportsDialog::build(const db::Database &database)
{
    // A grid posterior per observer takes well under a second; a wait
    // cursor is enough.
    QGuiApplication::setOverrideCursor(Qt::WaitCursor);
    auto observers = studies::workspaceObservers(database);
    if (!observers) {
        QGuiApplication::restoreOverrideCursor();
        m_summary->setPlainText(tr("Nothing to report yet: %1").arg(QString::fromStdString(observers.error())));
        return;
    }
    const auto report = studies::buildMetacognitionReport(tr("Model %1").arg(observers->modelId), observers->series,
                                                      std::max(2, observers->numClasses), 0);
    QString html = QStringLiteral("<h3>%1</h3>").arg(tr("Review queue and calibration"));
    html += QStringLiteral("<table border='1' cellspacing='0' cellpadding='4'><tr><th>%1</th><th>%2</th><th>%3</th>"
                           "<th>%4</th><th>%5</th><th>%6</th><th>%7</th></tr>")
                .arg(tr("Observer"), tr("Signal"), tr("Cells"), tr("Accuracy"), tr("Errors in first 5% / 10% / 20% of queue [95% CI]"),
                     tr("Threshold [95% CI]"), tr("Width [95% CI]"));
    const auto share = [](double v) {
        return std::isfinite(v) ? QString::number(100 * v, 'f', 0) + QStringLiteral("%") : QStringLiteral("-");
    };
    const auto queueText = [&share](const std::vector<evaluation::QueueShare> &shares) {
        QStringList queue;
        for (const auto &q : shares)
            queue << (std::isfinite(q.errorShareLower)
                          ? QStringLiteral("%1 [%2, %3]").arg(share(q.errorShare), share(q.errorShareLower), share(q.errorShareUpper))
                          : share(q.errorShare));
        return queue.join(QStringLiteral(" / "));
    };
    for (const auto &o : report.observers) {
        const auto ci = [](const evaluation::CredibleValue &v) {
            return QStringLiteral("%1 [%2, %3]").arg(v.estimate, 0, 'f', 3).arg(v.lower, 0, 'f', 3).arg(v.upper, 0, 'f', 3);
        };
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td><td>%7</td></tr>")
                    .arg(observerText(o.series).toHtmlEscaped(), signalText(o.series.signal).toHtmlEscaped(),
                         QString::number(o.calibration.cells),
                         share(o.calibration.accuracy), queueText(o.calibration.queue),
                         o.fit.ok ? ci(o.fit.threshold) : tr("no fit"), o.fit.ok ? ci(o.fit.width) : QString());
        // The same cells with the second opinion's disagreements first, as
        // the review queue takes them.
        if (!o.secondOpinionQueue.empty())
            html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td></td><td>%4</td><td></td><td></td></tr>")
                        .arg(observerText(o.series).toHtmlEscaped(), tr("second opinion differs first"),
                             QString::number(o.calibration.cells), queueText(o.secondOpinionQueue));
    }
    html += QStringLiteral("</table>");
    for (const auto &o : report.observers) {
        html += QStringLiteral("<h4>%1</h4><table border='1' cellspacing='0' cellpadding='3'><tr><th>%2</th><th>%3</th>"
                               "<th>%4</th><th>%5</th></tr>")
                    .arg(tr("%1: accuracy per confidence decile")
                             .arg(observerText(o.series).toHtmlEscaped() + QStringLiteral(", ")
                                  + signalText(o.series.signal).toHtmlEscaped()),
                         tr("Decile"), tr("Confidence"), tr("Cells"), tr("Accuracy"));
        for (std::size_t i = 0; i < o.calibration.deciles.size(); ++i) {
            const auto &d = o.calibration.deciles[i];
            html += QStringLiteral("<tr><td>%1</td><td>%2 – %3</td><td>%4</td><td>%5</td></tr>")
                        .arg(i + 1)
                        .arg(d.lo, 0, 'g', 3)
                        .arg(d.hi, 0, 'g', 3)
                        .arg(d.cells)
                        .arg(share(d.accuracy()));
        }
        html += QStringLiteral("</table>");
        m_plots->addTab(createChartWidget(localisedChart(o)),
                        observerText(o.series) + QStringLiteral(" · ") + signalText(o.series.signal));
    }
    m_summary->setHtml(html);
    m_hasReport = true;
    QGuiApplication::restoreOverrideCursor();
}

} // namespace cytodiff::ui
