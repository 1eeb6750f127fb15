#pragma once
// Fitting a case's normalisation (imaging/casenormalisation.h) from its
// images' measurements against a model card's training reference, and the
// domain verdict once the normalisation has corrected what it can.
//
// Each correction has a dead band: an in-domain case (whose medians wander
// a little with its cell mix) keeps exactly the preprocessing the model was
// trained and measured with, so normalisation cannot cost in-domain
// accuracy; only a case that differs is changed. A correction the
// measurements cannot support (too few cells found, a scale outside what a
// microscope does) is not made, and the case stays flagged.

#include "casenormalisation.h"
#include "domaincheck.h"

#include <vector>

namespace cytodiff::domain {

// Which corrections a caller allows (all by default; `--normalise off`
// allows none).
struct NormalisationChoice {
    bool scale = true;
    bool framing = true;
    bool stain = true;
};

imaging::CaseNormalisation fitNormalisation(const std::vector<imaging::ImageStats> &cells, const DomainReference &reference,
                                            const NormalisationChoice &choice = {});

// The verdict without the deviations the normalisation corrected (cell
// scale, crop size, framing, stain and background colour) and without a
// focus deviation that the measured magnification explains; what it cannot
// correct (blur, background share, segmentation, the classifier's effort
// and unidentified cells) still decides.
DomainVerdict afterNormalisation(const DomainVerdict &verdict, const imaging::CaseNormalisation &normalisation);

} // namespace cytodiff::domain
