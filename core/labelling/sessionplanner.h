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

inline constexpr int kDefaultSessionSize = 100;
inline constexpr int kDefaultCommonSize = 20;

struct SessionSizes {
    int size = 0;
    int commonSize = 0;
};

// What a new session proposes for `availableCells` cells: 100 with a common
// subset of 20, shrunk to fit a small workspace (32 cells: 32 and 16, so
// half the cells stay for the labellers' own shares). An existing common
// subset is reused as it is, and the session must hold it.
SessionSizes defaultSessionSizes(int availableCells, int existingCommon = 0);

} // namespace cytodiff::labelling
