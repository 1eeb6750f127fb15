#pragma once
// The LIS outbox (issue 24): every result message is stored in the
// workspace (lis_messages) before delivery, so an unavailable destination
// leaves it queued, shown and retried, never lost. Messages of a case are
// delivered in the order they were made (a final result before its
// corrections); delivery stops at the first failure so that order holds.

#include "database.h"
#include "mllp.h"
#include "resultmessage.h"
#include "result.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>

namespace cytodiff::lis {

struct OutboxEntry {
    qint64 id = 0;
    qint64 caseId = 0;
    QString caseName;
    QString controlId;
    bool corrected = false;
    bool fhir = false; // a FHIR R4 bundle, else an HL7 v2 message
    QDateTime createdAt;
    QString lastError; // the last delivery attempt's failure, if any
};

class LisOutbox {
public:
    // Builds the case's current result (final, or corrected once amended)
    // and stores it, unsent; returns its control id (MSH-10), "CD" and the
    // row's number. Refuses what resultMessage() refuses.
    static Result<QString> enqueue(db::Database &database, qint64 caseId, const LisSettings &settings,
                                   const review::ReferenceRanges &ranges, const QString &actor);
    // The same result as a FHIR R4 bundle (id = controlId), stored beside
    // its HL7 message; delivered by deliverFhirToFolder.
    static Result<void> enqueueFhir(db::Database &database, qint64 caseId, const LisSettings &settings,
                                    const review::ReferenceRanges &ranges, const QString &actor,
                                    const QString &controlId);
    static Result<QList<OutboxEntry>> pending(const db::Database &database);
    // Writes every unsent message to the drop folder, oldest first; returns
    // how many were delivered. The first failure is stored with its
    // message (and returned); later ones wait for the next attempt.
    static Result<int> deliverToFolder(db::Database &database, const QString &folder);
    // The same over MLLP: a message counts as delivered once the LIS
    // accepted it (ACK AA or CA); a rejection or no answer keeps it queued.
    static Result<int> deliverOverMllp(db::Database &database, const MllpEndpoint &endpoint);
    static Result<int> deliverFhirToFolder(db::Database &database, const QString &folder);

private:
    // send: the message, its accession and control id -> where it went.
    using Sender = std::function<Result<QString>(const QByteArray &message, const QString &accession,
                                                 const QString &controlId)>;
    static Result<int> deliver(db::Database &database, bool fhir, const Sender &send);
};

} // namespace cytodiff::lis
