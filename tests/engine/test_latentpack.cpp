// Latent packs (encode-pack): a tiny pack of synthetic 96 px cells
// encoded by a random autoencoder round-trips its cells, classes, split
// and hashes; the 8-bit quantisation stays within half a step of what the
// trainer's own encoding stores; training from it refuses another
// autoencoder and runs with the right one, one stored variant turned in
// latent space at batch time.
#include <torch/torch.h>

#include "autoencoder.h"
#include "latentcache.h"
#include "latentpack.h"
#include "synthetic.h"
#include "trainer.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cytodiff::engine;

namespace {

constexpr int kRes = 96;

TrainOptions tinyLatentOptions(const std::string &out, const std::string &autoencoder)
{
    TrainOptions o;
    o.outPath = out;
    o.autoencoderPath = autoencoder;
    o.steps = 2;
    o.batchSize = 4;
    o.learningRate = 2e-3;
    o.warmupSteps = 1;
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

} // namespace

class TestLatentPack : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    TrainingData m_data = syntheticCells(8, kRes, 1);
    std::string path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)).toStdString(); }

    LatentPackOptions packOptions(const char *out, int variants) const
    {
        LatentPackOptions o;
        o.autoencoderPath = path("ae.pt");
        o.outPath = path(out);
        o.variants = variants;
        o.seed = 3;
        return o;
    }

private slots:
    void initTestCase()
    {
        torch::set_num_threads(1);
        QVERIFY(m_dir.isValid());
        for (auto [name, seed] : {std::pair{"ae.pt", 5}, std::pair{"other-ae.pt", 6}}) {
            auto written = writeRandomAutoencoder(path(name), kRes, std::uint64_t(seed));
            QVERIFY2(written.ok(), written.ok() ? "" : written.error().c_str());
        }
    }

    void roundTripsCellsAndHashes()
    {
        auto report = writeLatentPack(m_data, packOptions("two.cdlpack", 2));
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        QCOMPARE(report->variants, 2);
        QCOMPARE(report->latentChannels, 4);
        QCOMPARE(report->latentResolution, kRes / 4);
        QVERIFY(isLatentPack(path("two.cdlpack")));
        QVERIFY(savePack(path("pixels.cdpack"), m_data).ok());
        QVERIFY(!isLatentPack(path("pixels.cdpack")));

        auto header = readLatentPackHeader(path("two.cdlpack"));
        QVERIFY2(header.ok(), header.ok() ? "" : header.error().c_str());
        auto autoencoder = loadAutoencoder(path("ae.pt"));
        QVERIFY(autoencoder.ok());
        QCOMPARE(header->autoencoderSha256, autoencoder->card.sha256);
        QCOMPARE(header->dataHash, m_data.contentHash());
        QVERIFY(header->cells.classNames == m_data.classNames);
        QCOMPARE(header->cells.resolution, kRes);
        QCOMPARE(header->variants, 2);
        // Training and validation cells, in the pixel pack's order; no test cells.
        std::size_t next = 0;
        for (std::size_t i = 0; i < m_data.size(); ++i) {
            if (m_data.splits[i] == Split::Test)
                continue;
            QVERIFY(next < header->cells.size());
            QCOMPARE(header->cells.names[next], m_data.names[i]);
            QCOMPARE(header->cells.labels[next], m_data.labels[i]);
            QCOMPARE(int(header->cells.splits[next]), int(m_data.splits[i]));
            ++next;
        }
        QCOMPARE(next, header->cells.size());
        QCOMPARE(std::int64_t(next), report->trainCells + report->validationCells);

        // Deterministic for a seed: the same file again.
        auto again = writeLatentPack(m_data, packOptions("two-again.cdlpack", 2));
        QVERIFY(again.ok());
        QCOMPARE(again->sha256, report->sha256);
    }

    void quantisationStaysWithinHalfAStep()
    {
        auto report = writeLatentPack(m_data, packOptions("one.cdlpack", 1));
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        auto stored = loadLatentPack(path("one.cdlpack"));
        QVERIFY2(stored.ok(), stored.ok() ? "" : stored.error().c_str());

        // What the trainer itself would have encoded, unquantised.
        auto autoencoder = loadAutoencoder(path("ae.pt"));
        QVERIFY(autoencoder.ok());
        LatentCodec codec(autoencoder->network, 1.0, torch::kCPU);
        LatentCache cache;
        QVERIFY(cache.build(m_data, codec, 1, true, 3, {}, {}).ok());
        auto exact = cache.trainLatents().to(torch::kFloat32);   // [Nt, 1, L, r, r]
        auto packed = stored->train.to(torch::kFloat32);         // [Nt, 1, L, r, r]
        QVERIFY(packed.sizes() == exact.sizes());
        auto range = exact.amax({0, 1, 3, 4}) - exact.amin({0, 1, 3, 4}); // [L]
        const double halfStep = range.max().item<double>() / 255.0 / 2.0;
        const double fp16 = exact.abs().max().item<double>() / 1024.0;  // float16 rounding of the dequantised value
        const double worst = (packed - exact).abs().max().item<double>();
        QVERIFY2(worst <= halfStep + fp16, qPrintable(QString("worst %1 > half step %2").arg(worst).arg(halfStep)));
        QVERIFY(report->quantisationMaxAbs <= halfStep * 1.001);
        // A uniform rounding error over a range of several std: well under 2% of the std.
        QVERIFY2(report->quantisationRmsRelative > 0 && report->quantisationRmsRelative < 0.02,
                 qPrintable(QString::number(report->quantisationRmsRelative)));
        QVERIFY(stored->validation.defined());
        QCOMPARE(stored->validation.size(0), report->validationCells);
    }

    void refusesAnotherAutoencoder()
    {
        QVERIFY(isLatentPack(path("one.cdlpack")));
        auto report = trainDiffusionFromLatentPack(path("one.cdlpack"),
                                                   tinyLatentOptions(path("wrong.pt"), path("other-ae.pt")), {});
        QVERIFY(!report.ok());
        QVERIFY2(report.error().find("encoded by the autoencoder") != std::string::npos, report.error().c_str());
        QVERIFY2(report.error().find("encode-pack") != std::string::npos, report.error().c_str());
        auto missing = trainDiffusionFromLatentPack(path("one.cdlpack"), tinyLatentOptions(path("wrong.pt"), ""), {});
        QVERIFY(!missing.ok());
    }

    void trainsTwoStepsFromThePack()
    {
        // One stored variant: batches are turned in latent space.
        auto report = trainDiffusionFromLatentPack(path("one.cdlpack"),
                                                   tinyLatentOptions(path("latent.pt"), path("ae.pt")), {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        QCOMPARE(report->steps, std::int64_t(2));
        const auto &card = report->card;
        QCOMPARE(card.kind, std::string("latent-diffusion"));
        QCOMPARE(card.dataHash, m_data.contentHash());
        auto autoencoder = loadAutoencoder(path("ae.pt"));
        QVERIFY(autoencoder.ok());
        QCOMPARE(card.latent.autoencoder.sha256, autoencoder->card.sha256);
        QVERIFY(card.latent.scale > 0 && std::isfinite(card.latent.scale));
        auto model = Model::load(path("latent.pt"));
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        QVERIFY(model->card().isLatent());
    }

    void continuesFromCommittedHalfWeights()
    {
        // A session commits the fp16 model; the next starts from it.
        const auto half = path("start-half.pt");
        QVERIFY(storeModelWeights(path("latent.pt"), half, "float16").ok());
        auto options = tinyLatentOptions(path("continued.pt"), path("ae.pt"));
        options.initPath = half;
        options.learningRate = 0.0; // the weights must arrive unchanged
        options.trainCommand = "second session";
        auto report = trainDiffusionFromLatentPack(path("one.cdlpack"), options, {});
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().c_str());
        auto first = Model::load(half);
        auto continued = Model::load(path("continued.pt"));
        QVERIFY(first.ok() && continued.ok());
        QCOMPARE(first->card().trainSteps, std::int64_t(2));
        QCOMPARE(continued->card().trainSteps, std::int64_t(4));
        QVERIFY(continued->card().trainSeconds >= first->card().trainSeconds);
        QVERIFY(QString::fromStdString(continued->card().trainCommand).endsWith(QStringLiteral("second session")));
        cytodiff::FloatImage image{3, 96, 96, std::vector<float>(3 * 96 * 96, 0.2f)};
        ClassifyOptions quick;
        quick.trialsMin = quick.trialsMax = 4;
        quick.seed = 3;
        auto a = first->classify(image, quick);
        auto b = continued->classify(image, quick);
        QVERIFY(a.ok() && b.ok());
        for (std::size_t c = 0; c < a->errors.size(); ++c)
            QVERIFY(std::abs(a->errors[c] - b->errors[c]) <= 1e-3 * std::abs(a->errors[c]));

        // Another network shape is refused with what to pass instead.
        auto wider = tinyLatentOptions(path("wider.pt"), path("ae.pt"));
        wider.network.baseChannels += 4;
        wider.initPath = half;
        auto refused = trainDiffusionFromLatentPack(path("one.cdlpack"), wider, {});
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().find("--base-channels") != std::string::npos, refused.error().c_str());
    }
};

QTEST_GUILESS_MAIN(TestLatentPack)
#include "test_latentpack.moc"
