// cytodiff-cli evaluate: accuracy, balanced accuracy, per-class recall,
// confusion matrix, mean NFE and cells/s of a model on a labelled folder.
#include "commands.h"

#include "clistream.h"

#include "engine.h"
#include "imageio.h"
#include "labelledset.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <map>
#include <unistd.h>

namespace cytodiff::cli {
namespace {

struct Evaluation {
    std::vector<std::string> classes;         // the model's classes
    std::vector<std::vector<int>> confusion;  // [truth][predicted]
    long long nfe = 0;
    int cells = 0;
    double seconds = 0;

    int total(int truth) const
    {
        int n = 0;
        for (int v : confusion[truth])
            n += v;
        return n;
    }
    double accuracy() const
    {
        int correct = 0;
        for (std::size_t c = 0; c < classes.size(); ++c)
            correct += confusion[c][c];
        return cells ? double(correct) / cells : 0.0;
    }
    double recall(int c) const { return total(c) ? double(confusion[c][c]) / total(c) : -1.0; }
    double balancedAccuracy() const
    {
        double sum = 0;
        int present = 0;
        for (std::size_t c = 0; c < classes.size(); ++c)
            if (total(int(c)) > 0) {
                sum += recall(int(c));
                ++present;
            }
        return present ? sum / present : 0.0;
    }
};

QString percent(double value) { return QString::number(100.0 * value, 'f', 2); }

QString markdown(const Evaluation &e, const QString &header)
{
    QString md;
    QTextStream out(&md);
    out << "# " << header << "\n\n";
    out << "| figure | value |\n|---|---|\n";
    out << "| cells | " << e.cells << " |\n";
    out << "| accuracy | " << percent(e.accuracy()) << "% |\n";
    out << "| balanced accuracy | " << percent(e.balancedAccuracy()) << "% |\n";
    out << "| mean NFE per cell | " << QString::number(double(e.nfe) / std::max(e.cells, 1), 'f', 1) << " |\n";
    out << "| cells per second | " << QString::number(e.cells / std::max(e.seconds, 1e-9), 'f', 3) << " |\n\n";
    out << "Per-class recall:\n\n| class | cells | recall |\n|---|---|---|\n";
    for (std::size_t c = 0; c < e.classes.size(); ++c)
        if (e.total(int(c)) > 0)
            out << "| " << QString::fromStdString(e.classes[c]) << " | " << e.total(int(c)) << " | "
                << percent(e.recall(int(c))) << "% |\n";
    out << "\nConfusion matrix (rows: truth, columns: predicted):\n\n| |";
    for (const auto &c : e.classes)
        out << " " << QString::fromStdString(c) << " |";
    out << "\n|---|";
    for (std::size_t c = 0; c < e.classes.size(); ++c)
        out << "---|";
    out << "\n";
    for (std::size_t t = 0; t < e.classes.size(); ++t) {
        out << "| " << QString::fromStdString(e.classes[t]) << " |";
        for (int v : e.confusion[t])
            out << " " << v << " |";
        out << "\n";
    }
    return md;
}

QJsonObject toJson(const Evaluation &e, const QJsonObject &settings)
{
    QJsonObject json = settings;
    json[QStringLiteral("cells")] = e.cells;
    json[QStringLiteral("accuracy")] = e.accuracy();
    json[QStringLiteral("balanced_accuracy")] = e.balancedAccuracy();
    json[QStringLiteral("mean_nfe")] = double(e.nfe) / std::max(e.cells, 1);
    json[QStringLiteral("cells_per_second")] = e.cells / std::max(e.seconds, 1e-9);
    QJsonObject recall;
    QJsonArray classes, matrix;
    for (std::size_t c = 0; c < e.classes.size(); ++c) {
        classes.append(QString::fromStdString(e.classes[c]));
        if (e.total(int(c)) > 0)
            recall[QString::fromStdString(e.classes[c])] = e.recall(int(c));
        QJsonArray row;
        for (int v : e.confusion[c])
            row.append(v);
        matrix.append(row);
    }
    json[QStringLiteral("classes")] = classes;
    json[QStringLiteral("recall")] = recall;
    json[QStringLiteral("confusion")] = matrix;
    return json;
}

} // namespace

int runEvaluate(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Measure a model on a labelled folder (one sub-folder per class)."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("model"), QStringLiteral("Model file."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("data"), QStringLiteral("Labelled folder."), QStringLiteral("dir")});
    parser.addOption({QStringLiteral("split"), QStringLiteral("all, train, validation or test (default all); the split "
                                                              "is the class-stratified file-name hash split used in training."),
                      QStringLiteral("part"), QStringLiteral("all")});
    parser.addOption({QStringLiteral("per-class"), QStringLiteral("At most N cells per class (default all)."), QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("protocol"), QStringLiteral("fast (default) or paper."), QStringLiteral("name"), QStringLiteral("fast")});
    parser.addOption({QStringLiteral("trials-max"), QStringLiteral("Most trials per cell."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("trials-min"), QStringLiteral("Trials before pruning."), QStringLiteral("N")});
    parser.addOption({QStringLiteral("t-max"), QStringLiteral("Largest diffusion time."), QStringLiteral("t")});
    parser.addOption({QStringLiteral("weighting"), QStringLiteral("fitted, paper or uniform per-trial error scale."),
                      QStringLiteral("name")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Intra-op threads (default 0 = all cores)."), QStringLiteral("T"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Random seed (default 0)."), QStringLiteral("S"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for evaluation.json and evaluation.md."), QStringLiteral("dir")});
    if (!parser.parse(args)) {
        err() << parser.errorText() << "\n";
        return kExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return kExitOk;
    }
    if (!parser.isSet(QStringLiteral("model")) || !parser.isSet(QStringLiteral("data"))) {
        err() << "usage: cytodiff-cli evaluate --model M --data <labelled folder> [--split test] [--out dir]\n";
        return kExitUsage;
    }
    const QString split = parser.value(QStringLiteral("split"));
    if (!QStringList{QStringLiteral("all"), QStringLiteral("train"), QStringLiteral("validation"), QStringLiteral("test")}.contains(split)) {
        err() << "error: --split must be all, train, validation or test\n";
        return kExitUsage;
    }
    engine::setThreadCount(parser.value(QStringLiteral("threads")).toInt());
    auto model = engine::Model::load(parser.value(QStringLiteral("model")).toStdString());
    if (!model) {
        err() << "error: " << QString::fromStdString(model.error()) << "\n";
        return kExitBadInput;
    }
    auto images = scanLabelledFolder(parser.value(QStringLiteral("data")));
    if (!images) {
        err() << "error: " << QString::fromStdString(images.error()) << "\n";
        return kExitBadInput;
    }

    // The same split as training: labels are indices of the folder's sorted
    // class names, names are file names.
    std::map<QString, int> folderClasses;
    for (const auto &image : *images)
        folderClasses.emplace(image.className, 0);
    int index = 0;
    for (auto &[name, value] : folderClasses)
        value = index++;
    std::vector<std::string> names;
    std::vector<int> labels;
    for (const auto &image : *images) {
        names.push_back(image.name.toStdString());
        labels.push_back(folderClasses[image.className]);
    }
    const auto splits = engine::stratifiedSplit(names, labels);
    const int perClass = parser.value(QStringLiteral("per-class")).toInt();

    Evaluation e;
    e.classes = model->card().classNames;
    e.confusion.assign(e.classes.size(), std::vector<int>(e.classes.size(), 0));
    std::map<QString, int> taken;
    QStringList unknown;
    QList<std::pair<LabelledImage, int>> work;
    for (int i = 0; i < images->size(); ++i) {
        const auto &image = (*images)[i];
        const bool wanted = split == QLatin1String("all") || (split == QLatin1String("train") && splits[i] == engine::Split::Train)
                            || (split == QLatin1String("validation") && splits[i] == engine::Split::Validation)
                            || (split == QLatin1String("test") && splits[i] == engine::Split::Test);
        if (!wanted)
            continue;
        const int truth = model->classIndex(image.className.toStdString());
        if (truth < 0) {
            if (!unknown.contains(image.className))
                unknown.append(image.className);
            continue;
        }
        if (perClass > 0 && taken[image.className] >= perClass)
            continue;
        ++taken[image.className];
        work.append({image, truth});
    }
    if (!unknown.isEmpty())
        err() << "not in the model, not scored: " << unknown.join(QStringLiteral(", ")) << "\n";
    if (work.isEmpty()) {
        err() << "error: no images of the model's classes in that part of the folder\n";
        return kExitBadInput;
    }

    engine::ClassifyOptions options;
    options.protocol = parser.value(QStringLiteral("protocol")) == QLatin1String("paper") ? engine::Protocol::Paper
                                                                                            : engine::Protocol::Fast;
    if (parser.isSet(QStringLiteral("trials-max")))
        options.trialsMax = parser.value(QStringLiteral("trials-max")).toInt();
    if (parser.isSet(QStringLiteral("trials-min")))
        options.trialsMin = parser.value(QStringLiteral("trials-min")).toInt();
    if (parser.isSet(QStringLiteral("t-max")))
        options.tMax = parser.value(QStringLiteral("t-max")).toDouble();
    options.weighting = engine::weightingFromName(parser.value(QStringLiteral("weighting")).toStdString());
    const auto seed = parser.value(QStringLiteral("seed")).toULongLong();
    const bool tty = isatty(fileno(stderr));
    SigintCancel sigint;
    const auto stop = [&sigint] { return sigint.isCancelled(); };
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < work.size() && !stop(); ++i) {
        const auto &[image, truth] = work[i];
        auto bytes = imaging::readFile(image.path.toStdString());
        auto input = bytes ? imaging::preprocess(*bytes, {model->card().cropSize, model->card().network.resolution})
                           : Result<FloatImage>(makeError(bytes.error()));
        if (!input) {
            err() << "skipped " << image.path << ": " << QString::fromStdString(input.error()) << "\n";
            continue;
        }
        options.seed = seed + std::uint64_t(i);
        auto result = model->classify(*input, options, stop);
        if (!result)
            continue;
        ++e.confusion[truth][result->predicted];
        e.nfe += result->nfe;
        ++e.cells;
        if (tty)
            err() << "\revaluated " << e.cells << "/" << work.size() << "  accuracy " << percent(e.accuracy()) << "%   " ;
    }
    e.seconds = timer.elapsed() / 1000.0;
    if (tty)
        err() << "\n";

    const QString header = QStringLiteral("%1 on %2 (%3 part, %4 protocol)")
                               .arg(QString::fromStdString(model->card().modelId()), parser.value(QStringLiteral("data")),
                                    split, parser.value(QStringLiteral("protocol")));
    const QString md = markdown(e, header);
    out() << md;
    if (parser.isSet(QStringLiteral("out"))) {
        QDir dir(parser.value(QStringLiteral("out")));
        dir.mkpath(QStringLiteral("."));
        QJsonObject settings;
        settings[QStringLiteral("model")] = QString::fromStdString(model->card().modelId());
        settings[QStringLiteral("model_sha256")] = QString::fromStdString(model->card().sha256);
        settings[QStringLiteral("data")] = parser.value(QStringLiteral("data"));
        settings[QStringLiteral("split")] = split;
        settings[QStringLiteral("protocol")] = parser.value(QStringLiteral("protocol"));
        settings[QStringLiteral("threads")] = engine::threadCount();
        settings[QStringLiteral("seconds")] = e.seconds;
        QFile json(dir.filePath(QStringLiteral("evaluation.json")));
        QFile mdFile(dir.filePath(QStringLiteral("evaluation.md")));
        if (!json.open(QIODevice::WriteOnly | QIODevice::Truncate) || !mdFile.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            err() << "error: cannot write into " << dir.path() << "\n";
            return kExitBadInput;
        }
        json.write(QJsonDocument(toJson(e, settings)).toJson());
        mdFile.write(md.toUtf8());
    }
    return stop() ? kExitBadInput : kExitOk;
}

} // namespace cytodiff::cli
