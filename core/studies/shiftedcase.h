#pragma once
// Labelled cells as one case from another laboratory (issue 21, item 5):
// every chosen image file shifted at the source (imaging/sourceshift.h),
// measured once, and then, for each model that reads them, checked against
// that model's training reference and normalised as the classification of
// a stored case is (domain/normalisationfit.h). The evaluate-shift ladder
// builds one such case per level.

#include "casenormalisation.h"
#include "domaincheck.h"
#include "engine.h"
#include "evaluationrun.h"
#include "normalisationfit.h"
#include "result.h"
#include "sourceshift.h"

#include <QList>
#include <QString>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cytodiff::studies {

class ShiftedCase {
public:
    // Reads every item's image file (a folder source: a pack holds no
    // files) and applies the shift. Unreadable files stay in the case with
    // their error, so indices keep matching the items.
    static Result<ShiftedCase> prepare(const QList<EvalItem> &items, const imaging::ShiftSpec &shift,
                                       const StopFn &stop = {});

    // Which corrections input() makes (all by default; none = plain
    // preprocessing of the shifted files).
    void setNormalisationChoice(const domain::NormalisationChoice &choice);

    // What a model's classification of this case starts from: its
    // training reference and the case's normalisation to it (fitted on
    // first use, per model).
    struct ForModel {
        imaging::CaseNormalisation normalisation;
        domain::DomainReference reference;
    };
    const ForModel &forModel(const engine::ModelCard &card) const;

    // The network input of item i for a model (normalised as forModel says),
    // seeded from the original file's bytes (the classification service's
    // rule) when seed is given.
    Result<FloatImage> input(int i, const engine::ModelCard &card, std::uint64_t *seed = nullptr) const;
    InputFn inputs() const;

    // The review decision once the case's check is complete: a case outside
    // the model's domain (the images after normalisation, plus the
    // classifier's effort and unidentified share) queues every cell, as the
    // GUI does. judgeCalls: classify::callsComparableWithReference for the
    // options the outcomes were classified with (false: the images alone
    // decide). Returns the complete verdict.
    domain::DomainVerdict completeCheck(const engine::ModelCard &card, std::vector<CellOutcome> &outcomes,
                                        bool judgeCalls) const;

    int size() const { return int(m_files.size()); }

private:
    std::vector<std::string> m_files;   // shifted file bytes ("" = unreadable)
    std::vector<std::string> m_errors;  // why, for unreadable ones
    std::vector<std::uint64_t> m_seeds; // cellSeed(original bytes, 0)
    std::vector<imaging::ImageStats> m_stats;   // by item (unreadable: not found)
    std::vector<imaging::ImageStats> m_measured; // the readable ones, for the check
    domain::NormalisationChoice m_choice;
    mutable std::map<std::string, ForModel> m_forModel; // by model id (references stay valid)
};

} // namespace cytodiff::studies
