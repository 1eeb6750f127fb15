#include "reportplots.h"

#include <QApplication>
#include <QLabel>

#include <cmath>
#include <set>

#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
#include <qcustomplot.h>
#endif

namespace cytodiff::ui {

#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
namespace {

QVector<double> vec(const std::vector<double> &v) { return QVector<double>(v.begin(), v.end()); }
QColor colour(std::uint32_t rgb, int alpha = 255)
{
    QColor c(QRgb(0xff000000u | rgb));
    c.setAlpha(alpha);
    return c;
}

void addLine(QCustomPlot *plot, const evaluation::ChartSeries &s, const QVector<double> &x, const QVector<double> &y)
{
    auto *curve = new QCPCurve(plot->xAxis, plot->yAxis);
    curve->setData(x, y);
    QPen pen(colour(s.rgb), s.kind == evaluation::ChartSeries::Kind::HBar ? 2.5 : 2.0);
    if (s.dashed)
        pen.setStyle(Qt::DashLine);
    curve->setPen(pen);
    curve->setName(QString::fromStdString(s.name));
    if (s.name.empty())
        plot->legend->removeItem(plot->legend->itemCount() - 1);
}

// One series as QCustomPlot plottables; a series without a name stays out
// of the legend.
void addSeries(QCustomPlot *plot, const evaluation::ChartSeries &s)
{
    using Kind = evaluation::ChartSeries::Kind;
    const auto x = vec(s.x);
    switch (s.kind) {
    case Kind::Line:
        addLine(plot, s, x, vec(s.y));
        break;
    case Kind::HBar:
        if (s.x.size() >= 2 && !s.y.empty()) {
            addLine(plot, s, {x[0], x[1]}, {s.y[0], s.y[0]});
            evaluation::ChartSeries ticks = s;
            ticks.name.clear();
            const double h = 0.02;
            addLine(plot, ticks, {x[0], x[0]}, {s.y[0] - h, s.y[0] + h});
            addLine(plot, ticks, {x[1], x[1]}, {s.y[0] - h, s.y[0] + h});
        }
        break;
    case Kind::Band: {
        auto *lower = plot->addGraph();
        lower->setData(x, vec(s.lower), true);
        lower->setPen(Qt::NoPen);
        plot->legend->removeItem(plot->legend->itemCount() - 1);
        auto *upper = plot->addGraph();
        upper->setData(x, vec(s.upper), true);
        upper->setPen(QPen(colour(s.rgb, 160), 1.0));
        upper->setBrush(colour(s.rgb, 70));
        upper->setChannelFillGraph(lower);
        upper->setName(QString::fromStdString(s.name));
        if (s.name.empty())
            plot->legend->removeItem(plot->legend->itemCount() - 1);
        break;
    }
    case Kind::Points: {
        auto *graph = plot->addGraph();
        graph->setData(x, vec(s.y));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour(s.rgb), colour(s.rgb), s.markerSize));
        graph->setName(QString::fromStdString(s.name));
        if (s.name.empty())
            plot->legend->removeItem(plot->legend->itemCount() - 1);
        if (s.lower.size() == s.y.size() && s.upper.size() == s.y.size()) {
            auto *bars = new QCPErrorBars(plot->xAxis, plot->yAxis);
            bars->setDataPlottable(graph);
            QVector<double> minus, plus;
            for (std::size_t i = 0; i < s.y.size(); ++i) {
                minus << s.y[i] - s.lower[i];
                plus << s.upper[i] - s.y[i];
            }
            bars->setData(minus, plus);
            bars->setPen(QPen(colour(s.rgb)));
            plot->legend->removeItem(plot->legend->itemCount() - 1);
        }
        break;
    }
    }
}

// Labels, a log axis with ticks at the measured sizes, and the ranges the
// chart asks for (with headroom above the data otherwise).
void setAxes(QCustomPlot *plot, const evaluation::Chart &chart)
{
    plot->xAxis->setLabel(QString::fromStdString(chart.xLabel));
    plot->yAxis->setLabel(QString::fromStdString(chart.yLabel));
    if (chart.logX) {
        plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
        // Ticks at the measured sizes (10, 20, 50, 150), not powers of ten.
        std::set<double> xs;
        for (const auto &s : chart.series)
            for (double v : s.x)
                if (v > 0)
                    xs.insert(v);
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (double v : xs)
            ticker->addTick(v, QString::number(v));
        plot->xAxis->setTicker(ticker);
    } else {
        plot->xAxis->setScaleType(QCPAxis::stLinear);
        plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    plot->rescaleAxes();
    auto xRange = plot->xAxis->range();
    auto yRange = plot->yAxis->range();
    if (chart.logX)
        xRange = QCPRange(xRange.lower / 1.25, xRange.upper * 1.25);
    if (std::isfinite(chart.xMin))
        xRange.lower = chart.xMin;
    if (std::isfinite(chart.xMax))
        xRange.upper = chart.xMax;
    if (std::isfinite(chart.yMin))
        yRange.lower = chart.yMin;
    if (std::isfinite(chart.yMax))
        yRange.upper = chart.yMax;
    else
        yRange.upper += 0.08 * std::max(yRange.size(), 1e-9);
    plot->xAxis->setRange(xRange);
    plot->yAxis->setRange(yRange);
}

// The title row, the notes in the top-left corner and the legend.
void addTitleNotesAndLegend(QCustomPlot *plot, const evaluation::Chart &chart, bool anyNamed)
{
    if (!chart.title.empty()) {
        plot->plotLayout()->insertRow(0);
        auto *title = new QCPTextElement(plot, QString::fromStdString(chart.title), QFont(plot->font().family(), 11, QFont::Bold));
        plot->plotLayout()->addElement(0, 0, title);
    }
    double line = 0.03;
    for (const auto &note : chart.notes) {
        auto *text = new QCPItemText(plot);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->position->setType(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(0.03, line);
        text->setText(QString::fromStdString(note));
        text->setFont(QFont(plot->font().family(), 9));
        line += 0.06;
    }
    if (anyNamed) {
        plot->legend->setVisible(true);
        plot->legend->setFont(QFont(plot->font().family(), 8));
        plot->legend->setBrush(QColor(255, 255, 255, 210));
        plot->axisRect()->insetLayout()->setInsetAlignment(0, (chart.legendAtTop ? Qt::AlignTop : Qt::AlignBottom) | Qt::AlignRight);
    }
}

} // namespace
#endif

void drawChart(QCustomPlot *plot, const evaluation::Chart &chart)
{
#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
    plot->clearPlottables();
    plot->clearItems();
    if (plot->plotLayout()->rowCount() > 1) {
        plot->plotLayout()->removeAt(0);
        plot->plotLayout()->simplify();
    }
    plot->legend->setVisible(false);
    plot->legend->clearItems();
    plot->setBackground(Qt::white);
    bool anyNamed = false;
    for (const auto &s : chart.series) {
        addSeries(plot, s);
        anyNamed = anyNamed || !s.name.empty();
    }
    setAxes(plot, chart);
    addTitleNotesAndLegend(plot, chart, anyNamed);
    plot->replot();
#else
    (void)plot;
    (void)chart;
#endif
}

QWidget *createChartWidget(const evaluation::Chart &chart, QWidget *parent)
{
#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
    auto *plot = new QCustomPlot(parent);
    plot->setMinimumSize(360, 280);
    drawChart(plot, chart);
    return plot;
#else
    auto *label = new QLabel(QApplication::translate("ReportPlots", "Plots need a build with QCustomPlot."), parent);
    (void)chart;
    return label;
#endif
}

Result<void> saveChartPng(const evaluation::Chart &chart, const QString &path)
{
#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
    if (!qobject_cast<QApplication *>(QCoreApplication::instance()))
        return makeError("Plots need a GUI application object (QApplication).");
    QCustomPlot plot;
    plot.resize(chart.width, chart.height);
    drawChart(&plot, chart);
    if (!plot.savePng(path, chart.width, chart.height))
        return makeError("Cannot write the plot " + path.toStdString() + ".");
    return {};
#else
    (void)chart;
    (void)path;
    return makeError("This build has no QCustomPlot, so no plots are drawn.");
#endif
}

} // namespace cytodiff::ui
