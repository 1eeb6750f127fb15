#pragma once
// Every review edit of a case: reclassify (one cell or many), confirm the
// class shown, undo/redo, sign-off. Each edit goes through the GUI
// thread's database connection first (db::Database::setLabel and the
// review entries of ReviewStore, all in the audit log with who and when),
// then into the gallery model, so what the screen shows is what is stored.
//
// Edits are QUndoCommands that own what they replaced (old label, old
// review state) (Tiled's pattern): undo writes the old values back as new
// audit entries; the log is append-only, so nothing is ever erased.
// A signed case is only changed by amendments with a reason, asked for
// through the reason provider; signing clears the undo stack.

#include "result.h"

#include <QList>
#include <QObject>
#include <QString>

#include <functional>

class QUndoStack;

namespace cytodiff::db {
class Database;
}

namespace cytodiff::ui {

class CellGalleryModel;

// One cell's edit: what it was and what it becomes.
struct LabelChange {
    qint64 cellId = 0;
    QString oldLabel;
    QString newLabel;
    bool wasReviewed = false;
};

struct SignCheck {
    bool allowed = false;
    int unreviewed = 0; // queue cells without a verdict
    QString reason;     // why not, for the user
};

class ReviewController : public QObject {
    Q_OBJECT
public:
    explicit ReviewController(QObject *parent = nullptr);
    ~ReviewController() override;

    // Neither is owned. Changing them clears the undo stack: its commands
    // refer to the previous case's cells.
    void setContext(db::Database *database, CellGalleryModel *model);
    void setActor(const QString &actor) { m_actor = actor; }
    QString actor() const { return m_actor; }
    // Asked for a reason before an amendment of a signed case; an empty
    // answer cancels the edit. Without a provider amendments are refused.
    void setAmendmentReasonProvider(std::function<QString(int cellCount)> provider);
    // Set while the case is being classified: signing waits for it.
    void setClassificationRunning(bool running) { m_classifying = running; }

    QUndoStack *undoStack() const { return m_undoStack; }

    // Gives every cell the class (empty = unidentified) and marks it
    // reviewed: one undo step.
    Result<void> reclassify(const QList<qint64> &cellIds, const QString &classId);
    // Accepts the class each cell is shown with (its working class).
    Result<void> confirm(const QList<qint64> &cellIds);

    SignCheck signCheck() const;
    Result<void> signCase();

    // Used by the undo commands.
    Result<void> apply(const QList<LabelChange> &changes, bool forward, const QString &reason);

signals:
    void edited(const QList<qint64> &cellIds);
    void caseSigned(qint64 caseId);
    void errorOccurred(const QString &message);

private:
    Result<void> push(const QList<LabelChange> &changes, const QString &text);
    bool caseIsSigned() const;

    db::Database *m_database = nullptr;
    CellGalleryModel *m_model = nullptr;
    QString m_actor;
    std::function<QString(int)> m_reasonProvider;
    QUndoStack *m_undoStack = nullptr;
    bool m_classifying = false;
};

} // namespace cytodiff::ui
