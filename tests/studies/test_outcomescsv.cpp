// evaluate's per-cell file read back by metacognition: a cell name with a
// comma or a quote (a file name from another laboratory) survives the round
// trip as one field instead of shifting every column after it.
#include "evaluationrun.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cytodiff::studies;

class TestOutcomesCsv : public QObject {
    Q_OBJECT
private slots:
    void namesWithSeparatorsRoundTrip()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("cells.csv"));
        std::vector<CellOutcome> outcomes(3);
        outcomes[0].name = QStringLiteral("slide 7, cell 12.jpg");
        outcomes[0].truth = QStringLiteral("neutrophil");
        outcomes[0].truthIndex = 1;
        outcomes[0].predicted = 1;
        outcomes[0].confidence = 0.75;
        outcomes[1].name = QStringLiteral("the \"odd\" one.png");
        outcomes[1].truth = QStringLiteral("lymphocyte");
        outcomes[1].truthIndex = 0;
        outcomes[1].predicted = 1;
        outcomes[1].confidence = 0.5;
        outcomes[1].inReview = true;
        outcomes[1].reviewReason = QStringLiteral("uncertain");
        outcomes[2].name = QStringLiteral("plain.png");
        outcomes[2].truth = QStringLiteral("lymphocyte");
        outcomes[2].truthIndex = 0;
        outcomes[2].predicted = 0;
        outcomes[2].confidence = 0.25;
        QVERIFY(writeOutcomesCsv(path, outcomes, {"lymphocyte", "neutrophil"}));

        const auto rows = readOutcomesCsv(path);
        QVERIFY2(rows.ok(), rows ? "" : rows.error().c_str());
        QCOMPARE(rows->size(), std::size_t(3));
        QCOMPARE((*rows)[0].name, outcomes[0].name);
        QCOMPARE((*rows)[0].predicted, QStringLiteral("neutrophil"));
        QVERIFY((*rows)[0].correct);
        QCOMPARE((*rows)[0].confidence, 0.75);
        QCOMPARE((*rows)[1].name, outcomes[1].name);
        QVERIFY(!(*rows)[1].correct);
        QCOMPARE((*rows)[1].confidence, 0.5);
        QCOMPARE((*rows)[2].name, QStringLiteral("plain.png"));
    }

    void refusesAFileThatIsNotOurs()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("other.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("a,b\n1,2\n");
        file.close();
        const auto rows = readOutcomesCsv(path);
        QVERIFY(!rows);
        QVERIFY2(QString::fromStdString(rows.error()).contains(QStringLiteral("truth")), rows.error().c_str());
        QVERIFY(!readOutcomesCsv(dir.filePath(QStringLiteral("missing.csv"))));
    }
};

QTEST_GUILESS_MAIN(TestOutcomesCsv)
#include "test_outcomescsv.moc"
