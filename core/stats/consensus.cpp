#include "consensus.h"

#include <algorithm>
#include <map>

namespace cytodiff::stats {

double confidenceValue(int level)
{
    switch (level) {
    case 0:
        return 1.0;
    case 1:
        return 2.0 / 3.0;
    case 2:
        return 1.0 / 3.0;
    default:
        return 0.0;
    }
}

std::optional<ConsensusResult> consensus(const std::vector<Vote> &votes)
{
    if (votes.empty())
        return std::nullopt;
    std::map<int, int> tally;
    double confidenceSum = 0.0;
    for (const Vote &vote : votes) {
        ++tally[vote.category];
        confidenceSum += confidenceValue(vote.confidenceLevel);
    }
    int best = 0;
    for (const auto &[category, count] : tally)
        best = std::max(best, count);
    std::vector<int> leaders;
    for (const auto &[category, count] : tally)
        if (count == best)
            leaders.push_back(category);

    ConsensusResult result;
    result.votes = int(votes.size());
    result.winningVotes = best;
    result.confidence = confidenceSum / double(votes.size());
    if (leaders.size() == 1) {
        result.category = leaders.front();
        return result;
    }
    const Vote *decider = nullptr;
    for (const Vote &vote : votes) {
        if (std::find(leaders.begin(), leaders.end(), vote.category) == leaders.end())
            continue;
        if (!decider || vote.experienceYears > decider->experienceYears ||
            (vote.experienceYears == decider->experienceYears && vote.rater < decider->rater))
            decider = &vote;
    }
    result.category = decider->category;
    result.tieBroken = true;
    return result;
}

} // namespace cytodiff::stats
