#pragma once
// Red-cell morphology and the platelet estimate of a case (issue 24 item
// 2), as a haematologist records them beside the differential: the ICSH
// 2015 list (Palmer L et al., "ICSH recommendations for the
// standardization of nomenclature and grading of peripheral blood cell
// morphological features", Int J Lab Hematol 2015), each finding graded
// none, 1+, 2+ or 3+; schistocytes as a percentage of red cells (ICSH:
// report when above 1%); "report all as normal"; a free comment; the
// platelet estimate (decreased, adequate, increased) and whether clumps
// were seen. Part of the signed result: stored with an audit entry,
// changed after signing only by an amendment, sent to the LIS.

#include "result.h"

namespace cytodiff::db {
class Database;
}

#include <QCoreApplication>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace cytodiff::review {

struct MorphologyFeature {
    const char *id;   // stable key, stored and sent
    const char *name; // English, as ICSH names it
};
// The graded findings in ICSH order (schistocytes are a percentage,
// kept apart).
const QList<MorphologyFeature> &morphologyFeatures();
inline constexpr int kMaxGrade = 3;
// ICSH: schistocytes are reported when above this share of red cells.
inline constexpr double kSchistocyteReportPercent = 1.0;

enum class PlateletEstimate { NotAssessed, Decreased, Adequate, Increased };
QString plateletEstimateId(PlateletEstimate estimate); // "", "decreased", ...

struct CaseMorphology {
    bool allNormal = false;             // "report all as normal": no grade may be set
    QMap<QString, int> grades;          // feature id -> 1..3 (absent = none)
    std::optional<double> schistocytePercent;
    QString comment;
    PlateletEstimate platelets = PlateletEstimate::NotAssessed;
    bool plateletClumps = false;
    // The analyser's white cell count, 10^9/L, as the reviewer copies it:
    // with it the LIS result carries absolute counts per class.
    std::optional<double> wbcCount;

    bool isEmpty() const;
    bool operator==(const CaseMorphology &) const = default;

    QString toJson() const;
    static Result<CaseMorphology> fromJson(const QString &json);
    // Why it cannot be stored as it is (empty: it can): an unknown
    // feature, a grade outside 1-3, a percentage outside 0-100, grades
    // together with "all normal".
    QString problem() const;
    // One line per finding, for the report and the LIS ("Anisocytosis 2+",
    // "Schistocytes 1.5% (above 1%: ICSH reportable)", ...).
    QStringList lines() const;
};

// Stored per case (case_morphology) with an audit entry per change.
class MorphologyStore {
public:
    // An empty CaseMorphology when none was recorded.
    static Result<CaseMorphology> load(const db::Database &database, qint64 caseId);
    // On a signed case this is an amendment and needs a reason.
    // Unchanged values write nothing.
    static Result<void> save(db::Database &database, qint64 caseId, const CaseMorphology &morphology,
                             const QString &actor, const QString &reason = {});
};

} // namespace cytodiff::review
