// Golden numbers for tests/data/tiny-pbc8.pt (in the spirit of llm.c's
// test_gpt2): a fixed synthetic cell, fixed seeds and one thread, and the
// numbers the engine produced for them frozen below. A refactor of the UNet,
// the classifier loop, the heatmaps or the sampler that changes any result
// fails here instead of silently shifting accuracy.
//
// When a change is MEANT to alter the numbers, regenerate them:
//   CYTODIFF_GOLDEN_PRINT=1 build-engine/tests/engine/test_golden
// prints every current value as C++ to paste over the constants below
// (the comparisons still run, so the print also shows what moved).
#include <torch/torch.h>

#include "modelio.h"

#include <QStringList>
#include <QTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

using namespace cytodiff::engine;

namespace {

const std::string kModelPath = CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt";

// Element count, sums and a few values at fixed flat indices (taken modulo
// the count; spread so the heatmaps' and samples' several parts are hit).
struct Checksum {
    std::size_t count = 0;
    double sum = 0.0;
    double absSum = 0.0;
    std::array<double, 5> samples{};
};
constexpr std::array<std::size_t, 5> kSampleIndices{0, 555, 1000, 2500, 6007};

// Relative tolerance for every floating-point value. On one machine the
// results are bit-exact (one thread, seeded generators); the slack only
// absorbs float32 summation-order changes from another BLAS or compiler.
constexpr double kRelTol = 1e-4;

// ---- frozen values (regenerate with CYTODIFF_GOLDEN_PRINT=1) ---------------
constexpr Checksum kForward{768, -10.974383657798171, 570.28024307824671,
    {-1.1905183792114258, 0.13859179615974426, -0.93111062049865723, -0.51815551519393921, -1.5851897001266479}};
constexpr int kClassifyPredicted = 2;
constexpr int kClassifyNfe = 96;
constexpr int kClassifyTrials = 12;
constexpr std::array<int, 8> kClassifyTrialsPerClass{
    12, 12, 12, 12,
    12, 12, 12, 12};
constexpr std::array<double, 8> kClassifyErrors{
    0.95156730627882391, 0.95861106362845128, 0.87541125228693517, 0.96126086969944624,
    0.93200509621286232, 1.0094876405995712, 0.93857220280556819, 0.94136342466052769};
constexpr std::array<double, 8> kClassifyProbabilities{
    0.078202000775562205, 0.066577767437055679, 0.44549556168179216, 0.062666822252640836,
    0.12226873965253643, 0.020822285214575839, 0.1052340197191962, 0.098732803266640579};
constexpr int kHeatmapPredicted = 2;
constexpr Checksum kHeatmaps{6144, -31.450283898040652, 254.03490220196545,
    {-0.017372041940689087, 0.015766441822052002, -0.0064127519726753235, 0.0092192739248275757, 0.14655441045761108}};
constexpr Checksum kGenerate{1536, 150.38528783479705, 914.58966807671823,
    {0.89732861518859863, -0.49780479073524475, 0.92067193984985352, -0.20558534562587738, 0.80798643827438354}};
// -----------------------------------------------------------------------------

// Inputs. The UNet probe: a mid-range time and a class that is not class 0,
// so both embeddings matter.
constexpr float kForwardTime = 0.37f;
constexpr int64_t kForwardClass = 5;
constexpr std::uint64_t kClassifySeed = 20240607;
constexpr int kHeatmapTrials = 8;
constexpr std::uint64_t kHeatmapSeed = 99;
constexpr int kGenerateClass = 2;
constexpr int kGenerateCount = 2;
constexpr int kGenerateSteps = 10;
constexpr double kGenerateGuidance = 2.0; // > 1: also freezes the classifier-free path
constexpr std::uint64_t kGenerateSeed = 4242;

bool printMode() { return std::getenv("CYTODIFF_GOLDEN_PRINT") != nullptr; }

// A smooth, cell-like picture without any random generator: a dark disc
// (nucleus) on a lighter background with per-channel gradients and ripples,
// values in [-1, 1]. Computed in double, so it is the same everywhere.
cytodiff::FloatImage syntheticCell(int resolution)
{
    cytodiff::FloatImage image{3, resolution, resolution, std::vector<float>(std::size_t(3) * resolution * resolution)};
    const double centre = (resolution - 1) / 2.0;
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < resolution; ++y)
            for (int x = 0; x < resolution; ++x) {
                const double dx = (x - centre) / resolution, dy = (y - centre) / resolution;
                const double r = std::sqrt(dx * dx + dy * dy);
                const double nucleus = 1.0 / (1.0 + std::exp((r - 0.22) * 40.0)); // soft disc
                const double background = 0.6 - 0.15 * c + 0.2 * dx - 0.1 * dy;
                const double ripple = 0.08 * std::sin(7.0 * dx + 3.0 * c) * std::cos(5.0 * dy - c);
                const double v = background * (1.0 - nucleus) + (-0.7 + 0.2 * c) * nucleus + ripple;
                image.data[(std::size_t(c) * resolution + y) * resolution + x] = float(std::clamp(v, -1.0, 1.0));
            }
    return image;
}

// The UNet's noisy input, also generator-free: z_t = sqrt(ab) x0 + sqrt(1-ab) e
// with a deterministic pseudo-noise e built from sines (uniform-like in
// [-1.7, 1.7): about unit variance, like the Gaussian it stands in for).
torch::Tensor noisyInput(const cytodiff::FloatImage &cell, double alphaBar)
{
    auto x0 = toTensor(cell);
    auto index = torch::arange(x0.numel(), torch::kDouble).view(x0.sizes());
    auto pseudoNoise = (torch::sin(index * 12.9898) * 43758.5453).frac().abs().mul(2.0).sub(1.0).mul(1.7).to(torch::kFloat);
    return (std::sqrt(alphaBar) * x0 + std::sqrt(1.0 - alphaBar) * pseudoNoise).unsqueeze(0); // [1,3,R,R]
}

Checksum checksum(const float *data, std::size_t n)
{
    Checksum c;
    c.count = n;
    for (std::size_t i = 0; i < n; ++i) {
        c.sum += data[i];
        c.absSum += std::fabs(data[i]);
    }
    for (std::size_t k = 0; k < kSampleIndices.size(); ++k)
        c.samples[k] = data[kSampleIndices[k] % n];
    return c;
}

Checksum checksum(const std::vector<cytodiff::FloatImage> &images)
{
    std::vector<float> all;
    for (const auto &image : images)
        all.insert(all.end(), image.data.begin(), image.data.end());
    return checksum(all.data(), all.size());
}

// Notes a mismatch unless actual is within kRelTol of expected; scale floors
// the tolerance for values near zero (a signed sum is compared on the
// scale of its abs sum). All mismatches are collected and reported at once.
void expectNear(QStringList &errors, const QString &what, double actual, double expected, double scale = 0.0)
{
    const double tolerance = kRelTol * std::max(std::fabs(expected), scale);
    if (std::fabs(actual - expected) <= tolerance && std::isfinite(actual))
        return;
    errors << QStringLiteral("%1: got %2, frozen %3 (tolerance %4)")
        .arg(what)
        .arg(actual, 0, 'g', 17)
        .arg(expected, 0, 'g', 17)
        .arg(tolerance, 0, 'g', 3);
}

void compare(QStringList &errors, const QString &what, const Checksum &actual, const Checksum &expected)
{
    if (actual.count != expected.count)
        errors << QStringLiteral("%1.count: got %2, frozen %3").arg(what).arg(actual.count).arg(expected.count);
    // A sampled value near zero is compared on the scale of a typical element.
    const double elementScale = expected.absSum / double(std::max<std::size_t>(expected.count, 1));
    expectNear(errors, what + QStringLiteral(".absSum"), actual.absSum, expected.absSum);
    expectNear(errors, what + QStringLiteral(".sum"), actual.sum, expected.sum, expected.absSum);
    for (std::size_t k = 0; k < actual.samples.size(); ++k)
        expectNear(errors, what + QStringLiteral(".samples[%1]").arg(k), actual.samples[k], expected.samples[k],
                   elementScale);
}

void printChecksum(const char *name, const Checksum &c)
{
    std::printf("constexpr Checksum %s{%zu, %.17g, %.17g,\n    {%.17g, %.17g, %.17g, %.17g, %.17g}};\n", name, c.count,
                c.sum, c.absSum, c.samples[0], c.samples[1], c.samples[2], c.samples[3], c.samples[4]);
}

template <typename T>
void printArray(const char *type, const char *name, const std::vector<T> &values)
{
    std::printf("constexpr std::array<%s, %zu> %s{", type, values.size(), name);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i % 4 == 0)
            std::printf("%s\n    ", i ? "," : "");
        else
            std::printf(", ");
        if constexpr (std::is_integral_v<T>)
            std::printf("%lld", static_cast<long long>(values[i]));
        else
            std::printf("%.17g", static_cast<double>(values[i]));
    }
    std::printf("};\n");
}

} // namespace

class TestGolden : public QObject {
    Q_OBJECT
private:
    Model m_model;
    cytodiff::FloatImage m_cell;

private slots:
    void initTestCase()
    {
        // One intra-op thread: parallel reductions would otherwise change
        // the summation order, and with it the last bits, between runs.
        setThreadCount(1);
        auto model = Model::load(kModelPath);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        m_model = std::move(*model);
        QCOMPARE(m_model.numClasses(), 8);
        m_cell = syntheticCell(m_model.card().network.resolution);
    }

    // The raw network output: the one number every other result is built on.
    // Model has no public forward, so rebuild the UNet from the file the
    // way the loader does (modelio.h).
    void unetForward()
    {
        auto container = readContainer(kModelPath, "model");
        QVERIFY(container.ok());
        auto card = ModelCard::fromMetadata(container->metadata);
        QVERIFY(card.ok());
        UNet network(card->network);
        QVERIFY(deserializeModule(*network, container->payload, torch::kCPU, kModelPath).ok());
        network->eval();
        NoiseSchedule schedule;
        QVERIFY(NoiseSchedule::fromName(card->schedule, schedule));
        c10::InferenceMode inference;
        auto z = noisyInput(m_cell, schedule.alphaBar(kForwardTime));
        auto out = network->forward(z, torch::tensor({kForwardTime}), torch::tensor({kForwardClass})).contiguous();
        QVERIFY(out.sizes() == z.sizes());
        const auto actual = checksum(out.data_ptr<float>(), std::size_t(out.numel()));
        if (printMode())
            printChecksum("kForward", actual);
        QStringList errors;
        compare(errors, QStringLiteral("forward"), actual, kForward);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    }

    // The fast protocol end to end: stratified times, paired trials, fitted
    // error scale, pruning. Every option spelled out, so a change of a
    // default does not show up as a numeric regression.
    void classifyFast()
    {
        ClassifyOptions options;
        options.protocol = Protocol::Fast;
        options.trialsMin = 8;
        options.trialsMax = 48;
        options.pValue = 2e-3;
        options.trialsPerRound = 4;
        options.tMin = 0.02;
        options.tMax = 0.5;
        options.seed = kClassifySeed;
        options.weighting = Weighting::Fitted;
        auto result = m_model.classify(m_cell, options);
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().c_str());
        if (printMode()) {
            std::printf("constexpr int kClassifyPredicted = %d;\nconstexpr int kClassifyNfe = %d;\n"
                        "constexpr int kClassifyTrials = %d;\n",
                        result->predicted, result->nfe, result->trials);
            printArray("int", "kClassifyTrialsPerClass", result->trialsPerClass);
            printArray("double", "kClassifyErrors", result->errors);
            printArray("double", "kClassifyProbabilities", result->probabilities);
        }
        QCOMPARE(result->predicted, kClassifyPredicted);
        QCOMPARE(result->nfe, kClassifyNfe);
        QCOMPARE(result->trials, kClassifyTrials);
        QCOMPARE(result->trialsPerClass, std::vector<int>(kClassifyTrialsPerClass.begin(), kClassifyTrialsPerClass.end()));
        QCOMPARE(result->errors.size(), kClassifyErrors.size());
        QStringList errors;
        for (std::size_t c = 0; c < kClassifyErrors.size(); ++c) {
            expectNear(errors, QStringLiteral("errors[%1]").arg(c), result->errors[c], kClassifyErrors[c]);
            // Probabilities far below the winner's are exp(-large): compare
            // them on an absolute floor.
            expectNear(errors, QStringLiteral("probabilities[%1]").arg(c), result->probabilities[c],
                       kClassifyProbabilities[c], 1e-2);
        }
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    }

    // Counterfactual deltas of all eight classes, concatenated.
    void heatmaps()
    {
        auto result = m_model.heatmaps(m_cell, kHeatmapTrials, kHeatmapSeed);
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().c_str());
        QCOMPARE(int(result->deltas.size()), 8);
        const auto actual = checksum(result->deltas);
        if (printMode()) {
            std::printf("constexpr int kHeatmapPredicted = %d;\n", result->predicted);
            printChecksum("kHeatmaps", actual);
        }
        QCOMPARE(result->predicted, kHeatmapPredicted);
        QStringList errors;
        compare(errors, QStringLiteral("heatmaps"), actual, kHeatmaps);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    }

    // DDIM from seeded noise, two samples so the batch layout is frozen too.
    void generateDdim()
    {
        auto samples = m_model.generate(kGenerateClass, kGenerateCount, kGenerateSteps, kGenerateGuidance, kGenerateSeed);
        QVERIFY2(samples.ok(), samples.ok() ? "" : samples.error().c_str());
        QCOMPARE(int(samples->size()), kGenerateCount);
        const auto actual = checksum(*samples);
        if (printMode())
            printChecksum("kGenerate", actual);
        QStringList errors;
        compare(errors, QStringLiteral("generate"), actual, kGenerate);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestGolden)
#include "test_golden.moc"
