#include "lisoutbox.h"

#include "fhirbundle.h"
#include "statement.h"
#include "transaction.h"

#include <QDir>

namespace cytodiff::lis {

Result<QString> LisOutbox::enqueue(db::Database &database, qint64 caseId, const LisSettings &settings,
                                   const review::ReferenceRanges &ranges, const QString &actor)
{
    if (auto writable = database.ensureWritable(); !writable)
        return makeError(writable.error());
    auto result = caseResult(database, caseId, ranges);
    if (!result)
        return makeError(result.error());
    auto transaction = db::Transaction::begin(database);
    if (!transaction)
        return makeError(transaction.error());
    // The control id must be in the message, so the row's number is taken
    // before the insert, inside the write transaction that makes it.
    auto next = database.prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM lis_messages");
    if (!next)
        return makeError(next.error());
    if (auto row = next->step(); !row || !*row)
        return makeError(row ? std::string("cannot number the LIS message") : row.error());
    const qint64 id = next->int64(0);
    const QString controlId = QStringLiteral("CD%1").arg(id, 10, 10, QLatin1Char('0'));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto message = resultMessage(*result, settings, controlId, now);
    if (!message)
        return makeError(message.error());
    auto insert = database.prepare("INSERT INTO lis_messages (id, case_id, control_id, kind, format, message, "
                                   "created_at, created_by) VALUES (?, ?, ?, ?, 'HL7v2.5.1', ?, ?, ?)");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, id)
        .bind(2, caseId)
        .bind(3, controlId)
        .bind(4, result->corrected ? QStringLiteral("C") : QStringLiteral("F"))
        .bindBlob(5, *message)
        .bind(6, db::nowText())
        .bind(7, actor);
    if (auto inserted = insert->exec(); !inserted)
        return makeError("cannot store the LIS message: " + inserted.error());
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());
    return controlId;
}

Result<void> LisOutbox::enqueueFhir(db::Database &database, qint64 caseId, const LisSettings &settings,
                                    const review::ReferenceRanges &ranges, const QString &actor,
                                    const QString &controlId)
{
    if (auto writable = database.ensureWritable(); !writable)
        return makeError(writable.error());
    auto result = caseResult(database, caseId, ranges);
    if (!result)
        return makeError(result.error());
    auto bundle = fhirResultBundle(*result, settings, controlId, QDateTime::currentDateTimeUtc());
    if (!bundle)
        return makeError(bundle.error());
    auto insert = database.prepare("INSERT INTO lis_messages (case_id, control_id, kind, format, message, "
                                   "created_at, created_by) VALUES (?, ?, ?, 'FHIR-R4', ?, ?, ?)");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, caseId)
        .bind(2, controlId + QStringLiteral("-FHIR"))
        .bind(3, result->corrected ? QStringLiteral("C") : QStringLiteral("F"))
        .bindBlob(4, *bundle)
        .bind(5, db::nowText())
        .bind(6, actor);
    if (auto inserted = insert->exec(); !inserted)
        return makeError("cannot store the FHIR bundle: " + inserted.error());
    return {};
}

Result<QList<OutboxEntry>> LisOutbox::pending(const db::Database &database)
{
    auto query = database.prepare("SELECT m.id, m.case_id, k.name, m.control_id, m.kind, m.created_at, m.last_error, "
                                  "m.format "
                                  "FROM lis_messages m JOIN cases k ON k.id = m.case_id "
                                  "WHERE m.sent_at IS NULL ORDER BY m.id");
    if (!query)
        return makeError(query.error());
    QList<OutboxEntry> entries;
    for (;;) {
        auto row = query->step();
        if (!row)
            return makeError(row.error());
        if (!*row)
            break;
        OutboxEntry entry;
        entry.id = query->int64(0);
        entry.caseId = query->int64(1);
        entry.caseName = query->text(2);
        entry.controlId = query->text(3);
        entry.corrected = query->text(4) == QLatin1String("C");
        entry.createdAt = db::fromDbTime(query->text(5));
        entry.lastError = query->text(6);
        entry.fhir = query->text(7) == QLatin1String("FHIR-R4");
        entries << entry;
    }
    return entries;
}

Result<int> LisOutbox::deliverToFolder(db::Database &database, const QString &folder)
{
    return deliver(database, false,
                   [&folder](const QByteArray &message, const QString &accession, const QString &controlId) {
                       return writeToDropFolder(folder, accession, controlId, message);
                   });
}

Result<int> LisOutbox::deliverFhirToFolder(db::Database &database, const QString &folder)
{
    return deliver(database, true,
                   [&folder](const QByteArray &message, const QString &accession, const QString &controlId) {
                       return writeToDropFolder(folder, accession, controlId, message, QStringLiteral(".json"));
                   });
}

Result<int> LisOutbox::deliverOverMllp(db::Database &database, const MllpEndpoint &endpoint)
{
    return deliver(database, false,
                   [&endpoint](const QByteArray &message, const QString &, const QString &controlId) -> Result<QString> {
                       if (auto sent = sendMllp(endpoint, message, controlId); !sent)
                           return makeError(sent.error());
                       return QStringLiteral("mllp://%1:%2").arg(endpoint.host).arg(endpoint.port);
                   });
}

Result<int> LisOutbox::deliver(db::Database &database, bool fhir, const Sender &send)
{
    if (auto writable = database.ensureWritable(); !writable)
        return makeError(writable.error());
    auto entries = pending(database);
    if (!entries)
        return makeError(entries.error());
    int delivered = 0;
    for (const OutboxEntry &entry : *entries) {
        if (entry.fhir != fhir)
            continue;
        auto read = database.prepare("SELECT m.message, k.accession FROM lis_messages m JOIN cases k ON "
                                     "k.id = m.case_id WHERE m.id = ?");
        if (!read)
            return makeError(read.error());
        read->bind(1, entry.id);
        if (auto row = read->step(); !row || !*row)
            return makeError(row ? std::string("the LIS message disappeared") : row.error());
        const QByteArray message = read->blob(0);
        const QString accession = read->text(1);
        auto written = send(message, accession, entry.controlId);
        auto update = database.prepare(written ? "UPDATE lis_messages SET sent_at = ?, destination = ?, "
                                                 "last_error = NULL WHERE id = ?"
                                               : "UPDATE lis_messages SET last_error = ? WHERE id = ?");
        if (!update)
            return makeError(update.error());
        if (written)
            update->bind(1, db::nowText()).bind(2, QDir::toNativeSeparators(*written)).bind(3, entry.id);
        else
            update->bind(1, QString::fromStdString(written.error())).bind(2, entry.id);
        if (auto updated = update->exec(); !updated)
            return makeError(updated.error());
        if (!written)
            return makeError("LIS message " + entry.controlId.toStdString() + " of case '" +
                             entry.caseName.toStdString() + "' is queued, not sent: " + written.error());
        ++delivered;
    }
    return delivered;
}

} // namespace cytodiff::lis
