#include "casereport.h"

#include "morphologypanel.h"

#include "cellclassnames.h"
#include "csvfield.h"
#include "thumbnailloader.h"

#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QImage>
#include <QLocale>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextLayout>
#include <QTextTable>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace cytodiff::ui {

namespace {

// The report is read in spreadsheets: formulas are escaped.
QString csvField(const QString &text)
{
    return db::csvField(text, db::CsvFormulas::Escape);
}

QString number(std::optional<double> value, int digits = 6)
{
    return value ? QString::number(*value, 'g', digits) : QString();
}

QString groupName(review::ReviewGroup group)
{
    switch (group) {
    case review::ReviewGroup::Unidentified:
        return QStringLiteral("unidentified");
    case review::ReviewGroup::Critical:
        return QStringLiteral("critical");
    case review::ReviewGroup::SecondOpinion:
        return QStringLiteral("second_opinion_differs");
    case review::ReviewGroup::Uncertain:
        return QStringLiteral("low_confidence");
    case review::ReviewGroup::Confident:
        break;
    }
    return QStringLiteral("none");
}

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString pct(double value)
{
    return QLocale().toString(value, 'f', 1);
}

QString className(const QString &classId)
{
    return classId.isEmpty() ? CaseReport::tr("Unidentified") : CellClassNames::displayName(classId);
}

constexpr int kThumbnailsPerRow = 6;
// A thumbnail's column on A4 (180 mm of text width over 6 columns, less
// the cell spacing), and its caption's size.
constexpr qreal kCaptionWidthMm = 26.0;
constexpr qreal kCaptionPointSize = 7.5;
constexpr qreal kFooterPointSize = 7.5;
constexpr qreal kFooterGapMm = 4.0;
constexpr qreal kPageMarginMm = 15.0;
constexpr int kPdfResolution = 300;
constexpr qreal kMmPerInch = 25.4;

void setUpWriter(QPdfWriter &writer)
{
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(kPageMarginMm, kPageMarginMm, kPageMarginMm, kPageMarginMm),
                          QPageLayout::Millimeter);
    writer.setResolution(kPdfResolution);
}

QFont footerFont(const QTextDocument &document)
{
    QFont font = document.defaultFont();
    font.setPointSizeF(kFooterPointSize);
    return font;
}

// The report's body laid out on the writer's pages, each less the band the
// footer is drawn in.
struct LaidOutReport {
    qreal width = 0.0;      // device pixels
    qreal pageHeight = 0.0; // body height of one page, device pixels
    qreal footerBand = 0.0;
    int pages = 1;          // pages that hold body content
    int movedRows = 0;      // thumbnail rows moved whole to the next page
};

QString visibleText(QString text)
{
    return text.replace(QChar::ObjectReplacementCharacter, QStringLiteral("[image]")).trimmed();
}

// Calls visit(page, text) for every line of body text, in document order
// (blocks inside tables included).
template <typename Visit>
void forEachLine(const QTextDocument &document, qreal pageHeight, Visit visit)
{
    const QAbstractTextDocumentLayout *layout = document.documentLayout();
    for (QTextBlock block = document.begin(); block.isValid(); block = block.next()) {
        const QTextLayout *lines = block.layout();
        if (!lines || visibleText(block.text()).isEmpty())
            continue;
        // Line positions are relative to the block's layout, which the
        // bounding rectangle places on the (paginated) document.
        const qreal origin = layout->blockBoundingRect(block).top() - lines->boundingRect().top();
        for (int i = 0; i < lines->lineCount(); ++i) {
            const QTextLine line = lines->lineAt(i);
            const QString text = visibleText(block.text().mid(line.textStart(), line.textLength()));
            if (!text.isEmpty())
                visit(int((origin + line.y() + line.height() / 2.0) / pageHeight), text);
        }
    }
}

// The flagged cells' heading carries this anchor: the table after it holds
// the thumbnails.
constexpr char kFlaggedAnchor[] = "flagged-cells";

bool hasAnchor(const QTextBlock &block, const QString &name)
{
    for (auto it = block.begin(); !it.atEnd(); ++it)
        if (it.fragment().charFormat().anchorNames().contains(name))
            return true;
    return false;
}

// Moves each row of thumbnails that a page break would cut to the next
// page: Qt breaks a table cell's lines across pages (and ignores
// nonBreakableLines there), so the captions of such a row printed at the
// top of the next page, under other thumbnails. Each row is a table of its
// own (flaggedHtml), which can start a page; the first row takes its
// heading along. Returns the rows moved.
int keepThumbnailRowsWhole(QTextDocument &document, qreal pageHeight)
{
    const QAbstractTextDocumentLayout *layout = document.documentLayout();
    QTextBlock heading;
    QList<QTextTable *> rows;
    for (auto it = document.rootFrame()->begin(); !it.atEnd(); ++it) {
        if (!heading.isValid()) {
            if (!it.currentFrame() && hasAnchor(it.currentBlock(), QLatin1String(kFlaggedAnchor)))
                heading = it.currentBlock();
        } else if (auto *table = qobject_cast<QTextTable *>(it.currentFrame())) {
            rows << table;
        } else if (!it.currentFrame() && !it.currentBlock().text().isEmpty()) {
            break; // past the thumbnails
        } else if (!it.currentFrame() && !rows.isEmpty()) {
            // The empty block Qt keeps after every table: no gap between rows.
            QTextBlockFormat format = it.currentBlock().blockFormat();
            format.setLineHeight(1.0, QTextBlockFormat::FixedHeight);
            format.setTopMargin(0);
            format.setBottomMargin(0);
            QTextCursor(it.currentBlock()).setBlockFormat(format);
        }
    }
    int moved = 0;
    for (int row = 0; row < rows.size(); ++row) {
        // Queried after the rows above moved: the layout follows.
        const QRectF rect = layout->frameBoundingRect(rows.at(row));
        if (rect.isEmpty() || rect.height() > pageHeight)
            continue;
        const qreal pageBottom = (std::floor(rect.top() / pageHeight) + 1.0) * pageHeight;
        if (rect.bottom() <= pageBottom)
            continue;
        if (row == 0) {
            QTextBlockFormat format = heading.blockFormat();
            format.setPageBreakPolicy(QTextFormat::PageBreak_AlwaysBefore);
            QTextCursor(heading).setBlockFormat(format);
        } else {
            QTextTableFormat format = rows.at(row)->format();
            format.setPageBreakPolicy(QTextFormat::PageBreak_AlwaysBefore);
            rows.at(row)->setFormat(format);
        }
        ++moved;
    }
    return moved;
}

// Lays the document out for the writer. The number of pages is that of
// the last page with body text: a trailing empty block (QTextDocument
// keeps one after every table) pushed over a page break must not add a
// page that would only carry the footer.
LaidOutReport layOut(QTextDocument &document, QPdfWriter &writer)
{
    LaidOutReport laid;
    laid.width = writer.width();
    const QFontMetricsF footer(footerFont(document), &writer);
    laid.footerBand = 2.0 * footer.lineSpacing() + kFooterGapMm / kMmPerInch * writer.resolution();
    laid.pageHeight = writer.height() - laid.footerBand;
    document.setPageSize(QSizeF(laid.width, laid.pageHeight));
    laid.movedRows = keepThumbnailRowsWhole(document, laid.pageHeight);
    int last = 0;
    forEachLine(document, laid.pageHeight, [&last](int page, const QString &) { last = std::max(last, page); });
    laid.pages = last + 1;
    return laid;
}

void drawBodyPage(QPainter &painter, const QTextDocument &document, const LaidOutReport &laid, int page)
{
    painter.save();
    painter.translate(0.0, -page * laid.pageHeight);
    QAbstractTextDocumentLayout::PaintContext context;
    context.clip = QRectF(0.0, page * laid.pageHeight, laid.width, laid.pageHeight);
    // Paper is white whatever the desktop's colours.
    context.palette.setColor(QPalette::Text, Qt::black);
    painter.setClipRect(context.clip);
    document.documentLayout()->draw(&painter, context);
    painter.restore();
}

void drawFooter(QPainter &painter, const QTextDocument &document, const LaidOutReport &laid, const QString &text,
                int page)
{
    painter.save();
    painter.setFont(footerFont(document));
    const qreal gap = laid.footerBand - 2.0 * QFontMetricsF(painter.font(), painter.device()).lineSpacing();
    const QRectF band(0.0, laid.pageHeight + gap, laid.width, laid.footerBand - gap);
    painter.setPen(QPen(QColor(0xbb, 0xbb, 0xbb), 0));
    painter.drawLine(QPointF(band.left(), band.top() - gap / 3.0), QPointF(band.right(), band.top() - gap / 3.0));
    painter.setPen(QColor(0x55, 0x55, 0x55));
    const QString number = CaseReport::tr("Page %1 of %2").arg(page + 1).arg(laid.pages);
    const qreal numberWidth = QFontMetricsF(painter.font(), painter.device()).horizontalAdvance(number) * 1.5;
    painter.drawText(QRectF(band.left(), band.top(), band.width() - numberWidth, band.height()),
                     Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text);
    painter.drawText(band, Qt::AlignRight | Qt::AlignBottom, number);
    painter.restore();
}

} // namespace

QByteArray CaseReport::cellCsv(const CaseReportInput &input)
{
    QStringList scoreClasses;
    for (const db::CellSummary &cell : input.cells) {
        for (auto it = cell.scores.cbegin(); it != cell.scores.cend(); ++it) {
            if (!scoreClasses.contains(it.key()))
                scoreClasses << it.key();
        }
    }
    std::sort(scoreClasses.begin(), scoreClasses.end());
    // Column names are a data interface: not translated.
    QStringList header = {QStringLiteral("case"), QStringLiteral("slide_id"), QStringLiteral("specimen"),
                          QStringLiteral("accession"), QStringLiteral("patient_id"), QStringLiteral("cell_id"), QStringLiteral("file"), QStringLiteral("source_path"),
                          QStringLiteral("export_code"), QStringLiteral("label_class"),
                          QStringLiteral("predicted_class"), QStringLiteral("model_id"),
                          QStringLiteral("confidence_gap"), QStringLiteral("score_margin"), QStringLiteral("anomaly"),
                          QStringLiteral("nfe"), QStringLiteral("review_reason"), QStringLiteral("reviewed"),
                          QStringLiteral("final_class"), QStringLiteral("changed")};
    for (const QString &id : std::as_const(scoreClasses))
        header << QStringLiteral("score_") + id;
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const db::CellSummary &cell : input.cells) {
        const bool reviewed = input.reviewed.contains(cell.id);
        QStringList row = {csvField(input.caseRow.name), csvField(input.caseRow.slideId),
                           csvField(input.caseRow.specimen), csvField(input.caseRow.accession),
                           csvField(input.caseRow.patientId), QString::number(cell.id), csvField(cell.originalName),
                           csvField(cell.sourcePath), csvField(cell.rawCode), csvField(cell.labelClass),
                           csvField(cell.hasPrediction ? cell.predictedClass : QString()),
                           csvField(cell.hasPrediction ? cell.modelId : QString()), number(cell.confidence),
                           number(review::ReviewPriority::scoreMargin(cell)), number(cell.anomaly),
                           cell.hasPrediction ? QString::number(cell.nfe) : QString(),
                           groupName(review::ReviewPriority::group(cell, input.thresholds)),
                           reviewed ? QStringLiteral("1") : QStringLiteral("0"),
                           csvField(review::ReviewPriority::workingClass(cell, reviewed)),
                           isChanged(input, cell) ? QStringLiteral("1") : QStringLiteral("0")};
        for (const QString &id : std::as_const(scoreClasses))
            row << (cell.scores.contains(id) ? QString::number(cell.scores.value(id), 'g', 6) : QString());
        out += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out.toUtf8();
}

Result<void> CaseReport::writeCellCsv(const QString &path, const CaseReportInput &input)
{
    // QSaveFile: a failed export never leaves half a file behind.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(tr("Cannot write %1: %2").arg(path, file.errorString()).toStdString());
    file.write(cellCsv(input));
    if (!file.commit())
        return makeError(tr("Cannot write %1: %2").arg(path, file.errorString()).toStdString());
    return {};
}

bool CaseReport::isChanged(const CaseReportInput &input, const db::CellSummary &cell)
{
    if (const auto before = input.labelsBeforeReview.constFind(cell.id);
        before != input.labelsBeforeReview.cend() && *before != cell.labelClass)
        return true;
    const QString finalClass = review::ReviewPriority::workingClass(cell, input.reviewed.contains(cell.id));
    return cell.hasPrediction && finalClass != cell.predictedClass;
}

QString CaseReport::thumbnailCaption(qint64 cellId, const QString &className)
{
    // Measured at 96 dpi on an image, so the result does not depend on the
    // screen; the PDF scales both the font and the column alike.
    QImage probe(1, 1, QImage::Format_ARGB32);
    QFont font;
    font.setPointSizeF(kCaptionPointSize);
    const QFontMetricsF metrics(font, &probe);
    const qreal width = kCaptionWidthMm / kMmPerInch * probe.logicalDpiX();
    return metrics.elidedText(QStringLiteral("#%1 %2").arg(cellId).arg(className), Qt::ElideRight, width);
}

QString CaseReport::footerText(const CaseReportInput &input)
{
    // On every page: a printed page of the demo must not pass for a patient's.
    if (input.caseRow.isSynthetic())
        return tr("%1 · DEMO: model-generated cells, not a patient result · Generated by CytoDiff %2 for %3 on %4. "
                  "Research software: results must be verified by a qualified reviewer.")
            .arg(input.caseRow.name, QCoreApplication::applicationVersion(), input.generatedBy,
                 QLocale().toString(QDateTime::currentDateTime(), QLocale::LongFormat));
    return tr("%1 · Generated by CytoDiff %2 for %3 on %4. Research software: results must be verified by a "
              "qualified reviewer.")
        .arg(input.caseRow.name, QCoreApplication::applicationVersion(), input.generatedBy,
             QLocale().toString(QDateTime::currentDateTime(), QLocale::LongFormat));
}

namespace {

// Everything but the footer; the closing tags are the caller's.
// The header: title, domain warning and the case's facts.
QString headerHtml(const CaseReportInput &input, const review::Differential &d, int reviewed, int changed,
                   const QStringList &models)
{
    const db::CaseRow &row = input.caseRow;
    QString html;
    html += QStringLiteral("<html><body style=\"font-family: sans-serif; font-size: 9pt;\">");
    html += QStringLiteral("<h2 style=\"margin-bottom: 2px;\">%1</h2>").arg(CaseReport::tr("Blood film differential"));
    if (row.isSynthetic())
        html += QStringLiteral("<p style=\"background: #fff4ce; color: #5c4400; padding: 4px;\"><b>%1</b></p>")
                    .arg(esc(CaseReport::tr("Demo case: every cell was generated by the model %1; none is a patient "
                                            "image. Not a patient result.")
                                 .arg(row.generatorModel())));
    if (!input.domainWarning.isEmpty())
        html += QStringLiteral("<p style=\"background: #fde2e1; color: #7a1712; padding: 4px;\"><b>%1</b></p>")
                    .arg(esc(input.domainWarning));
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"2\">");
    const auto fact = [&html](const QString &name, const QString &value) {
        html += QStringLiteral("<tr><td style=\"color: #555;\">%1</td><td><b>%2</b></td></tr>").arg(esc(name), esc(value));
    };
    fact(CaseReport::tr("Case"), row.name);
    fact(CaseReport::tr("Accession"), row.accession.isEmpty() ? CaseReport::tr("—") : row.accession);
    fact(CaseReport::tr("Patient id"), row.patientId.isEmpty() ? CaseReport::tr("—") : row.patientId);
    fact(CaseReport::tr("Slide"), row.slideId.isEmpty() ? CaseReport::tr("—") : row.slideId);
    fact(CaseReport::tr("Specimen"), row.specimen.isEmpty() ? CaseReport::tr("—") : row.specimen);
    fact(CaseReport::tr("Imported"), QLocale().toString(row.importedAt.toLocalTime(), QLocale::LongFormat));
    fact(CaseReport::tr("Status"),
         row.isSigned() ? CaseReport::tr("Signed by %1 on %2")
                              .arg(row.signedBy, QLocale().toString(row.signedAt.toLocalTime(), QLocale::LongFormat))
                        : CaseReport::tr("Not signed (preliminary)"));
    fact(CaseReport::tr("Cells"), CaseReport::tr("%1 imported, %2 reviewed, %3 changed by review")
                                      .arg(QLocale().toString(d.totalCells), QLocale().toString(reviewed),
                                           QLocale().toString(changed)));
    fact(CaseReport::tr("Model"), models.isEmpty() ? CaseReport::tr("not classified") : models.join(QStringLiteral(", ")));
    html += QStringLiteral("</table>");

    return html;
}

// The differential: white cells with intervals, reference ranges and flags,
// then the cells not counted in it.
QString differentialHtml(const CaseReportInput &input, const review::Differential &d)
{
    QString html;
    html += QStringLiteral("<h3>%1</h3>").arg(CaseReport::tr("White cells (%1 counted)").arg(QLocale().toString(d.whiteCells)));
    html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" style=\"border-color: #999;\">");
    html += QStringLiteral("<tr style=\"background: #eee;\"><th align=\"left\">%1</th><th>%2</th><th>%3</th><th>%4</th>"
                           "<th>%5</th><th>%6</th></tr>")
                .arg(CaseReport::tr("Class"), CaseReport::tr("Count"), CaseReport::tr("% of WBC"),
                     CaseReport::tr("95% CI"), CaseReport::tr("Reference"), CaseReport::tr("Flag"));
    for (const review::DifferentialRow &r : d.white) {
        const QString range = r.range ? QStringLiteral("%1–%2").arg(QLocale().toString(r.range->lowPercent),
                                                                    QLocale().toString(r.range->highPercent))
                                      : CaseReport::tr("—");
        const QString flag = review::DifferentialCalculator::flagText(r.flag);
        html += QStringLiteral("<tr><td>%1</td><td align=\"right\">%2</td><td align=\"right\">%3</td>"
                               "<td align=\"right\">%4–%5</td><td align=\"right\">%6</td>"
                               "<td><b style=\"color: #b00020;\">%7</b></td></tr>")
                    .arg(esc(CellClassNames::displayName(r.classId)), QLocale().toString(r.count), pct(r.value),
                         pct(r.interval.low), pct(r.interval.high), range, esc(flag));
    }
    html += QStringLiteral("</table>");
    html += QStringLiteral("<p style=\"color: #555;\">%1</p>")
                .arg(esc(CaseReport::tr("Reference ranges: %1. Intervals: Wilson score, 95%.").arg(input.ranges.source)));
    if (!d.nonWhite.isEmpty() || d.unidentified > 0) {
        html += QStringLiteral("<h3>%1</h3><table border=\"1\" cellspacing=\"0\" cellpadding=\"3\">")
                    .arg(CaseReport::tr("Not counted in the differential"));
        html += QStringLiteral("<tr style=\"background: #eee;\"><th align=\"left\">%1</th><th>%2</th><th>%3</th></tr>")
                    .arg(CaseReport::tr("Class"), CaseReport::tr("Count"), CaseReport::tr("Per 100 WBC"));
        for (const review::DifferentialRow &r : d.nonWhite)
            html += QStringLiteral("<tr><td>%1</td><td align=\"right\">%2</td><td align=\"right\">%3</td></tr>")
                        .arg(esc(CellClassNames::displayName(r.classId)), QLocale().toString(r.count), pct(r.value));
        if (d.unidentified > 0)
            html += QStringLiteral("<tr><td>%1</td><td align=\"right\">%2</td><td></td></tr>")
                        .arg(CaseReport::tr("Unidentified"), QLocale().toString(d.unidentified));
        html += QStringLiteral("</table>");
    }

    return html;
}

// Reclassified cells: what the model called them and what the report
// counts them as, so a reader sees where the reviewer overruled it.
QString changedHtml(const CaseReportInput &input, const QList<const db::CellSummary *> &changed)
{
    QString html;
    html += QStringLiteral("<h3>%1</h3>").arg(CaseReport::tr("Changed by review (%1)").arg(QLocale().toString(changed.size())));
    html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" style=\"border-color: #999;\">");
    html += QStringLiteral("<tr style=\"background: #eee;\"><th align=\"left\">%1</th><th align=\"left\">%2</th>"
                           "<th align=\"left\">%3</th><th align=\"left\">%4</th></tr>")
                .arg(CaseReport::tr("Cell"), CaseReport::tr("Model's call"), CaseReport::tr("Imported as"),
                     CaseReport::tr("Final class"));
    for (int i = 0; i < changed.size() && i < CaseReport::kMaxChangedRows; ++i) {
        const db::CellSummary &cell = *changed.at(i);
        const auto before = input.labelsBeforeReview.constFind(cell.id);
        const QString imported = before != input.labelsBeforeReview.cend() ? *before : cell.labelClass;
        html += QStringLiteral("<tr><td>#%1</td><td>%2</td><td>%3</td><td><b>%4</b> %5</td></tr>")
                    .arg(cell.id)
                    .arg(esc(cell.hasPrediction ? className(cell.predictedClass) : CaseReport::tr("—")),
                         esc(className(imported)),
                         esc(className(review::ReviewPriority::workingClass(cell, input.reviewed.contains(cell.id)))),
                         esc(CaseReport::tr("(changed)")));
    }
    html += QStringLiteral("</table>");
    if (changed.size() > CaseReport::kMaxChangedRows)
        html += QStringLiteral("<p>%1</p>").arg(esc(CaseReport::tr("%1 more changed cells are listed in the per-cell CSV.")
                                                        .arg(changed.size() - CaseReport::kMaxChangedRows)));
    return html;
}

// Flagged cells: unidentified and critical classes, as the reviewer left
// them, with their thumbnails. Captions are the cell number and class,
// elided to the thumbnail's width: file names broke mid-word.
// Red cells and platelets, as recorded with the differential (part of the
// signed result).
QString morphologyHtml(const review::CaseMorphology &m)
{
    QString html = QStringLiteral("<h3>%1</h3>").arg(esc(CaseReport::tr("Red cells and platelets")));
    if (m.isEmpty())
        return html + QStringLiteral("<p>%1</p>").arg(esc(CaseReport::tr("Not recorded.")));
    QStringList lines;
    if (m.allNormal)
        lines << CaseReport::tr("Red cells: normal morphology");
    for (const review::MorphologyFeature &feature : review::morphologyFeatures())
        if (const int grade = m.grades.value(QLatin1String(feature.id)); grade > 0)
            lines << CaseReport::tr("%1 %2+").arg(MorphologyPanel::featureName(QLatin1String(feature.id))).arg(grade);
    if (m.schistocytePercent)
        lines << (*m.schistocytePercent > review::kSchistocyteReportPercent
                      ? CaseReport::tr("Schistocytes %1% of red cells (above 1%: reportable, ICSH 2015)")
                      : CaseReport::tr("Schistocytes %1% of red cells"))
                     .arg(QLocale().toString(*m.schistocytePercent, 'f', 1));
    switch (m.platelets) {
    case review::PlateletEstimate::Decreased:
        lines << CaseReport::tr("Platelet estimate: decreased");
        break;
    case review::PlateletEstimate::Adequate:
        lines << CaseReport::tr("Platelet estimate: adequate");
        break;
    case review::PlateletEstimate::Increased:
        lines << CaseReport::tr("Platelet estimate: increased");
        break;
    case review::PlateletEstimate::NotAssessed:
        break;
    }
    if (m.plateletClumps)
        lines << CaseReport::tr("Platelet clumps seen");
    if (m.wbcCount)
        lines << CaseReport::tr("White cell count (analyser): %1 × 10⁹/L").arg(QLocale().toString(*m.wbcCount, 'f', 2));
    if (!m.comment.isEmpty())
        lines << CaseReport::tr("Comment: %1").arg(m.comment);
    html += QStringLiteral("<ul>");
    for (const QString &line : std::as_const(lines))
        html += QStringLiteral("<li>%1</li>").arg(esc(line));
    return html + QStringLiteral("</ul>");
}

QString flaggedHtml(const CaseReportInput &input, QList<std::pair<QString, QImage>> *images)
{
    QString html;
    QList<const db::CellSummary *> flagged;
    for (const db::CellSummary &cell : input.cells) {
        const review::ReviewGroup group = review::ReviewPriority::group(cell, input.thresholds);
        const QString working = review::ReviewPriority::workingClass(cell, input.reviewed.contains(cell.id));
        if (group == review::ReviewGroup::Unidentified || review::ReviewPriority::isCriticalClass(working) || working.isEmpty())
            flagged << &cell;
    }
    if (!flagged.isEmpty()) {
        html += QStringLiteral("<h3><a name=\"%1\">%2</a></h3><table cellspacing=\"4\"><tr>")
                    .arg(QLatin1String(kFlaggedAnchor), CaseReport::tr("Flagged cells (%1)").arg(QLocale().toString(flagged.size())));
        int shown = 0;
        for (const db::CellSummary *cell : std::as_const(flagged)) {
            if (shown == CaseReport::kMaxThumbnails)
                break;
            const QString working = review::ReviewPriority::workingClass(*cell, input.reviewed.contains(cell->id));
            const QString url = QStringLiteral("cell://%1").arg(cell->id);
            QString error;
            const QImage image = (images && input.imageOf) ? ThumbnailLoader::decode(input.imageOf(cell->id), 160, &error)
                                                           : QImage();
            if (!image.isNull())
                images->append({url, image});
            // A table per row, so that a row can start a page (keepThumbnailRowsWhole).
            if (shown > 0 && shown % kThumbnailsPerRow == 0)
                html += QStringLiteral("</tr></table><table cellspacing=\"4\"><tr>");
            const QString mark = CaseReport::isChanged(input, *cell)
                                     ? QStringLiteral("<br/><span style=\"color: #b00020; font-size: %1pt;\">%2</span>")
                                           .arg(kCaptionPointSize)
                                           .arg(esc(CaseReport::tr("changed")))
                                     : QString();
            html += QStringLiteral("<td align=\"center\" valign=\"top\">%1<br/><span style=\"font-size: %2pt; "
                                   "white-space: nowrap;\">%3</span>%4</td>")
                        .arg(image.isNull() ? QString() : QStringLiteral("<img src=\"%1\" width=\"80\" height=\"80\"/>").arg(url))
                        .arg(kCaptionPointSize)
                        .arg(esc(CaseReport::thumbnailCaption(cell->id, className(working))), mark);
            ++shown;
        }
        html += QStringLiteral("</tr></table>");
        if (flagged.size() > CaseReport::kMaxThumbnails)
            html += QStringLiteral("<p>%1</p>").arg(CaseReport::tr("%1 more flagged cells are listed in the per-cell CSV.")
                                                        .arg(flagged.size() - CaseReport::kMaxThumbnails));
    }
    return html;
}

QString bodyHtml(const CaseReportInput &input, QList<std::pair<QString, QImage>> *images)
{
    const review::Differential d = review::DifferentialCalculator::compute(input.cells, input.reviewed, input.ranges);
    QStringList models;
    int reviewed = 0;
    QList<const db::CellSummary *> changed;
    for (const db::CellSummary &cell : input.cells) {
        if (cell.hasPrediction && !models.contains(cell.modelId))
            models << cell.modelId;
        reviewed += input.reviewed.contains(cell.id) ? 1 : 0;
        if (CaseReport::isChanged(input, cell))
            changed << &cell;
    }
    QString html = headerHtml(input, d, reviewed, int(changed.size()), models);
    html += differentialHtml(input, d);
    html += morphologyHtml(input.morphology);
    if (!changed.isEmpty())
        html += changedHtml(input, changed);
    html += flaggedHtml(input, images);
    return html;
}

// The PDF's body: the report without its footer, with its images.
void buildBody(const CaseReportInput &input, QTextDocument &document, QPdfWriter &writer)
{
    // Laid out for the writer's resolution: point sizes and HTML pixels are
    // scaled to the device, as QTextDocument::print does.
    document.documentLayout()->setPaintDevice(&writer);
    document.setDocumentMargin(0);
    QList<std::pair<QString, QImage>> images;
    const QString html = bodyHtml(input, &images) + QStringLiteral("</body></html>");
    for (const auto &[url, image] : std::as_const(images))
        document.addResource(QTextDocument::ImageResource, QUrl(url), image);
    document.setHtml(html);
}

} // namespace

QString CaseReport::reportHtml(const CaseReportInput &input, QList<std::pair<QString, QImage>> *images)
{
    return bodyHtml(input, images)
           + QStringLiteral("<p style=\"color: #777; margin-top: 12px;\">%1</p></body></html>").arg(esc(footerText(input)));
}

QList<QStringList> CaseReport::pdfPageTexts(const CaseReportInput &input, int *movedRows)
{
    QBuffer sink;
    sink.open(QIODevice::WriteOnly);
    QPdfWriter writer(&sink);
    setUpWriter(writer);
    QTextDocument document;
    buildBody(input, document, writer);
    const LaidOutReport laid = layOut(document, writer);
    QList<QStringList> pages(laid.pages);
    forEachLine(document, laid.pageHeight, [&pages](int page, const QString &text) {
        if (page >= 0 && page < pages.size())
            pages[page] << text;
    });
    if (movedRows)
        *movedRows = laid.movedRows;
    return pages;
}

Result<void> CaseReport::writePdf(const QString &path, const CaseReportInput &input)
{
    {
        QFile probe(path);
        if (!probe.open(QIODevice::WriteOnly))
            return makeError(tr("Cannot write %1: %2").arg(path, probe.errorString()).toStdString());
    }
    {
        // The writer finishes the file when painting ends.
        QPdfWriter writer(path);
        setUpWriter(writer);
        writer.setTitle(tr("Differential %1").arg(input.caseRow.name));
        writer.setCreator(QStringLiteral("CytoDiff"));
        QTextDocument document;
        buildBody(input, document, writer);
        const LaidOutReport laid = layOut(document, writer);
        const QString footer = footerText(input);
        QPainter painter;
        if (!painter.begin(&writer))
            return makeError(tr("The report could not be written to %1.").arg(path).toStdString());
        for (int page = 0; page < laid.pages; ++page) {
            if (page > 0 && !writer.newPage())
                return makeError(tr("The report could not be written to %1.").arg(path).toStdString());
            drawBodyPage(painter, document, laid, page);
            drawFooter(painter, document, laid, footer, page);
        }
        painter.end();
    }
    if (QFileInfo(path).size() == 0)
        return makeError(tr("The report could not be written to %1.").arg(path).toStdString());
    return {};
}

} // namespace cytodiff::ui
