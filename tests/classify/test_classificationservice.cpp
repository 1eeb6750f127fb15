// The classification service (issue 22): the seed rule, the review decision
// for unstored calls, and classifying a stored case with resume, on the
// tiny committed model and the shipped baseline CNN as second opinion.
#include "classificationservice.h"
#include "database.h"
#include "sha256.h"
#include "testimages.h"

#include <QTest>

using namespace cytodiff;
using cytodiff::testing::makeCellImage;

namespace {
const QString kTinyModel = QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
const QString kBaseline = QStringLiteral(CYTODIFF_SOURCE_DIR "/models/baseline-pbc8.pt");

std::string_view viewOf(const QByteArray &bytes)
{
    return {bytes.constData(), std::size_t(bytes.size())};
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

    // A stored case: plan, classify and store, then nothing left to do;
    // a cancelled call stores nothing.
    void storedCaseResumes()
    {
        auto database = db::Database::openInMemory();
        QVERIFY(database.ok());
        auto caseId = database->createCase({QStringLiteral("case-1"), {}, {}, {}, {}});
        QVERIFY(caseId.ok());
        for (int i = 0; i < 3; ++i) {
            db::NewCell cell;
            cell.caseId = *caseId;
            cell.image = makeCellImage(20 + i, ".png", 96, 96);
            Sha256 digest;
            digest.update(viewOf(cell.image));
            cell.sha256 = QString::fromStdString(digest.finishHex());
            cell.width = cell.height = 96;
            cell.originalName = QStringLiteral("cell%1.png").arg(i);
            auto inserted = database->insertCell(cell);
            QVERIFY2(inserted.ok(), inserted.ok() ? "" : inserted.error().c_str());
        }
        engine::ClassifyOptions options;
        options.trialsMax = 8;
        const classify::ClassificationService service(&*m_tiny, &*m_baseline, options);
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
};

QTEST_MAIN(TestClassificationService)
#include "test_classificationservice.moc"
