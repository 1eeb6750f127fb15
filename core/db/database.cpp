#include "database.h"

#include "connection.h"
#include "descriptorlocks.h"
#include "labelledcellcursor.h"
#include "migrations.h"
#include "pgconnection.h"
#include "pgdialect.h"
#include "rowreaders.h"
#include "sqliteconnection.h"
#include "transaction.h"
#include "workspacebackup.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <sqlite3.h>

#include <cmath>
#include <string>
#include <utility>

namespace cytodiff::db {

struct Database::State {
    std::unique_ptr<Connection> connection;
    sqlite3 *handle = nullptr; // the SQLite connection's handle; null on a server
    PgConnection *server = nullptr; // the same connection on a server; null for SQLite
    QString path;
    int schemaVersion = 0;
    QString journalMode;
    QString readOnlyReason;
    int transactionDepth = 0;
    qint64 serverChanges = 0; // notifications from other sessions so far
};

namespace {

std::string quoted(const QString &text)
{
    return QStringLiteral("'%1'").arg(text).toStdString();
}

// One statement, one integer result (PRAGMAs, COUNT(*)).
Result<qint64> queryInt(const Database &db, std::string_view sql)
{
    auto statement = db.prepare(sql);
    if (!statement)
        return makeError(statement.error());
    auto row = statement->step();
    if (!row)
        return makeError(row.error());
    if (!*row)
        return makeError("internal error: no result for " + std::string(sql));
    return statement->int64(0);
}

Result<QString> queryText(const Database &db, std::string_view sql)
{
    auto statement = db.prepare(sql);
    if (!statement)
        return makeError(statement.error());
    auto row = statement->step();
    if (!row)
        return makeError(row.error());
    if (!*row)
        return makeError("internal error: no result for " + std::string(sql));
    return statement->text(0);
}

std::optional<double> finiteOrNull(double value)
{
    if (std::isfinite(value))
        return value;
    return std::nullopt;
}

QString scoresToJson(const QMap<QString, double> &scores)
{
    QJsonObject object;
    for (auto it = scores.cbegin(); it != scores.cend(); ++it)
        object.insert(it.key(), std::isfinite(it.value()) ? QJsonValue(it.value()) : QJsonValue());
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QMap<QString, double> scoresFromJson(const QString &json)
{
    QMap<QString, double> scores;
    const QJsonObject object = QJsonDocument::fromJson(json.toUtf8()).object();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        scores.insert(it.key(), it.value().isDouble() ? it.value().toDouble() : std::nan(""));
    return scores;
}

constexpr std::string_view kCaseColumns =
    "SELECT k.id, k.name, k.slide_id, k.specimen, k.source_path, k.instrument, k.imported_at, "
    "k.status, k.signed_by, k.signed_at, "
    "(SELECT COUNT(*) FROM cells x WHERE x.case_id = k.id), "
    "(SELECT COUNT(*) FROM cells x WHERE x.case_id = k.id AND x.label_class IS NOT NULL), "
    "k.accession, k.patient_id "
    "FROM cases k ";

CaseRow readCase(const Statement &s)
{
    CaseRow row;
    row.id = s.int64(0);
    row.name = s.text(1);
    row.slideId = s.text(2);
    row.specimen = s.text(3);
    row.sourcePath = s.text(4);
    row.instrument = s.text(5);
    row.importedAt = fromDbTime(s.text(6));
    row.status = s.text(7);
    row.signedBy = s.text(8);
    row.signedAt = fromDbTime(s.text(9));
    row.cellCount = s.int32(10);
    row.labelledCount = s.int32(11);
    row.accession = s.text(12);
    row.patientId = s.text(13);
    return row;
}

// The latest prediction (and second opinion) is the one with the highest id
// (ids only grow).
constexpr std::string_view kCellColumns =
    "SELECT c.id, c.case_id, c.original_name, c.source_path, c.label_class, c.raw_code, "
    "c.unknown_code, c.width, c.height, c.pos_x, c.pos_y, c.sha256, "
    "p.model_id, p.predicted_class, p.confidence, p.anomaly, p.scores, p.nfe, "
    "s.model_id, s.predicted_class "
    "FROM cells c LEFT JOIN predictions p "
    "ON p.id = (SELECT MAX(p2.id) FROM predictions p2 WHERE p2.cell_id = c.id) "
    "LEFT JOIN second_opinions s "
    "ON s.id = (SELECT MAX(s2.id) FROM second_opinions s2 WHERE s2.cell_id = c.id) ";

CellSummary readCell(const Statement &s)
{
    CellSummary row;
    row.id = s.int64(0);
    row.caseId = s.int64(1);
    row.originalName = s.text(2);
    row.sourcePath = s.text(3);
    row.labelClass = s.text(4);
    row.rawCode = s.text(5);
    row.unknownCode = s.int64(6) != 0;
    row.width = s.int32(7);
    row.height = s.int32(8);
    row.x = s.optionalReal(9);
    row.y = s.optionalReal(10);
    row.sha256 = s.text(11);
    row.hasPrediction = !s.isNull(12);
    if (row.hasPrediction) {
        row.modelId = s.text(12);
        row.predictedClass = s.text(13);
        row.confidence = s.optionalReal(14);
        row.anomaly = s.optionalReal(15);
        row.scores = scoresFromJson(s.text(16));
        row.nfe = s.int32(17);
    }
    if (!s.isNull(18)) {
        row.secondOpinionModelId = s.text(18);
        row.secondOpinionClass = s.text(19);
    }
    return row;
}

} // namespace

PredictionRow readPrediction(const Statement &s)
{
    PredictionRow row;
    row.id = s.int64(0);
    row.cellId = s.int64(1);
    row.modelId = s.text(2);
    row.predictedClass = s.text(3);
    row.confidence = s.optionalReal(4);
    row.anomaly = s.optionalReal(5);
    row.scores = scoresFromJson(s.text(6));
    row.nfe = s.int32(7);
    row.createdAt = fromDbTime(s.text(8));
    return row;
}

QString nowText()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QDateTime fromDbTime(const QString &text)
{
    if (text.isEmpty())
        return {};
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    return time.toUTC();
}

// ---------------------------------------------------------------- opening

Database::Database(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Database::Database(Database &&other) noexcept = default;
Database &Database::operator=(Database &&other) noexcept = default;
Database::~Database() = default;

Result<Database> Database::open(const QString &path, const OpenOptions &options)
{
    if (path.isEmpty())
        return makeError("no workspace file given");
    if (isServerUri(path))
        return openServer(path, options);
    if (QFileInfo(path).isDir())
        return makeError(quoted(path) + " is a folder, not a workspace file");
    return openUri(path, false, options);
}

Result<Database> Database::openInMemory(const OpenOptions &options)
{
    return openUri(QString(), true, options);
}

Result<Database> Database::openUri(const QString &path, bool inMemory, const OpenOptions &options)
{
    // Before the first connection of the process: a file dialog or a MIME
    // sniffer closing the workspace file must not drop our locks (issue 19).
    // Without the override SQLite keeps its POSIX locks, as before.
    (void)installDescriptorLocks();
    auto state = std::make_unique<State>();
    state->path = path;
    const QByteArray name = inMemory ? QByteArray(":memory:") : QDir::toNativeSeparators(path).toUtf8();
    // NOMUTEX: one connection per thread is the rule, so SQLite's own
    // per-connection locking would only cost time.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    sqlite3 *handle = nullptr;
    const int rc = sqlite3_open_v2(name.constData(), &handle, flags, nullptr);
    state->connection = std::make_unique<SqliteConnection>(handle); // closes it, also on failure
    state->handle = handle;
    if (rc != SQLITE_OK) {
        const std::string why = sqliteErrorMessage(handle, rc);
        return makeError("cannot open workspace " + quoted(path) + ": " + why);
    }
    sqlite3_extended_result_codes(handle, 1);
    Database db(std::move(state));
    if (auto configured = db.configure(options); !configured) {
        const std::string where = inMemory ? std::string("in-memory workspace") : quoted(path);
        return makeError("cannot open " + where + ": " + configured.error());
    }
    return db;
}

Result<Database> Database::openServer(const QString &uri, const OpenOptions &options)
{
    auto connection = PgConnection::open(uri, options.askPassword);
    if (!connection)
        return makeError(connection.error());
    auto state = std::make_unique<State>();
    state->path = uri; // never holds a password: open() refuses one
    state->server = connection->get();
    state->connection = std::move(*connection);
    Database db(std::move(state));
    if (auto configured = db.configureServer(); !configured)
        return makeError("cannot open the workspace on " + db.path().toStdString() + ": " + configured.error());
    return db;
}

Result<int> Database::storedSchemaVersion()
{
    if (engine() == Engine::Sqlite) {
        auto version = queryInt(*this, "PRAGMA user_version");
        if (!version)
            return makeError(version.error());
        return static_cast<int>(*version);
    }
    // A query on the catalogue, not to_regclass(): that reads the session's
    // cached catalogue, which an advisory lock does not refresh, so a
    // station that waited for another's migration would not see its table.
    auto exists = queryInt(*this, "SELECT COUNT(*) FROM pg_catalog.pg_tables "
                                  "WHERE schemaname = current_schema() AND tablename = 'cytodiff_workspace'");
    if (!exists)
        return makeError(exists.error());
    if (!*exists)
        return 0;
    auto version = queryInt(*this, "SELECT COALESCE(MAX(schema_version), 0) FROM cytodiff_workspace");
    if (!version)
        return makeError(version.error());
    return static_cast<int>(*version);
}

Result<void> Database::configureServer()
{
    m_state->journalMode = QStringLiteral("server");
    auto version = storedSchemaVersion();
    if (!version)
        return makeError(version.error());
    m_state->schemaVersion = *version;
    if (*version == 0) {
        // Our databases get their marker table in migration 1, so tables
        // without it belong to another program: leave them alone.
        auto tables = queryInt(*this, "SELECT COUNT(*) FROM information_schema.tables "
                                      "WHERE table_schema = current_schema()");
        if (!tables)
            return makeError(tables.error());
        // Another station may have just committed migration 1: its tables
        // and the marker appear together, so look at the marker again.
        auto again = *tables > 0 ? storedSchemaVersion() : Result<int>(0);
        if (!again)
            return makeError(again.error());
        if (*tables > 0 && *again == 0)
            return makeError("not a CytoDiff workspace (the database holds another program's tables); "
                             "create an empty database for CytoDiff");
        m_state->schemaVersion = *again;
        *version = *again;
    }
    const int latest = latestSchemaVersion();
    if (*version > latest) {
        m_state->readOnlyReason =
            QStringLiteral("This workspace was written by a newer CytoDiff (schema %1 > %2); "
                           "update CytoDiff to change it.")
                .arg(*version)
                .arg(latest);
        return execScript("SET default_transaction_read_only = on");
    }
    return migrate();
}

Result<void> Database::configure(const OpenOptions &options)
{
    sqlite3_busy_timeout(m_state->handle, options.busyTimeoutMs);
    if (auto fk = execScript("PRAGMA foreign_keys = ON"); !fk)
        return fk;

    // The first read of the file: also where "file is not a database" shows.
    auto applicationId = queryInt(*this, "PRAGMA application_id");
    if (!applicationId)
        return makeError(applicationId.error());
    auto version = queryInt(*this, "PRAGMA user_version");
    if (!version)
        return makeError(version.error());
    m_state->schemaVersion = static_cast<int>(*version);

    if (*applicationId != 0 && *applicationId != kApplicationId) {
        return makeError("not a CytoDiff workspace (it belongs to another program: application id " +
                         std::to_string(*applicationId) + ")");
    }
    if (*applicationId == 0) {
        // Our files get their id in migration 1, so an id-less file with
        // tables is some other program's database: leave it alone.
        auto tables = queryInt(*this, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'");
        if (!tables)
            return makeError(tables.error());
        if (*tables > 0)
            return makeError("not a CytoDiff workspace (an SQLite database of another program)");
    }

    const int latest = latestSchemaVersion();
    if (m_state->schemaVersion > latest) {
        m_state->readOnlyReason =
            QStringLiteral("This workspace was written by a newer CytoDiff (schema %1 > %2); "
                           "update CytoDiff to change it.")
                .arg(m_state->schemaVersion)
                .arg(latest);
        // Belt and braces: SQLite itself refuses writes from now on.
        if (auto readOnly = execScript("PRAGMA query_only = 1"); !readOnly)
            return readOnly;
        auto mode = queryText(*this, "PRAGMA journal_mode");
        m_state->journalMode = mode ? *mode : QString();
        return {};
    }
    if (sqlite3_db_readonly(m_state->handle, "main") == 1) {
        if (m_state->schemaVersion < latest)
            return makeError("the workspace file is read-only and needs an upgrade to schema " +
                             std::to_string(latest) + "; make it writable and open it again");
        m_state->readOnlyReason =
            QStringLiteral("The workspace file is read-only (file permissions); it can be viewed but not changed.");
        auto mode = queryText(*this, "PRAGMA journal_mode");
        m_state->journalMode = mode ? *mode : QString();
        return {};
    }

    // WAL lets the GUI read while an import or classification writes. It
    // can silently fail (e.g. some network file systems), so check.
    auto mode = queryText(*this, "PRAGMA journal_mode = WAL");
    if (!mode)
        return makeError(mode.error());
    m_state->journalMode = mode->toLower();
    const bool inMemory = m_state->path.isEmpty();
    if (m_state->journalMode != QLatin1String("wal") &&
        !(inMemory && m_state->journalMode == QLatin1String("memory"))) {
        return makeError("cannot switch the workspace to write-ahead logging (journal mode stays " +
                         quoted(m_state->journalMode) +
                         "); keep workspaces on a local disk, not a network share");
    }
    return migrate();
}

Result<void> Database::migrate()
{
    // Only a workspace that existed before this open is worth a copy; a new
    // file passes through every migration without one.
    // (A server is backed up by its administrators: pg_dump, docs/deployment.md.)
    const bool existing = m_state->schemaVersion > 0 && !m_state->path.isEmpty() && engine() == Engine::Sqlite;
    bool backedUp = false;
    for (const Migration &migration : migrations()) {
        if (migration.version <= m_state->schemaVersion)
            continue;
        // An existing workspace is copied before its first change of
        // schema, so a failed or unwanted upgrade can be undone.
        if (existing && !backedUp) {
            auto backup = backupWorkspace(*this, QStringLiteral("before-migration-%1").arg(migration.version));
            if (!backup)
                return makeError("no upgrade of the workspace without a backup first, and the backup failed: " +
                                 backup.error());
            backedUp = true;
        }
        auto transaction = Transaction::begin(*this);
        if (!transaction)
            return makeError(transaction.error());
        const bool server = engine() == Engine::Postgres;
        // Stations opening a new server database at once: one migrates,
        // the others wait here (the lock ends with the transaction).
        if (server) {
            if (auto locked = execScript("SELECT pg_advisory_xact_lock(" + std::to_string(kApplicationId) + ")");
                !locked)
                return makeError(locked.error());
        }
        // Another process may have migrated while we waited for the lock.
        auto current = storedSchemaVersion();
        if (!current)
            return makeError(current.error());
        if (*current >= migration.version) {
            m_state->schemaVersion = static_cast<int>(*current);
            continue; // the transaction rolls back: nothing was written
        }
        std::string script;
        if (server) {
            if (migration.version == 1)
                script = "CREATE TABLE cytodiff_workspace (application VARCHAR(16) NOT NULL, "
                         "schema_version BIGINT NOT NULL);\n"
                         "INSERT INTO cytodiff_workspace VALUES ('CytoDiff', 0);\n";
            script += postgresMigrationSql(migration);
            script += "\nUPDATE cytodiff_workspace SET schema_version = " + std::to_string(migration.version) + ";";
        } else {
            script = migration.sql;
            if (migration.version == 1)
                script += "\nPRAGMA application_id = " + std::to_string(kApplicationId) + ";";
            // PRAGMAs take no bound parameters; the version is our own integer.
            script += "\nPRAGMA user_version = " + std::to_string(migration.version) + ";";
        }
        if (auto applied = execScript(script); !applied) {
            if (server && applied.error().find("refused this") != std::string::npos)
                return makeError("the workspace needs an upgrade to schema " + std::to_string(latestSchemaVersion())
                                 + ", which only its administrator may make: run `cytodiff-cli server-setup` as the "
                                   "database's owner (" + applied.error() + ")");
            return makeError("schema migration " + std::to_string(migration.version) + " (" +
                             migration.description + ") failed: " + applied.error());
        }
        if (auto committed = transaction->commit(); !committed)
            return committed;
        m_state->schemaVersion = migration.version;
    }
    return {};
}

int &Database::transactionDepth()
{
    return m_state->transactionDepth;
}

QString Database::path() const { return m_state ? m_state->path : QString(); }
int Database::schemaVersion() const { return m_state ? m_state->schemaVersion : 0; }
QString Database::journalMode() const { return m_state ? m_state->journalMode : QString(); }
bool Database::isReadOnly() const { return m_state && !m_state->readOnlyReason.isEmpty(); }
QString Database::readOnlyReason() const { return m_state ? m_state->readOnlyReason : QString(); }
sqlite3 *Database::handle() const { return m_state ? m_state->handle : nullptr; }

Result<void> Database::ensureWritable() const
{
    if (!m_state || !m_state->connection)
        return makeError("the workspace is not open");
    if (!m_state->readOnlyReason.isEmpty())
        return makeError(m_state->readOnlyReason.toStdString());
    return {};
}

Result<qint64> Database::dataVersion() const
{
    if (engine() == Engine::Postgres) {
        m_state->serverChanges += m_state->server->takeChangeNotifications();
        return m_state->serverChanges;
    }
    auto statement = prepare("PRAGMA data_version");
    if (!statement)
        return makeError(statement.error());
    return singleRow<qint64>(*statement, [](const Statement &row) { return row.int64(0); },
                             "SQLite reported no data version");
}

Result<Statement> Database::prepare(std::string_view sql) const
{
    if (!m_state || !m_state->connection)
        return makeError("the workspace is not open");
    return m_state->connection->prepare(sql);
}

Result<void> Database::execScript(std::string_view sql)
{
    if (!m_state || !m_state->connection)
        return makeError("the workspace is not open");
    return m_state->connection->execScript(sql);
}

QString Database::serverLogin() const
{
    if (engine() != Engine::Postgres)
        return {};
    return m_state->server->user();
}

int Database::sessionGeneration() const
{
    if (engine() != Engine::Postgres)
        return 0;
    return m_state->server->generation();
}

Connection *Database::connection() const { return m_state ? m_state->connection.get() : nullptr; }

Engine Database::engine() const { return m_state && m_state->connection ? m_state->connection->engine() : Engine::Sqlite; }

// ---------------------------------------------------------------- cases

Result<qint64> Database::createCase(const NewCase &newCase)
{
    if (auto writable = ensureWritable(); !writable)
        return makeError(writable.error());
    if (newCase.name.trimmed().isEmpty())
        return makeError("a case needs a name");
    auto existing = caseByName(newCase.name);
    if (!existing)
        return makeError(existing.error());
    if (*existing)
        return makeError("a case named " + quoted(newCase.name) + " already exists");
    // RETURNING is understood by SQLite >= 3.35 and PostgreSQL alike.
    if (const QString problem = identifiersProblem(
            {newCase.accession, newCase.specimen, newCase.patientId, newCase.slideId});
        !problem.isEmpty())
        return makeError("case " + quoted(newCase.name) + ": " + problem.toStdString());
    auto insert = prepare("INSERT INTO cases (name, slide_id, specimen, accession, patient_id, source_path, "
                          "instrument, imported_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open') RETURNING id");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, newCase.name)
        .bindOptional(2, newCase.slideId)
        .bindOptional(3, newCase.specimen)
        .bindOptional(4, newCase.accession)
        .bindOptional(5, newCase.patientId)
        .bindOptional(6, newCase.sourcePath)
        .bindOptional(7, newCase.instrument)
        .bind(8, nowText());
    auto id = insert->execReturningId();
    if (!id)
        return makeError("cannot create case " + quoted(newCase.name) + ": " + id.error());
    return *id;
}

Result<std::optional<CaseRow>> Database::caseByName(const QString &name) const
{
    auto query = prepare(std::string(kCaseColumns) + "WHERE k.name = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, name);
    auto row = query->step();
    if (!row)
        return makeError(row.error());
    if (!*row)
        return std::optional<CaseRow>();
    return std::optional<CaseRow>(readCase(*query));
}

Result<CaseRow> Database::caseById(qint64 caseId) const
{
    auto query = prepare(std::string(kCaseColumns) + "WHERE k.id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId);
    return singleRow<CaseRow>(*query, readCase, "no case with id " + std::to_string(caseId));
}

Result<CaseRow> Database::findCase(const QString &nameOrId) const
{
    auto byName = caseByName(nameOrId);
    if (!byName)
        return makeError(byName.error());
    if (*byName)
        return **byName;
    bool isNumber = false;
    const qint64 id = nameOrId.toLongLong(&isNumber);
    if (isNumber) {
        auto byId = caseById(id);
        if (byId)
            return byId;
    }
    return makeError("no case named " + quoted(nameOrId) + " (see 'cytodiff-cli cases')");
}

Result<QList<CaseRow>> Database::listCases() const
{
    auto query = prepare(std::string(kCaseColumns) + "ORDER BY k.name");
    if (!query)
        return makeError(query.error());
    return collectRows<CaseRow>(*query, readCase);
}

// ---------------------------------------------------------------- cells

Result<std::optional<qint64>> Database::findCellBySha256(const QString &sha256) const
{
    auto query = prepare("SELECT id FROM cells WHERE sha256 = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, sha256.toLower());
    auto row = query->step();
    if (!row)
        return makeError(row.error());
    if (!*row)
        return std::optional<qint64>();
    return std::optional<qint64>(query->int64(0));
}

Result<InsertedCell> Database::insertCell(const NewCell &cell)
{
    if (auto writable = ensureWritable(); !writable)
        return makeError(writable.error());
    if (cell.sha256.size() != 64)
        return makeError("internal error: a cell needs its 64-digit SHA-256");
    auto existing = findCellBySha256(cell.sha256);
    if (!existing)
        return makeError(existing.error());
    if (*existing)
        return InsertedCell{**existing, false};

    auto insert = prepare("INSERT INTO cells (case_id, sha256, width, height, original_name, source_path, "
                          "label_class, raw_code, unknown_code, pos_x, pos_y, imported_at, image) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, cell.caseId)
        .bind(2, cell.sha256.toLower())
        .bind(3, cell.width)
        .bind(4, cell.height)
        .bind(5, cell.originalName)
        .bind(6, cell.sourcePath)
        .bindOptional(7, cell.labelClass.isEmpty() ? QString() : cell.labelClass)
        .bindOptional(8, cell.rawCode.isEmpty() ? QString() : cell.rawCode)
        .bind(9, cell.unknownCode ? 1 : 0)
        .bindOptional(10, cell.x)
        .bindOptional(11, cell.y)
        .bind(12, nowText())
        .bindBlob(13, cell.image);
    auto id = insert->execReturningId();
    if (!id)
        return makeError("cannot add cell " + quoted(cell.originalName) + ": " + id.error());
    return InsertedCell{*id, true};
}

Result<CellSummary> Database::cell(qint64 cellId) const
{
    auto query = prepare(std::string(kCellColumns) + "WHERE c.id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, cellId);
    return singleRow<CellSummary>(*query, readCell, "no cell with id " + std::to_string(cellId));
}

Result<QList<CellSummary>> Database::cellsOfCase(qint64 caseId) const
{
    auto query = prepare(std::string(kCellColumns) + "WHERE c.case_id = ? ORDER BY c.id");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId);
    return collectRows<CellSummary>(*query, readCell);
}

Result<QList<qint64>> Database::cellIdsOfCase(qint64 caseId) const
{
    auto query = prepare("SELECT id FROM cells WHERE case_id = ? ORDER BY id");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId);
    return collectRows<qint64>(*query, [](const Statement &s) { return s.int64(0); });
}

Result<QByteArray> Database::cellImage(qint64 cellId) const
{
    auto query = prepare("SELECT image FROM cells WHERE id = ?");
    if (!query)
        return makeError(query.error());
    query->bind(1, cellId);
    return singleRow<QByteArray>(*query, [](const Statement &s) { return s.blob(0); }, "no cell with id " + std::to_string(cellId));
}

namespace {

// WHERE clause and bindings shared by labelledCells and countLabelledCells.
std::string labelledFilter(const LabelledCellQuery &query)
{
    std::string where = "WHERE c.label_class IS NOT NULL";
    if (query.caseId)
        where += " AND c.case_id = ?";
    if (!query.classes.isEmpty()) {
        where += " AND c.label_class IN (?";
        for (qsizetype i = 1; i < query.classes.size(); ++i)
            where += ", ?";
        where += ")";
    }
    return where;
}

void bindLabelledFilter(Statement &statement, const LabelledCellQuery &query)
{
    int index = 1;
    if (query.caseId)
        statement.bind(index++, *query.caseId);
    for (const QString &name : query.classes)
        statement.bind(index++, name);
}

} // namespace

Result<LabelledCellCursor> Database::labelledCells(const LabelledCellQuery &query) const
{
    std::string sql = "SELECT c.id, c.case_id, k.name, c.label_class";
    sql += query.withImages ? ", c.image" : ", NULL";
    sql += " FROM cells c JOIN cases k ON k.id = c.case_id " + labelledFilter(query) + " ORDER BY c.id";
    auto statement = prepare(sql);
    if (!statement)
        return makeError(statement.error());
    bindLabelledFilter(*statement, query);
    return LabelledCellCursor(std::move(*statement), query.withImages);
}

Result<qint64> Database::countLabelledCells(const LabelledCellQuery &query) const
{
    auto statement = prepare("SELECT COUNT(*) FROM cells c " + labelledFilter(query));
    if (!statement)
        return makeError(statement.error());
    bindLabelledFilter(*statement, query);
    auto row = statement->step();
    if (!row)
        return makeError(row.error());
    return *row ? statement->int64(0) : 0;
}

// ---------------------------------------------------------------- predictions

Result<qint64> Database::insertPrediction(qint64 cellId, const QString &modelId, const QString &predictedClass,
                                          double confidence, double anomaly,
                                          const QMap<QString, double> &scores, int nfe)
{
    if (auto writable = ensureWritable(); !writable)
        return makeError(writable.error());
    auto insert = prepare("INSERT INTO predictions (cell_id, model_id, predicted_class, confidence, anomaly, "
                          "scores, nfe, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, cellId)
        .bind(2, modelId)
        .bind(3, predictedClass)
        .bindOptional(4, finiteOrNull(confidence))
        .bindOptional(5, finiteOrNull(anomaly))
        .bind(6, scoresToJson(scores))
        .bind(7, nfe)
        .bind(8, nowText());
    auto id = insert->execReturningId();
    if (!id)
        return makeError("cannot store the prediction of cell " + std::to_string(cellId) + ": " + id.error());
    return *id;
}

Result<qint64> Database::insertSecondOpinion(qint64 cellId, const QString &modelId, const QString &predictedClass,
                                             double confidence)
{
    if (auto writable = ensureWritable(); !writable)
        return makeError(writable.error());
    auto insert = prepare("INSERT INTO second_opinions (cell_id, model_id, predicted_class, confidence, created_at) "
                          "VALUES (?, ?, ?, ?, ?) RETURNING id");
    if (!insert)
        return makeError(insert.error());
    insert->bind(1, cellId).bind(2, modelId).bind(3, predictedClass).bindOptional(4, finiteOrNull(confidence)).bind(5, nowText());
    auto id = insert->execReturningId();
    if (!id)
        return makeError("cannot store the second opinion on cell " + std::to_string(cellId) + ": " + id.error());
    return *id;
}

namespace {

// Cells of the case with no row of modelId in a per-cell model table
// (predictions, second_opinions), in id order. The table is one of our
// own names, never user input.
Result<QList<qint64>> cellsWithoutRowOf(const Database &database, const char *table, qint64 caseId,
                                        const QString &modelId)
{
    auto query = database.prepare(std::string("SELECT c.id FROM cells c WHERE c.case_id = ? AND NOT EXISTS (SELECT 1 FROM ")
                                  + table + " t WHERE t.cell_id = c.id AND t.model_id = ?) ORDER BY c.id");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId).bind(2, modelId);
    return collectRows<qint64>(*query, [](const Statement &s) { return s.int64(0); });
}

} // namespace

Result<QList<qint64>> Database::cellsWithoutSecondOpinion(qint64 caseId, const QString &modelId) const
{
    return cellsWithoutRowOf(*this, "second_opinions", caseId, modelId);
}

Result<QList<qint64>> Database::cellsWithoutPrediction(qint64 caseId, const QString &modelId) const
{
    return cellsWithoutRowOf(*this, "predictions", caseId, modelId);
}

Result<QList<PredictionRow>> Database::latestPredictions(qint64 caseId) const
{
    auto query = prepare(std::string(kPredictionColumns) +
                         "JOIN cells c ON c.id = p.cell_id WHERE c.case_id = ? "
                         "AND p.id = (SELECT MAX(p2.id) FROM predictions p2 WHERE p2.cell_id = p.cell_id) "
                         "ORDER BY p.cell_id");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId);
    return collectRows<PredictionRow>(*query, readPrediction);
}

Result<QList<PredictionRow>> Database::predictionsOfCell(qint64 cellId) const
{
    auto query = prepare(std::string(kPredictionColumns) + "WHERE p.cell_id = ? ORDER BY p.id");
    if (!query)
        return makeError(query.error());
    query->bind(1, cellId);
    return collectRows<PredictionRow>(*query, readPrediction);
}

Result<QList<PredictionRow>> Database::predictionsOfModel(qint64 caseId, const QString &modelId) const
{
    auto query = prepare(std::string(kPredictionColumns) +
                         "JOIN cells c ON c.id = p.cell_id WHERE c.case_id = ? AND p.model_id = ? "
                         "AND p.id = (SELECT MAX(p2.id) FROM predictions p2 WHERE p2.cell_id = p.cell_id "
                         "AND p2.model_id = p.model_id) ORDER BY p.cell_id");
    if (!query)
        return makeError(query.error());
    query->bind(1, caseId).bind(2, modelId);
    return collectRows<PredictionRow>(*query, readPrediction);
}

} // namespace cytodiff::db
