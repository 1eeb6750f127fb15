#pragma once
// Inter-rater agreement for expert labelling: Cohen's kappa for one pair of
// raters, Fleiss' kappa for many, and the pairwise confidence confusion
// matrix of the CytoDiffusion paper (supplementary Figure 9). Pure C++20.
//
// Ratings are category indices 0..K-1; kNoRating marks "this rater did not
// rate this item".

#include <array>
#include <optional>
#include <vector>

namespace cytodiff::stats {

inline constexpr int kNoRating = -1;

struct KappaResult {
    double kappa = 0.0;    // (po - pe) / (1 - pe); 1 when pe == 1 and po == 1
    double observed = 0.0; // po: observed agreement
    double expected = 0.0; // pe: agreement expected by chance
    int items = 0;         // items the statistic was computed on
};

// Cohen's kappa on the items both raters rated (a[i], b[i] != kNoRating).
// nullopt when they share no item. When both raters use one and the same
// category for every shared item (pe == 1) kappa is undefined; we return
// kappa = 1 (perfect agreement, nothing to correct for chance) and say so in
// the reports, as the 0/0 would otherwise hide a perfect pair.
std::optional<KappaResult> cohenKappa(const std::vector<int> &a, const std::vector<int> &b, int categories);

// Fleiss' kappa. counts[i][k] = raters who put item i in category k; every
// item must have the same number of raters n >= 2 (otherwise nullopt).
// The same pe == 1 rule as cohenKappa.
std::optional<KappaResult> fleissKappa(const std::vector<std::vector<int>> &counts);

// Fleiss' kappa needs an equal number of raters per item. From a ragged
// ratings table (ratings[item][rater], kNoRating for missing) this keeps
// the items rated by exactly n raters, choosing the n (>= 2) whose items
// hold the most rater pairs, items_n * n(n-1) (ties: the larger n). In the
// paper's design this picks the common subset rated by everyone, not the
// many cells that happen to have two answers. `raters` receives n.
std::optional<KappaResult> fleissKappaEqualRaters(const std::vector<std::vector<int>> &ratings, int categories,
                                                  int *raters = nullptr);

// The paper's Figure 9: for every item and every ordered pair (i, j) of
// distinct raters who both rated it, matrix[level_i][level_j] += 1. The
// matrix is symmetric; an item rated by r raters adds r(r-1) comparisons
// (the paper: 6 raters -> "30 comparisons per image"), so the matrix total
// is twice the number of unordered pairs. Levels are 0..3 = High, Moderate,
// Low, No.
using ConfidenceMatrix = std::array<std::array<long long, 4>, 4>;
ConfidenceMatrix confidenceConfusion(const std::vector<std::vector<int>> &confidenceLevels);

} // namespace cytodiff::stats
