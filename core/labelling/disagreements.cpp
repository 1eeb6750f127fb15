#include "disagreements.h"

#include <QMap>

#include <algorithm>

namespace cytodiff::labelling {

DisagreementReport computeDisagreements(const LabellingData &data, AgreementScope scope)
{
    DisagreementReport report;
    report.scope = scope;
    QMap<qint64, QList<CellAnswer>> byCell;
    for (const auto &label : data.labels) {
        if (scope == AgreementScope::CommonSubset && !data.commonCells.contains(label.cellId))
            continue;
        byCell[label.cellId].append({label.labellerId, label.labelClass, label.confidence});
    }
    const QMap<qint64, CellConsensus> consensus = computeConsensus(data);

    struct Sums {
        int answers = 0;
        long long agreeingPairs = 0; // sum n(n-1)
        long long pairs = 0;         // sum n(r-1)
        int consensusCells = 0;
        int unanimousCells = 0;
    };
    QMap<QString, Sums> sums;
    for (auto it = byCell.begin(); it != byCell.end(); ++it) {
        QList<CellAnswer> &answers = it.value();
        const long long raters = answers.size();
        if (raters < 2)
            continue;
        ++report.cellsCompared;
        QMap<QString, long long> perClass;
        for (const CellAnswer &answer : answers)
            ++perClass[answer.labelClass];
        for (auto c = perClass.cbegin(); c != perClass.cend(); ++c) {
            Sums &s = sums[c.key()];
            s.answers += int(c.value());
            s.agreeingPairs += c.value() * (c.value() - 1);
            s.pairs += c.value() * (raters - 1);
        }
        const auto found = consensus.constFind(it.key());
        if (found != consensus.cend())
            ++sums[found->labelClass].consensusCells;
        if (perClass.size() == 1) {
            ++report.cellsUnanimous;
            ++sums[perClass.firstKey()].unanimousCells;
            continue;
        }
        std::sort(answers.begin(), answers.end(),
                  [](const CellAnswer &a, const CellAnswer &b) { return a.labellerId < b.labellerId; });
        CellDisagreement cell;
        cell.cellId = it.key();
        cell.common = data.commonCells.contains(it.key());
        cell.answers = answers;
        if (found != consensus.cend())
            cell.consensus = *found;
        report.disagreements.append(cell);
    }
    for (auto it = sums.cbegin(); it != sums.cend(); ++it) {
        ClassAgreement entry;
        entry.classId = it.key();
        entry.answers = it->answers;
        if (it->pairs > 0)
            entry.specificAgreement = double(it->agreeingPairs) / double(it->pairs);
        entry.consensusCells = it->consensusCells;
        entry.unanimousCells = it->unanimousCells;
        report.classes.append(entry);
    }
    // Compare shares without division: a/b < c/d <=> a*d < c*b (b, d > 0).
    std::stable_sort(report.disagreements.begin(), report.disagreements.end(),
                     [](const CellDisagreement &a, const CellDisagreement &b) {
                         const long long left = static_cast<long long>(a.consensus.winningVotes) * b.consensus.votes;
                         const long long right = static_cast<long long>(b.consensus.winningVotes) * a.consensus.votes;
                         return left < right;
                     });
    return report;
}

} // namespace cytodiff::labelling
