// Smoke test of the shipped models (the diffusion classifier and the
// discriminative baseline): each loads and classifies cells of the PBC test
// part (never trained on) mostly correctly. Skips with a message when
// ../shared/data/pbc or the model file is absent.
#include "engine.h"
#include "imageio.h"
#include "labelledset.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <map>

using namespace cytodiff;

class TestShippedModel : public QObject {
    Q_OBJECT
private slots:
    void classifiesPbcTestCells_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("diffusion");
        QTest::newRow("diffusion") << QStringLiteral("cytodiff-v2-pbc8.pt") << true;
        QTest::newRow("baseline") << QStringLiteral("baseline-pbc8.pt") << false;
    }

    void classifiesPbcTestCells()
    {
        QFETCH(QString, file);
        QFETCH(bool, diffusion);
        const QString modelPath = QStringLiteral(CYTODIFF_SOURCE_DIR "/models/") + file;
        const QString data = QStringLiteral(CYTODIFF_SHARED_DIR "/data/pbc");
        if (!QFile::exists(modelPath))
            QSKIP(qPrintable(QStringLiteral("models/%1 is not in this checkout").arg(file)));
        if (!QDir(data).exists())
            QSKIP("../shared/data/pbc is absent: the PBC images are not distributed with CytoDiff");

        engine::setThreadCount(1);
        auto model = engine::Model::load(modelPath.toStdString());
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        QCOMPARE(model->numClasses(), 8);
        QCOMPARE(model->isDiffusion(), diffusion);

        auto images = dataset::scanLabelledFolder(data);
        QVERIFY(images.ok());
        std::vector<std::string> names;
        std::vector<int> labels;
        std::map<QString, int> classIndex;
        for (const auto &image : *images)
            classIndex.emplace(image.className, int(classIndex.size()));
        for (const auto &image : *images) {
            names.push_back(image.name.toStdString());
            labels.push_back(classIndex[image.className]);
        }
        const auto splits = engine::stratifiedSplit(names, labels);

        // Two test-part cells per class.
        std::map<QString, int> taken;
        int correct = 0, total = 0;
        for (int i = 0; i < images->size(); ++i) {
            const auto &image = (*images)[i];
            if (splits[i] != engine::Split::Test || taken[image.className] >= 2)
                continue;
            ++taken[image.className];
            auto bytes = imaging::readFile(image.path.toStdString());
            QVERIFY(bytes.ok());
            auto input = imaging::preprocess(*bytes, {model->card().cropSize, model->card().network.resolution});
            QVERIFY(input.ok());
            engine::ClassifyOptions options;
            options.seed = std::uint64_t(i);
            auto result = model->classify(*input, options);
            QVERIFY(result.ok());
            ++total;
            correct += model->card().classNames[result->predicted] == image.className.toStdString();
        }
        QCOMPARE(total, 16);
        qInfo("%s: %d of %d PBC test cells correct", qPrintable(file), correct, total);
        QVERIFY2(correct >= 12, qPrintable(QStringLiteral("only %1 of 16 correct").arg(correct)));
    }
};

QTEST_GUILESS_MAIN(TestShippedModel)
#include "test_shippedmodel.moc"
