#include "reviewstore.h"

#include "database.h"

namespace cytodiff::review {

Result<QSet<qint64>> ReviewStore::reviewedCells(const db::Database &database, qint64 caseId)
{
    // In id order, so the newest entry of each cell is applied last. The
    // case's cells as an IN list let SQLite look up (entity, entity_id);
    // written as a join it walks every cell entry of the workspace.
    auto query = database.prepare("SELECT a.entity_id, a.action FROM audit_log a "
                                  "WHERE a.entity = 'cell' "
                                  "AND a.entity_id IN (SELECT c.id FROM cells c WHERE c.case_id = ?) "
                                  "AND a.action IN ('relabel', 'amend', 'verify', 'unreview') ORDER BY a.id");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId);
    QSet<qint64> reviewed;
    for (;;) {
        auto more = query->step();
        if (!more)
            return makeError(more.error());
        if (!*more)
            return reviewed;
        if (query->text(1) == ReviewActions::kUnreview)
            reviewed.remove(query->int64(0));
        else
            reviewed.insert(query->int64(0));
    }
}

Result<QHash<qint64, QString>> ReviewStore::labelsBeforeReview(const db::Database &database, qint64 caseId)
{
    // Same shape as reviewedCells, so it stays an index lookup per cell.
    auto query = database.prepare("SELECT a.entity_id, a.old_value FROM audit_log a "
                                  "WHERE a.entity = 'cell' "
                                  "AND a.entity_id IN (SELECT c.id FROM cells c WHERE c.case_id = ?) "
                                  "AND a.action IN ('relabel', 'amend') ORDER BY a.id");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId);
    QHash<qint64, QString> before;
    for (;;) {
        auto more = query->step();
        if (!more)
            return makeError(more.error());
        if (!*more)
            return before;
        const qint64 cellId = query->int64(0);
        if (!before.contains(cellId))
            before.insert(cellId, query->isNull(1) ? QString() : query->text(1));
    }
}

Result<void> ReviewStore::setReviewed(db::Database &database, qint64 cellId, bool reviewed, const QString &classId,
                                      const QString &actor, const QString &reason)
{
    db::AuditEntry entry;
    entry.actor = actor;
    entry.action = reviewed ? ReviewActions::kVerify : ReviewActions::kUnreview;
    entry.entity = QStringLiteral("cell");
    entry.entityId = cellId;
    entry.oldValue = classId;
    entry.newValue = classId;
    entry.reason = reason;
    auto logged = database.appendAudit(entry);
    if (!logged)
        return makeError(logged.error());
    return {};
}

} // namespace cytodiff::review
