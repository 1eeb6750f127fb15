#pragma once
// Chooses the cells of a new labelling session. The common subset is shared
// by every labeller (the paper: 200 common images for agreement): the first
// session that asks for one fixes it, later sessions reuse exactly those
// cells. The other cells go preferably to cells no session has yet, so
// labellers cover the data set instead of repeating each other.

#include "database.h"
#include "result.h"

#include <QList>

namespace cytodiff::labelling {

struct SessionPlanRequest {
    QList<qint64> caseIds; // cells are drawn from these cases
    int size = 100;        // cells in the session, common subset included
    int commonSize = 0;    // cells of the shared subset (only when none exists yet)
    quint64 seed = 1;      // presentation order and tie-breaks
};

struct SessionPlan {
    QList<qint64> cells;  // presentation order (shuffled, common cells mixed in)
    QList<qint64> common; // the shared subset among them
    bool reusedCommon = false; // the subset existed and was reused
};

Result<SessionPlan> planSession(const db::Database &database, const SessionPlanRequest &request);

} // namespace cytodiff::labelling
