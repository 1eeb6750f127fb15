// Latent diffusion (Model v2): a tiny autoencoder and a tiny latent UNet
// trained for a few steps on synthetic 96 px cells. The model file carries
// both networks and loads into a ready model that takes 96 px input,
// classifies, explains and generates at 96 px; resuming equals one run; a
// damaged or inconsistent file is an error with a message, never a crash;
// pixel model files keep loading as before.
#include <torch/torch.h>

#include "autoencoder.h"
#include "container.h"
#include "synthetic.h"
#include "trainer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <numeric>
#include <random>

using namespace cytodiff::engine;

namespace {

constexpr int kRes = 96;
constexpr int kLatentRes = 24;

// Light discs and rings with a dark "nucleus" dot, centred with jitter.
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
        const double radius = 30 + 4 * jitter(rng), cx = 47.5 + 3 * jitter(rng), cy = 47.5 + 3 * jitter(rng);
        const double ink = 80 + 30 * jitter(rng);
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < kRes; ++y)
                for (int x = 0; x < kRes; ++x) {
                    const double r = std::hypot(x - cx, y - cy);
                    const bool inside = ring ? (r <= radius && r >= radius - 8.0) : r <= radius;
                    const bool dot = !ring && r < 6;
                    data.pixels.push_back(std::uint8_t(dot ? 30 : inside ? ink + 25 * c : 225 - 12 * c));
                }
        data.labels.push_back(ring ? 1 : 0);
        data.names.push_back("cell" + std::to_string(i));
    }
    data.splits = stratifiedSplit(data.names, data.labels);
    return data;
}

// An untrained autoencoder starts with zeroed output layers (every block is
// the identity), so its latents would not vary: random weights stand in
// for a trained one, which these tests do not need.
cytodiff::Result<void> writeRandomAutoencoder(const std::string &path)
{
    return cytodiff::engine::writeRandomAutoencoder(path, kRes, 5);
}

TrainOptions latentOptions(const QString &out, const QString &autoencoder, int steps)
{
    TrainOptions o;
    o.outPath = out.toStdString();
    o.autoencoderPath = autoencoder.toStdString();
    o.steps = steps;
    o.batchSize = 4;
    o.learningRate = 2e-3;
    o.warmupSteps = 2;
    o.network.baseChannels = 8;
    o.network.channelMults = {1, 2};
    o.network.embedDim = 16;
    o.network.midAttention = false;
    o.validateEverySeconds = 0;
    o.finalValidationCells = 0;
    o.checkpointEverySeconds = 1e9;
    o.seed = 7;
    return o;
}

cytodiff::FloatImage cellImage(const TrainingData &data, std::size_t index)
{
    cytodiff::FloatImage image{3, kRes, kRes, {}};
    const auto *pixels = data.pixels.data() + index * data.imageBytes();
    for (std::size_t i = 0; i < data.imageBytes(); ++i)
        image.data.push_back(float(pixels[i]) / 127.5f - 1.0f);
    return image;
}

ClassifyOptions quickOptions()
{
    ClassifyOptions options;
    options.trialsMin = 2;
    options.trialsMax = 4;
    options.trialsPerRound = 2;
    options.seed = 3;
    return options;
}

} // namespace

class TestLatentModel : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    TrainingData m_data = syntheticCells(10, 1);
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private slots:
    void initTestCase()
    {
        torch::set_num_threads(1);
        QVERIFY(m_dir.isValid());
        auto written = writeRandomAutoencoder(path("ae.pt").toStdString());
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().c_str());
    }

    void trainsAndRecordsTheLatentSpace()
    {
        auto report = trainDiffusion(m_data, latentOptions(path("latent.pt"), path("ae.pt"), 3), {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        const auto &card = report->card;
        QCOMPARE(card.kind, std::string("latent-diffusion"));
        QVERIFY(card.isLatent());
        QCOMPARE(card.network.resolution, kRes); // what callers preprocess to
        QCOMPARE(card.network.inChannels, 4);
        QCOMPARE(card.latent.resolution, kLatentRes);
        QCOMPARE(card.networkResolution(), kLatentRes);
        QVERIFY(card.latent.scale > 0 && std::isfinite(card.latent.scale));
        auto autoencoder = loadAutoencoder(path("ae.pt").toStdString());
        QVERIFY(autoencoder.ok());
        QCOMPARE(card.latent.autoencoder.sha256, autoencoder->card.sha256);
        QVERIFY(card.latent.autoencoderId().rfind("ae@", 0) == 0);
    }

    void loadsClassifiesExplainsAndGeneratesAt96Pixels()
    {
        auto model = Model::load(path("latent.pt").toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        QVERIFY(model->isDiffusion());
        QVERIFY(model->card().isLatent());
        QCOMPARE(model->card().network.resolution, kRes);
        QCOMPARE(model->card().latent.resolution, kLatentRes);
        QCOMPARE(model->card().latent.autoencoder.config.latentChannels, 4);

        const auto image = cellImage(m_data, 0);
        auto result = model->classify(image, quickOptions());
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().c_str());
        QVERIFY(result->nfe > 0);
        QVERIFY(result->predicted == 0 || result->predicted == 1);
        QCOMPARE(int(result->probabilities.size()), 2);
        QVERIFY(std::abs(std::accumulate(result->probabilities.begin(), result->probabilities.end(), 0.0) - 1.0) < 1e-6);

        // The network's 24 px is not an input size callers may use.
        cytodiff::FloatImage latentSized{3, kLatentRes, kLatentRes, std::vector<float>(3 * kLatentRes * kLatentRes)};
        QVERIFY(!model->classify(latentSized, quickOptions()).ok());

        auto heatmaps = model->heatmaps(image, 2, 4);
        QVERIFY2(heatmaps.ok(), heatmaps.ok() ? "" : heatmaps.error().c_str());
        QCOMPARE(int(heatmaps->deltas.size()), 2);
        for (const auto &delta : heatmaps->deltas) {
            QCOMPARE(delta.channels, 3);
            QCOMPARE(delta.width, kRes);
            QCOMPARE(delta.height, kRes);
        }
        const auto &predicted = heatmaps->deltas[heatmaps->predicted].data;
        QVERIFY(std::all_of(predicted.begin(), predicted.end(), [](float v) { return v == 0.0f; }));
        QCOMPARE(heatmaps->input.width, kRes);

        // A padded crop whose real image ends 0.25 of the side from the
        // centre: the maps stop there (the fill is no part of the cell).
        auto padded = image;
        padded.imageRadius = 0.25;
        auto paddedMaps = model->heatmaps(padded, 2, 4);
        QVERIFY2(paddedMaps.ok(), paddedMaps.ok() ? "" : paddedMaps.error().c_str());
        const auto &other = paddedMaps->deltas[1 - paddedMaps->predicted];
        const int plane = kRes * kRes;
        double inside = 0.0, outside = 0.0;
        for (int ch = 0; ch < 3; ++ch)
            for (int y = 0; y < kRes; ++y)
                for (int x = 0; x < kRes; ++x) {
                    const bool real = std::abs(x + 0.5 - kRes / 2.0) <= 0.25 * kRes && std::abs(y + 0.5 - kRes / 2.0) <= 0.25 * kRes;
                    (real ? inside : outside) += std::abs(other.data[std::size_t(ch * plane + y * kRes + x)]);
                }
        QCOMPARE(outside, 0.0);
        QVERIFY(inside > 0.0);

        auto images = model->generate(1, 2, 3, 1.0, 9);
        QVERIFY2(images.ok(), images.ok() ? "" : images.error().c_str());
        QCOMPARE(int(images->size()), 2);
        for (const auto &generated : *images) {
            QCOMPARE(generated.channels, 3);
            QCOMPARE(generated.width, kRes);
            QVERIFY(std::all_of(generated.data.begin(), generated.data.end(),
                                [](float v) { return v >= -1.0f && v <= 1.0f; }));
        }
        QVERIFY(model->benchmarkNetwork(2, 1) > 0);
    }

    void halfPrecisionLatentModelKeepsItsCall()
    {
        const auto half = path("latent-half.pt").toStdString();
        auto sha = storeModelWeights(path("latent.pt").toStdString(), half, "float16");
        QVERIFY2(sha.ok(), sha.ok() ? "" : sha.error().c_str());
        auto full = Model::load(path("latent.pt").toStdString());
        auto narrowed = Model::load(half);
        QVERIFY2(narrowed.ok(), narrowed.ok() ? "" : narrowed.error().c_str());
        QCOMPARE(narrowed->card().weights, std::string("float16"));
        QCOMPARE(narrowed->card().latent.autoencoder.sha256, full->card().latent.autoencoder.sha256);
        const auto image = cellImage(m_data, 1);
        auto a = full->classify(image, quickOptions());
        auto b = narrowed->classify(image, quickOptions());
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(b->predicted, a->predicted);
    }

    // The network on a bfloat16 copy: the same call, errors within bfloat16's
    // rounding, and back to float32 bit for bit.
    void bfloat16NetworkKeepsItsCall()
    {
        auto model = Model::load(path("latent.pt").toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        const auto image = cellImage(m_data, 0);
        auto full = model->classify(image, quickOptions());
        QVERIFY(full.ok());
        QVERIFY(model->setNetworkPrecision(NetworkPrecision::BFloat16).ok());
        QCOMPARE(model->networkPrecision(), NetworkPrecision::BFloat16);
        auto reduced = model->classify(image, quickOptions());
        QVERIFY2(reduced.ok(), reduced.ok() ? "" : reduced.error().c_str());
        QCOMPARE(reduced->predicted, full->predicted);
        for (std::size_t c = 0; c < full->errors.size(); ++c)
            QVERIFY2(std::abs(reduced->errors[c] - full->errors[c]) < 0.05 * std::abs(full->errors[c]) + 1e-3,
                     qPrintable(QStringLiteral("%1 vs %2").arg(reduced->errors[c]).arg(full->errors[c])));
        QVERIFY(reduced->errors != full->errors); // it did run in another precision
        QVERIFY(model->benchmarkNetwork(2, 1) > 0);
        QVERIFY(model->generate(0, 1, 2, 1.0, 3).ok());
        QVERIFY(model->setNetworkPrecision(NetworkPrecision::Float32).ok());
        QCOMPARE(model->classify(image, quickOptions())->errors, full->errors);

    }

    void resumesToTheSameWeights()
    {
        QVERIFY(trainDiffusion(m_data, latentOptions(path("two.pt"), path("ae.pt"), 2), {}).ok());
        auto resumed = latentOptions(path("resumed.pt"), path("ae.pt"), 3);
        resumed.resumePath = path("two.pt.ckpt").toStdString();
        auto report = trainDiffusion(m_data, resumed, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        auto once = Model::load(path("latent.pt").toStdString());
        auto twice = Model::load(path("resumed.pt").toStdString());
        QVERIFY(once.ok() && twice.ok());
        QCOMPARE(twice->card().latent.scale, once->card().latent.scale);
        const auto image = cellImage(m_data, 1);
        QCOMPARE(twice->classify(image, quickOptions())->errors, once->classify(image, quickOptions())->errors);

        // Another autoencoder (same architecture, other weights) means other
        // training data: its checkpoint does not resume into this run.
        {
            auto loaded = loadAutoencoder(path("ae.pt").toStdString());
            QVERIFY(loaded.ok());
            torch::NoGradGuard noGrad;
            loaded->network->parameters().front().add_(0.5);
            QVERIFY(saveAutoencoder(path("ae-other.pt").toStdString(), loaded->card, loaded->network).ok());
        }
        auto other = latentOptions(path("other.pt"), path("ae-other.pt"), 3);
        other.resumePath = path("two.pt.ckpt").toStdString();
        auto refused = trainDiffusion(m_data, other, {});
        QVERIFY(!refused.ok());
        QVERIFY2(QString::fromStdString(refused.error()).contains(QStringLiteral("another network or other data")),
                 refused.error().c_str());
    }

    void refusesAutoencoderOfAnotherResolution()
    {
        auto data = m_data;
        data.resolution = 48;
        data.pixels.resize(data.size() * data.imageBytes());
        auto report = trainDiffusion(data, latentOptions(path("wrong.pt"), path("ae.pt"), 1), {});
        QVERIFY(!report.ok());
        QVERIFY2(QString::fromStdString(report.error()).contains(QStringLiteral("--resolution 96")),
                 report.error().c_str());
    }

    void damagedOrInconsistentFilesAreErrors()
    {
        QFile file(path("latent.pt"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();

        QByteArray flipped = bytes;
        flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x5a);
        auto corrupted = Model::loadFromBytes(flipped.toStdString(), "flipped.pt");
        QVERIFY(!corrupted.ok());
        QVERIFY(QString::fromStdString(corrupted.error()).contains(QStringLiteral("flipped.pt")));

        auto container = parseContainer(bytes.toStdString(), "model", "latent.pt");
        QVERIFY(container.ok());
        const auto rewritten = [&](const std::string &key, const std::string &value) {
            Container changed = *container;
            changed.metadata[key] = value;
            return Model::loadFromBytes(serializeContainer(changed), "changed.pt");
        };
        // A card whose latent does not fit its autoencoder.
        auto latentSize = rewritten("latent_resolution", "12");
        QVERIFY(!latentSize.ok());
        QVERIFY2(QString::fromStdString(latentSize.error()).contains(QStringLiteral("does not fit")),
                 latentSize.error().c_str());
        auto scale = rewritten("latent_scale", "nan");
        QVERIFY(!scale.ok());
        // A card describing another autoencoder than the weights hold.
        auto widths = rewritten("autoencoder.channels", "16,16,16");
        QVERIFY(!widths.ok());
        QVERIFY2(QString::fromStdString(widths.error()).contains(QStringLiteral("do not match")), widths.error().c_str());
        // A pixel card over latent weights.
        Container pixel = *container;
        pixel.metadata["kind"] = "diffusion";
        pixel.metadata.erase("in_channels");
        QVERIFY(!Model::loadFromBytes(serializeContainer(pixel), "pixel.pt").ok());
    }

    void pixelModelsLoadAsBefore()
    {
        auto model = Model::load(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        QVERIFY(!model->card().isLatent());
        QCOMPARE(model->card().network.inChannels, 3);
        QCOMPARE(model->card().networkResolution(), model->card().network.resolution);
        QVERIFY(model->card().toMetadata().count("in_channels") == 0);
        QVERIFY(model->card().toMetadata().count("latent_scale") == 0);
    }
};

QTEST_GUILESS_MAIN(TestLatentModel)
#include "test_latentmodel.moc"
