#include "evaluationrun.h"

#include "classificationservice.h"
#include "csvfield.h"
#include "imageio.h"
#include "labelledset.h"
#include "manifest.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <algorithm>
#include <cmath>

namespace cytodiff::studies {

Result<EvalSource> EvalSource::open(const QString &data)
{
    EvalSource source;
    if (QFileInfo(data).isFile() && data.endsWith(QStringLiteral(".cdpack"))) {
        auto pack = engine::loadPack(data.toStdString());
        if (!pack)
            return makeError(pack.error());
        return fromTrainingData(std::make_shared<engine::TrainingData>(std::move(*pack)));
    }
    if (!QFileInfo(data).isDir())
        return makeError("'" + data.toStdString() + "' is neither a labelled folder nor a .cdpack file.");
    auto images = dataset::scanLabelledFolder(data);
    if (!images)
        return makeError(images.error());
    // The trainers' split: labels are indices of the sorted class names.
    std::map<QString, int> classes;
    for (const auto &image : *images)
        classes.emplace(image.className, 0);
    int index = 0;
    for (auto &[name, value] : classes)
        value = index++;
    std::vector<std::string> names;
    std::vector<int> labels;
    for (const auto &image : *images) {
        names.push_back(image.name.toStdString());
        labels.push_back(classes[image.className]);
    }
    const auto splits = engine::stratifiedSplit(names, labels);
    for (int i = 0; i < images->size(); ++i) {
        const auto &image = (*images)[i];
        source.m_items.append({image.name, image.path, image.className, splits[std::size_t(i)], -1});
    }
    return source;
}

EvalSource EvalSource::fromTrainingData(std::shared_ptr<const engine::TrainingData> data)
{
    EvalSource source;
    source.m_pack = std::move(data);
    for (std::size_t i = 0; i < source.m_pack->size(); ++i) {
        EvalItem item;
        item.name = QString::fromStdString(source.m_pack->names[i]);
        item.className = QString::fromStdString(source.m_pack->classNames[std::size_t(source.m_pack->labels[i])]);
        item.split = source.m_pack->splits[i];
        item.packIndex = int(i);
        source.m_items.append(item);
    }
    return source;
}

QStringList EvalSource::classNames() const
{
    QStringList names;
    for (const auto &item : m_items)
        if (!names.contains(item.className))
            names.append(item.className);
    names.sort();
    return names;
}

Result<FloatImage> EvalSource::image(const EvalItem &item, const engine::ModelCard &card, std::uint64_t *seed) const
{
    if (item.packIndex >= 0 && m_pack) {
        const int r = m_pack->resolution;
        if (r != card.network.resolution)
            return makeError("The pack holds " + std::to_string(r) + " px cells but the model reads "
                             + std::to_string(card.network.resolution) + " px: pack again with --resolution "
                             + std::to_string(card.network.resolution) + ".");
        if (m_pack->cropSize > 0 && card.cropSize > 0 && m_pack->cropSize != card.cropSize)
            return makeError("The pack was cropped to " + std::to_string(m_pack->cropSize) + " px but the model expects a "
                             + std::to_string(card.cropSize) + " px crop: pack again with --crop "
                             + std::to_string(card.cropSize) + ".");
        FloatImage image;
        image.height = image.width = r;
        const std::size_t bytes = m_pack->imageBytes();
        const auto *pixels = m_pack->pixels.data() + std::size_t(item.packIndex) * bytes;
        image.data.resize(bytes);
        for (std::size_t i = 0; i < bytes; ++i)
            image.data[i] = float(pixels[i]) / 127.5f - 1.0f;
        if (seed)
            *seed = classify::cellSeed(std::string_view(reinterpret_cast<const char *>(pixels), bytes), *seed);
        return image;
    }
    auto bytes = imaging::readFile(item.path.toStdString());
    if (!bytes)
        return makeError(bytes.error());
    if (seed)
        *seed = classify::cellSeed(*bytes, *seed);
    return imaging::preprocess(*bytes, {card.cropSize, card.network.resolution});
}

bool isSplitName(const QString &split)
{
    return QStringList{QStringLiteral("all"), QStringLiteral("train"), QStringLiteral("validation"), QStringLiteral("test")}
        .contains(split);
}

bool inSplit(const EvalItem &item, const QString &split)
{
    return split == QLatin1String("all") || (split == QLatin1String("train") && item.split == engine::Split::Train)
           || (split == QLatin1String("validation") && item.split == engine::Split::Validation)
           || (split == QLatin1String("test") && item.split == engine::Split::Test);
}

QList<EvalItem> selectItems(const QList<EvalItem> &items, const QString &split, int perClass,
                            const std::function<bool(const EvalItem &)> &keep)
{
    QList<EvalItem> chosen;
    std::map<QString, int> taken;
    for (const auto &item : items) {
        if (!inSplit(item, split) || (keep && !keep(item)))
            continue;
        if (perClass > 0 && taken[item.className] >= perClass)
            continue;
        ++taken[item.className];
        chosen.append(item);
    }
    return chosen;
}

InputFn sourceInputs(const EvalSource &source, const QList<EvalItem> &items)
{
    return [&source, items](int index, const engine::ModelCard &card, std::uint64_t *seed) {
        return source.image(items[index], card, seed);
    };
}

std::vector<CellOutcome> classifyItems(const engine::Model &model, const InputFn &inputs, const QList<EvalItem> &items,
                                       const std::function<int(const QString &)> &truthOf,
                                       const engine::ClassifyOptions &baseOptions, std::uint64_t seed, const StopFn &stop,
                                       const ItemProgress &progress, double *seconds, const engine::Model *secondOpinion,
                                       bool anomalyProfiles)
{
    std::vector<CellOutcome> outcomes;
    const auto notice = [&](const EvalItem &item, const QString &what, const std::string &why) {
        if (progress.skipped)
            progress.skipped(what + QLatin1Char(' ') + (item.path.isEmpty() ? item.name : item.path) + QStringLiteral(": ")
                             + QString::fromStdString(why));
    };
    classify::ClassificationService service(&model, secondOpinion, baseOptions);
    if (!anomalyProfiles)
        service.ignoreAnomalyProfiles();
    if (auto damaged = service.profileError()) {
        // No call can be made with this card: say it once, not per cell.
        if (progress.skipped)
            progress.skipped(QStringLiteral("no cell classified: ") + QString::fromStdString(*damaged));
        return outcomes;
    }
    QElapsedTimer timer;
    timer.start();
    int correct = 0;
    for (int i = 0; i < items.size() && !(stop && stop()); ++i) {
        const auto &item = items[i];
        std::uint64_t seedOfCell = seed;
        auto input = inputs(i, model.card(), &seedOfCell);
        if (!input) {
            notice(item, QStringLiteral("skipped"), input.error());
            continue;
        }
        auto call = service.classifyInput(*input, seedOfCell, stop);
        if (!call) {
            if (!(stop && stop()))
                notice(item, QStringLiteral("not classified"), call.error());
            continue;
        }
        const engine::ClassifyResult *result = &call->result;
        CellOutcome outcome;
        outcome.name = item.name;
        outcome.truth = item.className;
        outcome.truthIndex = truthOf(item.className);
        outcome.predicted = result->predicted;
        outcome.confidence = result->confidence;
        outcome.anomaly = result->anomaly;
        outcome.reviewAnomaly = call->anomaly;
        outcome.margin = call->margin;
        outcome.bestError = result->errors.empty() ? -result->confidence : result->errors[result->predicted];
        outcome.nullGain = result->nullGain;
        outcome.nfe = result->nfe;
        outcome.classErrors = result->errors;
        outcome.evidence = result->evidence;
        std::optional<classify::CellCall> second;
        if (secondOpinion) {
            // The second model reads its own input size.
            auto secondInput = inputs(i, secondOpinion->card(), nullptr);
            engine::ClassifyOptions secondOptions;
            secondOptions.seed = seedOfCell;
            auto secondResult = secondInput ? secondOpinion->classify(*secondInput, secondOptions)
                                            : Result<engine::ClassifyResult>(makeError(secondInput.error()));
            if (secondResult && secondResult->predicted >= 0) {
                second.emplace();
                second->predicted = secondResult->predicted;
                second->predictedClass =
                    QString::fromStdString(secondOpinion->card().classNames[std::size_t(secondResult->predicted)]);
                outcome.secondOpinion = second->predictedClass;
            }
        }
        const auto review = classify::reviewDecision(*call, second ? &*second : nullptr);
        outcome.inReview = review.inQueue();
        outcome.reviewReason = review.reason();
        correct += outcome.correct();
        outcomes.push_back(outcome);
        if (progress.classified)
            progress.classified(int(outcomes.size()), int(items.size()), correct);
    }
    if (seconds)
        *seconds = timer.elapsed() / 1000.0;
    return outcomes;
}

UnprunedErrors scoreUnpruned(const engine::Model &model, const EvalSource &source, const QList<EvalItem> &items,
                             int trials, std::uint64_t seed, const StopFn &stop, const ItemProgress &progress)
{
    // Every class on the same paired trials (p = 0 never prunes).
    engine::ClassifyOptions options;
    options.trialsMin = options.trialsMax = trials;
    options.pValue = 0.0;
    options.weighting = engine::Weighting::Fitted;
    options.classOffsets = false;
    UnprunedErrors scored;
    for (int i = 0; i < items.size() && !(stop && stop()); ++i) {
        const EvalItem &item = items[i];
        options.seed = seed;
        auto input = source.image(item, model.card(), &options.seed);
        if (!input) {
            if (progress.skipped)
                progress.skipped(QStringLiteral("skipped ") + item.name + QStringLiteral(": ")
                                 + QString::fromStdString(input.error()));
            continue;
        }
        auto result = model.classify(*input, options, stop);
        if (!result)
            continue;
        scored.errors.push_back(result->errors);
        scored.labels.push_back(model.classIndex(item.className.toStdString()));
        if (progress.classified)
            progress.classified(int(scored.errors.size()), int(items.size()), 0);
    }
    return scored;
}

int AccuracySummary::total(int truth) const
{
    int n = 0;
    for (int v : confusion[std::size_t(truth)])
        n += v;
    return n;
}

double AccuracySummary::accuracy() const
{
    int right = 0;
    for (std::size_t c = 0; c < classes.size(); ++c)
        right += confusion[c][c];
    return cells ? double(right) / cells : 0.0;
}

double AccuracySummary::recall(int c) const
{
    return total(c) ? double(confusion[std::size_t(c)][std::size_t(c)]) / total(c) : -1.0;
}

double AccuracySummary::balancedAccuracy() const
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

AccuracySummary summarise(const std::vector<std::string> &classes, const std::vector<CellOutcome> &outcomes)
{
    AccuracySummary s;
    s.classes = classes;
    s.confusion.assign(classes.size(), std::vector<int>(classes.size(), 0));
    for (const auto &o : outcomes) {
        if (o.truthIndex < 0 || o.predicted < 0 || std::size_t(o.predicted) >= classes.size())
            continue;
        ++s.confusion[std::size_t(o.truthIndex)][std::size_t(o.predicted)];
        s.nfe += o.nfe;
        ++s.cells;
        s.queued += o.inReview ? 1 : 0;
        s.silentErrors += o.silentError() ? 1 : 0;
    }
    return s;
}

bool writeOutcomesCsv(const QString &path, const std::vector<CellOutcome> &outcomes,
                      const std::vector<std::string> &classes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return false;
    QTextStream csv(&file);
    csv << "name,truth,predicted,correct,confidence,anomaly,nfe,margin,best_error,null_gain,second_opinion,review,"
           "review_reason,evidence,review_anomaly";
    for (const auto &c : classes)
        csv << ",error_" << db::csvField(QString::fromStdString(c));
    csv << '\n';
    for (const auto &o : outcomes) {
        const QString predicted = o.predicted >= 0 && std::size_t(o.predicted) < classes.size()
                                      ? QString::fromStdString(classes[std::size_t(o.predicted)])
                                      : QString();
        csv << db::csvField(o.name) << ',' << db::csvField(o.truth) << ',' << db::csvField(predicted) << ',' << (o.correct() ? 1 : 0) << ','
            << QString::number(o.confidence, 'g', 10) << ',' << QString::number(o.anomaly, 'g', 10) << ',' << o.nfe
            << ',' << QString::number(o.margin, 'g', 6) << ',' << QString::number(o.bestError, 'g', 10) << ','
            << (std::isnan(o.nullGain) ? QString() : QString::number(o.nullGain, 'g', 10)) << ','
            << db::csvField(o.secondOpinion) << ',' << (o.inReview ? "yes" : "no") << ',' << o.reviewReason << ','
            << (std::isnan(o.evidence) ? QString() : QString::number(o.evidence, 'g', 10)) << ','
            << QString::number(o.reviewAnomaly, 'g', 10);
        for (std::size_t c = 0; c < classes.size(); ++c)
            csv << ',' << (c < o.classErrors.size() ? QString::number(o.classErrors[c], 'g', 10) : QString());
        csv << '\n';
    }
    return true;
}

Result<std::vector<CsvOutcome>> readOutcomesCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return makeError("Cannot read " + path.toStdString() + ": " + file.errorString().toStdString());
    // Names are quoted fields (RFC 4180) when they hold a comma or a quote.
    QList<int> recordLines;
    auto records = importer::parseCsv(QString::fromUtf8(file.readAll()), QLatin1Char(','), &recordLines);
    if (!records)
        return makeError(path.toStdString() + ": " + records.error());
    if (records->isEmpty())
        return makeError(path.toStdString() + " is empty.");
    const QStringList header = records->first();
    const int iName = int(header.indexOf(QStringLiteral("name"))), iTruth = int(header.indexOf(QStringLiteral("truth"))),
              iPredicted = int(header.indexOf(QStringLiteral("predicted"))),
              iConfidence = int(header.indexOf(QStringLiteral("confidence"))),
              iAnomaly = int(header.indexOf(QStringLiteral("anomaly")));
    if (iTruth < 0 || iPredicted < 0 || iConfidence < 0)
        return makeError(path.toStdString()
                         + " is not a per-cell file of `cytodiff-cli evaluate` (it needs the columns truth, "
                           "predicted and confidence).");
    std::vector<CsvOutcome> rows;
    for (qsizetype r = 1; r < records->size(); ++r) {
        const QStringList &f = records->at(r);
        const int line = recordLines.value(r);
        if (f.size() < header.size())
            return makeError(path.toStdString() + " line " + std::to_string(line) + " has too few columns.");
        CsvOutcome o;
        o.name = iName >= 0 ? f[iName] : QString();
        o.truth = f[iTruth];
        o.predicted = f[iPredicted];
        bool ok = false;
        o.confidence = f[iConfidence].toDouble(&ok);
        if (!ok || !std::isfinite(o.confidence))
            return makeError(path.toStdString() + " line " + std::to_string(line) + ": confidence '"
                             + f[iConfidence].toStdString() + "' is not a number.");
        o.anomaly = iAnomaly >= 0 ? f[iAnomaly].toDouble() : 0.0;
        o.correct = !o.truth.isEmpty() && o.truth == o.predicted;
        rows.push_back(o);
    }
    return rows;
}

Result<std::map<QString, QString>> readClassMap(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return makeError("Cannot read the class map " + path.toStdString() + ": " + file.errorString().toStdString());
    std::map<QString, QString> map;
    QTextStream in(&file);
    int line = 0;
    while (!in.atEnd()) {
        ++line;
        QString text = in.readLine();
        const int hash = int(text.indexOf(QLatin1Char('#')));
        if (hash >= 0)
            text.truncate(hash);
        text = text.trimmed();
        if (text.isEmpty())
            continue;
        int cut = int(text.indexOf(QLatin1Char(',')));
        if (cut < 0)
            cut = int(text.indexOf(QLatin1Char('=')));
        if (cut < 0)
            cut = int(text.indexOf(QLatin1Char('\t')));
        if (cut < 0)
            return makeError("Class map " + path.toStdString() + " line " + std::to_string(line)
                             + ": write 'data_class,model_class'.");
        const QString from = text.left(cut).trimmed(), to = text.mid(cut + 1).trimmed();
        if (from.isEmpty())
            return makeError("Class map " + path.toStdString() + " line " + std::to_string(line)
                             + ": the data class is empty.");
        map[from] = to == QLatin1String("-") ? QString() : to;
    }
    return map;
}

double mean(const std::vector<double> &values)
{
    if (values.empty())
        return 0;
    double s = 0;
    for (double v : values)
        s += v;
    return s / double(values.size());
}

double standardDeviation(const std::vector<double> &values)
{
    if (values.size() < 2)
        return 0;
    const double m = mean(values);
    double ss = 0;
    for (double v : values)
        ss += (v - m) * (v - m);
    return std::sqrt(ss / double(values.size() - 1));
}

QString percent(double value) { return QString::number(100.0 * value, 'f', 2); }

} // namespace cytodiff::studies
