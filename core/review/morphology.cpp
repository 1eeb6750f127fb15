#include "morphology.h"

#include "database.h"
#include "transaction.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace cytodiff::review {

const QList<MorphologyFeature> &morphologyFeatures()
{
    static const QList<MorphologyFeature> features = {
        {"anisocytosis", "Anisocytosis"},
        {"poikilocytosis", "Poikilocytosis"},
        {"microcytes", "Microcytes"},
        {"macrocytes", "Macrocytes"},
        {"hypochromia", "Hypochromia"},
        {"polychromasia", "Polychromasia"},
        {"target_cells", "Target cells"},
        {"spherocytes", "Spherocytes"},
        {"elliptocytes", "Elliptocytes/ovalocytes"},
        {"stomatocytes", "Stomatocytes"},
        {"tear_drop_cells", "Tear-drop cells"},
        {"acanthocytes", "Acanthocytes"},
        {"echinocytes", "Echinocytes"},
        {"sickle_cells", "Sickle cells"},
        {"howell_jolly_bodies", "Howell-Jolly bodies"},
        {"pappenheimer_bodies", "Pappenheimer bodies"},
        {"basophilic_stippling", "Basophilic stippling"},
        {"rouleaux", "Rouleaux"},
        {"agglutination", "Agglutination"},
        {"parasites", "Parasites"},
    };
    return features;
}

QString plateletEstimateId(PlateletEstimate estimate)
{
    switch (estimate) {
    case PlateletEstimate::Decreased:
        return QStringLiteral("decreased");
    case PlateletEstimate::Adequate:
        return QStringLiteral("adequate");
    case PlateletEstimate::Increased:
        return QStringLiteral("increased");
    case PlateletEstimate::NotAssessed:
        break;
    }
    return {};
}

bool CaseMorphology::isEmpty() const
{
    return *this == CaseMorphology{};
}

QString CaseMorphology::toJson() const
{
    QJsonObject grades;
    for (auto it = this->grades.cbegin(); it != this->grades.cend(); ++it)
        grades.insert(it.key(), it.value());
    QJsonObject object{{QStringLiteral("all_normal"), allNormal},
                       {QStringLiteral("grades"), grades},
                       {QStringLiteral("comment"), comment},
                       {QStringLiteral("platelets"), plateletEstimateId(platelets)},
                       {QStringLiteral("platelet_clumps"), plateletClumps}};
    if (schistocytePercent)
        object.insert(QStringLiteral("schistocytes_percent"), *schistocytePercent);
    if (wbcCount)
        object.insert(QStringLiteral("wbc_count"), *wbcCount);
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

Result<CaseMorphology> CaseMorphology::fromJson(const QString &json)
{
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8());
    if (!document.isObject())
        return makeError("the stored red-cell morphology is not readable");
    const QJsonObject object = document.object();
    CaseMorphology morphology;
    morphology.allNormal = object.value(QStringLiteral("all_normal")).toBool();
    const QJsonObject grades = object.value(QStringLiteral("grades")).toObject();
    for (auto it = grades.constBegin(); it != grades.constEnd(); ++it)
        morphology.grades.insert(it.key(), it.value().toInt());
    if (object.contains(QStringLiteral("schistocytes_percent")))
        morphology.schistocytePercent = object.value(QStringLiteral("schistocytes_percent")).toDouble();
    if (object.contains(QStringLiteral("wbc_count")))
        morphology.wbcCount = object.value(QStringLiteral("wbc_count")).toDouble();
    morphology.comment = object.value(QStringLiteral("comment")).toString();
    const QString platelets = object.value(QStringLiteral("platelets")).toString();
    for (PlateletEstimate e : {PlateletEstimate::Decreased, PlateletEstimate::Adequate, PlateletEstimate::Increased})
        if (platelets == plateletEstimateId(e))
            morphology.platelets = e;
    morphology.plateletClumps = object.value(QStringLiteral("platelet_clumps")).toBool();
    if (const QString problem = morphology.problem(); !problem.isEmpty())
        return makeError(problem.toStdString());
    return morphology;
}

QString CaseMorphology::problem() const
{
    for (auto it = grades.cbegin(); it != grades.cend(); ++it) {
        bool known = false;
        for (const MorphologyFeature &feature : morphologyFeatures())
            known = known || it.key() == QLatin1String(feature.id);
        if (!known)
            return QStringLiteral("'%1' is not a red-cell finding of the ICSH list").arg(it.key());
        if (it.value() < 1 || it.value() > kMaxGrade)
            return QStringLiteral("%1 is graded %2; grades are 1+ to 3+").arg(it.key()).arg(it.value());
    }
    if (schistocytePercent && !(*schistocytePercent >= 0.0 && *schistocytePercent <= 100.0))
        return QStringLiteral("schistocytes must be 0-100% of red cells");
    if (wbcCount && !(*wbcCount > 0.0 && *wbcCount < 1000.0))
        return QStringLiteral("the white cell count must be above 0 and below 1000 x 10^9/L");
    if (allNormal && (!grades.isEmpty() || (schistocytePercent && *schistocytePercent > kSchistocyteReportPercent)))
        return QStringLiteral("red cells cannot be reported all normal with findings graded");
    return {};
}

QStringList CaseMorphology::lines() const
{
    QStringList out;
    if (allNormal)
        out << QStringLiteral("Red cells: normal morphology");
    for (const MorphologyFeature &feature : morphologyFeatures())
        if (const int grade = grades.value(QLatin1String(feature.id)); grade > 0)
            out << QStringLiteral("%1 %2+").arg(QLatin1String(feature.name)).arg(grade);
    if (schistocytePercent)
        out << (*schistocytePercent > kSchistocyteReportPercent
                    ? QStringLiteral("Schistocytes %1% (above 1% of red cells: reportable, ICSH 2015)")
                          .arg(QString::number(*schistocytePercent, 'f', 1))
                    : QStringLiteral("Schistocytes %1%").arg(QString::number(*schistocytePercent, 'f', 1)));
    if (platelets != PlateletEstimate::NotAssessed)
        out << QStringLiteral("Platelet estimate: %1").arg(plateletEstimateId(platelets));
    if (plateletClumps)
        out << QStringLiteral("Platelet clumps seen");
    if (wbcCount)
        out << QStringLiteral("WBC %1 x 10^9/L").arg(QString::number(*wbcCount, 'f', 2));
    if (!comment.isEmpty())
        out << QStringLiteral("Comment: %1").arg(comment);
    return out;
}

Result<CaseMorphology> MorphologyStore::load(const db::Database &database, qint64 caseId)
{
    auto query = database.prepare("SELECT data FROM case_morphology WHERE case_id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId);
    auto row = query->step();
    if (!row)
        return makeError(row.error());
    if (!*row)
        return CaseMorphology{};
    return CaseMorphology::fromJson(query->text(0));
}

Result<void> MorphologyStore::save(db::Database &database, qint64 caseId, const CaseMorphology &morphology,
                                   const QString &actor, const QString &reason)
{
    if (auto writable = database.ensureWritable(); !writable)
        return makeError(writable.error());
    if (actor.trimmed().isEmpty())
        return makeError("recording morphology needs the name of who records it");
    if (const QString problem = morphology.problem(); !problem.isEmpty())
        return makeError(problem.toStdString());
    auto transaction = db::Transaction::begin(database);
    if (!transaction)
        return makeError(transaction.error());
    auto row = database.caseById(caseId);
    if (!row)
        return makeError(row.error());
    auto old = load(database, caseId);
    if (!old)
        return makeError(old.error());
    if (*old == morphology)
        return {};
    if (row->isSigned() && reason.trimmed().isEmpty())
        return makeError("case '" + row->name.toStdString() +
                         "' is signed: changing its red-cell morphology or platelet estimate is an amendment and "
                         "needs a reason");
    auto upsert = database.prepare("INSERT INTO case_morphology (case_id, data, updated_at, updated_by) "
                                   "VALUES (?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET data = excluded.data, "
                                   "updated_at = excluded.updated_at, updated_by = excluded.updated_by");
    if (!upsert)
        return makeError(upsert.error());
    upsert->bind(1, caseId).bind(2, morphology.toJson()).bind(3, db::nowText()).bind(4, actor);
    if (auto written = upsert->exec(); !written)
        return makeError("cannot store the morphology: " + written.error());
    db::AuditEntry entry;
    entry.actor = actor;
    entry.action = row->isSigned() ? QStringLiteral("amend") : QStringLiteral("morphology");
    entry.entity = QStringLiteral("case");
    entry.entityId = caseId;
    entry.oldValue = old->toJson();
    entry.newValue = morphology.toJson();
    entry.reason = reason;
    if (auto logged = database.appendAudit(entry); !logged)
        return makeError(logged.error());
    return transaction->commit();
}

} // namespace cytodiff::review
