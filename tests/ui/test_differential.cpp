// The numbers a haematologist reads off the differential and the queue:
// Wilson intervals (users.md's worked examples), white/non-white split,
// reference-range flags, queue priority, and the CSV's quoting.

#include "casereport.h"
#include "differential.h"
#include "reviewpriority.h"

#include <QTest>

#include <cmath>

using namespace cytodiff;
using namespace cytodiff::ui;

namespace {

db::CellSummary makeCell(qint64 id, const QString &label, const QString &predicted = {},
                         const QMap<QString, double> &scores = {}, std::optional<double> anomaly = std::nullopt)
{
    db::CellSummary cell;
    cell.id = id;
    cell.labelClass = label;
    cell.originalName = QStringLiteral("cell_%1.jpg").arg(id);
    if (!predicted.isEmpty()) {
        cell.hasPrediction = true;
        cell.predictedClass = predicted;
        cell.modelId = QStringLiteral("m@1");
        cell.scores = scores;
        cell.anomaly = anomaly;
    }
    return cell;
}

} // namespace

class TestDifferential : public QObject {
    Q_OBJECT

private slots:
    void wilsonMatchesTheWorkedExamples_data()
    {
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("n");
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        // users.md: 60% at 100/200/400 cells, 1 basophil in 100.
        QTest::newRow("60/100") << 60 << 100 << 50.2 << 69.1;
        QTest::newRow("120/200") << 120 << 200 << 53.1 << 66.5;
        QTest::newRow("240/400") << 240 << 400 << 55.1 << 64.7;
        QTest::newRow("1/100") << 1 << 100 << 0.2 << 5.4;
    }

    void wilsonMatchesTheWorkedExamples()
    {
        QFETCH(int, k);
        QFETCH(int, n);
        QFETCH(double, low);
        QFETCH(double, high);
        const WilsonInterval ci = wilsonInterval(k, n);
        QVERIFY2(std::fabs(ci.low * 100.0 - low) < 0.05, qPrintable(QString::number(ci.low * 100.0)));
        QVERIFY2(std::fabs(ci.high * 100.0 - high) < 0.05, qPrintable(QString::number(ci.high * 100.0)));
        QCOMPARE(wilsonInterval(0, 0).low, 0.0); // no cells: no information
        QCOMPARE(wilsonInterval(0, 0).high, 1.0);
    }

    void differentialSplitsWhiteAndOtherCells()
    {
        QList<db::CellSummary> cells;
        qint64 id = 1;
        for (int i = 0; i < 8; ++i)
            cells << makeCell(id++, QStringLiteral("neutrophil"));
        for (const char *label : {"lymphocyte", "basophil", "erythroblast", "platelet", "platelet"})
            cells << makeCell(id++, QString::fromLatin1(label));
        cells << makeCell(id++, QString()); // unidentified
        const Differential d = DifferentialCalculator::compute(cells, {}, ReferenceRanges::defaults());
        QCOMPARE(d.totalCells, 14);
        QCOMPARE(d.whiteCells, 10);
        QCOMPARE(d.unidentified, 1);
        const auto row = [&](const QString &id) {
            for (const DifferentialRow &r : d.white + d.nonWhite) {
                if (r.classId == id)
                    return r;
            }
            return DifferentialRow{};
        };
        QCOMPARE(row(QStringLiteral("neutrophil")).value, 80.0);
        QCOMPARE(row(QStringLiteral("neutrophil")).flag, RangeFlag::High);
        QCOMPARE(row(QStringLiteral("lymphocyte")).flag, RangeFlag::Low);
        QCOMPARE(row(QStringLiteral("basophil")).flag, RangeFlag::High); // 10% > 2%
        QCOMPARE(row(QStringLiteral("eosinophil")).flag, RangeFlag::None);
        QVERIFY(!row(QStringLiteral("platelet")).whiteCell);
        QCOMPARE(row(QStringLiteral("platelet")).value, 20.0); // per 100 WBC
        QCOMPARE(row(QStringLiteral("erythroblast")).value, 10.0);
        QVERIFY(row(QStringLiteral("neutrophil")).range.has_value());
    }

    void workingClassFollowsReview()
    {
        const db::CellSummary cell = makeCell(1, QStringLiteral("lymphocyte"), QStringLiteral("monocyte"));
        QCOMPARE(ReviewPriority::workingClass(cell, false), QStringLiteral("monocyte"));
        QCOMPARE(ReviewPriority::workingClass(cell, true), QStringLiteral("lymphocyte"));
        QCOMPARE(ReviewPriority::workingClass(makeCell(2, QStringLiteral("basophil")), false), QStringLiteral("basophil"));
    }

    void queueOrder()
    {
        const ReviewThresholds thresholds{0.5, 0.0};
        const auto scores = [](double top, double second) {
            return QMap<QString, double>{{QStringLiteral("a"), top}, {QStringLiteral("b"), second}};
        };
        const db::CellSummary anomalous = makeCell(1, {}, QStringLiteral("neutrophil"), scores(0.9, 0.1), 0.2);
        const db::CellSummary blast = makeCell(2, {}, QStringLiteral("blast"), scores(0.95, 0.05), -1.0);
        const db::CellSummary unsure = makeCell(3, {}, QStringLiteral("monocyte"), scores(0.5, 0.4), -1.0);
        const db::CellSummary lessUnsure = makeCell(4, {}, QStringLiteral("monocyte"), scores(0.6, 0.3), -1.0);
        const db::CellSummary sure = makeCell(5, {}, QStringLiteral("neutrophil"), scores(0.99, 0.01), -1.0);
        const db::CellSummary unclassified = makeCell(6, QStringLiteral("neutrophil"));
        QCOMPARE(ReviewPriority::group(anomalous, thresholds), ReviewGroup::Unidentified);
        QCOMPARE(ReviewPriority::group(blast, thresholds), ReviewGroup::Critical);
        QCOMPARE(ReviewPriority::group(unsure, thresholds), ReviewGroup::Uncertain);
        QCOMPARE(ReviewPriority::group(sure, thresholds), ReviewGroup::Confident);
        QCOMPARE(ReviewPriority::group(unclassified, thresholds), ReviewGroup::Uncertain);
        QVERIFY(ReviewPriority::queueLess(anomalous, blast, thresholds));
        QVERIFY(ReviewPriority::queueLess(blast, unclassified, thresholds));
        QVERIFY(ReviewPriority::queueLess(unclassified, unsure, thresholds)); // no score = least confident
        QVERIFY(ReviewPriority::queueLess(unsure, lessUnsure, thresholds));
        QVERIFY(!ReviewPriority::queueLess(lessUnsure, unsure, thresholds));
        QVERIFY(std::fabs(*ReviewPriority::scoreMargin(unsure) - 0.1) < 1e-12);

        // A second opinion that names another class puts a confident cell in
        // the queue, after the critical classes and before low confidence;
        // one that agrees changes nothing.
        db::CellSummary differs = sure;
        differs.secondOpinionClass = QStringLiteral("monocyte");
        db::CellSummary agrees = sure;
        agrees.secondOpinionClass = QStringLiteral("neutrophil");
        QCOMPARE(ReviewPriority::group(differs, thresholds), ReviewGroup::SecondOpinion);
        QCOMPARE(ReviewPriority::group(agrees, thresholds), ReviewGroup::Confident);
        QVERIFY(ReviewPriority::queueLess(blast, differs, thresholds));
        QVERIFY(ReviewPriority::queueLess(differs, unclassified, thresholds));
        db::CellSummary criticalDiffers = blast;
        criticalDiffers.secondOpinionClass = QStringLiteral("lymphocyte");
        QCOMPARE(ReviewPriority::group(criticalDiffers, thresholds), ReviewGroup::Critical);
    }

    void csvKeepsIdentifiersAndDefusesFormulas()
    {
        CaseReportInput input;
        input.caseRow.name = QStringLiteral("Case, \"A\"");
        input.caseRow.slideId = QStringLiteral("=HYPERLINK(1)");
        input.caseRow.specimen = QStringLiteral("00123");
        input.cells << makeCell(7, QStringLiteral("neutrophil"), QStringLiteral("neutrophil"),
                                {{QStringLiteral("neutrophil"), 0.75}, {QStringLiteral("monocyte"), 0.25}});
        const QList<QByteArray> lines = CaseReport::cellCsv(input).trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines.at(0).endsWith("score_monocyte,score_neutrophil"));
        QVERIFY(lines.at(1).startsWith("\"Case, \"\"A\"\"\",'=HYPERLINK(1),00123,7,cell_7.jpg"));
        QVERIFY(lines.at(1).contains(",0.5,")); // score margin
        QVERIFY(lines.at(1).endsWith(",0.25,0.75"));
    }
};

QTEST_MAIN(TestDifferential)
#include "test_differential.moc"
