#pragma once
// The consensus label of one cell from several experts' answers, as the
// CytoDiffusion paper built its dataset: majority vote, a tie goes to the
// most experienced expert; the consensus confidence is the mean of the
// experts' confidences mapped High = 1, Moderate = 2/3, Low = 1/3, No = 0.
// Pure C++20.

#include <optional>
#include <vector>

namespace cytodiff::stats {

// 0..3 = High, Moderate, Low, No -> 1, 2/3, 1/3, 0.
double confidenceValue(int level);

struct Vote {
    long long rater = 0;      // an id, only used to break exact ties
    int category = 0;         // class index
    int confidenceLevel = 0;  // 0..3 = High, Moderate, Low, No
    double experienceYears = 0.0;
};

struct ConsensusResult {
    int category = 0;
    // Mean confidence over all votes of the cell (each expert's confidence
    // in their own answer, whether or not it won), in [0, 1].
    double confidence = 0.0;
    int votes = 0;        // experts who answered
    int winningVotes = 0; // experts who gave the consensus class
    bool tieBroken = false; // the most experienced expert decided
};

// nullopt for no votes. Tie rule: among the experts who voted for one of
// the tied classes, the one with the most years of experience decides; if
// they have equal experience too, the lowest rater id (the earliest
// registered) decides, so the result never depends on input order.
std::optional<ConsensusResult> consensus(const std::vector<Vote> &votes);

} // namespace cytodiff::stats
