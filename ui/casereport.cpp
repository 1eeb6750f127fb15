#include "casereport.h"

#include "cellclassnames.h"
#include "csvfield.h"
#include "thumbnailloader.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QUrl>

#include <algorithm>

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

QString groupName(ReviewGroup group)
{
    switch (group) {
    case ReviewGroup::Unidentified:
        return QStringLiteral("unidentified");
    case ReviewGroup::Critical:
        return QStringLiteral("critical");
    case ReviewGroup::SecondOpinion:
        return QStringLiteral("second_opinion_differs");
    case ReviewGroup::Uncertain:
        return QStringLiteral("low_confidence");
    case ReviewGroup::Confident:
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
                          QStringLiteral("cell_id"), QStringLiteral("file"), QStringLiteral("source_path"),
                          QStringLiteral("export_code"), QStringLiteral("label_class"),
                          QStringLiteral("predicted_class"), QStringLiteral("model_id"),
                          QStringLiteral("confidence_gap"), QStringLiteral("score_margin"), QStringLiteral("anomaly"),
                          QStringLiteral("nfe"), QStringLiteral("review_reason"), QStringLiteral("reviewed"),
                          QStringLiteral("final_class")};
    for (const QString &id : std::as_const(scoreClasses))
        header << QStringLiteral("score_") + id;
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const db::CellSummary &cell : input.cells) {
        const bool reviewed = input.reviewed.contains(cell.id);
        QStringList row = {csvField(input.caseRow.name), csvField(input.caseRow.slideId),
                           csvField(input.caseRow.specimen), QString::number(cell.id), csvField(cell.originalName),
                           csvField(cell.sourcePath), csvField(cell.rawCode), csvField(cell.labelClass),
                           csvField(cell.hasPrediction ? cell.predictedClass : QString()),
                           csvField(cell.hasPrediction ? cell.modelId : QString()), number(cell.confidence),
                           number(ReviewPriority::scoreMargin(cell)), number(cell.anomaly),
                           cell.hasPrediction ? QString::number(cell.nfe) : QString(),
                           groupName(ReviewPriority::group(cell, input.thresholds)),
                           reviewed ? QStringLiteral("1") : QStringLiteral("0"),
                           csvField(ReviewPriority::workingClass(cell, reviewed))};
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

QString CaseReport::reportHtml(const CaseReportInput &input, QList<std::pair<QString, QImage>> *images)
{
    const db::CaseRow &row = input.caseRow;
    const Differential d = DifferentialCalculator::compute(input.cells, input.reviewed, input.ranges);
    QStringList models;
    int reviewed = 0;
    for (const db::CellSummary &cell : input.cells) {
        if (cell.hasPrediction && !models.contains(cell.modelId))
            models << cell.modelId;
        reviewed += input.reviewed.contains(cell.id) ? 1 : 0;
    }
    QString html;
    html += QStringLiteral("<html><body style=\"font-family: sans-serif; font-size: 9pt;\">");
    html += QStringLiteral("<h2 style=\"margin-bottom: 2px;\">%1</h2>").arg(tr("Blood film differential"));
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"2\">");
    const auto fact = [&html](const QString &name, const QString &value) {
        html += QStringLiteral("<tr><td style=\"color: #555;\">%1</td><td><b>%2</b></td></tr>").arg(esc(name), esc(value));
    };
    fact(tr("Case"), row.name);
    fact(tr("Slide"), row.slideId.isEmpty() ? tr("—") : row.slideId);
    fact(tr("Specimen"), row.specimen.isEmpty() ? tr("—") : row.specimen);
    fact(tr("Imported"), QLocale().toString(row.importedAt.toLocalTime(), QLocale::LongFormat));
    fact(tr("Status"), row.isSigned() ? tr("Signed by %1 on %2")
                                            .arg(row.signedBy, QLocale().toString(row.signedAt.toLocalTime(),
                                                                                  QLocale::LongFormat))
                                      : tr("Not signed (preliminary)"));
    fact(tr("Cells"), tr("%1 imported, %2 reviewed").arg(QLocale().toString(d.totalCells), QLocale().toString(reviewed)));
    fact(tr("Model"), models.isEmpty() ? tr("not classified") : models.join(QStringLiteral(", ")));
    html += QStringLiteral("</table>");

    html += QStringLiteral("<h3>%1</h3>").arg(tr("White cells (%1 counted)").arg(QLocale().toString(d.whiteCells)));
    html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" style=\"border-color: #999;\">");
    html += QStringLiteral("<tr style=\"background: #eee;\"><th align=\"left\">%1</th><th>%2</th><th>%3</th><th>%4</th>"
                           "<th>%5</th><th>%6</th></tr>")
                .arg(tr("Class"), tr("Count"), tr("% of WBC"), tr("95% CI"), tr("Reference"), tr("Flag"));
    for (const DifferentialRow &r : d.white) {
        const QString range = r.range ? QStringLiteral("%1–%2").arg(QLocale().toString(r.range->lowPercent),
                                                                    QLocale().toString(r.range->highPercent))
                                      : tr("—");
        const QString flag = DifferentialCalculator::flagText(r.flag);
        html += QStringLiteral("<tr><td>%1</td><td align=\"right\">%2</td><td align=\"right\">%3</td>"
                               "<td align=\"right\">%4–%5</td><td align=\"right\">%6</td>"
                               "<td><b style=\"color: #b00020;\">%7</b></td></tr>")
                    .arg(esc(CellClassNames::displayName(r.classId)), QLocale().toString(r.count), pct(r.value),
                         pct(r.interval.low), pct(r.interval.high), range, esc(flag));
    }
    html += QStringLiteral("</table>");
    html += QStringLiteral("<p style=\"color: #555;\">%1</p>")
                .arg(esc(tr("Reference ranges: %1. Intervals: Wilson score, 95%.").arg(input.ranges.source)));
    if (!d.nonWhite.isEmpty() || d.unidentified > 0) {
        html += QStringLiteral("<h3>%1</h3><table border=\"1\" cellspacing=\"0\" cellpadding=\"3\">")
                    .arg(tr("Not counted in the differential"));
        html += QStringLiteral("<tr style=\"background: #eee;\"><th align=\"left\">%1</th><th>%2</th><th>%3</th></tr>")
                    .arg(tr("Class"), tr("Count"), tr("Per 100 WBC"));
        for (const DifferentialRow &r : d.nonWhite)
            html += QStringLiteral("<tr><td>%1</td><td align=\"right\">%2</td><td align=\"right\">%3</td></tr>")
                        .arg(esc(CellClassNames::displayName(r.classId)), QLocale().toString(r.count), pct(r.value));
        if (d.unidentified > 0)
            html += QStringLiteral("<tr><td>%1</td><td align=\"right\">%2</td><td></td></tr>")
                        .arg(tr("Unidentified"), QLocale().toString(d.unidentified));
        html += QStringLiteral("</table>");
    }

    // Flagged cells: unidentified and critical classes, as the reviewer
    // left them, with their thumbnails.
    QList<const db::CellSummary *> flagged;
    for (const db::CellSummary &cell : input.cells) {
        const ReviewGroup group = ReviewPriority::group(cell, input.thresholds);
        const QString working = ReviewPriority::workingClass(cell, input.reviewed.contains(cell.id));
        if (group == ReviewGroup::Unidentified || ReviewPriority::isCriticalClass(working) || working.isEmpty())
            flagged << &cell;
    }
    if (!flagged.isEmpty()) {
        html += QStringLiteral("<h3>%1</h3><table cellspacing=\"4\"><tr>")
                    .arg(tr("Flagged cells (%1)").arg(QLocale().toString(flagged.size())));
        int shown = 0;
        for (const db::CellSummary *cell : std::as_const(flagged)) {
            if (shown == kMaxThumbnails)
                break;
            const QString working = ReviewPriority::workingClass(*cell, input.reviewed.contains(cell->id));
            const QString url = QStringLiteral("cell://%1").arg(cell->id);
            QString error;
            const QImage image = (images && input.imageOf) ? ThumbnailLoader::decode(input.imageOf(cell->id), 160, &error)
                                                           : QImage();
            if (!image.isNull())
                images->append({url, image});
            if (shown > 0 && shown % 6 == 0)
                html += QStringLiteral("</tr><tr>");
            html += QStringLiteral("<td align=\"center\" valign=\"top\">%1<br/>%2<br/><span style=\"color: #555;\">%3</span></td>")
                        .arg(image.isNull() ? QString() : QStringLiteral("<img src=\"%1\" width=\"80\" height=\"80\"/>").arg(url),
                             esc(working.isEmpty() ? tr("Unidentified") : CellClassNames::displayName(working)),
                             esc(cell->originalName));
            ++shown;
        }
        html += QStringLiteral("</tr></table>");
        if (flagged.size() > kMaxThumbnails)
            html += QStringLiteral("<p>%1</p>").arg(tr("%1 more flagged cells are listed in the per-cell CSV.")
                                                        .arg(flagged.size() - kMaxThumbnails));
    }
    html += QStringLiteral("<p style=\"color: #777; margin-top: 12px;\">%1</p>")
                .arg(esc(tr("Generated by CytoDiff %1 for %2 on %3. Research software: results must be verified by a "
                            "qualified reviewer.")
                             .arg(QCoreApplication::applicationVersion(), input.generatedBy,
                                  QLocale().toString(QDateTime::currentDateTime(), QLocale::LongFormat))));
    html += QStringLiteral("</body></html>");
    return html;
}

Result<void> CaseReport::writePdf(const QString &path, const CaseReportInput &input)
{
    QList<std::pair<QString, QImage>> images;
    const QString html = reportHtml(input, &images);
    QTextDocument document;
    for (const auto &[url, image] : std::as_const(images))
        document.addResource(QTextDocument::ImageResource, QUrl(url), image);
    document.setHtml(html);

    {
        QFile probe(path);
        if (!probe.open(QIODevice::WriteOnly))
            return makeError(tr("Cannot write %1: %2").arg(path, probe.errorString()).toStdString());
    }
    {
        // The writer finishes the file when painting ends.
        QPdfWriter writer(path);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        writer.setResolution(300);
        writer.setTitle(tr("Differential %1").arg(input.caseRow.name));
        writer.setCreator(QStringLiteral("CytoDiff"));
        document.print(&writer);
    }
    if (QFileInfo(path).size() == 0)
        return makeError(tr("The report could not be written to %1.").arg(path).toStdString());
    return {};
}

} // namespace cytodiff::ui
