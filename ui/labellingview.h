#pragma once
// The blinded labelling view: one cell of a labelling session at a time,
// large, with nothing that could steer the answer (no model prediction, no
// other labeller's answer, no file name: export names often carry a class
// code). Keyboard only: a class key, then 1-4 for the confidence (High,
// Moderate, Low, No). Backspace takes back a chosen class or, with no class
// chosen, the last answer (Ctrl+Z too). Every answer is stored at once with
// the session's progress, so closing and reopening resumes at the same cell.

#include "labellingrecords.h"

#include <QList>
#include <QPixmap>
#include <QString>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

struct LabellingKey {
    QString classId;
    int key = 0;     // Qt::Key_A..Qt::Key_Z
    QString keyText; // "N"
};

// Letter keys for a class list: the first letter of the class's shown name
// that no earlier class took, else the first free letter. Digits stay free
// for the confidence.
QList<LabellingKey> labellingKeys(const QStringList &classes);

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

    // The same actions as the keys, for buttons and tests.
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
    void reload();
    void showCurrent();
    void updatePrompt();
    void updateImage();
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
    QLabel *m_image = nullptr;
    QLabel *m_prompt = nullptr;
    QLabel *m_classLegend = nullptr;
    QLabel *m_confidenceLegend = nullptr;
    QPushButton *m_backButton = nullptr;
};

} // namespace cytodiff::ui
