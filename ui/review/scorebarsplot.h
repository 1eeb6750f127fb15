#pragma once
// Per-class scores of one cell as horizontal bars (QCustomPlot), the
// predicted class highlighted and the reviewer's class outlined, so how
// close the runner-up came is visible at a glance.

#include <QMap>
#include <QString>
#include <QWidget>

namespace cytodiff::ui {

class ScoreBarsPlot : public QWidget {
    Q_OBJECT
public:
    explicit ScoreBarsPlot(QWidget *parent = nullptr);

    // scores: class id -> score in [0, 1]; empty hides the bars.
    void setScores(const QMap<QString, double> &scores, const QString &predicted, const QString &labelled);
    void clear();
    // The classes in the order drawn, top first (tests).
    QStringList classesShown() const { return m_order; }

private:
    QWidget *m_plot = nullptr; // QCustomPlot when available
    QStringList m_order;
};

} // namespace cytodiff::ui
