#include "shiftedcase.h"

#include "classificationservice.h"
#include "imageio.h"
#include "imagestats.h"

namespace cytodiff::studies {

Result<ShiftedCase> ShiftedCase::prepare(const QList<EvalItem> &items, const imaging::ShiftSpec &shift, const StopFn &stop)
{
    ShiftedCase shifted;
    for (const EvalItem &item : items) {
        if (stop && stop())
            return makeError("cancelled");
        if (item.path.isEmpty())
            return makeError("a shifted case needs the image files: evaluate a folder of labelled cells, not a pack");
        std::string file, error;
        std::uint64_t seed = 0;
        imaging::ImageStats stats;
        auto bytes = imaging::readFile(item.path.toStdString());
        if (bytes) {
            seed = classify::cellSeed(*bytes, 0);
            auto changed = imaging::applyShift(*bytes, shift);
            if (changed) {
                file = std::move(*changed);
                if (auto measured = imaging::measureImage(file)) {
                    stats = *measured;
                    shifted.m_measured.push_back(stats);
                }
            } else {
                error = changed.error();
            }
        } else {
            error = bytes.error();
        }
        shifted.m_files.push_back(std::move(file));
        shifted.m_errors.push_back(std::move(error));
        shifted.m_seeds.push_back(seed);
        shifted.m_stats.push_back(stats);
    }
    return shifted;
}

void ShiftedCase::setNormalisationChoice(const domain::NormalisationChoice &choice)
{
    m_choice = choice;
    m_forModel.clear();
}

const ShiftedCase::ForModel &ShiftedCase::forModel(const engine::ModelCard &card) const
{
    const std::string id = card.modelId();
    if (auto found = m_forModel.find(id); found != m_forModel.end())
        return found->second;
    ForModel fitted;
    if (auto reference = domain::DomainReference::fromJson(card.domainReference); reference && !card.domainReference.empty())
        fitted.reference = *reference;
    // A model without a reference can neither be checked nor normalised.
    fitted.normalisation = domain::fitNormalisation(m_measured, fitted.reference, m_choice);
    return m_forModel.emplace(id, fitted).first->second;
}

Result<FloatImage> ShiftedCase::input(int i, const engine::ModelCard &card, std::uint64_t *seed) const
{
    if (i < 0 || i >= size())
        return makeError("no such cell in the case");
    const std::size_t k = std::size_t(i);
    if (m_files[k].empty())
        return makeError(m_errors[k]);
    if (seed)
        *seed += m_seeds[k];
    return imaging::preprocessNormalised(m_files[k], {card.cropSize, card.network.resolution},
                                         forModel(card).normalisation, &m_stats[k]);
}

InputFn ShiftedCase::inputs() const
{
    return [this](int index, const engine::ModelCard &card, std::uint64_t *seed) { return input(index, card, seed); };
}

domain::DomainVerdict ShiftedCase::completeCheck(const engine::ModelCard &card, std::vector<CellOutcome> &outcomes,
                                                bool judgeCalls) const
{
    const ForModel &start = forModel(card);
    domain::CaseEffort effort;
    if (judgeCalls) { // else the images alone decide
        for (const CellOutcome &o : outcomes) {
            if (card.kind != "baseline") // a discriminative model has no effort to compare
                effort.evaluations.push_back(o.nfe);
            effort.unidentified += review::ReviewThresholds{}.flagsUnidentified(o.reviewAnomaly) ? 1 : 0; // the queue's score, as the product's check
            ++effort.classified;
        }
    }
    const auto verdict = domain::afterNormalisation(domain::checkCase(m_measured, start.reference, effort), start.normalisation);
    if (verdict.outside) {
        for (CellOutcome &o : outcomes)
            if (!o.inReview) {
                o.inReview = true;
                o.reviewReason = QStringLiteral("domain_shift");
            }
    }
    return verdict;
}

} // namespace cytodiff::studies
