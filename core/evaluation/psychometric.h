#pragma once
// Bayesian psychometric function fit (paper sections 1.3 and 3.7, after
// psignifit: Schuett et al. 2016), with the confidence of an observer (the
// model or an expert) as the "signal strength" and its correctness as the
// response:
//
//   psi(x) = gamma + (1 - gamma - lambda) S(x; m, w),
//   S(x; m, w) = 1 / (1 + exp(-2 ln(19) (x - m) / w))   (logistic)
//
// m is the threshold (S = 0.5) and w the width (the x distance from
// S = 0.05 to S = 0.95), as psignifit defines them. gamma = 1/K is fixed,
// lambda ~ Beta(1, 10); m and w get psignifit's default priors. The
// posterior is evaluated on a grid (a coarse pass over the priors' support,
// then a fine pass over where the posterior mass is), so no sampler and no
// random numbers are involved.

#include <string>
#include <vector>

namespace cytodiff::evaluation {

// Binned responses: at stimulus level[i], correct[i] of total[i] right.
struct PsychometricData {
    std::vector<double> level;
    std::vector<int> correct;
    std::vector<int> total;
    int trials() const;
};

// Groups (x, correct) pairs into at most `bins` levels. Few distinct x
// values (expert confidence) give one level per value; otherwise
// equal-count bins over the sorted x, each at the mean x of its members,
// so every level has the same support (the paper's reason for binning).
PsychometricData binResponses(const std::vector<double> &x, const std::vector<bool> &correct, int bins);
// The paper's choice: 25 levels, 12 for small sets (fewer than 500 cases).
int defaultBinCount(std::size_t cases);

struct CredibleValue {
    double estimate = 0; // posterior median of the marginal
    double lower = 0;    // 2.5% quantile
    double upper = 0;    // 97.5% quantile
};

struct PsychometricFit {
    bool ok = false;
    std::string message; // why the fit failed (too few levels, ...)
    double gamma = 0;
    CredibleValue threshold; // m
    CredibleValue width;     // w
    CredibleValue lapse;     // lambda
    // Stimulus where psi reaches 80% of the way between gamma and
    // 1 - lambda (S = 0.8): the point Figure 2A marks with an error bar.
    CredibleValue threshold80;
    // Marginal posteriors for the inset plots: grid values and densities.
    std::vector<double> thresholdGrid, thresholdPosterior;
    std::vector<double> widthGrid, widthPosterior;
    // Pointwise posterior median and 95% band of psi over curveX.
    std::vector<double> curveX, curveMedian, curveLower, curveUpper;
    // Log of the prior's support, for reports.
    double thresholdPriorLo = 0, thresholdPriorHi = 0;
    double widthPriorLo = 0, widthPriorHi = 0;
};

struct PsychometricOptions {
    double gamma = 0.125;   // guess rate, 1 / number of classes
    int thresholdSteps = 60;
    int widthSteps = 60;
    int lapseSteps = 25;
    int curvePoints = 101;
};

// The logistic S and psi themselves (for plots and simulations).
double psychometricSigmoid(double x, double threshold, double width);
double psychometricValue(double x, double threshold, double width, double gamma, double lapse);

PsychometricFit fitPsychometric(const PsychometricData &data, const PsychometricOptions &options);

} // namespace cytodiff::evaluation
