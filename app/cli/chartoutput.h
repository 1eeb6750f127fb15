#pragma once
// How the CLI's reports reach disk: JSON + markdown always, PNG plots
// through a renderer that the executable installs at start-up
// (app/cli_main.cpp wires ui/reports/reportplots). The command library never links
// QtWidgets; without a renderer the commands still write JSON and markdown
// and say that the plots were skipped.

#include "chart.h"
#include "result.h"

#include <QDir>
#include <QJsonObject>
#include <QString>

#include <functional>

namespace cytodiff::cli {

using ChartRenderer = std::function<Result<void>(const evaluation::Chart &chart, const QString &pngPath)>;

void setChartRenderer(ChartRenderer renderer);
bool hasChartRenderer();

// Writes <dir>/<fileName> (a .png) and records it under "plots" in json;
// on a missing renderer or a failure, prints why once per process and
// records the reason under "plots_skipped".
void writeChart(const evaluation::Chart &chart, const QDir &dir, const QString &fileName, QJsonObject &json);

// <dir>/<stem>.json and <dir>/<stem>.md; prints an error and returns false
// when the folder cannot be written.
bool writeReport(const QDir &dir, const QString &stem, const QJsonObject &json, const QString &markdown);

// Creates --out (or fails with a message).
Result<QDir> makeOutputDir(const QString &path);

} // namespace cytodiff::cli
