#include "floatimageconvert.h"
#include "heatmapview.h"

#include "cellclassnames.h"
#include "cellzoomdialog.h"
#include "classificationjob.h"
#include "engine.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace cytodiff::ui {

namespace {


// Bilinear resize of a planar image (the maps are at network resolution,
// the picture they are drawn on is larger). Pixel centres are aligned.
FloatImage resized(const FloatImage &in, int side)
{
    FloatImage out{in.channels, side, side, std::vector<float>(std::size_t(in.channels) * side * side)};
    const float sx = float(in.width) / side;
    const float sy = float(in.height) / side;
    for (int c = 0; c < in.channels; ++c) {
        const float *src = in.data.data() + std::size_t(c) * in.width * in.height;
        float *dst = out.data.data() + std::size_t(c) * side * side;
        for (int y = 0; y < side; ++y) {
            const float fy = std::clamp((y + 0.5f) * sy - 0.5f, 0.0f, float(in.height - 1));
            const int y0 = int(fy), y1 = std::min(y0 + 1, in.height - 1);
            const float wy = fy - y0;
            for (int x = 0; x < side; ++x) {
                const float fx = std::clamp((x + 0.5f) * sx - 0.5f, 0.0f, float(in.width - 1));
                const int x0 = int(fx), x1 = std::min(x0 + 1, in.width - 1);
                const float wx = fx - x0;
                const float top = src[y0 * in.width + x0] * (1 - wx) + src[y0 * in.width + x1] * wx;
                const float bottom = src[y1 * in.width + x0] * (1 - wx) + src[y1 * in.width + x1] * wx;
                dst[y * side + x] = top * (1 - wy) + bottom * wy;
            }
        }
    }
    return out;
}

// Gain that maps the 99th percentile of |delta| to full scale, so a map is
// readable whatever the model's residual scale; 0 when the map is empty
// (the predicted class's own map).
double robustGain(const FloatImage &delta)
{
    const int plane = delta.width * delta.height;
    if (plane == 0)
        return 0.0;
    std::vector<float> magnitudes(std::size_t(plane), 0.0f);
    for (int i = 0; i < plane; ++i)
        magnitudes[std::size_t(i)] =
            std::fabs((delta.data[std::size_t(i)] + delta.data[std::size_t(i + plane)] + delta.data[std::size_t(i + 2 * plane)]) / 3.0f);
    const auto nth = magnitudes.begin() + std::ptrdiff_t(plane * 99 / 100);
    std::nth_element(magnitudes.begin(), nth, magnitudes.end());
    return *nth > 1e-12f ? 1.0 / *nth : 0.0;
}

} // namespace

HeatmapView::HeatmapView(int side, QWidget *parent) : QWidget(parent), m_side(side)
{
    setObjectName(QStringLiteral("heatmapView"));
    m_image = new QLabel;
    m_image->setObjectName(QStringLiteral("detailsImage"));
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setFixedSize(side + 2, side + 2);
    m_image->setFrameShape(QFrame::StyledPanel);
    m_image->setToolTip(tr("Double-click to open the cell at full resolution"));
    m_image->installEventFilter(this);

    m_modes = new QButtonGroup(this);
    m_modes->setExclusive(true);
    auto *modeRow = new QHBoxLayout;
    modeRow->setSpacing(0);
    const QList<std::pair<Mode, QString>> modes = {
        {Mode::Original, tr("Original")}, {Mode::Heatmap, tr("Heatmap")}, {Mode::Overlay, tr("Overlay")}};
    for (const auto &[mode, text] : modes) {
        auto *button = new QToolButton;
        button->setText(text);
        button->setCheckable(true);
        button->setObjectName(QStringLiteral("heatmapMode%1").arg(int(mode)));
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        m_modes->addButton(button, int(mode));
        modeRow->addWidget(button);
    }
    m_modes->button(int(Mode::Original))->setChecked(true);
    m_modes->button(int(Mode::Heatmap))->setToolTip(
        tr("What would have to change for the cell to read as the target class: dark = add, light = remove"));
    m_modes->button(int(Mode::Overlay))->setToolTip(
        tr("The heatmap over the cell: blue = the target class needs more stain here, red = less"));
    connect(m_modes, &QButtonGroup::idClicked, this, [this](int id) { setMode(Mode(id)); });

    m_target = new QComboBox;
    m_target->setObjectName(QStringLiteral("heatmapTarget"));
    m_target->setToolTip(tr("Target class of the counterfactual heatmap"));
    // Class names are long in some languages ("Polynucléaire éosinophile");
    // sized to the widest one the combo would widen the whole details
    // panel past its splitter width.
    m_target->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_target->setMinimumContentsLength(12);
    connect(m_target, &QComboBox::currentIndexChanged, this, &HeatmapView::render);

    m_opacity = new QSlider(Qt::Horizontal);
    m_opacity->setObjectName(QStringLiteral("heatmapOpacity"));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(70);
    m_opacity->setToolTip(tr("Overlay opacity"));
    connect(m_opacity, &QSlider::valueChanged, this, &HeatmapView::render);

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("heatmapStatus"));
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_legend = new QLabel;
    m_legend->setObjectName(QStringLiteral("heatmapLegend"));
    m_legend->setWordWrap(true);
    m_legend->setForegroundRole(QPalette::PlaceholderText);

    auto *form = new QGridLayout;
    form->setHorizontalSpacing(8);
    form->setVerticalSpacing(4);
    auto *targetCaption = new QLabel(tr("Target"));
    targetCaption->setForegroundRole(QPalette::PlaceholderText);
    auto *opacityCaption = new QLabel(tr("Opacity"));
    opacityCaption->setForegroundRole(QPalette::PlaceholderText);
    form->addWidget(targetCaption, 0, 0);
    form->addWidget(m_target, 0, 1, 1, 2);
    form->addWidget(opacityCaption, 1, 0);
    form->addWidget(m_opacity, 1, 1);
    // Beside the slider, which gives way, so the viewer gets no wider.
    auto *zoom = new QToolButton;
    zoom->setObjectName(QStringLiteral("heatmapZoom"));
    zoom->setText(tr("Zoom…"));
    zoom->setToolTip(tr("Open the cell at full resolution in its own window (wheel to zoom, drag to pan)"));
    zoom->setToolButtonStyle(Qt::ToolButtonTextOnly);
    connect(zoom, &QToolButton::clicked, this, &HeatmapView::showZoom);
    form->addWidget(zoom, 1, 2);
    form->setColumnStretch(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_image, 0, Qt::AlignHCenter);
    layout->addLayout(modeRow);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(m_legend);
    clear();
}

void HeatmapView::setJob(ClassificationJob *job)
{
    if (m_job)
        disconnect(m_job, nullptr, this, nullptr);
    m_job = job;
    if (m_job) {
        connect(m_job, &ClassificationJob::heatmapReady, this, &HeatmapView::onHeatmapReady);
        connect(m_job, &ClassificationJob::heatmapFailed, this, &HeatmapView::onHeatmapFailed);
    }
    m_waiting = false;
    render();
}

void HeatmapView::clear()
{
    if (m_job)
        m_job->abandonHeatmap();
    m_cellId = 0;
    m_original = {};
    m_predicted.clear();
    m_waiting = false;
    {
        const QSignalBlocker blocker(m_target);
        m_target->clear();
    }
    render();
}

void HeatmapView::setCell(qint64 cellId, const QPixmap &original, const QStringList &classes,
                          const QString &predictedClass, const QString &suggestedTarget)
{
    const QString previousTarget = targetClass();
    m_cellId = cellId;
    m_original = original;
    m_predicted = predictedClass;
    m_waiting = false;
    {
        const QSignalBlocker blocker(m_target);
        m_target->clear();
        for (const QString &id : classes) {
            if (id != predictedClass)
                m_target->addItem(CellClassNames::displayName(id), id);
        }
        // Keep the reviewer's chosen target while they step through cells
        // (comparing many cells against one class); else the runner-up.
        int keep = m_target->findData(previousTarget);
        if (keep < 0)
            keep = m_target->findData(suggestedTarget);
        m_target->setCurrentIndex(std::max(keep, 0));
    }
    requestIfNeeded();
    render();
}

void HeatmapView::setImageText(const QString &text)
{
    m_original = {};
    m_shown = {};
    m_image->setPixmap({});
    m_image->setText(text);
}

void HeatmapView::setMode(Mode mode)
{
    m_mode = mode;
    if (QAbstractButton *button = m_modes->button(int(mode)); button && !button->isChecked())
        button->setChecked(true);
    requestIfNeeded();
    render();
}

void HeatmapView::setTargetClass(const QString &classId)
{
    const int index = m_target->findData(classId);
    if (index >= 0)
        m_target->setCurrentIndex(index);
}

QString HeatmapView::targetClass() const
{
    return m_target->currentData().toString();
}

int HeatmapView::targetCount() const
{
    return m_target->count();
}

void HeatmapView::setOpacity(int percent)
{
    m_opacity->setValue(percent);
}

CellZoomDialog *HeatmapView::zoomDialog() const
{
    return m_zoom.data();
}

void HeatmapView::showZoom()
{
    if (!m_zoom) {
        m_zoom = new CellZoomDialog(window());
        m_zoom->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_zoom->setImage(m_full, m_fullCaption);
    m_zoom->show();
    m_zoom->raise();
}

bool HeatmapView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_image && event->type() == QEvent::MouseButtonDblClick && !m_full.isNull()) {
        showZoom();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

QString HeatmapView::statusText() const
{
    return m_status->text();
}

bool HeatmapView::hasHeatmap() const
{
    return m_job && m_cellId && m_job->cachedHeatmap(m_cellId);
}

bool HeatmapView::isComputing() const
{
    return m_waiting && !hasHeatmap();
}

void HeatmapView::requestIfNeeded()
{
    if (!m_job)
        return;
    if (m_mode == Mode::Original || m_cellId == 0 || m_target->count() == 0) {
        // Work on a cell no longer on screen is stale; the map of this one
        // may still be wanted when the reviewer switches back.
        if (m_job->pendingHeatmapCell() != 0 && m_job->pendingHeatmapCell() != m_cellId)
            m_job->abandonHeatmap();
        return;
    }
    // Returns at once either way: a cached map is announced before it
    // returns, anything else arrives later through heatmapReady.
    m_waiting = !hasHeatmap();
    m_job->requestHeatmap(m_cellId);
}

void HeatmapView::onHeatmapReady(qint64 cellId)
{
    if (cellId != m_cellId)
        return;
    m_waiting = false;
    render();
}

void HeatmapView::onHeatmapFailed(qint64 cellId, const QString &reason)
{
    if (cellId != m_cellId)
        return;
    m_waiting = false;
    render();
    m_status->setText(tr("No heatmap: %1").arg(reason));
    m_status->show();
}

QImage HeatmapView::renderHeatmapImage(const HeatmapData &data, int target) const
{
    const FloatImage delta = resized(data.deltas[std::size_t(target)], data.display.width);
    const double gain = robustGain(delta);
    if (m_mode == Mode::Heatmap)
        return demo::toQImage(engine::renderHeatmap(delta, gain));
    return demo::toQImage(engine::renderOverlay(data.display, delta, gain, m_opacity->value() / 100.0));
}

void HeatmapView::render()
{
    const bool heatmapMode = m_mode != Mode::Original;
    const bool classified = m_target->count() > 0;
    m_target->setEnabled(classified);
    m_opacity->setEnabled(classified && m_mode == Mode::Overlay);
    m_modes->button(int(Mode::Heatmap))->setEnabled(classified && m_job);
    m_modes->button(int(Mode::Overlay))->setEnabled(classified && m_job);
    m_status->clear();
    m_legend->clear();
    m_status->hide();
    m_legend->hide();

    QPixmap pixmap = m_original;
    m_fullCaption = m_mode == Mode::Original ? tr("Original") : QString();
    const HeatmapData *data = (heatmapMode && m_job && m_cellId) ? m_job->cachedHeatmap(m_cellId) : nullptr;
    if (heatmapMode && !classified) {
        m_status->setText(tr("Heatmaps need a classified cell."));
    } else if (heatmapMode && !data) {
        m_status->setText(m_waiting ? tr("Computing the heatmap…") : QString());
    } else if (data) {
        const int target = int(data->classNames.indexOf(targetClass()));
        if (target < 0 || target >= int(data->deltas.size())) {
            m_status->setText(tr("The heatmap's model does not know this class."));
        } else {
            pixmap = QPixmap::fromImage(renderHeatmapImage(*data, target));
            const QString name = CellClassNames::displayName(targetClass());
            m_fullCaption = (m_mode == Mode::Heatmap ? tr("Heatmap, target %1") : tr("Overlay, target %1")).arg(name);
            m_legend->setText(m_mode == Mode::Heatmap
                                  ? tr("For the cell to read as %1: dark = features to add, light = features "
                                       "to remove. Centre crop seen by the model.")
                                        .arg(name)
                                  : tr("For the cell to read as %1: blue = more stain needed, red = less. "
                                       "Centre crop seen by the model.")
                                        .arg(name));
        }
    }
    // Empty word-wrapped labels would still take a line each.
    m_status->setVisible(!m_status->text().isEmpty());
    m_legend->setVisible(!m_legend->text().isEmpty());
    m_full = pixmap;
    if (!pixmap.isNull()) {
        // The viewer shows a fixed-size picture; the zoom window the rest.
        const qreal dpr = devicePixelRatioF();
        pixmap = pixmap.scaled(QSize(m_side, m_side) * dpr, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        pixmap.setDevicePixelRatio(dpr);
    }
    m_shown = pixmap;
    if (m_zoom && m_zoom->isVisible() && !m_full.isNull())
        m_zoom->setImage(m_full, m_fullCaption);
    if (!pixmap.isNull()) {
        m_image->setText({});
        m_image->setPixmap(pixmap);
    } else if (m_cellId == 0) {
        m_image->clear();
    }
}

} // namespace cytodiff::ui
