#pragma once
// The signed result of a case as an HL7 v2.5.1 ORU^R01 message (issue 24):
// MSH, PID (the patient id as imported or typed; no name is invented),
// ORC and OBR carrying the accession number, one numeric OBX per white
// class (% of white cells, the laboratory's reference range and an L/H/N
// flag), one per non-white class (per 100 white cells: NRBC under its
// LOINC code), and the count of white cells. OBX-11 and OBR-25 are F for
// the first result and C once the signed case was amended.
//
// Red-cell morphology (ICSH grades, schistocytes %), the platelet
// estimate, clumps and the comment follow as ST/NM/TX observations under
// local codes. Absolute counts need the analyser's WBC count, which no
// export gives CytoDiff today, so none is sent.

#include "database.h"
#include "differential.h"
#include "loincmap.h"
#include "morphology.h"
#include "result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace cytodiff::lis {

struct LisSettings {
    QString sendingApplication = QStringLiteral("CytoDiff");
    QString sendingFacility;
    QString receivingApplication;
    QString receivingFacility;
    LoincMap loinc = LoincMap::defaults();
};

struct CaseResult {
    db::CaseRow caseRow;
    review::Differential differential;
    review::CaseMorphology morphology; // red cells and platelet estimate
    bool corrected = false; // the signed case was amended since
};

// The differential of a signed case as it stands (reviewed labels), and
// whether it was amended after signing. Refuses an open case.
Result<CaseResult> caseResult(const db::Database &database, qint64 caseId, const review::ReferenceRanges &ranges);

// Why a result cannot go to the LIS (no accession number, an identifier
// that cannot be sent); the HL7 message and the FHIR bundle both refuse it.
Result<void> checkSendable(const CaseResult &result);

// The message. controlId: MSH-10, unique per message (the caller's
// sequence); createdAt: MSH-7. Refuses a case without an accession number:
// the LIS could not file the result.
Result<QByteArray> resultMessage(const CaseResult &result, const LisSettings &settings, const QString &controlId,
                                 const QDateTime &createdAt);

// Writes the message into the drop folder atomically (a temporary file
// renamed into place, so the LIS never reads half a message); returns the
// file's path. Name: <accession>_<controlId>.hl7 with unsafe characters
// replaced. A file of that name with other contents is never overwritten;
// with the same contents it counts as written (a retry after a crash).
Result<QString> writeToDropFolder(const QString &folder, const QString &accession, const QString &controlId,
                                  const QByteArray &message, const QString &suffix = QStringLiteral(".hl7"));

} // namespace cytodiff::lis
