#include "scorebarsplot.h"

#include "cellclassnames.h"

#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <algorithm>

#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
#include <qcustomplot.h>
#endif

namespace cytodiff::ui {

namespace {
constexpr int kRowHeight = 20;
const QColor kPredicted(0x1f, 0x6f, 0xb5);
const QColor kOther(0xa9, 0xb8, 0xc8);
} // namespace

ScoreBarsPlot::ScoreBarsPlot(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("scoreBars"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
    auto *plot = new QCustomPlot;
    plot->setObjectName(QStringLiteral("scoreBarsPlot"));
    plot->setBackground(palette().brush(QPalette::Base));
    plot->axisRect()->setAutoMargins(QCP::msLeft | QCP::msBottom);
    plot->axisRect()->setMargins(QMargins(0, 4, 12, 0));
    plot->xAxis->setRange(0.0, 1.0);
    plot->xAxis->setLabel(tr("Score"));
    plot->xAxis->grid()->setPen(QPen(QColor(0, 0, 0, 25)));
    plot->yAxis->grid()->setVisible(false);
    plot->yAxis->setTickLength(0, 0);
    plot->yAxis->setSubTickLength(0, 0);
    plot->yAxis->setBasePen(Qt::NoPen);
    plot->setInteractions({});
    m_plot = plot;
#else
    auto *label = new QLabel;
    label->setObjectName(QStringLiteral("scoreBarsText"));
    label->setTextFormat(Qt::PlainText);
    m_plot = label;
#endif
    layout->addWidget(m_plot);
    clear();
}

void ScoreBarsPlot::clear()
{
    m_order.clear();
    m_plot->hide();
}

void ScoreBarsPlot::setScores(const QMap<QString, double> &scores, const QString &predicted, const QString &labelled)
{
    m_order = scores.keys();
    // Highest score on top, the way people read a ranking.
    std::sort(m_order.begin(), m_order.end(), [&](const QString &a, const QString &b) {
        return scores.value(a) > scores.value(b);
    });
    if (m_order.isEmpty()) {
        clear();
        return;
    }
#ifdef CYTODIFF_HAVE_QCUSTOMPLOT
    auto *plot = static_cast<QCustomPlot *>(m_plot);
    plot->clearPlottables();
    plot->clearItems();
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const int n = int(m_order.size());
    QVector<double> predictedKeys, predictedValues, otherKeys, otherValues;
    for (int i = 0; i < n; ++i) {
        const QString &id = m_order.at(i);
        const double key = n - i; // top row first
        QString name = CellClassNames::displayName(id);
        if (id == labelled && labelled != predicted)
            name += QStringLiteral(" ◆");
        ticker->addTick(key, name);
        const double value = std::clamp(scores.value(id), 0.0, 1.0);
        if (id == predicted) {
            predictedKeys << key;
            predictedValues << value;
        } else {
            otherKeys << key;
            otherValues << value;
        }
        auto *text = new QCPItemText(plot);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        text->position->setCoords(std::min(value, 0.86) + 0.015, key);
        text->setText(QLocale().toString(value * 100.0, 'f', value < 0.1 ? 1 : 0) + QLatin1Char('%'));
        text->setColor(palette().color(QPalette::WindowText));
        text->setClipToAxisRect(false);
    }
    const auto addBars = [&](const QVector<double> &keys, const QVector<double> &values, const QColor &colour) {
        if (keys.isEmpty())
            return;
        auto *bars = new QCPBars(plot->yAxis, plot->xAxis);
        bars->setWidth(0.7);
        bars->setPen(Qt::NoPen);
        bars->setBrush(colour);
        bars->setData(keys, values, true);
    };
    addBars(otherKeys, otherValues, kOther);
    addBars(predictedKeys, predictedValues, kPredicted);
    plot->yAxis->setTicker(ticker);
    plot->yAxis->setRange(0.4, n + 0.6);
    plot->setFixedHeight(n * kRowHeight + 44);
    plot->replot();
#else
    QStringList lines;
    for (const QString &id : std::as_const(m_order))
        lines << QStringLiteral("%1  %2%").arg(CellClassNames::displayName(id),
                                               QLocale().toString(scores.value(id) * 100.0, 'f', 1));
    static_cast<QLabel *>(m_plot)->setText(lines.join(QLatin1Char('\n')));
#endif
    m_plot->show();
}

} // namespace cytodiff::ui
