#pragma once
// Expert labels from the case database turned into what the labelling
// module reports: the consensus label of each cell and the inter-rater
// agreement (Cohen's kappa per pair, Fleiss' kappa, the paper's pairwise
// confidence confusion matrix), with JSON and markdown writers. The
// arithmetic is in core/stats; this layer maps rows to indices.

#include "agreement.h"
#include "database.h"
#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace cytodiff::labelling {

// The ten classes of the paper's own dataset (method.md section 4), as
// canonical ids: the default class list of a new session.
const QStringList &defaultClasses();

// Every class of any session's class list, in first-seen order: what the
// label audit may answer and what a new session proposes, so that all
// labellers choose among the same classes.
Result<QStringList> classesOfSessions(const db::Database &database);

// Index of a confidence in stats' 0..3 = High, Moderate, Low, No.
int confidenceLevel(db::LabelConfidence confidence);

struct LabellingData {
    QList<db::LabellerRow> labellers;
    QList<db::ActiveLabel> labels; // the answer that counts per (cell, labeller)
    QSet<qint64> commonCells;
};

Result<LabellingData> loadLabellingData(const db::Database &database);

struct CellConsensus {
    qint64 cellId = 0;
    QString labelClass;
    double confidence = 0.0; // mean of 1, 2/3, 1/3, 0 over the cell's answers
    int votes = 0;
    int winningVotes = 0;
    bool tieBroken = false;
};

// One entry per cell with at least one answer.
QMap<qint64, CellConsensus> computeConsensus(const LabellingData &data);
// Only the given cell's answers (cheap; for the audit's before/after).
std::optional<CellConsensus> consensusOfCell(const LabellingData &data, qint64 cellId);
// One CSV line per cell of `consensus` (cell id, case, original file name,
// class, confidence, answers, agreeing answers, tie flag, common-subset
// flag) with a header line: cytodiff-cli consensus and the GUI's Save
// consensus write the same file.
QString consensusCsv(const db::Database &database, const LabellingData &data,
                     const QMap<qint64, CellConsensus> &consensus);

// The expert labels as an iMRMC input file for one class against the rest
// (issue 24 item 4): truth = the cell's reference label (as imported) is
// the class; each labeller's score = 0 when they chose another class, else
// 1-4 for No, Low, Moderate, High confidence, an ordinal rating as ROC
// analysis takes it. Cells without a reference label are left out
// (counted in *skipped). Modality "expert".
QString labelsImrmc(const db::Database &database, const LabellingData &data, const QString &classId,
                    int *skipped = nullptr);

struct PairAgreement {
    qint64 labellerA = 0;
    qint64 labellerB = 0;
    QString nameA;
    QString nameB;
    std::optional<stats::KappaResult> kappa; // nullopt: no cell in common
};

enum class AgreementScope { AllCells, CommonSubset };

struct AgreementReport {
    AgreementScope scope = AgreementScope::AllCells;
    QStringList classes; // the categories the kappas use (every class answered)
    QList<db::LabellerRow> labellers;
    int cellsRated = 0;        // cells in scope with at least one answer
    int cellsMultiRated = 0;   // ... with at least two
    QList<PairAgreement> pairs;
    std::optional<stats::KappaResult> fleiss;
    int fleissRaters = 0;      // raters per cell in the Fleiss computation
    stats::ConfidenceMatrix confidence{}; // rows/columns High, Moderate, Low, No
    long long orderedComparisons = 0;     // the matrix total
};

AgreementReport computeAgreement(const LabellingData &data, AgreementScope scope = AgreementScope::AllCells);
QJsonObject agreementJson(const AgreementReport &report);
QString agreementMarkdown(const AgreementReport &report);

} // namespace cytodiff::labelling
