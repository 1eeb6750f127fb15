#pragma once
// The case database: one SQLite file per laboratory workspace.
//
// One Database owns one connection; use one per thread (the GUI thread and
// each worker open their own). Every expected failure (busy, newer schema,
// missing case, constraint) is a Result error with a readable message;
// nothing here throws or exits.

#include "connection.h"
#include "labelledcellcursor.h" // complete type for labelledCells()' Result
#include "labellingrecords.h"
#include "records.h"
#include "result.h"
#include "statement.h"

#include <QList>
#include <QMap>
#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

struct sqlite3;

namespace cytodiff::db {

class Transaction;

struct OpenOptions {
    // How long a write waits for another writer before it fails.
    int busyTimeoutMs = 5000;
    // A laboratory server that wants a password libpq's own sources
    // (PGPASSWORD, ~/.pgpass) do not give asks this (the address shown);
    // a null answer gives up. Empty: no prompt.
    std::function<QString(const QString &serverAddress)> askPassword;
};

class Database {
public:
    // 'CYDF': marks a file as a CytoDiff workspace (PRAGMA application_id).
    static constexpr std::int32_t kApplicationId = 0x43594446;

    // Opens (creating if needed) a workspace file, or a laboratory server's
    // database ("postgresql://user@host:port/dbname"), and migrates it to
    // the latest schema. A file written by a newer CytoDiff opens read-only:
    // reads work, every write fails with readOnlyReason().
    static Result<Database> open(const QString &path, const OpenOptions &options = {});
    static Result<Database> openInMemory(const OpenOptions &options = {});

    Database(Database &&other) noexcept;
    Database &operator=(Database &&other) noexcept;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;
    ~Database();

    QString path() const;         // empty for in-memory; a server's address without password
    int schemaVersion() const;    // the file's user_version after opening
    QString journalMode() const;  // "wal" for files, "memory" in memory, "server" on PostgreSQL
    bool isReadOnly() const;
    QString readOnlyReason() const;
    // Fails with readOnlyReason() when writes are refused.
    Result<void> ensureWritable() const;

    // Changes whenever another connection (another program, or one of this
    // program's workers) commits to the workspace; this connection's own
    // writes leave it alone. Windows poll it to refresh (issue 23).
    Result<qint64> dataVersion() const;

    // ---- low level (for migrations, tests and future stores) ----
    Engine engine() const;
    // The SQLite handle; nullptr on a PostgreSQL server.
    sqlite3 *handle() const;
    Connection *connection() const;
    // The server login on PostgreSQL (the actor the server records for
    // every audited change); empty on SQLite.
    QString serverLogin() const;
    // Changes when a server connection was opened again after it was
    // lost (session state such as advisory locks is gone then); 0 on SQLite.
    int sessionGeneration() const;
    Result<Statement> prepare(std::string_view sql) const;
    // Runs a script of one or more statements without results.
    Result<void> execScript(std::string_view sql);

    // ---- cases ----
    Result<qint64> createCase(const NewCase &newCase);
    // By exact name first; if no case has that name and the text is a
    // number, by id.
    Result<CaseRow> findCase(const QString &nameOrId) const;
    Result<CaseRow> caseById(qint64 caseId) const;
    // nullopt when no case has that name (not an error).
    Result<std::optional<CaseRow>> caseByName(const QString &name) const;
    Result<QList<CaseRow>> listCases() const; // by name, with cell counts

    // ---- cells ----
    // Adds a cell, or returns the existing cell with the same SHA-256.
    Result<InsertedCell> insertCell(const NewCell &cell);
    Result<std::optional<qint64>> findCellBySha256(const QString &sha256) const;
    Result<CellSummary> cell(qint64 cellId) const;
    // No image bytes: cheap enough for 10,000-cell galleries.
    Result<QList<CellSummary>> cellsOfCase(qint64 caseId) const;
    Result<QList<qint64>> cellIdsOfCase(qint64 caseId) const;
    Result<QByteArray> cellImage(qint64 cellId) const;
    // Streams labelled cells for training; see LabelledCellCursor.
    Result<LabelledCellCursor> labelledCells(const LabelledCellQuery &query = {}) const;
    Result<qint64> countLabelledCells(const LabelledCellQuery &query = {}) const;

    // ---- domain checks (databasedomain.cpp) ----
    // A case's latest domain check (DomainVerdict JSON); replaces the last.
    Result<void> storeDomainCheck(qint64 caseId, const QString &modelId, bool outside, const QString &verdictJson);
    Result<std::optional<DomainCheckRow>> domainCheck(qint64 caseId) const;

    // ---- predictions ----
    // A second model's call on a cell (second_opinions), kept apart from
    // the primary model's predictions.
    Result<qint64> insertSecondOpinion(qint64 cellId, const QString &modelId, const QString &predictedClass,
                                       double confidence);
    // Cells of the case without a second opinion from modelId, in id order.
    Result<QList<qint64>> cellsWithoutSecondOpinion(qint64 caseId, const QString &modelId) const;
    // Cells of the case with no prediction from modelId, in id order: what a
    // classification run still has to do (so a restart resumes).
    Result<QList<qint64>> cellsWithoutPrediction(qint64 caseId, const QString &modelId) const;
    // NaN confidence/anomaly are stored as NULL (unknown).
    Result<qint64> insertPrediction(qint64 cellId, const QString &modelId, const QString &predictedClass,
                                    double confidence, double anomaly, const QMap<QString, double> &scores,
                                    int nfe);
    // The newest prediction of each cell of the case (any model).
    Result<QList<PredictionRow>> latestPredictions(qint64 caseId) const;
    Result<QList<PredictionRow>> predictionsOfCell(qint64 cellId) const;
    // The newest prediction of one model for each cell of the case that has
    // one (what an interrupted classification already finished).
    Result<QList<PredictionRow>> predictionsOfModel(qint64 caseId, const QString &modelId) const;

    // ---- review (each writes the audit log in the same transaction) ----
    // Sets the cell's working class (null/empty = unidentified). On a
    // signed case this is an amendment and needs a reason.
    Result<void> setLabel(qint64 cellId, const QString &labelClass, const QString &actor,
                          const QString &reason = {});
    Result<void> signCase(qint64 caseId, const QString &actor, const QString &reason = {});
    // Replaces a case's laboratory identifiers (all four: an empty one is
    // cleared), audited with the old and new values; on a signed case this
    // is an amendment and needs a reason. Refuses an identifier that
    // identifierProblem() rejects. Unchanged identifiers write nothing.
    Result<void> setCaseIdentifiers(qint64 caseId, const CaseIdentifiers &ids, const QString &actor,
                                    const QString &reason = {});
    // Appends one audit entry (its id and, if null, its time are filled in).
    Result<qint64> appendAudit(const AuditEntry &entry);
    Result<QList<AuditEntry>> auditLog(const QString &entity, qint64 entityId) const;

    // ---- expert labelling ----
    // Returns the existing labeller's id when the name is taken.
    Result<qint64> addLabeller(const QString &name, int yearsExperience);
    Result<QList<LabellerRow>> listLabellers() const;
    Result<qint64> addExpertLabel(qint64 cellId, qint64 labellerId, const QString &labelClass,
                                  LabelConfidence confidence, std::optional<qint64> sessionId = {});
    Result<QList<LabelRow>> labelsOfCell(qint64 cellId) const;

    // ---- labelling sessions and label audit (databaselabelling.cpp) ----
    Result<LabellerRow> labeller(qint64 labellerId) const;
    Result<void> updateLabeller(qint64 labellerId, const QString &name, int yearsExperience);
    Result<qint64> createLabellingSession(const NewLabellingSession &session);
    Result<QList<LabellingSessionRow>> listLabellingSessions() const;
    Result<LabellingSessionRow> labellingSession(qint64 sessionId) const;
    Result<QList<SessionCell>> sessionCells(qint64 sessionId) const;
    // Cells marked common in any session (the agreement subset so far).
    Result<QList<qint64>> commonCells() const;
    // Cells any labelling session presents, with how many sessions do.
    Result<QMap<qint64, int>> sessionCoverage() const;
    // Stores the answer for the session's current cell and moves on; one
    // transaction with its audit entry. Fails when the session is complete.
    Result<qint64> answerCurrentCell(qint64 sessionId, const QString &labelClass, LabelConfidence confidence);
    // Takes back the last answer (the label is marked withdrawn and logged)
    // and steps back one cell. Returns the position now current; fails at 0.
    Result<int> undoLastAnswer(qint64 sessionId);
    // Every (cell, labeller)'s current answer, by cell id.
    Result<QList<ActiveLabel>> activeLabels() const;
    // The newest prediction of each cell from models whose id starts with
    // the prefix (cross-validation models are "crossval:...").
    Result<QList<PredictionRow>> latestPredictionsByModelPrefix(const QString &prefix) const;
    Result<qint64> queueAuditItem(const NewAuditItem &item);
    Result<void> setAuditReviewerSession(qint64 itemId, qint64 labellerId, qint64 sessionId);
    Result<QList<AuditItemRow>> auditItems() const;
    // Closes an item with its outcome and logs it (action "audit").
    Result<void> resolveAuditItem(qint64 itemId, const QString &consensusAfter, const QString &actor,
                                  const QString &reason);

private:
    friend class Transaction;
    struct State;

    explicit Database(std::unique_ptr<State> state);
    static Result<Database> openUri(const QString &path, bool inMemory, const OpenOptions &options);
    static Result<Database> openServer(const QString &uri, const OpenOptions &options);
    Result<void> configure(const OpenOptions &options);
    Result<void> configureServer();
    Result<int> storedSchemaVersion();
    Result<void> migrate();
    int &transactionDepth();

    std::unique_ptr<State> m_state;
};

// Current UTC time as stored in the database.
QString nowText();
QDateTime fromDbTime(const QString &text);

} // namespace cytodiff::db
