#include "resultmessage.h"

#include "hl7message.h"
#include "reviewstore.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>
#include <QSaveFile>

namespace cytodiff::lis {
namespace {

QString hl7Time(const QDateTime &time)
{
    return time.toUTC().toString(QStringLiteral("yyyyMMddHHmmss")) + QStringLiteral("+0000");
}

// Numbers in HL7 are plain decimals with a dot, whatever the locale.
QString decimal(double value)
{
    return QLocale::c().toString(value, 'f', 1);
}

Result<bool> amendedAfterSigning(const db::Database &database, qint64 caseId)
{
    auto query = database.prepare(
        "SELECT COUNT(*) FROM audit_log a WHERE a.action = 'amend' AND "
        "((a.entity = 'case' AND a.entity_id = ?) OR "
        "(a.entity = 'cell' AND a.entity_id IN (SELECT c.id FROM cells c WHERE c.case_id = ?)))");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId).bind(2, caseId);
    auto row = query->step();
    if (!row)
        return makeError(row.error());
    return *row && query->int64(0) > 0;
}

QString flagOf(review::RangeFlag flag, bool hasRange)
{
    if (!hasRange)
        return {};
    switch (flag) {
    case review::RangeFlag::Low:
        return QStringLiteral("L");
    case review::RangeFlag::High:
        return QStringLiteral("H");
    case review::RangeFlag::None:
        break;
    }
    return QStringLiteral("N");
}

} // namespace

Result<CaseResult> caseResult(const db::Database &database, qint64 caseId, const review::ReferenceRanges &ranges)
{
    auto row = database.caseById(caseId);
    if (!row)
        return makeError(row.error());
    if (!row->isSigned())
        return makeError("case '" + row->name.toStdString() + "' is not signed: only a signed result goes to the LIS");
    if (row->isSynthetic())
        return makeError("case '" + row->name.toStdString() +
                         "' is the demo case of model-generated cells: no result of it may reach a patient record");
    auto cells = database.cellsOfCase(caseId);
    if (!cells)
        return makeError(cells.error());
    auto reviewed = review::ReviewStore::reviewedCells(database, caseId);
    if (!reviewed)
        return makeError(reviewed.error());
    auto amended = amendedAfterSigning(database, caseId);
    if (!amended)
        return makeError(amended.error());
    auto morphology = review::MorphologyStore::load(database, caseId);
    if (!morphology)
        return makeError(morphology.error());
    CaseResult result;
    result.caseRow = *row;
    result.differential = review::DifferentialCalculator::compute(*cells, *reviewed, ranges);
    result.corrected = *amended;
    result.morphology = *morphology;
    return result;
}

Result<void> checkSendable(const CaseResult &result)
{
    const db::CaseRow &row = result.caseRow;
    if (row.accession.isEmpty())
        return makeError("case '" + row.name.toStdString() +
                         "' has no accession number: the LIS cannot file its result; set it in the case's identifiers");
    if (const QString problem = db::identifiersProblem(row.identifiers()); !problem.isEmpty())
        return makeError(problem.toStdString());
    return {};
}

Result<QByteArray> resultMessage(const CaseResult &result, const LisSettings &settings, const QString &controlId,
                                 const QDateTime &createdAt)
{
    const db::CaseRow &row = result.caseRow;
    if (auto sendable = checkSendable(result); !sendable)
        return makeError(sendable.error());
    if (controlId.isEmpty())
        return makeError("an HL7 message needs a control id");
    const QString status = result.corrected ? QStringLiteral("C") : QStringLiteral("F");
    const QString observed = hl7Time(row.signedAt.isValid() ? row.signedAt : createdAt);

    QList<Hl7Segment> segments;
    Hl7Segment msh(QStringLiteral("MSH"));
    msh.field(3, settings.sendingApplication)
        .field(4, settings.sendingFacility)
        .field(5, settings.receivingApplication)
        .field(6, settings.receivingFacility)
        .field(7, hl7Time(createdAt))
        .components(9, {QStringLiteral("ORU"), QStringLiteral("R01"), QStringLiteral("ORU_R01")})
        .field(10, controlId)
        .field(11, QStringLiteral("P"))
        .field(12, QStringLiteral("2.5.1"))
        .field(15, QStringLiteral("AL"))
        .field(16, QStringLiteral("NE"))
        .field(18, QStringLiteral("UNICODE UTF-8"));
    segments << msh;

    Hl7Segment pid(QStringLiteral("PID"));
    pid.field(1, QStringLiteral("1"));
    if (!row.patientId.isEmpty())
        pid.components(3, {row.patientId, QString(), QString(), QString(), QStringLiteral("PI")});
    segments << pid;

    // ORC-2 / OBR-2 placer order number: the accession the LIS gave the
    // order; OBR-3 filler number: the case in CytoDiff's workspace.
    segments << Hl7Segment(QStringLiteral("ORC"))
                    .field(1, QStringLiteral("RE"))
                    .field(2, row.accession)
                    .field(3, row.name)
                    .field(5, QStringLiteral("CM"));
    Hl7Segment obr(QStringLiteral("OBR"));
    obr.field(1, QStringLiteral("1"))
        .field(2, row.accession)
        .field(3, row.name)
        .components(4, {QStringLiteral("CYTODIFF-DIFF"), QStringLiteral("White cell differential, digital morphology"),
                        QStringLiteral("L")})
        .field(7, observed)
        .field(22, hl7Time(createdAt))
        .field(25, status);
    if (!row.specimen.isEmpty())
        obr.field(15, row.specimen);
    segments << obr;

    int setId = 0;
    const auto typedObservation = [&](const QString &type, const QStringList &code, const QString &value,
                                      const QString &units, const QString &range, const QString &flag) {
        Hl7Segment obx(QStringLiteral("OBX"));
        obx.field(1, QString::number(++setId))
            .field(2, type)
            .components(3, code)
            .field(5, value)
            .field(6, units)
            .field(7, range)
            .field(8, flag)
            .field(11, status)
            .field(14, observed);
        segments << obx;
    };
    const auto observation = [&](const QStringList &code, const QString &value, const QString &units,
                                 const QString &range, const QString &flag) {
        typedObservation(QStringLiteral("NM"), code, value, units, range, flag);
    };
    const auto local = [](const QString &code, const QString &text) {
        return QStringList{QStringLiteral("CYTODIFF-") + code, text, QStringLiteral("L")};
    };
    const auto text = [&](const QStringList &code, const QString &value) {
        typedObservation(QStringLiteral("ST"), code, value, QString(), QString(), QString());
    };
    const auto codeOf = [&](const QString &classId, const QString &localText) {
        if (const auto loinc = settings.loinc.find(classId))
            return QStringList{loinc->code, loinc->display, QStringLiteral("LN")};
        return QStringList{QStringLiteral("CYTODIFF-") + classId.toUpper(), localText, QStringLiteral("L")};
    };
    const review::Differential &d = result.differential;
    observation({QStringLiteral("CYTODIFF-WBC-COUNTED"), QStringLiteral("White cells counted"), QStringLiteral("L")},
                QString::number(d.whiteCells), QStringLiteral("{cells}"), QString(), QString());
    if (result.morphology.wbcCount)
        observation({QStringLiteral("CYTODIFF-WBC"), QStringLiteral("White cell count (analyser)"), QStringLiteral("L")},
                    QLocale::c().toString(*result.morphology.wbcCount, 'f', 2), QStringLiteral("10*9/L"), QString(),
                    QString());
    for (const review::DifferentialRow &line : d.white) {
        const QString range = line.range ? decimal(line.range->lowPercent) + QLatin1Char('-') +
                                               decimal(line.range->highPercent)
                                         : QString();
        observation(codeOf(line.classId, line.classId + QStringLiteral("/100 leukocytes")), decimal(line.value),
                    QStringLiteral("%"), range, flagOf(line.flag, line.range.has_value()));
        // The absolute count, when the analyser's WBC count was given:
        // % of white cells x WBC. Local codes: the LOINC map holds the
        // percentages only.
        if (result.morphology.wbcCount)
            observation(QStringList{QStringLiteral("CYTODIFF-") + line.classId.toUpper() + QStringLiteral("-ABS"),
                                    line.classId + QStringLiteral(" [#/volume]"), QStringLiteral("L")},
                        QLocale::c().toString(line.value / 100.0 * *result.morphology.wbcCount, 'f', 2),
                        QStringLiteral("10*9/L"), QString(), QString());
    }
    for (const review::DifferentialRow &line : d.nonWhite)
        observation(codeOf(line.classId, line.classId + QStringLiteral(" per 100 leukocytes")), decimal(line.value),
                    QStringLiteral("/100{WBCs}"), QString(), QString());

    const review::CaseMorphology &m = result.morphology;
    if (m.allNormal)
        text(local(QStringLiteral("RBC-MORPHOLOGY"), QStringLiteral("Red cell morphology")), QStringLiteral("Normal"));
    for (const review::MorphologyFeature &feature : review::morphologyFeatures())
        if (const int grade = m.grades.value(QLatin1String(feature.id)); grade > 0)
            text(local(QStringLiteral("RBC-") + QString::fromLatin1(feature.id).toUpper(), QLatin1String(feature.name)),
                 QStringLiteral("%1+").arg(grade));
    if (m.schistocytePercent)
        observation(local(QStringLiteral("RBC-SCHISTOCYTES"), QStringLiteral("Schistocytes/100 erythrocytes")),
                    decimal(*m.schistocytePercent), QStringLiteral("%"), QString(),
                    *m.schistocytePercent > review::kSchistocyteReportPercent ? QStringLiteral("H") : QString());
    if (m.platelets != review::PlateletEstimate::NotAssessed)
        text(local(QStringLiteral("PLT-ESTIMATE"), QStringLiteral("Platelet estimate, blood film")),
             review::plateletEstimateId(m.platelets));
    if (m.plateletClumps)
        text(local(QStringLiteral("PLT-CLUMPS"), QStringLiteral("Platelet clumps, blood film")), QStringLiteral("Seen"));
    if (!m.comment.isEmpty())
        typedObservation(QStringLiteral("TX"), local(QStringLiteral("COMMENT"), QStringLiteral("Blood film comment")),
                         m.comment, QString(), QString(), QString());
    return hl7Message(segments);
}

Result<QString> writeToDropFolder(const QString &folder, const QString &accession, const QString &controlId,
                                  const QByteArray &message, const QString &suffix)
{
    const QDir dir(folder);
    if (!dir.exists())
        return makeError("the LIS drop folder " + QDir::toNativeSeparators(folder).toStdString() + " does not exist");
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]"));
    QString base = accession + QLatin1Char('_') + controlId;
    base.replace(unsafe, QStringLiteral("_"));
    const QString path = dir.filePath(base + suffix);
    if (QFileInfo::exists(path)) {
        // Written before but not recorded as sent (a crash in between):
        // the same bytes count as delivered; anything else is not ours.
        QFile existing(path);
        if (existing.open(QIODevice::ReadOnly) && existing.readAll() == message)
            return path;
        return makeError("the drop folder already holds " + QDir::toNativeSeparators(path).toStdString() +
                         "; a message is never overwritten");
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(message) != message.size() || !file.commit())
        return makeError("cannot write " + QDir::toNativeSeparators(path).toStdString() + ": " +
                         file.errorString().toStdString());
    return path;
}

} // namespace cytodiff::lis
