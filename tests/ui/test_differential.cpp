// The numbers a haematologist reads off the differential and the queue:
// Wilson intervals (users.md's worked examples), white/non-white split,
// reference-range flags, queue priority, the CSV's quoting, and the case
// report: changed cells marked, captions that fit, pages that never hold
// only the footer.

#include "casereport.h"
#include "differential.h"
#include "reviewpriority.h"

#include <QBuffer>
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
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

QByteArray pngOf(int seed)
{
    QImage image(96, 96, QImage::Format_RGB32);
    image.fill(QColor(230, 200 + seed % 40, 220));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

// A case for the report: `flagged` immature granulocytes (thumbnails) and
// `others` neutrophils, all classified and reviewed as the model said.
CaseReportInput reportCase(int flagged, int others)
{
    CaseReportInput input;
    input.caseRow.name = QStringLiteral("CASE-1");
    input.ranges = review::ReferenceRanges::defaults();
    input.generatedBy = QStringLiteral("Dr Test");
    const auto scores = [](const QString &top) {
        return QMap<QString, double>{{top, 0.9}, {QStringLiteral("monocyte"), 0.1}};
    };
    qint64 id = 1;
    for (int i = 0; i < flagged; ++i, ++id) {
        input.cells << makeCell(id, QStringLiteral("ig"), QStringLiteral("ig"), scores(QStringLiteral("ig")), -1.0);
        input.reviewed.insert(id);
    }
    for (int i = 0; i < others; ++i, ++id) {
        input.cells << makeCell(id, QStringLiteral("neutrophil"), QStringLiteral("neutrophil"),
                                scores(QStringLiteral("neutrophil")), -1.0);
        input.reviewed.insert(id);
    }
    input.imageOf = [](qint64 cellId) { return pngOf(int(cellId)); };
    return input;
}

// The cell number of a thumbnail's caption ("#12 Immature gr…", its space
// non-breaking); 0 for other lines, such as the changed-cells table's "#12".
int captionNumber(const QString &line)
{
    if (!line.startsWith(QLatin1Char('#')))
        return 0;
    qsizetype digits = 1;
    while (digits < line.size() && line.at(digits).isDigit())
        ++digits;
    return digits > 1 && digits < line.size() ? line.mid(1, digits - 1).toInt() : 0;
}

// Pages of a PDF file, from its page objects (not compressed by QPdfWriter).
int pdfPageCount(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QString text = QString::fromLatin1(file.readAll());
    return int(text.count(QRegularExpression(QStringLiteral("/Type\\s*/Page(?!s)"))));
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
        const review::WilsonInterval ci = review::wilsonInterval(k, n);
        QVERIFY2(std::fabs(ci.low * 100.0 - low) < 0.05, qPrintable(QString::number(ci.low * 100.0)));
        QVERIFY2(std::fabs(ci.high * 100.0 - high) < 0.05, qPrintable(QString::number(ci.high * 100.0)));
        QCOMPARE(review::wilsonInterval(0, 0).low, 0.0); // no cells: no information
        QCOMPARE(review::wilsonInterval(0, 0).high, 1.0);
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
        const review::Differential d = review::DifferentialCalculator::compute(cells, {}, review::ReferenceRanges::defaults());
        QCOMPARE(d.totalCells, 14);
        QCOMPARE(d.whiteCells, 10);
        QCOMPARE(d.unidentified, 1);
        const auto row = [&](const QString &id) {
            for (const review::DifferentialRow &r : d.white + d.nonWhite) {
                if (r.classId == id)
                    return r;
            }
            return review::DifferentialRow{};
        };
        QCOMPARE(row(QStringLiteral("neutrophil")).value, 80.0);
        QCOMPARE(row(QStringLiteral("neutrophil")).flag, review::RangeFlag::High);
        QCOMPARE(row(QStringLiteral("lymphocyte")).flag, review::RangeFlag::Low);
        QCOMPARE(row(QStringLiteral("basophil")).flag, review::RangeFlag::High); // 10% > 2%
        QCOMPARE(row(QStringLiteral("eosinophil")).flag, review::RangeFlag::None);
        QVERIFY(!row(QStringLiteral("platelet")).whiteCell);
        QCOMPARE(row(QStringLiteral("platelet")).value, 20.0); // per 100 WBC
        QCOMPARE(row(QStringLiteral("erythroblast")).value, 10.0);
        QVERIFY(row(QStringLiteral("neutrophil")).range.has_value());
    }

    void workingClassFollowsReview()
    {
        const db::CellSummary cell = makeCell(1, QStringLiteral("lymphocyte"), QStringLiteral("monocyte"));
        QCOMPARE(review::ReviewPriority::workingClass(cell, false), QStringLiteral("monocyte"));
        QCOMPARE(review::ReviewPriority::workingClass(cell, true), QStringLiteral("lymphocyte"));
        QCOMPARE(review::ReviewPriority::workingClass(makeCell(2, QStringLiteral("basophil")), false), QStringLiteral("basophil"));
    }

    void queueOrder()
    {
        const review::ReviewThresholds thresholds{0.5, 0.0};
        const auto scores = [](double top, double second) {
            return QMap<QString, double>{{QStringLiteral("a"), top}, {QStringLiteral("b"), second}};
        };
        const db::CellSummary anomalous = makeCell(1, {}, QStringLiteral("neutrophil"), scores(0.9, 0.1), 0.2);
        const db::CellSummary blast = makeCell(2, {}, QStringLiteral("blast"), scores(0.95, 0.05), -1.0);
        const db::CellSummary unsure = makeCell(3, {}, QStringLiteral("monocyte"), scores(0.5, 0.4), -1.0);
        const db::CellSummary lessUnsure = makeCell(4, {}, QStringLiteral("monocyte"), scores(0.6, 0.3), -1.0);
        const db::CellSummary sure = makeCell(5, {}, QStringLiteral("neutrophil"), scores(0.99, 0.01), -1.0);
        const db::CellSummary unclassified = makeCell(6, QStringLiteral("neutrophil"));
        QCOMPARE(review::ReviewPriority::group(anomalous, thresholds), review::ReviewGroup::Unidentified);
        QCOMPARE(review::ReviewPriority::group(blast, thresholds), review::ReviewGroup::Critical);
        QCOMPARE(review::ReviewPriority::group(unsure, thresholds), review::ReviewGroup::Uncertain);
        QCOMPARE(review::ReviewPriority::group(sure, thresholds), review::ReviewGroup::Confident);
        QCOMPARE(review::ReviewPriority::group(unclassified, thresholds), review::ReviewGroup::Uncertain);
        QVERIFY(review::ReviewPriority::queueLess(anomalous, blast, thresholds));
        QVERIFY(review::ReviewPriority::queueLess(blast, unclassified, thresholds));
        QVERIFY(review::ReviewPriority::queueLess(unclassified, unsure, thresholds)); // no score = least confident
        QVERIFY(review::ReviewPriority::queueLess(unsure, lessUnsure, thresholds));
        QVERIFY(!review::ReviewPriority::queueLess(lessUnsure, unsure, thresholds));
        QVERIFY(std::fabs(*review::ReviewPriority::scoreMargin(unsure) - 0.1) < 1e-12);

        // A second opinion that names another class puts a confident cell in
        // the queue, at its head after the unidentified cells: ahead of the
        // critical classes (all queued anyway) and of low confidence. One
        // that agrees changes nothing.
        db::CellSummary differs = sure;
        differs.secondOpinionClass = QStringLiteral("monocyte");
        db::CellSummary agrees = sure;
        agrees.secondOpinionClass = QStringLiteral("neutrophil");
        QCOMPARE(review::ReviewPriority::group(differs, thresholds), review::ReviewGroup::SecondOpinion);
        QCOMPARE(review::ReviewPriority::group(agrees, thresholds), review::ReviewGroup::Confident);
        QVERIFY(review::ReviewPriority::queueLess(anomalous, differs, thresholds));
        QVERIFY(review::ReviewPriority::queueLess(differs, blast, thresholds));
        QVERIFY(!review::ReviewPriority::queueLess(blast, differs, thresholds));
        QVERIFY(review::ReviewPriority::queueLess(differs, unclassified, thresholds));
        // A critical call the models disagree on is a disagreement first,
        // and still critical.
        db::CellSummary criticalDiffers = blast;
        criticalDiffers.secondOpinionClass = QStringLiteral("lymphocyte");
        QCOMPARE(review::ReviewPriority::group(criticalDiffers, thresholds), review::ReviewGroup::SecondOpinion);
        QVERIFY(review::ReviewPriority::isCritical(criticalDiffers));
        QVERIFY(review::ReviewPriority::queueLess(criticalDiffers, blast, thresholds));
        // An unseen cell type stays first even when the models disagree.
        db::CellSummary anomalousDiffers = anomalous;
        anomalousDiffers.secondOpinionClass = QStringLiteral("lymphocyte");
        QCOMPARE(review::ReviewPriority::group(anomalousDiffers, thresholds), review::ReviewGroup::Unidentified);

        // The whole order, from a shuffled list.
        QList<db::CellSummary> queue = {unsure, blast, differs, unclassified, anomalous};
        std::sort(queue.begin(), queue.end(), [&](const db::CellSummary &a, const db::CellSummary &b) {
            return review::ReviewPriority::queueLess(a, b, thresholds);
        });
        QList<qint64> order;
        for (const db::CellSummary &cell : std::as_const(queue))
            order << cell.id;
        QCOMPARE(order, QList<qint64>({anomalous.id, differs.id, blast.id, unclassified.id, unsure.id}));
    }

    void agreedConfidentCriticalCallsLeaveTheQueue()
    {
        // Issue 21: a critical call both models make with a margin of at
        // least criticalAgreedMargin is judged like any other call; anything
        // short of that keeps it in the critical group.
        const review::ReviewThresholds thresholds; // the defaults: 0.7 margin, 0.995 for critical calls
        const auto ig = [](double top, double second) {
            return QMap<QString, double>{{QStringLiteral("ig"), top}, {QStringLiteral("neutrophil"), second}};
        };
        db::CellSummary agreed = makeCell(1, {}, QStringLiteral("ig"), ig(0.998, 0.001), -1.0);
        agreed.secondOpinionClass = QStringLiteral("ig");
        QVERIFY(review::ReviewPriority::isAgreedCriticalCall(agreed, thresholds));
        QCOMPARE(review::ReviewPriority::group(agreed, thresholds), review::ReviewGroup::Confident);
        QVERIFY(review::ReviewPriority::isCritical(agreed)); // still a critical finding for the report

        db::CellSummary lessSure = agreed;
        lessSure.scores = ig(0.99, 0.005);
        QCOMPARE(review::ReviewPriority::group(lessSure, thresholds), review::ReviewGroup::Critical);
        db::CellSummary alone = agreed;
        alone.secondOpinionClass.clear();
        QCOMPARE(review::ReviewPriority::group(alone, thresholds), review::ReviewGroup::Critical);
        // The analyser's label names another class: that is a disagreement too.
        db::CellSummary labelledOtherwise = agreed;
        labelledOtherwise.labelClass = QStringLiteral("neutrophil");
        QCOMPARE(review::ReviewPriority::group(labelledOtherwise, thresholds), review::ReviewGroup::Critical);
        db::CellSummary labelledAlike = agreed;
        labelledAlike.labelClass = QStringLiteral("ig");
        QCOMPARE(review::ReviewPriority::group(labelledAlike, thresholds), review::ReviewGroup::Confident);
        // A critical label under a confident non-critical call stays queued.
        db::CellSummary criticalLabel = makeCell(2, QStringLiteral("erythroblast"), QStringLiteral("neutrophil"),
                                                 ig(0.004, 0.995), -1.0);
        criticalLabel.secondOpinionClass = QStringLiteral("neutrophil");
        QCOMPARE(review::ReviewPriority::group(criticalLabel, thresholds), review::ReviewGroup::Critical);

        // Settings: above 1 every critical call is queued; a queue-everything
        // margin still queues the agreed call, as uncertain.
        review::ReviewThresholds always = thresholds;
        always.criticalAgreedMargin = 1.01;
        QCOMPARE(review::ReviewPriority::group(agreed, always), review::ReviewGroup::Critical);
        review::ReviewThresholds everything = thresholds;
        everything.marginBelow = 1.0;
        QCOMPARE(review::ReviewPriority::group(agreed, everything), review::ReviewGroup::Uncertain);
        review::ReviewThresholds flagged = thresholds;
        flagged.reviewEveryCell = true;
        QCOMPARE(review::ReviewPriority::group(agreed, flagged), review::ReviewGroup::Uncertain);
    }

    void everyWhiteClassHasAReferenceRange()
    {
        // The field test: 5 immature granulocytes in 24 white cells (20.8%)
        // carried no range and no flag.
        QList<db::CellSummary> cells;
        qint64 id = 1;
        for (int i = 0; i < 5; ++i)
            cells << makeCell(id++, QStringLiteral("ig"));
        for (int i = 0; i < 19; ++i)
            cells << makeCell(id++, QStringLiteral("neutrophil"));
        const review::Differential d = review::DifferentialCalculator::compute(cells, {}, review::ReferenceRanges::defaults());
        for (const review::DifferentialRow &row : d.white)
            QVERIFY2(row.range.has_value(), qPrintable(row.classId));
        const auto ig = std::find_if(d.white.cbegin(), d.white.cend(),
                                     [](const review::DifferentialRow &row) { return row.classId == QLatin1String("ig"); });
        QVERIFY(ig != d.white.cend());
        QVERIFY(std::fabs(ig->value - 100.0 * 5 / 24) < 1e-9);
        QCOMPARE(ig->range->lowPercent, 0.0);
        QCOMPARE(ig->range->highPercent, 1.0);
        QCOMPARE(ig->flag, review::RangeFlag::High);

        // One blast is one too many; a few variant lymphocytes are not.
        QList<db::CellSummary> more = cells;
        more << makeCell(id, QStringLiteral("blast")) << makeCell(id + 1, QStringLiteral("variant_lymphocyte"));
        const review::Differential e = review::DifferentialCalculator::compute(more, {}, review::ReferenceRanges::defaults());
        for (const review::DifferentialRow &row : e.white) {
            if (row.classId == QLatin1String("blast"))
                QCOMPARE(row.flag, review::RangeFlag::High);
            if (row.classId == QLatin1String("variant_lymphocyte"))
                QCOMPARE(row.flag, review::RangeFlag::None); // 1 in 26 = 3.8%
            if (row.classId == QLatin1String("eosinophil"))
                QCOMPARE(row.flag, review::RangeFlag::None); // 0 within 0-8
        }
    }

    void csvKeepsIdentifiersAndDefusesFormulas()
    {
        CaseReportInput input;
        input.caseRow.name = QStringLiteral("Case, \"A\"");
        input.caseRow.slideId = QStringLiteral("=HYPERLINK(1)");
        input.caseRow.specimen = QStringLiteral("00123");
        input.caseRow.accession = QStringLiteral("+A-9");
        input.caseRow.patientId = QStringLiteral("Müller|7");
        input.cells << makeCell(7, QStringLiteral("neutrophil"), QStringLiteral("neutrophil"),
                                {{QStringLiteral("neutrophil"), 0.75}, {QStringLiteral("monocyte"), 0.25}});
        const QList<QByteArray> lines = CaseReport::cellCsv(input).trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines.at(0).endsWith("score_monocyte,score_neutrophil"));
        QVERIFY(lines.at(1).startsWith(
            QStringLiteral("\"Case, \"\"A\"\"\",'=HYPERLINK(1),00123,'+A-9,Müller|7,7,cell_7.jpg").toUtf8()));
        QVERIFY(lines.at(1).contains(",0.5,")); // score margin
        QVERIFY(lines.at(1).endsWith(",0,0.25,0.75")); // not changed, then the scores
        QVERIFY(lines.at(0).contains(",final_class,changed,"));
    }

    void reportMarksChangedCells()
    {
        CaseReportInput input = reportCase(2, 3);
        // Cell 3: the model said neutrophil, the reviewer monocyte.
        input.cells[2].labelClass = QStringLiteral("monocyte");
        // Cell 1 (ig, flagged): imported as lymphocyte, relabelled to ig by
        // the reviewer, which is also the model's call.
        input.labelsBeforeReview.insert(1, QStringLiteral("lymphocyte"));
        // Cell 4: relabelled and set back (undo): not changed.
        input.labelsBeforeReview.insert(4, QStringLiteral("neutrophil"));
        QVERIFY(CaseReport::isChanged(input, input.cells.at(0)));
        QVERIFY(!CaseReport::isChanged(input, input.cells.at(1)));
        QVERIFY(CaseReport::isChanged(input, input.cells.at(2)));
        QVERIFY(!CaseReport::isChanged(input, input.cells.at(3)));
        // Not reviewed: the report counts the model's class, so nothing
        // changed however it was imported.
        input.reviewed.remove(3);
        QVERIFY(!CaseReport::isChanged(input, input.cells.at(2)));
        input.reviewed.insert(3);

        const QString html = CaseReport::reportHtml(input);
        QVERIFY(html.contains(QStringLiteral("Changed by review (2)")));
        QVERIFY(html.contains(QStringLiteral("#3</td>")));
        QVERIFY(html.contains(QStringLiteral("(changed)")));
        QVERIFY(html.contains(QStringLiteral("2 changed by review")));
        // The flagged thumbnail of cell 1 carries the mark too; captions are
        // the cell number and class, not the file name.
        QVERIFY(html.contains(QStringLiteral(">changed</span>")));
        QVERIFY(html.contains(QStringLiteral("#1 ")));
        QVERIFY(!html.contains(QStringLiteral("cell_1.jpg")));
        const QList<QByteArray> lines = CaseReport::cellCsv(input).trimmed().split('\n');
        QCOMPARE(lines.size(), 6);
        const int changed = int(lines.first().split(',').indexOf("changed"));
        QVERIFY(changed > 0);
        QCOMPARE(lines.at(1).split(',').at(changed), QByteArray("1"));
        QCOMPARE(lines.at(2).split(',').at(changed), QByteArray("0"));
        QCOMPARE(lines.at(3).split(',').at(changed), QByteArray("1"));
    }

    // A printed demo report says on its first page and in every page's
    // footer that its cells are generated; a patient's report does not.
    void demoReportSaysItIsNoPatientResult()
    {
        CaseReportInput input = reportCase(6, 6);
        QVERIFY(!CaseReport::reportHtml(input).contains(QStringLiteral("Not a patient result")));
        QVERIFY(!CaseReport::footerText(input).contains(QStringLiteral("DEMO")));
        input.caseRow.sourcePath = QStringLiteral("synthetic:cytodiff-v2-pbc8@e1a5e8b2fa42");
        const QString html = CaseReport::reportHtml(input);
        QVERIFY(html.contains(QStringLiteral("generated by the model cytodiff-v2-pbc8@e1a5e8b2fa42")));
        QVERIFY(html.contains(QStringLiteral("Not a patient result")));
        QVERIFY(CaseReport::footerText(input).contains(QStringLiteral("DEMO: model-generated cells, not a patient result")));
        const QList<QStringList> pages = CaseReport::pdfPageTexts(input);
        QVERIFY(!pages.isEmpty());
        QVERIFY(pages.first().join(QLatin1Char(' ')).contains(QStringLiteral("Not a patient result")));
    }

    // The sweep above puts a page break inside a row of thumbnails for some
    // shift of the rows (else it tests nothing), and that row is moved.
    void thumbnailRowsAreMovedWhole()
    {
        int moved = 0;
        for (int changed = 1; changed <= 12; ++changed) {
            CaseReportInput input = reportCase(24, 20);
            for (int i = 0; i < changed; ++i)
                input.labelsBeforeReview.insert(input.cells.at(24 + i).id, QStringLiteral("monocyte"));
            int rows = 0;
            QVERIFY(!CaseReport::pdfPageTexts(input, &rows).isEmpty());
            moved += rows;
        }
        QVERIFY(moved > 0);
    }

    void thumbnailCaptionsFit()
    {
        const QString caption = CaseReport::thumbnailCaption(12345, QStringLiteral("Immature granulocyte"));
        QVERIFY(caption.startsWith(QStringLiteral("#12345 ")));
        // Elided (Qt writes three dots where the font has no ellipsis), not broken.
        QVERIFY2(caption.endsWith(QChar(0x2026)) || caption.endsWith(QStringLiteral("...")), qPrintable(caption));
        QVERIFY(caption.size() < QStringLiteral("#12345 Immature granulocyte").size());
        QCOMPARE(CaseReport::thumbnailCaption(7, QStringLiteral("Blast")), QStringLiteral("#7 Blast"));
    }

    void reportPagesNeverHoldOnlyTheFooter_data()
    {
        QTest::addColumn<int>("flagged");
        QTest::addColumn<int>("others");
        QTest::addColumn<int>("changed");
        // From one page to the report's full 48 thumbnails over two; the
        // counts in between move the end of the body across the page.
        for (int flagged : {0, 6, 18, 24, 30, 36, 42, 48})
            QTest::addRow("%d thumbnails", flagged) << flagged << 20 << 0;
        // Rows of the changed-cells table move the thumbnails down a line at
        // a time, so some row of them meets the page break.
        for (int changed = 1; changed <= 12; ++changed)
            QTest::addRow("24 thumbnails, %d changed", changed) << 24 << 20 << changed;
        // The same with the first cell's image unreadable (caption only).
        for (int changed : {4, 8})
            QTest::addRow("24 thumbnails, %d changed, first image unreadable", changed) << 24 << 20 << -changed;
    }

    void reportPagesNeverHoldOnlyTheFooter()
    {
        QFETCH(int, flagged);
        QFETCH(int, others);
        QFETCH(int, changed);
        CaseReportInput input = reportCase(flagged, others);
        if (changed < 0) {
            changed = -changed;
            input.imageOf = [](qint64 cellId) { return cellId == 1 ? QByteArray("not an image") : pngOf(int(cellId)); };
        }
        for (int i = 0; i < changed; ++i)
            input.labelsBeforeReview.insert(input.cells.at(flagged + i).id, QStringLiteral("monocyte"));
        const QList<QStringList> pages = CaseReport::pdfPageTexts(input);
        QVERIFY(!pages.isEmpty());
        for (int page = 0; page < pages.size(); ++page)
            QVERIFY2(!pages.at(page).isEmpty(), qPrintable(QStringLiteral("page %1 of %2 has no body text")
                                                               .arg(page + 1)
                                                               .arg(pages.size())));
        // A thumbnail's caption prints on its image's page: at a page break
        // it went to the top of the next page, under another thumbnail.
        const bool unreadableFirst = input.imageOf(1) == QByteArray("not an image");
        for (int page = 0; page < pages.size(); ++page) {
            const auto captions = std::count_if(pages.at(page).cbegin(), pages.at(page).cend(),
                                                [](const QString &line) { return captionNumber(line) > 0; });
            const auto images = pages.at(page).count(QStringLiteral("[image]"));
            const bool holdsFirst = std::any_of(pages.at(page).cbegin(), pages.at(page).cend(),
                                                [](const QString &line) { return captionNumber(line) == 1; });
            QCOMPARE(captions, images + (unreadableFirst && holdsFirst ? 1 : 0));
        }
        for (int page = 1; page < pages.size(); ++page)
            QVERIFY2(!pages.at(page).first().startsWith(QLatin1Char('#')) || pages.at(page - 1).last() != QStringLiteral("[image]"),
                     qPrintable(QStringLiteral("page %1 starts with the caption %2 of an image on page %3")
                                    .arg(page + 1)
                                    .arg(pages.at(page).first())
                                    .arg(page)));
        // The body's first and last lines are where they belong.
        QCOMPARE(pages.first().first(), QStringLiteral("Blood film differential"));
        if (flagged == 0)
            QCOMPARE(pages.size(), 1);
        if (flagged == CaseReport::kMaxThumbnails)
            QVERIFY(pages.size() >= 2);
        // The footer is on every page, not a paragraph of the body.
        for (const QStringList &page : pages)
            QVERIFY(!page.join(QLatin1Char(' ')).contains(QStringLiteral("Generated by CytoDiff")));
        QVERIFY(CaseReport::footerText(input).contains(QStringLiteral("Generated by CytoDiff")));
        QVERIFY(CaseReport::footerText(input).contains(QStringLiteral("CASE-1")));

        // The PDF has exactly these pages.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("report.pdf"));
        QVERIFY(CaseReport::writePdf(path, input).ok());
        QCOMPARE(pdfPageCount(path), int(pages.size()));
    }
};

QTEST_MAIN(TestDifferential)
#include "test_differential.moc"
