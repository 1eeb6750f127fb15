// A tiny model must learn two synthetic classes (discs vs rings) to 100%
// on CPU within a minute, and training must be deterministic for a seed;
// both trainers resume a checkpoint to exactly the uninterrupted result,
// and a compact (float16, optimiser-free) checkpoint to the same weights.
#include <torch/torch.h>

#include "trainer.h"
#include "trainingloop.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace cytodiff::engine;

namespace {

constexpr int kRes = 16;

// A centred shape with jittered radius and brightness on a light background.
std::vector<std::uint8_t> shape(bool ring, std::mt19937 &rng)
{
    std::uniform_real_distribution<double> jitter(-1.0, 1.0);
    const double radius = 5.0 + 0.8 * jitter(rng);
    const double cx = 7.5 + 0.7 * jitter(rng), cy = 7.5 + 0.7 * jitter(rng);
    const double ink = 60 + 30 * jitter(rng);
    std::vector<std::uint8_t> image(3 * kRes * kRes);
    for (int y = 0; y < kRes; ++y)
        for (int x = 0; x < kRes; ++x) {
            const double r = std::hypot(x - cx, y - cy);
            const bool inside = ring ? (r <= radius && r >= radius - 2.0) : r <= radius;
            for (int c = 0; c < 3; ++c)
                image[(c * kRes + y) * kRes + x] = std::uint8_t(inside ? ink + 20 * c : 220 - 10 * c);
        }
    return image;
}

TrainingData syntheticData(int perClass, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    TrainingData data;
    data.classNames = {"disc", "ring"};
    data.resolution = kRes;
    data.cropSize = kRes;
    for (int i = 0; i < perClass * 2; ++i) {
        const bool ring = i % 2;
        auto pixels = shape(ring, rng);
        data.pixels.insert(data.pixels.end(), pixels.begin(), pixels.end());
        data.labels.push_back(ring ? 1 : 0);
        data.names.push_back("cell" + std::to_string(i));
    }
    data.splits = stratifiedSplit(data.names, data.labels);
    return data;
}

TrainOptions tinyOptions(const QString &out)
{
    TrainOptions o;
    o.outPath = out.toStdString();
    o.steps = 400;
    o.batchSize = 16;
    o.learningRate = 2e-3;
    o.warmupSteps = 20;
    o.network.baseChannels = 16;
    o.network.channelMults = {1, 2};
    o.network.embedDim = 32;
    o.network.midAttention = false;
    o.validateEverySeconds = 0;
    o.finalValidationCells = 0;
    o.checkpointEverySeconds = 1e9;
    o.seed = 11;
    return o;
}

// A small CNN for the baseline trainer's tests.
TrainOptions baselineOptions(const QString &out, int steps)
{
    auto o = tinyOptions(out);
    o.steps = steps;
    o.network.baseChannels = 8;
    o.network.channelMults = {1, 2};
    o.network.resBlocks = 1;
    return o;
}

} // namespace

class TestTraining : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void learnsDiscsVersusRings()
    {
        const QString path = m_dir.filePath(QStringLiteral("shapes.pt"));
        auto report = trainDiffusion(syntheticData(60, 1), tinyOptions(path), {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        QCOMPARE(report->steps, std::int64_t(400));

        auto model = Model::load(path.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        QCOMPARE(model->card().errorScale.size(), std::size_t(21));
        auto test = syntheticData(10, 99); // shapes never seen in training
        int correct = 0;
        for (std::size_t i = 0; i < test.size(); ++i) {
            cytodiff::FloatImage image{3, kRes, kRes, {}};
            for (std::size_t j = 0; j < test.imageBytes(); ++j)
                image.data.push_back(test.pixels[i * test.imageBytes() + j] / 127.5f - 1.0f);
            ClassifyOptions options;
            options.seed = i;
            auto result = model->classify(image, options);
            QVERIFY(result.ok());
            correct += result->predicted == test.labels[i];
        }
        QCOMPARE(correct, int(test.size()));
    }

    void deterministicForASeedAndResumable()
    {
        auto data = syntheticData(20, 2);
        auto options = tinyOptions(m_dir.filePath(QStringLiteral("a.pt")));
        options.steps = 30;
        QVERIFY(trainDiffusion(data, options, {}).ok());
        options.outPath = m_dir.filePath(QStringLiteral("b.pt")).toStdString();
        QVERIFY(trainDiffusion(data, options, {}).ok());
        auto a = Model::load(m_dir.filePath(QStringLiteral("a.pt")).toStdString());
        auto b = Model::load(m_dir.filePath(QStringLiteral("b.pt")).toStdString());
        QVERIFY(a.ok() && b.ok());
        cytodiff::FloatImage image{3, kRes, kRes, std::vector<float>(3 * kRes * kRes, 0.2f)};
        auto ra = a->classify(image, {});
        auto rb = b->classify(image, {});
        QCOMPARE(ra->errors, rb->errors);

        // 15 steps, checkpoint, resume to 30: same weights as 30 in one go.
        auto half = tinyOptions(m_dir.filePath(QStringLiteral("half.pt")));
        half.steps = 15;
        QVERIFY(trainDiffusion(data, half, {}).ok());
        auto resumed = tinyOptions(m_dir.filePath(QStringLiteral("resumed.pt")));
        resumed.steps = 30;
        resumed.resumePath = m_dir.filePath(QStringLiteral("half.pt.ckpt")).toStdString();
        auto report = trainDiffusion(data, resumed, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        auto c = Model::load(m_dir.filePath(QStringLiteral("resumed.pt")).toStdString());
        QVERIFY(c.ok());
        // The card states the optimiser settings the steps ran with.
        QCOMPARE(c->card().learningRate, resumed.learningRate);
        QCOMPARE(c->card().batchSize, resumed.batchSize);
        auto rc = c->classify(image, {});
        QCOMPARE(rc->errors, ra->errors);
    }

    void refusesAMismatchedCheckpoint()
    {
        auto options = tinyOptions(m_dir.filePath(QStringLiteral("other.pt")));
        options.steps = 5;
        options.network.baseChannels = 8; // not the network of half.pt.ckpt
        options.resumePath = m_dir.filePath(QStringLiteral("half.pt.ckpt")).toStdString();
        auto report = trainDiffusion(syntheticData(20, 2), options, {});
        QVERIFY(!report.ok());
        QVERIFY(QString::fromStdString(report.error()).contains(QStringLiteral("another network")));

        // A checkpoint says where it stopped and with which settings, without
        // loading its tensors (a study decides from this whether to go on).
        const auto info = readCheckpointInfo(m_dir.filePath(QStringLiteral("half.pt.ckpt")).toStdString());
        QVERIFY2(info.ok(), info.ok() ? "" : info.error().c_str());
        const auto half = tinyOptions(QString());
        QCOMPARE(info->step, std::int64_t(15));
        QCOMPARE(info->learningRate, half.learningRate);
        QCOMPARE(info->batchSize, half.batchSize);
        QVERIFY(!readCheckpointInfo(m_dir.filePath(QStringLiteral("half.pt")).toStdString()).ok());
    }

    void baselineResumesToTheSameWeights()
    {
        auto data = syntheticData(20, 2);
        auto options = [&](const QString &name, int steps) { return baselineOptions(m_dir.filePath(name), steps); };
        QVERIFY(trainBaseline(data, options(QStringLiteral("whole.pt"), 30), {}).ok());
        QVERIFY(trainBaseline(data, options(QStringLiteral("first.pt"), 15), {}).ok());
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("first.pt.ckpt"))));
        auto rest = options(QStringLiteral("rest.pt"), 30);
        rest.resumePath = m_dir.filePath(QStringLiteral("first.pt.ckpt")).toStdString();
        auto report = trainBaseline(data, rest, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        QCOMPARE(report->steps, std::int64_t(30));

        auto whole = Model::load(m_dir.filePath(QStringLiteral("whole.pt")).toStdString());
        auto first = Model::load(m_dir.filePath(QStringLiteral("first.pt")).toStdString());
        auto resumed = Model::load(m_dir.filePath(QStringLiteral("rest.pt")).toStdString());
        QVERIFY(whole.ok() && first.ok() && resumed.ok());
        cytodiff::FloatImage image{3, kRes, kRes, std::vector<float>(3 * kRes * kRes, 0.2f)};
        const auto expected = whole->classify(image, {})->errors;
        QCOMPARE(resumed->classify(image, {})->errors, expected);
        QVERIFY(first->classify(image, {})->errors != expected); // 15 more steps changed the weights

        // A diffusion checkpoint, or one of other widths, is refused by name.
        for (const QString &other : {QStringLiteral("half.pt.ckpt"), QStringLiteral("first.pt.ckpt")}) {
            auto wrong = options(QStringLiteral("wrong.pt"), 5);
            wrong.network.baseChannels = other == QLatin1String("first.pt.ckpt") ? 16 : 8;
            wrong.resumePath = m_dir.filePath(other).toStdString();
            auto refused = trainBaseline(data, wrong, {});
            QVERIFY(!refused.ok());
            QVERIFY2(QString::fromStdString(refused.error()).contains(QStringLiteral("another network")),
                     refused.error().c_str());
        }
    }

    // What a session commits to go on with a run on a machine that keeps no
    // files: under a quarter of a checkpoint (a sixth for a large network:
    // 2 bytes a weight against 12), the same weights to float16 precision,
    // the same position, fresh optimiser moments with a short warm-up.
    void compactCheckpointGoesOnFromTheSameWeights()
    {
        auto data = syntheticData(20, 2);
        auto options = [&](const QString &name, int steps) { return baselineOptions(m_dir.filePath(name), steps); };
        auto first = options(QStringLiteral("c15.pt"), 15);
        first.compactCheckpointPath = m_dir.filePath(QStringLiteral("c15.compact")).toStdString();
        QVERIFY(trainBaseline(data, first, {}).ok());
        const QFileInfo full(m_dir.filePath(QStringLiteral("c15.pt.ckpt")));
        const QFileInfo compact(m_dir.filePath(QStringLiteral("c15.compact")));
        QVERIFY(compact.exists());
        QVERIFY2(compact.size() * 4 < full.size(),
                 qPrintable(QStringLiteral("%1 vs %2 bytes").arg(compact.size()).arg(full.size())));
        const auto info = readCheckpointInfo(first.compactCheckpointPath);
        QVERIFY(info.ok());
        QCOMPARE(info->step, std::int64_t(15));

        // Resumed with the budget already spent: the model it writes is the
        // checkpointed one, to float16 precision.
        auto same = options(QStringLiteral("same.pt"), 15);
        same.resumePath = first.compactCheckpointPath;
        auto report = trainBaseline(data, same, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        QCOMPARE(report->steps, std::int64_t(15));
        auto a = Model::load(first.outPath);
        auto b = Model::load(same.outPath);
        QVERIFY(a.ok() && b.ok());
        cytodiff::FloatImage image{3, kRes, kRes, std::vector<float>(3 * kRes * kRes, 0.2f)};
        const auto ea = a->classify(image, {})->errors;
        const auto eb = b->classify(image, {})->errors;
        QCOMPARE(ea.size(), eb.size());
        for (std::size_t i = 0; i < ea.size(); ++i)
            QVERIFY2(std::abs(ea[i] - eb[i]) <= 0.02 * std::abs(ea[i]) + 1e-3, qPrintable(QString::number(i)));

        // And it goes on to the whole budget, for both trainers.
        auto rest = options(QStringLiteral("rest30.pt"), 30);
        rest.resumePath = first.compactCheckpointPath;
        report = trainBaseline(data, rest, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        QCOMPARE(report->steps, std::int64_t(30));
        // The moments started afresh at step 15, and the full checkpoint the
        // resumed run writes remembers it, so a run stopped during the
        // re-warm-up resumes inside it (before session 29 it resumed at the
        // full rate with a few steps' moments).
        QCOMPARE(readCheckpointInfo(first.outPath + ".ckpt")->optimiserRestartedAt, std::int64_t(-1));
        QCOMPARE(info->optimiserRestartedAt, std::int64_t(15));
        QCOMPARE(readCheckpointInfo(rest.outPath + ".ckpt")->optimiserRestartedAt, std::int64_t(15));
        auto further = options(QStringLiteral("rest40.pt"), 40);
        further.resumePath = rest.outPath + ".ckpt";
        QVERIFY(trainBaseline(data, further, {}).ok());
        QCOMPARE(readCheckpointInfo(further.outPath + ".ckpt")->optimiserRestartedAt, std::int64_t(15));
        // A diffusion run that started from an earlier model (a.pt, 30
        // steps) is resumed without it: the card still counts every step.
        auto diffusion = tinyOptions(m_dir.filePath(QStringLiteral("d15.pt")));
        diffusion.steps = 15;
        diffusion.initPath = m_dir.filePath(QStringLiteral("a.pt")).toStdString();
        diffusion.compactCheckpointPath = m_dir.filePath(QStringLiteral("d15.compact")).toStdString();
        QVERIFY(trainDiffusion(data, diffusion, {}).ok());
        auto more = tinyOptions(m_dir.filePath(QStringLiteral("d30.pt")));
        more.steps = 30;
        more.resumePath = diffusion.compactCheckpointPath;
        report = trainDiffusion(data, more, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        QCOMPARE(report->steps, std::int64_t(30));
        auto continued = Model::load(more.outPath);
        QVERIFY(continued.ok());
        QCOMPARE(continued->card().trainSteps, std::int64_t(30 + 30));

        // A compact checkpoint of another network is refused as a full one is.
        auto wrong = options(QStringLiteral("wrong.pt"), 20);
        wrong.network.baseChannels = 16;
        wrong.resumePath = first.compactCheckpointPath;
        report = trainBaseline(data, wrong, {});
        QVERIFY(!report.ok());
        QVERIFY(QString::fromStdString(report.error()).contains(QStringLiteral("another network")));
    }

    void freshMomentsWarmUpAgain()
    {
        TrainOptions o;
        o.learningRate = 1e-3;
        o.warmupSteps = 200;
        const double cosine = scheduledLearningRate(o, 1000, 0.5);
        QCOMPARE(scheduledLearningRate(o, 1000, 0.5, 1000), cosine / 200);
        QCOMPARE(scheduledLearningRate(o, 1099, 0.5, 1000), cosine / 2);
        QCOMPARE(scheduledLearningRate(o, 1199, 0.5, 1000), cosine);
        QCOMPARE(scheduledLearningRate(o, 1500, 0.5, 1000), cosine);
        QCOMPARE(scheduledLearningRate(o, 50, 0.01, -1), scheduledLearningRate(o, 50, 0.01));
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
