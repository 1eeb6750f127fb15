#pragma once
// The blinded labelling view: one cell of a labelling session at a time,
// large, with nothing that could steer the answer (no model prediction, no
// other labeller's answer, no file name: export names often carry a class
// code). A class (button or key), then a confidence (button or key). The
// class keys are those of the review and the Turing test (CellClassKeys:
// 1-9, V, S, A), so a haematologist learns one set; the confidence keys are
// H, M, L, N (labellingConfidenceKeys()). Backspace takes back a chosen
// class or, with no class chosen, the last answer (Ctrl+Z too), and the
// status line says what was taken back. Every answer is stored at once with
// the session's progress, so closing and reopening resumes at the same
// cell. A complete session lists the labeller's own answers.

#include "labellingrecords.h"

#include <QList>
#include <QPixmap>
#include <QString>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableView;
class QVBoxLayout;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class LabellingCellModel;

struct LabellingKey {
    QString classId;
    int key = 0;     // Qt::Key, 0 for none
    QString keyText; // "1", "V", empty for none
};

// One entry per class, in button order: the classes of CellClassKeys with
// their review keys, in that table's order, then any other class with the
// first letter of its English name that is neither a class key of the table
// nor a confidence key (else the first free letter; key 0 when none is
// left).
QList<LabellingKey> labellingKeys(const QStringList &classes);

struct LabellingConfidenceKey {
    db::LabelConfidence confidence = db::LabelConfidence::No;
    int key = 0;
    QString keyText;
};

// H, M, L, N for High, Moderate, Low, No confidence.
const QList<LabellingConfidenceKey> &labellingConfidenceKeys();
// "High" ... "No confidence", and an answer as "Neutrophil (High)": the same
// words in the labelling view and the lists of answers.
QString labellingConfidenceText(db::LabelConfidence confidence);
QString labellingAnswerText(const QString &classId, db::LabelConfidence confidence);

class LabellingView : public QWidget {
    Q_OBJECT
public:
    enum class Phase { ChooseClass, ChooseConfidence, Complete };

    // The database must outlive the view (the GUI thread's connection).
    explicit LabellingView(db::Database *database, qint64 sessionId, QWidget *parent = nullptr);

    bool isValid() const { return m_valid; }
    QString errorText() const { return m_error; }
    qint64 sessionId() const { return m_sessionId; }
    int position() const { return m_session.position; }
    int total() const { return m_session.total; }
    qint64 currentCellId() const;
    Phase phase() const { return m_phase; }
    QString chosenClass() const { return m_chosenClass; }
    const QList<LabellingKey> &keys() const { return m_keys; }
    // The line under the prompt: the answer just saved or taken back.
    QString statusText() const;
    // The labeller's answers, filled when the session is complete.
    const LabellingCellModel *answersModel() const { return m_answersModel; }

    // The same actions as the buttons and keys, for tests and tools.
    bool chooseClass(const QString &classId);
    bool chooseConfidence(db::LabelConfidence confidence);
    void back();

signals:
    void answered(int position);
    void sessionComplete();
    void failed(const QString &message);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void buildUi();
    void buildClassButtons();
    void reload();
    void showCurrent();
    void showAnswers();
    void updatePrompt();
    void updateButtons();
    void updateImage();
    void setStatus(const QString &text, bool undo);
    void fail(const QString &message);

    db::Database *m_database = nullptr;
    qint64 m_sessionId = 0;
    bool m_valid = false;
    QString m_error;
    db::LabellingSessionRow m_session;
    QList<db::SessionCell> m_cells;
    QList<LabellingKey> m_keys;
    Phase m_phase = Phase::ChooseClass;
    QString m_chosenClass;
    QPixmap m_pixmap;

    QLabel *m_title = nullptr;
    QProgressBar *m_progress = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_image = nullptr;
    QLabel *m_answersSummary = nullptr;
    QTableView *m_answersTable = nullptr;
    LabellingCellModel *m_answersModel = nullptr;
    QVBoxLayout *m_classButtonLayout = nullptr;
    QList<QPushButton *> m_classButtons; // parallel to m_keys
    QList<QPushButton *> m_confidenceButtons; // parallel to labellingConfidenceKeys()
    QPushButton *m_backButton = nullptr;
    QLabel *m_prompt = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace cytodiff::ui
