// cytodiff-cli labellers / agreement / consensus / train --labels consensus /
// crossval-predict / audit on a small workspace with scripted expert labels.

#include "inprocesscli.h"
#include "clisupport.h"
#include "commands.h"
#include "database.h"
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

class TestLabellingCommands : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;
    testing::InProcessCli m_cli;

    using Output = testing::CliOutput;

    // withDb: add "--db <workspace>" (train takes the workspace as --data).
    Output run(int (*command)(const QStringList &), const QString &name, QStringList args, bool withDb = true)
    {
        if (withDb)
            args << QStringLiteral("--db") << m_db;
        return m_cli.run(command, name, args);
    }

    // Labels every cell of the workspace in one session per labeller.
    void labelAll(db::Database &database, qint64 labeller, const QList<qint64> &cells, const QList<qint64> &common,
                  const std::function<QString(int)> &answer)
    {
        db::NewLabellingSession session{QStringLiteral("s"), labeller, db::SessionKind::Label,
                                        {QStringLiteral("lymphocyte"), QStringLiteral("neutrophil")}, cells, common};
        auto id = database.createLabellingSession(session);
        QVERIFY(id.ok());
        for (int i = 0; i < cells.size(); ++i)
            QVERIFY(database.answerCurrentCell(*id, answer(i), db::LabelConfidence::High).ok());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_cli.start());
        m_db = m_dir.filePath(QStringLiteral("ws.cytodiff"));
        const QString folder = m_dir.filePath(QStringLiteral("Slide"));
        for (int i = 0; i < 12; ++i)
            QVERIFY(writeCellImage(folder + (i < 6 ? QStringLiteral("/neutrophil/SNE_%1.png") : QStringLiteral("/lymphocyte/LY_%1.png")).arg(i), i + 1));
        QCOMPARE(run(cli::runImport, QStringLiteral("import"), {folder}).code, 0);
    }

    void labellersAreAddedAndListed()
    {
        auto r = run(cli::runLabellers, QStringLiteral("labellers"), {});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("No labellers yet")));
        for (const auto &[name, years] : {std::pair{"Anna", "20"}, {"Ben", "5"}, {"Cara", "10"}, {"Dan", "2"}})
            QCOMPARE(run(cli::runLabellers, QStringLiteral("labellers"),
                         {QStringLiteral("--add"), QString::fromLatin1(name), QStringLiteral("--years"), QString::fromLatin1(years)})
                         .code,
                     0);
        r = run(cli::runLabellers, QStringLiteral("labellers"), {QStringLiteral("--add"), QStringLiteral("X"),
                                                                QStringLiteral("--years"), QStringLiteral("-3")});
        QCOMPARE(r.code, 2);
        r = run(cli::runLabellers, QStringLiteral("labellers"), {});
        QVERIFY(r.out.contains(QStringLiteral("Anna")));
        QVERIFY(r.out.contains(QStringLiteral("Dan")));
        QVERIFY(!r.out.contains(QStringLiteral(" X ")));
    }

    void agreementAndConsensus()
    {
        {
            auto database = db::Database::open(m_db);
            QVERIFY(database.ok());
            auto cases = database->listCases();
            const QList<qint64> cells = *database->cellIdsOfCase(cases->first().id);
            QCOMPARE(cells.size(), 12);
            QHash<qint64, QString> truth;
            for (qint64 id : cells)
                truth.insert(id, database->cell(id)->labelClass);
            const QList<qint64> common = cells.mid(0, 4);
            QHash<QString, qint64> ids;
            const auto labellers = database->listLabellers();
            for (const auto &l : *labellers)
                ids.insert(l.name, l.id);
            const qint64 anna = ids.value(QStringLiteral("Anna"));
            const qint64 ben = ids.value(QStringLiteral("Ben"));
            labelAll(*database, anna, cells, common, [&](int i) { return truth.value(cells[i]); });
            // Ben calls the first two neutrophils lymphocytes.
            int flipped = 0;
            labelAll(*database, ben, cells, common, [&](int i) {
                const QString t = truth.value(cells[i]);
                if (t == QStringLiteral("neutrophil") && flipped < 2) {
                    ++flipped;
                    return QStringLiteral("lymphocyte");
                }
                return t;
            });
        }
        // Anna: 6 N, 6 L; Ben: 4 N, 8 L; agree on 10 of 12 -> po = 5/6;
        // pe = (6/12)(4/12) + (6/12)(8/12) = 1/2; kappa = (5/6 - 1/2) / (1/2) = 2/3.
        const QString out = m_dir.filePath(QStringLiteral("agreement"));
        auto r = run(cli::runAgreement, QStringLiteral("agreement"), {QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("| Anna | Ben | 12 | 0.833 | 0.500 | 0.667 |")), qPrintable(r.out));
        QFile json(QDir(out).filePath(QStringLiteral("agreement.json")));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(root.value(QStringLiteral("fleiss")).toObject().value(QStringLiteral("cells")).toInt(), 12);
        QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("agreement.md"))));
        r = run(cli::runAgreement, QStringLiteral("agreement"), {QStringLiteral("--common-only")});
        QVERIFY(r.out.contains(QStringLiteral("Scope: common subset. 4 cells")));

        // iMRMC input for one class against the rest (issue 24 item 4).
        const QString imrmc = m_dir.filePath(QStringLiteral("neutrophil.imrmc"));
        r = run(cli::runAgreement, QStringLiteral("agreement"),
                {QStringLiteral("--imrmc"), imrmc, QStringLiteral("--class"), QStringLiteral("neutrophil")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile mrmc(imrmc);
        QVERIFY(mrmc.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(mrmc.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(rows.contains(QStringLiteral("NR: 2")));
        QVERIFY(rows.contains(QStringLiteral("N0: 6")));
        QVERIFY(rows.contains(QStringLiteral("N1: 6")));
        const qsizetype begin = rows.indexOf(QStringLiteral("BEGIN DATA:"));
        QCOMPARE(rows.size() - begin - 1, 12 + 24); // truth rows, then both labellers' 12 answers
        int annaPositive = 0, benPositive = 0;
        for (qsizetype i = begin + 1 + 12; i < rows.size(); ++i) {
            const QStringList f = rows[i].split(QLatin1Char(','));
            QCOMPARE(f.size(), 4);
            QCOMPARE(f[2], QStringLiteral("expert"));
            (f[0] == QLatin1String("Anna") ? annaPositive : benPositive) += f[3].toInt() > 0 ? 1 : 0;
        }
        QCOMPARE(annaPositive, 6);
        QCOMPARE(benPositive, 4);
        QCOMPARE(run(cli::runAgreement, QStringLiteral("agreement"), {QStringLiteral("--imrmc"), imrmc}).code, 2);

        // The two split cells tie 1-1 and go to Anna (20 years): the truth.
        const QString csv = m_dir.filePath(QStringLiteral("consensus.csv"));
        r = run(cli::runConsensus, QStringLiteral("consensus"), {QStringLiteral("--csv"), csv});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 13);
        int ties = 0, neutrophils = 0;
        for (const QString &line : lines.mid(1)) {
            const QStringList f = line.split(QLatin1Char(','));
            ties += f.at(7) == QStringLiteral("1");
            neutrophils += f.at(3) == QStringLiteral("neutrophil");
        }
        QCOMPARE(ties, 2);
        QCOMPARE(neutrophils, 6);
        QCOMPARE(run(cli::runConsensus, QStringLiteral("consensus"), {}).code, 2);
    }

    void trainOnConsensusLabels()
    {
        const QString model = m_dir.filePath(QStringLiteral("consensus.pt"));
        auto r = run(cli::runTrain, QStringLiteral("train"),
                     {QStringLiteral("--data"), m_db, QStringLiteral("--labels"), QStringLiteral("consensus"),
                      QStringLiteral("--resolution"), QStringLiteral("16"), QStringLiteral("--out"), model,
                      QStringLiteral("--steps"), QStringLiteral("2"), QStringLiteral("--base-channels"), QStringLiteral("8"),
                      QStringLiteral("--channel-mults"), QStringLiteral("1,2"), QStringLiteral("--final-validation"),
                      QStringLiteral("0"), QStringLiteral("--validate-every"), QStringLiteral("0"), QStringLiteral("--batch"),
                      QStringLiteral("4")},
                false);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("loaded 12 images of 2 classes")));
        QVERIFY(QFile::exists(model));
        r = run(cli::runTrain, QStringLiteral("train"),
                {QStringLiteral("--data"), m_db, QStringLiteral("--labels"), QStringLiteral("votes"), QStringLiteral("--out"),
                 model, QStringLiteral("--steps"), QStringLiteral("1")},
                false);
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("--labels takes")));
    }

    void crossvalPredictionsFeedTheAudit()
    {
        auto r = run(cli::runAudit, QStringLiteral("audit"), {QStringLiteral("queue")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("crossval-predict")));
        r = run(cli::runCrossvalPredict, QStringLiteral("crossval-predict"),
                {QStringLiteral("--folds"), QStringLiteral("2"), QStringLiteral("--steps"), QStringLiteral("2"),
                 QStringLiteral("--resolution"), QStringLiteral("16"), QStringLiteral("--base-channels"), QStringLiteral("8"),
                 QStringLiteral("--channel-mults"), QStringLiteral("1,2"), QStringLiteral("--batch"), QStringLiteral("4"),
                 QStringLiteral("--trials-max"), QStringLiteral("2")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // 12 labelled cells, the 4 common ones always train: 8 predictions.
        QVERIFY2(r.out.contains(QStringLiteral("stored 8 cross-validated predictions (2 folds")), qPrintable(r.out));

        qint64 forced = 0;
        int expectedQueued = 0;
        {
            auto database = db::Database::open(m_db);
            auto predictions = database->latestPredictionsByModelPrefix(QStringLiteral("crossval:"));
            QCOMPARE(predictions->size(), 8);
            for (const auto &p : *predictions)
                QVERIFY(p.modelId.contains(QStringLiteral(":fold1of2:")) || p.modelId.contains(QStringLiteral(":fold2of2:")));
            // Make sure at least one disagrees, whatever the 2-step models say.
            forced = predictions->first().cellId;
            const QString consensus = database->cell(forced)->labelClass; // equals the consensus here
            const QString wrong = consensus == QStringLiteral("neutrophil") ? QStringLiteral("lymphocyte")
                                                                           : QStringLiteral("neutrophil");
            QVERIFY(database->insertPrediction(forced, QStringLiteral("crossval:manual:fold1of2"), wrong, 0.5, 0.0, {}, 1).ok());
            const auto latest = database->latestPredictionsByModelPrefix(QStringLiteral("crossval:"));
            for (const auto &p : *latest)
                expectedQueued += p.predictedClass != database->cell(p.cellId)->labelClass;
        }
        QVERIFY(expectedQueued >= 1);
        r = run(cli::runAudit, QStringLiteral("audit"), {QStringLiteral("queue")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("8 cells compared, %1 agree, %2 queued (2 audit sessions)")
                                    .arg(8 - expectedQueued)
                                    .arg(expectedQueued)),
                 qPrintable(r.out));
        {
            // Cara and Dan review: both confirm the consensus.
            auto database = db::Database::open(m_db);
            const auto sessions = database->listLabellingSessions();
            for (const auto &session : *sessions) {
                if (session.kind != db::SessionKind::Audit)
                    continue;
                QVERIFY(session.labellerName == QStringLiteral("Cara") || session.labellerName == QStringLiteral("Dan"));
                const auto cells = database->sessionCells(session.id);
                for (const auto &cell : *cells)
                    QVERIFY(database->answerCurrentCell(session.id, database->cell(cell.cellId)->labelClass,
                                                        db::LabelConfidence::Moderate).ok());
            }
        }
        r = run(cli::runAudit, QStringLiteral("audit"), {QStringLiteral("resolve")});
        QVERIFY2(r.out.contains(QStringLiteral("%1 resolved, 0 changed the consensus, 0 waiting").arg(expectedQueued)),
                 qPrintable(r.out));
        r = run(cli::runAudit, QStringLiteral("audit"), {QStringLiteral("list")});
        QVERIFY(r.out.contains(QStringLiteral(",resolved,")));
        QCOMPARE(run(cli::runAudit, QStringLiteral("audit"), {QStringLiteral("bogus")}).code, 2);
    }
};

QTEST_GUILESS_MAIN(TestLabellingCommands)
#include "test_labellingcommands.moc"
