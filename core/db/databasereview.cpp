// Database's review, audit and expert-labelling methods, kept apart from
// the connection and import code in database.cpp so each file stays short.
// Every change here writes its audit entry in the same transaction.

#include "database.h"

#include "transaction.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace cytodiff::db {
namespace {

std::string quoted(const QString &text)
{
    return QStringLiteral("'%1'").arg(text).toStdString();
}

AuditEntry readAudit(const Statement &s)
{
    AuditEntry entry;
    entry.id = s.int64(0);
    entry.at = fromDbTime(s.text(1));
    entry.actor = s.text(2);
    entry.action = s.text(3);
    entry.entity = s.text(4);
    entry.entityId = s.int64(5);
    entry.oldValue = s.text(6);
    entry.newValue = s.text(7);
    entry.reason = s.text(8);
    return entry;
}

} // namespace

Result<qint64> Database::appendAudit(const AuditEntry &entry)
{
    if (auto writable = ensureWritable(); !writable)
        return makeError(writable.error());
    if (entry.actor.trimmed().isEmpty())
        return makeError("an audit entry needs the name of who made the change");
    auto insert = prepare("INSERT INTO audit_log (at, actor, action, entity, entity_id, old_value, new_value, "
                          "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, entry.at.isValid() ? entry.at.toUTC().toString(Qt::ISODateWithMs) : nowText())
        .bind(2, entry.actor)
        .bind(3, entry.action)
        .bind(4, entry.entity)
        .bind(5, entry.entityId)
        .bindOptional(6, entry.oldValue)
        .bindOptional(7, entry.newValue)
        .bindOptional(8, entry.reason.isEmpty() ? QString() : entry.reason);
    auto id = insert->execReturningId();
    if (!id)
        return makeError("cannot write the audit log: " + id.error());
    return *id;
}

Result<QList<AuditEntry>> Database::auditLog(const QString &entity, qint64 entityId) const
{
    auto query = prepare("SELECT id, at, actor, action, entity, entity_id, old_value, new_value, reason "
                         "FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id");
    if (!query)
        return makeError(query.error());
    query->bind(1, entity).bind(2, entityId);
    return collectRows<AuditEntry>(*query, readAudit);
}

Result<void> Database::setLabel(qint64 cellId, const QString &labelClass, const QString &actor,
                                const QString &reason)
{
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    auto current = prepare("SELECT c.label_class, k.status, k.name FROM cells c JOIN cases k ON k.id = c.case_id "
                           "WHERE c.id = ?");
    if (!current)
        return makeError(current.error());
    current->bind(1, cellId);
    auto found = current->step();
    if (!found)
        return makeError(found.error());
    if (!*found)
        return makeError("no cell with id " + std::to_string(cellId));
    const QString oldClass = current->text(0);
    const bool isSigned = current->text(1) == QLatin1String("signed");
    const QString caseName = current->text(2);
    current->reset();

    const QString newClass = labelClass.isEmpty() ? QString() : labelClass;
    if (oldClass == newClass)
        return {}; // nothing changes, so nothing to log
    // A signed result changes only through a logged amendment with a reason.
    if (isSigned && reason.trimmed().isEmpty())
        return makeError("case " + quoted(caseName) + " is signed: give a reason to amend cell " +
                         std::to_string(cellId));

    auto update = prepare("UPDATE cells SET label_class = ? WHERE id = ?");
    if (!update)
        return makeError(update.error());
    update->bindOptional(1, newClass).bind(2, cellId);
    if (auto updated = update->exec(); !updated)
        return makeError("cannot relabel cell " + std::to_string(cellId) + ": " + updated.error());

    AuditEntry entry;
    entry.actor = actor;
    entry.action = isSigned ? QStringLiteral("amend") : QStringLiteral("relabel");
    entry.entity = QStringLiteral("cell");
    entry.entityId = cellId;
    entry.oldValue = oldClass;
    entry.newValue = newClass;
    entry.reason = reason;
    if (auto logged = appendAudit(entry); !logged)
        return makeError(logged.error());
    return transaction->commit();
}

Result<void> Database::signCase(qint64 caseId, const QString &actor, const QString &reason)
{
    if (actor.trimmed().isEmpty())
        return makeError("signing needs the signer's name");
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    auto row = caseById(caseId);
    if (!row)
        return makeError(row.error());
    if (row->isSigned())
        return makeError("case " + quoted(row->name) + " was already signed by " + row->signedBy.toStdString() +
                         " at " + row->signedAt.toString(Qt::ISODate).toStdString());
    const QString at = nowText();
    auto update = prepare("UPDATE cases SET status = 'signed', signed_by = ?, signed_at = ? WHERE id = ?");
    if (!update)
        return makeError(update.error());
    update->bind(1, actor).bind(2, at).bind(3, caseId);
    if (auto updated = update->exec(); !updated)
        return makeError("cannot sign case " + quoted(row->name) + ": " + updated.error());

    AuditEntry entry;
    entry.at = fromDbTime(at);
    entry.actor = actor;
    entry.action = QStringLiteral("sign");
    entry.entity = QStringLiteral("case");
    entry.entityId = caseId;
    entry.oldValue = QStringLiteral("open");
    entry.newValue = QStringLiteral("signed");
    entry.reason = reason;
    if (auto logged = appendAudit(entry); !logged)
        return makeError(logged.error());
    return transaction->commit();
}

namespace {
QString identifiersJson(const CaseIdentifiers &ids)
{
    const QJsonObject object{{QStringLiteral("accession"), ids.accession},
                             {QStringLiteral("specimen"), ids.specimen},
                             {QStringLiteral("patient_id"), ids.patientId},
                             {QStringLiteral("slide_id"), ids.slideId}};
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}
} // namespace

Result<void> Database::setCaseIdentifiers(qint64 caseId, const CaseIdentifiers &ids, const QString &actor,
                                          const QString &reason)
{
    if (auto writable = ensureWritable(); !writable)
        return makeError(writable.error());
    if (actor.trimmed().isEmpty())
        return makeError("changing a case's identifiers needs the name of who changes them");
    if (const QString problem = identifiersProblem(ids); !problem.isEmpty())
        return makeError(problem.toStdString());
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    auto row = caseById(caseId);
    if (!row)
        return makeError(row.error());
    const CaseIdentifiers old = row->identifiers();
    if (old == ids)
        return {};
    if (row->isSigned() && reason.trimmed().isEmpty())
        return makeError("case " + quoted(row->name) +
                         " is signed: changing its identifiers is an amendment and needs a reason");
    auto update = prepare("UPDATE cases SET accession = ?, specimen = ?, patient_id = ?, slide_id = ? WHERE id = ?");
    if (!update)
        return makeError(update.error());
    update->bindOptional(1, ids.accession)
        .bindOptional(2, ids.specimen)
        .bindOptional(3, ids.patientId)
        .bindOptional(4, ids.slideId)
        .bind(5, caseId);
    if (auto updated = update->exec(); !updated)
        return makeError("cannot change the identifiers of case " + quoted(row->name) + ": " + updated.error());

    AuditEntry entry;
    entry.actor = actor;
    entry.action = row->isSigned() ? QStringLiteral("amend") : QStringLiteral("identifiers");
    entry.entity = QStringLiteral("case");
    entry.entityId = caseId;
    entry.oldValue = identifiersJson(old);
    entry.newValue = identifiersJson(ids);
    entry.reason = reason;
    if (auto logged = appendAudit(entry); !logged)
        return makeError(logged.error());
    return transaction->commit();
}

Result<qint64> Database::addLabeller(const QString &name, int yearsExperience)
{
    if (auto writable = ensureWritable(); !writable)
        return makeError(writable.error());
    if (name.trimmed().isEmpty())
        return makeError("a labeller needs a name");
    auto existing = prepare("SELECT id FROM labellers WHERE name = ?");
    if (!existing)
        return makeError(existing.error());
    existing->bind(1, name);
    auto found = existing->step();
    if (!found)
        return makeError(found.error());
    if (*found)
        return existing->int64(0);
    auto insert = prepare("INSERT INTO labellers (name, years_experience) VALUES (?, ?) RETURNING id");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, name).bind(2, yearsExperience);
    auto id = insert->execReturningId();
    if (!id)
        return makeError("cannot add labeller " + quoted(name) + ": " + id.error());
    return *id;
}

Result<qint64> Database::addExpertLabel(qint64 cellId, qint64 labellerId, const QString &labelClass,
                                        LabelConfidence confidence, std::optional<qint64> sessionId)
{
    if (labelClass.isEmpty())
        return makeError("a label needs a class");
    auto transaction = Transaction::begin(*this);
    if (!transaction)
        return makeError(transaction.error());
    auto labeller = this->labeller(labellerId);
    if (!labeller)
        return makeError(labeller.error());
    const QString labellerName = labeller->name;

    // The labeller's previous answer for this cell, for the audit's old value.
    auto previous = prepare("SELECT class, confidence FROM labels WHERE cell_id = ? AND labeller_id = ? "
                            "AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1");
    if (!previous)
        return makeError(previous.error());
    previous->bind(1, cellId).bind(2, labellerId);
    auto hadPrevious = previous->step();
    if (!hadPrevious)
        return makeError(hadPrevious.error());
    const QString oldValue = *hadPrevious ? previous->text(0) + QLatin1Char('/') + previous->text(1) : QString();
    previous->reset();

    auto insert = prepare("INSERT INTO labels (cell_id, labeller_id, class, confidence, created_at, session_id) "
                          "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, cellId).bind(2, labellerId).bind(3, labelClass).bind(4, labelConfidenceName(confidence)).bind(5, nowText());
    insert->bindOptional(6, sessionId);
    auto labelId = insert->execReturningId();
    if (!labelId)
        return makeError("cannot store the label of cell " + std::to_string(cellId) + ": " + labelId.error());

    AuditEntry entry;
    entry.actor = labellerName;
    entry.action = QStringLiteral("label");
    entry.entity = QStringLiteral("cell");
    entry.entityId = cellId;
    entry.oldValue = oldValue;
    entry.newValue = labelClass + QLatin1Char('/') + labelConfidenceName(confidence);
    if (auto logged = appendAudit(entry); !logged)
        return makeError(logged.error());
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return *labelId;
}

Result<QList<LabelRow>> Database::labelsOfCell(qint64 cellId) const
{
    auto query = prepare("SELECT id, cell_id, labeller_id, class, confidence, created_at FROM labels "
                         "WHERE cell_id = ? ORDER BY id");
    if (!query)
        return makeError(query.error());
    query->bind(1, cellId);
    return collectRows<LabelRow>(*query, [](const Statement &s) {
        LabelRow row;
        row.id = s.int64(0);
        row.cellId = s.int64(1);
        row.labellerId = s.int64(2);
        row.labelClass = s.text(3);
        row.confidence = labelConfidenceFromName(s.text(4)).value_or(LabelConfidence::No);
        row.createdAt = fromDbTime(s.text(5));
        return row;
    });
}

} // namespace cytodiff::db
