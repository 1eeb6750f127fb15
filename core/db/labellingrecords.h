#pragma once
// Rows of the expert-labelling tables (migration 2): sessions, the cells a
// session presents, active labels and the label audit. Timestamps are UTC.

#include "records.h"
#include "result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cytodiff::db {

enum class SessionKind { Label, Audit };
QString sessionKindName(SessionKind kind);

struct NewLabellingSession {
    QString name;
    qint64 labellerId = 0;
    SessionKind kind = SessionKind::Label;
    QStringList classes;       // canonical ids, in key order
    QList<qint64> cellIds;     // in presentation order
    QList<qint64> commonCells; // the subset of cellIds shared by all labellers
};

struct LabellingSessionRow {
    qint64 id = 0;
    QString name;
    qint64 labellerId = 0;
    QString labellerName;
    SessionKind kind = SessionKind::Label;
    QStringList classes;
    QDateTime createdAt;
    int position = 0; // next cell to present (== total when complete)
    int total = 0;
    QDateTime completedAt;

    bool isComplete() const { return position >= total; }
};

struct SessionCell {
    int position = 0;
    qint64 cellId = 0;
    bool common = false;
};

// The answer that counts for one (cell, labeller): their latest label that
// was not withdrawn.
struct ActiveLabel {
    qint64 labelId = 0;
    qint64 cellId = 0;
    qint64 labellerId = 0;
    std::optional<qint64> sessionId;
    QString labelClass;
    LabelConfidence confidence = LabelConfidence::No;
};

struct AuditItemRow {
    qint64 id = 0;
    qint64 cellId = 0;
    qint64 predictionId = 0;
    QString predictedClass;
    QString consensusBefore;
    QString status; // "open" or "resolved"
    QString consensusAfter;
    QDateTime queuedAt;
    QDateTime resolvedAt;
    QList<qint64> reviewerIds;
};

// One answer given in a session: the newest label of the session's cell at
// that position that was not taken back.
struct SessionAnswer {
    int position = 0;
    qint64 cellId = 0;
    QString labelClass;
    LabelConfidence confidence = LabelConfidence::No;
};

struct NewAuditItem {
    qint64 cellId = 0;
    qint64 predictionId = 0;
    QString predictedClass;
    QString consensusBefore;
    QList<qint64> reviewerIds; // labellers who have not seen the cell
};

// Reads that only the labelling module needs, kept beside the other
// labelling SQL in databaselabelling.cpp (free functions: the Database
// class stays the shared core's interface).
class Database;

// The session's answers in position order (what the labeller sees at the
// end of the session, and what an undo takes back).
Result<QList<SessionAnswer>> sessionAnswers(const Database &database, qint64 sessionId);
// Every class the workspace already uses: imported labels, model
// predictions and expert answers, sorted.
Result<QStringList> workspaceClasses(const Database &database);

} // namespace cytodiff::db
