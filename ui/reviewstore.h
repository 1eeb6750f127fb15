#pragma once
// Review queries the database API does not have yet, written here with
// db::Database::prepare() so the GUI needs no change in core/. Candidates
// for core/db once a second caller (the CLI) needs them.
//
// "Reviewed" is not a column: a cell is reviewed when its newest review
// entry in the audit log is a verdict ("relabel", "amend" or "verify"),
// and not reviewed when there is none or the newest is "unreview" (an
// undone verdict). The audit log is append-only, so the review history is
// itself part of the audit trail.

#include "records.h"
#include "result.h"

#include <QList>
#include <QSet>
#include <QString>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

namespace ReviewActions {
inline const QString kVerify = QStringLiteral("verify");
inline const QString kUnreview = QStringLiteral("unreview");
} // namespace ReviewActions

class ReviewStore {
public:
    // Cells of the case with no prediction from modelId, in id order: what a
    // classification run still has to do (so a restart resumes).
    static Result<QList<qint64>> cellsWithoutPrediction(const db::Database &database, qint64 caseId,
                                                        const QString &modelId);
    // Number of cells of the case that have a prediction from modelId.
    static Result<int> countPredicted(const db::Database &database, qint64 caseId, const QString &modelId);

    static Result<QSet<qint64>> reviewedCells(const db::Database &database, qint64 caseId);

    // Appends a "verify" (reviewed = true: the reviewer confirmed the class
    // shown) or "unreview" entry for the cell. classId is the class at that
    // moment, kept as the entry's new value.
    static Result<void> setReviewed(db::Database &database, qint64 cellId, bool reviewed, const QString &classId,
                                    const QString &actor, const QString &reason = {});
};

} // namespace cytodiff::ui
