#pragma once
// The anomaly score from a model's error profile (issue 20, item 2): how
// unlike the model's calls on normal cells a call is.
//
// A call leaves every class's mean error e_k (a diffusion model's weighted
// denoising error; a CNN's negated logit). Its profile is d_k = e_k - e_pred
// over the classes other than the predicted one: how far each alternative
// stays behind the winner. Normal cells called class c share a typical
// profile (a lymphocyte's runner-up is a monocyte, far ahead of a
// platelet); a cell type the model never learnt that it calls c does not,
// even when it wins the race by a clear margin, which is why the margin
// and zeta miss it. The score is the profile's squared Mahalanobis
// distance from the normal profiles of class c (their mean, and their
// covariance shrunk towards its diagonal), divided by the distance that a
// chosen share of normal held-out cells stays below (the quantile, 95% by
// default), on a log scale: above 0 = more atypical than that share of
// normal cells, the review queue's "Unidentified" rule (anomalyAbove = 0).
//
// Chosen on validation cells only (docs/model-v2-notes.md): erythroblasts
// against the pixel model trained without them, AUC 0.903 for this score,
// 0.823 for the confidence, 0.796 for zeta.
//
// Fitted on calls made with the product's own protocol (`cytodiff-cli
// anomaly-profile`, through the classification service), so the spread it
// expects is the spread the pruned race leaves; kept as JSON in the model
// card (engine::ModelCard::anomalyProfile). The card records those
// options: calls made with another protocol, time range or weighting leave
// errors on another scale, which the profile must not score.

#include "engine.h"
#include "result.h"

#include <optional>
#include <string>
#include <vector>

namespace cytodiff::classify {

// One normal held-out cell's call.
struct ProfileSample {
    std::vector<double> errors; // every class's mean error, the model's class order
    int predicted = -1;
};

struct ProfileFitOptions {
    double shrink = 0.2;        // weight of the diagonal in the covariance (0.1-0.3 measured alike)
    int folds = 5;              // the threshold comes from out-of-fold distances
    // Share of normal cells below the threshold. 0.95 was chosen on
    // validation cells (docs/model-v2-notes.md): with the old pixel model
    // trained without erythroblasts it queues 78.5% of erythroblasts and
    // 26.4% of normal cells, where 0.99 queued 68.9% / 25.2% and the zeta
    // rule 60.7% / 24.3%.
    double quantile = 0.95;
    int minCellsPerClass = 10;  // fewer cells called a class: refuse to fit
};

// How calls made with some classifier options differ from those a profile
// was fitted on (the settings' names, for the user).
struct ProtocolDifferences {
    // The errors' scale moves (protocol, time range, weighting, class
    // offsets, judged disk): distances from the fitted profiles mean nothing.
    std::vector<std::string> scale;
    // Only their noise moves (trials, p-value, views): the profile still
    // scores the calls, but the share of normal cells above its threshold is
    // no longer the quantile it was set at.
    std::vector<std::string> noise;
};

// How calls made with `used` differ from calls made with `fitted`.
ProtocolDifferences protocolDifferences(const engine::ClassifyOptions &fitted, const engine::ClassifyOptions &used);
// Setting names as an English list ("protocol, trials").
std::string joinedSettings(const std::vector<std::string> &names);

class AnomalyProfile {
public:
    struct ClassProfile {
        int cells = 0;
        std::vector<double> mean;      // [K-1], the profile without the class itself
        std::vector<double> precision; // [K-1][K-1] row-major, the inverse shrunk covariance
    };
    struct Fit;

    // Fits on normal cells' calls (the model's classes only, never a class
    // it was trained without). The threshold is the quantile of out-of-fold
    // distances, so no cell sets the bar with statistics it helped to fit.
    static Result<Fit> fit(const std::vector<ProfileSample> &samples, const std::vector<std::string> &classNames,
                           const ProfileFitOptions &options);
    // Reads a card's profile; an error when it is unreadable or made for
    // other classes.
    static Result<AnomalyProfile> fromJson(const std::string &json, const std::vector<std::string> &classNames);
    std::string toJson() const;

    // Squared Mahalanobis distance of a call's profile; +inf for errors
    // that are not finite or of another size.
    double distance(const std::vector<double> &errors, int predicted) const;
    // log(distance / threshold), clamped to +-kScoreLimit: > 0 = atypical.
    double score(const std::vector<double> &errors, int predicted) const;

    double threshold() const { return m_threshold; }
    double quantile() const { return m_quantile; }
    double shrink() const { return m_shrink; }
    int cells() const;
    const std::vector<ClassProfile> &classes() const { return m_classes; }
    // How and on what it was fitted (the command's words), for the card.
    const std::string &provenance() const { return m_provenance; }
    void setProvenance(std::string text) { m_provenance = std::move(text); }
    // The resolved classifier options of the calls it was fitted on. A
    // profile written before they were recorded (session 23's) was fitted
    // with the application's defaults, the only options anomaly-profile uses.
    const engine::ClassifyOptions &fittedWith() const { return m_fittedWith; }
    void setFittedWith(const engine::ClassifyOptions &options) { m_fittedWith = options.resolved(); }
    ProtocolDifferences differencesFrom(const engine::ClassifyOptions &options) const;

    static constexpr double kScoreLimit = 30.0;

private:
    std::vector<std::string> m_classNames;
    std::vector<ClassProfile> m_classes;
    double m_threshold = 1.0;
    double m_quantile = 0.95;
    double m_shrink = 0.2;
    std::string m_provenance;
    engine::ClassifyOptions m_fittedWith = engine::ClassifyOptions{}.resolved();
};

struct AnomalyProfile::Fit {
    AnomalyProfile profile;
    // Each sample's out-of-fold score, in the samples' order: what a normal
    // cell the profile never saw scores (about 1 - quantile of them above 0).
    std::vector<double> outOfFoldScores;
};

// Whether a model card's profile scores calls made with `options`, and
// what to tell the user: the one rule of the classification service and
// the studies' notes. A CNN's one pass takes none of the options, so its
// profile always applies.
struct ProfileUse {
    std::optional<Result<AnomalyProfile>> profile; // nullopt: no profile; an error: a damaged one
    bool applies = false;                          // calls are scored with it
    std::string notice;                            // for the user; empty when it applies as fitted
    ProtocolDifferences differences;               // the notice's settings, for wording it in another language
};
ProfileUse profileUse(const engine::Model &model, const engine::ClassifyOptions &options);

} // namespace cytodiff::classify
