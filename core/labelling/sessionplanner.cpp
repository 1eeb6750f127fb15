#include "sessionplanner.h"

#include <QSet>

#include <algorithm>
#include <random>

namespace cytodiff::labelling {
namespace {

// A stable per-seed order for cells (splitmix64 of id and seed): the same
// request picks the same cells, without depending on insertion order.
quint64 mix(quint64 value)
{
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

} // namespace

Result<SessionPlan> planSession(const db::Database &database, const SessionPlanRequest &request)
{
    if (request.caseIds.isEmpty())
        return makeError("choose at least one case to take cells from");
    if (request.size <= 0)
        return makeError("a session needs at least one cell");
    QList<qint64> pool;
    for (qint64 caseId : request.caseIds) {
        auto ids = database.cellIdsOfCase(caseId);
        if (!ids)
            return makeError(ids.error());
        pool += *ids;
    }
    if (pool.isEmpty())
        return makeError("the chosen cases have no cells");

    SessionPlan plan;
    auto existing = database.commonCells();
    if (!existing)
        return makeError(existing.error());
    if (!existing->isEmpty()) {
        plan.common = *existing;
        plan.reusedCommon = true;
    } else if (request.commonSize > 0) {
        QList<qint64> ordered = pool;
        std::sort(ordered.begin(), ordered.end(), [](qint64 a, qint64 b) {
            // The subset must not depend on the labeller's seed: seed 0.
            return mix(quint64(a)) < mix(quint64(b));
        });
        plan.common = ordered.mid(0, std::min<qsizetype>(request.commonSize, ordered.size()));
    }
    if (plan.common.size() > request.size)
        return makeError("the session (" + std::to_string(request.size) + " cells) is smaller than the common subset ("
                         + std::to_string(plan.common.size()) + " cells) every labeller must see");

    auto coverage = database.sessionCoverage();
    if (!coverage)
        return makeError(coverage.error());
    const QSet<qint64> common(plan.common.begin(), plan.common.end());
    QList<qint64> others;
    for (qint64 id : pool)
        if (!common.contains(id))
            others.append(id);
    std::sort(others.begin(), others.end(), [&](qint64 a, qint64 b) {
        const int ca = coverage->value(a, 0);
        const int cb = coverage->value(b, 0);
        if (ca != cb)
            return ca < cb;
        return mix(quint64(a) ^ mix(request.seed)) < mix(quint64(b) ^ mix(request.seed));
    });
    plan.cells = plan.common;
    plan.cells += others.mid(0, request.size - plan.common.size());
    std::mt19937_64 random(request.seed);
    std::shuffle(plan.cells.begin(), plan.cells.end(), random);
    return plan;
}

SessionSizes defaultSessionSizes(int availableCells, int existingCommon)
{
    SessionSizes sizes;
    sizes.size = std::clamp(availableCells, 1, kDefaultSessionSize);
    if (existingCommon > 0) {
        sizes.commonSize = existingCommon;
        sizes.size = std::max(sizes.size, existingCommon);
    } else {
        sizes.commonSize = std::clamp(availableCells / 2, 0, kDefaultCommonSize);
    }
    return sizes;
}

} // namespace cytodiff::labelling
