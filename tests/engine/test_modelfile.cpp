// Model file round trip and every load error a user can meet.
#include <torch/torch.h>

#include "modelio.h"
#include "trainingdata.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff::engine;

namespace {

ModelCard tinyCard()
{
    ModelCard card;
    card.classNames = {"disc", "ring"};
    card.cropSize = 32;
    card.network.resolution = 16;
    card.network.baseChannels = 8;
    card.network.channelMults = {1, 2};
    card.network.embedDim = 16;
    card.network.numClasses = 2;
    card.errorScale = {1.0, 2.0, 3.0};
    card.trainCommand = "cytodiff-cli train --data x\nwith a newline";
    return card;
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

class TestModelFile : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_good;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_good = m_dir.filePath(QStringLiteral("tiny.pt"));
        auto card = tinyCard();
        torch::manual_seed(1);
        UNet net(card.network);
        // Non-zero output layer so the round trip compares real numbers.
        torch::NoGradGuard noGrad;
        for (auto &p : net->parameters())
            p.normal_(0, 0.1);
        QVERIFY(saveDiffusionModel(m_good.toStdString(), card, net).ok());
        QCOMPARE(card.sha256.size(), std::size_t(64));
    }

    void roundTripKeepsWeightsAndMetadata()
    {
        auto model = Model::load(m_good.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        const auto &card = model->card();
        QCOMPARE(card.classNames, (std::vector<std::string>{"disc", "ring"}));
        QCOMPARE(card.network.channelMults, (std::vector<int>{1, 2}));
        QCOMPARE(card.errorScale.size(), std::size_t(3));
        QCOMPARE(card.trainCommand, std::string("cytodiff-cli train --data x\nwith a newline"));
        QCOMPARE(model->classIndex("ring"), 1);

        // Same weights: a fresh network with the same seed gives the same output.
        auto card2 = tinyCard();
        torch::manual_seed(1);
        UNet reference(card2.network);
        torch::NoGradGuard noGrad;
        for (auto &p : reference->parameters())
            p.normal_(0, 0.1);
        auto x = torch::randn({2, 3, 16, 16});
        auto t = torch::tensor({0.2f, 0.7f});
        auto c = torch::tensor({0L, 1L});
        auto expected = reference->forward(x, t, c);
        auto saved = UNet(card2.network);
        auto container = readContainer(m_good.toStdString(), "model");
        QVERIFY(container.ok());
        QVERIFY(deserializeModule(*saved, container->payload, torch::kCPU, "x").ok());
        QVERIFY(torch::allclose(saved->forward(x, t, c), expected));
        QVERIFY(expected.abs().sum().item<double>() > 0);
    }

    void classifyAndGenerateOnLoadedModel()
    {
        auto model = Model::load(m_good.toStdString());
        QVERIFY(model.ok());
        cytodiff::FloatImage image{3, 16, 16, std::vector<float>(3 * 16 * 16, 0.1f)};
        auto result = model->classify(image, {});
        QVERIFY(result.ok());
        QVERIFY(result->predicted == 0 || result->predicted == 1);
        cytodiff::FloatImage wrong{3, 20, 20, std::vector<float>(3 * 20 * 20, 0.0f)};
        auto refused = model->classify(wrong, {});
        QVERIFY(!refused.ok());
        QVERIFY(QString::fromStdString(refused.error()).contains(QStringLiteral("expects 16x16")));
        auto samples = model->generate(1, 2, 3, 1.0, 5);
        QVERIFY(samples.ok());
        QCOMPARE(samples->size(), std::size_t(2));
    }

    void loadErrors_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << "missing" << "no such file";
        QTest::newRow("truncated") << "truncated" << "truncated";
        QTest::newRow("foreign") << "foreign" << "not a CytoDiff model file";
        QTest::newRow("corrupted") << "corrupted" << "SHA-256";
        QTest::newRow("newer container") << "newer" << "newer CytoDiff";
        QTest::newRow("empty") << "empty" << "not a CytoDiff model file";
    }
    void loadErrors()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const QString path = m_dir.filePath(kind + QStringLiteral(".pt"));
        QByteArray bytes = readAll(m_good);
        if (kind == QLatin1String("truncated"))
            writeAll(path, bytes.left(bytes.size() / 2));
        else if (kind == QLatin1String("foreign"))
            writeAll(path, QByteArray("PK\x03\x04 this is a zip, not a model"));
        else if (kind == QLatin1String("corrupted")) {
            bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x5a);
            writeAll(path, bytes);
        } else if (kind == QLatin1String("newer")) {
            bytes[8] = char(99); // format version field
            writeAll(path, bytes);
        } else if (kind == QLatin1String("empty"))
            writeAll(path, QByteArray());
        auto model = Model::load(path.toStdString());
        QVERIFY(!model.ok());
        QVERIFY2(QString::fromStdString(model.error()).contains(expected), model.error().c_str());
    }

    void newerModelFormatIsRefused()
    {
        auto card = tinyCard();
        auto metadata = card.toMetadata();
        metadata["model_format"] = "7";
        auto parsed = ModelCard::fromMetadata(metadata);
        QVERIFY(!parsed.ok());
        QVERIFY(QString::fromStdString(parsed.error()).contains(QStringLiteral("newer CytoDiff")));
    }

    // A damaged card must not make the loader build a huge network.
    void implausibleNetworksAreRefused_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("base channels") << "base_channels" << "100000";
        QTest::newRow("multiplier") << "channel_mults" << "1,2,4096";
        QTest::newRow("zero multiplier") << "channel_mults" << "1,0";
        QTest::newRow("levels") << "channel_mults" << "1,1,1,1,1,1,1,1,1,1";
        QTest::newRow("res blocks") << "res_blocks" << "0";
        QTest::newRow("many res blocks") << "res_blocks" << "1000000";
        QTest::newRow("embedding") << "embed_dim" << "0";
        QTest::newRow("resolution") << "resolution" << "65536";
        QTest::newRow("weights") << "base_channels" << "1024";
    }
    void implausibleNetworksAreRefused()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        auto metadata = tinyCard().toMetadata();
        metadata[key.toStdString()] = value.toStdString();
        if (key == QLatin1String("base_channels") && value == QLatin1String("1024"))
            metadata["channel_mults"] = "1,2,2";
        auto parsed = ModelCard::fromMetadata(metadata);
        QVERIFY(!parsed.ok());
        QVERIFY2(QString::fromStdString(parsed.error()).contains(QStringLiteral("network")), parsed.error().c_str());
    }

    void loadFromBytesMatchesLoad()
    {
        const QByteArray bytes = readAll(m_good);
        auto model = Model::loadFromBytes(bytes.toStdString(), "memory.pt");
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        auto fromFile = Model::load(m_good.toStdString());
        QVERIFY(fromFile.ok());
        QCOMPARE(model->card().sha256, fromFile->card().sha256);
        auto damaged = Model::loadFromBytes(bytes.left(bytes.size() - 1).toStdString(), "memory.pt");
        QVERIFY(!damaged.ok());
        QVERIFY(QString::fromStdString(damaged.error()).contains(QStringLiteral("memory.pt")));
    }

    void mismatchedWeightsAreRefused()
    {
        // A container whose metadata describes a wider network than its weights.
        auto container = readContainer(m_good.toStdString(), "model");
        QVERIFY(container.ok());
        container->metadata["base_channels"] = "16";
        const QString path = m_dir.filePath(QStringLiteral("mismatch.pt"));
        QVERIFY(writeContainer(path.toStdString(), *container).ok());
        auto model = Model::load(path.toStdString());
        QVERIFY(!model.ok());
        QVERIFY2(QString::fromStdString(model.error()).contains(QStringLiteral("do not match")), model.error().c_str());
    }

    void halfPrecisionStorageKeepsTheCalls()
    {
        const QString half = m_dir.filePath(QStringLiteral("half.pt"));
        auto sha = storeModelWeights(m_good.toStdString(), half.toStdString(), "float16");
        QVERIFY2(sha.ok(), sha.ok() ? "" : sha.error().c_str());
        QVERIFY(QFile(half).size() < QFile(m_good).size());
        auto full = Model::load(m_good.toStdString());
        auto narrowed = Model::load(half.toStdString());
        QVERIFY2(narrowed.ok(), narrowed.ok() ? "" : narrowed.error().c_str());
        QCOMPARE(narrowed->card().weights, std::string("float16"));
        QCOMPARE(full->card().weights, std::string("float32"));
        QCOMPARE(narrowed->card().sha256, *sha);
        QCOMPARE(narrowed->card().trainCommand, full->card().trainCommand);

        // Same trials, weights rounded to 11 bits: the same call, errors
        // within a fraction of a percent.
        torch::manual_seed(5);
        auto pixels = torch::rand({3 * 16 * 16}) * 2 - 1;
        cytodiff::FloatImage image{3, 16, 16, std::vector<float>(pixels.data_ptr<float>(), pixels.data_ptr<float>() + pixels.numel())};
        ClassifyOptions options;
        options.seed = 11;
        auto a = full->classify(image, options);
        auto b = narrowed->classify(image, options);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(b->predicted, a->predicted);
        for (std::size_t c = 0; c < a->errors.size(); ++c)
            QVERIFY2(std::abs(b->errors[c] - a->errors[c]) <= 0.01 * std::abs(a->errors[c]),
                     qPrintable(QStringLiteral("class %1: %2 vs %3").arg(c).arg(b->errors[c]).arg(a->errors[c])));

        // Back to float32: the card no longer names a precision.
        const QString wide = m_dir.filePath(QStringLiteral("wide.pt"));
        QVERIFY(storeModelWeights(half.toStdString(), wide.toStdString(), "float32").ok());
        auto widened = readContainer(wide.toStdString(), "model");
        QVERIFY(widened.ok());
        QVERIFY(!widened->metadata.count("weights"));
        QVERIFY(Model::load(wide.toStdString()).ok());
        QVERIFY(!storeModelWeights(m_good.toStdString(), wide.toStdString(), "int8").ok());
    }

    void storedPrecisionMustMatchTheCard_data()
    {
        QTest::addColumn<bool>("fromHalf");
        QTest::addColumn<QString>("claimed");
        QTest::addColumn<QString>("message");
        QTest::newRow("float32 file claiming float16") << false << QStringLiteral("float16") << QStringLiteral("do not match");
        QTest::newRow("float16 file claiming float32") << true << QStringLiteral("float32") << QStringLiteral("do not match");
        QTest::newRow("unknown precision") << false << QStringLiteral("bfloat16") << QStringLiteral("does not read");
    }

    void storedPrecisionMustMatchTheCard()
    {
        QFETCH(bool, fromHalf);
        QFETCH(QString, claimed);
        QFETCH(QString, message);
        const QString half = m_dir.filePath(QStringLiteral("half-source.pt"));
        QVERIFY(storeModelWeights(m_good.toStdString(), half.toStdString(), "float16").ok());
        auto container = readContainer((fromHalf ? half : m_good).toStdString(), "model");
        QVERIFY(container.ok());
        container->metadata["weights"] = claimed.toStdString();
        const QString path = m_dir.filePath(QStringLiteral("claimed.pt"));
        QVERIFY(writeContainer(path.toStdString(), *container).ok());
        auto model = Model::load(path.toStdString());
        QVERIFY(!model.ok());
        QVERIFY2(QString::fromStdString(model.error()).contains(message), model.error().c_str());
    }

    void packRoundTrip()
    {
        TrainingData data;
        data.classNames = {"a", "b"};
        data.resolution = 8;
        data.cropSize = 8;
        for (int i = 0; i < 10; ++i) {
            data.names.push_back("img" + std::to_string(i));
            data.labels.push_back(i % 2);
            for (int j = 0; j < 3 * 64; ++j)
                data.pixels.push_back(std::uint8_t(i * 10 + j % 7));
        }
        data.splits = stratifiedSplit(data.names, data.labels);
        const QString path = m_dir.filePath(QStringLiteral("data.cdpack"));
        QVERIFY(savePack(path.toStdString(), data).ok());
        auto loaded = loadPack(path.toStdString());
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().c_str());
        QCOMPARE(loaded->names, data.names);
        QCOMPARE(loaded->pixels, data.pixels);
        QCOMPARE(loaded->contentHash(), data.contentHash());
        // A model file is not a pack.
        auto wrong = loadPack(m_good.toStdString());
        QVERIFY(!wrong.ok());
        QVERIFY(QString::fromStdString(wrong.error()).contains(QStringLiteral("model file, not a pack")));
    }

    // Dropping a class renumbers the labels; each cell keeps its own pixels.
    void selectClassesKeepsCellsWhole()
    {
        TrainingData data;
        data.classNames = {"a", "b", "c"};
        data.resolution = 8;
        data.cropSize = 8;
        for (int i = 0; i < 9; ++i) {
            data.names.push_back("img" + std::to_string(i));
            data.labels.push_back(i % 3);
            data.pixels.insert(data.pixels.end(), 3 * 64, std::uint8_t(i));
        }
        data.splits = stratifiedSplit(data.names, data.labels);
        auto kept = selectClasses(data, {}, "a", 0);
        QVERIFY(kept.ok());
        QCOMPARE(kept->classNames, (std::vector<std::string>{"b", "c"}));
        QCOMPARE(kept->size(), std::size_t(6));
        for (std::size_t k = 0; k < kept->size(); ++k) {
            const int source = std::stoi(kept->names[k].substr(3));
            QCOMPARE(kept->labels[k], source % 3 - 1);
            QCOMPARE(int(kept->pixels[k * kept->imageBytes()]), source);
            QCOMPARE(kept->splits[k], data.splits[std::size_t(source)]);
        }
        QVERIFY(kept->validate().ok());
    }
};

QTEST_GUILESS_MAIN(TestModelFile)
#include "test_modelfile.moc"
