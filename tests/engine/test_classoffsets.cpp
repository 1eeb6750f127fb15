// Per-class error offsets: the fit on made-up error tables whose bias is
// known, the classifier loop honouring offsets, and the model-file copy.
#include <torch/torch.h>

#include "classifier.h"
#include "classoffsets.h"
#include "engine.h"

#include <QTemporaryDir>
#include <QTest>

#include <random>

using namespace cytodiff::engine;

class TestClassOffsets : public QObject {
    Q_OBJECT

private slots:
    void removesAKnownBias()
    {
        // Three classes; the true class has the smallest error by 1.0 on
        // average, but class 2 is "easy": its error is always 1.5 lower, so
        // raw argmin calls nearly everything class 2.
        std::mt19937 rng(3);
        std::normal_distribution<double> noise(0.0, 0.4);
        std::vector<std::vector<double>> errors;
        std::vector<int> labels;
        for (int i = 0; i < 300; ++i) {
            const int label = i % 3;
            std::vector<double> row(3);
            for (int c = 0; c < 3; ++c)
                row[c] = 5.0 + (c == label ? 0.0 : 1.0) + (c == 2 ? -1.5 : 0.0) + noise(rng);
            errors.push_back(row);
            labels.push_back(label);
        }
        auto fit = fitClassOffsets(errors, labels, 3);
        QVERIFY2(fit, fit ? "" : fit.error().c_str());
        QCOMPARE(fit->cells, 300);
        QVERIFY(fit->balancedBefore < 0.5);
        QVERIFY(fit->balancedAfter > 0.9);
        // Class 2 is pushed up by about the bias, relative to the others.
        const double relative = fit->offsets[2] - (fit->offsets[0] + fit->offsets[1]) / 2;
        QVERIFY2(relative > 1.0 && relative < 2.0, QByteArray::number(relative));
        QVERIFY(std::fabs(fit->offsets[0] + fit->offsets[1] + fit->offsets[2]) < 1e-9);
    }

    void unbiasedTableGivesSmallOffsets()
    {
        std::mt19937 rng(5);
        std::normal_distribution<double> noise(0.0, 0.4);
        std::vector<std::vector<double>> errors;
        std::vector<int> labels;
        for (int i = 0; i < 400; ++i) {
            const int label = i % 4;
            std::vector<double> row(4);
            for (int c = 0; c < 4; ++c)
                row[c] = 2.0 + (c == label ? 0.0 : 1.0) + noise(rng);
            errors.push_back(row);
            labels.push_back(label);
        }
        auto fit = fitClassOffsets(errors, labels, 4);
        QVERIFY(fit);
        for (double b : fit->offsets)
            QVERIFY2(std::fabs(b) < 0.15, QByteArray::number(b));
        QVERIFY(fit->balancedAfter >= fit->balancedBefore - 0.02);
    }

    void refusesBadTables()
    {
        QVERIFY(!fitClassOffsets({}, {}, 3));
        QVERIFY(!fitClassOffsets({{1.0, 2.0}}, {0}, 3));                 // row size
        QVERIFY(!fitClassOffsets({{1.0, 2.0, 3.0}}, {5}, 3));            // label range
        QVERIFY(!fitClassOffsets({{1.0, 2.0, 3.0}, {1, 2, 3}}, {0, 0}, 3)); // one class only
        QVERIFY(!fitClassOffsets({{1.0, NAN, 3.0}, {1, 2, 3}}, {0, 1}, 3));
    }

    void classifierAddsOffsets()
    {
        // A fake network whose error is the same for every class: with an
        // offset, the classifier must pick the class with the lowest one.
        NoiseSchedule schedule;
        EpsFn eps = [](const torch::Tensor &z, const torch::Tensor &, const torch::Tensor &) {
            return torch::zeros_like(z);
        };
        ClassifyOptions options;
        options.seed = 1;
        options = options.resolved();
        auto x0 = torch::zeros({3, 16, 16});
        auto plain = runClassifier(eps, schedule, x0, 3, options, [](double) { return 1.0; }, {}, nullptr,
                                   {0.0, 0.0, 0.0});
        QVERIFY(plain);
        auto shifted = runClassifier(eps, schedule, x0, 3, options, [](double) { return 1.0; }, {}, nullptr,
                                     {0.3, -0.2, 0.1});
        QVERIFY(shifted);
        QCOMPARE(shifted->predicted, 1);
        QVERIFY(!runClassifier(eps, schedule, x0, 3, options, [](double) { return 1.0; }, {}, nullptr, {0.1}));
    }

    void modelCopyCarriesOffsets()
    {
        const QString source = QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
        QTemporaryDir dir;
        const std::string target = dir.filePath(QStringLiteral("calibrated.pt")).toStdString();
        auto original = Model::load(source.toStdString());
        QVERIFY(original);
        std::vector<double> offsets(original->numClasses(), 0.0);
        offsets[0] = 0.25;
        offsets[1] = -0.25;
        auto sha = writeModelWithOffsets(source.toStdString(), target, offsets, "test calibration", 0.02);
        QVERIFY2(sha, sha ? "" : sha.error().c_str());
        auto loaded = Model::load(target);
        QVERIFY2(loaded, loaded ? "" : loaded.error().c_str());
        QCOMPARE(loaded->card().sha256, *sha);
        QCOMPARE(loaded->card().classOffsets.size(), offsets.size());
        QCOMPARE(loaded->card().classOffsets[0], 0.25);
        QCOMPARE(loaded->card().calibration, std::string("test calibration"));
        QVERIFY(qAbs(loaded->card().scoreTemperature - 0.02) < 1e-9);
        QVERIFY(loaded->card().sha256 != original->card().sha256);
        // Wrong count: refused, and the earlier file is untouched.
        QVERIFY(!writeModelWithOffsets(source.toStdString(), target, {1.0}, "bad"));
        QVERIFY(Model::load(target));
        // An edit that clears the offsets removes them from the file (their
        // keys are written only when present).
        const std::string cleared = dir.filePath(QStringLiteral("cleared.pt")).toStdString();
        QVERIFY(rewriteModelCard(target, cleared, [](ModelCard &card) -> cytodiff::Result<void> {
            card.classOffsets.clear();
            card.calibration.clear();
            card.scoreTemperature = 0;
            return {};
        }));
        auto uncalibrated = Model::load(cleared);
        QVERIFY2(uncalibrated, uncalibrated ? "" : uncalibrated.error().c_str());
        QVERIFY(uncalibrated->card().classOffsets.empty());
        QCOMPARE(uncalibrated->card().scoreTemperature, 0.0);
    }
};

QTEST_GUILESS_MAIN(TestClassOffsets)
#include "test_classoffsets.moc"
