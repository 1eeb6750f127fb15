// The latent autoencoder of Model v2: the shapes the diffusion network will
// rely on, a tiny run that learns, a float16 file that loads back bit for
// bit and refuses damage with a message, and a resume that equals one run.
#include <torch/torch.h>

#include "autoencoder.h"
#include "autoencodertrainer.h"
#include "container.h"
#include "modelio.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace cytodiff::engine;

namespace {

constexpr int kRes = 16;

AutoencoderConfig tinyConfig()
{
    AutoencoderConfig config;
    config.resolution = kRes;
    config.channels = {8, 16};
    config.resBlocks = 1;
    config.latentChannels = 4;
    return config;
}

// Discs and rings with dark dots ("granules") on a light background.
TrainingData syntheticCells(int perClass, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> jitter(-1.0, 1.0);
    TrainingData data;
    data.classNames = {"disc", "ring"};
    data.resolution = kRes;
    data.cropSize = kRes;
    for (int i = 0; i < 2 * perClass; ++i) {
        const bool ring = i % 2;
        const double radius = 5.5 + 0.8 * jitter(rng), cx = 7.5 + jitter(rng), cy = 7.5 + jitter(rng);
        const double ink = 70 + 30 * jitter(rng);
        const int dotX = 6 + int(3 * std::abs(jitter(rng))), dotY = 6 + int(3 * std::abs(jitter(rng)));
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < kRes; ++y)
                for (int x = 0; x < kRes; ++x) {
                    const double r = std::hypot(x - cx, y - cy);
                    const bool inside = ring ? (r <= radius && r >= radius - 2.0) : r <= radius;
                    const bool dot = !ring && std::abs(x - dotX) + std::abs(y - dotY) <= 1;
                    data.pixels.push_back(std::uint8_t(dot ? 20 : inside ? ink + 25 * c : 225 - 12 * c));
                }
        data.labels.push_back(ring ? 1 : 0);
        data.names.push_back("cell" + std::to_string(i));
    }
    data.splits = stratifiedSplit(data.names, data.labels);
    return data;
}

AutoencoderTrainOptions tinyOptions(const QString &out, int steps)
{
    AutoencoderTrainOptions o;
    o.outPath = out.toStdString();
    o.steps = steps;
    o.batchSize = 8;
    o.learningRate = 3e-3;
    o.warmupSteps = 10;
    o.network = tinyConfig();
    o.validateEverySeconds = 0;
    o.checkpointEverySeconds = 1e9;
    o.seed = 5;
    return o;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(bytes);
}

} // namespace

class TestAutoencoder : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_good; // a randomly initialised tiny autoencoder file

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        torch::set_num_threads(1);
        torch::manual_seed(3);
        Autoencoder network(tinyConfig());
        // Non-zero everywhere (the blocks start as the identity), so the
        // round trip compares real numbers.
        torch::NoGradGuard noGrad;
        for (auto &p : network->parameters())
            p.normal_(0, 0.2);
        AutoencoderCard card;
        card.config = tinyConfig();
        card.latentScale = 0.7;
        card.validationPsnr = 31.5;
        card.trainCommand = "cytodiff-engine train-autoencoder\nwith a newline";
        m_good = m_dir.filePath(QStringLiteral("tiny-ae.pt"));
        QVERIFY(saveAutoencoder(m_good.toStdString(), card, network).ok());
        QCOMPARE(card.sha256.size(), std::size_t(64));
    }

    void encodeAndDecodeShapes()
    {
        AutoencoderConfig config; // the Model v2 default: 96 px -> 4 x 24 x 24
        QCOMPARE(config.downsampling(), 4);
        QCOMPARE(config.latentSize(), 24);
        Autoencoder network(config);
        QVERIFY2(parameterCount(*network) <= 1'500'000, std::to_string(parameterCount(*network)).c_str());
        c10::InferenceMode inference;
        auto x = torch::rand({2, 3, 96, 96}) * 2 - 1;
        const auto moments = network->encode(x);
        QCOMPARE(moments.mean.sizes().vec(), (std::vector<std::int64_t>{2, 4, 24, 24}));
        QCOMPARE(moments.logVariance.sizes().vec(), (std::vector<std::int64_t>{2, 4, 24, 24}));
        QCOMPARE(network->decode(moments.mean).sizes().vec(), (std::vector<std::int64_t>{2, 3, 96, 96}));
        QCOMPARE(network->forward(x).sizes().vec(), (std::vector<std::int64_t>{2, 3, 96, 96}));

        AutoencoderConfig odd;
        odd.resolution = 90; // not divisible by 4
        QVERIFY(!odd.check().ok());
    }

    void tinyTrainingLearnsToReconstruct()
    {
        const auto data = syntheticCells(24, 1);
        const QString before = m_dir.filePath(QStringLiteral("one-step.pt"));
        const QString after = m_dir.filePath(QStringLiteral("trained.pt"));
        QVERIFY(trainAutoencoder(data, tinyOptions(before, 1), {}).ok());
        auto report = trainAutoencoder(data, tinyOptions(after, 150), {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        QCOMPARE(report->steps, std::int64_t(150));
        QVERIFY(report->card.latentScale > 0);

        AutoencoderEvalOptions eval;
        eval.modelPath = before.toStdString();
        auto untrained = evaluateAutoencoder(data, eval);
        QVERIFY2(untrained.ok(), untrained.ok() ? "" : untrained.error().c_str());
        eval.modelPath = after.toStdString();
        eval.gridPath = m_dir.filePath(QStringLiteral("grid.ppm")).toStdString();
        auto trained = evaluateAutoencoder(data, eval);
        QVERIFY2(trained.ok(), trained.ok() ? "" : trained.error().c_str());
        const QByteArray message = QByteArray::number(untrained->psnr) + " -> " + QByteArray::number(trained->psnr);
        qInfo("validation PSNR after 1 / 150 steps: %s dB", message.constData());
        QVERIFY2(trained->psnr > untrained->psnr + 5.0, message.constData());
        QCOMPARE(trained->cells, report->card.validationCells);
        // The card was measured before the weights were rounded to float16.
        QVERIFY(std::abs(trained->psnr - report->card.validationPsnr) < 0.5);
        QVERIFY(QFile::exists(QString::fromStdString(eval.gridPath)));
        QVERIFY(readAll(QString::fromStdString(eval.gridPath)).startsWith("P6\n"));
    }

    void halfPrecisionRoundTripIsBitIdentical()
    {
        auto loaded = loadAutoencoder(m_good.toStdString());
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().c_str());
        QCOMPARE(loaded->card.latentScale, 0.7);
        QCOMPARE(loaded->card.validationPsnr, 31.5);
        QCOMPARE(loaded->card.trainCommand, std::string("cytodiff-engine train-autoencoder\nwith a newline"));
        QCOMPARE(loaded->card.config.channels, tinyConfig().channels);

        torch::manual_seed(3);
        Autoencoder reference(tinyConfig());
        {
            torch::NoGradGuard noGrad;
            for (auto &p : reference->parameters())
                p.normal_(0, 0.2);
        }
        const auto expected = reference->named_parameters();
        const auto actual = loaded->network->named_parameters();
        QCOMPARE(actual.size(), expected.size());
        for (const auto &item : expected) {
            const auto rounded = item.value().to(torch::kHalf).to(torch::kFloat32);
            QVERIFY2(torch::equal(actual[item.key()], rounded), item.key().c_str());
        }
        // Saving what was loaded writes the same bytes again.
        const QString again = m_dir.filePath(QStringLiteral("again.pt"));
        auto card = loaded->card;
        QVERIFY(saveAutoencoder(again.toStdString(), card, loaded->network).ok());
        QCOMPARE(readAll(again), readAll(m_good));
    }

    void loadErrors_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << "missing" << "no such file";
        QTest::newRow("empty") << "empty" << "not a CytoDiff autoencoder file";
        QTest::newRow("foreign") << "foreign" << "not a CytoDiff autoencoder file";
        QTest::newRow("truncated") << "truncated" << "truncated";
        QTest::newRow("corrupted") << "corrupted" << "SHA-256";
        QTest::newRow("newer container") << "newer container" << "newer CytoDiff";
        QTest::newRow("newer format") << "newer format" << "newer CytoDiff";
        QTest::newRow("another kind") << "another kind" << "not an autoencoder file";
        QTest::newRow("weights do not fit") << "mismatch" << "do not match";
        QTest::newRow("implausible network") << "implausible" << "invalid";
        QTest::newRow("no latent scale") << "no scale" << "latent scale";
    }
    void loadErrors()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const QString path = m_dir.filePath(kind + QStringLiteral(".pt"));
        QByteArray bytes = readAll(m_good);
        auto rewrite = [&](const char *key, const char *value) {
            auto container = readContainer(m_good.toStdString(), "autoencoder");
            QVERIFY(container.ok());
            container->metadata[key] = value;
            QVERIFY(writeContainer(path.toStdString(), *container).ok());
        };
        if (kind == QLatin1String("empty"))
            writeAll(path, QByteArray());
        else if (kind == QLatin1String("foreign"))
            writeAll(path, QByteArray("\x89PNG\r\n not an autoencoder"));
        else if (kind == QLatin1String("truncated"))
            writeAll(path, bytes.left(bytes.size() / 2));
        else if (kind == QLatin1String("corrupted")) {
            bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x5a);
            writeAll(path, bytes);
        } else if (kind == QLatin1String("newer container")) {
            bytes[8] = char(99); // container format version
            writeAll(path, bytes);
        } else if (kind == QLatin1String("newer format"))
            rewrite("autoencoder_format", "9");
        else if (kind == QLatin1String("another kind")) {
            auto container = readContainer(m_good.toStdString(), "autoencoder");
            QVERIFY(container.ok());
            container->kind = "model";
            QVERIFY(writeContainer(path.toStdString(), *container).ok());
            // ... and the diffusion loader refuses the autoencoder by name.
            auto model = Model::load(m_good.toStdString());
            QVERIFY(!model.ok());
            QVERIFY2(QString::fromStdString(model.error()).contains(QStringLiteral("autoencoder file, not a model file")),
                     model.error().c_str());
        } else if (kind == QLatin1String("mismatch"))
            rewrite("channels", "8,24");
        else if (kind == QLatin1String("implausible"))
            rewrite("channels", "8,100000");
        else if (kind == QLatin1String("no scale"))
            rewrite("latent_scale", "nan");
        auto loaded = loadAutoencoder(path.toStdString());
        QVERIFY(!loaded.ok());
        QVERIFY2(QString::fromStdString(loaded.error()).contains(expected), loaded.error().c_str());
    }

    void resumeEqualsAnUninterruptedRun()
    {
        const auto data = syntheticCells(12, 2);
        auto path = [&](const char *name) { return m_dir.filePath(QString::fromLatin1(name)); };
        QVERIFY(trainAutoencoder(data, tinyOptions(path("whole.pt"), 12), {}).ok());
        QVERIFY(trainAutoencoder(data, tinyOptions(path("again.pt"), 12), {}).ok());
        QVERIFY(trainAutoencoder(data, tinyOptions(path("first.pt"), 6), {}).ok());
        QVERIFY(QFile::exists(path("first.pt.ckpt")));
        auto rest = tinyOptions(path("rest.pt"), 12);
        rest.resumePath = path("first.pt.ckpt").toStdString();
        auto report = trainAutoencoder(data, rest, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        QCOMPARE(report->steps, std::int64_t(12));

        auto whole = readContainer(path("whole.pt").toStdString(), "autoencoder");
        auto again = readContainer(path("again.pt").toStdString(), "autoencoder");
        auto first = readContainer(path("first.pt").toStdString(), "autoencoder");
        auto resumed = readContainer(path("rest.pt").toStdString(), "autoencoder");
        QVERIFY(whole.ok() && again.ok() && first.ok() && resumed.ok());
        QVERIFY(whole->payload == again->payload); // one seed, one result
        QVERIFY(whole->payload == resumed->payload);
        QVERIFY(whole->payload != first->payload); // the last 6 steps changed the weights
        QCOMPARE(resumed->metadata["latent_scale"], whole->metadata["latent_scale"]);
        QCOMPARE(resumed->metadata["validation_psnr"], whole->metadata["validation_psnr"]);

        // A checkpoint of another network is refused by name.
        auto wrong = tinyOptions(path("wrong.pt"), 8);
        wrong.network.channels = {8, 24};
        wrong.resumePath = path("first.pt.ckpt").toStdString();
        auto refused = trainAutoencoder(data, wrong, {});
        QVERIFY(!refused.ok());
        QVERIFY2(QString::fromStdString(refused.error()).contains(QStringLiteral("another network")),
                 refused.error().c_str());
    }

    // A later session starts from the committed fp16 model file.
    void initStartsFromAModelFile()
    {
        const auto data = syntheticCells(12, 3);
        auto path = [&](const char *name) { return m_dir.filePath(QString::fromLatin1(name)); };
        QVERIFY(trainAutoencoder(data, tinyOptions(path("earlier.pt"), 6), {}).ok());

        // With a learning rate of 0 the weights stay exactly those of the file.
        auto still = tinyOptions(path("still.pt"), 1);
        still.initPath = path("earlier.pt").toStdString();
        still.learningRate = 0.0;
        auto report = trainAutoencoder(data, still, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        auto earlier = readContainer(path("earlier.pt").toStdString(), "autoencoder");
        auto copied = readContainer(path("still.pt").toStdString(), "autoencoder");
        QVERIFY(earlier.ok() && copied.ok());
        QVERIFY(earlier->payload == copied->payload);

        // Training on from it changes them.
        auto onwards = tinyOptions(path("onwards.pt"), 4);
        onwards.initPath = path("earlier.pt").toStdString();
        QVERIFY(trainAutoencoder(data, onwards, {}).ok());
        auto trained = readContainer(path("onwards.pt").toStdString(), "autoencoder");
        QVERIFY(trained.ok());
        QVERIFY(trained->payload != earlier->payload);

        // Another network, or --init with --resume, is refused.
        auto wrong = tinyOptions(path("wrong-init.pt"), 2);
        wrong.network.channels = {8, 24};
        wrong.initPath = path("earlier.pt").toStdString();
        auto refused = trainAutoencoder(data, wrong, {});
        QVERIFY(!refused.ok());
        QVERIFY2(QString::fromStdString(refused.error()).contains(QStringLiteral("another network")),
                 refused.error().c_str());
        auto both = tinyOptions(path("both.pt"), 2);
        both.initPath = path("earlier.pt").toStdString();
        both.resumePath = path("earlier.pt.ckpt").toStdString();
        QVERIFY(!trainAutoencoder(data, both, {}).ok());
    }
};

QTEST_GUILESS_MAIN(TestAutoencoder)
#include "test_autoencoder.moc"
