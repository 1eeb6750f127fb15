#pragma once
// Classifying cells: the one path every caller takes (the GUI's worker,
// `classify`, `second-opinion`, `crossval-predict`, the evaluation
// commands and the demo case), so that a cell gets the same call whoever
// asks for it.
//
// The seed rule: a cell's trials are drawn with baseSeed plus the first 8
// bytes of the SHA-256 of its image file. The importer stores that digest
// for every cell, so a picture classified from a folder, from the workspace
// or in another workspace draws the same trials and gets the same call;
// seeding by position (the old CLI rule) or by cell id (the old GUI rule)
// gave the same cell different calls from the two paths.
//
// The review decision (review/reviewpriority.h) is made here for calls that
// are not stored (`classify` on files, the evaluation commands) exactly as
// the GUI's queue makes it for stored ones.
//
// Not thread-safe: one service per worker thread, like the models it
// borrows. Only the engine's torch-free API is used.

#include "anomalyprofile.h"
#include "casenormalisation.h"
#include "domaincheck.h"
#include "engine.h"
#include "floatimage.h"
#include "records.h"
#include "result.h"
#include "reviewpriority.h"

#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace cytodiff::db {
class Database;
}

namespace cytodiff::classify {

// baseSeed plus the first 8 bytes (big-endian) of SHA-256(key).
std::uint64_t cellSeed(std::string_view imageBytes, std::uint64_t baseSeed);

// A model's call on one cell.
struct CellCall {
    int predicted = -1;
    QString predictedClass;
    double confidence = 0.0;
    // The review queue's anomaly score (> 0: unidentified): the card's
    // error-profile score (anomalyprofile.h) when it has one that applies
    // to the service's options (profileUse), else the engine's (result.anomaly).
    double anomaly = 0.0;
    QMap<QString, double> scores;  // class id -> display score
    double margin = 0.0;           // the review queue's score margin
    engine::ClassifyResult result; // everything the engine measured
};

// Whether the review queue (default thresholds unless given) would show a
// call to the reviewer, and why, in the queue's own order of reasons.
// labelClass: the analyser's pre-classification of a stored cell (a
// critical one queues the cell, as in the GUI); empty for bare files.
struct ReviewDecision {
    review::ReviewGroup group = review::ReviewGroup::Uncertain;
    // Queued only because the case failed the domain check.
    bool domainShift = false;
    bool inQueue() const { return review::ReviewPriority::inQueue(group); }
    // "unidentified", "second_opinion", "critical", "uncertain", "domain_shift"
    // or "" (not queued).
    QString reason() const;
};
ReviewDecision reviewDecision(const CellCall &call, const CellCall *secondOpinion, const QString &labelClass = {},
                              const review::ReviewThresholds &thresholds = {});

// The cells of a case still to do for a service's models.
struct CasePlan {
    QList<qint64> cells;            // every cell of the case, in id order
    QSet<qint64> needsPrediction;   // no prediction of the model yet (all with reclassify)
    QSet<qint64> needsSecondOpinion;
    QList<qint64> todo() const;     // cells needing either, in id order
};

// The calls on one stored cell, made but not stored yet.
struct StoredCellCalls {
    std::optional<CellCall> prediction;
    std::optional<CellCall> secondOpinion;
    QString error;                               // empty: fine
    bool cancelled = false;
};

// What classifying one stored cell did.
struct StoredCellOutcome {
    std::optional<db::PredictionRow> prediction; // stored by this call
    QString secondOpinionClass;                  // stored by this call; empty: none
    QString error;                               // empty: fine
    bool cancelled = false;
};

// Stores calls on a stored cell as `modelId`'s prediction and
// `secondOpinionModelId`'s second opinion (each when present); the one way
// calls reach the workspace, for the service and the workers alike.
StoredCellOutcome storeCellCalls(db::Database &database, qint64 cellId, const QString &modelId,
                                 const QString &secondOpinionModelId, const StoredCellCalls &calls);

// The image half of a stored case's domain check against a model card's
// reference (engine::ModelCard::domainReference), after the case
// normalisation classification will apply: what import reports, and what
// the GUI worker completes with the calls' effort.
Result<domain::DomainVerdict> checkStoredCaseImages(db::Database &database, qint64 caseId,
                                                    const std::string &referenceJson);

// The normalisation a stored cell's case was classified with by a model
// (kept with the case's domain check), so a heatmap or a Turing test shows
// the model what its call saw; the identity when the case's check belongs
// to another model or none was made.
imaging::CaseNormalisation storedNormalisation(const db::Database &database, qint64 cellId, const QString &modelId);

// Whether the domain check holds a model's calls made with `options` to
// its reference's effort and unidentified share (CaseDomainCheck::addCall):
// those were measured with the application's own settings, so calls made
// with others (the paper protocol, another trial budget or view count)
// spend other effort and may flag by another rule; then the images alone
// decide (a paper-protocol case was flagged for its effort). A CNN's calls
// do not depend on them. The GUI's check, `classify` and the studies share
// this rule.
bool callsComparableWithReference(const engine::Model &model, const engine::ClassifyOptions &options);
// Counts a model's call in a case's domain check as its reference measured
// calls: a diffusion model's network evaluations, and whether the review
// queue's default rule calls it Unidentified (reviewAnomaly: CellCall::anomaly).
void countCall(domain::CaseDomainCheck &check, const engine::Model &model, int nfe, double reviewAnomaly);

// What a diffusion model's domain check leaves out (ClassificationService::domainCheckGap).
struct DomainCheckGap {
    bool applies = false;                     // a diffusion model with a readable reference
    bool effort = false;                      // the reference holds the classifier's effort
    bool share = false;                       // ... and its share of Unidentified cells
    std::vector<std::string> changedSettings; // this run's settings unlike the figures' (ProtocolDifferences names)
    bool empty() const { return !applies || (effort && share && changedSettings.empty()); }
};

class ClassificationService {
public:
    // Borrowed models, owned by the caller and used from the caller's
    // thread only. Either may be null (`second-opinion` has no main model);
    // the second model's calls are stored as second opinions.
    ClassificationService(const engine::Model *model, const engine::Model *secondOpinion,
                          engine::ClassifyOptions options = {});

    const engine::Model *model() const { return m_model; }
    const engine::Model *secondOpinionModel() const { return m_second; }
    QString modelId() const { return m_modelId; }
    QString secondOpinionModelId() const { return m_secondId; }
    const engine::ClassifyOptions &options() const { return m_options; }
    // Calls then carry the engine's anomaly score whatever the card holds:
    // for fitting a new profile, which must not depend on (or fail with) the
    // card's old one.
    void ignoreAnomalyProfiles()
    {
        m_profileIgnored = true;
        m_profileUse = {};
    }
    void setOptions(const engine::ClassifyOptions &options);
    // The main model's card profile when it is damaged: every call fails
    // with this message (callers say it once, before the first cell).
    std::optional<std::string> profileError() const;
    // What the user should know about the profile under these options
    // (profileUse's notice): not used, or no longer at its quantile. Empty
    // when it scores as fitted, or there is none.
    const std::string &profileNotice() const { return m_profileUse.notice; }

    // The network input a model wants from an image file's bytes, through
    // its case's normalisation (the identity: as the model was trained).
    static Result<FloatImage> prepare(std::string_view bytes, const engine::Model &model,
                                      const imaging::CaseNormalisation &normalisation = {});

    // The case normalisation (issue 21) of the images classified next,
    // fitted per model against its card's training reference from the
    // case's image measurements (the domain check's image half). Until set,
    // and for a model without a reference, the identity.
    void normaliseFrom(const std::vector<imaging::ImageStats> &images);
    const imaging::CaseNormalisation &normalisation() const { return m_normalisation; }
    const imaging::CaseNormalisation &secondNormalisation() const { return m_secondNormalisation; }

    // The main model's call on an image file's bytes, seeded from them.
    Result<CellCall> classifyImage(std::string_view bytes, const engine::CancelFn &cancelled = {}) const;
    // The same on an input already prepared (and perhaps altered, as the
    // shift benchmark does), with the seed of the cell it came from.
    Result<CellCall> classifyInput(const FloatImage &input, std::uint64_t seed,
                                   const engine::CancelFn &cancelled = {}) const;
    // The second-opinion model's call (one quick pass, not cancellable).
    Result<CellCall> secondOpinion(std::string_view bytes) const;

    // What remains to do in a case; reclassify redoes every prediction.
    // Measures the case's images and fits its normalisation (normaliseFrom).
    Result<CasePlan> planCase(db::Database &database, qint64 caseId, bool reclassify = false);
    // The case's domain check: its images and the main model's stored calls
    // against the model card's reference, without what the case
    // normalisation corrects, stored in the workspace (when writable) with
    // that normalisation for the banner, the queue, sign-off and heatmaps.
    // An unchecked verdict when the model carries no reference, and for the
    // demo case of model-generated cells.
    Result<domain::DomainVerdict> checkDomain(db::Database &database, qint64 caseId) const;
    // callsComparableWithReference for this service's model and options.
    bool callsComparableWithReference() const;
    // What the main model's domain check will not compare under these
    // options, though the model is a diffusion model whose calls it could
    // judge (the reference lacks the classifier's figures, or these options
    // are not the ones they were measured with). domainCheckNotice words it
    // in English for the CLI and the journal; the GUI in the user's language.
    DomainCheckGap domainCheckGap() const;
    std::string domainCheckNotice() const; // empty when it judges everything it can, or there is no reference
    // The main model's error profile under these options (profileNotice's source).
    const ProfileUse &anomalyProfileUse() const { return m_profileUse; }

    // Classifies one stored cell with the models that still owe it a call
    // and stores the results as soon as they exist.
    StoredCellOutcome classifyStoredCell(db::Database &database, qint64 cellId, bool predict, bool secondOpinion,
                                         const engine::CancelFn &cancelled = {}) const;
    // The same in two halves, for callers that store under a condition of
    // their own in one transaction (the classification worker's lease).
    StoredCellCalls callsOnStoredCell(const db::Database &database, qint64 cellId, bool predict, bool secondOpinion,
                                      const engine::CancelFn &cancelled = {}) const;
    StoredCellOutcome storeCalls(db::Database &database, qint64 cellId, const StoredCellCalls &calls) const;

private:
    Result<CellCall> callOf(const engine::Model &model, const Result<engine::ClassifyResult> &result) const;

    const engine::Model *m_model = nullptr;
    const engine::Model *m_second = nullptr;
    engine::ClassifyOptions m_options;
    // The main model's card profile under m_options. The second model's
    // is never read: the queue takes only its class from a second opinion.
    ProfileUse m_profileUse;
    bool m_profileIgnored = false;
    imaging::CaseNormalisation m_normalisation;       // the main model's, for the current case
    imaging::CaseNormalisation m_secondNormalisation; // the second model's
    // The last planned case's image measurements, reused by its domain
    // check while the case holds the same cells (measuring costs ~10 ms a cell).
    qint64 m_measuredCase = -1;
    QList<qint64> m_measuredCells;
    std::vector<imaging::ImageStats> m_caseImages;
    QString m_modelId;
    QString m_secondId;
};

} // namespace cytodiff::classify
