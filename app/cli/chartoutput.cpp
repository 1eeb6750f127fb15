#include "chartoutput.h"

#include "clistream.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace cytodiff::cli {

namespace {
ChartRenderer &renderer()
{
    static ChartRenderer instance;
    return instance;
}
bool g_toldMissing = false;
} // namespace

void setChartRenderer(ChartRenderer r) { renderer() = std::move(r); }
bool hasChartRenderer() { return bool(renderer()); }

void writeChart(const evaluation::Chart &chart, const QDir &dir, const QString &fileName, QJsonObject &json)
{
    const auto skip = [&](const QString &why) {
        QJsonArray skipped = json.value(QStringLiteral("plots_skipped")).toArray();
        skipped.append(fileName + QStringLiteral(": ") + why);
        json[QStringLiteral("plots_skipped")] = skipped;
    };
    if (!renderer()) {
        if (!g_toldMissing)
            err() << "plots skipped: this program has no plotting module (JSON and markdown are complete)\n";
        g_toldMissing = true;
        skip(QStringLiteral("no plotting module"));
        return;
    }
    const QString path = dir.filePath(fileName);
    auto written = renderer()(chart, path);
    if (!written) {
        err() << "plot " << path << " skipped: " << QString::fromStdString(written.error()) << "\n";
        skip(QString::fromStdString(written.error()));
        return;
    }
    QJsonArray plots = json.value(QStringLiteral("plots")).toArray();
    plots.append(fileName);
    json[QStringLiteral("plots")] = plots;
}

bool writeReport(const QDir &dir, const QString &stem, const QJsonObject &json, const QString &markdown)
{
    QFile jsonFile(dir.filePath(stem + QStringLiteral(".json")));
    QFile mdFile(dir.filePath(stem + QStringLiteral(".md")));
    if (!jsonFile.open(QIODevice::WriteOnly | QIODevice::Truncate) || !mdFile.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        err() << "error: cannot write " << stem << ".json / .md into " << dir.path() << "\n";
        return false;
    }
    jsonFile.write(QJsonDocument(json).toJson());
    mdFile.write(markdown.toUtf8());
    return true;
}

Result<QDir> makeOutputDir(const QString &path)
{
    QDir dir(path);
    if (!dir.mkpath(QStringLiteral(".")))
        return makeError("Cannot create the output folder " + path.toStdString() + ".");
    return dir;
}

} // namespace cytodiff::cli
