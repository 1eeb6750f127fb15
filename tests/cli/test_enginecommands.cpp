// cytodiff-cli classify / evaluate / heatmap / generate / pack / train with
// the tiny real model in tests/data: exit codes, files written, database.
#include "inprocesscli.h"
#include "clisupport.h"
#include "commands.h"
#include "database.h"
#include "engine.h"
#include "testimages.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using cytodiff::testing::writeCellImage;

namespace {
const QString kTinyModel = QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
// A domain reference as `domain-reference` writes it for a diffusion model.
const std::string kReferenceWithFigures =
    R"({"format":1,"images":40,"crop_size":0,"cell_found_share":1,"features":{"nucleus_diameter":)"
    R"({"p01":20,"p50":30,"p99":40}},"effort_cells":12,"effort_mean":30,"unidentified_share":0.1})";
// The shipped baseline CNN: one fast pass per cell, the GUI's second opinion.
const QString kBaseline = QStringLiteral(CYTODIFF_SOURCE_DIR "/models/baseline-pbc8.pt");
const QStringList kClasses = {QStringLiteral("basophil"), QStringLiteral("eosinophil"), QStringLiteral("neutrophil")};
} // namespace

class TestEngineCommands : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    testing::InProcessCli m_cli;
    QString m_labelled; // <dir>/labelled/<class>/<image>, 4 per class

    using Output = testing::CliOutput;

    Output run(int (*command)(const QStringList &), const QString &name, QStringList args)
    {
        return m_cli.run(command, name, args);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(QFile::exists(kTinyModel));
        QVERIFY(m_cli.start());
        m_labelled = m_dir.filePath(QStringLiteral("labelled"));
        int seed = 0;
        for (const QString &c : kClasses)
            for (int i = 0; i < 4; ++i)
                QVERIFY(writeCellImage(QStringLiteral("%1/%2/%2_%3.jpg").arg(m_labelled, c).arg(i), ++seed));
    }
    void classifyFolderWritesOneRowPerImage()
    {
        const QString csv = m_dir.filePath(QStringLiteral("preds.csv"));
        auto r = run(cli::runClassify, QStringLiteral("classify"),
                     {QStringLiteral("--model"), kTinyModel, m_labelled, QStringLiteral("--out"), csv});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("classified 12 of 12 cells")), qPrintable(r.err));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 13);
        QCOMPARE(lines.first(), QStringLiteral("path,predicted,confidence,anomaly,nfe,score_basophil,score_eosinophil,"
                                               "score_erythroblast,score_ig,score_lymphocyte,score_monocyte,"
                                               "score_neutrophil,score_platelet,second_opinion,review,review_reason"));
        const QStringList row = lines.at(1).split(QLatin1Char(','));
        QCOMPARE(row.size(), 16);
        // Without a second model: no second opinion; the queue's decision
        // and its reason always come together.
        QVERIFY(row.at(13).isEmpty());
        QVERIFY(row.at(14) == QStringLiteral("yes") || row.at(14) == QStringLiteral("no"));
        QCOMPARE(row.at(15).isEmpty(), row.at(14) == QStringLiteral("no"));
        QVERIFY2(r.err.contains(QStringLiteral("review queue: ")), qPrintable(r.err));
        QVERIFY(row.at(0).endsWith(QStringLiteral(".jpg")));
        QVERIFY(row.at(4).toInt() >= 8 * 2); // at least trials-min paired trials x classes... pruned
        double sum = 0;
        for (int i = 5; i < 13; ++i)
            sum += row.at(i).toDouble();
        QVERIFY(qAbs(sum - 1.0) < 1e-3);
    }

    void classifyCaseStoresPredictions()
    {
        const QString db = m_dir.filePath(QStringLiteral("ws.cytodiff"));
        QCOMPARE(run(cli::runImport, QStringLiteral("import"), {m_labelled, QStringLiteral("--db"), db}).code, 0);
        const QString csv = m_dir.filePath(QStringLiteral("case.csv"));
        auto r = run(cli::runClassify, QStringLiteral("classify"),
                     {QStringLiteral("--model"), kTinyModel, QStringLiteral("--db"), db, QStringLiteral("--case"),
                      QStringLiteral("labelled"), QStringLiteral("--out"), csv, QStringLiteral("--trials-max"), QStringLiteral("16")});
        QCOMPARE(r.code, 0);
        auto database = db::Database::open(db);
        QVERIFY(database.ok());
        auto found = database->findCase(QStringLiteral("labelled"));
        QVERIFY(found.ok());
        auto predictions = database->latestPredictions(found->id);
        QVERIFY(predictions.ok());
        QCOMPARE(predictions->size(), 12);
        QVERIFY(predictions->first().modelId.startsWith(QStringLiteral("tiny-pbc8@")));

        // A second run keeps the finished cells (resume) unless asked to redo them.
        const QStringList again = {QStringLiteral("--model"), kTinyModel, QStringLiteral("--db"), db,
                                   QStringLiteral("--case"), QStringLiteral("labelled"), QStringLiteral("--out"), csv,
                                   QStringLiteral("--trials-max"), QStringLiteral("16")};
        r = run(cli::runClassify, QStringLiteral("classify"), again);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("12 of 12 cells already have a prediction")), qPrintable(r.err));
        QCOMPARE(database->predictionsOfCell(predictions->first().cellId)->size(), 1);
        QFile rows(csv);
        QVERIFY(rows.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(rows.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 13);
        r = run(cli::runClassify, QStringLiteral("classify"), again + QStringList{QStringLiteral("--reclassify")});
        QCOMPARE(r.code, 0);
        QCOMPARE(database->predictionsOfCell(predictions->first().cellId)->size(), 2);
        QCOMPARE(database->predictionsOfModel(found->id, predictions->first().modelId)->size(), 12);
    }

    // A second model's calls go next to the predictions; the cells where
    // they differ are listed; a second run has nothing left to do.
    void secondOpinionOnACase()
    {
        const QString db = m_dir.filePath(QStringLiteral("second.cytodiff"));
        QCOMPARE(run(cli::runImport, QStringLiteral("import"), {m_labelled, QStringLiteral("--db"), db}).code, 0);
        const QStringList caseArgs = {QStringLiteral("--db"), db, QStringLiteral("--case"), QStringLiteral("labelled")};
        QCOMPARE(run(cli::runClassify, QStringLiteral("classify"),
                     QStringList{QStringLiteral("--model"), kTinyModel, QStringLiteral("--out"), m_dir.filePath(QStringLiteral("p.csv")),
                                 QStringLiteral("--trials-max"), QStringLiteral("16")} + caseArgs).code, 0);
        const QString differs = m_dir.filePath(QStringLiteral("differs.csv"));
        const QStringList args = QStringList{QStringLiteral("--model"), kBaseline, QStringLiteral("--out"), differs} + caseArgs;
        auto r = run(cli::runSecondOpinion, QStringLiteral("second-opinion"), args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("stored 12 second opinions")), qPrintable(r.out));
        auto database = db::Database::open(db);
        QVERIFY(database.ok());
        auto cells = database->cellsOfCase(database->findCase(QStringLiteral("labelled"))->id);
        QVERIFY(cells.ok());
        int differing = 0;
        for (const auto &cell : *cells) {
            QVERIFY(cell.modelId.startsWith(QStringLiteral("tiny-pbc8@"))); // still the latest prediction
            QVERIFY(!cell.secondOpinionClass.isEmpty());
            differing += cell.secondOpinionClass != cell.predictedClass ? 1 : 0;
        }
        QVERIFY(r.out.contains(QStringLiteral("the calls differ on %1 of 12").arg(differing)));
        QFile list(differs);
        QVERIFY(list.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(list.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), differing + 1);

        r = run(cli::runSecondOpinion, QStringLiteral("second-opinion"), args);
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("stored 0 second opinions")));
        QCOMPARE(run(cli::runSecondOpinion, QStringLiteral("second-opinion"),
                     {QStringLiteral("--model"), kBaseline, QStringLiteral("--db"), db}).code, 2);
        QCOMPARE(run(cli::runSecondOpinion, QStringLiteral("second-opinion"),
                     {QStringLiteral("--model"), kBaseline, QStringLiteral("--db"), db, QStringLiteral("--case"),
                      QStringLiteral("nope")}).code, 1);
    }

    void evaluateWritesJsonAndMarkdown()
    {
        const QString out = m_dir.filePath(QStringLiteral("eval"));
        auto r = run(cli::runEvaluate, QStringLiteral("evaluate"),
                     {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), m_labelled, QStringLiteral("--out"), out,
                      QStringLiteral("--trials-max"), QStringLiteral("16")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("balanced accuracy")));
        QFile json(out + QStringLiteral("/evaluation.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const auto object = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(object.value(QStringLiteral("cells")).toInt(), 12);
        QVERIFY(object.contains(QStringLiteral("confusion")));
        QVERIFY(QFile::exists(out + QStringLiteral("/evaluation.md")));
    }

    // The reference's effort was measured with the application's settings;
    // calls made with others are not held to it (the GUI's rule, shared by
    // classify), so a cheaper or dearer trial budget is no domain shift.
    void classifyJudgesEffortOnlyUnderTheApplicationsSettings()
    {
        const QString referenced = m_dir.filePath(QStringLiteral("effort-referenced.pt"));
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), referenced.toStdString(),
                                         [](engine::ModelCard &card) -> Result<void> {
                                             // Any image passes; one evaluation a cell is far below any call's.
                                             card.domainReference =
                                                 R"({"format":1,"images":40,"crop_size":0,"cell_found_share":0,)"
                                                 R"("features":{"nucleus_diameter":{"p01":0,"p50":50,"p99":100000}},)"
                                                 R"("effort_cells":12,"effort_mean":1,"unidentified_share":1})";
                                             return {};
                                         }));
        const QString csv = m_dir.filePath(QStringLiteral("effort.csv"));
        auto r = run(cli::runClassify, QStringLiteral("classify"),
                     {QStringLiteral("--model"), referenced, m_labelled, QStringLiteral("--out"), csv});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("the classifier's effort: effort_mean")), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QStringLiteral("images only")), qPrintable(r.err));
        r = run(cli::runClassify, QStringLiteral("classify"),
                {QStringLiteral("--model"), referenced, m_labelled, QStringLiteral("--trials-max"), QStringLiteral("8"),
                 QStringLiteral("--out"), csv});
        QCOMPARE(r.code, 0);
        QVERIFY2(!r.err.contains(QStringLiteral("outside the model's training domain")), qPrintable(r.err));
        // Said before the first cell: the check is weaker than the card allows.
        QVERIFY2(r.err.contains(QStringLiteral("note: The domain check compares the case's images only")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("domain check: the images are like the model's training images")),
                 qPrintable(r.err));
    }

    // The reference of the domain check: the training images' ranges and
    // the diffusion classifier's effort on validation cells, in a copy.
    void domainReferenceMeasuresImagesAndEffort()
    {
        // Enough cells per class that the split leaves some for validation.
        const QString data = m_dir.filePath(QStringLiteral("reference-data"));
        int seed = 900;
        for (const QString &c : kClasses)
            for (int i = 0; i < 20; ++i)
                QVERIFY(writeCellImage(QStringLiteral("%1/%2/%2_%3.jpg").arg(data, c).arg(i), ++seed));
        const QString out = m_dir.filePath(QStringLiteral("with-reference.pt"));
        auto r = run(cli::runDomainReference, QStringLiteral("domain-reference"),
                     {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), data, QStringLiteral("--effort-per-class"),
                      QStringLiteral("2"), QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("images measured: ")), qPrintable(r.out));
        auto model = engine::Model::load(out.toStdString());
        QVERIFY(model);
        const auto reference = QJsonDocument::fromJson(QByteArray::fromStdString(model->card().domainReference)).object();
        QVERIFY(reference.value(QStringLiteral("images")).toInt() > 0);
        QVERIFY(reference.value(QStringLiteral("features")).toObject().contains(QStringLiteral("nucleus_diameter")));
        QVERIFY(reference.value(QStringLiteral("effort_cells")).toInt() > 0);
        QVERIFY(reference.value(QStringLiteral("effort_mean")).toDouble() > 0);
        QVERIFY(engine::Model::load(kTinyModel.toStdString())->card().domainReference.empty()); // --out is a copy

        // A damaged error profile refuses every call: said before measuring.
        const QString damaged = m_dir.filePath(QStringLiteral("damaged-for-reference.pt"));
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), damaged.toStdString(),
                                         [](engine::ModelCard &card) -> Result<void> {
                                             card.anomalyProfile = "{\"version\":1";
                                             return {};
                                         }));
        const QString refused = m_dir.filePath(QStringLiteral("refused.pt"));
        r = run(cli::runDomainReference, QStringLiteral("domain-reference"),
                {QStringLiteral("--model"), damaged, QStringLiteral("--data"), data, QStringLiteral("--out"), refused});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("anomaly profile")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("(no image measured)")), qPrintable(r.err));
        QVERIFY(!QFile::exists(refused));
    }

    void calibrateWritesAModelWithOffsets()
    {
        // A card whose domain reference carries the classifier's figures:
        // measured with the old offsets, so the calibrated copy drops them.
        const QString referenced = m_dir.filePath(QStringLiteral("referenced.pt"));
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), referenced.toStdString(),
                                         [](engine::ModelCard &card) -> Result<void> {
                                             card.domainReference = kReferenceWithFigures;
                                             return {};
                                         }));
        const QString out = m_dir.filePath(QStringLiteral("calibrated.pt"));
        auto r = run(cli::runCalibrate, QStringLiteral("calibrate"),
                     {QStringLiteral("--model"), referenced, QStringLiteral("--data"), m_labelled, QStringLiteral("--split"),
                      QStringLiteral("all"), QStringLiteral("--trials"), QStringLiteral("4"), QStringLiteral("--out"), out});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("class offsets fitted on 12 cells")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("effort and unidentified share were measured with the old offsets")),
                 qPrintable(r.out));
        auto calibrated = engine::Model::load(out.toStdString());
        QVERIFY2(calibrated, calibrated ? "" : calibrated.error().c_str());
        const auto reference =
            QJsonDocument::fromJson(QByteArray::fromStdString(calibrated->card().domainReference)).object();
        QCOMPARE(reference.value(QStringLiteral("images")).toInt(), 40);
        QVERIFY(reference.value(QStringLiteral("features")).toObject().contains(QStringLiteral("nucleus_diameter")));
        QVERIFY(!reference.contains(QStringLiteral("effort_mean")));
        QVERIFY(!reference.contains(QStringLiteral("unidentified_share")));
        QCOMPARE(int(calibrated->card().classOffsets.size()), calibrated->numClasses());
        QVERIFY(calibrated->card().calibration.find("--split all") != std::string::npos);
        // Classes the data lacks keep offset 0.
        QCOMPARE(calibrated->card().classOffsets[std::size_t(calibrated->classIndex("platelet"))], 0.0);
        // evaluate reads the calibrated file like any model.
        r = run(cli::runEvaluate, QStringLiteral("evaluate"),
                {QStringLiteral("--model"), out, QStringLiteral("--data"), m_labelled, QStringLiteral("--trials-max"),
                 QStringLiteral("8")});
        QCOMPARE(r.code, 0);
        // Usage and bad input.
        QCOMPARE(run(cli::runCalibrate, QStringLiteral("calibrate"), {QStringLiteral("--model"), kTinyModel}).code, 2);
        QCOMPARE(run(cli::runCalibrate, QStringLiteral("calibrate"),
                     {QStringLiteral("--model"), m_dir.filePath(QStringLiteral("missing.pt")), QStringLiteral("--data"),
                      m_labelled, QStringLiteral("--out"), out})
                     .code,
                 1);
        QVERIFY(engine::Model::load(out.toStdString())); // the earlier file is intact
    }

    // The fit itself is tested in tests/classify and the command's success
    // path in test_evaluationcommands; here its refusals: a profile needs
    // calls of every class, and it says so.
    void anomalyProfileRefusesWhatItCannotFit()
    {
        const QString out = m_dir.filePath(QStringLiteral("profiled.pt"));
        auto r = run(cli::runAnomalyProfile, QStringLiteral("anomaly-profile"),
                     {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), m_labelled, QStringLiteral("--split"),
                      QStringLiteral("all"), QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--out"), out});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("more cells per class")), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
        QCOMPARE(run(cli::runAnomalyProfile, QStringLiteral("anomaly-profile"),
                     {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), m_labelled, QStringLiteral("--quantile"),
                      QStringLiteral("1.5"), QStringLiteral("--out"), out})
                     .code,
                 2);
        QCOMPARE(run(cli::runAnomalyProfile, QStringLiteral("anomaly-profile"), {QStringLiteral("--model"), kTinyModel}).code, 2);
        // A damaged profile is what the command mends: it classifies without
        // it (the refusal is the fit's, not the damaged card's).
        const QString damaged = m_dir.filePath(QStringLiteral("damaged-profile.pt"));
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), damaged.toStdString(),
                                         [](engine::ModelCard &card) -> Result<void> {
                                             card.anomalyProfile = "{\"version\":1";
                                             return {};
                                         }));
        r = run(cli::runAnomalyProfile, QStringLiteral("anomaly-profile"),
                {QStringLiteral("--model"), damaged, QStringLiteral("--data"), m_labelled, QStringLiteral("--split"),
                 QStringLiteral("all"), QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--out"), out});
        QCOMPARE(r.code, 1);
        QVERIFY2(!r.err.contains(QStringLiteral("anomaly profile")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("more cells per class")), qPrintable(r.err));
        // Everything else refuses that card once, not once per cell.
        r = run(cli::runEvaluate, QStringLiteral("evaluate"),
                {QStringLiteral("--model"), damaged, QStringLiteral("--data"), m_labelled, QStringLiteral("--split"),
                 QStringLiteral("all"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("damaged-eval"))});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err.count(QStringLiteral("anomaly profile")), 1);
        QVERIFY2(r.err.contains(QStringLiteral("no cell was classified")), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("damaged-eval/evaluation.json"))));
        r = run(cli::runClassify, QStringLiteral("classify"),
                {QStringLiteral("--model"), damaged, m_labelled, QStringLiteral("--out"), m_dir.filePath(QStringLiteral("damaged.csv"))});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err.count(QStringLiteral("anomaly profile")), 1);
        // The test part measures the model; it is never fitted on.
        r = run(cli::runAnomalyProfile, QStringLiteral("anomaly-profile"),
                {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), m_labelled, QStringLiteral("--split"),
                 QStringLiteral("test"), QStringLiteral("--out"), out});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("never fitted on")), qPrintable(r.err));
    }

    // A profile's threshold holds for calls made with the application's
    // protocol; a run with other trials says its queue shares are not the
    // application's, and a run with the protocol says nothing.
    void evaluateNotesAProtocolTheProfileWasNotFittedFor()
    {
        auto shipped = engine::Model::load(CYTODIFF_SOURCE_DIR "/models/cytodiff-v2-pbc8.pt");
        QVERIFY2(shipped, shipped ? "" : shipped.error().c_str());
        QVERIFY(!shipped->card().anomalyProfile.empty());
        const QString profiled = m_dir.filePath(QStringLiteral("tiny-profiled.pt"));
        QVERIFY(engine::rewriteModelCard(kTinyModel.toStdString(), profiled.toStdString(),
                                         [&](engine::ModelCard &card) -> Result<void> {
                                             card.anomalyProfile = shipped->card().anomalyProfile;
                                             return {};
                                         }));
        const QStringList base = {QStringLiteral("--model"), profiled, QStringLiteral("--data"), m_labelled,
                                  QStringLiteral("--per-class"), QStringLiteral("1")};
        auto r = run(cli::runEvaluate, QStringLiteral("evaluate"), base + QStringList{QStringLiteral("--trials-max"), QStringLiteral("16")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("error profile was fitted on calls made with other classifier settings")),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("(trials differ)")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("not the ones the application would show")), qPrintable(r.err));
        // The calls were made (the profile scored them; it is v2's, fitted
        // for these classes).
        QVERIFY2(!r.err.contains(QStringLiteral("not classified")), qPrintable(r.err));
        // Another protocol: the study scores without the profile and says so.
        r = run(cli::runEvaluate, QStringLiteral("evaluate"), base + QStringList{QStringLiteral("--protocol"), QStringLiteral("paper"),
                                                                                 QStringLiteral("--trials-max"), QStringLiteral("24")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("falls back to the engine's own anomaly score")), qPrintable(r.err));
        // The default weighting written out is the protocol itself.
        r = run(cli::runEvaluate, QStringLiteral("evaluate"), base + QStringList{QStringLiteral("--weighting"), QStringLiteral("fitted")});
        QCOMPARE(r.code, 0);
        QVERIFY2(!r.err.contains(QStringLiteral("error profile")), qPrintable(r.err));
    }

    void heatmapAndGenerateWritePngs()
    {
        const QString maps = m_dir.filePath(QStringLiteral("maps"));
        auto r = run(cli::runHeatmap, QStringLiteral("heatmap"),
                     {QStringLiteral("--model"), kTinyModel, m_labelled + QStringLiteral("/basophil/basophil_0.jpg"),
                      QStringLiteral("--out"), maps, QStringLiteral("--trials"), QStringLiteral("8")});
        QCOMPARE(r.code, 0);
        QVERIFY(QFile::exists(maps + QStringLiteral("/original.png")));
        QCOMPARE(QDir(maps).entryList({QStringLiteral("heatmap_*.png")}).size(), 8);
        QCOMPARE(QDir(maps).entryList({QStringLiteral("overlay_*.png")}).size(), 1);

        const QString generated = m_dir.filePath(QStringLiteral("gen"));
        r = run(cli::runGenerate, QStringLiteral("generate"),
                {QStringLiteral("--model"), kTinyModel, QStringLiteral("--class"), QStringLiteral("platelet"),
                 QStringLiteral("--count"), QStringLiteral("3"), QStringLiteral("--steps"), QStringLiteral("5"),
                 QStringLiteral("--out"), generated});
        QCOMPARE(r.code, 0);
        QCOMPARE(QDir(generated).entryList({QStringLiteral("platelet_*.png")}).size(), 3);
    }

    void packAndTrainFromAFolder()
    {
        const QString pack = m_dir.filePath(QStringLiteral("d.cdpack"));
        auto r = run(cli::runPack, QStringLiteral("pack"),
                     {m_labelled, QStringLiteral("--out"), pack, QStringLiteral("--resolution"), QStringLiteral("16")});
        QCOMPARE(r.code, 0);
        const QString model = m_dir.filePath(QStringLiteral("m.pt"));
        r = run(cli::runTrain, QStringLiteral("train"),
                {QStringLiteral("--data"), pack, QStringLiteral("--resolution"), QStringLiteral("16"), QStringLiteral("--out"), model,
                 QStringLiteral("--steps"), QStringLiteral("3"), QStringLiteral("--base-channels"), QStringLiteral("8"),
                 QStringLiteral("--channel-mults"), QStringLiteral("1,2"), QStringLiteral("--final-validation"), QStringLiteral("0"),
                 QStringLiteral("--validate-every"), QStringLiteral("0"), QStringLiteral("--batch"), QStringLiteral("4")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("sha256 ")));
        QVERIFY(QFile::exists(model));
    }

    void errorsHaveExitCodes()
    {
        auto r = run(cli::runClassify, QStringLiteral("classify"), {QStringLiteral("--model"), kTinyModel});
        QCOMPARE(r.code, 2); // no inputs, no --out
        r = run(cli::runClassify, QStringLiteral("classify"),
                {QStringLiteral("--model"), m_dir.filePath(QStringLiteral("missing.pt")), m_labelled, QStringLiteral("--out"),
                 m_dir.filePath(QStringLiteral("x.csv"))});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no such file")), qPrintable(r.err));
        r = run(cli::runGenerate, QStringLiteral("generate"),
                {QStringLiteral("--model"), kTinyModel, QStringLiteral("--class"), QStringLiteral("unicorn"), QStringLiteral("--out"),
                 m_dir.filePath(QStringLiteral("u"))});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("no class 'unicorn'")));
        r = run(cli::runTrain, QStringLiteral("train"), {QStringLiteral("--data"), m_labelled});
        QCOMPARE(r.code, 2);
    }
};

QTEST_GUILESS_MAIN(TestEngineCommands)
#include "test_enginecommands.moc"
