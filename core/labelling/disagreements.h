#pragma once
// Where the labellers disagree, class by class and cell by cell: for each
// class, how often a second labeller on the same cell chose it too
// (specific agreement), and for each cell whose answers differ, every
// answer beside the consensus. The kappas of labellinganalysis.h sum the
// same answers up in one number per pair; this is what a haematologist
// looks at to see which cells and which classes the numbers come from.

#include "labellinganalysis.h"

#include <QList>
#include <QString>

#include <optional>

namespace cytodiff::labelling {

struct CellAnswer {
    qint64 labellerId = 0;
    QString labelClass;
    db::LabelConfidence confidence = db::LabelConfidence::No;
};

struct CellDisagreement {
    qint64 cellId = 0;
    bool common = false;       // in the common subset
    QList<CellAnswer> answers; // the answers that count, by labeller id
    CellConsensus consensus;
};

struct ClassAgreement {
    QString classId;
    int answers = 0; // answers of the class on cells with two or more answers
    // Proportion of specific agreement for several raters (Uebersax,
    // "Statistical methods for rater agreement", specific agreement): over
    // the cells with r >= 2 answers, n of them this class,
    // sum n(n-1) / sum n(r-1), i.e. of the ordered pairs of labellers on a
    // cell whose first chose the class, the share whose second did too.
    // nullopt when the class has no such pair.
    std::optional<double> specificAgreement;
    int consensusCells = 0; // compared cells whose consensus is the class
    int unanimousCells = 0; // ... on which every answer is the class
};

struct DisagreementReport {
    AgreementScope scope = AgreementScope::AllCells;
    int cellsCompared = 0; // cells in scope with two or more answers
    int cellsUnanimous = 0;
    QList<ClassAgreement> classes; // every class answered on a compared cell, by id
    // Compared cells whose answers differ: the most divided first (the
    // smallest winning share of the votes), then by cell id.
    QList<CellDisagreement> disagreements;
};

DisagreementReport computeDisagreements(const LabellingData &data, AgreementScope scope = AgreementScope::AllCells);

} // namespace cytodiff::labelling
