#pragma once
// Every review edit of a case: reclassify (one cell or many), confirm the
// class shown, undo/redo, sign-off. Each edit goes through the GUI
// thread's database connection first (db::Database::setLabel and the
// review entries of review::ReviewStore, all in the audit log with who and when),
// then into the gallery model, so what the screen shows is what is stored.
//
// Edits are QUndoCommands that own what they replaced (old label, old
// review state) (Tiled's pattern): undo writes the old values back as new
// audit entries; the log is append-only, so nothing is ever erased.
// A signed case is only changed by amendments with a reason, asked for
// through the reason provider; signing clears the undo stack. A case is
// signed under the reviewer's own name: when none was given, the name
// provider asks for it at the first sign-off (never a placeholder).

#include "morphology.h"
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
    // Who edits, for the audit log (the reviewer's name, else the login).
    void setActor(const QString &actor) { m_actor = actor; }
    // Results go to the LIS, which files them by accession number: signing
    // a case without one is refused.
    void setAccessionRequired(bool required) { m_accessionRequired = required; }
    // Another station reviews the open case (a laboratory server's claim):
    // every change is refused with this reason; empty lifts it.
    void setCaseLock(const QString &reason) { m_caseLock = reason; }
    QString caseLock() const { return m_caseLock; }
    QString actor() const { return m_actor; }
    // Who signs: the name the reviewer gave (Settings > Review, or asked at
    // the first sign-off); empty when none was given yet. Setting it also
    // makes it the actor of later edits.
    void setReviewerName(const QString &name);
    QString reviewerName() const { return m_reviewerName; }
    // Asked for the reviewer's name when a sign-off needs it and none is
    // set; an empty answer cancels the sign-off. Without a provider such a
    // sign-off is refused.
    void setReviewerNameProvider(std::function<QString()> provider);
    // Asks for the name when none is set; false when the reviewer declined
    // (or nobody can be asked). A name given is announced by
    // reviewerNameChosen, for the window to keep.
    bool ensureReviewerName();
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
    // meaning: what the signature means, kept in the audit log (the
    // electronic signature on a laboratory server: "reviewed and approved").
    Result<void> signCase(const QString &meaning = {});
    // Records the open case's red-cell morphology and platelet estimate
    // (audited; on a signed case an amendment: the reason is asked).
    Result<void> saveMorphology(const review::CaseMorphology &morphology);

    // Used by the undo commands.
    Result<void> apply(const QList<LabelChange> &changes, bool forward, const QString &reason);

signals:
    void edited(const QList<qint64> &cellIds);
    void caseSigned(qint64 caseId);
    void morphologySaved(qint64 caseId);
    // A name given in answer to the provider, for the window to keep.
    void reviewerNameChosen(const QString &name);
    void errorOccurred(const QString &message);

private:
    Result<void> push(const QList<LabelChange> &changes, const QString &text);
    bool caseIsSigned() const;

    db::Database *m_database = nullptr;
    CellGalleryModel *m_model = nullptr;
    QString m_actor;
    QString m_reviewerName;
    bool m_accessionRequired = false;
    QString m_caseLock;
    std::function<QString(int)> m_reasonProvider;
    std::function<QString()> m_nameProvider;
    QUndoStack *m_undoStack = nullptr;
    bool m_classifying = false;
};

} // namespace cytodiff::ui
