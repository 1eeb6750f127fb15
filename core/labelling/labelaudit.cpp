#include "labelaudit.h"

#include "labellinganalysis.h"
#include "transaction.h"

#include <QDate>
#include <QMap>
#include <QSet>

#include <algorithm>

namespace cytodiff::labelling {

Result<AuditQueueOutcome> queueDisagreements(db::Database &database, const QStringList &classes,
                                             const QString &modelPrefix)
{
    auto data = loadLabellingData(database);
    if (!data)
        return makeError(data.error());
    if (data->labellers.size() < 2)
        return makeError("the audit needs at least two labellers besides those who labelled a cell");
    const auto consensus = computeConsensus(*data);
    auto predictions = database.latestPredictionsByModelPrefix(modelPrefix);
    if (!predictions)
        return makeError(predictions.error());
    if (predictions->isEmpty())
        return makeError("no cross-validated predictions (model id '" + modelPrefix.toStdString() +
                         "...'): run 'cytodiff-cli crossval-predict' first");
    auto items = database.auditItems();
    if (!items)
        return makeError(items.error());
    QSet<qint64> audited;
    for (const auto &item : *items)
        audited.insert(item.cellId);

    // Who has seen which cell: any session that presents it, or any label.
    QMap<qint64, QSet<qint64>> seenBy; // cell -> labellers
    auto sessions = database.listLabellingSessions();
    if (!sessions)
        return makeError(sessions.error());
    for (const auto &session : *sessions) {
        auto cells = database.sessionCells(session.id);
        if (!cells)
            return makeError(cells.error());
        for (const auto &cell : *cells)
            seenBy[cell.cellId].insert(session.labellerId);
    }
    for (const auto &label : data->labels)
        seenBy[label.cellId].insert(label.labellerId);

    AuditQueueOutcome outcome;
    QMap<qint64, int> assigned; // reviews given to each labeller in this run
    QMap<qint64, QList<QPair<qint64, qint64>>> perReviewer; // labeller -> (item, cell)
    auto transaction = db::Transaction::begin(database);
    if (!transaction)
        return makeError(transaction.error());
    for (const auto &prediction : *predictions) {
        const auto it = consensus.constFind(prediction.cellId);
        if (it == consensus.cend())
            continue;
        ++outcome.compared;
        if (it->labelClass == prediction.predictedClass) {
            ++outcome.agreeing;
            continue;
        }
        if (audited.contains(prediction.cellId)) {
            ++outcome.alreadyAudited;
            continue;
        }
        QList<db::LabellerRow> candidates;
        for (const auto &labeller : data->labellers)
            if (!seenBy.value(prediction.cellId).contains(labeller.id))
                candidates.append(labeller);
        if (candidates.size() < 2) {
            ++outcome.lackingReviewers;
            continue;
        }
        // Spread the work: fewest reviews so far first, then the most
        // experienced, then the earliest registered.
        std::sort(candidates.begin(), candidates.end(), [&](const db::LabellerRow &a, const db::LabellerRow &b) {
            if (assigned.value(a.id) != assigned.value(b.id))
                return assigned.value(a.id) < assigned.value(b.id);
            if (a.yearsExperience != b.yearsExperience)
                return a.yearsExperience > b.yearsExperience;
            return a.id < b.id;
        });
        db::NewAuditItem item;
        item.cellId = prediction.cellId;
        item.predictionId = prediction.id;
        item.predictedClass = prediction.predictedClass;
        item.consensusBefore = it->labelClass;
        item.reviewerIds = {candidates[0].id, candidates[1].id};
        auto id = database.queueAuditItem(item);
        if (!id)
            return makeError(id.error());
        for (qint64 reviewer : item.reviewerIds) {
            ++assigned[reviewer];
            perReviewer[reviewer].append({*id, prediction.cellId});
        }
        ++outcome.queued;
    }
    const QString date = QDate::currentDate().toString(Qt::ISODate);
    for (auto it = perReviewer.cbegin(); it != perReviewer.cend(); ++it) {
        db::NewLabellingSession session;
        QString name;
        for (const auto &labeller : data->labellers)
            if (labeller.id == it.key())
                name = labeller.name;
        session.name = QStringLiteral("Label audit %1 (%2)").arg(date, name);
        session.labellerId = it.key();
        session.kind = db::SessionKind::Audit;
        session.classes = classes.isEmpty() ? defaultClasses() : classes;
        for (const auto &[itemId, cellId] : it.value())
            session.cellIds.append(cellId);
        auto sessionId = database.createLabellingSession(session);
        if (!sessionId)
            return makeError(sessionId.error());
        for (const auto &[itemId, cellId] : it.value())
            if (auto linked = database.setAuditReviewerSession(itemId, it.key(), *sessionId); !linked)
                return makeError(linked.error());
        outcome.sessionIds.append(*sessionId);
    }
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return outcome;
}

Result<AuditResolveOutcome> resolveAudits(db::Database &database, const QString &actor)
{
    auto items = database.auditItems();
    if (!items)
        return makeError(items.error());
    AuditResolveOutcome outcome;
    bool anyOpen = std::any_of(items->begin(), items->end(),
                               [](const db::AuditItemRow &item) { return item.status == QLatin1String("open"); });
    if (!anyOpen)
        return outcome;
    auto data = loadLabellingData(database);
    if (!data)
        return makeError(data.error());
    QMap<qint64, QSet<qint64>> answeredBy; // cell -> labellers with a current answer
    for (const auto &label : data->labels)
        answeredBy[label.cellId].insert(label.labellerId);
    QMap<qint64, QString> names;
    for (const auto &labeller : data->labellers)
        names.insert(labeller.id, labeller.name);

    for (const auto &item : *items) {
        if (item.status != QLatin1String("open"))
            continue;
        const bool complete = std::all_of(item.reviewerIds.begin(), item.reviewerIds.end(),
                                          [&](qint64 id) { return answeredBy.value(item.cellId).contains(id); });
        if (!complete) {
            ++outcome.waiting;
            continue;
        }
        auto after = consensusOfCell(*data, item.cellId);
        if (!after)
            continue;
        QStringList reviewers;
        for (qint64 id : item.reviewerIds)
            reviewers.append(names.value(id));
        const QString reason = QStringLiteral("cross-validated prediction %1 disagreed with consensus %2; reviewed by %3; "
                                              "%4 of %5 answers agree")
                                   .arg(item.predictedClass, item.consensusBefore, reviewers.join(QStringLiteral(", ")))
                                   .arg(after->winningVotes)
                                   .arg(after->votes);
        if (auto resolved = database.resolveAuditItem(item.id, after->labelClass, actor, reason); !resolved)
            return makeError(resolved.error());
        ++outcome.resolved;
        outcome.changed += after->labelClass != item.consensusBefore;
    }
    return outcome;
}

} // namespace cytodiff::labelling
