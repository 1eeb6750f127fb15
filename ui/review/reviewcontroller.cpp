#include "reviewcontroller.h"

#include "cellclassnames.h"
#include "cellgallerymodel.h"
#include "counttext.h"
#include "database.h"
#include "reviewpriority.h"
#include "reviewstore.h"
#include "transaction.h"

#include <QLocale>
#include <QPointer>
#include <QTimer>
#include <QUndoCommand>
#include <QUndoStack>

namespace cytodiff::ui {

namespace {

// One review edit. The controller applied it before it was pushed, so the
// first redo() (QUndoStack::push calls it) does nothing.
class ReclassifyCommand : public QUndoCommand {
public:
    ReclassifyCommand(ReviewController *controller, QList<LabelChange> changes, QString reason,
                      const QString &text)
        : QUndoCommand(text), m_controller(controller), m_changes(std::move(changes)), m_reason(std::move(reason))
    {
    }

    void redo() override
    {
        if (m_applied) {
            m_applied = false;
            return;
        }
        run(true);
    }

    void undo() override { run(false); }

private:
    void run(bool forward)
    {
        if (!m_controller)
            return;
        auto result = m_controller->apply(m_changes, forward, m_reason);
        if (!result) {
            // The database refused (busy, read-only): the stack no longer
            // matches what is stored, so it is dropped after this call.
            QPointer<ReviewController> controller = m_controller;
            emit controller->errorOccurred(QString::fromStdString(result.error()));
            QTimer::singleShot(0, controller, [controller] {
                if (controller)
                    controller->undoStack()->clear();
            });
        }
    }

    QPointer<ReviewController> m_controller;
    QList<LabelChange> m_changes;
    QString m_reason;
    bool m_applied = true;
};

QString className(const QString &classId)
{
    return classId.isEmpty() ? ReviewController::tr("Unidentified") : CellClassNames::displayName(classId);
}

} // namespace

ReviewController::ReviewController(QObject *parent) : QObject(parent), m_undoStack(new QUndoStack(this))
{
    m_undoStack->setUndoLimit(500);
}

ReviewController::~ReviewController()
{
    // Commands hold a QPointer to this; clear them before it goes.
    m_undoStack->clear();
}

void ReviewController::setContext(db::Database *database, CellGalleryModel *model)
{
    m_database = database;
    m_model = model;
    m_undoStack->clear();
}

void ReviewController::setAmendmentReasonProvider(std::function<QString(int)> provider)
{
    m_reasonProvider = std::move(provider);
}

void ReviewController::setReviewerName(const QString &name)
{
    m_reviewerName = name.trimmed();
    if (!m_reviewerName.isEmpty())
        m_actor = m_reviewerName;
}

void ReviewController::setReviewerNameProvider(std::function<QString()> provider)
{
    m_nameProvider = std::move(provider);
}

bool ReviewController::ensureReviewerName()
{
    if (!m_reviewerName.isEmpty())
        return true;
    if (!m_nameProvider)
        return false;
    const QString name = m_nameProvider().trimmed();
    if (name.isEmpty())
        return false;
    setReviewerName(name);
    emit reviewerNameChosen(m_reviewerName);
    return true;
}

bool ReviewController::caseIsSigned() const
{
    if (!m_database || !m_model || m_model->caseId() == 0)
        return false;
    auto row = m_database->caseById(m_model->caseId());
    return row && row->isSigned();
}

Result<void> ReviewController::reclassify(const QList<qint64> &cellIds, const QString &classId)
{
    if (!m_model)
        return makeError(tr("No case is open.").toStdString());
    QList<LabelChange> changes;
    for (qint64 id : cellIds) {
        const db::CellSummary *cell = m_model->cellAt(m_model->indexOfCell(id).row());
        if (!cell)
            continue;
        const bool reviewed = m_model->isReviewed(id);
        if (cell->labelClass == classId && reviewed)
            continue; // already this class, already reviewed
        changes.append({id, cell->labelClass, classId, reviewed});
    }
    const QString text = changes.size() == 1
                             ? tr("Reclassify cell as %1").arg(className(classId))
                             : tr("Reclassify %1 as %2").arg(CountText::cells(changes.size()), className(classId));
    return push(changes, text);
}

Result<void> ReviewController::confirm(const QList<qint64> &cellIds)
{
    if (!m_model)
        return makeError(tr("No case is open.").toStdString());
    QList<LabelChange> changes;
    for (qint64 id : cellIds) {
        const db::CellSummary *cell = m_model->cellAt(m_model->indexOfCell(id).row());
        if (!cell || m_model->isReviewed(id))
            continue;
        changes.append({id, cell->labelClass, m_model->workingClass(id), false});
    }
    return push(changes, changes.size() == 1 ? tr("Confirm cell") : tr("Confirm %1").arg(CountText::cells(changes.size())));
}

Result<void> ReviewController::push(const QList<LabelChange> &changes, const QString &text)
{
    if (changes.isEmpty())
        return {};
    if (!m_database)
        return makeError(tr("No workspace is open.").toStdString());
    if (auto writable = m_database->ensureWritable(); !writable)
        return writable;
    if (!m_caseLock.isEmpty())
        return makeError(m_caseLock.toStdString());
    QString reason;
    if (caseIsSigned()) {
        if (!m_reasonProvider)
            return makeError(tr("This case is signed. Changes need an amendment with a reason.").toStdString());
        reason = m_reasonProvider(int(changes.size())).trimmed();
        if (reason.isEmpty())
            return {}; // the reviewer cancelled the amendment
    }
    if (auto applied = apply(changes, true, reason); !applied)
        return applied;
    m_undoStack->push(new ReclassifyCommand(this, changes, reason, text));
    return {};
}

Result<void> ReviewController::apply(const QList<LabelChange> &changes, bool forward, const QString &reason)
{
    if (!m_database || !m_model)
        return makeError(tr("No case is open.").toStdString());
    const bool isSigned = caseIsSigned();
    if (isSigned && reason.isEmpty())
        return makeError(tr("This case is signed. Changes need an amendment with a reason.").toStdString());
    // Undo is an edit like any other in the audit log, marked as such.
    const QString why = forward ? reason
                                : (reason.isEmpty() ? tr("Undo") : tr("%1 (undone)").arg(reason));
    auto transaction = db::Transaction::begin(*m_database);
    if (!transaction)
        return makeError(transaction.error());
    for (const LabelChange &change : changes) {
        const QString target = forward ? change.newLabel : change.oldLabel;
        if (change.oldLabel != change.newLabel) {
            if (auto set = m_database->setLabel(change.cellId, target, m_actor, why); !set)
                return set;
        }
        // A verdict that kept the label is recorded as "verify"; undoing a
        // first verdict records "unreview". Signed cases have no queue.
        if (!isSigned && !change.wasReviewed) {
            const bool reviewed = forward;
            if (auto marked = review::ReviewStore::setReviewed(*m_database, change.cellId, reviewed, target, m_actor,
                                                       forward ? QString() : why);
                !marked)
                return marked;
        }
    }
    if (auto committed = transaction->commit(); !committed)
        return committed;

    QList<qint64> ids;
    ids.reserve(changes.size());
    for (const LabelChange &change : changes) {
        m_model->setLabel(change.cellId, forward ? change.newLabel : change.oldLabel);
        m_model->setReviewed(change.cellId, forward || change.wasReviewed);
        ids << change.cellId;
    }
    emit edited(ids);
    return {};
}

SignCheck ReviewController::signCheck() const
{
    SignCheck check;
    if (!m_database || !m_model || m_model->caseId() == 0) {
        check.reason = tr("No case is open.");
        return check;
    }
    auto row = m_database->caseById(m_model->caseId());
    if (!row) {
        check.reason = QString::fromStdString(row.error());
        return check;
    }
    if (row->isSigned()) {
        check.reason = tr("This case was signed by %1 on %2.")
                           .arg(row->signedBy, QLocale().toString(row->signedAt.toLocalTime(), QLocale::ShortFormat));
        return check;
    }
    if (m_database->isReadOnly()) {
        check.reason = m_database->readOnlyReason();
        return check;
    }
    if (!m_caseLock.isEmpty()) {
        check.reason = m_caseLock;
        return check;
    }
    if (m_accessionRequired && row->accession.isEmpty()) {
        check.reason = tr("Signed results go to the laboratory information system, which files them by accession "
                          "number. Give this case its accession number (Case > Identifiers) before signing.");
        return check;
    }
    if (m_classifying) {
        check.reason = tr("The case is still being classified.");
        return check;
    }
    const review::ReviewThresholds &thresholds = m_model->reviewThresholds();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const db::CellSummary *cell = m_model->cellAt(row);
        if (review::ReviewPriority::inQueue(review::ReviewPriority::group(*cell, thresholds)) && !m_model->isReviewed(cell->id))
            ++check.unreviewed;
    }
    if (check.unreviewed > 0) {
        check.reason = tr("%Ln cell(s) in the review queue have not been reviewed.", nullptr, check.unreviewed);
        return check;
    }
    check.allowed = true;
    return check;
}

Result<void> ReviewController::saveMorphology(const review::CaseMorphology &morphology)
{
    if (!m_database || !m_model || m_model->caseId() == 0)
        return makeError(tr("No case is open.").toStdString());
    if (!m_caseLock.isEmpty())
        return makeError(m_caseLock.toStdString());
    const qint64 caseId = m_model->caseId();
    auto row = m_database->caseById(caseId);
    if (!row)
        return makeError(row.error());
    auto stored = review::MorphologyStore::load(*m_database, caseId);
    if (stored && *stored == morphology)
        return {};
    QString reason;
    if (row->isSigned()) {
        if (!m_reasonProvider)
            return makeError(tr("The case is signed: changes are amendments and need a reason.").toStdString());
        reason = m_reasonProvider(0).trimmed();
        if (reason.isEmpty())
            return makeError(tr("Amendment cancelled: no reason given.").toStdString());
    }
    if (auto saved = review::MorphologyStore::save(*m_database, caseId, morphology, m_actor, reason); !saved)
        return saved;
    emit morphologySaved(caseId);
    return {};
}

Result<void> ReviewController::signCase(const QString &meaning)
{
    const SignCheck check = signCheck();
    if (!check.allowed)
        return makeError(check.reason.toStdString());
    // A signature names the person who signs (21 CFR 11.50): a name they
    // gave, never a default filled in behind their back.
    if (!ensureReviewerName())
        return makeError(tr("Signing needs the reviewer's name. Give it when asked, or in Settings > Review.")
                             .toStdString());
    const qint64 caseId = m_model->caseId();
    if (auto signedOk = m_database->signCase(caseId, m_reviewerName, meaning); !signedOk)
        return signedOk;
    // Undoing a pre-signature edit would now be an amendment: start afresh.
    m_undoStack->clear();
    emit caseSigned(caseId);
    return {};
}

} // namespace cytodiff::ui
