#pragma once
// Draws the evaluation reports' charts (core/evaluation/chart.h) with
// QCustomPlot: on screen in the Reports window, and into PNG files for
// cytodiff-cli (app/cli_main.cpp installs saveChartPng as the CLI's chart
// renderer), so the GUI and the CLI show the same figures.

#include "chart.h"
#include "result.h"

#include <QString>

class QCustomPlot;
class QWidget;

namespace cytodiff::ui {

// Replaces whatever plot shows with the chart.
void drawChart(QCustomPlot *plot, const evaluation::Chart &chart);

// A widget showing the chart (a QCustomPlot, or a note when the build has
// no QCustomPlot).
QWidget *createChartWidget(const evaluation::Chart &chart, QWidget *parent = nullptr);

// Renders offscreen at the chart's size into a PNG. Needs a QApplication.
Result<void> saveChartPng(const evaluation::Chart &chart, const QString &path);

} // namespace cytodiff::ui
