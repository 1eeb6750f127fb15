#include "labellingview.h"

#include "cellclasskeys.h"
#include "cellclassnames.h"
#include "classnames.h"
#include "database.h"
#include "labelaudit.h"
#include "labellingcellmodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>
#include <utility>

namespace cytodiff::ui {
namespace {

constexpr int kMinimumImageSide = 420;

// Buttons never take the focus: the view keeps it, so the keys keep working
// after a click.
QPushButton *keyButton(const QString &text, const QString &objectName)
{
    auto *button = new QPushButton(text);
    button->setObjectName(objectName);
    button->setFocusPolicy(Qt::NoFocus);
    return button;
}

} // namespace

QString labellingConfidenceText(db::LabelConfidence confidence)
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

QString labellingAnswerText(const QString &classId, db::LabelConfidence confidence)
{
    return LabellingView::tr("%1 (%2)").arg(CellClassNames::displayName(classId), labellingConfidenceText(confidence));
}

const QList<LabellingConfidenceKey> &labellingConfidenceKeys()
{
    // The classes have the digits (as in the review and the Turing test)
    // and V, S, A, so the confidence cannot stay on 1-4. The initials of the
    // levels clash with none of them and are easy to remember; like the
    // class keys they are part of the labelling protocol (docs/labelling.md)
    // and do not change with the interface language.
    static const QList<LabellingConfidenceKey> keys = {
        {db::LabelConfidence::High, Qt::Key_H, QStringLiteral("H")},
        {db::LabelConfidence::Moderate, Qt::Key_M, QStringLiteral("M")},
        {db::LabelConfidence::Low, Qt::Key_L, QStringLiteral("L")},
        {db::LabelConfidence::No, Qt::Key_N, QStringLiteral("N")},
    };
    return keys;
}

QList<LabellingKey> labellingKeys(const QStringList &classes)
{
    QList<LabellingKey> keys;
    // V, S and A name the same class in every module, even in a session
    // without that class; the confidence letters are never a class.
    QString taken;
    for (const ClassKey &entry : CellClassKeys::all())
        if (entry.keyText.size() == 1 && entry.keyText.at(0).isLetter())
            taken.append(entry.keyText);
    for (const LabellingConfidenceKey &entry : labellingConfidenceKeys())
        taken.append(entry.keyText);

    for (const ClassKey &entry : CellClassKeys::all())
        if (classes.contains(entry.classId))
            keys.append({entry.classId, entry.key, entry.keyText});
    for (const QString &classId : classes) {
        const bool done = std::any_of(keys.cbegin(), keys.cend(),
                                      [&classId](const LabellingKey &key) { return key.classId == classId; });
        if (done)
            continue;
        QChar letter;
        // From the English name, not the translated one: the keys must not
        // change with the interface language (German would give other
        // letters than French).
        const QString name = importer::displayName(classId).toUpper();
        for (QChar c : name) {
            if (c >= QLatin1Char('A') && c <= QLatin1Char('Z') && !taken.contains(c)) {
                letter = c;
                break;
            }
        }
        for (char c = 'A'; letter.isNull() && c <= 'Z'; ++c)
            if (!taken.contains(QLatin1Char(c)))
                letter = QLatin1Char(c);
        if (letter.isNull()) {
            keys.append({classId, 0, {}}); // no letter left: a button only
            continue;
        }
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
    m_title->setWordWrap(true);
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
    m_pages = new QStackedWidget;
    m_image = new QLabel;
    m_image->setObjectName(QStringLiteral("labellingImage"));
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setWordWrap(true);
    m_image->setMinimumSize(kMinimumImageSide, kMinimumImageSide);
    m_image->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    m_image->setStyleSheet(QStringLiteral("background: #202020;"));
    m_pages->addWidget(m_image);

    // The end of the session: the labeller's own answers, read-only.
    auto *answersPage = new QWidget;
    auto *answersLayout = new QVBoxLayout(answersPage);
    answersLayout->setContentsMargins(0, 0, 0, 0);
    m_answersSummary = new QLabel;
    m_answersSummary->setObjectName(QStringLiteral("labellingAnswersSummary"));
    m_answersSummary->setWordWrap(true);
    answersLayout->addWidget(m_answersSummary);
    m_answersModel = new LabellingCellModel(m_database, this);
    m_answersTable = new QTableView;
    m_answersTable->setObjectName(QStringLiteral("labellingAnswers"));
    m_answersTable->setModel(m_answersModel);
    m_answersTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_answersTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Backspace must still reach the view (it takes the last answer back).
    m_answersTable->setFocusPolicy(Qt::NoFocus);
    m_answersTable->setIconSize(QSize(LabellingCellModel::kThumbnailSide, LabellingCellModel::kThumbnailSide));
    m_answersTable->verticalHeader()->setVisible(false);
    m_answersTable->verticalHeader()->setDefaultSectionSize(LabellingCellModel::kThumbnailSide + 6);
    m_answersTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_answersTable->horizontalHeader()->setStretchLastSection(true);
    answersLayout->addWidget(m_answersTable, 1);
    m_pages->addWidget(answersPage);
    middle->addWidget(m_pages, 1);

    auto *sideWidget = new QWidget;
    sideWidget->setObjectName(QStringLiteral("labellingSidePanel"));
    auto *side = new QVBoxLayout(sideWidget);
    side->setContentsMargins(0, 0, 0, 0);
    auto *classHeading = new QLabel(tr("<b>Class</b>: click it or press its key"));
    classHeading->setWordWrap(true);
    side->addWidget(classHeading);
    m_classButtonLayout = new QVBoxLayout;
    m_classButtonLayout->setSpacing(2);
    side->addLayout(m_classButtonLayout);
    side->addSpacing(12);
    auto *confidenceHeading = new QLabel(tr("<b>Confidence</b>: then click it or press its key"));
    confidenceHeading->setWordWrap(true);
    side->addWidget(confidenceHeading);
    for (const LabellingConfidenceKey &key : labellingConfidenceKeys()) {
        auto *button = keyButton(QStringLiteral("%1  [%2]").arg(labellingConfidenceText(key.confidence), key.keyText),
                                 QStringLiteral("labellingConfidence_%1").arg(db::labelConfidenceName(key.confidence)));
        const db::LabelConfidence confidence = key.confidence;
        connect(button, &QPushButton::clicked, this, [this, confidence] { chooseConfidence(confidence); });
        side->addWidget(button);
        m_confidenceButtons.append(button);
    }
    side->addStretch(1);
    m_backButton = new QPushButton(tr("Back  [Backspace]"));
    m_backButton->setObjectName(QStringLiteral("labellingBack"));
    m_backButton->setFocusPolicy(Qt::NoFocus);
    connect(m_backButton, &QPushButton::clicked, this, &LabellingView::back);
    side->addWidget(m_backButton);
    middle->addWidget(sideWidget);
    layout->addLayout(middle, 1);

    m_prompt = new QLabel;
    m_prompt->setObjectName(QStringLiteral("labellingPrompt"));
    m_prompt->setAlignment(Qt::AlignCenter);
    m_prompt->setWordWrap(true);
    QFont promptFont = m_prompt->font();
    promptFont.setPointSizeF(promptFont.pointSizeF() * 1.3);
    m_prompt->setFont(promptFont);
    layout->addWidget(m_prompt);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("labellingStatus"));
    m_status->setAlignment(Qt::AlignCenter);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
}

void LabellingView::buildClassButtons()
{
    qDeleteAll(m_classButtons);
    m_classButtons.clear();
    for (const LabellingKey &key : m_keys) {
        const QString name = CellClassNames::displayName(key.classId);
        auto *button = keyButton(key.keyText.isEmpty() ? name : QStringLiteral("%1  [%2]").arg(name, key.keyText),
                                 QStringLiteral("labellingClass_%1").arg(key.classId));
        // Checked while its confidence is asked for.
        button->setCheckable(true);
        const QString classId = key.classId;
        connect(button, &QPushButton::clicked, this, [this, classId] { chooseClass(classId); });
        m_classButtonLayout->addWidget(button);
        m_classButtons.append(button);
    }
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
        updateButtons();
        return;
    }
    auto session = m_database->labellingSession(m_sessionId);
    if (!session) {
        fail(tr("Cannot open the labelling session: %1").arg(QString::fromStdString(session.error())));
        updateButtons();
        return;
    }
    auto cells = m_database->sessionCells(m_sessionId);
    if (!cells) {
        fail(tr("Cannot read the session's cells: %1").arg(QString::fromStdString(cells.error())));
        updateButtons();
        return;
    }
    m_session = *session;
    m_cells = *cells;
    m_keys = labellingKeys(m_session.classes);
    m_valid = true;
    buildClassButtons();
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

QString LabellingView::statusText() const
{
    return m_status->text();
}

void LabellingView::setStatus(const QString &text, bool undo)
{
    // An undo stays marked until the next answer replaces the line.
    m_status->setStyleSheet(undo ? QStringLiteral("color: #9c4a00; font-weight: bold;") : QString());
    m_status->setText(text);
}

void LabellingView::showCurrent()
{
    m_chosenClass.clear();
    m_progress->setRange(0, std::max(1, m_session.total));
    m_progress->setValue(m_session.position);
    if (m_session.isComplete()) {
        m_phase = Phase::Complete;
        m_pixmap = QPixmap();
        m_image->clear();
        showAnswers();
        m_pages->setCurrentIndex(1);
        updateButtons();
        updatePrompt();
        return;
    }
    m_pages->setCurrentIndex(0);
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
    updateButtons();
    updatePrompt();
}

void LabellingView::showAnswers()
{
    QList<LabellingCellModel::Row> rows;
    auto answers = db::sessionAnswers(*m_database, m_sessionId);
    if (!answers) {
        m_answersSummary->setText(tr("All %1 cells have an answer, but the answers cannot be listed: %2")
                                      .arg(m_session.total)
                                      .arg(QString::fromStdString(answers.error())));
    } else {
        for (const db::SessionAnswer &answer : *answers)
            rows.append({answer.cellId,
                         {tr("Cell %1").arg(answer.position + 1), CellClassNames::displayName(answer.labelClass),
                          labellingConfidenceText(answer.confidence)},
                         {}});
        m_answersSummary->setText(tr("Session complete: all %1 cells have an answer. Your answers, in the order "
                                     "the cells were shown (read-only; Backspace takes back the last one):")
                                      .arg(m_session.total));
    }
    m_answersModel->setHeaders({tr("Cell"), tr("Class"), tr("Confidence")});
    m_answersModel->setRows(rows);
    // Sized by hand: sizing the thumbnail column to its contents would
    // decode every thumbnail of a long session, not only those on screen.
    const int text = m_answersTable->fontMetrics().horizontalAdvance(tr("Cell %1").arg(m_session.total));
    m_answersTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Fixed);
    m_answersTable->horizontalHeader()->resizeSection(0, LabellingCellModel::kThumbnailSide + text + 24);
}

void LabellingView::updateImage()
{
    if (m_pixmap.isNull())
        return;
    const QSize target = m_image->size() - QSize(8, 8);
    // Small generated cells are enlarged too: the view is for judging detail.
    m_image->setPixmap(m_pixmap.scaled(target, Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

void LabellingView::updateButtons()
{
    const bool open = m_valid && m_phase != Phase::Complete;
    for (int i = 0; i < m_classButtons.size(); ++i) {
        m_classButtons[i]->setEnabled(open);
        m_classButtons[i]->setChecked(m_phase == Phase::ChooseConfidence && m_keys[i].classId == m_chosenClass);
    }
    for (QPushButton *button : std::as_const(m_confidenceButtons))
        button->setEnabled(m_valid && m_phase == Phase::ChooseConfidence);
    m_backButton->setEnabled(m_valid && (m_phase == Phase::ChooseConfidence || m_session.position > 0));
}

void LabellingView::updatePrompt()
{
    switch (m_phase) {
    case Phase::ChooseClass:
        m_prompt->setText(tr("Cell %1 of %2: which class? Click it or press its key.")
                              .arg(m_session.position + 1)
                              .arg(m_session.total));
        break;
    case Phase::ChooseConfidence: {
        QStringList levels;
        for (const LabellingConfidenceKey &key : labellingConfidenceKeys())
            levels.append(tr("%1 %2").arg(key.keyText, labellingConfidenceText(key.confidence)));
        m_prompt->setText(tr("%1 \u2014 how confident? %2 (Backspace: change the class)")
                              .arg(CellClassNames::displayName(m_chosenClass), levels.join(QStringLiteral(", "))));
        break;
    }
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
    // Another class may be chosen while the confidence is asked for: the
    // class and confidence keys no longer overlap.
    if (!m_valid || m_phase == Phase::Complete || !m_session.classes.contains(classId)) {
        updateButtons(); // undo the toggle of a clicked button
        return false;
    }
    m_chosenClass = classId;
    m_phase = Phase::ChooseConfidence;
    updateButtons();
    updatePrompt();
    return true;
}

bool LabellingView::chooseConfidence(db::LabelConfidence confidence)
{
    if (!m_valid || m_phase != Phase::ChooseConfidence) {
        updateButtons();
        return false;
    }
    auto stored = m_database->answerCurrentCell(m_sessionId, m_chosenClass, confidence);
    if (!stored) {
        fail(tr("The answer was not saved: %1").arg(QString::fromStdString(stored.error())));
        updateButtons();
        return false;
    }
    const int answeredPosition = m_session.position;
    setStatus(tr("Saved: cell %1, %2.").arg(answeredPosition + 1).arg(labellingAnswerText(m_chosenClass, confidence)),
              false);
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
        updateButtons();
        updatePrompt();
        return;
    }
    if (m_session.position <= 0)
        return;
    // Read before the undo: afterwards the answer is withdrawn.
    const int undonePosition = m_session.position - 1;
    std::optional<db::SessionAnswer> undone;
    if (auto answers = db::sessionAnswers(*m_database, m_sessionId))
        for (const db::SessionAnswer &answer : *answers)
            if (answer.position == undonePosition)
                undone = answer;
    auto position = m_database->undoLastAnswer(m_sessionId);
    if (!position) {
        fail(tr("Cannot take the answer back: %1").arg(QString::fromStdString(position.error())));
        return;
    }
    m_session.position = *position;
    showCurrent();
    setStatus(undone ? tr("Undone: cell %1, %2. Answer it again.")
                           .arg(undonePosition + 1)
                           .arg(labellingAnswerText(undone->labelClass, undone->confidence))
                     : tr("Undone: cell %1. Answer it again.").arg(undonePosition + 1),
              true);
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
    if (plain && m_phase != Phase::Complete) {
        for (const LabellingKey &k : m_keys) {
            if (k.key != 0 && k.key == key) {
                chooseClass(k.classId);
                event->accept();
                return;
            }
        }
    }
    if (plain && m_phase == Phase::ChooseConfidence) {
        for (const LabellingConfidenceKey &k : labellingConfidenceKeys()) {
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
