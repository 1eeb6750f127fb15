#pragma once
// What leaves the application for a case: a per-cell CSV (for the LIS and
// for analysis) and a case report PDF (differential with intervals and
// flags, flagged cells as thumbnails, model version, reviewer, sign-off).
// Identifiers (slide barcode, specimen id, file names) are written exactly
// as imported.

#include "differential.h"
#include "morphology.h"
#include "records.h"
#include "result.h"
#include "reviewpriority.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>
#include <QStringList>

#include <functional>

namespace cytodiff::ui {

struct CaseReportInput {
    db::CaseRow caseRow;
    QList<db::CellSummary> cells;
    QSet<qint64> reviewed;
    review::ReviewThresholds thresholds;
    review::ReferenceRanges ranges;
    QString generatedBy;  // who exported
    // The domain check's warning (DomainWarning::text); empty: none.
    QString domainWarning;
    // Each reviewed-and-relabelled cell's label before review
    // (review::ReviewStore::labelsBeforeReview); a cell whose label now differs was
    // changed by a reviewer. May be empty.
    QHash<qint64, QString> labelsBeforeReview;
    // Red-cell morphology and platelet estimate (review::MorphologyStore).
    review::CaseMorphology morphology;
    // Encoded image bytes of a cell (for the thumbnails); may be empty.
    std::function<QByteArray(qint64 cellId)> imageOf;
};

class CaseReport {
    Q_DECLARE_TR_FUNCTIONS(CaseReport)
public:
    static constexpr int kMaxThumbnails = 48;
    // Cells listed in the report's table of changed cells; the CSV has all.
    static constexpr int kMaxChangedRows = 200;

    static QByteArray cellCsv(const CaseReportInput &input);
    static Result<void> writeCellCsv(const QString &path, const CaseReportInput &input);
    // The report as HTML: the PDF's body followed by its footer line.
    static QString reportHtml(const CaseReportInput &input, QList<std::pair<QString, QImage>> *images = nullptr);
    // A4 pages: the body flows over as many pages as it fills, and the
    // footer (who generated it, the disclaimer, "Page i of n") is drawn at
    // the foot of every page, so no page holds only the footer.
    static Result<void> writePdf(const QString &path, const CaseReportInput &input);

    // The body text of each page writePdf prints, laid out exactly as it
    // lays it out (the footer is not part of it). Images count as "[image]".
    // movedRows: thumbnail rows moved whole to the next page.
    static QList<QStringList> pdfPageTexts(const CaseReportInput &input, int *movedRows = nullptr);
    // The footer line of every page, without the page number.
    static QString footerText(const CaseReportInput &input);

    // Reclassified: a reviewer changed the cell's class, or its final
    // class is not the model's call.
    static bool isChanged(const CaseReportInput &input, const db::CellSummary &cell);
    // "#<cell id>" and the class name elided to fit under a thumbnail.
    static QString thumbnailCaption(qint64 cellId, const QString &className);
};

} // namespace cytodiff::ui
