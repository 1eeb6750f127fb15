#include "celldetailspanel.h"

#include "cellclassnames.h"
#include "database.h"
#include "thumbnailloader.h"

#include <QCryptographicHash>
#include <QFormLayout>
#include <QFrame>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>

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

    m_image = new QLabel;
    m_image->setObjectName(QStringLiteral("detailsImage"));
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setFixedSize(kImageSide + 2, kImageSide + 2);
    m_image->setFrameShape(QFrame::StyledPanel);

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignLeft);
    form->setHorizontalSpacing(12);
    form->setVerticalSpacing(6);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    addField(form, QStringLiteral("label"), tr("Label"));
    addField(form, QStringLiteral("code"), tr("Export code"));
    addField(form, QStringLiteral("file"), tr("File"));
    addField(form, QStringLiteral("path"), tr("Source path"));
    addField(form, QStringLiteral("size"), tr("Size"));
    addField(form, QStringLiteral("sha256"), tr("SHA-256"));
    addField(form, QStringLiteral("id"), tr("Cell ID"));

    m_prediction = new QLabel;
    m_prediction->setObjectName(QStringLiteral("detailsPrediction"));
    m_prediction->setWordWrap(true);

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(10);
    layout->addWidget(m_title);
    layout->addWidget(m_image, 0, Qt::AlignHCenter);
    layout->addWidget(makeSectionHeader(tr("Cell")));
    layout->addLayout(form);
    layout->addWidget(makeSectionHeader(tr("Classification")));
    layout->addWidget(m_prediction);
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
    setMinimumWidth(kImageSide + 40);
}

QLabel *CellDetailsPanel::addField(QFormLayout *form, const QString &name, const QString &label)
{
    auto *value = new QLabel;
    value->setObjectName(QStringLiteral("field_") + name);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    auto *caption = new QLabel(label);
    caption->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(caption, value);
    m_fields.insert(name, value);
    return value;
}

void CellDetailsPanel::setDatabase(const db::Database *database)
{
    m_database = database;
    clear();
}

void CellDetailsPanel::clear()
{
    m_cellId = 0;
    for (QLabel *label : std::as_const(m_fields))
        label->clear();
    m_image->clear();
    m_stack->setCurrentIndex(0);
}

QString CellDetailsPanel::fieldText(const QString &field) const
{
    const QLabel *label = m_fields.value(field);
    return label ? label->text() : QString();
}

void CellDetailsPanel::showCell(const db::CellSummary &cell)
{
    m_cellId = cell.id;
    m_stack->setCurrentIndex(1);

    const QString labelName = cell.labelClass.isEmpty() ? QString()
                                                        : CellClassNames::displayName(cell.labelClass);
    m_title->setText(labelName.isEmpty() ? (cell.rawCode.isEmpty() ? tr("Unlabelled cell") : cell.rawCode)
                                         : labelName);
    m_fields.value(QStringLiteral("label"))->setText(labelName.isEmpty() ? tr("—") : labelName);
    QString code = cell.rawCode.isEmpty() ? tr("—") : cell.rawCode;
    if (cell.unknownCode)
        code += QLatin1Char(' ') + tr("(not in the synonym table)");
    m_fields.value(QStringLiteral("code"))->setText(code);
    m_fields.value(QStringLiteral("file"))->setText(cell.originalName);
    m_fields.value(QStringLiteral("path"))->setText(cell.sourcePath);
    m_fields.value(QStringLiteral("size"))->setText(tr("%1 × %2 px").arg(cell.width).arg(cell.height));
    m_fields.value(QStringLiteral("id"))->setText(QString::number(cell.id));

    if (cell.hasPrediction && !cell.predictedClass.isEmpty()) {
        QString text = tr("%1 (model %2)").arg(CellClassNames::displayName(cell.predictedClass),
                                               cell.modelId);
        if (cell.confidence)
            text += QLatin1Char('\n')
                    + tr("Confidence %1%").arg(QLocale().toString(*cell.confidence * 100.0, 'f', 1));
        m_prediction->setText(text);
    } else {
        m_prediction->setText(tr("Not classified yet."));
    }

    // The hash is recomputed from the stored bytes rather than read from the
    // row (CellSummary carries none), which doubles as an integrity check.
    QLabel *sha = m_fields.value(QStringLiteral("sha256"));
    m_image->clear();
    sha->clear();
    if (!m_database)
        return;
    auto bytes = m_database->cellImage(cell.id);
    if (!bytes) {
        m_image->setText(tr("Image unavailable:\n%1").arg(QString::fromStdString(bytes.error())));
        return;
    }
    const QString hex = QString::fromLatin1(
        QCryptographicHash::hash(*bytes, QCryptographicHash::Sha256).toHex());
    sha->setText(hex.left(kShaPrefix) + QStringLiteral("…"));
    sha->setToolTip(hex);

    QString error;
    const qreal dpr = devicePixelRatioF();
    const QImage image = ThumbnailLoader::decode(*bytes, int(kImageSide * dpr), &error);
    if (image.isNull()) {
        m_image->setText(tr("Cannot decode image:\n%1").arg(error));
        return;
    }
    QPixmap pixmap = QPixmap::fromImage(image);
    pixmap.setDevicePixelRatio(dpr);
    m_image->setPixmap(pixmap);
}

} // namespace cytodiff::ui
