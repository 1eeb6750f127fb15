#include "metacognition.h"

#include "database.h"

#include <QJsonArray>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace cytodiff::studies {

namespace {

QString number(double v, int digits = 3) { return std::isfinite(v) ? QString::number(v, 'f', digits) : QStringLiteral("-"); }

QJsonObject credibleJson(const evaluation::CredibleValue &v)
{
    QJsonObject o;
    o[QStringLiteral("estimate")] = v.estimate;
    o[QStringLiteral("ci95")] = QJsonArray{v.lower, v.upper};
    return o;
}

QString slug(QString text)
{
    text = text.toLower();
    for (QChar &c : text)
        if (!c.isLetterOrNumber())
            c = QLatin1Char('_');
    return text;
}

double expertConfidenceValue(const QString &name)
{
    if (name == QLatin1String("High"))
        return 1.0;
    if (name == QLatin1String("Moderate"))
        return 2.0 / 3.0;
    if (name == QLatin1String("Low"))
        return 1.0 / 3.0;
    return 0.0;
}

} // namespace

QJsonArray queueSharesJson(const std::vector<evaluation::QueueShare> &queue)
{
    QJsonArray json;
    for (const auto &q : queue)
        json.append(QJsonObject{{QStringLiteral("queue_share"), q.queueShare},
                                {QStringLiteral("reviewed"), q.reviewed},
                                {QStringLiteral("errors_found"), q.errorsFound},
                                {QStringLiteral("error_share"), std::isfinite(q.errorShare) ? QJsonValue(q.errorShare) : QJsonValue()},
                                {QStringLiteral("error_share_ci95"), std::isfinite(q.errorShareLower)
                                                                         ? QJsonValue(QJsonArray{q.errorShareLower, q.errorShareUpper})
                                                                         : QJsonValue()}});
    return json;
}

QString queueSharesText(const std::vector<evaluation::QueueShare> &queue)
{
    QStringList shares;
    for (const auto &q : queue)
        shares << (std::isfinite(q.errorShare)
                       ? number(100 * q.errorShare, 0) + QStringLiteral("% [") + number(100 * q.errorShareLower, 0)
                             + QStringLiteral(", ") + number(100 * q.errorShareUpper, 0) + QStringLiteral("]")
                       : QStringLiteral("-"));
    return shares.join(QStringLiteral(" / "));
}

MetacognitionReport buildMetacognitionReport(const QString &title, const std::vector<ObserverSeries> &series,
                                             int numClasses, int bins)
{
    MetacognitionReport report;
    QJsonArray observersJson;
    QTextStream md(&report.markdown);
    md << "# " << title << "\n\n";
    md << "Psychometric fit psi(x) = gamma + (1 - gamma - lambda) S(x; m, w), logistic S, gamma = 1/" << numClasses
       << ", lambda ~ Beta(1, 10), psignifit's default priors on m and w, grid posterior. m: threshold (S = 0.5), "
          "w: width (S from 0.05 to 0.95); medians with 95% credible intervals. Queue: cells ordered least-confident "
          "first; the share of all errors met in its first part (target: >= 80% in the first 10%), with its 95% "
          "bootstrap interval (cells resampled 1,000 times).\n\n";
    md << "| observer | signal | cases | accuracy | threshold m [95% CI] | width w [95% CI] | lapse | errors in first 5% / 10% / 20% | error-detection AUC |\n"
          "|---|---|---|---|---|---|---|---|---|\n";
    QString deciles;
    QTextStream dec(&deciles);
    for (const auto &input : series) {
        ObserverResult r;
        r.series = input;
        if (input.rescale && !input.confidence.empty()) {
            const auto [lo, hi] = std::minmax_element(input.confidence.begin(), input.confidence.end());
            const double span = *hi - *lo;
            for (double &v : r.series.confidence)
                v = span > 0 ? (v - *lo) / span : 0.5;
        }
        const std::size_t n = r.series.confidence.size();
        const int binCount = bins > 0 ? bins : evaluation::defaultBinCount(n);
        r.binned = evaluation::binResponses(r.series.confidence, r.series.correct, binCount);
        evaluation::PsychometricOptions options;
        options.gamma = 1.0 / std::max(2, numClasses);
        r.fit = evaluation::fitPsychometric(r.binned, options);
        r.calibration = evaluation::summariseCalibration(r.series.confidence, r.series.correct);
        if (input.secondOpinionDiffers.size() == n)
            r.secondOpinionQueue = evaluation::summariseQueue(r.series.confidence, r.series.correct,
                                                              input.secondOpinionDiffers);
        const QString name = input.observer + QStringLiteral(": ") + input.signal + QStringLiteral(" vs correctness");
        r.chart = evaluation::psychometricChart(name.toStdString(),
                                                input.signal.toStdString() + (input.rescale ? " (rescaled to [0, 1])" : ""),
                                                r.binned, r.fit);
        r.plotName = QStringLiteral("psychometric_%1_%2.png").arg(slug(input.observer), slug(input.signal));

        QJsonObject o;
        o[QStringLiteral("observer")] = input.observer;
        o[QStringLiteral("signal")] = input.signal;
        o[QStringLiteral("cases")] = int(n);
        o[QStringLiteral("bins")] = int(r.binned.level.size());
        o[QStringLiteral("accuracy")] = r.calibration.accuracy;
        o[QStringLiteral("rescaled")] = input.rescale;
        if (r.fit.ok) {
            o[QStringLiteral("threshold")] = credibleJson(r.fit.threshold);
            o[QStringLiteral("width")] = credibleJson(r.fit.width);
            o[QStringLiteral("lapse")] = credibleJson(r.fit.lapse);
            o[QStringLiteral("threshold_80")] = credibleJson(r.fit.threshold80);
            o[QStringLiteral("gamma")] = r.fit.gamma;
        } else {
            o[QStringLiteral("fit_error")] = QString::fromStdString(r.fit.message);
        }
        QJsonArray decilesJson;
        for (const auto &d : r.calibration.deciles)
            decilesJson.append(QJsonObject{{QStringLiteral("lo"), d.lo}, {QStringLiteral("hi"), d.hi},
                                           {QStringLiteral("cells"), d.cells}, {QStringLiteral("accuracy"), d.accuracy()}});
        o[QStringLiteral("errors")] = r.calibration.errors;
        o[QStringLiteral("accuracy_by_decile")] = decilesJson;
        o[QStringLiteral("review_queue")] = queueSharesJson(r.calibration.queue);
        if (!r.secondOpinionQueue.empty())
            o[QStringLiteral("review_queue_second_opinion_first")] = queueSharesJson(r.secondOpinionQueue);
        o[QStringLiteral("error_detection_auc")] = std::isfinite(r.calibration.errorDetectionAuc)
                                                       ? QJsonValue(r.calibration.errorDetectionAuc) : QJsonValue();
        o[QStringLiteral("plot")] = r.plotName;
        observersJson.append(o);

        md << "| " << input.observer << " | " << input.signal << " | " << n << " | "
           << number(100 * r.calibration.accuracy, 1) << "% | ";
        if (r.fit.ok)
            md << number(r.fit.threshold.estimate) << " [" << number(r.fit.threshold.lower) << ", "
               << number(r.fit.threshold.upper) << "] | " << number(r.fit.width.estimate) << " ["
               << number(r.fit.width.lower) << ", " << number(r.fit.width.upper) << "] | " << number(r.fit.lapse.estimate)
               << " | ";
        else
            md << QString::fromStdString(r.fit.message) << " | | | ";
        md << queueSharesText(r.calibration.queue) << " (" << r.calibration.errors << " errors) | "
           << number(r.calibration.errorDetectionAuc) << " |\n";
        if (!r.secondOpinionQueue.empty())
            md << "| " << input.observer << " | " << input.signal << ", second opinion differs first | " << n << " | | | | | "
               << queueSharesText(r.secondOpinionQueue) << " | |\n";

        dec << "\n" << name << ": accuracy per confidence decile (lowest first)\n\n| decile | confidence | cells | accuracy |\n|---|---|---|---|\n";
        for (std::size_t i = 0; i < r.calibration.deciles.size(); ++i) {
            const auto &d = r.calibration.deciles[i];
            dec << "| " << i + 1 << " | " << number(d.lo) << " - " << number(d.hi) << " | " << d.cells << " | "
                << number(100 * d.accuracy(), 1) << "% |\n";
        }
        report.observers.push_back(std::move(r));
    }
    md << deciles;
    report.json[QStringLiteral("classes")] = numClasses;
    report.json[QStringLiteral("observers")] = observersJson;
    return report;
}

namespace {

// Calls gathered from the workspace: the reference label, the model's call
// and each expert's latest label per cell, and every class seen.
struct ExpertCall {
    QString labeller, labelClass;
    double confidence = 0;
};

struct WorkspaceCalls {
    std::set<QString> classes;
    std::map<qint64, std::pair<double, QString>> modelCall; // cell -> (confidence, predicted)
    std::map<qint64, QString> reference;
    std::map<qint64, std::vector<ExpertCall>> expertCalls;
};

// The model with the newest prediction on a labelled cell (empty if none).
Result<QString> newestModelOnLabelledCells(const db::Database &database)
{
    auto newest = database.prepare(
        "SELECT p.model_id FROM predictions p JOIN cells c ON c.id = p.cell_id "
        "WHERE c.label_class IS NOT NULL AND c.label_class <> '' ORDER BY p.id DESC LIMIT 1");
    if (!newest)
        return makeError(newest.error());
    auto row = newest->step();
    if (!row)
        return makeError(row.error());
    return *row ? newest->text(0) : QString();
}

// The model's calls on labelled cells as one observer series (with the
// second opinion where there is one); empty when it made none.
Result<void> readModelCalls(const db::Database &database, WorkspaceObservers &result, WorkspaceCalls &calls)
{
    std::set<QString> &classes = calls.classes;
    auto &modelCall = calls.modelCall;
    auto &reference = calls.reference;
    auto query = database.prepare(
        "SELECT c.id, c.label_class, p.predicted_class, p.confidence, s.predicted_class FROM cells c "
        "JOIN predictions p ON p.id = (SELECT MAX(q.id) FROM predictions q WHERE q.cell_id = c.id AND q.model_id = ?) "
        "LEFT JOIN second_opinions s ON s.id = (SELECT MAX(t.id) FROM second_opinions t WHERE t.cell_id = c.id) "
        "WHERE c.label_class IS NOT NULL AND c.label_class <> '' AND p.confidence IS NOT NULL ORDER BY c.id");
    if (!query)
        return makeError(query.error());
    query->bind(1, result.modelId);
    ObserverSeries model{QStringLiteral("model"), QStringLiteral("model confidence"), {}, {}, true, {}};
    bool anySecondOpinion = false;
    for (;;) {
        auto more = query->step();
        if (!more)
            return makeError(more.error());
        if (!*more)
            break;
        const qint64 cell = query->int64(0);
        const QString truth = query->text(1), predicted = query->text(2);
        const double confidence = query->real(3);
        reference[cell] = truth;
        modelCall[cell] = {confidence, predicted};
        classes.insert(truth);
        classes.insert(predicted);
        model.confidence.push_back(confidence);
        model.correct.push_back(truth == predicted);
        anySecondOpinion = anySecondOpinion || !query->isNull(4);
        model.secondOpinionDiffers.push_back(!query->isNull(4) && query->text(4) != predicted);
    }
    if (!anySecondOpinion)
        model.secondOpinionDiffers.clear();
    if (!model.confidence.empty())
        result.series.push_back(std::move(model));
    return {};
}

// Expert labels: the latest label of each labeller per cell, against the
// cell's reference label.
Result<void> readExpertCalls(const db::Database &database, WorkspaceCalls &calls)
{
    auto &expertCalls = calls.expertCalls;
    auto &reference = calls.reference;
    std::set<QString> &classes = calls.classes;
    auto query = database.prepare(
        "SELECT l.cell_id, b.name, l.class, l.confidence, c.label_class FROM labels l "
        "JOIN labellers b ON b.id = l.labeller_id JOIN cells c ON c.id = l.cell_id "
        "WHERE c.label_class IS NOT NULL AND c.label_class <> '' "
        "AND l.id = (SELECT MAX(m.id) FROM labels m WHERE m.cell_id = l.cell_id AND m.labeller_id = l.labeller_id) "
        "ORDER BY l.cell_id, b.name");
    if (!query)
        return makeError(query.error());
    for (;;) {
        auto more = query->step();
        if (!more)
            return makeError(more.error());
        if (!*more)
            break;
        const qint64 cell = query->int64(0);
        expertCalls[cell].push_back({query->text(1), query->text(2), expertConfidenceValue(query->text(3))});
        reference[cell] = query->text(4);
        classes.insert(query->text(4));
    }
    return {};
}

} // namespace

Result<WorkspaceObservers> workspaceObservers(const db::Database &database, const QString &modelId)
{
    WorkspaceObservers result;
    // Which model: the requested one, or the one with the newest prediction
    // on a labelled cell.
    result.modelId = modelId;
    if (result.modelId.isEmpty()) {
        auto newest = newestModelOnLabelledCells(database);
        if (!newest)
            return makeError(newest.error());
        result.modelId = *newest;
    }
    WorkspaceCalls calls;
    if (auto read = readModelCalls(database, result, calls); !read)
        return makeError(read.error());
    if (auto read = readExpertCalls(database, calls); !read)
        return makeError(read.error());
    const auto &modelCall = calls.modelCall;
    auto &reference = calls.reference;
    std::map<QString, ObserverSeries> byModelSignal, byExpertSignal;
    for (const auto &[cell, expert] : calls.expertCalls) {
        double consensus = 0;
        for (const auto &call : expert)
            consensus += call.confidence;
        consensus /= double(expert.size());
        for (const auto &call : expert) {
            const bool right = call.labelClass == reference[cell];
            auto &e = byExpertSignal[call.labeller];
            e.observer = call.labeller;
            e.signal = QStringLiteral("expert confidence");
            e.rescale = false;
            e.confidence.push_back(consensus);
            e.correct.push_back(right);
            const auto model = modelCall.find(cell);
            if (model != modelCall.end()) {
                auto &m = byModelSignal[call.labeller];
                m.observer = call.labeller;
                m.signal = QStringLiteral("model confidence");
                m.rescale = true;
                m.confidence.push_back(model->second.first);
                m.correct.push_back(right);
            }
        }
    }
    for (auto &[name, s] : byModelSignal)
        result.series.push_back(std::move(s));
    for (auto &[name, s] : byExpertSignal)
        result.series.push_back(std::move(s));
    result.numClasses = int(calls.classes.size());
    if (result.series.empty())
        return makeError("The workspace has no cells with both a reference label and a prediction or an expert "
                         "label: classify a labelled case, or collect expert labels, first.");
    return result;
}

} // namespace cytodiff::studies
