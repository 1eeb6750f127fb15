#include "classificationservice.h"

#include "database.h"
#include "imageio.h"
#include "imagestats.h"
#include "normalisationfit.h"

#include <QCryptographicHash>
#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace cytodiff::classify {

namespace {

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

QString idOf(const engine::Model *model)
{
    return model ? fromStd(model->card().modelId()) : QString();
}

} // namespace

std::uint64_t cellSeed(std::string_view imageBytes, std::uint64_t baseSeed)
{
    // The first 8 bytes of the image's SHA-256, big-endian.
    const QByteArray digest = QCryptographicHash::hash(
        QByteArrayView(imageBytes.data(), qsizetype(imageBytes.size())), QCryptographicHash::Sha256);
    std::uint64_t key = 0;
    for (int i = 0; i < 8; ++i)
        key = (key << 8) | std::uint8_t(digest[i]);
    return baseSeed + key; // wraps modulo 2^64, as intended
}

QString ReviewDecision::reason() const
{
    if (domainShift)
        return QStringLiteral("domain_shift");
    switch (group) {
    case review::ReviewGroup::Unidentified:
        return QStringLiteral("unidentified");
    case review::ReviewGroup::SecondOpinion:
        return QStringLiteral("second_opinion");
    case review::ReviewGroup::Critical:
        return QStringLiteral("critical");
    case review::ReviewGroup::Uncertain:
        return QStringLiteral("uncertain");
    case review::ReviewGroup::Confident:
        break;
    }
    return {};
}

ReviewDecision reviewDecision(const CellCall &call, const CellCall *secondOpinion, const QString &labelClass,
                              const review::ReviewThresholds &thresholds)
{
    // The queue decides on stored rows; an unstored call is put in the same
    // shape so that there is one rule, not a copy of it.
    db::CellSummary cell;
    cell.hasPrediction = call.predicted >= 0;
    cell.labelClass = labelClass;
    cell.predictedClass = call.predictedClass;
    cell.confidence = call.confidence;
    cell.anomaly = call.anomaly;
    cell.scores = call.scores;
    if (secondOpinion && secondOpinion->predicted >= 0)
        cell.secondOpinionClass = secondOpinion->predictedClass;
    ReviewDecision decision{review::ReviewPriority::group(cell, thresholds)};
    if (thresholds.reviewEveryCell && decision.group == review::ReviewGroup::Uncertain) {
        review::ReviewThresholds usual = thresholds;
        usual.reviewEveryCell = false;
        decision.domainShift = review::ReviewPriority::group(cell, usual) == review::ReviewGroup::Confident;
    }
    return decision;
}

namespace {
// A card's domain reference; empty when the card has none or it is unreadable
// (the checks report that themselves).
domain::DomainReference referenceOf(const engine::Model *model)
{
    if (!model || model->card().domainReference.empty())
        return {};
    auto reference = domain::DomainReference::fromJson(model->card().domainReference);
    return reference ? *reference : domain::DomainReference{};
}

// Every stored image of the case measured (undecodable ones skipped: they
// fail classification with their own message).
std::vector<imaging::ImageStats> measureCaseImages(const db::Database &database, const QList<qint64> &cells)
{
    std::vector<imaging::ImageStats> images;
    for (qint64 id : cells)
        if (auto bytes = database.cellImage(id))
            if (auto stats = imaging::measureImage(std::string_view(bytes->constData(), std::size_t(bytes->size()))))
                images.push_back(*stats);
    return images;
}

// The domain check's image half.
Result<void> addCaseImages(domain::CaseDomainCheck &check, const db::Database &database, qint64 caseId)
{
    auto cells = database.cellIdsOfCase(caseId);
    if (!cells)
        return makeError(cells.error());
    for (const auto &stats : measureCaseImages(database, *cells))
        check.addMeasurement(stats);
    return {};
}
} // namespace

Result<domain::DomainVerdict> checkStoredCaseImages(db::Database &database, qint64 caseId,
                                                    const std::string &referenceJson)
{
    domain::CaseDomainCheck check(referenceJson);
    if (!check.referenceError().empty())
        return makeError(check.referenceError());
    if (!check.hasReference())
        return domain::DomainVerdict{};
    if (auto added = addCaseImages(check, database, caseId); !added)
        return makeError(added.error());
    auto reference = domain::DomainReference::fromJson(referenceJson);
    if (!reference)
        return makeError(reference.error());
    return domain::afterNormalisation(check.verdict(), domain::fitNormalisation(check.images(), *reference));
}

imaging::CaseNormalisation storedNormalisation(const db::Database &database, qint64 cellId, const QString &modelId)
{
    auto cell = database.cell(cellId);
    if (!cell)
        return {};
    auto check = database.domainCheck(cell->caseId);
    if (!check || !*check || (*check)->modelId != modelId)
        return {};
    auto verdict = domain::DomainVerdict::fromJson((*check)->verdictJson.toStdString());
    return verdict ? verdict->normalisation : imaging::CaseNormalisation{};
}

bool callsComparableWithReference(const engine::Model &model, const engine::ClassifyOptions &options)
{
    if (!model.isDiffusion())
        return true;
    const ProtocolDifferences differ = protocolDifferences(engine::ClassifyOptions{}, options);
    return differ.scale.empty() && differ.noise.empty();
}

void countCall(domain::CaseDomainCheck &check, const engine::Model &model, int nfe, double reviewAnomaly)
{
    check.addCall(model.isDiffusion() ? nfe : -1, review::ReviewThresholds{}.flagsUnidentified(reviewAnomaly));
}

bool ClassificationService::callsComparableWithReference() const
{
    return !m_model || classify::callsComparableWithReference(*m_model, m_options);
}

DomainCheckGap ClassificationService::domainCheckGap() const
{
    DomainCheckGap gap;
    if (!m_model || !m_model->isDiffusion())
        return gap;
    auto reference = domain::DomainReference::fromJson(m_model->card().domainReference);
    if (!reference || reference->empty()) // an unreadable one fails the check with its own message
        return gap;
    gap.applies = true;
    gap.effort = reference->hasEffort();
    gap.share = reference->hasUnidentifiedShare();
    // The settings that make calls incomparable (callsComparableWithReference).
    const ProtocolDifferences differ = protocolDifferences(engine::ClassifyOptions{}, m_options);
    for (const auto *names : {&differ.scale, &differ.noise})
        gap.changedSettings.insert(gap.changedSettings.end(), names->begin(), names->end());
    return gap;
}

std::string ClassificationService::domainCheckNotice() const
{
    const DomainCheckGap gap = domainCheckGap();
    if (gap.empty())
        return {};
    if (!gap.effort && !gap.share)
        return "The domain check compares the case's images only: the model's domain reference holds no effort or "
               "share of Unidentified cells of its classifier (a card edit removed them as stale, or they were never "
               "measured; `cytodiff-cli domain-reference` measures them).";
    if (!gap.changedSettings.empty()) {
        const std::string figures = gap.effort && gap.share ? "effort and share of Unidentified cells"
                                    : gap.effort            ? "effort"
                                                            : "share of Unidentified cells";
        return "The domain check compares the case's images only: the classifier's " + figures
               + " in the model's domain reference " + (gap.effort && gap.share ? "were" : "was")
               + " measured with the default classifier settings, and this run changes its "
               + joinedSettings(gap.changedSettings) + ".";
    }
    return std::string("The domain check does not compare the ")
           + (gap.effort ? "share of Unidentified cells" : "classifier's effort")
           + ": the model's domain reference holds no such figure (a card edit removed it as stale, or it was "
             "never measured; `cytodiff-cli domain-reference` measures it).";
}

Result<domain::DomainVerdict> ClassificationService::checkDomain(db::Database &database, qint64 caseId) const
{
    if (!m_model)
        return makeError("No model to check the case against.");
    // A demo case's cells come from the model itself. The check compares a
    // laboratory's images, and the classifier's effort on them, with the
    // training images; on generated cells it would judge the generator
    // instead (its weaker samples read as Unidentified, so the whole case
    // was queued). Each cell keeps its own review flags; the case is
    // stored unchecked, which the demo banner explains.
    auto row = database.caseById(caseId);
    if (!row)
        return makeError(row.error());
    domain::CaseDomainCheck check(row->isSynthetic() ? std::string() : m_model->card().domainReference);
    if (!check.referenceError().empty())
        return makeError(check.referenceError());
    domain::DomainVerdict verdict;
    if (check.hasReference()) {
        // The measurements planCase made, while the case holds the same cells.
        auto cells = database.cellIdsOfCase(caseId);
        if (!cells)
            return makeError(cells.error());
        if (m_measuredCase == caseId && m_measuredCells == *cells) {
            for (const auto &stats : m_caseImages)
                check.addMeasurement(stats);
        } else if (auto added = addCaseImages(check, database, caseId); !added) {
            return makeError(added.error());
        }
        if (callsComparableWithReference()) {
            auto calls = database.predictionsOfModel(caseId, m_modelId);
            if (!calls)
                return makeError(calls.error());
            for (const db::PredictionRow &row : *calls)
                countCall(check, *m_model, row.nfe, row.anomaly.value_or(std::nan("")));
        }
        // The same fit as planCase made from the same images.
        verdict = domain::afterNormalisation(check.verdict(), domain::fitNormalisation(check.images(), referenceOf(m_model)));
    }
    // Stored even when unchecked: the latest run's model decides, so a
    // banner from an earlier model's check does not outlive it.
    if (!database.isReadOnly()) {
        auto stored = database.storeDomainCheck(caseId, m_modelId, verdict.outside,
                                                QString::fromStdString(verdict.toJson()));
        if (!stored)
            return makeError(stored.error());
    }
    return verdict;
}

QList<qint64> CasePlan::todo() const
{
    QList<qint64> out;
    for (qint64 id : cells)
        if (needsPrediction.contains(id) || needsSecondOpinion.contains(id))
            out.append(id);
    return out;
}

ClassificationService::ClassificationService(const engine::Model *model, const engine::Model *secondOpinion,
                                             engine::ClassifyOptions options)
    : m_model(model), m_second(secondOpinion), m_modelId(idOf(model)), m_secondId(idOf(secondOpinion))
{
    setOptions(options);
}

void ClassificationService::setOptions(const engine::ClassifyOptions &options)
{
    m_options = options;
    if (m_model && !m_profileIgnored)
        m_profileUse = profileUse(*m_model, m_options);
}

std::optional<std::string> ClassificationService::profileError() const
{
    if (m_profileUse.profile && !*m_profileUse.profile)
        return m_profileUse.profile->error();
    return std::nullopt;
}

Result<FloatImage> ClassificationService::prepare(std::string_view bytes, const engine::Model &model,
                                                  const imaging::CaseNormalisation &normalisation)
{
    return imaging::preprocessNormalised(bytes, {model.card().cropSize, model.card().network.resolution}, normalisation);
}

void ClassificationService::normaliseFrom(const std::vector<imaging::ImageStats> &images)
{
    m_normalisation = domain::fitNormalisation(images, referenceOf(m_model));
    m_secondNormalisation = domain::fitNormalisation(images, referenceOf(m_second));
}

Result<CellCall> ClassificationService::callOf(const engine::Model &model,
                                               const Result<engine::ClassifyResult> &result) const
{
    if (!result)
        return makeError(result.error());
    const auto &classes = model.card().classNames;
    if (result->predicted < 0 || std::size_t(result->predicted) >= classes.size())
        return makeError("The model '" + model.card().modelId() + "' returned no class.");
    CellCall call;
    call.predicted = result->predicted;
    call.predictedClass = fromStd(classes[std::size_t(result->predicted)]);
    call.confidence = result->confidence;
    call.anomaly = result->anomaly;
    if (&model == m_model && m_profileUse.profile) {
        if (!*m_profileUse.profile)
            return makeError(m_profileUse.profile->error());
        if (m_profileUse.applies)
            call.anomaly = (*m_profileUse.profile)->score(result->errors, result->predicted);
    }
    for (std::size_t c = 0; c < classes.size() && c < result->probabilities.size(); ++c)
        call.scores.insert(fromStd(classes[c]), result->probabilities[c]);
    call.margin = review::ReviewPriority::scoreMargin(result->probabilities, result->predicted);
    call.result = *result;
    return call;
}

Result<CellCall> ClassificationService::classifyInput(const FloatImage &input, std::uint64_t seed,
                                                      const engine::CancelFn &cancelled) const
{
    if (!m_model)
        return makeError("No model to classify with.");
    // A damaged profile fails the call before the race, not after it.
    if (auto damaged = profileError())
        return makeError(*damaged);
    engine::ClassifyOptions options = m_options;
    options.seed = seed;
    // A padded tight crop is judged where its source image is: the engine
    // sizes the disk from input.imageRadius (engine::maskRadiusFor).
    return callOf(*m_model, m_model->classify(input, options, cancelled));
}

Result<CellCall> ClassificationService::classifyImage(std::string_view bytes, const engine::CancelFn &cancelled) const
{
    if (!m_model)
        return makeError("No model to classify with.");
    auto input = prepare(bytes, *m_model, m_normalisation);
    if (!input)
        return makeError("The image cannot be prepared: " + input.error());
    return classifyInput(*input, cellSeed(bytes, m_options.seed), cancelled);
}

Result<CellCall> ClassificationService::secondOpinion(std::string_view bytes) const
{
    if (!m_second)
        return makeError("No second-opinion model.");
    auto input = prepare(bytes, *m_second, m_secondNormalisation);
    if (!input)
        return makeError("The image cannot be prepared: " + input.error());
    // The second model's own defaults: it is a different kind of model
    // (the CNN), whose options the main model's settings do not describe.
    engine::ClassifyOptions options;
    options.seed = cellSeed(bytes, m_options.seed);
    return callOf(*m_second, m_second->classify(*input, options));
}

Result<CasePlan> ClassificationService::planCase(db::Database &database, qint64 caseId, bool reclassify)
{
    CasePlan plan;
    auto all = database.cellIdsOfCase(caseId);
    if (!all)
        return makeError(all.error());
    plan.cells = *all;
    auto row = database.caseById(caseId);
    if (!row)
        return makeError(row.error());
    // A demo case's cells are in the model's own domain (it generated
    // them): nothing to bring to the training images, and checkDomain does
    // not judge them, so it stores no normalisation for heatmaps to reuse.
    if (row->isSynthetic()) {
        m_caseImages.clear();
        m_normalisation = {};
        m_secondNormalisation = {};
    } else {
        m_caseImages = measureCaseImages(database, *all);
        normaliseFrom(m_caseImages);
    }
    m_measuredCase = caseId;
    m_measuredCells = *all;
    if (m_model) {
        auto todo = reclassify ? Result<QList<qint64>>(*all) : database.cellsWithoutPrediction(caseId, m_modelId);
        if (!todo)
            return makeError(todo.error());
        plan.needsPrediction = QSet<qint64>(todo->cbegin(), todo->cend());
    }
    if (m_second) {
        auto todo = database.cellsWithoutSecondOpinion(caseId, m_secondId);
        if (!todo)
            return makeError(todo.error());
        plan.needsSecondOpinion = QSet<qint64>(todo->cbegin(), todo->cend());
    }
    return plan;
}

StoredCellCalls ClassificationService::callsOnStoredCell(const db::Database &database, qint64 cellId, bool predict,
                                                        bool secondOpinion, const engine::CancelFn &cancelled) const
{
    StoredCellCalls calls;
    auto bytes = database.cellImage(cellId);
    if (!bytes) {
        calls.error = fromStd(bytes.error());
        return calls;
    }
    const std::string_view view(bytes->constData(), std::size_t(bytes->size()));
    if (predict && m_model) {
        auto call = classifyImage(view, cancelled);
        if (!call) {
            calls.cancelled = cancelled && cancelled();
            calls.error = fromStd(call.error());
            return calls;
        }
        calls.prediction = std::move(*call);
    }
    // After the prediction, so a stored prediction and its second opinion
    // stay together: the second pass is quick and not cancelled.
    if (secondOpinion && m_second) {
        auto call = this->secondOpinion(view);
        if (!call) {
            calls.error = fromStd(call.error());
            return calls;
        }
        calls.secondOpinion = std::move(*call);
    }
    return calls;
}

StoredCellOutcome storeCellCalls(db::Database &database, qint64 cellId, const QString &modelId,
                                 const QString &secondOpinionModelId, const StoredCellCalls &calls)
{
    StoredCellOutcome outcome;
    outcome.error = calls.error;
    outcome.cancelled = calls.cancelled;
    if (const auto &call = calls.prediction) {
        auto stored = database.insertPrediction(cellId, modelId, call->predictedClass, call->confidence,
                                                call->anomaly, call->scores, call->result.nfe);
        if (!stored) {
            outcome.error = fromStd(stored.error());
            return outcome;
        }
        db::PredictionRow row;
        row.id = *stored;
        row.cellId = cellId;
        row.modelId = modelId;
        row.predictedClass = call->predictedClass;
        row.confidence = call->confidence;
        row.anomaly = call->anomaly;
        row.scores = call->scores;
        row.nfe = call->result.nfe;
        row.createdAt = QDateTime::currentDateTimeUtc();
        outcome.prediction = row;
    }
    if (const auto &call = calls.secondOpinion; call && !secondOpinionModelId.isEmpty()) {
        auto stored = database.insertSecondOpinion(cellId, secondOpinionModelId, call->predictedClass, call->confidence);
        if (!stored) {
            outcome.error = fromStd(stored.error());
            return outcome;
        }
        outcome.secondOpinionClass = call->predictedClass;
    }
    return outcome;
}

StoredCellOutcome ClassificationService::storeCalls(db::Database &database, qint64 cellId,
                                                    const StoredCellCalls &calls) const
{
    return storeCellCalls(database, cellId, m_modelId, m_second ? m_secondId : QString(), calls);
}

StoredCellOutcome ClassificationService::classifyStoredCell(db::Database &database, qint64 cellId, bool predict,
                                                            bool secondOpinion, const engine::CancelFn &cancelled) const
{
    return storeCalls(database, cellId, callsOnStoredCell(database, cellId, predict, secondOpinion, cancelled));
}

} // namespace cytodiff::classify
