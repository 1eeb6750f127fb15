#pragma once
// What leaves the application for a case: a per-cell CSV (for the LIS and
// for analysis) and a case report PDF (differential with intervals and
// flags, flagged cells as thumbnails, model version, reviewer, sign-off).
// Identifiers (slide barcode, specimen id, file names) are written exactly
// as imported.

#include "differential.h"
#include "records.h"
#include "result.h"
#include "reviewpriority.h"

#include <QCoreApplication>
#include <QSet>

#include <functional>

namespace cytodiff::ui {

struct CaseReportInput {
    db::CaseRow caseRow;
    QList<db::CellSummary> cells;
    QSet<qint64> reviewed;
    ReviewThresholds thresholds;
    ReferenceRanges ranges;
    QString generatedBy;  // who exported
    // Encoded image bytes of a cell (for the thumbnails); may be empty.
    std::function<QByteArray(qint64 cellId)> imageOf;
};

class CaseReport {
    Q_DECLARE_TR_FUNCTIONS(CaseReport)
public:
    static constexpr int kMaxThumbnails = 48;

    static QByteArray cellCsv(const CaseReportInput &input);
    static Result<void> writeCellCsv(const QString &path, const CaseReportInput &input);
    // The report as HTML (what the PDF is printed from).
    static QString reportHtml(const CaseReportInput &input, QList<std::pair<QString, QImage>> *images = nullptr);
    static Result<void> writePdf(const QString &path, const CaseReportInput &input);
};

} // namespace cytodiff::ui
