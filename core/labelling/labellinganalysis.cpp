#include "labellinganalysis.h"

#include "consensus.h"
#include "csvfield.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <map>

namespace cytodiff::labelling {
namespace {

const char *const kConfidenceNames[4] = {"High", "Moderate", "Low", "No"};

QMap<qint64, double> experienceById(const LabellingData &data)
{
    QMap<qint64, double> years;
    for (const auto &labeller : data.labellers)
        years.insert(labeller.id, labeller.yearsExperience);
    return years;
}

std::optional<CellConsensus> consensusOf(qint64 cellId, const QList<const db::ActiveLabel *> &answers,
                                         const QMap<qint64, double> &years)
{
    // Classes become indices in order of first appearance; only equality
    // matters to the vote.
    QStringList classes;
    std::vector<stats::Vote> votes;
    for (const db::ActiveLabel *answer : answers) {
        qsizetype index = classes.indexOf(answer->labelClass);
        if (index < 0) {
            classes.append(answer->labelClass);
            index = classes.size() - 1;
        }
        votes.push_back({answer->labellerId, int(index), confidenceLevel(answer->confidence),
                         years.value(answer->labellerId, 0.0)});
    }
    auto result = stats::consensus(votes);
    if (!result)
        return std::nullopt;
    CellConsensus cell;
    cell.cellId = cellId;
    cell.labelClass = classes.at(result->category);
    cell.confidence = result->confidence;
    cell.votes = result->votes;
    cell.winningVotes = result->winningVotes;
    cell.tieBroken = result->tieBroken;
    return cell;
}

QJsonObject kappaJson(const stats::KappaResult &kappa)
{
    return {{QStringLiteral("kappa"), kappa.kappa},
            {QStringLiteral("observed_agreement"), kappa.observed},
            {QStringLiteral("chance_agreement"), kappa.expected},
            {QStringLiteral("cells"), kappa.items}};
}

QString number(double value) { return QString::number(value, 'f', 3); }

} // namespace

const QStringList &defaultClasses()
{
    static const QStringList classes = {
        QStringLiteral("basophil"),  QStringLiteral("blast"),        QStringLiteral("lymphocyte"),
        QStringLiteral("monocyte"),  QStringLiteral("neutrophil"),   QStringLiteral("erythroblast"),
        QStringLiteral("eosinophil"), QStringLiteral("ig"),          QStringLiteral("platelet"),
        QStringLiteral("artefact")};
    return classes;
}

Result<QStringList> classesOfSessions(const db::Database &database)
{
    auto sessions = database.listLabellingSessions();
    if (!sessions)
        return makeError(sessions.error());
    QStringList classes;
    for (const auto &session : *sessions)
        for (const QString &c : session.classes)
            if (!classes.contains(c))
                classes.append(c);
    return classes;
}

int confidenceLevel(db::LabelConfidence confidence)
{
    switch (confidence) {
    case db::LabelConfidence::High:
        return 0;
    case db::LabelConfidence::Moderate:
        return 1;
    case db::LabelConfidence::Low:
        return 2;
    case db::LabelConfidence::No:
        break;
    }
    return 3;
}

Result<LabellingData> loadLabellingData(const db::Database &database)
{
    LabellingData data;
    auto labellers = database.listLabellers();
    if (!labellers)
        return makeError(labellers.error());
    data.labellers = *labellers;
    auto labels = database.activeLabels();
    if (!labels)
        return makeError(labels.error());
    data.labels = *labels;
    auto common = database.commonCells();
    if (!common)
        return makeError(common.error());
    data.commonCells = QSet<qint64>(common->begin(), common->end());
    return data;
}

QMap<qint64, CellConsensus> computeConsensus(const LabellingData &data)
{
    const auto years = experienceById(data);
    QMap<qint64, QList<const db::ActiveLabel *>> byCell;
    for (const auto &label : data.labels)
        byCell[label.cellId].append(&label);
    QMap<qint64, CellConsensus> result;
    for (auto it = byCell.cbegin(); it != byCell.cend(); ++it)
        if (auto cell = consensusOf(it.key(), it.value(), years))
            result.insert(it.key(), *cell);
    return result;
}

std::optional<CellConsensus> consensusOfCell(const LabellingData &data, qint64 cellId)
{
    QList<const db::ActiveLabel *> answers;
    for (const auto &label : data.labels)
        if (label.cellId == cellId)
            answers.append(&label);
    return consensusOf(cellId, answers, experienceById(data));
}

QString labelsImrmc(const db::Database &database, const LabellingData &data, const QString &classId, int *skipped)
{
    QHash<qint64, QString> names;
    for (const db::LabellerRow &labeller : data.labellers)
        names.insert(labeller.id, db::imrmcId(labeller.name));
    QMap<qint64, bool> truthOf;
    QSet<qint64> readers;
    QString rows;
    int without = 0;
    for (const db::ActiveLabel &label : data.labels) {
        if (!truthOf.contains(label.cellId)) {
            auto cell = database.cell(label.cellId);
            if (!cell || cell->labelClass.isEmpty()) {
                ++without;
                continue;
            }
            truthOf.insert(label.cellId, cell->labelClass == classId);
        }
        // High (level 0) -> 4 ... No (level 3) -> 1.
        const int score = label.labelClass == classId ? 4 - confidenceLevel(label.confidence) : 0;
        rows += QStringLiteral("%1,cell%2,expert,%3\n").arg(names.value(label.labellerId)).arg(label.cellId).arg(score);
        readers.insert(label.labellerId);
    }
    if (skipped)
        *skipped = without;
    const qsizetype positives = std::count(truthOf.cbegin(), truthOf.cend(), true);
    QString text = QStringLiteral("CytoDiff expert labels: %1 against the other classes; truth = the imported label; "
                                  "score 0 = another class, 1-4 = this class with No/Low/Moderate/High "
                                  "confidence.\n")
                       .arg(classId);
    text += QStringLiteral("NR: %1\nN0: %2\nN1: %3\nNM: 1\nBEGIN DATA:\n")
                .arg(readers.size())
                .arg(truthOf.size() - positives)
                .arg(positives);
    for (auto it = truthOf.cbegin(); it != truthOf.cend(); ++it)
        text += QStringLiteral("-1,cell%1,truth,%2\n").arg(it.key()).arg(it.value() ? 1 : 0);
    return text + rows;
}

QString consensusCsv(const db::Database &database, const LabellingData &data,
                     const QMap<qint64, CellConsensus> &consensus)
{
    QString csv = QStringLiteral("cell_id,case,original_name,consensus_class,consensus_confidence,answers,"
                                 "agreeing_answers,tie_broken,common_subset\n");
    for (const auto &cell : consensus) {
        // A cell that cannot be read still gets its line, with the names
        // empty: the consensus itself is known.
        auto summary = database.cell(cell.cellId);
        QString caseName;
        if (summary)
            if (auto row = database.caseById(summary->caseId))
                caseName = row->name;
        csv += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                   .arg(cell.cellId)
                   .arg(db::csvField(caseName), db::csvField(summary ? summary->originalName : QString()),
                        db::csvField(cell.labelClass))
                   .arg(QString::number(cell.confidence, 'f', 4))
                   .arg(cell.votes)
                   .arg(cell.winningVotes)
                   .arg(cell.tieBroken ? 1 : 0)
                   .arg(data.commonCells.contains(cell.cellId) ? 1 : 0);
    }
    return csv;
}

AgreementReport computeAgreement(const LabellingData &data, AgreementScope scope)
{
    AgreementReport report;
    report.scope = scope;
    report.labellers = data.labellers;
    std::sort(report.labellers.begin(), report.labellers.end(),
              [](const db::LabellerRow &a, const db::LabellerRow &b) { return a.id < b.id; });

    QList<const db::ActiveLabel *> inScope;
    QSet<QString> classSet;
    for (const auto &label : data.labels) {
        if (scope == AgreementScope::CommonSubset && !data.commonCells.contains(label.cellId))
            continue;
        inScope.append(&label);
        classSet.insert(label.labelClass);
    }
    report.classes = QStringList(classSet.begin(), classSet.end());
    std::sort(report.classes.begin(), report.classes.end());

    // Tables indexed [cell][labeller] with kNoRating for "did not answer".
    QMap<qint64, int> labellerColumn;
    for (int i = 0; i < report.labellers.size(); ++i)
        labellerColumn.insert(report.labellers[i].id, i);
    QMap<qint64, int> cellRow;
    for (const auto *label : inScope)
        if (!cellRow.contains(label->cellId))
            cellRow.insert(label->cellId, int(cellRow.size()));
    // QMap insertion order is not row order: number rows after collecting.
    int row = 0;
    for (auto it = cellRow.begin(); it != cellRow.end(); ++it)
        it.value() = row++;
    const std::size_t raters = std::size_t(report.labellers.size());
    std::vector<std::vector<int>> classes(std::size_t(cellRow.size()), std::vector<int>(raters, stats::kNoRating));
    std::vector<std::vector<int>> levels = classes;
    for (const auto *label : inScope) {
        if (!labellerColumn.contains(label->labellerId))
            continue;
        const std::size_t r = std::size_t(cellRow.value(label->cellId));
        const std::size_t c = std::size_t(labellerColumn.value(label->labellerId));
        classes[r][c] = int(report.classes.indexOf(label->labelClass));
        levels[r][c] = confidenceLevel(label->confidence);
    }
    report.cellsRated = int(classes.size());
    for (const auto &cells : classes)
        report.cellsMultiRated += std::count_if(cells.begin(), cells.end(), [](int v) { return v >= 0; }) >= 2;

    const int categories = int(report.classes.size());
    for (std::size_t a = 0; a < raters; ++a) {
        for (std::size_t b = a + 1; b < raters; ++b) {
            std::vector<int> columnA, columnB;
            for (const auto &cells : classes) {
                columnA.push_back(cells[a]);
                columnB.push_back(cells[b]);
            }
            PairAgreement pair;
            pair.labellerA = report.labellers[int(a)].id;
            pair.labellerB = report.labellers[int(b)].id;
            pair.nameA = report.labellers[int(a)].name;
            pair.nameB = report.labellers[int(b)].name;
            pair.kappa = stats::cohenKappa(columnA, columnB, categories);
            report.pairs.append(pair);
        }
    }
    report.fleiss = stats::fleissKappaEqualRaters(classes, categories, &report.fleissRaters);
    report.confidence = stats::confidenceConfusion(levels);
    for (const auto &line : report.confidence)
        for (long long value : line)
            report.orderedComparisons += value;
    return report;
}

QJsonObject agreementJson(const AgreementReport &report)
{
    QJsonObject root;
    root.insert(QStringLiteral("scope"), report.scope == AgreementScope::CommonSubset ? QStringLiteral("common_subset")
                                                                                       : QStringLiteral("all_cells"));
    root.insert(QStringLiteral("classes"), QJsonArray::fromStringList(report.classes));
    QJsonArray labellers;
    for (const auto &labeller : report.labellers)
        labellers.append(QJsonObject{{QStringLiteral("id"), labeller.id},
                                     {QStringLiteral("name"), labeller.name},
                                     {QStringLiteral("years_experience"), labeller.yearsExperience}});
    root.insert(QStringLiteral("labellers"), labellers);
    root.insert(QStringLiteral("cells_rated"), report.cellsRated);
    root.insert(QStringLiteral("cells_rated_by_two_or_more"), report.cellsMultiRated);
    QJsonArray pairs;
    for (const auto &pair : report.pairs) {
        QJsonObject object{{QStringLiteral("a"), pair.nameA}, {QStringLiteral("b"), pair.nameB}};
        if (pair.kappa)
            object.insert(QStringLiteral("cohen"), kappaJson(*pair.kappa));
        else
            object.insert(QStringLiteral("cohen"), QJsonValue());
        pairs.append(object);
    }
    root.insert(QStringLiteral("pairs"), pairs);
    if (report.fleiss) {
        QJsonObject fleiss = kappaJson(*report.fleiss);
        fleiss.insert(QStringLiteral("raters_per_cell"), report.fleissRaters);
        root.insert(QStringLiteral("fleiss"), fleiss);
    } else {
        root.insert(QStringLiteral("fleiss"), QJsonValue());
    }
    QJsonArray matrix;
    for (const auto &line : report.confidence) {
        QJsonArray values;
        for (long long value : line)
            values.append(double(value));
        matrix.append(values);
    }
    QJsonObject confidence{{QStringLiteral("levels"), QJsonArray{QStringLiteral("High"), QStringLiteral("Moderate"),
                                                                 QStringLiteral("Low"), QStringLiteral("No")}},
                           {QStringLiteral("matrix"), matrix},
                           {QStringLiteral("ordered_comparisons"), double(report.orderedComparisons)},
                           {QStringLiteral("unordered_pairs"), double(report.orderedComparisons / 2)}};
    root.insert(QStringLiteral("confidence_confusion"), confidence);
    return root;
}

QString agreementMarkdown(const AgreementReport &report)
{
    QString text;
    text += QStringLiteral("# Inter-rater agreement\n\n");
    text += QStringLiteral("Scope: %1. %2 cells answered, %3 by two or more labellers.\n\n")
                .arg(report.scope == AgreementScope::CommonSubset ? QStringLiteral("common subset")
                                                                  : QStringLiteral("all labelled cells"))
                .arg(report.cellsRated)
                .arg(report.cellsMultiRated);
    text += QStringLiteral("## Cohen's kappa per pair (cells both labelled)\n\n| labeller A | labeller B | cells | "
                           "observed | chance | kappa |\n|---|---|---:|---:|---:|---:|\n");
    for (const auto &pair : report.pairs) {
        if (pair.kappa)
            text += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 |\n")
                        .arg(pair.nameA, pair.nameB)
                        .arg(pair.kappa->items)
                        .arg(number(pair.kappa->observed), number(pair.kappa->expected), number(pair.kappa->kappa));
        else
            text += QStringLiteral("| %1 | %2 | 0 | | | no cell in common |\n").arg(pair.nameA, pair.nameB);
    }
    text += QStringLiteral("\n## Fleiss' kappa\n\n");
    if (report.fleiss)
        text += QStringLiteral("kappa %1 on %2 cells with %3 labellers each (observed %4, chance %5). Cells with "
                               "another number of labellers are left out: Fleiss' kappa needs the same number "
                               "per cell.\n")
                    .arg(number(report.fleiss->kappa))
                    .arg(report.fleiss->items)
                    .arg(report.fleissRaters)
                    .arg(number(report.fleiss->observed), number(report.fleiss->expected));
    else
        text += QStringLiteral("not available: no cell has two or more labellers.\n");
    text += QStringLiteral("\n## Confidence confusion matrix (paper, supplementary Figure 9)\n\n"
                           "Every ordered pair of two labellers who both answered a cell adds one count "
                           "(rows: one labeller's confidence, columns: the other's). %1 ordered comparisons "
                           "= %2 labeller pairs.\n\n| | High | Moderate | Low | No |\n|---|---:|---:|---:|---:|\n")
                .arg(report.orderedComparisons)
                .arg(report.orderedComparisons / 2);
    for (int i = 0; i < 4; ++i) {
        text += QStringLiteral("| %1 |").arg(QLatin1String(kConfidenceNames[i]));
        for (int j = 0; j < 4; ++j)
            text += QStringLiteral(" %1 |").arg(report.confidence[std::size_t(i)][std::size_t(j)]);
        text += QLatin1Char('\n');
    }
    return text;
}

} // namespace cytodiff::labelling
