#pragma once
// Results of a Turing test, per reader and pooled: accuracy at telling
// real from synthetic with its Wilson 95% interval and the exact two-sided
// binomial test against 50% (chance), sensitivity and specificity with
// synthetic = positive, and how often the reader's cell type matches the
// class an image was generated for (synthetic images; the paper: 98.6%)
// or labelled as (real images). Also the long-format CSV for MRMC tools.
//
// Pooled figures treat every reading as independent, which readers of the
// same images are not: they describe the readings; inference across
// readers and images belongs to an MRMC analysis of the CSV.

#include "proportion.h"
#include "result.h"
#include "turingstore.h"

#include <QList>
#include <QString>

namespace cytodiff::turing {

struct ReaderResult {
    QString reader; // "pooled" for the pooled row
    bool pooled = false;
    bool finished = false;
    int total = 0; // images presented
    stats::ConfusionCounts counts; // positive = synthetic
    stats::Proportion accuracy;
    double pValue = 1.0; // exact two-sided binomial test of accuracy against 0.5
    stats::Proportion sensitivity; // synthetic images called synthetic
    stats::Proportion specificity; // real images called real
    stats::Proportion syntheticClassAgreement; // cell type == generating class
    stats::Proportion realClassAgreement;      // cell type == the real cell's label
    double meanTimeMs = 0.0;
};

struct TuringResults {
    db::TuringTestRow test;
    QList<ReaderResult> readers; // by name
    ReaderResult pooled;
};

// Pure computation from stored rows (readers give names and completion).
TuringResults computeResults(const db::TuringTestRow &test, const QList<db::TuringReaderRow> &readers,
                             const QList<db::TuringAnswerRow> &answers);
Result<TuringResults> loadResults(const db::Database &database, qint64 testId);

// The results as JSON (machine-readable) and Markdown (a report).
QByteArray resultsJson(const TuringResults &results);
QString resultsMarkdown(const TuringResults &results);

// reader,image,truth,answer,class,answer_class,time_ms — one row per
// answer; image is the opaque code, truth/answer are real|synthetic.
QByteArray answersCsv(const QList<db::TuringAnswerRow> &answers);

// The answers as an iMRMC input file (issue 24 item 4), for a standard
// multi-reader multi-case analysis: a study description with NR, N0 (real
// images), N1 (synthetic images) and NM, then "BEGIN DATA:", one truth row
// per answered image (reader -1, modality "truth", 1 = synthetic) and one
// row per answer (reader, image, modality "turing", 1 = called synthetic).
// Ids as db::imrmcId() makes them.
QByteArray answersImrmc(const QList<db::TuringAnswerRow> &answers, const QString &testName);

} // namespace cytodiff::turing
