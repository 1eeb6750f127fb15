// The evaluation commands on tiny data: evaluate with a class map and a
// shift, evaluate-anomaly with freshly trained tiny models (one class left
// out), anomaly-profile fitted on a CNN that tells separable cells apart
// and read back by evaluate-anomaly, evaluate-shift, evaluate-efficiency
// with a few training steps, and metacognition from per-cell files and from
// a workspace. No plot renderer is installed here: the commands must still
// write JSON and markdown and say that plots were skipped.
#include "inprocesscli.h"
#include "clisupport.h"
#include "commands.h"
#include "database.h"
#include "labelledset.h"
#include "testimages.h"
#include "trainer.h"

#include <QBuffer>
#include <QDir>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff;
using cytodiff::testing::writeCellImage;

namespace {
const QString kTinyModel = QStringLiteral(CYTODIFF_SOURCE_DIR "/tests/data/tiny-pbc8.pt");
const QStringList kClasses = {QStringLiteral("basophil"), QStringLiteral("eosinophil"), QStringLiteral("neutrophil"),
                              QStringLiteral("platelet")};
const QStringList kTinyNet = {QStringLiteral("--resolution"), QStringLiteral("16"), QStringLiteral("--steps"), QStringLiteral("2"),
                              QStringLiteral("--channel-mults"), QStringLiteral("1,2"), QStringLiteral("--final-validation"),
                              QStringLiteral("0"), QStringLiteral("--validate-every"), QStringLiteral("0"),
                              QStringLiteral("--batch"), QStringLiteral("4")};

// Cells a tiny CNN tells apart within a few dozen steps: each class its own
// nucleus colour and size, the seed varying the background (so no two files
// are the same bytes).
bool writeSeparableCell(const QString &path, int classIndex, int seed)
{
    static const cv::Scalar kNucleus[] = {{200, 60, 60}, {60, 170, 60}, {60, 60, 200}, {30, 30, 30}}; // BGR
    cv::Mat image(48, 48, CV_8UC3, cv::Scalar(215 + seed % 30, 215, 225));
    cv::circle(image, cv::Point(24, 24), 6 + 4 * classIndex, kNucleus[classIndex], cv::FILLED);
    return testing::writeBytes(path, testing::encodeMat(image, ".png"));
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}
} // namespace

class TestEvaluationCommands : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    testing::InProcessCli m_cli;
    QString m_labelled; // <dir>/labelled/<class>/<image>, 12 per class

    using Output = testing::CliOutput;

    Output run(int (*command)(const QStringList &), const QString &name, QStringList args)
    {
        return m_cli.run(command, name, args);
    }

    QString trainTiny(bool baseline, const QString &exclude)
    {
        const QString model = m_dir.filePath(baseline ? QStringLiteral("b.pt") : QStringLiteral("d.pt"));
        QStringList args = {QStringLiteral("--data"), m_labelled, QStringLiteral("--out"), model,
                            QStringLiteral("--exclude-class"), exclude, QStringLiteral("--base-channels"), QStringLiteral("8")};
        args << kTinyNet;
        const auto r = run(baseline ? cli::runTrainBaseline : cli::runTrain, baseline ? QStringLiteral("train-baseline") : QStringLiteral("train"), args);
        return r.code == 0 ? model : QString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(QFile::exists(kTinyModel));
        QVERIFY(m_cli.start());
        m_labelled = m_dir.filePath(QStringLiteral("labelled"));
        int seed = 0;
        for (const QString &c : kClasses)
            for (int i = 0; i < 12; ++i)
                QVERIFY(writeCellImage(QStringLiteral("%1/%2/%2_%3.jpg").arg(m_labelled, c).arg(i), ++seed));
    }
    void evaluateWithClassMapAndShift()
    {
        // The other lab calls platelets "thrombocyte" and has a class the
        // model lacks.
        const QString other = m_dir.filePath(QStringLiteral("otherlab"));
        int seed = 500;
        for (const QString &c : {QStringLiteral("thrombocyte"), QStringLiteral("neutrophil"), QStringLiteral("smudge")})
            for (int i = 0; i < 3; ++i)
                QVERIFY(writeCellImage(QStringLiteral("%1/%2/%2_%3.jpg").arg(other, c).arg(i), ++seed));
        const QString map = m_dir.filePath(QStringLiteral("map.csv"));
        QFile file(map);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# other lab -> model\nthrombocyte,platelet\nsmudge,-\n");
        file.close();
        const QString outDir = m_dir.filePath(QStringLiteral("mapped"));
        auto r = run(cli::runEvaluate, QStringLiteral("evaluate"),
                     {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), other, QStringLiteral("--class-map"), map,
                      QStringLiteral("--shift"), QStringLiteral("stain:0.3,scale:0.8"), QStringLiteral("--trials-max"),
                      QStringLiteral("8"), QStringLiteral("--null-gain"), QStringLiteral("--out"), outDir,
                      // The estimator options classify takes are shared by every evaluate-* command.
                      QStringLiteral("--round"), QStringLiteral("4"), QStringLiteral("--p-value"), QStringLiteral("0.01"),
                      QStringLiteral("--t-min"), QStringLiteral("0.05")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("not in the model, not scored: smudge")), qPrintable(r.err));
        const auto json = readJson(outDir + QStringLiteral("/evaluation.json"));
        QCOMPARE(json.value(QStringLiteral("cells")).toInt(), 6);
        QCOMPARE(json.value(QStringLiteral("shift")).toString(), QStringLiteral("stain:0.3,scale:0.8"));
        QCOMPARE(json.value(QStringLiteral("shared_classes")).toArray().size(), 2);
        QVERIFY(json.value(QStringLiteral("recall")).toObject().contains(QStringLiteral("platelet")));
        QFile cells(outDir + QStringLiteral("/cells.csv"));
        QVERIFY(cells.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(cells.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 7);
        QCOMPARE(lines.first(), QStringLiteral("name,truth,predicted,correct,confidence,anomaly,nfe,margin,best_error,null_gain,"
                                               "second_opinion,review,review_reason,evidence,review_anomaly,error_basophil,error_eosinophil,"
                                               "error_erythroblast,"
                                               "error_ig,error_lymphocyte,error_monocyte,error_neutrophil,error_platelet"));
        // Silent errors: wrong calls the queue does not show, counted from
        // the per-cell rows exactly as the summary counts them.
        int queued = 0, silent = 0;
        for (int i = 1; i < lines.size(); ++i) {
            const bool inReview = lines.at(i).section(QLatin1Char(','), 11, 11) == QStringLiteral("yes");
            QCOMPARE(lines.at(i).section(QLatin1Char(','), 12, 12).isEmpty(), !inReview);
            queued += inReview;
            silent += !inReview && lines.at(i).section(QLatin1Char(','), 3, 3) == QStringLiteral("0");
        }
        QCOMPARE(json.value(QStringLiteral("review_queue_cells")).toInt(), queued);
        QCOMPARE(json.value(QStringLiteral("silent_errors")).toInt(), silent);
        QCOMPARE(json.value(QStringLiteral("silent_error_rate")).toDouble(), silent / 6.0);
        QVERIFY(lines.at(1).contains(QStringLiteral(",platelet,")) || lines.at(1).contains(QStringLiteral(",neutrophil,")));
        for (int i = 1; i < lines.size(); ++i) {
            bool ok = false;
            const double margin = lines.at(i).section(QLatin1Char(','), 7, 7).toDouble(&ok);
            QVERIFY2(ok && margin >= 0.0 && margin <= 1.0, qPrintable(lines.at(i)));
            lines.at(i).section(QLatin1Char(','), 9, 9).toDouble(&ok); // --null-gain: measured for every cell
            QVERIFY2(ok, qPrintable(lines.at(i)));
        }

        // Bad inputs: a malformed shift is a usage error, a broken map bad input.
        r = run(cli::runEvaluate, QStringLiteral("evaluate"),
                {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), other, QStringLiteral("--shift"), QStringLiteral("hue:1")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("stain, scale, blur, crop or jpeg")));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("thrombocyte platelet\n");
        file.close();
        r = run(cli::runEvaluate, QStringLiteral("evaluate"),
                {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), other, QStringLiteral("--class-map"), map});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("line 1")));
    }

    void metacognitionFromPerCellFile()
    {
        const QString evalDir = m_dir.filePath(QStringLiteral("eval"));
        auto r = run(cli::runEvaluate, QStringLiteral("evaluate"),
                     {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), m_labelled, QStringLiteral("--trials-max"),
                      QStringLiteral("8"), QStringLiteral("--per-class"), QStringLiteral("6"), QStringLiteral("--out"), evalDir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString outDir = m_dir.filePath(QStringLiteral("meta"));
        r = run(cli::runMetacognition, QStringLiteral("metacognition"),
                {QStringLiteral("--cells"), evalDir + QStringLiteral("/cells.csv"), QStringLiteral("--classes"), QStringLiteral("8"),
                 QStringLiteral("--out"), outDir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("plots skipped")), qPrintable(r.err));
        const auto json = readJson(outDir + QStringLiteral("/metacognition.json"));
        const auto observers = json.value(QStringLiteral("observers")).toArray();
        QCOMPARE(observers.size(), 1);
        const auto o = observers.first().toObject();
        QCOMPARE(o.value(QStringLiteral("observer")).toString(), QStringLiteral("eval"));
        QCOMPARE(o.value(QStringLiteral("cases")).toInt(), 24);
        QCOMPARE(o.value(QStringLiteral("bins")).toInt(), 12);
        QCOMPARE(o.value(QStringLiteral("review_queue")).toArray().size(), 3);
        QVERIFY(o.value(QStringLiteral("accuracy_by_decile")).toArray().size() == 10);
        QVERIFY(json.contains(QStringLiteral("plots_skipped")));
        QVERIFY(QFile::exists(outDir + QStringLiteral("/metacognition.md")));

        r = run(cli::runMetacognition, QStringLiteral("metacognition"),
                {QStringLiteral("--cells"), m_dir.filePath(QStringLiteral("missing.csv")), QStringLiteral("--out"), outDir});
        QCOMPARE(r.code, 1);
        r = run(cli::runMetacognition, QStringLiteral("metacognition"), {QStringLiteral("--out"), outDir});
        QCOMPARE(r.code, 2);
    }

    // Two models' per-cell files: each model's queue with the cells on which
    // the other's call differs first.
    void metacognitionWithASecondOpinion()
    {
        const QString a = m_dir.filePath(QStringLiteral("second/a.csv")), b = m_dir.filePath(QStringLiteral("second/b.csv"));
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("second"))));
        const auto write = [](const QString &path, const QStringList &lines) {
            QFile file(path);
            if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
                return false;
            file.write("name,truth,predicted,correct,confidence,anomaly,nfe,margin\n");
            for (const QString &line : lines)
                file.write(line.toUtf8() + "\n");
            return true;
        };
        // a: c0-c7 right with confidence 0.1-0.8; c8 and c9 wrong and the
        // most confident. b differs from a on c8 only, and has a cell a lacks.
        QStringList linesA, linesB;
        for (int i = 0; i < 10; ++i) {
            const bool right = i < 8;
            const QString predicted = right ? QStringLiteral("x") : QStringLiteral("y");
            linesA << QStringLiteral("c%1,x,%2,%3,%4,0,1,0").arg(i).arg(predicted).arg(right ? 1 : 0).arg(0.1 * (i + 1));
            const QString other = i == 8 ? QStringLiteral("x") : predicted;
            linesB << QStringLiteral("c%1,x,%2,%3,0.5,0,1,0").arg(i).arg(other).arg(other == QLatin1String("x") ? 1 : 0);
        }
        linesB << QStringLiteral("c10,x,y,0,0.1,0,1,0");
        QVERIFY(write(a, linesA) && write(b, linesB));
        const QString outDir = m_dir.filePath(QStringLiteral("second/out"));
        auto r = run(cli::runMetacognition, QStringLiteral("metacognition"),
                     {QStringLiteral("--cells"), a, QStringLiteral("--cells"), b, QStringLiteral("--classes"), QStringLiteral("2"),
                      QStringLiteral("--second-opinion"), QStringLiteral("--out"), outDir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("Review queue with a second opinion")));
        const auto json = readJson(outDir + QStringLiteral("/metacognition.json"));
        // Alone, a's queue starts with c0 (right); with b's opinion, with c8.
        const auto plain = json.value(QStringLiteral("observers")).toArray().first().toObject();
        QCOMPARE(plain.value(QStringLiteral("review_queue")).toArray().first().toObject().value(QStringLiteral("errors_found")).toInt(), 0);
        const auto rows = json.value(QStringLiteral("second_opinion_queue")).toArray();
        QCOMPARE(rows.size(), 2);
        const auto first = rows[0].toObject(), second = rows[1].toObject();
        QCOMPARE(first.value(QStringLiteral("observer")).toString(), QStringLiteral("a"));
        QCOMPARE(first.value(QStringLiteral("second_opinion")).toString(), QStringLiteral("b"));
        QCOMPARE(first.value(QStringLiteral("cells")).toInt(), 10);
        QCOMPARE(first.value(QStringLiteral("calls_differ")).toInt(), 1);
        QCOMPARE(first.value(QStringLiteral("errors")).toInt(), 2);
        QCOMPARE(first.value(QStringLiteral("errors_where_calls_differ")).toInt(), 1);
        QCOMPARE(first.value(QStringLiteral("review_queue")).toArray().first().toObject().value(QStringLiteral("errors_found")).toInt(), 1);
        QCOMPARE(second.value(QStringLiteral("cells")).toInt(), 10); // c10 has no match in a
        QCOMPARE(second.value(QStringLiteral("errors")).toInt(), 1);
        QCOMPARE(second.value(QStringLiteral("errors_where_calls_differ")).toInt(), 0);

        // It compares two models, so it needs two files.
        r = run(cli::runMetacognition, QStringLiteral("metacognition"),
                {QStringLiteral("--cells"), a, QStringLiteral("--second-opinion"), QStringLiteral("--out"), outDir});
        QCOMPARE(r.code, 2);
    }

    void metacognitionFromWorkspace()
    {
        const QString db = m_dir.filePath(QStringLiteral("ws.cytodiff"));
        QCOMPARE(run(cli::runImport, QStringLiteral("import"), {m_labelled, QStringLiteral("--db"), db}).code, 0);
        auto r = run(cli::runClassify, QStringLiteral("classify"),
                     {QStringLiteral("--model"), kTinyModel, QStringLiteral("--db"), db, QStringLiteral("--case"),
                      QStringLiteral("labelled"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("c.csv")),
                      QStringLiteral("--trials-max"), QStringLiteral("8")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        {
            auto database = db::Database::open(db);
            QVERIFY(database.ok());
            auto ada = database->addLabeller(QStringLiteral("Ada"), 12);
            QVERIFY(ada.ok());
            auto found = database->findCase(QStringLiteral("labelled"));
            QVERIFY(found.ok());
            auto cells = database->cellsOfCase(found->id);
            QVERIFY(cells.ok());
            int i = 0;
            for (const auto &cell : *cells) {
                // Right on most cells, unsure and wrong on every fourth.
                const bool wrong = i % 4 == 0;
                QVERIFY(database->addExpertLabel(cell.id, *ada, wrong ? QStringLiteral("monocyte") : cell.labelClass,
                                                 wrong ? db::LabelConfidence::Low : db::LabelConfidence::High).ok());
                // A second opinion that names the right class: it differs
                // exactly where the model is wrong.
                QVERIFY(database->insertSecondOpinion(cell.id, QStringLiteral("cnn@1"), cell.labelClass, 0.9).ok());
                ++i;
            }
        }
        const QString outDir = m_dir.filePath(QStringLiteral("wsmeta"));
        r = run(cli::runMetacognition, QStringLiteral("metacognition"),
                {QStringLiteral("--db"), db, QStringLiteral("--out"), outDir, QStringLiteral("--classes"), QStringLiteral("8")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto observers = readJson(outDir + QStringLiteral("/metacognition.json")).value(QStringLiteral("observers")).toArray();
        // model vs model correctness, model confidence vs Ada, expert confidence vs Ada.
        QCOMPARE(observers.size(), 3);
        // With those cells first, the queue meets every model error as early
        // as the errors' count allows.
        const auto model = observers.at(0).toObject();
        const int modelErrors = model.value(QStringLiteral("errors")).toInt();
        const auto withSecond = model.value(QStringLiteral("review_queue_second_opinion_first")).toArray();
        QCOMPARE(withSecond.size(), 3);
        for (const auto &share : withSecond) {
            const auto q = share.toObject();
            QCOMPARE(q.value(QStringLiteral("errors_found")).toInt(),
                     std::min(modelErrors, q.value(QStringLiteral("reviewed")).toInt()));
        }
        QVERIFY(!observers.at(1).toObject().contains(QStringLiteral("review_queue_second_opinion_first")));
        const auto expert = observers.at(2).toObject();
        QCOMPARE(expert.value(QStringLiteral("observer")).toString(), QStringLiteral("Ada"));
        QCOMPARE(expert.value(QStringLiteral("signal")).toString(), QStringLiteral("expert confidence"));
        QCOMPARE(expert.value(QStringLiteral("cases")).toInt(), 48);
        QCOMPARE(expert.value(QStringLiteral("accuracy")).toDouble(), 0.75);
        // Ada's errors are exactly her low-confidence calls: all in the
        // first quarter of the queue, the first 20% holds 10 of 12 (+ ties).
        const auto queue = expert.value(QStringLiteral("review_queue")).toArray();
        QCOMPARE(queue.at(2).toObject().value(QStringLiteral("errors_found")).toInt(), 10);
        QCOMPARE(expert.value(QStringLiteral("error_detection_auc")).toDouble(), 1.0);
    }

    void anomalyWithModelsTrainedWithoutAClass()
    {
        const QString diffusion = trainTiny(false, QStringLiteral("platelet"));
        QVERIFY(!diffusion.isEmpty());
        const QString baseline = trainTiny(true, QStringLiteral("platelet"));
        QVERIFY(!baseline.isEmpty());
        const QString outDir = m_dir.filePath(QStringLiteral("anomaly"));
        auto r = run(cli::runEvaluateAnomaly, QStringLiteral("evaluate-anomaly"),
                     {QStringLiteral("--model"), diffusion, QStringLiteral("--baseline"), baseline, QStringLiteral("--data"), m_labelled,
                      QStringLiteral("--exclude-class"), QStringLiteral("platelet"), QStringLiteral("--split"), QStringLiteral("all"),
                      QStringLiteral("--per-class"), QStringLiteral("4"), QStringLiteral("--abnormal"), QStringLiteral("5"),
                      QStringLiteral("--trials-max"), QStringLiteral("8"), QStringLiteral("--out"), outDir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto json = readJson(outDir + QStringLiteral("/anomaly.json"));
        const auto models = json.value(QStringLiteral("models")).toArray();
        QCOMPARE(models.size(), 2);
        for (const auto &m : models) {
            const auto o = m.toObject();
            QCOMPARE(o.value(QStringLiteral("normal_cells")).toInt(), 12);
            QCOMPARE(o.value(QStringLiteral("abnormal_cells")).toInt(), 5);
            const double auc = o.value(QStringLiteral("auc_confidence")).toDouble(-1);
            QVERIFY(auc >= 0 && auc <= 1);
            // What the queue does with the left-out cells; no error profile
            // in these cards, so no AUC of it.
            for (const char *key : {"abnormal_queued", "abnormal_unidentified", "normal_queued", "normal_unidentified"}) {
                const double share = o.value(QLatin1String(key)).toDouble(-1);
                QVERIFY2(share >= 0 && share <= 1, key);
            }
            QVERIFY(o.value(QStringLiteral("abnormal_unidentified")).toDouble() <= o.value(QStringLiteral("abnormal_queued")).toDouble());
            QVERIFY(!o.contains(QStringLiteral("auc_profile")));
        }
        QCOMPARE(models.at(1).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("baseline"));
        // The class gain over the null class: diffusion only.
        const double gainAuc = models.at(0).toObject().value(QStringLiteral("auc_null_gain")).toDouble(-1);
        QVERIFY2(gainAuc >= 0 && gainAuc <= 1, qPrintable(QString::number(gainAuc)));
        QVERIFY(!models.at(1).toObject().contains(QStringLiteral("auc_null_gain")));
        // So is the paired evidence (the CNN has no trials).
        const double evidenceAuc = models.at(0).toObject().value(QStringLiteral("auc_evidence")).toDouble(-1);
        QVERIFY2(evidenceAuc >= 0 && evidenceAuc <= 1, qPrintable(QString::number(evidenceAuc)));
        QVERIFY(!models.at(1).toObject().contains(QStringLiteral("auc_evidence")));
        const auto nullGainColumn = [](const QString &path) {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
                return QStringList();
            QStringList values;
            for (const auto &line : QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                values.append(line.section(QLatin1Char(','), 9, 9)); // null_gain
            return values;
        };
        const auto diffusionGains = nullGainColumn(outDir + QStringLiteral("/cells_diffusion.csv"));
        QCOMPARE(diffusionGains.size(), 1 + 12 + 5);
        QCOMPARE(diffusionGains.first(), QStringLiteral("null_gain"));
        for (int i = 1; i < diffusionGains.size(); ++i) {
            bool ok = false;
            diffusionGains[i].toDouble(&ok);
            QVERIFY2(ok, qPrintable(diffusionGains[i]));
        }
        const auto baselineGains = nullGainColumn(outDir + QStringLiteral("/cells_baseline.csv"));
        QCOMPARE(baselineGains.size(), 1 + 12 + 5);
        QVERIFY(baselineGains.mid(1).join(QString()).isEmpty());
        QVERIFY(r.out.contains(QStringLiteral("AUC confidence")));
        QVERIFY(r.out.contains(QStringLiteral("AUC class gain")));

        r = run(cli::runEvaluateAnomaly, QStringLiteral("evaluate-anomaly"),
                {QStringLiteral("--model"), diffusion, QStringLiteral("--data"), m_labelled, QStringLiteral("--exclude-class"),
                 QStringLiteral("platelet"), QStringLiteral("--abnormal-split"), QStringLiteral("later"),
                 QStringLiteral("--out"), outDir});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("--abnormal-split")));

        // A model that knows the class is refused with a reason.
        r = run(cli::runEvaluateAnomaly, QStringLiteral("evaluate-anomaly"),
                {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), m_labelled, QStringLiteral("--exclude-class"),
                 QStringLiteral("platelet"), QStringLiteral("--out"), outDir});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("--exclude-class platelet")));

        // A pack of another resolution than the model reads: every cell is
        // skipped with its reason, and no report of nothing is written.
        const QString pack = m_dir.filePath(QStringLiteral("labelled24.cdpack"));
        QCOMPARE(run(cli::runPack, QStringLiteral("pack"),
                     {m_labelled, QStringLiteral("--out"), pack, QStringLiteral("--resolution"), QStringLiteral("24")})
                     .code,
                 0);
        const QString emptyDir = m_dir.filePath(QStringLiteral("anomaly-none"));
        r = run(cli::runEvaluateAnomaly, QStringLiteral("evaluate-anomaly"),
                {QStringLiteral("--model"), diffusion, QStringLiteral("--data"), pack, QStringLiteral("--exclude-class"),
                 QStringLiteral("platelet"), QStringLiteral("--split"), QStringLiteral("all"), QStringLiteral("--trials-max"),
                 QStringLiteral("8"), QStringLiteral("--out"), emptyDir});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("--resolution 16")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("classified none")), qPrintable(r.err));
        QVERIFY(!QFile::exists(emptyDir + QStringLiteral("/anomaly.json")));
    }

    // The success path of anomaly-profile: a CNN that tells its three
    // classes apart gets a profile in its card, and evaluate-anomaly then
    // scores the left-out class with it (a CNN's class errors are its
    // negated logits, so the same command serves both kinds).
    void anomalyProfileFitsAndTheStudyScoresWithIt()
    {
        const QString data = m_dir.filePath(QStringLiteral("separable"));
        for (int c = 0; c < kClasses.size(); ++c)
            for (int i = 0; i < 14; ++i)
                QVERIFY(writeSeparableCell(QStringLiteral("%1/%2/%2_%3.png").arg(data, kClasses[c]).arg(i), c, i));
        const QString cnn = m_dir.filePath(QStringLiteral("separable-cnn.pt"));
        QStringList train = {QStringLiteral("--data"), data, QStringLiteral("--out"), cnn, QStringLiteral("--exclude-class"),
                             QStringLiteral("platelet"), QStringLiteral("--base-channels"), QStringLiteral("8"),
                             QStringLiteral("--no-augment"), QStringLiteral("--threads"), QStringLiteral("1")};
        train << kTinyNet;
        train[train.indexOf(QStringLiteral("--steps")) + 1] = QStringLiteral("60");
        auto r = run(cli::runTrainBaseline, QStringLiteral("train-baseline"), train);
        QVERIFY2(r.code == 0, qPrintable(r.err));

        // A domain reference whose unidentified share was counted without
        // the profile: the profiled copy must not judge cases by it.
        QVERIFY(engine::rewriteModelCard(cnn.toStdString(), cnn.toStdString(), [](engine::ModelCard &card) -> Result<void> {
            card.domainReference = R"({"format":1,"images":42,"crop_size":0,"cell_found_share":1,"features":)"
                                   R"({"nucleus_diameter":{"p01":20,"p50":30,"p99":40}},"effort_cells":12,)"
                                   R"("effort_mean":30,"unidentified_share":0.1})";
            return {};
        }));
        const QString profiled = m_dir.filePath(QStringLiteral("separable-cnn-profiled.pt"));
        r = run(cli::runAnomalyProfile, QStringLiteral("anomaly-profile"),
                {QStringLiteral("--model"), cnn, QStringLiteral("--data"), data, QStringLiteral("--split"), QStringLiteral("all"),
                 QStringLiteral("--folds"), QStringLiteral("2"), QStringLiteral("--threads"), QStringLiteral("1"),
                 QStringLiteral("--out"), profiled});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        // The left-out class is never fitted on: 3 x 14 cells.
        QVERIFY2(r.out.contains(QStringLiteral("error profile fitted on 42 all cells of 3 classes")), qPrintable(r.out));
        int called = 0;
        for (const QString &c : kClasses.mid(0, 3)) {
            const QRegularExpression line(QStringLiteral("called %1: (\\d+) cells").arg(c));
            const auto match = line.match(r.out);
            QVERIFY2(match.hasMatch(), qPrintable(r.out));
            QVERIFY(match.captured(1).toInt() >= 10);
            called += match.captured(1).toInt();
        }
        QCOMPARE(called, 42);
        auto model = engine::Model::load(profiled.toStdString());
        QVERIFY(model);
        QVERIFY(!model->card().anomalyProfile.empty());
        QVERIFY2(r.out.contains(QStringLiteral("unidentified share was counted with the old score")), qPrintable(r.out));
        const auto reference = QJsonDocument::fromJson(QByteArray::fromStdString(model->card().domainReference)).object();
        QCOMPARE(reference.value(QStringLiteral("images")).toInt(), 42);
        QCOMPARE(reference.value(QStringLiteral("effort_mean")).toDouble(), 30.0);
        QCOMPARE(reference.value(QStringLiteral("unidentified_share")).toDouble(), -1.0);
        QVERIFY(engine::Model::load(cnn.toStdString())->card().anomalyProfile.empty()); // --out is a copy

        const QString outDir = m_dir.filePath(QStringLiteral("anomaly-profiled"));
        r = run(cli::runEvaluateAnomaly, QStringLiteral("evaluate-anomaly"),
                {QStringLiteral("--model"), profiled, QStringLiteral("--data"), data, QStringLiteral("--exclude-class"),
                 QStringLiteral("platelet"), QStringLiteral("--split"), QStringLiteral("all"), QStringLiteral("--out"), outDir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto result = readJson(outDir + QStringLiteral("/anomaly.json"))
                                .value(QStringLiteral("models")).toArray().at(0).toObject();
        QCOMPARE(result.value(QStringLiteral("normal_cells")).toInt(), 42);
        QCOMPARE(result.value(QStringLiteral("abnormal_cells")).toInt(), 14);
        const double auc = result.value(QStringLiteral("auc_profile")).toDouble(-1);
        QVERIFY2(auc >= 0 && auc <= 1, qPrintable(QString::number(auc)));
        qInfo("error-profile AUC %.3f, left-out queued %.3f (unidentified %.3f), normal unidentified %.3f", auc,
              result.value(QStringLiteral("abnormal_queued")).toDouble(), result.value(QStringLiteral("abnormal_unidentified")).toDouble(),
              result.value(QStringLiteral("normal_unidentified")).toDouble());
        QVERIFY(r.out.contains(QStringLiteral("| %1 |").arg(auc, 0, 'f', 3)));
        // The profile was fitted on these very normal cells: in-sample.
        QVERIFY2(r.err.contains(QStringLiteral("their scores are in-sample")), qPrintable(r.err));
        // A black disc twice any trained one's size is far from every class's
        // calls: the profile must say so, and the queue must show it as
        // Unidentified far more often than a normal cell (1.000, 1.000 and
        // 0.000 here with GCC 12).
        QVERIFY2(auc >= 0.9, qPrintable(QString::number(auc)));
        QVERIFY(result.value(QStringLiteral("abnormal_unidentified")).toDouble()
                > result.value(QStringLiteral("normal_unidentified")).toDouble() + 0.5);
    }

    void shiftLadder()
    {
        const QString outDir = m_dir.filePath(QStringLiteral("shift"));
        auto r = run(cli::runEvaluateShift, QStringLiteral("evaluate-shift"),
                     {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), m_labelled, QStringLiteral("--split"),
                      QStringLiteral("all"), QStringLiteral("--per-class"), QStringLiteral("2"), QStringLiteral("--kind"),
                      QStringLiteral("scale"), QStringLiteral("--levels"), QStringLiteral("1,0.7"), QStringLiteral("--trials-max"),
                      QStringLiteral("8"), QStringLiteral("--out"), outDir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto json = readJson(outDir + QStringLiteral("/shift.json"));
        QCOMPARE(json.value(QStringLiteral("levels")).toArray().size(), 2);
        // One model, measured without and with the case normalisation.
        const auto tracks = json.value(QStringLiteral("models")).toArray();
        QCOMPARE(tracks.size(), 2);
        QVERIFY(!tracks.at(0).toObject().value(QStringLiteral("normalised")).toBool());
        QVERIFY(tracks.at(1).toObject().value(QStringLiteral("normalised")).toBool());
        QCOMPARE(tracks.at(1).toObject().value(QStringLiteral("normalisation")).toArray().size(), 2);
        QCOMPARE(tracks.at(1).toObject().value(QStringLiteral("flagged")).toArray().size(), 2);
        const auto model = tracks.first().toObject();
        QCOMPARE(model.value(QStringLiteral("cells")).toInt(), 8);
        QCOMPARE(model.value(QStringLiteral("balanced_accuracy")).toArray().size(), 2);
        // Per level: the silent error rate can never exceed the error rate.
        const auto silent = model.value(QStringLiteral("silent_error_rate")).toArray();
        const auto accuracies = model.value(QStringLiteral("accuracy")).toArray();
        QCOMPARE(silent.size(), 2);
        QCOMPARE(model.value(QStringLiteral("review_queue_share")).toArray().size(), 2);
        for (qsizetype i = 0; i < silent.size(); ++i)
            QVERIFY(silent.at(i).toDouble() <= 1.0 - accuracies.at(i).toDouble() + 1e-12);
        r = run(cli::runEvaluateShift, QStringLiteral("evaluate-shift"),
                {QStringLiteral("--model"), kTinyModel, QStringLiteral("--data"), m_labelled, QStringLiteral("--levels"),
                 QStringLiteral("0,9"), QStringLiteral("--out"), outDir});
        QCOMPARE(r.code, 2);
    }

    void efficiencyWithATinyBudget()
    {
        const QString outDir = m_dir.filePath(QStringLiteral("efficiency"));
        const QStringList args = {QStringLiteral("--data"), m_labelled, QStringLiteral("--per-class"), QStringLiteral("2,4"),
                      QStringLiteral("--repeats"), QStringLiteral("2"), QStringLiteral("--steps"), QStringLiteral("2"),
                      QStringLiteral("--baseline-too"), QStringLiteral("--resolution"), QStringLiteral("16"),
                      QStringLiteral("--base-channels"), QStringLiteral("8"), QStringLiteral("--channel-mults"), QStringLiteral("1,2"),
                      QStringLiteral("--baseline-channels"), QStringLiteral("8"), QStringLiteral("--baseline-mults"), QStringLiteral("1,2"),
                      QStringLiteral("--batch"), QStringLiteral("4"), QStringLiteral("--validation-cells"), QStringLiteral("0"),
                      QStringLiteral("--test-per-class"), QStringLiteral("2"), QStringLiteral("--trials-max"), QStringLiteral("8"),
                      QStringLiteral("--out"), outDir};
        auto r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto json = readJson(outDir + QStringLiteral("/efficiency.json"));
        QCOMPARE(json.value(QStringLiteral("budget_unit")).toString(), QStringLiteral("steps"));
        const auto sizes = json.value(QStringLiteral("sizes")).toArray();
        QCOMPARE(sizes.size(), 2);
        const auto first = sizes.first().toObject();
        QCOMPARE(first.value(QStringLiteral("per_class")).toInt(), 2);
        QCOMPARE(first.value(QStringLiteral("budget")).toDouble(), 2.0);
        QCOMPARE(first.value(QStringLiteral("diffusion")).toObject().value(QStringLiteral("balanced_accuracy")).toArray().size(), 2);
        QVERIFY(first.contains(QStringLiteral("baseline")));
        QVERIFY(QFile::exists(outDir + QStringLiteral("/models/diffusion_n4_r1.pt")));
        QVERIFY(r.out.contains(QStringLiteral("| 4 | 2 |")));

        const auto accuracies = [&outDir] {
            return readJson(outDir + QStringLiteral("/efficiency.json")).value(QStringLiteral("sizes")).toArray()
                .first().toObject().value(QStringLiteral("diffusion")).toObject().value(QStringLiteral("balanced_accuracy"));
        };
        const QJsonValue measured = accuracies();
        // Every model's result is recorded next to it, with what it was
        // trained and measured on.
        const auto result = readJson(outDir + QStringLiteral("/results/diffusion_n2_r0.json"));
        QCOMPARE(result.value(QStringLiteral("balanced_accuracy")), measured.toArray().first());
        QCOMPARE(result.value(QStringLiteral("identity")).toObject().value(QStringLiteral("budget")).toDouble(), 2.0);
        const QString measurement = result.value(QStringLiteral("identity")).toObject().value(QStringLiteral("measurement")).toString();
        QVERIFY2(measurement.contains(QStringLiteral(" test cells of ")) && measurement.contains(QStringLiteral("trials 8-8"))
                     && measurement.contains(QStringLiteral("fitted weighting")),
                 qPrintable(measurement));
        QCOMPARE(result.value(QStringLiteral("model_sha256")).toString().size(), 64);

        // --resume reuses every recorded result of the same experiment: no
        // model is trained or measured again.
        const QString model = outDir + QStringLiteral("/models/diffusion_n4_r1.pt");
        const QDateTime written = QFileInfo(model).lastModified();
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args + QStringList{QStringLiteral("--resume")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.err.count(QStringLiteral("reusing the recorded result of ")), 8);
        QVERIFY(!r.err.contains(QStringLiteral("training ")));
        QCOMPARE(QFileInfo(model).lastModified(), written);
        QCOMPARE(accuracies(), measured);
        // The results are what a session commits; the models need not be
        // kept for the study to go on.
        QVERIFY(QDir(outDir + QStringLiteral("/models")).removeRecursively());
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args + QStringList{QStringLiteral("--resume")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.err.count(QStringLiteral("reusing the recorded result of ")), 8);
        QVERIFY(!r.err.contains(QStringLiteral("training ")));
        QCOMPARE(accuracies(), measured);
        // Mid-way through a study, the results recorded so far make the
        // table; nothing is trained or measured.
        QVERIFY(QFile::remove(outDir + QStringLiteral("/results/diffusion_n4_r1.json")));
        QVERIFY(QFile::remove(outDir + QStringLiteral("/results/baseline_n4_r0.json")));
        QVERIFY(QFile::remove(outDir + QStringLiteral("/results/baseline_n4_r1.json")));
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args + QStringList{QStringLiteral("--recorded-only")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.err.count(QStringLiteral("reusing the recorded result of ")), 5);
        QCOMPARE(r.err.count(QStringLiteral("no recorded result of ")), 3);
        QVERIFY(!r.err.contains(QStringLiteral("training ")));
        QVERIFY2(r.out.contains(QStringLiteral("(1 of 2) | – (0 of 2) |")), qPrintable(r.out));
        QVERIFY(!QFile::exists(outDir + QStringLiteral("/models")) || QDir(outDir + QStringLiteral("/models")).isEmpty());
        // One process can take the baselines of a study while another
        // trains its diffusion models.
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"),
                args + QStringList{QStringLiteral("--baseline-only"), QStringLiteral("--resume")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.err.count(QStringLiteral("reusing the recorded result of baseline_n2")), 2);
        QCOMPARE(r.err.count(QStringLiteral("training baseline_n4")), 2);
        QVERIFY(!r.err.contains(QStringLiteral("diffusion_")));
        QVERIFY2(r.out.contains(QStringLiteral("| cells per class | budget | baseline |\n")), qPrintable(r.out));
        // Without the results, models trained on the same cells with the
        // same budget are reused and measured again to the same numbers.
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonValue retrained = accuracies();
        QVERIFY(QDir(outDir + QStringLiteral("/results")).removeRecursively());
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args + QStringList{QStringLiteral("--resume")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.err.count(QStringLiteral("reusing diffusion_n")), 4);
        QVERIFY(!r.err.contains(QStringLiteral("recorded result")));
        QVERIFY(!r.err.contains(QStringLiteral("training ")));
        QCOMPARE(accuracies(), retrained);
        // A result measured with another estimator is not this experiment's:
        // the model is kept but measured again.
        QStringList moreTests = args;
        moreTests[moreTests.indexOf(QStringLiteral("--trials-max")) + 1] = QStringLiteral("6");
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), moreTests + QStringList{QStringLiteral("--resume")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!r.err.contains(QStringLiteral("recorded result")));
        QCOMPARE(r.err.count(QStringLiteral("reusing diffusion_n")), 4);
        QVERIFY(!r.err.contains(QStringLiteral("training ")));
        // A model trained again since its result was recorded is measured.
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QFile::copy(outDir + QStringLiteral("/models/diffusion_n4_r0.pt"), m_dir.filePath(QStringLiteral("n4r0.pt"))));
        QVERIFY(QFile::remove(model));
        QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("n4r0.pt")), model));
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args + QStringList{QStringLiteral("--resume")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.err.count(QStringLiteral("reusing the recorded result of ")), 7);
        QVERIFY(r.err.contains(QStringLiteral("not reusing diffusion_n4_r1: it was trained with other training cells")));
        // A damaged result file is no result.
        QFile damaged(outDir + QStringLiteral("/results/diffusion_n2_r0.json"));
        QVERIFY(damaged.open(QIODevice::WriteOnly | QIODevice::Truncate));
        damaged.write("{\"identity\": 3");
        damaged.close();
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args + QStringList{QStringLiteral("--recorded-only")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("no recorded result of diffusion_n2_r0 yet")));
        QCOMPARE(r.err.count(QStringLiteral("reusing the recorded result of ")), 7);
        // Another budget is another study: its models are trained afresh.
        QStringList longer = args;
        longer[longer.indexOf(QStringLiteral("--steps")) + 1] = QStringLiteral("3");
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), longer + QStringList{QStringLiteral("--resume")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.err.count(QStringLiteral("not reusing ")), 8);
        QVERIFY(r.err.contains(QStringLiteral("trained with another budget")));
        QCOMPARE(r.err.count(QStringLiteral("training ")), 8);
        // So are other optimiser settings: the card records them.
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"),
                longer + QStringList{QStringLiteral("--resume"), QStringLiteral("--lr"), QStringLiteral("2e-3")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.err.count(QStringLiteral("trained with another learning rate or batch size")), 8);

        // The budget list must match the sizes.
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"),
                {QStringLiteral("--data"), m_labelled, QStringLiteral("--per-class"), QStringLiteral("2,4"), QStringLiteral("--steps"),
                 QStringLiteral("1,2,3"), QStringLiteral("--out"), outDir});
        QCOMPARE(r.code, 2);
    }

    // A session that stops mid-model leaves a checkpoint; --resume goes on
    // from it instead of training that model again, and trains afresh when
    // the checkpoint is unusable.
    void efficiencyResumesAStoppedModel()
    {
        const QString outDir = m_dir.filePath(QStringLiteral("efficiency-stopped"));
        const QString checkpoint = outDir + QStringLiteral("/models/diffusion_n2_r0.pt.ckpt");
        const QString model = outDir + QStringLiteral("/models/diffusion_n2_r0.pt");
        QVERIFY(QDir().mkpath(outDir + QStringLiteral("/models")));
        // What the study would train for repeat 0 of 2 cells per class (seed
        // 0), stopped after 2 of its 4 steps.
        auto data = dataset::loadTrainingData(m_labelled, 16, 288, {}, nullptr);
        QVERIFY(data.ok());
        engine::TrainOptions train;
        train.outPath = m_dir.filePath(QStringLiteral("stopped.pt")).toStdString();
        train.checkpointPath = checkpoint.toStdString();
        train.steps = 4;
        train.seed = 1;
        train.batchSize = 4;
        train.validateEverySeconds = 0;
        train.finalValidationCells = 0;
        train.network.resolution = 16;
        train.network.baseChannels = 8;
        train.network.channelMults = {1, 2};
        train.network.resBlocks = 1;
        const auto stopAfterTwoSteps = [&] {
            int calls = 0;
            const auto stopped = engine::trainDiffusion(dataset::efficiencySubset(*data, 2, 0, 0), train, {},
                                                        [&calls] { return ++calls > 2; });
            return !stopped.ok() && QFile::exists(checkpoint);
        };
        QVERIFY(stopAfterTwoSteps());

        const QStringList args = {QStringLiteral("--data"), m_labelled, QStringLiteral("--per-class"), QStringLiteral("2"),
                      QStringLiteral("--repeats"), QStringLiteral("1"), QStringLiteral("--steps"), QStringLiteral("4"),
                      QStringLiteral("--resolution"), QStringLiteral("16"), QStringLiteral("--base-channels"), QStringLiteral("8"),
                      QStringLiteral("--channel-mults"), QStringLiteral("1,2"), QStringLiteral("--batch"), QStringLiteral("4"),
                      QStringLiteral("--validation-cells"), QStringLiteral("0"), QStringLiteral("--test-per-class"),
                      QStringLiteral("2"), QStringLiteral("--trials-max"), QStringLiteral("8"), QStringLiteral("--out"),
                      outDir, QStringLiteral("--resume")};
        auto r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("resuming diffusion_n2_r0 from its checkpoint")), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QStringLiteral("from the start")), qPrintable(r.err));
        auto resumed = engine::Model::load(model.toStdString());
        QVERIFY(resumed.ok());
        QCOMPARE(resumed->card().trainSteps, std::int64_t(4));
        QCOMPARE(resumed->card().batchSize, 4);
        QCOMPARE(resumed->card().learningRate, 1e-3);
        QVERIFY(!QFile::exists(checkpoint));

        // A damaged checkpoint: the model is trained from the start (its
        // recorded result gone too, or that would be reused).
        const QString result = outDir + QStringLiteral("/results/diffusion_n2_r0.json");
        QVERIFY(QFile::remove(model));
        QVERIFY(QFile::remove(result));
        QFile damaged(checkpoint);
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("not a checkpoint");
        damaged.close();
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("not resuming diffusion_n2_r0: ")), qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("training diffusion_n2_r0 from the start")));
        QVERIFY(QFile::exists(model));
        QVERIFY(!QFile::exists(checkpoint));

        // A checkpoint of other settings would make the card wrong about
        // its first steps: trained from the start too.
        QVERIFY(QFile::remove(model));
        QVERIFY(QFile::remove(result));
        train.learningRate = 2e-3;
        QVERIFY(stopAfterTwoSteps());
        r = run(cli::runEvaluateEfficiency, QStringLiteral("evaluate-efficiency"), args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("another learning rate or batch size")), qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("training diffusion_n2_r0 from the start")));
        QCOMPARE(engine::Model::load(model.toStdString())->card().learningRate, 1e-3);
    }
};

QTEST_GUILESS_MAIN(TestEvaluationCommands)
#include "test_evaluationcommands.moc"
