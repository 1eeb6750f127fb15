#include "celldetailspanel.h"

#include "cellclasskeys.h"
#include "cellclassnames.h"
#include "database.h"
#include "heatmapview.h"
#include "scorebarsplot.h"
#include "thumbnailloader.h"

#include <QCryptographicHash>
#include <QFormLayout>
#include <QFrame>
#include <QLabel>
#include <QLocale>
#include <QResizeEvent>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace cytodiff::ui {

namespace {
constexpr int kShaPrefix = 16;

QLabel *makeSectionHeader(const QString &text)
{
    auto *label = new QLabel(text);
    label->setObjectName(QStringLiteral("sectionHeader"));
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

// One line, elided in the middle to the width it gets, the whole text in
// its tooltip: paths and file names have no spaces to wrap at, and would
// otherwise widen the panel past its splitter or be cut off.
class ElidedLabel : public QLabel {
public:
    void setFullText(const QString &text)
    {
        m_full = text;
        setToolTip(text);
        updateGeometry();
        elide();
    }
    QString fullText() const { return m_full; }

    QSize minimumSizeHint() const override
    {
        return {fontMetrics().averageCharWidth() * 8, QLabel::minimumSizeHint().height()};
    }
    QSize sizeHint() const override
    {
        return {fontMetrics().horizontalAdvance(m_full) + 2 * margin(), QLabel::sizeHint().height()};
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QLabel::resizeEvent(event);
        elide();
    }

private:
    void elide() { setText(fontMetrics().elidedText(m_full, Qt::ElideMiddle, contentsRect().width())); }

    QString m_full;
};

// The second best class: the natural first target of a counterfactual.
QString runnerUp(const db::CellSummary &cell)
{
    QString best, second;
    for (auto it = cell.scores.cbegin(); it != cell.scores.cend(); ++it) {
        if (best.isEmpty() || it.value() > cell.scores.value(best)) {
            second = best;
            best = it.key();
        } else if (second.isEmpty() || it.value() > cell.scores.value(second)) {
            second = it.key();
        }
    }
    return second;
}
} // namespace

CellDetailsPanel::CellDetailsPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("cellDetailsPanel"));

    auto *empty = new QLabel(tr("Select a cell in the gallery to see it here."));
    empty->setObjectName(QStringLiteral("detailsEmpty"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    empty->setForegroundRole(QPalette::PlaceholderText);

    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("detailsTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);

    m_flag = new QLabel;
    m_flag->setObjectName(QStringLiteral("detailsFlag"));
    m_flag->setWordWrap(true);
    m_flag->hide();

    m_heatmap = new HeatmapView(kImageSide);

    m_prediction = new QLabel;
    m_prediction->setObjectName(QStringLiteral("detailsPrediction"));
    m_prediction->setWordWrap(true);

    // Long rows put the value under its caption when the panel is narrow
    // (translated captions are long), instead of clipping either.
    auto *classification = new QFormLayout;
    classification->setRowWrapPolicy(QFormLayout::WrapLongRows);
    classification->setLabelAlignment(Qt::AlignLeft);
    classification->setHorizontalSpacing(12);
    classification->setVerticalSpacing(6);
    addField(classification, QStringLiteral("predicted"), tr("Model class"));
    addField(classification, QStringLiteral("margin"), tr("Confidence"));
    addField(classification, QStringLiteral("anomaly"), tr("Anomaly score"));
    addField(classification, QStringLiteral("review"), tr("Review"));
    addField(classification, QStringLiteral("model"), tr("Model"));
    addField(classification, QStringLiteral("second"), tr("Second opinion"));
    m_classificationForm = new QWidget;
    m_classificationForm->setLayout(classification);
    classification->setContentsMargins(0, 0, 0, 0);

    m_scores = new ScoreBarsPlot;

    auto *form = new QFormLayout;
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->setLabelAlignment(Qt::AlignLeft);
    form->setHorizontalSpacing(12);
    form->setVerticalSpacing(6);
    addField(form, QStringLiteral("label"), tr("Label"));
    addField(form, QStringLiteral("code"), tr("Export code"));
    addField(form, QStringLiteral("file"), tr("File"));
    addField(form, QStringLiteral("path"), tr("Source path"));
    addField(form, QStringLiteral("size"), tr("Size"));
    addField(form, QStringLiteral("sha256"), tr("SHA-256"));
    addField(form, QStringLiteral("id"), tr("Cell ID"));

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(10);
    layout->addWidget(m_title);
    layout->addWidget(m_flag);
    layout->addWidget(m_heatmap);
    layout->addWidget(makeSectionHeader(tr("Classification")));
    layout->addWidget(m_prediction);
    layout->addWidget(m_classificationForm);
    layout->addWidget(m_scores);
    layout->addWidget(makeSectionHeader(tr("Cell")));
    layout->addLayout(form);
    layout->addStretch();

    auto *scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    m_stack = new QStackedWidget;
    m_stack->addWidget(empty);
    m_stack->addWidget(scroll);

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_stack);
    setMinimumWidth(kImageSide + 48);
}

QLabel *CellDetailsPanel::addField(QFormLayout *form, const QString &name, const QString &label)
{
    const bool unbreakable = name == QLatin1String("file") || name == QLatin1String("path");
    QLabel *value = unbreakable ? new ElidedLabel : new QLabel;
    value->setObjectName(QStringLiteral("field_") + name);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(!unbreakable);
    value->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *caption = new QLabel(label);
    caption->setForegroundRole(QPalette::PlaceholderText);
    caption->setWordWrap(true);
    form->addRow(caption, value);
    m_fields.insert(name, value);
    return value;
}

void CellDetailsPanel::setDatabase(const db::Database *database)
{
    m_database = database;
    clear();
}

void CellDetailsPanel::setClassificationJob(ClassificationJob *job)
{
    m_heatmap->setJob(job);
}

void CellDetailsPanel::clear()
{
    m_cellId = 0;
    for (QLabel *label : std::as_const(m_fields)) {
        if (auto *elided = dynamic_cast<ElidedLabel *>(label))
            elided->setFullText({});
        else
            label->clear();
    }
    m_heatmap->clear();
    m_scores->clear();
    m_flag->hide();
    m_stack->setCurrentIndex(0);
}

QString CellDetailsPanel::fieldText(const QString &field) const
{
    const QLabel *label = m_fields.value(field);
    if (const auto *elided = dynamic_cast<const ElidedLabel *>(label))
        return elided->fullText();
    return label ? label->text() : QString();
}

void CellDetailsPanel::showCell(const db::CellSummary &cell, bool reviewed)
{
    const bool sameCell = cell.id == m_cellId;
    m_cellId = cell.id;
    m_stack->setCurrentIndex(1);

    const QString working = review::ReviewPriority::workingClass(cell, reviewed);
    // Named as in the queue until a reviewer decides.
    const bool unidentified = !reviewed && review::ReviewPriority::group(cell, m_thresholds) == review::ReviewGroup::Unidentified;
    const QString labelName = cell.labelClass.isEmpty() ? QString()
                                                        : CellClassNames::displayName(cell.labelClass);
    m_title->setText(unidentified       ? tr("Unidentified")
                     : !working.isEmpty() ? CellClassNames::displayName(working)
                                          : (cell.rawCode.isEmpty() ? tr("Unidentified cell") : cell.rawCode));
    m_fields.value(QStringLiteral("label"))->setText(labelName.isEmpty() ? tr("—") : labelName);
    QString code = cell.rawCode.isEmpty() ? tr("—") : cell.rawCode;
    if (cell.unknownCode)
        code += QLatin1Char(' ') + tr("(not in the synonym table)");
    m_fields.value(QStringLiteral("code"))->setText(code);
    static_cast<ElidedLabel *>(m_fields.value(QStringLiteral("file")))->setFullText(cell.originalName);
    static_cast<ElidedLabel *>(m_fields.value(QStringLiteral("path")))->setFullText(cell.sourcePath);
    m_fields.value(QStringLiteral("size"))->setText(tr("%1 × %2 px").arg(cell.width).arg(cell.height));
    m_fields.value(QStringLiteral("id"))->setText(QString::number(cell.id));

    showClassification(cell, reviewed);
    // A prediction or a label arriving for the cell on screen must not
    // re-decode the picture or reset the heatmap the reviewer looks at.
    // (Its first prediction does refresh the view: the heatmap targets are
    // the model's classes.)
    if (!sameCell || m_heatmap->shownPixmap().isNull() || (cell.hasPrediction && m_heatmap->targetCount() == 0))
        showImage(cell);
}

void CellDetailsPanel::showClassification(const db::CellSummary &cell, bool reviewed)
{
    const bool classified = cell.hasPrediction && !cell.predictedClass.isEmpty();
    m_classificationForm->setVisible(classified);
    const QString keyHint = tr("Keys: %1 to reclassify, Space to confirm.")
                                .arg(QStringLiteral("1–9, V, S, A"));
    if (!classified) {
        m_prediction->setText(tr("Not classified yet. Use Case > Classify to run the model."));
        m_prediction->show();
        m_scores->clear();
        m_flag->hide();
        return;
    }
    m_prediction->setVisible(!reviewed);
    m_prediction->setText(keyHint);

    const QString predicted = CellClassNames::displayName(cell.predictedClass);
    const QString key = CellClassKeys::keyText(cell.predictedClass);
    m_fields.value(QStringLiteral("predicted"))
        ->setText(key.isEmpty() ? predicted : tr("%1  [%2]").arg(predicted, key));
    const auto margin = review::ReviewPriority::scoreMargin(cell);
    QString marginText = margin ? tr("%1% margin over the runner-up").arg(QLocale().toString(*margin * 100.0, 'f', 1))
                                : tr("unknown");
    if (cell.confidence)
        marginText += QLatin1Char('\n') + tr("error gap %1").arg(QLocale().toString(*cell.confidence, 'g', 3));
    m_fields.value(QStringLiteral("margin"))->setText(marginText);
    const bool anomalous = review::ReviewPriority::isAnomalous(cell, m_thresholds);
    m_fields.value(QStringLiteral("anomaly"))
        ->setText(cell.anomaly ? (anomalous ? tr("%1 (high: possible unseen cell type)")
                                                  .arg(QLocale().toString(*cell.anomaly, 'g', 3))
                                            : QLocale().toString(*cell.anomaly, 'g', 3))
                               : tr("unknown"));
    m_fields.value(QStringLiteral("review"))
        ->setText(reviewed ? tr("Reviewed: %1")
                                 .arg(cell.labelClass.isEmpty() ? tr("Unidentified")
                                                                : CellClassNames::displayName(cell.labelClass))
                           : tr("Not reviewed"));
    m_fields.value(QStringLiteral("model"))->setText(tr("%1 · %2 network evaluations").arg(cell.modelId).arg(cell.nfe));
    m_fields.value(QStringLiteral("second"))
        ->setText(cell.secondOpinionClass.isEmpty()
                      ? tr("none")
                      : tr("%1 (%2)").arg(CellClassNames::displayName(cell.secondOpinionClass), cell.secondOpinionModelId));

    const review::ReviewGroup group = review::ReviewPriority::group(cell, m_thresholds);
    if (!reviewed && group == review::ReviewGroup::Unidentified) {
        m_flag->setText(tr("Unidentified: possible unseen cell type. No trained class fits this cell well."));
        m_flag->setStyleSheet(QStringLiteral("QLabel { background: #fff3e0; color: #8a4b00; border-radius: 4px; "
                                             "padding: 6px; }"));
        m_flag->show();
    } else if (!reviewed && group == review::ReviewGroup::SecondOpinion) {
        // This group comes first in the queue, so a critical call the models
        // disagree on lands here: say both.
        QString text = tr("Second opinion differs: the second model calls this cell %1. Look closely before "
                          "confirming.")
                           .arg(CellClassNames::displayName(cell.secondOpinionClass));
        if (review::ReviewPriority::isCritical(cell))
            text += QLatin1Char(' ') + tr("Clinically critical class: verify before signing.");
        m_flag->setText(text);
        m_flag->setStyleSheet(QStringLiteral("QLabel { background: #e3f2fd; color: #0d47a1; border-radius: 4px; "
                                             "padding: 6px; }"));
        m_flag->show();
    } else if (!reviewed && group == review::ReviewGroup::Critical) {
        m_flag->setText(tr("Clinically critical class: verify before signing."));
        m_flag->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #8e1b10; border-radius: 4px; "
                                             "padding: 6px; }"));
        m_flag->show();
    } else if (!reviewed && review::ReviewPriority::isAgreedCriticalCall(cell, m_thresholds)) {
        // Out of the queue by the agreed-call rule: say so, so that nobody
        // takes the missing flag for "not critical".
        m_flag->setText(tr("Clinically critical class. Both models make this call with a margin of at least %1%, so it "
                           "is not in the review queue; the report lists it among the flagged cells.")
                            .arg(QLocale().toString(m_thresholds.criticalAgreedMargin * 100.0, 'f', 1)));
        m_flag->setStyleSheet(QStringLiteral("QLabel { background: #fbe9e7; color: #6d2a1f; border-radius: 4px; "
                                             "padding: 6px; }"));
        m_flag->show();
    } else {
        m_flag->hide();
    }
    m_scores->setScores(cell.scores, cell.predictedClass, reviewed ? cell.labelClass : QString());
}

void CellDetailsPanel::showImage(const db::CellSummary &cell)
{
    // The hash is recomputed from the stored bytes rather than read from the
    // row (CellSummary carries none), which doubles as an integrity check.
    QLabel *sha = m_fields.value(QStringLiteral("sha256"));
    sha->clear();
    const QStringList classes = cell.hasPrediction ? cell.scores.keys() : QStringList();
    QPixmap pixmap;
    QString problem;
    if (m_database) {
        auto bytes = m_database->cellImage(cell.id);
        if (!bytes) {
            problem = tr("Image unavailable:\n%1").arg(QString::fromStdString(bytes.error()));
        } else {
            const QString hex = QString::fromLatin1(QCryptographicHash::hash(*bytes, QCryptographicHash::Sha256).toHex());
            sha->setText(hex.left(kShaPrefix) + QStringLiteral("…"));
            sha->setToolTip(hex);
            QString error;
            // Full resolution (exports are a few hundred pixels a side): the
            // viewer scales it down, its zoom window shows every pixel.
            const QImage image = ThumbnailLoader::decode(*bytes, kFullResolutionLimit, &error);
            if (image.isNull())
                problem = tr("Cannot decode image:\n%1").arg(error);
            else
                pixmap = QPixmap::fromImage(image);
        }
    }
    m_heatmap->setCell(cell.id, pixmap, classes, cell.predictedClass, runnerUp(cell));
    if (!problem.isEmpty())
        m_heatmap->setImageText(problem);
}

} // namespace cytodiff::ui
