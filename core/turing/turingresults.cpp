#include "turingresults.h"

#include "csvfield.h"
#include "database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>

#include <algorithm>

namespace cytodiff::turing {
namespace {

struct Tally {
    stats::ConfusionCounts counts;
    qint64 syntheticClassMatches = 0;
    qint64 syntheticImages = 0;
    qint64 realClassMatches = 0;
    qint64 realImages = 0;
    qint64 timeMs = 0;

    void add(const db::TuringAnswerRow &answer)
    {
        const bool synthetic = answer.truth == db::TuringTruth::Synthetic;
        counts.add(synthetic, answer.answer == db::TuringTruth::Synthetic);
        const bool sameClass = answer.answerClass == answer.classId;
        if (synthetic) {
            ++syntheticImages;
            syntheticClassMatches += sameClass ? 1 : 0;
        } else {
            ++realImages;
            realClassMatches += sameClass ? 1 : 0;
        }
        timeMs += answer.timeMs;
    }

    ReaderResult result(const QString &reader) const
    {
        ReaderResult r;
        r.reader = reader;
        r.counts = counts;
        r.accuracy = stats::accuracy(counts);
        r.pValue = stats::binomialTestTwoSided(counts.correct(), counts.total(), 0.5);
        r.sensitivity = stats::sensitivity(counts);
        r.specificity = stats::specificity(counts);
        r.syntheticClassAgreement = stats::proportion(syntheticClassMatches, syntheticImages);
        r.realClassAgreement = stats::proportion(realClassMatches, realImages);
        r.meanTimeMs = counts.total() > 0 ? double(timeMs) / double(counts.total()) : 0.0;
        return r;
    }
};

QJsonObject proportionJson(const stats::Proportion &p)
{
    QJsonObject object;
    object[QStringLiteral("k")] = qint64(p.successes);
    object[QStringLiteral("n")] = qint64(p.trials);
    if (p.isDefined()) {
        object[QStringLiteral("value")] = p.value;
        object[QStringLiteral("ci95_low")] = p.ci.low;
        object[QStringLiteral("ci95_high")] = p.ci.high;
    } else {
        object[QStringLiteral("value")] = QJsonValue::Null;
    }
    return object;
}

QJsonObject readerJson(const ReaderResult &r)
{
    QJsonObject object;
    object[QStringLiteral("reader")] = r.reader;
    object[QStringLiteral("pooled")] = r.pooled;
    object[QStringLiteral("finished")] = r.finished;
    object[QStringLiteral("images")] = r.total;
    object[QStringLiteral("answered")] = qint64(r.counts.total());
    object[QStringLiteral("accuracy")] = proportionJson(r.accuracy);
    object[QStringLiteral("binomial_p_vs_50")] = r.pValue;
    object[QStringLiteral("sensitivity")] = proportionJson(r.sensitivity);
    object[QStringLiteral("specificity")] = proportionJson(r.specificity);
    QJsonObject counts;
    counts[QStringLiteral("synthetic_called_synthetic")] = qint64(r.counts.truePositive);
    counts[QStringLiteral("synthetic_called_real")] = qint64(r.counts.falseNegative);
    counts[QStringLiteral("real_called_real")] = qint64(r.counts.trueNegative);
    counts[QStringLiteral("real_called_synthetic")] = qint64(r.counts.falsePositive);
    object[QStringLiteral("counts")] = counts;
    object[QStringLiteral("synthetic_class_agreement")] = proportionJson(r.syntheticClassAgreement);
    object[QStringLiteral("real_class_agreement")] = proportionJson(r.realClassAgreement);
    object[QStringLiteral("mean_time_ms")] = r.meanTimeMs;
    return object;
}

QString percent(const stats::Proportion &p)
{
    if (!p.isDefined())
        return QStringLiteral("–");
    return QStringLiteral("%1% (%2/%3; 95% CI %4–%5%)")
        .arg(100.0 * p.value, 0, 'f', 1)
        .arg(p.successes)
        .arg(p.trials)
        .arg(100.0 * p.ci.low, 0, 'f', 1)
        .arg(100.0 * p.ci.high, 0, 'f', 1);
}

QString pText(double p)
{
    if (p < 0.001)
        return QStringLiteral("< 0.001");
    return QString::number(p, 'f', 3);
}

QString markdownRow(const ReaderResult &r)
{
    return QStringLiteral("| %1 | %2/%3%4 | %5 | %6 | %7 | %8 | %9 |\n")
        .arg(r.pooled ? QStringLiteral("**pooled**") : r.reader)
        .arg(r.counts.total())
        .arg(r.total)
        .arg(r.finished || r.pooled ? QString() : QStringLiteral(" (unfinished)"))
        .arg(percent(r.accuracy), r.counts.total() > 0 ? pText(r.pValue) : QStringLiteral("–"), percent(r.sensitivity),
             percent(r.specificity),
             percent(r.syntheticClassAgreement));
}

} // namespace

TuringResults computeResults(const db::TuringTestRow &test, const QList<db::TuringReaderRow> &readers,
                             const QList<db::TuringAnswerRow> &answers)
{
    TuringResults results;
    results.test = test;
    QMap<qint64, Tally> perReader;
    Tally pooled;
    for (const db::TuringAnswerRow &answer : answers) {
        perReader[answer.readerId].add(answer);
        pooled.add(answer);
    }
    for (const db::TuringReaderRow &reader : readers) {
        ReaderResult r = perReader.value(reader.id).result(reader.name);
        r.finished = reader.finishedAt.isValid();
        r.total = reader.total;
        results.readers.append(r);
    }
    results.pooled = pooled.result(QStringLiteral("pooled"));
    results.pooled.pooled = true;
    results.pooled.finished = true;
    for (const ReaderResult &r : results.readers) {
        results.pooled.total += r.total;
        results.pooled.finished = results.pooled.finished && r.finished;
    }
    return results;
}

Result<TuringResults> loadResults(const db::Database &database, qint64 testId)
{
    const db::TuringStore store(database);
    auto test = store.testById(testId);
    if (!test)
        return makeError(test.error());
    auto readers = store.readers(testId);
    if (!readers)
        return makeError(readers.error());
    auto answers = store.answers(testId);
    if (!answers)
        return makeError(answers.error());
    return computeResults(*test, *readers, *answers);
}

QByteArray resultsJson(const TuringResults &results)
{
    QJsonObject root;
    QJsonObject test;
    test[QStringLiteral("name")] = results.test.name;
    test[QStringLiteral("model_id")] = results.test.modelId;
    test[QStringLiteral("created_at")] = results.test.createdAt.toString(Qt::ISODate);
    test[QStringLiteral("image_size")] = results.test.imageSize;
    test[QStringLiteral("images")] = results.test.imageCount;
    test[QStringLiteral("settings")] = results.test.settings;
    root[QStringLiteral("test")] = test;
    root[QStringLiteral("positive_class")] = QStringLiteral("synthetic");
    root[QStringLiteral("binomial_test")] =
        QStringLiteral("exact, two-sided against p = 0.5: sum of the probabilities of outcomes no more likely "
                       "than the observed one");
    QJsonArray readers;
    for (const ReaderResult &r : results.readers)
        readers.append(readerJson(r));
    root[QStringLiteral("readers")] = readers;
    root[QStringLiteral("pooled")] = readerJson(results.pooled);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QString resultsMarkdown(const TuringResults &results)
{
    QString text;
    text += QStringLiteral("# Turing test: %1\n\n").arg(results.test.name);
    text += QStringLiteral("- Model: %1\n").arg(results.test.modelId);
    text += QStringLiteral("- Images: %1, shown at %2 px (%3)\n")
                .arg(results.test.imageCount)
                .arg(results.test.imageSize)
                .arg(results.test.settings);
    text += QStringLiteral("- Positive class: **synthetic** (sensitivity = synthetic images called synthetic, "
                           "specificity = real images called real)\n");
    text += QStringLiteral("- p: exact two-sided binomial test of the accuracy against 50% (chance)\n");
    text += QStringLiteral("- Pooled readings are not independent (readers saw the same images); for inference "
                           "across readers use an MRMC analysis of the CSV export.\n\n");
    text += QStringLiteral("| Reader | Answered | Accuracy | p vs 50% | Sensitivity | Specificity | Cell type = "
                           "generating class (synthetic) |\n");
    text += QStringLiteral("|---|---|---|---|---|---|---|\n");
    for (const ReaderResult &r : results.readers)
        text += markdownRow(r);
    text += markdownRow(results.pooled);
    return text;
}

QByteArray answersCsv(const QList<db::TuringAnswerRow> &answers)
{
    QString text = QStringLiteral("reader,image,truth,answer,class,answer_class,time_ms\n");
    for (const db::TuringAnswerRow &a : answers) {
        text += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                    .arg(db::csvField(a.readerName), db::csvField(a.imageCode), db::turingTruthName(a.truth),
                         db::turingTruthName(a.answer), db::csvField(a.classId), db::csvField(a.answerClass))
                    .arg(a.timeMs);
    }
    return text.toUtf8();
}


QByteArray answersImrmc(const QList<db::TuringAnswerRow> &answers, const QString &testName)
{
    QMap<QString, bool> truthOf; // image code -> synthetic
    QSet<QString> readers;
    for (const db::TuringAnswerRow &a : answers) {
        truthOf.insert(a.imageCode, a.truth == db::TuringTruth::Synthetic);
        readers.insert(a.readerName);
    }
    const qsizetype synthetic = std::count(truthOf.cbegin(), truthOf.cend(), true);
    QString text = QStringLiteral("CytoDiff Turing test \"%1\": real (0) against model-generated (1) cells; score 1 = "
                                  "the reader called the image synthetic.\n")
                       .arg(QString(testName).replace(QLatin1Char('\n'), QLatin1Char(' ')));
    text += QStringLiteral("NR: %1\nN0: %2\nN1: %3\nNM: 1\nBEGIN DATA:\n")
                .arg(readers.size())
                .arg(truthOf.size() - synthetic)
                .arg(synthetic);
    for (auto it = truthOf.cbegin(); it != truthOf.cend(); ++it)
        text += QStringLiteral("-1,%1,truth,%2\n").arg(db::imrmcId(it.key())).arg(it.value() ? 1 : 0);
    for (const db::TuringAnswerRow &a : answers)
        text += QStringLiteral("%1,%2,turing,%3\n")
                    .arg(db::imrmcId(a.readerName), db::imrmcId(a.imageCode))
                    .arg(a.answer == db::TuringTruth::Synthetic ? 1 : 0);
    return text.toUtf8();
}

} // namespace cytodiff::turing
