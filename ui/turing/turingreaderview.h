#pragma once
// One reader taking a blinded Turing test: one image at a time, at the
// test's fixed size, in the reader's own stored random order. For each
// image the reader answers real or synthetic (R / S) and then the cell
// type (the class keys shown below the image); Backspace goes back to the
// real/synthetic question before the cell type is given. Nothing about an
// image's truth is ever shown, and there is no feedback: the next image
// follows the answer. Answers are written at once, so closing the window
// and reopening the same reader resumes at the first unanswered image.

#include "turingstore.h"

#include <QElapsedTimer>
#include <QList>
#include <QWidget>

class QGridLayout;
class QLabel;
class QProgressBar;
class QPushButton;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class TuringReaderView : public QWidget {
    Q_OBJECT
public:
    struct AnswerKey {
        QString classId;
        int key = 0;
        QString keyText;
    };
    enum class Step { Truth, CellType, Done };

    // database: the GUI thread's connection; it must outlive the view.
    TuringReaderView(db::Database &database, qint64 readerId, QWidget *parent = nullptr);

    // Empty when the view is usable; otherwise why not (also shown).
    QString loadError() const { return m_loadError; }
    qint64 readerId() const { return m_readerId; }
    Step step() const { return m_step; }
    int position() const { return m_position; }
    int total() const { return int(m_order.size()); }
    const QList<AnswerKey> &answerKeys() const { return m_keys; }
    QLabel *imageLabel() const { return m_image; }
    // The keys for a list of classes: the review's class keys where they
    // exist, otherwise free letters (never R or S).
    static QList<AnswerKey> keysFor(const QStringList &classIds);

signals:
    void answered(int position, int total);
    void finished();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void answerTruth(db::TuringTruth truth);
    void answerClass(const QString &classId);
    void back();
    void showCurrent();
    void updatePrompt();
    void fail(const QString &message);

    db::TuringStore m_store;
    qint64 m_readerId;
    db::TuringReaderRow m_reader;
    db::TuringTestRow m_test;
    QList<qint64> m_order;
    QList<AnswerKey> m_keys;
    int m_position = 0;
    Step m_step = Step::Truth;
    db::TuringTruth m_truth = db::TuringTruth::Real;
    QElapsedTimer m_shown;
    QString m_loadError;

    QLabel *m_title = nullptr;
    QPushButton *m_closeButton = nullptr;
    QLabel *m_progressText = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_image = nullptr;
    QLabel *m_prompt = nullptr;
    QPushButton *m_realButton = nullptr;
    QPushButton *m_syntheticButton = nullptr;
    QList<QPushButton *> m_classButtons;
    QLabel *m_hint = nullptr;
};

} // namespace cytodiff::ui
