// Database's expert-labelling methods (migration 2): labelling sessions
// with their progress, undo, the current answers, and the label audit.
// Only SQL lives here; majority votes and kappas are in core/stats and
// core/labelling.

#include "database.h"

#include "rowreaders.h"
#include "transaction.h"

namespace cytodiff::db {
namespace {

LabellerRow readLabeller(const Statement &s)
{
    return LabellerRow{s.int64(0), s.text(1), s.int32(2)};
}

std::string quoted(const QString &text)
{
    return QStringLiteral("'%1'").arg(text).toStdString();
}

// Class ids never contain a comma (they are canonical ids or export codes
// without separators), so a comma list is enough and stays readable.
QString joinClasses(const QStringList &classes) { return classes.join(QLatin1Char(',')); }
QStringList splitClasses(const QString &text) { return text.split(QLatin1Char(','), Qt::SkipEmptyParts); }

constexpr std::string_view kSessionColumns =
    "SELECT s.id, s.name, s.labeller_id, l.name, s.kind, s.classes, s.created_at, s.position, "
    "(SELECT COUNT(*) FROM labelling_session_cells x WHERE x.session_id = s.id), s.completed_at "
    "FROM labelling_sessions s JOIN labellers l ON l.id = s.labeller_id ";

LabellingSessionRow readSession(const Statement &s)
{
    LabellingSessionRow row;
    row.id = s.int64(0);
    row.name = s.text(1);
    row.labellerId = s.int64(2);
    row.labellerName = s.text(3);
    row.kind = s.text(4) == QLatin1String("audit") ? SessionKind::Audit : SessionKind::Label;
    row.classes = splitClasses(s.text(5));
    row.createdAt = fromDbTime(s.text(6));
    row.position = s.int32(7);
    row.total = s.int32(8);
    row.completedAt = fromDbTime(s.text(9));
    return row;
}

} // namespace

QString sessionKindName(SessionKind kind)
{
    return kind == SessionKind::Audit ? QStringLiteral("audit") : QStringLiteral("label");
}

// ---------------------------------------------------------------- labellers

Result<LabellerRow> Database::labeller(qint64 labellerId) const
{
    auto query = prepare("SELECT id, name, years_experience FROM labellers WHERE id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, labellerId);
    return singleRow<LabellerRow>(*query, readLabeller, "no labeller with id " + std::to_string(labellerId));
}

Result<QList<LabellerRow>> Database::listLabellers() const
{
    auto query = prepare("SELECT id, name, years_experience FROM labellers ORDER BY name");
    if (!query)
        return makeError(query.error());
    return collectRows<LabellerRow>(*query, readLabeller);
}

Result<void> Database::updateLabeller(qint64 labellerId, const QString &name, int yearsExperience)
{
    if (auto writable = ensureWritable(); !writable)
        return writable;
    if (name.trimmed().isEmpty())
        return makeError("a labeller needs a name");
    if (yearsExperience < 0)
        return makeError("years of experience cannot be negative");
    auto update = prepare("UPDATE labellers SET name = ?, years_experience = ? WHERE id = ?");
    if (!update)
        return makeError(update.error());
    update->bind(1, name.trimmed()).bind(2, yearsExperience).bind(3, labellerId);
    if (auto done = update->exec(); !done)
        return makeError("cannot change labeller " + quoted(name) + " (is the name taken?): " + done.error());
    return {};
}

// ---------------------------------------------------------------- sessions

Result<qint64> Database::createLabellingSession(const NewLabellingSession &session)
{
    if (session.name.trimmed().isEmpty())
        return makeError("a labelling session needs a name");
    if (session.cellIds.isEmpty())
        return makeError("a labelling session needs at least one cell");
    if (session.classes.isEmpty())
        return makeError("a labelling session needs a class list");
    for (const QString &c : session.classes)
        if (c.contains(QLatin1Char(',')) || c.trimmed().isEmpty())
            return makeError("class " + quoted(c) + " is not a valid class id (no commas, not empty)");
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    auto who = labeller(session.labellerId);
    if (!who)
        return makeError(who.error());
    auto insert = prepare("INSERT INTO labelling_sessions (name, labeller_id, kind, classes, created_at, position) "
                          "VALUES (?, ?, ?, ?, ?, 0) RETURNING id");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, session.name.trimmed())
        .bind(2, session.labellerId)
        .bind(3, sessionKindName(session.kind))
        .bind(4, joinClasses(session.classes))
        .bind(5, nowText());
    auto id = insert->execReturningId();
    if (!id)
        return makeError("cannot create session " + quoted(session.name) + ": " + id.error());

    auto cell = prepare("INSERT INTO labelling_session_cells (session_id, position, cell_id, common) "
                        "VALUES (?, ?, ?, ?)");
    if (!cell)
        return makeError(cell.error());
    for (qsizetype i = 0; i < session.cellIds.size(); ++i) {
        const qint64 cellId = session.cellIds[i];
        cell->bind(1, *id).bind(2, int(i)).bind(3, cellId).bind(4, session.commonCells.contains(cellId) ? 1 : 0);
        if (auto added = cell->exec(); !added)
            return makeError("cannot add cell " + std::to_string(cellId) + " to the session (does it exist, "
                             "is it listed twice?): " + added.error());
        cell->reset();
    }
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return *id;
}

Result<QList<LabellingSessionRow>> Database::listLabellingSessions() const
{
    auto query = prepare(std::string(kSessionColumns) + "ORDER BY s.id");
    if (!query)
        return makeError(query.error());
    return collectRows<LabellingSessionRow>(*query, readSession);
}

Result<LabellingSessionRow> Database::labellingSession(qint64 sessionId) const
{
    auto query = prepare(std::string(kSessionColumns) + "WHERE s.id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, sessionId);
    return singleRow<LabellingSessionRow>(*query, readSession, "no labelling session with id " + std::to_string(sessionId));
}

Result<QList<SessionCell>> Database::sessionCells(qint64 sessionId) const
{
    auto query = prepare("SELECT position, cell_id, common FROM labelling_session_cells WHERE session_id = ? "
                         "ORDER BY position");
    if (!query)
        return makeError(query.error());
    query->bind(1, sessionId);
    return collectRows<SessionCell>(*query, [](const Statement &s) {
        return SessionCell{s.int32(0), s.int64(1), s.int64(2) != 0};
    });
}

Result<QList<qint64>> Database::commonCells() const
{
    auto query = prepare("SELECT DISTINCT cell_id FROM labelling_session_cells WHERE common = 1 ORDER BY cell_id");
    if (!query)
        return makeError(query.error());
    return collectRows<qint64>(*query, [](const Statement &s) { return s.int64(0); });
}

Result<QMap<qint64, int>> Database::sessionCoverage() const
{
    auto query = prepare("SELECT c.cell_id, COUNT(*) FROM labelling_session_cells c "
                         "JOIN labelling_sessions s ON s.id = c.session_id WHERE s.kind = 'label' GROUP BY c.cell_id");
    if (!query)
        return makeError(query.error());
    QMap<qint64, int> coverage;
    for (;;) {
        auto more = query->step();
        if (!more)
            return makeError(more.error());
        if (!*more)
            return coverage;
        coverage.insert(query->int64(0), query->int32(1));
    }
}

Result<qint64> Database::answerCurrentCell(qint64 sessionId, const QString &labelClass, LabelConfidence confidence)
{
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    auto session = labellingSession(sessionId);
    if (!session)
        return makeError(session.error());
    if (session->isComplete())
        return makeError("session " + quoted(session->name) + " is complete: every cell has an answer");
    if (!session->classes.contains(labelClass))
        return makeError("class " + quoted(labelClass) + " is not in the class list of session " +
                         quoted(session->name));
    auto cellAt = prepare("SELECT cell_id FROM labelling_session_cells WHERE session_id = ? AND position = ?");
    if (!cellAt)
        return makeError(cellAt.error());
    cellAt->bind(1, sessionId).bind(2, session->position);
    auto found = cellAt->step();
    if (!found)
        return makeError(found.error());
    if (!*found)
        return makeError("internal error: session " + std::to_string(sessionId) + " has no cell at position " +
                         std::to_string(session->position));
    const qint64 cellId = cellAt->int64(0);
    cellAt->reset();

    auto labelId = addExpertLabel(cellId, session->labellerId, labelClass, confidence, sessionId);
    if (!labelId)
        return makeError(labelId.error());
    const int next = session->position + 1;
    auto advance = prepare("UPDATE labelling_sessions SET position = ?, completed_at = ? WHERE id = ?");
    if (!advance)
        return makeError(advance.error());
    advance->bind(1, next).bindOptional(2, next >= session->total ? nowText() : QString()).bind(3, sessionId);
    if (auto moved = advance->exec(); !moved)
        return makeError("cannot save the session's progress: " + moved.error());
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return *labelId;
}

Result<int> Database::undoLastAnswer(qint64 sessionId)
{
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    auto session = labellingSession(sessionId);
    if (!session)
        return makeError(session.error());
    if (session->position <= 0)
        return makeError("nothing to undo: no cell of session " + quoted(session->name) + " has an answer yet");
    const int previous = session->position - 1;
    auto last = prepare("SELECT l.id, l.cell_id, l.class, l.confidence FROM labels l "
                        "JOIN labelling_session_cells c ON c.cell_id = l.cell_id AND c.session_id = l.session_id "
                        "WHERE l.session_id = ? AND c.position = ? AND l.withdrawn_at IS NULL "
                        "ORDER BY l.id DESC LIMIT 1");
    if (!last)
        return makeError(last.error());
    last->bind(1, sessionId).bind(2, previous);
    auto found = last->step();
    if (!found)
        return makeError(found.error());
    if (*found) {
        const qint64 labelId = last->int64(0);
        const qint64 cellId = last->int64(1);
        const QString oldValue = last->text(2) + QLatin1Char('/') + last->text(3);
        last->reset();
        auto withdraw = prepare("UPDATE labels SET withdrawn_at = ? WHERE id = ?");
        if (!withdraw)
            return makeError(withdraw.error());
        withdraw->bind(1, nowText()).bind(2, labelId);
        if (auto done = withdraw->exec(); !done)
            return makeError("cannot take the answer back: " + done.error());
        AuditEntry entry;
        entry.actor = session->labellerName;
        entry.action = QStringLiteral("unlabel");
        entry.entity = QStringLiteral("cell");
        entry.entityId = cellId;
        entry.oldValue = oldValue;
        entry.reason = QStringLiteral("undo in labelling session %1").arg(sessionId);
        if (auto logged = appendAudit(entry); !logged)
            return makeError(logged.error());
    }
    auto back = prepare("UPDATE labelling_sessions SET position = ?, completed_at = NULL WHERE id = ?");
    if (!back)
        return makeError(back.error());
    back->bind(1, previous).bind(2, sessionId);
    if (auto moved = back->exec(); !moved)
        return makeError("cannot save the session's progress: " + moved.error());
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return previous;
}

Result<QList<ActiveLabel>> Database::activeLabels() const
{
    // Per (cell, labeller) the newest answer not taken back; answers from
    // audit sessions count like any other (they are expert labels too).
    auto query = prepare("SELECT l.id, l.cell_id, l.labeller_id, l.session_id, l.class, l.confidence FROM labels l "
                         "WHERE l.withdrawn_at IS NULL AND l.id = (SELECT MAX(l2.id) FROM labels l2 "
                         "WHERE l2.cell_id = l.cell_id AND l2.labeller_id = l.labeller_id "
                         "AND l2.withdrawn_at IS NULL) ORDER BY l.cell_id, l.labeller_id");
    if (!query)
        return makeError(query.error());
    return collectRows<ActiveLabel>(*query, [](const Statement &s) {
        ActiveLabel label;
        label.labelId = s.int64(0);
        label.cellId = s.int64(1);
        label.labellerId = s.int64(2);
        if (!s.isNull(3))
            label.sessionId = s.int64(3);
        label.labelClass = s.text(4);
        label.confidence = labelConfidenceFromName(s.text(5)).value_or(LabelConfidence::No);
        return label;
    });
}

Result<QList<SessionAnswer>> sessionAnswers(const Database &database, qint64 sessionId)
{
    // A position has one answer that is not withdrawn (a new answer needs
    // an undo first); ordered by label id so that, should that ever not
    // hold, the newest wins below, as in activeLabels().
    auto query = database.prepare(
        "SELECT c.position, c.cell_id, l.class, l.confidence FROM labelling_session_cells c "
        "JOIN labels l ON l.session_id = c.session_id AND l.cell_id = c.cell_id "
        "WHERE c.session_id = ? AND l.withdrawn_at IS NULL ORDER BY c.position, l.id");
    if (!query)
        return makeError(query.error());
    query->bind(1, sessionId);
    auto rows = collectRows<SessionAnswer>(*query, [](const Statement &s) {
        return SessionAnswer{s.int32(0), s.int64(1), s.text(2),
                             labelConfidenceFromName(s.text(3)).value_or(LabelConfidence::No)};
    });
    if (!rows)
        return makeError(rows.error());
    QList<SessionAnswer> answers;
    for (const SessionAnswer &answer : *rows) {
        if (!answers.isEmpty() && answers.last().position == answer.position)
            answers.last() = answer;
        else
            answers.append(answer);
    }
    return answers;
}

Result<QStringList> workspaceClasses(const Database &database)
{
    // UNION removes duplicates; no index covers label_class, but this runs
    // once when a new session is planned, not per cell shown.
    auto query = database.prepare(
        "SELECT label_class FROM cells WHERE label_class IS NOT NULL AND label_class <> '' "
        "UNION SELECT predicted_class FROM predictions WHERE predicted_class <> '' "
        "UNION SELECT class FROM labels WHERE class <> '' ORDER BY 1");
    if (!query)
        return makeError(query.error());
    auto rows = collectRows<QString>(*query, [](const Statement &s) { return s.text(0); });
    if (!rows)
        return makeError(rows.error());
    return QStringList(*rows);
}

// ---------------------------------------------------------------- audit

Result<QList<PredictionRow>> Database::latestPredictionsByModelPrefix(const QString &prefix) const
{
    // substr instead of LIKE: model ids may contain % or _.
    auto query = prepare(std::string(kPredictionColumns) +
                         "WHERE p.id = (SELECT MAX(p2.id) FROM predictions p2 WHERE p2.cell_id = p.cell_id "
                         "AND substr(p2.model_id, 1, ?) = ?) ORDER BY p.cell_id");
    if (!query)
        return makeError(query.error());
    query->bind(1, int(prefix.size())).bind(2, prefix);
    return collectRows<PredictionRow>(*query, readPrediction);
}

Result<qint64> Database::queueAuditItem(const NewAuditItem &item)
{
    if (item.reviewerIds.size() < 1)
        return makeError("an audit item needs its reviewers");
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    auto open = prepare("SELECT id FROM label_audit_items WHERE cell_id = ? AND status = 'open'");
    if (!open)
        return makeError(open.error());
    open->bind(1, item.cellId);
    auto already = open->step();
    if (!already)
        return makeError(already.error());
    if (*already)
        return makeError("cell " + std::to_string(item.cellId) + " is already queued for audit");
    open->reset();
    auto insert = prepare("INSERT INTO label_audit_items (cell_id, prediction_id, predicted_class, consensus_before, "
                          "status, queued_at) VALUES (?, ?, ?, ?, 'open', ?) RETURNING id");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, item.cellId).bind(2, item.predictionId).bind(3, item.predictedClass)
        .bind(4, item.consensusBefore).bind(5, nowText());
    auto id = insert->execReturningId();
    if (!id)
        return makeError("cannot queue cell " + std::to_string(item.cellId) + " for audit: " + id.error());
    auto reviewer = prepare("INSERT INTO label_audit_reviewers (item_id, labeller_id) VALUES (?, ?)");
    if (!reviewer)
        return makeError(reviewer.error());
    for (qint64 labellerId : item.reviewerIds) {
        reviewer->bind(1, *id).bind(2, labellerId);
        if (auto added = reviewer->exec(); !added)
            return makeError("cannot assign reviewer " + std::to_string(labellerId) + ": " + added.error());
        reviewer->reset();
    }
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return *id;
}

Result<void> Database::setAuditReviewerSession(qint64 itemId, qint64 labellerId, qint64 sessionId)
{
    if (auto writable = ensureWritable(); !writable)
        return writable;
    auto update = prepare("UPDATE label_audit_reviewers SET session_id = ? WHERE item_id = ? AND labeller_id = ?");
    if (!update)
        return makeError(update.error());
    update->bind(1, sessionId).bind(2, itemId).bind(3, labellerId);
    return update->exec();
}

Result<QList<AuditItemRow>> Database::auditItems() const
{
    auto query = prepare("SELECT id, cell_id, prediction_id, predicted_class, consensus_before, status, "
                         "consensus_after, queued_at, resolved_at FROM label_audit_items ORDER BY id");
    if (!query)
        return makeError(query.error());
    auto items = collectRows<AuditItemRow>(*query, [](const Statement &s) {
        AuditItemRow row;
        row.id = s.int64(0);
        row.cellId = s.int64(1);
        row.predictionId = s.int64(2);
        row.predictedClass = s.text(3);
        row.consensusBefore = s.text(4);
        row.status = s.text(5);
        row.consensusAfter = s.text(6);
        row.queuedAt = fromDbTime(s.text(7));
        row.resolvedAt = fromDbTime(s.text(8));
        return row;
    });
    if (!items)
        return items;
    auto reviewers = prepare("SELECT item_id, labeller_id FROM label_audit_reviewers ORDER BY item_id, labeller_id");
    if (!reviewers)
        return makeError(reviewers.error());
    QMap<qint64, QList<qint64>> byItem;
    for (;;) {
        auto more = reviewers->step();
        if (!more)
            return makeError(more.error());
        if (!*more)
            break;
        byItem[reviewers->int64(0)].append(reviewers->int64(1));
    }
    for (AuditItemRow &row : *items)
        row.reviewerIds = byItem.value(row.id);
    return items;
}

Result<void> Database::resolveAuditItem(qint64 itemId, const QString &consensusAfter, const QString &actor,
                                        const QString &reason)
{
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    auto item = prepare("SELECT cell_id, consensus_before, status FROM label_audit_items WHERE id = ?");
    if (!item)
        return makeError(item.error());
    item->bind(1, itemId);
    auto found = item->step();
    if (!found)
        return makeError(found.error());
    if (!*found)
        return makeError("no audit item with id " + std::to_string(itemId));
    const qint64 cellId = item->int64(0);
    const QString before = item->text(1);
    const bool isOpen = item->text(2) == QLatin1String("open");
    item->reset();
    if (!isOpen)
        return makeError("audit item " + std::to_string(itemId) + " is already resolved");
    auto update = prepare("UPDATE label_audit_items SET status = 'resolved', consensus_after = ?, resolved_at = ? "
                          "WHERE id = ?");
    if (!update)
        return makeError(update.error());
    update->bind(1, consensusAfter).bind(2, nowText()).bind(3, itemId);
    if (auto done = update->exec(); !done)
        return makeError("cannot resolve audit item " + std::to_string(itemId) + ": " + done.error());
    AuditEntry entry;
    entry.actor = actor;
    entry.action = QStringLiteral("audit");
    entry.entity = QStringLiteral("cell");
    entry.entityId = cellId;
    entry.oldValue = before;
    entry.newValue = consensusAfter;
    entry.reason = reason;
    if (auto logged = appendAudit(entry); !logged)
        return makeError(logged.error());
    return transaction->commit();
}

} // namespace cytodiff::db
