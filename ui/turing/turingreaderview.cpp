#include "turingreaderview.h"

#include "cellclasskeys.h"
#include "cellclassnames.h"
#include "database.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace cytodiff::ui {

namespace {
constexpr int kClassColumns = 4;

QString keyName(int key)
{
    return QKeySequence(key).toString(QKeySequence::NativeText);
}
} // namespace

QList<TuringReaderView::AnswerKey> TuringReaderView::keysFor(const QStringList &classIds)
{
    QList<AnswerKey> keys;
    QList<int> used = {Qt::Key_R, Qt::Key_S};
    QStringList withoutKey;
    for (const QString &classId : classIds) {
        const QString text = CellClassKeys::keyText(classId);
        int key = 0;
        for (const ClassKey &entry : CellClassKeys::all()) {
            if (entry.classId == classId)
                key = entry.key;
        }
        if (key != 0 && !used.contains(key)) {
            used << key;
            keys.append({classId, key, text});
        } else {
            keys.append({classId, 0, {}});
        }
    }
    // In key order, as the review queue lists them (1-9, then letters).
    const QList<ClassKey> &table = CellClassKeys::all();
    auto rank = [&table](const AnswerKey &entry) {
        for (int i = 0; i < table.size(); ++i) {
            if (table[i].classId == entry.classId && table[i].key == entry.key)
                return i;
        }
        return int(table.size());
    };
    std::stable_sort(keys.begin(), keys.end(),
                     [&rank](const AnswerKey &a, const AnswerKey &b) { return rank(a) < rank(b); });
    // Classes outside the review's table get the first free letter.
    for (AnswerKey &entry : keys) {
        if (entry.key != 0)
            continue;
        for (int key = Qt::Key_A; key <= Qt::Key_Z; ++key) {
            if (!used.contains(key)) {
                used << key;
                entry.key = key;
                entry.keyText = keyName(key);
                break;
            }
        }
    }
    return keys;
}

TuringReaderView::TuringReaderView(db::Database &database, qint64 readerId, QWidget *parent)
    : QWidget(parent), m_store(database), m_readerId(readerId)
{
    setObjectName(QStringLiteral("turingReaderView"));
    setFocusPolicy(Qt::StrongFocus);

    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("turingReaderTitle"));
    m_progressText = new QLabel;
    m_progressText->setObjectName(QStringLiteral("turingReaderProgressText"));
    m_progress = new QProgressBar;
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(8);

    m_image = new QLabel;
    m_image->setObjectName(QStringLiteral("turingImage"));
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setStyleSheet(QStringLiteral("background: #202020;"));

    m_prompt = new QLabel;
    m_prompt->setObjectName(QStringLiteral("turingPrompt"));
    m_prompt->setAlignment(Qt::AlignCenter);
    QFont promptFont = m_prompt->font();
    promptFont.setPointSizeF(promptFont.pointSizeF() * 1.3);
    promptFont.setBold(true);
    m_prompt->setFont(promptFont);

    m_realButton = new QPushButton;
    m_syntheticButton = new QPushButton;
    for (QPushButton *button : {m_realButton, m_syntheticButton}) {
        button->setFocusPolicy(Qt::NoFocus); // keys go to the view, not the button
        button->setMinimumWidth(160);
    }
    connect(m_realButton, &QPushButton::clicked, this, [this] { answerTruth(db::TuringTruth::Real); });
    connect(m_syntheticButton, &QPushButton::clicked, this, [this] { answerTruth(db::TuringTruth::Synthetic); });
    auto *truthRow = new QHBoxLayout;
    truthRow->addStretch();
    m_closeButton = new QPushButton(tr("Close (resume later)  [Esc]"));
    m_closeButton->setObjectName(QStringLiteral("turingCloseButton"));
    m_closeButton->setFocusPolicy(Qt::NoFocus);
    connect(m_closeButton, &QPushButton::clicked, this, &QWidget::close);
    truthRow->addWidget(m_realButton);
    truthRow->addWidget(m_syntheticButton);
    truthRow->addStretch();

    m_hint = new QLabel;
    m_hint->setObjectName(QStringLiteral("turingHint"));
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignCenter);

    auto *classGrid = new QGridLayout;
    auto *layout = new QVBoxLayout(this);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_closeButton);
    layout->addLayout(titleRow);
    layout->addWidget(m_progressText);
    layout->addWidget(m_progress);
    layout->addStretch();
    layout->addWidget(m_image, 0, Qt::AlignHCenter);
    layout->addSpacing(8);
    layout->addWidget(m_prompt);
    layout->addLayout(truthRow);
    layout->addLayout(classGrid);
    layout->addStretch();
    layout->addWidget(m_hint);

    auto reader = m_store.reader(readerId);
    auto test = reader ? m_store.testById(reader->testId) : Result<db::TuringTestRow>(makeError(reader.error()));
    auto order = reader ? m_store.presentationOrder(readerId) : Result<QList<qint64>>(makeError(reader.error()));
    auto next = reader ? m_store.nextPosition(readerId) : Result<int>(makeError(reader.error()));
    if (!test || !order || !next) {
        fail(QString::fromStdString(!test ? test.error() : !order ? order.error() : next.error()));
        return;
    }
    m_reader = *reader;
    m_test = *test;
    m_order = *order;
    m_position = *next;
    m_keys = keysFor(m_test.classNames);
    m_image->setFixedSize(m_test.imageSize, m_test.imageSize);
    m_title->setText(tr("<b>%1</b> — reader: %2").arg(m_test.name.toHtmlEscaped(), m_reader.name.toHtmlEscaped()));
    m_realButton->setText(tr("Real  [R]"));
    m_syntheticButton->setText(tr("Synthetic  [S]"));
    for (int i = 0; i < m_keys.size(); ++i) {
        const AnswerKey key = m_keys[i];
        auto *button = new QPushButton(QStringLiteral("%1  [%2]").arg(CellClassNames::displayName(key.classId),
                                                                      key.keyText));
        button->setFocusPolicy(Qt::NoFocus);
        button->setObjectName(QStringLiteral("turingClass_") + key.classId);
        connect(button, &QPushButton::clicked, this, [this, key] { answerClass(key.classId); });
        classGrid->addWidget(button, i / kClassColumns, i % kClassColumns);
        m_classButtons << button;
    }
    m_hint->setText(tr("No feedback is given during the test. Answer real or synthetic first (R / S), then the "
                       "cell type (the key in brackets). Backspace or Esc returns to real or synthetic; Esc at the "
                       "real-or-synthetic question closes this window. You can resume later under the same name."));
    m_progress->setRange(0, int(m_order.size()));
    showCurrent();
}

void TuringReaderView::fail(const QString &message)
{
    m_loadError = message;
    m_step = Step::Done;
    m_prompt->setText(tr("This test cannot be shown: %1").arg(message));
    m_realButton->setVisible(false);
    m_syntheticButton->setVisible(false);
    m_image->setVisible(false);
}

void TuringReaderView::showCurrent()
{
    m_progress->setValue(m_position);
    if (m_position >= m_order.size()) {
        m_step = Step::Done;
        m_image->setVisible(false);
        m_progressText->setText(tr("All %1 images answered.").arg(QLocale().toString(m_order.size())));
        updatePrompt();
        emit finished();
        return;
    }
    m_progressText->setText(tr("Image %1 of %2").arg(QLocale().toString(m_position + 1),
                                                     QLocale().toString(m_order.size())));
    auto png = m_store.imagePng(m_order[m_position]);
    QPixmap pixmap;
    if (!png || !pixmap.loadFromData(*png, "PNG")) {
        fail(png ? tr("image %1 cannot be decoded").arg(m_position + 1) : QString::fromStdString(png.error()));
        return;
    }
    // Shown pixel for pixel at the test's image size: every image is
    // stored at that size, so none is scaled differently from another.
    m_image->setPixmap(pixmap);
    m_step = Step::Truth;
    updatePrompt();
    m_shown.start();
}

void TuringReaderView::updatePrompt()
{
    const bool truthStep = m_step == Step::Truth;
    const bool classStep = m_step == Step::CellType;
    m_realButton->setVisible(m_step != Step::Done);
    m_syntheticButton->setVisible(m_step != Step::Done);
    m_realButton->setEnabled(truthStep);
    m_syntheticButton->setEnabled(truthStep);
    for (QPushButton *button : std::as_const(m_classButtons)) {
        button->setVisible(m_step != Step::Done);
        button->setEnabled(classStep);
    }
    if (truthStep) {
        m_prompt->setText(tr("Real or synthetic?  R / S"));
    } else if (classStep) {
        m_prompt->setText(m_truth == db::TuringTruth::Real ? tr("Real — which cell type?")
                                                           : tr("Synthetic — which cell type?"));
    } else {
        m_prompt->setText(tr("Thank you: the test is complete. You may close this window."));
    }
}

void TuringReaderView::answerTruth(db::TuringTruth truth)
{
    if (m_step != Step::Truth)
        return;
    m_truth = truth;
    m_step = Step::CellType;
    updatePrompt();
}

void TuringReaderView::back()
{
    if (m_step != Step::CellType)
        return;
    m_step = Step::Truth;
    updatePrompt();
}

void TuringReaderView::answerClass(const QString &classId)
{
    if (m_step != Step::CellType || m_position >= m_order.size())
        return;
    // From the image appearing to the cell type: the whole decision.
    const qint64 elapsed = m_shown.isValid() ? m_shown.elapsed() : 0;
    auto recorded = m_store.recordAnswer(m_readerId, m_order[m_position], m_truth, classId, elapsed);
    if (!recorded) {
        // The answer is not lost silently: the image stays, and the reason
        // (a read-only or busy workspace) is shown.
        m_prompt->setText(tr("The answer could not be saved: %1").arg(QString::fromStdString(recorded.error())));
        return;
    }
    ++m_position;
    emit answered(m_position, int(m_order.size()));
    showCurrent();
}

void TuringReaderView::keyPressEvent(QKeyEvent *event)
{
    if (event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier)) {
        QWidget::keyPressEvent(event);
        return;
    }
    const int key = event->key();
    if (m_step == Step::Truth && (key == Qt::Key_R || key == Qt::Key_S)) {
        answerTruth(key == Qt::Key_R ? db::TuringTruth::Real : db::TuringTruth::Synthetic);
        return;
    }
    // Esc steps back from the cell type, otherwise closes (answers are
    // already stored; the same name resumes).
    if (key == Qt::Key_Escape && m_step != Step::CellType) {
        close();
        return;
    }
    if (m_step == Step::CellType) {
        if (key == Qt::Key_Backspace || key == Qt::Key_Escape) {
            back();
            return;
        }
        for (const AnswerKey &entry : std::as_const(m_keys)) {
            if (entry.key == key) {
                answerClass(entry.classId);
                return;
            }
        }
    }
    QWidget::keyPressEvent(event);
}

} // namespace cytodiff::ui
