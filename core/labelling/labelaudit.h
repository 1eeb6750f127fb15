#pragma once
// The label audit of the paper's data set: cells whose consensus label
// disagrees with a cross-validated model prediction (from a model that
// never trained on them) are queued for review by two labellers who have
// not seen them. Each reviewer gets an audit session (labelled in the same
// blinded view); when both have answered, the consensus is recomputed over
// all answers of the cell and the outcome is logged.

#include "database.h"
#include "result.h"

#include <QList>
#include <QString>

namespace cytodiff::labelling {

// Model ids of cross-validation predictions start with this
// ("crossval:<run>:fold<i>of<k>").
inline const char kCrossValPrefix[] = "crossval:";

struct AuditQueueOutcome {
    int compared = 0;          // cells with a consensus and a cross-validated prediction
    int agreeing = 0;
    int queued = 0;
    int alreadyAudited = 0;    // disagreeing, but queued before
    int lackingReviewers = 0;  // disagreeing, but fewer than two labellers have not seen it
    QList<qint64> sessionIds;  // audit sessions created, one per reviewer
};

Result<AuditQueueOutcome> queueDisagreements(db::Database &database, const QStringList &classes,
                                             const QString &modelPrefix = QString::fromLatin1(kCrossValPrefix));

struct AuditResolveOutcome {
    int resolved = 0;
    int changed = 0; // consensus after != before
    int waiting = 0; // open items still missing a review
};

// Resolves every open item whose reviewers have all answered.
Result<AuditResolveOutcome> resolveAudits(db::Database &database, const QString &actor);

} // namespace cytodiff::labelling
