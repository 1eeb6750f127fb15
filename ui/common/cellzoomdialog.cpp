#include "cellzoomdialog.h"

#include <QGraphicsPixmapItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace cytodiff::ui {
namespace {

constexpr double kMinZoom = 0.1;
constexpr double kMaxZoom = 16.0;
constexpr double kStep = 1.25;

} // namespace

CellZoomDialog::CellZoomDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("cellZoomDialog"));
    setWindowTitle(tr("Cell at full resolution"));
    setAttribute(Qt::WA_DeleteOnClose, false);
    m_scene = new QGraphicsScene(this);
    m_item = m_scene->addPixmap({});
    // Pixels stay pixels when enlarged: a morphologist wants to see the
    // sensor's grain, not an interpolation of it.
    m_item->setTransformationMode(Qt::FastTransformation);
    m_view = new QGraphicsView(m_scene);
    m_view->setObjectName(QStringLiteral("cellZoomView"));
    m_view->setDragMode(QGraphicsView::ScrollHandDrag);
    m_view->setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    m_view->setBackgroundBrush(palette().window());
    m_view->viewport()->installEventFilter(this);

    m_caption = new QLabel;
    m_caption->setObjectName(QStringLiteral("cellZoomCaption"));
    m_zoomText = new QLabel;
    m_zoomText->setObjectName(QStringLiteral("cellZoomFactor"));
    m_zoomText->setMinimumWidth(m_zoomText->fontMetrics().horizontalAdvance(QStringLiteral("1600%")));
    m_zoomText->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    auto *zoomOut = new QPushButton(tr("−"));
    zoomOut->setToolTip(tr("Zoom out (-)"));
    auto *zoomIn = new QPushButton(tr("+"));
    zoomIn->setToolTip(tr("Zoom in (+)"));
    auto *fit = new QPushButton(tr("Fit"));
    fit->setToolTip(tr("Fit the cell to the window (F)"));
    auto *actual = new QPushButton(tr("1:1"));
    actual->setToolTip(tr("One image pixel per screen pixel (1)"));
    for (QPushButton *button : {zoomOut, zoomIn, fit, actual})
        button->setAutoDefault(false);
    connect(zoomOut, &QPushButton::clicked, this, [this] { zoomBy(1.0 / kStep); });
    connect(zoomIn, &QPushButton::clicked, this, [this] { zoomBy(kStep); });
    connect(fit, &QPushButton::clicked, this, &CellZoomDialog::fitToWindow);
    connect(actual, &QPushButton::clicked, this, &CellZoomDialog::showActualSize);

    auto *row = new QHBoxLayout;
    row->addWidget(m_caption, 1);
    row->addWidget(m_zoomText);
    row->addWidget(zoomOut);
    row->addWidget(zoomIn);
    row->addWidget(fit);
    row->addWidget(actual);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addLayout(row);
    resize(640, 680);
}

void CellZoomDialog::setImage(const QPixmap &pixmap, const QString &caption)
{
    QPixmap plain = pixmap;
    plain.setDevicePixelRatio(1.0); // scene units = image pixels
    m_item->setPixmap(plain);
    m_scene->setSceneRect(m_item->boundingRect());
    m_caption->setText(caption);
    if (m_fitted)
        fitToWindow();
    else
        applyZoom();
}

QPixmap CellZoomDialog::image() const
{
    return m_item->pixmap();
}

void CellZoomDialog::zoomBy(double factor)
{
    m_fitted = false;
    m_zoom = std::clamp(m_zoom * factor, kMinZoom, kMaxZoom);
    applyZoom();
}

void CellZoomDialog::fitToWindow()
{
    m_fitted = true;
    const QRectF bounds = m_item->boundingRect();
    const QSize area = m_view->viewport()->size();
    if (bounds.isEmpty() || area.isEmpty())
        return;
    m_zoom = std::clamp(std::min(area.width() / bounds.width(), area.height() / bounds.height()), kMinZoom, kMaxZoom);
    applyZoom();
}

void CellZoomDialog::showActualSize()
{
    m_fitted = false;
    // One image pixel per physical screen pixel.
    m_zoom = 1.0 / std::max<qreal>(devicePixelRatioF(), 1.0);
    applyZoom();
}

void CellZoomDialog::applyZoom()
{
    m_view->setTransform(QTransform::fromScale(m_zoom, m_zoom));
    m_zoomText->setText(tr("%1%").arg(QLocale().toString(qlonglong(std::lround(m_zoom * 100)))));
}

bool CellZoomDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Wheel) {
        const auto *wheel = static_cast<QWheelEvent *>(event);
        const int steps = wheel->angleDelta().y() / 120;
        if (steps != 0)
            zoomBy(std::pow(kStep, steps));
        return true;
    }
    return QDialog::eventFilter(watched, event);
}

void CellZoomDialog::resizeEvent(QResizeEvent *event)
{
    QDialog::resizeEvent(event);
    if (m_fitted)
        fitToWindow();
}

void CellZoomDialog::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(kStep);
        return;
    case Qt::Key_Minus:
        zoomBy(1.0 / kStep);
        return;
    case Qt::Key_F:
        fitToWindow();
        return;
    case Qt::Key_1:
        showActualSize();
        return;
    default:
        QDialog::keyPressEvent(event);
    }
}

} // namespace cytodiff::ui
