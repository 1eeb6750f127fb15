#pragma once
// The review state of cells, written with db::Database::prepare(): which
// cells are reviewed, and marking one reviewed or not.
//
// "Reviewed" is not a column: a cell is reviewed when its newest review
// entry in the audit log is a verdict ("relabel", "amend" or "verify"),
// and not reviewed when there is none or the newest is "unreview" (an
// undone verdict). The audit log is append-only, so the review history is
// itself part of the audit trail.

#include "records.h"
#include "result.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::review {

namespace ReviewActions {
inline const QString kVerify = QStringLiteral("verify");
inline const QString kUnreview = QStringLiteral("unreview");
} // namespace ReviewActions

class ReviewStore {
public:
    static Result<QSet<qint64>> reviewedCells(const db::Database &database, qint64 caseId);
    // For each cell of the case whose label a reviewer has set ("relabel"
    // or "amend", undone or not): the label it had before the first such
    // edit (empty = none). A cell whose label differs from this was
    // changed by review.
    static Result<QHash<qint64, QString>> labelsBeforeReview(const db::Database &database, qint64 caseId);

    // Appends a "verify" (reviewed = true: the reviewer confirmed the class
    // shown) or "unreview" entry for the cell. classId is the class at that
    // moment, kept as the entry's new value.
    static Result<void> setReviewed(db::Database &database, qint64 cellId, bool reviewed, const QString &classId,
                                    const QString &actor, const QString &reason = {});
};

} // namespace cytodiff::review
