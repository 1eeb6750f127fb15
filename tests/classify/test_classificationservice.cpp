// The classification service (issue 22): the seed rule, the review decision
// for unstored calls, and classifying a stored case with resume, on the
// tiny committed model and the shipped baseline CNN as second opinion.
#include "classificationservice.h"
#include "database.h"
#include "drawncell.h"
#include "imagestats.h"
#include "normalisationfit.h"
#include "sha256.h"
#include "testimages.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cytodiff;
using cytodiff::testing::makeCellImage;

namespace {
const QString kTinyModel = QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
const QString kBaseline = QStringLiteral(CYTODIFF_SOURCE_DIR "/models/baseline-pbc8.pt");

std::string_view viewOf(const QByteArray &bytes)
{
    return {bytes.constData(), std::size_t(bytes.size())};
}

// count 96 px cells drawn from seeds firstSeed.. into the case; returns
// their image bytes (fewer when an insert failed).
QList<QByteArray> insertCells(db::Database &database, qint64 caseId, int count, int firstSeed)
{
    QList<QByteArray> images;
    for (int i = 0; i < count; ++i) {
        db::NewCell cell;
        cell.caseId = caseId;
        cell.image = makeCellImage(firstSeed + i, ".png", 96, 96);
        Sha256 digest;
        digest.update(viewOf(cell.image));
        cell.sha256 = QString::fromStdString(digest.finishHex());
        cell.width = cell.height = 96;
        cell.originalName = QStringLiteral("cell%1.png").arg(firstSeed + i);
        if (!database.insertCell(cell))
            break;
        images.append(cell.image);
    }
    return images;
}

bool insertImage(db::Database &database, qint64 caseId, const QByteArray &image, int number)
{
    db::NewCell cell;
    cell.caseId = caseId;
    cell.image = image;
    Sha256 digest;
    digest.update(viewOf(image));
    cell.sha256 = QString::fromStdString(digest.finishHex());
    cell.width = cell.height = 360;
    cell.originalName = QStringLiteral("drawn%1.png").arg(number);
    return database.insertCell(cell).ok();
}

classify::CellCall callWith(const QString &predicted, double top, double second, double anomaly = -1.0)
{
    classify::CellCall call;
    call.predicted = 0;
    call.predictedClass = predicted;
    call.anomaly = anomaly;
    call.scores = {{predicted, top}, {QStringLiteral("other"), second}};
    return call;
}
} // namespace

class TestClassificationService : public QObject {
    Q_OBJECT

private:
    std::optional<engine::Model> m_tiny;
    std::optional<engine::Model> m_baseline;

private slots:
    void initTestCase()
    {
        engine::setThreadCount(1);
        auto tiny = engine::Model::load(kTinyModel.toStdString());
        QVERIFY2(tiny.ok(), tiny.ok() ? "" : tiny.error().c_str());
        m_tiny = std::move(*tiny);
        auto baseline = engine::Model::load(kBaseline.toStdString());
        QVERIFY2(baseline.ok(), baseline.ok() ? "" : baseline.error().c_str());
        m_baseline = std::move(*baseline);
    }

    // The seed depends on the picture's bytes and the base seed only, and
    // is the stored digest's first 8 bytes: a cell keeps its trials in
    // every workspace.
    void seedRule()
    {
        const QByteArray a = makeCellImage(1, ".png");
        const QByteArray b = makeCellImage(2, ".png");
        QCOMPARE(classify::cellSeed(viewOf(a), 0), classify::cellSeed(viewOf(a), 0));
        QVERIFY(classify::cellSeed(viewOf(a), 0) != classify::cellSeed(viewOf(b), 0));
        QCOMPARE(classify::cellSeed(viewOf(a), 5), classify::cellSeed(viewOf(a), 0) + 5);
        Sha256 digest;
        digest.update(viewOf(a));
        const std::string hex = digest.finishHex();
        QCOMPARE(classify::cellSeed(viewOf(a), 0), std::stoull(hex.substr(0, 16), nullptr, 16));
    }

    // The queue's order of reasons, for calls that are not stored.
    void reviewDecisionFollowsTheQueue()
    {
        using classify::reviewDecision;
        const auto confident = callWith(QStringLiteral("neutrophil"), 0.95, 0.02);
        QVERIFY(!reviewDecision(confident, nullptr).inQueue());
        QCOMPARE(reviewDecision(confident, nullptr).reason(), QString());
        QCOMPARE(reviewDecision(callWith(QStringLiteral("neutrophil"), 0.5, 0.4), nullptr).reason(),
                 QStringLiteral("uncertain"));
        QCOMPARE(reviewDecision(callWith(QStringLiteral("ig"), 0.95, 0.02), nullptr).reason(), QStringLiteral("critical"));
        QCOMPARE(reviewDecision(confident, nullptr, QStringLiteral("erythroblast")).reason(), QStringLiteral("critical"));
        const auto other = callWith(QStringLiteral("monocyte"), 0.9, 0.1);
        QCOMPARE(reviewDecision(confident, &other).reason(), QStringLiteral("second_opinion"));
        QVERIFY(!reviewDecision(confident, &confident).inQueue());
        QCOMPARE(reviewDecision(callWith(QStringLiteral("neutrophil"), 0.95, 0.02, 0.5), &other).reason(),
                 QStringLiteral("unidentified"));
    }

    // The same bytes give the same call from two services (as from the GUI
    // and the CLI); the margin is the queue's.
    void sameBytesSameCall()
    {
        engine::ClassifyOptions options;
        options.trialsMax = 8;
        const classify::ClassificationService first(&*m_tiny, nullptr, options);
        const classify::ClassificationService second(&*m_tiny, &*m_baseline, options);
        const QByteArray image = makeCellImage(7, ".png", 96, 96);
        auto a = first.classifyImage(viewOf(image));
        auto b = second.classifyImage(viewOf(image));
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().c_str());
        QVERIFY(b.ok());
        QCOMPARE(a->predictedClass, b->predictedClass);
        QCOMPARE(a->result.nfe, b->result.nfe);
        QCOMPARE(a->result.errors, b->result.errors);
        QCOMPARE(a->scores.size(), 8);
        QCOMPARE(a->margin, review::ReviewPriority::scoreMargin(a->result.probabilities, a->predicted));
        QVERIFY(!first.secondOpinion(viewOf(image)).ok()); // no second model: an error, not a crash
        auto opinion = second.secondOpinion(viewOf(image));
        QVERIFY(opinion.ok());
        QVERIFY(!opinion->predictedClass.isEmpty());
        QVERIFY(!first.classifyImage(std::string_view("not an image")).ok());
    }

    // A card with an error profile: its score is the call's anomaly (what
    // the queue reads), the engine's own score stays in the result; a
    // damaged profile fails every call with its reason, never silently
    // falling back to a weaker score; calls of another protocol are not
    // scored with it, and the service says so.
    void errorProfileIsTheQueuesAnomaly()
    {
        engine::ClassifyOptions options;
        options.trialsMax = 8;
        const auto &names = m_tiny->card().classNames;
        std::vector<classify::ProfileSample> samples;
        for (int i = 0; i < 12 * int(names.size()); ++i) {
            classify::ProfileSample sample;
            sample.predicted = i % int(names.size());
            for (std::size_t k = 0; k < names.size(); ++k)
                sample.errors.push_back(0.05 * double((i * 7 + int(k) * 3) % 11) + (int(k) == sample.predicted ? 0.0 : 0.6));
            samples.push_back(sample);
        }
        auto fit = classify::AnomalyProfile::fit(samples, names, {});
        QVERIFY2(fit.ok(), fit.ok() ? "" : fit.error().c_str());
        QTemporaryDir dir;
        const std::string withProfile = dir.filePath(QStringLiteral("profiled.pt")).toStdString();
        const std::string json = fit->profile.toJson();
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), withProfile, [&](engine::ModelCard &card) -> Result<void> {
            card.anomalyProfile = json;
            return {};
        }));
        auto profiled = engine::Model::load(withProfile);
        QVERIFY(profiled.ok());
        const QByteArray image = makeCellImage(7, ".png", 96, 96);
        const classify::ClassificationService plain(&*m_tiny, nullptr, options);
        const classify::ClassificationService service(&*profiled, nullptr, options);
        auto before = plain.classifyImage(viewOf(image));
        auto call = service.classifyImage(viewOf(image));
        QVERIFY2(call.ok(), call.ok() ? "" : call.error().c_str());
        QVERIFY(before.ok());
        QCOMPARE(call->result.errors, before->result.errors);
        QCOMPARE(call->result.anomaly, before->result.anomaly);
        QCOMPARE(before->anomaly, before->result.anomaly);
        QCOMPARE(call->anomaly, fit->profile.score(call->result.errors, call->predicted));
        QVERIFY(call->anomaly != call->result.anomaly);
        // Fewer trials than the fit's: still scored, and the user is told
        // the flagged share is not the one it was set for.
        QVERIFY2(service.profileNotice().find("(trials differ)") != std::string::npos, service.profileNotice().c_str());
        QVERIFY(classify::ClassificationService(&*profiled, nullptr).profileNotice().empty());
        // The paper protocol's errors are on another scale: the profile
        // scores nothing and the queue falls back to the engine's score.
        engine::ClassifyOptions paper = options;
        paper.protocol = engine::Protocol::Paper;
        const classify::ClassificationService paperService(&*profiled, nullptr, paper);
        auto paperCall = paperService.classifyImage(viewOf(image));
        QVERIFY2(paperCall.ok(), paperCall.ok() ? "" : paperCall.error().c_str());
        QCOMPARE(paperCall->anomaly, paperCall->result.anomaly);
        QVERIFY2(paperService.profileNotice().find("falls back to the engine's own anomaly score") != std::string::npos,
                 paperService.profileNotice().c_str());

        const std::string damaged = dir.filePath(QStringLiteral("damaged.pt")).toStdString();
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), damaged, [&](engine::ModelCard &card) -> Result<void> {
            card.anomalyProfile = json.substr(0, 40);
            return {};
        }));
        auto broken = engine::Model::load(damaged);
        QVERIFY(broken.ok());
        const classify::ClassificationService refusing(&*broken, nullptr, options);
        auto refused = refusing.classifyImage(viewOf(image));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().find("anomaly profile") != std::string::npos, refused.error().c_str());
        QCOMPARE(refusing.profileError().value_or(""), refused.error());
        // The queue takes only the class of a second opinion: a damaged
        // profile on the second model's card blocks nothing.
        const classify::ClassificationService withDamagedSecond(&*m_tiny, &*broken, options);
        QVERIFY(!withDamagedSecond.profileError());
        auto second = withDamagedSecond.secondOpinion(viewOf(image));
        QVERIFY2(second.ok(), second.ok() ? "" : second.error().c_str());
        QCOMPARE(second->anomaly, second->result.anomaly);
        // The remedy's path: a service told to ignore the card's profile
        // classifies with the engine's score.
        classify::ClassificationService ignoring(&*broken, nullptr, options);
        ignoring.ignoreAnomalyProfiles();
        auto plainCall = ignoring.classifyImage(viewOf(image));
        QVERIFY(plainCall.ok());
        QCOMPARE(plainCall->anomaly, before->result.anomaly);
        // Clearing the field removes it from the file (calibrate does so).
        const std::string cleared = dir.filePath(QStringLiteral("cleared.pt")).toStdString();
        QVERIFY(engine::rewriteModelCard(withProfile, cleared, [](engine::ModelCard &card) -> Result<void> {
            card.anomalyProfile.clear();
            return {};
        }));
        auto reloaded = engine::Model::load(cleared);
        QVERIFY(reloaded.ok());
        QVERIFY(reloaded->card().anomalyProfile.empty());
        QCOMPARE(reloaded->card().domainReference, profiled->card().domainReference);
    }

    // A stored case: plan, classify and store, then nothing left to do;
    // a cancelled call stores nothing.
    void storedCaseResumes()
    {
        auto database = db::Database::openInMemory();
        QVERIFY(database.ok());
        auto caseId = database->createCase({QStringLiteral("case-1"), {}, {}, {}, {}, {}, {}});
        QVERIFY(caseId.ok());
        QVERIFY(insertCells(*database, *caseId, 3, 20).size() == 3);
        engine::ClassifyOptions options;
        options.trialsMax = 8;
        classify::ClassificationService service(&*m_tiny, &*m_baseline, options);
        auto plan = service.planCase(*database, *caseId);
        QVERIFY(plan.ok());
        QCOMPARE(plan->todo().size(), 3);

        const qint64 first = plan->cells.first();
        const auto cancelled = service.classifyStoredCell(*database, first, true, true, [] { return true; });
        QVERIFY(cancelled.cancelled);
        QVERIFY(!cancelled.prediction);
        QCOMPARE(service.planCase(*database, *caseId)->todo().size(), 3);

        for (qint64 id : plan->todo()) {
            const auto done = service.classifyStoredCell(*database, id, true, true);
            QVERIFY2(done.error.isEmpty(), qPrintable(done.error));
            QVERIFY(done.prediction);
            QCOMPARE(done.prediction->modelId, service.modelId());
            QVERIFY(!done.secondOpinionClass.isEmpty());
        }
        QVERIFY(service.planCase(*database, *caseId)->todo().isEmpty());
        QCOMPARE(service.planCase(*database, *caseId, true)->needsPrediction.size(), 3);

        // The stored call is the one the bytes get anywhere else.
        auto stored = database->predictionsOfModel(*caseId, service.modelId());
        QVERIFY(stored.ok());
        auto bytes = database->cellImage(first);
        QVERIFY(bytes.ok());
        auto again = service.classifyImage(viewOf(*bytes));
        QVERIFY(again.ok());
        for (const db::PredictionRow &row : *stored)
            if (row.cellId == first)
                QCOMPARE(row.predictedClass, again->predictedClass);
    }

    // The domain check of a stored case: judged against the model card's
    // reference, stored for the GUI, and a case outside queues every cell.
    void domainCheckIsStoredAndQueuesEverything()
    {
        auto database = db::Database::openInMemory();
        QVERIFY(database.ok());
        auto caseId = database->createCase({QStringLiteral("case-d"), {}, {}, {}, {}, {}, {}});
        QVERIFY(caseId.ok());
        std::vector<imaging::ImageStats> measured;
        const QList<QByteArray> images = insertCells(*database, *caseId, 6, 40);
        QCOMPARE(images.size(), 6);
        for (const QByteArray &image : images)
            measured.push_back(*imaging::measureImage(viewOf(image)));
        QTemporaryDir dir;
        const std::string like = (dir.path() + QStringLiteral("/like.pt")).toStdString();
        const std::string unlike = (dir.path() + QStringLiteral("/unlike.pt")).toStdString();
        domain::DomainReference reference = domain::buildReference(measured);
        auto written = engine::rewriteModelCard(kTinyModel.toStdString(), like, [&](engine::ModelCard &card) -> Result<void> {
            card.domainReference = reference.toJson();
            return {};
        });
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().c_str());
        // Training images twice as sharp as these: the case is out of focus.
        reference.features["sharpness"] = {4 * reference.features["sharpness"].p50, 5 * reference.features["sharpness"].p50,
                                           6 * reference.features["sharpness"].p50};
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), unlike, [&](engine::ModelCard &card) -> Result<void> {
                    card.domainReference = reference.toJson();
                    return {};
                }).ok());

        auto likeModel = engine::Model::load(like);
        QVERIFY(likeModel.ok());
        QVERIFY(!likeModel->card().domainReference.empty());
        auto verdict = classify::ClassificationService(&*likeModel, nullptr).checkDomain(*database, *caseId);
        QVERIFY2(verdict.ok(), verdict.ok() ? "" : verdict.error().c_str());
        QVERIFY(verdict->checked);
        QVERIFY(!verdict->outside);
        auto stored = database->domainCheck(*caseId);
        QVERIFY(stored.ok() && stored->has_value());
        QVERIFY(!(*stored)->outside);

        auto unlikeModel = engine::Model::load(unlike);
        QVERIFY(unlikeModel.ok());
        const classify::ClassificationService service(&*unlikeModel, nullptr);
        verdict = service.checkDomain(*database, *caseId);
        QVERIFY(verdict.ok());
        QVERIFY(verdict->outside);
        stored = database->domainCheck(*caseId);
        QVERIFY((*stored)->outside);
        QCOMPARE((*stored)->modelId, service.modelId());
        QVERIFY(domain::DomainVerdict::fromJson((*stored)->verdictJson.toStdString())->outside);

        // The demo case of model-generated cells (source "synthetic:<model>",
        // core/demo) is not judged, even with the images judged outside
        // above: the check compares a laboratory's images with the training
        // images, and generated ones would measure the generator.
        auto demoCase = database->createCase({QStringLiteral("demo"), {}, {}, QStringLiteral("synthetic:tiny@1"), {}, {}, {}});
        QVERIFY(demoCase.ok());
        QCOMPARE(insertCells(*database, *demoCase, 6, 40).size(), 6);
        auto demoVerdict = service.checkDomain(*database, *demoCase);
        QVERIFY2(demoVerdict.ok(), demoVerdict.ok() ? "" : demoVerdict.error().c_str());
        QVERIFY(!demoVerdict->checked);
        QVERIFY(!demoVerdict->outside);
        auto demoStored = database->domainCheck(*demoCase);
        QVERIFY(demoStored.ok() && demoStored->has_value());
        QVERIFY(!(*demoStored)->outside);
        auto demoJson = domain::DomainVerdict::fromJson((*demoStored)->verdictJson.toStdString());
        QVERIFY(demoJson.ok());
        QVERIFY(!demoJson->checked);
        // Nor normalised: its cells are in the model's own domain.
        classify::ClassificationService planning(&*unlikeModel, nullptr);
        QVERIFY(planning.planCase(*database, *demoCase).ok());
        QVERIFY(planning.normalisation().isIdentity());
        stored = database->domainCheck(*caseId);
        QVERIFY(stored.ok() && stored->has_value());
        QVERIFY((*stored)->outside);

        // A confident call joins the queue only because of the check.
        review::ReviewThresholds thresholds;
        QVERIFY(!classify::reviewDecision(callWith(QStringLiteral("lymphocyte"), 0.99, 0.01), nullptr, {}, thresholds).inQueue());
        thresholds.reviewEveryCell = true;
        const auto decision = classify::reviewDecision(callWith(QStringLiteral("lymphocyte"), 0.99, 0.01), nullptr, {}, thresholds);
        QVERIFY(decision.inQueue());
        QCOMPARE(decision.reason(), QStringLiteral("domain_shift"));
        // A call queued anyway keeps its own reason.
        QCOMPARE(classify::reviewDecision(callWith(QStringLiteral("lymphocyte"), 0.5, 0.4), nullptr, {}, thresholds).reason(),
                 QStringLiteral("uncertain"));

        // The reference's effort was measured with the application's
        // settings: calls of the paper protocol, which spend far more, are
        // not held to it (the images alone decide); calls made with the
        // application's settings are.
        reference = domain::buildReference(measured);
        reference.effortCells = 50;
        reference.effortMean = 1.0; // far below any real race
        const std::string cheap = (dir.path() + QStringLiteral("/cheap.pt")).toStdString();
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), cheap, [&](engine::ModelCard &card) -> Result<void> {
                    card.domainReference = reference.toJson();
                    return {};
                }).ok());
        auto cheapModel = engine::Model::load(cheap);
        QVERIFY(cheapModel.ok());
        engine::ClassifyOptions quick;
        quick.trialsMax = 8;
        classify::ClassificationService storing(&*cheapModel, nullptr, quick);
        auto planned = storing.planCase(*database, *caseId);
        QVERIFY(planned.ok());
        for (qint64 cell : planned->todo())
            QVERIFY(storing.classifyStoredCell(*database, cell, true, false).error.isEmpty());
        engine::ClassifyOptions paper;
        paper.protocol = engine::Protocol::Paper;
        verdict = classify::ClassificationService(&*cheapModel, nullptr, paper).checkDomain(*database, *caseId);
        QVERIFY(verdict.ok());
        QVERIFY(verdict->checked);
        QVERIFY(!verdict->outside);
        verdict = classify::ClassificationService(&*cheapModel, nullptr).checkDomain(*database, *caseId);
        QVERIFY(verdict.ok());
        QVERIFY2(verdict->outside, verdict->toJson().c_str());

        // A model without a reference makes no check, and its run replaces
        // the earlier model's verdict: no stale banner.
        auto none = classify::ClassificationService(&*m_tiny, nullptr).checkDomain(*database, *caseId);
        QVERIFY(none.ok());
        QVERIFY(!none->checked);
        QVERIFY(!(*database->domainCheck(*caseId))->outside);
    }

    // What a run says about its domain check before the first cell: which
    // of the classifier's figures it will not compare, and why.
    void domainCheckNoticeSaysWhatIsNotCompared()
    {
        // The queue's Unidentified rule, which the check counts by.
        QVERIFY(review::ReviewThresholds{}.flagsUnidentified(0.1));
        QVERIFY(!review::ReviewThresholds{}.flagsUnidentified(0.0));
        QVERIFY(!review::ReviewThresholds{}.flagsUnidentified(std::nan("")));

        QVERIFY(classify::ClassificationService(&*m_tiny, nullptr).domainCheckNotice().empty()); // no reference
        QTemporaryDir dir;
        const auto withReference = [&](const QString &name, int effortCells, double unidentifiedShare) {
            domain::DomainReference reference;
            reference.images = 40;
            reference.features["nucleus_diameter"] = {20, 30, 40};
            reference.effortCells = effortCells;
            reference.effortMean = effortCells > 0 ? 70.0 : 0.0;
            reference.unidentifiedShare = unidentifiedShare;
            const std::string path = dir.filePath(name).toStdString();
            auto sha = engine::rewriteModelCard(kTinyModel.toStdString(), path, [&](engine::ModelCard &card) -> Result<void> {
                card.domainReference = reference.toJson();
                return {};
            });
            return sha ? engine::Model::load(path) : Result<engine::Model>(makeError(sha.error()));
        };
        engine::ClassifyOptions paper;
        paper.protocol = engine::Protocol::Paper;

        auto whole = withReference(QStringLiteral("whole.pt"), 96, 0.05);
        QVERIFY(whole.ok());
        QVERIFY(classify::ClassificationService(&*whole, nullptr).domainCheckNotice().empty());
        const std::string otherSettings = classify::ClassificationService(&*whole, nullptr, paper).domainCheckNotice();
        QVERIFY2(otherSettings.find("images only") != std::string::npos
                     && otherSettings.find("were measured with the default classifier settings, and this run changes its protocol") != std::string::npos,
                 otherSettings.c_str());

        // calibrate removes both figures, anomaly-profile the share alone.
        auto imagesOnly = withReference(QStringLiteral("calibrated.pt"), 0, -1);
        QVERIFY(imagesOnly.ok());
        for (const auto &options : {engine::ClassifyOptions{}, paper}) {
            const std::string notice = classify::ClassificationService(&*imagesOnly, nullptr, options).domainCheckNotice();
            QVERIFY2(notice.find("images only") != std::string::npos && notice.find("domain-reference") != std::string::npos,
                     notice.c_str());
        }
        auto effortOnly = withReference(QStringLiteral("profiled.pt"), 96, -1);
        QVERIFY(effortOnly.ok());
        const std::string noShare = classify::ClassificationService(&*effortOnly, nullptr).domainCheckNotice();
        QVERIFY2(noShare.find("does not compare the share of Unidentified cells") != std::string::npos, noShare.c_str());

        // A CNN's reference holds its images alone, by design: nothing to say.
        QVERIFY(classify::ClassificationService(&*m_baseline, nullptr).domainCheckNotice().empty());
    }

    // A case from a lower magnification (issue 21): planning it fits the
    // case normalisation, the check no longer names the corrected scale,
    // and the stored check carries the normalisation for heatmaps and the
    // Turing test.
    void caseNormalisationIsFittedStoredAndReused()
    {
        auto database = db::Database::openInMemory();
        QVERIFY(database.ok());
        auto reference = database->createCase({QStringLiteral("reference"), {}, {}, {}, {}, {}, {}});
        auto other = database->createCase({QStringLiteral("other-lab"), {}, {}, {}, {}, {}, {}});
        QVERIFY(reference.ok() && other.ok());
        std::vector<imaging::ImageStats> measured;
        for (int i = 0; i < 12; ++i) {
            testing::Drawing d;
            d.nucleusRadius = 30 + 2 * i;
            const std::string file = testing::drawCell(d, 100 + i);
            measured.push_back(*imaging::measureImage(file));
            QVERIFY(insertImage(*database, *reference, QByteArray::fromStdString(file), i));
            d.scale = 0.6;
            QVERIFY(insertImage(*database, *other, QByteArray::fromStdString(testing::drawCell(d, 200 + i)), 100 + i));
        }
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/referenced.pt")).toStdString();
        auto reference96 = domain::buildReference(measured);
        reference96.cropSize = 240;
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), path, [&](engine::ModelCard &card) -> Result<void> {
                    card.domainReference = reference96.toJson();
                    return {};
                }).ok());
        auto model = engine::Model::load(path);
        QVERIFY(model.ok());
        classify::ClassificationService service(&*model, nullptr);

        QVERIFY(service.planCase(*database, *reference).ok());
        QVERIFY(service.normalisation().isIdentity());
        QVERIFY(service.planCase(*database, *other).ok());
        QVERIFY2(std::abs(service.normalisation().scale - 0.6) < 0.08, service.normalisation().describe().c_str());
        // (The drawing keeps its few red cells, so its background grows
        // with the zoom, which a real slide's does not: only scale is judged.)
        const auto namesScale = [](const domain::DomainVerdict &v) {
            const auto aspects = v.aspects();
            return std::find(aspects.begin(), aspects.end(), domain::Aspect::Scale) != aspects.end();
        };
        auto verdict = service.checkDomain(*database, *other);
        QVERIFY(verdict.ok());
        QVERIFY2(!namesScale(*verdict), verdict->warning().c_str());
        QCOMPARE(verdict->normalisation.scale, service.normalisation().scale);
        auto images = classify::checkStoredCaseImages(*database, *other, reference96.toJson());
        QVERIFY(images.ok());
        QVERIFY(!namesScale(*images));
        // Without normalisation the same case is another magnification.
        std::vector<imaging::ImageStats> otherStats;
        const auto otherCells = database->cellIdsOfCase(*other); // kept: a range-for does not extend its life
        QVERIFY(otherCells.ok());
        for (qint64 id : *otherCells)
            otherStats.push_back(*imaging::measureImage(viewOf(*database->cellImage(id))));
        QVERIFY(namesScale(domain::checkCase(otherStats, reference96)));

        const qint64 cell = database->cellIdsOfCase(*other)->first();
        const auto stored = classify::storedNormalisation(*database, cell, service.modelId());
        QCOMPARE(stored.scale, service.normalisation().scale);
        QVERIFY(classify::storedNormalisation(*database, cell, QStringLiteral("another-model@0")).isIdentity());
    }
};

QTEST_MAIN(TestClassificationService)
#include "test_classificationservice.moc"
