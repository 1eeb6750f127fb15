#pragma once
// The signed result of a case as a FHIR R4 Bundle (issue 24): one
// DiagnosticReport (status final, or corrected once amended; identifier =
// the accession number; subject = the patient id as an identifier, no
// invented name) whose results are one Observation per differential line,
// coded like the HL7 message (the same LOINC map, local codes otherwise),
// with UCUM units, the laboratory's reference range and an interpretation
// (L/H/N). Resources reference each other by urn:uuid full URLs, as a
// collection bundle carries them.

#include "resultmessage.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace cytodiff::lis {

// bundleId: the Bundle's id (and the stem of the resources' uuids'
// seed); refuses what resultMessage() refuses.
Result<QByteArray> fhirResultBundle(const CaseResult &result, const LisSettings &settings, const QString &bundleId,
                                    const QDateTime &createdAt);

} // namespace cytodiff::lis
