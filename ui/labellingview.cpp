#include "labellingview.h"

#include "cellclassnames.h"
#include "classnames.h"
#include "database.h"
#include "labelaudit.h"

#include <QHBoxLayout>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace cytodiff::ui {
namespace {

constexpr int kMinimumImageSide = 420;

struct ConfidenceKey {
    int key;
    db::LabelConfidence confidence;
};

const ConfidenceKey kConfidenceKeys[] = {{Qt::Key_1, db::LabelConfidence::High},
                                         {Qt::Key_2, db::LabelConfidence::Moderate},
                                         {Qt::Key_3, db::LabelConfidence::Low},
                                         {Qt::Key_4, db::LabelConfidence::No}};

QString confidenceText(db::LabelConfidence confidence)
{
    switch (confidence) {
    case db::LabelConfidence::High:
        return LabellingView::tr("High");
    case db::LabelConfidence::Moderate:
        return LabellingView::tr("Moderate");
    case db::LabelConfidence::Low:
        return LabellingView::tr("Low");
    case db::LabelConfidence::No:
        break;
    }
    return LabellingView::tr("No confidence");
}

} // namespace

QList<LabellingKey> labellingKeys(const QStringList &classes)
{
    QList<LabellingKey> keys;
    QString taken;
    for (const QString &classId : classes) {
        QChar letter;
        // From the English name, not the translated one: the keys are part of
        // the labelling protocol (docs/labelling.md) and must not change with
        // the interface language (German would give U and T, French R and G).
        const QString name = importer::displayName(classId).toUpper();
        for (QChar c : name) {
            if (c >= QLatin1Char('A') && c <= QLatin1Char('Z') && !taken.contains(c)) {
                letter = c;
                break;
            }
        }
        if (letter.isNull()) {
            for (char c = 'A'; c <= 'Z'; ++c) {
                if (!taken.contains(QLatin1Char(c))) {
                    letter = QLatin1Char(c);
                    break;
                }
            }
        }
        if (letter.isNull())
            continue; // more than 26 classes: the rest have no key
        taken.append(letter);
        keys.append({classId, Qt::Key_A + (letter.unicode() - 'A'), QString(letter)});
    }
    return keys;
}

LabellingView::LabellingView(db::Database *database, qint64 sessionId, QWidget *parent)
    : QWidget(parent), m_database(database), m_sessionId(sessionId)
{
    setObjectName(QStringLiteral("labellingView"));
    setFocusPolicy(Qt::StrongFocus);
    buildUi();
    reload();
}

void LabellingView::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("labellingTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    top->addWidget(m_title, 1);
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("labellingProgress"));
    m_progress->setFormat(tr("%v of %m"));
    m_progress->setMinimumWidth(220);
    top->addWidget(m_progress);
    layout->addLayout(top);

    auto *middle = new QHBoxLayout;
    m_image = new QLabel;
    m_image->setObjectName(QStringLiteral("labellingImage"));
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setMinimumSize(kMinimumImageSide, kMinimumImageSide);
    m_image->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    m_image->setStyleSheet(QStringLiteral("background: #202020;"));
    middle->addWidget(m_image, 3);

    auto *side = new QVBoxLayout;
    auto *classHeading = new QLabel(tr("<b>Class</b> (press the letter)"));
    side->addWidget(classHeading);
    m_classLegend = new QLabel;
    m_classLegend->setObjectName(QStringLiteral("labellingClassKeys"));
    m_classLegend->setTextFormat(Qt::RichText);
    side->addWidget(m_classLegend);
    side->addSpacing(12);
    auto *confidenceHeading = new QLabel(tr("<b>Confidence</b> (then press a digit)"));
    side->addWidget(confidenceHeading);
    m_confidenceLegend = new QLabel;
    m_confidenceLegend->setObjectName(QStringLiteral("labellingConfidenceKeys"));
    m_confidenceLegend->setTextFormat(Qt::RichText);
    side->addWidget(m_confidenceLegend);
    side->addStretch(1);
    m_backButton = new QPushButton(tr("Back (Backspace)"));
    m_backButton->setObjectName(QStringLiteral("labellingBack"));
    m_backButton->setFocusPolicy(Qt::NoFocus);
    connect(m_backButton, &QPushButton::clicked, this, &LabellingView::back);
    side->addWidget(m_backButton);
    middle->addLayout(side, 1);
    layout->addLayout(middle, 1);

    m_prompt = new QLabel;
    m_prompt->setObjectName(QStringLiteral("labellingPrompt"));
    m_prompt->setAlignment(Qt::AlignCenter);
    QFont promptFont = m_prompt->font();
    promptFont.setPointSizeF(promptFont.pointSizeF() * 1.3);
    m_prompt->setFont(promptFont);
    layout->addWidget(m_prompt);
}

void LabellingView::fail(const QString &message)
{
    m_error = message;
    m_prompt->setText(message);
    emit failed(message);
}

void LabellingView::reload()
{
    if (!m_database) {
        fail(tr("No workspace is open."));
        return;
    }
    auto session = m_database->labellingSession(m_sessionId);
    if (!session) {
        fail(tr("Cannot open the labelling session: %1").arg(QString::fromStdString(session.error())));
        return;
    }
    auto cells = m_database->sessionCells(m_sessionId);
    if (!cells) {
        fail(tr("Cannot read the session's cells: %1").arg(QString::fromStdString(cells.error())));
        return;
    }
    m_session = *session;
    m_cells = *cells;
    m_keys = labellingKeys(m_session.classes);
    m_valid = true;

    QString confidence;
    for (const ConfidenceKey &key : kConfidenceKeys)
        confidence += QStringLiteral("<tr><td><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>")
                          .arg(key.key - Qt::Key_1 + 1)
                          .arg(confidenceText(key.confidence));
    m_confidenceLegend->setText(QStringLiteral("<table>") + confidence + QStringLiteral("</table>"));
    const QString kind = m_session.kind == db::SessionKind::Audit ? tr("Label audit") : tr("Labelling session");
    m_title->setText(tr("%1 \u201c%2\u201d \u2014 %3").arg(kind, m_session.name, m_session.labellerName));
    showCurrent();
}

qint64 LabellingView::currentCellId() const
{
    if (!m_valid || m_session.position < 0 || m_session.position >= m_cells.size())
        return 0;
    return m_cells.at(m_session.position).cellId;
}

void LabellingView::showCurrent()
{
    m_chosenClass.clear();
    m_progress->setRange(0, std::max(1, m_session.total));
    m_progress->setValue(m_session.position);
    m_backButton->setEnabled(m_session.position > 0);
    if (m_session.isComplete()) {
        m_phase = Phase::Complete;
        m_pixmap = QPixmap();
        m_image->clear();
        m_image->setText(tr("<span style='color:white'>Session complete: all %1 cells have an answer.</span>")
                             .arg(m_session.total));
        updatePrompt();
        return;
    }
    m_phase = Phase::ChooseClass;
    auto bytes = m_database->cellImage(currentCellId());
    QImage image;
    if (bytes)
        image.loadFromData(*bytes);
    if (image.isNull()) {
        m_pixmap = QPixmap();
        m_image->setText(tr("<span style='color:white'>This image cannot be shown. Label it as an artefact or "
                            "with No confidence.</span>"));
    } else {
        m_pixmap = QPixmap::fromImage(image);
    }
    updateImage();
    updatePrompt();
}

void LabellingView::updateImage()
{
    if (m_pixmap.isNull())
        return;
    const QSize target = m_image->size() - QSize(8, 8);
    // Small generated cells are enlarged too: the view is for judging detail.
    m_image->setPixmap(m_pixmap.scaled(target, Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

void LabellingView::updatePrompt()
{
    // The chosen class stays marked while the confidence is asked for.
    QString legend;
    for (const LabellingKey &key : m_keys) {
        const bool chosen = m_phase == Phase::ChooseConfidence && key.classId == m_chosenClass;
        legend += QStringLiteral("<tr%3><td><b>%1</b>&nbsp;&nbsp;</td><td>%2&nbsp;</td></tr>")
                      .arg(key.keyText, CellClassNames::displayName(key.classId).toHtmlEscaped(),
                           chosen ? QStringLiteral(" bgcolor=\"#ffd966\"") : QString());
    }
    m_classLegend->setText(QStringLiteral("<table cellpadding=\"1\">") + legend + QStringLiteral("</table>"));

    switch (m_phase) {
    case Phase::ChooseClass:
        m_prompt->setText(tr("Cell %1 of %2: which class? Press its letter.")
                              .arg(m_session.position + 1)
                              .arg(m_session.total));
        break;
    case Phase::ChooseConfidence:
        m_prompt->setText(tr("%1 \u2014 how confident? 1 High, 2 Moderate, 3 Low, 4 No confidence "
                             "(Backspace: change the class)")
                              .arg(CellClassNames::displayName(m_chosenClass)));
        break;
    case Phase::Complete:
        m_prompt->setText(tr("Session complete. Backspace takes back the last answer."));
        break;
    }
}

void LabellingView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateImage();
}

bool LabellingView::chooseClass(const QString &classId)
{
    if (!m_valid || m_phase == Phase::Complete || !m_session.classes.contains(classId))
        return false;
    m_chosenClass = classId;
    m_phase = Phase::ChooseConfidence;
    updatePrompt();
    return true;
}

bool LabellingView::chooseConfidence(db::LabelConfidence confidence)
{
    if (!m_valid || m_phase != Phase::ChooseConfidence)
        return false;
    auto stored = m_database->answerCurrentCell(m_sessionId, m_chosenClass, confidence);
    if (!stored) {
        fail(tr("The answer was not saved: %1").arg(QString::fromStdString(stored.error())));
        return false;
    }
    const int answeredPosition = m_session.position;
    if (m_session.kind == db::SessionKind::Audit) {
        // A finished pair of reviews closes its audit item right away.
        auto resolved = labelling::resolveAudits(*m_database, QStringLiteral("label audit"));
        if (!resolved)
            fail(tr("The review was saved, but the audit could not be updated: %1")
                     .arg(QString::fromStdString(resolved.error())));
    }
    ++m_session.position;
    showCurrent();
    emit answered(answeredPosition);
    if (m_session.isComplete())
        emit sessionComplete();
    return true;
}

void LabellingView::back()
{
    if (!m_valid)
        return;
    if (m_phase == Phase::ChooseConfidence) {
        m_chosenClass.clear();
        m_phase = Phase::ChooseClass;
        updatePrompt();
        return;
    }
    if (m_session.position <= 0)
        return;
    auto undone = m_database->undoLastAnswer(m_sessionId);
    if (!undone) {
        fail(tr("Cannot take the answer back: %1").arg(QString::fromStdString(undone.error())));
        return;
    }
    m_session.position = *undone;
    showCurrent();
}

void LabellingView::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    const bool plain = (event->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier;
    if (key == Qt::Key_Backspace || (key == Qt::Key_Z && event->modifiers() == Qt::ControlModifier)) {
        back();
        event->accept();
        return;
    }
    if (plain && key == Qt::Key_Escape && m_phase == Phase::ChooseConfidence) {
        back();
        event->accept();
        return;
    }
    if (plain && m_phase == Phase::ChooseClass) {
        for (const LabellingKey &k : m_keys) {
            if (k.key == key) {
                chooseClass(k.classId);
                event->accept();
                return;
            }
        }
    }
    if (plain && m_phase == Phase::ChooseConfidence) {
        for (const ConfidenceKey &k : kConfidenceKeys) {
            if (k.key == key) {
                chooseConfidence(k.confidence);
                event->accept();
                return;
            }
        }
    }
    QWidget::keyPressEvent(event);
}

} // namespace cytodiff::ui
