// cytodiff-cli turing-build / turing-results / turing-export with the tiny
// model and a labelled folder of drawn test images: usage errors, the test
// in the database, results as JSON + Markdown, and the long-format CSV.
#include "inprocesscli.h"
#include "clisupport.h"
#include "commands.h"
#include "database.h"
#include "testimages.h"
#include "turingstore.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using cytodiff::testing::writeCellImage;

namespace {
const QString kTinyModel = QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
const QStringList kClasses = {QStringLiteral("basophil"), QStringLiteral("eosinophil")};
} // namespace

class TestTuringCommands : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    testing::InProcessCli m_cli;
    QString m_labelled;
    QString m_db;

    using Output = testing::CliOutput;

    Output run(int (*command)(const QStringList &), const QString &name, QStringList args)
    {
        return m_cli.run(command, name, args);
    }

    QStringList buildArgs(const QString &name)
    {
        return {QStringLiteral("--db"), m_db, QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), m_labelled,
                QStringLiteral("--per-class"), QStringLiteral("2"), QStringLiteral("--steps"), QStringLiteral("3"),
                QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--name"), name};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(QFile::exists(kTinyModel));
        QVERIFY(m_cli.start());
        m_labelled = m_dir.filePath(QStringLiteral("labelled"));
        m_db = m_dir.filePath(QStringLiteral("w.cytodiff"));
        int seed = 0;
        for (const QString &c : kClasses)
            for (int i = 0; i < 3; ++i)
                QVERIFY(writeCellImage(QStringLiteral("%1/%2/%2_%3.jpg").arg(m_labelled, c).arg(i), ++seed));
    }
    void usageErrors()
    {
        auto r = run(cli::runTuringBuild, QStringLiteral("turing-build"),
                     {QStringLiteral("--db"), m_db, QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"),
                      m_labelled});
        QCOMPARE(r.code, 2); // no --per-class
        r = run(cli::runTuringBuild, QStringLiteral("turing-build"),
                buildArgs(QStringLiteral("x")) << QStringLiteral("--case") << QStringLiteral("A"));
        QCOMPARE(r.code, 2); // both --case and --data
        r = run(cli::runTuringExport, QStringLiteral("turing-export"), {QStringLiteral("--db"), m_db});
        QCOMPARE(r.code, 2); // no --csv
    }

    void buildFromAFolder()
    {
        auto r = run(cli::runTuringBuild, QStringLiteral("turing-build"), buildArgs(QStringLiteral("CLI test")));
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("4 real + 4 synthetic")), qPrintable(r.out));
        QVERIFY2(r.err.contains(QStringLiteral("class left out: neutrophil")), qPrintable(r.err));

        // The same name again is refused; nothing is added.
        r = run(cli::runTuringBuild, QStringLiteral("turing-build"), buildArgs(QStringLiteral("CLI test")));
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("already exists")), qPrintable(r.err));

        auto db = db::Database::open(m_db);
        QVERIFY(db.ok());
        db::TuringStore store(*db);
        auto test = store.findTest(QStringLiteral("CLI test"));
        QVERIFY(test.ok());
        QCOMPARE(test->imageCount, 8);
        auto images = store.images(test->id);
        QVERIFY(images.ok());
        for (const db::TuringImageRow &image : *images) {
            if (image.truth == db::TuringTruth::Real)
                QVERIFY(image.sourceRef.startsWith(m_labelled)); // for the analysis, never shown
        }
        // One reader answers everything "real, basophil".
        auto reader = store.openReader(test->id, QStringLiteral("Cy"), 7);
        QVERIFY(reader.ok());
        const auto order = store.presentationOrder(reader->id);
        QVERIFY(order.ok());
        for (qint64 imageId : *order)
            QVERIFY(store.recordAnswer(reader->id, imageId, db::TuringTruth::Real, QStringLiteral("basophil"), 250).ok());
    }

    void resultsAsJsonAndMarkdown()
    {
        auto r = run(cli::runTuringResults, QStringLiteral("turing-results"), {QStringLiteral("--db"), m_db});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("CLI test")), qPrintable(r.err)); // lists the tests
        const QString outDir = m_dir.filePath(QStringLiteral("results"));
        r = run(cli::runTuringResults, QStringLiteral("turing-results"),
                {QStringLiteral("--db"), m_db, QStringLiteral("--test"), QStringLiteral("CLI test"),
                 QStringLiteral("--out"), outDir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("| Cy |")));
        QFile json(outDir + QStringLiteral("/results.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(root.value(QStringLiteral("positive_class")).toString(), QStringLiteral("synthetic"));
        const QJsonObject cy = root.value(QStringLiteral("readers")).toArray().at(0).toObject();
        // All "real": accuracy 4/8 (p = 1), sensitivity 0/4, specificity 4/4,
        // synthetic class agreement 2/4 (the synthetic basophils).
        QCOMPARE(cy.value(QStringLiteral("accuracy")).toObject().value(QStringLiteral("k")).toInt(), 4);
        QCOMPARE(cy.value(QStringLiteral("binomial_p_vs_50")).toDouble(), 1.0);
        QCOMPARE(cy.value(QStringLiteral("sensitivity")).toObject().value(QStringLiteral("value")).toDouble(), 0.0);
        QCOMPARE(cy.value(QStringLiteral("specificity")).toObject().value(QStringLiteral("value")).toDouble(), 1.0);
        QCOMPARE(cy.value(QStringLiteral("synthetic_class_agreement")).toObject().value(QStringLiteral("k")).toInt(), 2);
        QCOMPARE(cy.value(QStringLiteral("mean_time_ms")).toDouble(), 250.0);
        QVERIFY(QFile::exists(outDir + QStringLiteral("/results.md")));
    }

    void exportLongFormatCsv()
    {
        const QString csvPath = m_dir.filePath(QStringLiteral("answers.csv"));
        auto r = run(cli::runTuringExport, QStringLiteral("turing-export"),
                     {QStringLiteral("--db"), m_db, QStringLiteral("--test"), QStringLiteral("CLI test"),
                      QStringLiteral("--csv"), csvPath});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 9);
        QCOMPARE(lines[0], QStringLiteral("reader,image,truth,answer,class,answer_class,time_ms"));
        int synthetic = 0;
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList fields = lines[i].split(QLatin1Char(','));
            QCOMPARE(fields.size(), 7);
            QCOMPARE(fields[0], QStringLiteral("Cy"));
            QCOMPARE(fields[1].size(), 10); // opaque id, no file name
            QCOMPARE(fields[3], QStringLiteral("real"));
            QCOMPARE(fields[6], QStringLiteral("250"));
            synthetic += fields[2] == QLatin1String("synthetic") ? 1 : 0;
        }
        QCOMPARE(synthetic, 4);

        // iMRMC's input format: size lines, truth rows, one row per answer.
        const QString imrmcPath = m_dir.filePath(QStringLiteral("answers.imrmc"));
        r = run(cli::runTuringExport, QStringLiteral("turing-export"),
                {QStringLiteral("--db"), m_db, QStringLiteral("--test"), QStringLiteral("CLI test"),
                 QStringLiteral("--imrmc"), imrmcPath});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile imrmc(imrmcPath);
        QVERIFY(imrmc.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(imrmc.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(rows.contains(QStringLiteral("NR: 1")));
        QVERIFY(rows.contains(QStringLiteral("N0: 4")));
        QVERIFY(rows.contains(QStringLiteral("N1: 4")));
        const qsizetype begin = rows.indexOf(QStringLiteral("BEGIN DATA:"));
        QVERIFY(begin > 0);
        QCOMPARE(rows.size() - begin - 1, 8 + 8); // 8 truth rows, 8 answers
        int truthSynthetic = 0;
        for (qsizetype i = begin + 1; i < rows.size(); ++i) {
            const QStringList fields = rows[i].split(QLatin1Char(','));
            QCOMPARE(fields.size(), 4);
            if (fields[0] == QLatin1String("-1")) {
                QCOMPARE(fields[2], QStringLiteral("truth"));
                truthSynthetic += fields[3].toInt();
            } else {
                QCOMPARE(fields[0], QStringLiteral("Cy"));
                QCOMPARE(fields[2], QStringLiteral("turing"));
                QCOMPARE(fields[3], QStringLiteral("0")); // Cy called every image real
            }
        }
        QCOMPARE(truthSynthetic, 4);
        r = run(cli::runTuringExport, QStringLiteral("turing-export"),
                {QStringLiteral("--db"), m_db, QStringLiteral("--test"), QStringLiteral("nope"), QStringLiteral("--csv"),
                 csvPath});
        QCOMPARE(r.code, 1);
    }
};

QTEST_GUILESS_MAIN(TestTuringCommands)
#include "test_turingcommands.moc"
