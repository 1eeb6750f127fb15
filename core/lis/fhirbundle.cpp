#include "fhirbundle.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <cmath>

namespace cytodiff::lis {
namespace {

const QString kLoincSystem = QStringLiteral("http://loinc.org");
const QString kLocalSystem = QStringLiteral("urn:cytodiff:code");
const QString kUcum = QStringLiteral("http://unitsofmeasure.org");

// A name-based (version 5) uuid: the same bundle id gives the same uuids,
// so a message sent twice is recognisably the same.
QString urnUuid(const QString &bundleId, const QString &name)
{
    static const QUuid ns = QUuid::fromString(QStringLiteral("{6f1c2a44-3c0e-4f5b-9a57-2d1c9d5e7a10}"));
    return QStringLiteral("urn:uuid:") + QUuid::createUuidV5(ns, bundleId + QLatin1Char('/') + name).toString(QUuid::WithoutBraces);
}

QJsonObject coding(const QString &system, const QString &code, const QString &display)
{
    return QJsonObject{{QStringLiteral("system"), system}, {QStringLiteral("code"), code}, {QStringLiteral("display"), display}};
}

QJsonObject codeOf(const LisSettings &settings, const QString &classId, const QString &localText)
{
    if (const auto loinc = settings.loinc.find(classId))
        return QJsonObject{{QStringLiteral("coding"), QJsonArray{coding(kLoincSystem, loinc->code, loinc->display)}},
                           {QStringLiteral("text"), loinc->display}};
    return QJsonObject{{QStringLiteral("coding"), QJsonArray{coding(kLocalSystem, classId, localText)}},
                       {QStringLiteral("text"), localText}};
}

QJsonObject quantity(double value, const QString &unit, const QString &ucum)
{
    return QJsonObject{{QStringLiteral("value"), std::round(value * 10.0) / 10.0},
                       {QStringLiteral("unit"), unit},
                       {QStringLiteral("system"), kUcum},
                       {QStringLiteral("code"), ucum}};
}

} // namespace

Result<QByteArray> fhirResultBundle(const CaseResult &result, const LisSettings &settings, const QString &bundleId,
                                    const QDateTime &createdAt)
{
    if (auto sendable = checkSendable(result); !sendable)
        return makeError(sendable.error());
    const db::CaseRow &row = result.caseRow;
    const QString status = result.corrected ? QStringLiteral("corrected") : QStringLiteral("final");
    const QString issued = (row.signedAt.isValid() ? row.signedAt : createdAt).toUTC().toString(Qt::ISODate);

    QJsonArray entries;
    QJsonArray references;
    const auto addObservation = [&](const QString &name, const QJsonObject &code, const QJsonValue &value,
                                    const QJsonArray &ranges, const QString &interpretation) {
        const QString url = urnUuid(bundleId, name);
        QJsonObject observation{
            {QStringLiteral("resourceType"), QStringLiteral("Observation")},
            {QStringLiteral("status"), status},
            {QStringLiteral("category"),
             QJsonArray{QJsonObject{{QStringLiteral("coding"),
                                     QJsonArray{coding(QStringLiteral("http://terminology.hl7.org/CodeSystem/observation-category"),
                                                       QStringLiteral("laboratory"), QStringLiteral("Laboratory"))}}}}},
            {QStringLiteral("code"), code},
            {QStringLiteral("effectiveDateTime"), issued},
            {value.isString() ? QStringLiteral("valueString") : QStringLiteral("valueQuantity"), value}};
        if (!row.patientId.isEmpty())
            observation.insert(QStringLiteral("subject"),
                               QJsonObject{{QStringLiteral("identifier"), QJsonObject{{QStringLiteral("value"), row.patientId}}}});
        if (!ranges.isEmpty())
            observation.insert(QStringLiteral("referenceRange"), ranges);
        if (!interpretation.isEmpty())
            observation.insert(
                QStringLiteral("interpretation"),
                QJsonArray{QJsonObject{{QStringLiteral("coding"),
                                        QJsonArray{coding(QStringLiteral("http://terminology.hl7.org/CodeSystem/"
                                                                         "v3-ObservationInterpretation"),
                                                          interpretation, interpretation)}}}});
        entries.append(QJsonObject{{QStringLiteral("fullUrl"), url}, {QStringLiteral("resource"), observation}});
        references.append(QJsonObject{{QStringLiteral("reference"), url}});
    };

    const review::Differential &d = result.differential;
    addObservation(QStringLiteral("white-cells-counted"),
                   QJsonObject{{QStringLiteral("coding"),
                                QJsonArray{coding(kLocalSystem, QStringLiteral("white-cells-counted"),
                                                  QStringLiteral("White cells counted"))}},
                               {QStringLiteral("text"), QStringLiteral("White cells counted")}},
                   QJsonObject{{QStringLiteral("value"), d.whiteCells}, {QStringLiteral("unit"), QStringLiteral("cells")}},
                   {}, {});
    for (const review::DifferentialRow &line : d.white) {
        QJsonArray ranges;
        QString interpretation;
        if (line.range) {
            ranges.append(QJsonObject{{QStringLiteral("low"), quantity(line.range->lowPercent, QStringLiteral("%"), QStringLiteral("%"))},
                                      {QStringLiteral("high"), quantity(line.range->highPercent, QStringLiteral("%"), QStringLiteral("%"))}});
            interpretation = line.flag == review::RangeFlag::Low    ? QStringLiteral("L")
                             : line.flag == review::RangeFlag::High ? QStringLiteral("H")
                                                                    : QStringLiteral("N");
        }
        addObservation(line.classId, codeOf(settings, line.classId, line.classId + QStringLiteral("/100 leukocytes")),
                       quantity(line.value, QStringLiteral("%"), QStringLiteral("%")), ranges, interpretation);
    }
    for (const review::DifferentialRow &line : d.nonWhite)
        addObservation(line.classId, codeOf(settings, line.classId, line.classId + QStringLiteral(" per 100 leukocytes")),
                       quantity(line.value, QStringLiteral("/100 WBC"), QStringLiteral("/100{WBCs}")), {}, {});

    const review::CaseMorphology &m = result.morphology;
    const auto localCode = [](const QString &code, const QString &text) {
        return QJsonObject{{QStringLiteral("coding"), QJsonArray{coding(kLocalSystem, code, text)}},
                           {QStringLiteral("text"), text}};
    };
    if (m.allNormal)
        addObservation(QStringLiteral("rbc-morphology"), localCode(QStringLiteral("rbc-morphology"),
                                                                   QStringLiteral("Red cell morphology")),
                       QStringLiteral("Normal"), {}, {});
    for (const review::MorphologyFeature &feature : review::morphologyFeatures())
        if (const int grade = m.grades.value(QLatin1String(feature.id)); grade > 0)
            addObservation(QStringLiteral("rbc-") + QLatin1String(feature.id),
                           localCode(QStringLiteral("rbc-") + QLatin1String(feature.id), QLatin1String(feature.name)),
                           QStringLiteral("%1+").arg(grade), {}, {});
    if (m.schistocytePercent)
        addObservation(QStringLiteral("rbc-schistocytes"),
                       localCode(QStringLiteral("rbc-schistocytes"), QStringLiteral("Schistocytes/100 erythrocytes")),
                       quantity(*m.schistocytePercent, QStringLiteral("%"), QStringLiteral("%")), {},
                       *m.schistocytePercent > review::kSchistocyteReportPercent ? QStringLiteral("H") : QString());
    if (m.platelets != review::PlateletEstimate::NotAssessed)
        addObservation(QStringLiteral("plt-estimate"),
                       localCode(QStringLiteral("plt-estimate"), QStringLiteral("Platelet estimate, blood film")),
                       review::plateletEstimateId(m.platelets), {}, {});
    if (m.plateletClumps)
        addObservation(QStringLiteral("plt-clumps"),
                       localCode(QStringLiteral("plt-clumps"), QStringLiteral("Platelet clumps, blood film")),
                       QStringLiteral("Seen"), {}, {});

    QJsonObject report{
        {QStringLiteral("resourceType"), QStringLiteral("DiagnosticReport")},
        {QStringLiteral("status"), status},
        {QStringLiteral("identifier"),
         QJsonArray{QJsonObject{
             {QStringLiteral("type"),
              QJsonObject{{QStringLiteral("coding"),
                           QJsonArray{coding(QStringLiteral("http://terminology.hl7.org/CodeSystem/v2-0203"),
                                             QStringLiteral("ACSN"), QStringLiteral("Accession ID"))}}}},
             {QStringLiteral("value"), row.accession}}}},
        {QStringLiteral("category"),
         QJsonArray{QJsonObject{{QStringLiteral("coding"),
                                 QJsonArray{coding(QStringLiteral("http://terminology.hl7.org/CodeSystem/v2-0074"),
                                                   QStringLiteral("HM"), QStringLiteral("Hematology"))}}}}},
        {QStringLiteral("code"),
         QJsonObject{{QStringLiteral("coding"),
                      QJsonArray{coding(kLocalSystem, QStringLiteral("differential"),
                                        QStringLiteral("White cell differential, digital morphology"))}},
                     {QStringLiteral("text"), QStringLiteral("White cell differential, digital morphology")}}},
        {QStringLiteral("effectiveDateTime"), issued},
        {QStringLiteral("issued"), createdAt.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("result"), references}};
    if (!row.patientId.isEmpty())
        report.insert(QStringLiteral("subject"),
                      QJsonObject{{QStringLiteral("identifier"), QJsonObject{{QStringLiteral("value"), row.patientId}}}});
    if (!row.specimen.isEmpty())
        report.insert(QStringLiteral("specimen"),
                      QJsonArray{QJsonObject{{QStringLiteral("identifier"), QJsonObject{{QStringLiteral("value"), row.specimen}}}}});
    if (!m.comment.isEmpty())
        report.insert(QStringLiteral("conclusion"), m.comment);
    if (!row.signedBy.isEmpty())
        report.insert(QStringLiteral("resultsInterpreter"), QJsonArray{QJsonObject{{QStringLiteral("display"), row.signedBy}}});
    entries.prepend(QJsonObject{{QStringLiteral("fullUrl"), urnUuid(bundleId, QStringLiteral("report"))},
                                {QStringLiteral("resource"), report}});

    const QJsonObject bundle{{QStringLiteral("resourceType"), QStringLiteral("Bundle")},
                             {QStringLiteral("id"), bundleId},
                             {QStringLiteral("type"), QStringLiteral("collection")},
                             {QStringLiteral("timestamp"), createdAt.toUTC().toString(Qt::ISODate)},
                             {QStringLiteral("entry"), entries}};
    return QJsonDocument(bundle).toJson(QJsonDocument::Indented);
}

} // namespace cytodiff::lis
