#include "workspacecopy.h"

#include "database.h"
#include "transaction.h"

#include <QCryptographicHash>
#include <QMap>
#include <QSet>

namespace cytodiff::db {

namespace {

// Rows that describe the moment, not the workspace's content.
const QSet<QString> kTransient = {QStringLiteral("classification_leases"), QStringLiteral("case_claims")};

enum class Kind { Integer, Real, Text, Blob };

struct Column {
    QString name;
    Kind kind = Kind::Text;
};

struct Table {
    QString name;
    QList<Column> columns;
    QStringList key;       // primary-key columns, in order
    QSet<QString> parents; // tables its foreign keys point at
    bool rowidKey = false; // an INTEGER PRIMARY KEY: an identity column on a server
};

Kind kindOf(const QString &declared)
{
    const QString type = declared.toUpper();
    if (type.contains(QLatin1String("INT")))
        return Kind::Integer;
    if (type.contains(QLatin1String("DOUBLE")) || type.contains(QLatin1String("REAL"))
        || type.contains(QLatin1String("FLOAT")))
        return Kind::Real;
    if (type.contains(QLatin1String("BLOB")))
        return Kind::Blob;
    return Kind::Text;
}

// The schema as the migrations write it, read from a new in-memory
// workspace: the same tables and columns on both engines. Parents first.
Result<QList<Table>> schemaTables()
{
    auto reference = Database::openInMemory();
    if (!reference)
        return makeError(reference.error());
    auto names = reference->prepare("SELECT name FROM sqlite_master WHERE type = 'table' "
                                    "AND name NOT LIKE 'sqlite_%' ORDER BY name");
    if (!names)
        return makeError(names.error());
    auto tableNames = collectRows<QString>(*names, [](const Statement &s) { return s.text(0); });
    if (!tableNames)
        return makeError(tableNames.error());
    QMap<QString, Table> tables;
    for (const QString &name : *tableNames) {
        if (kTransient.contains(name))
            continue;
        Table table;
        table.name = name;
        // PRAGMA arguments cannot be bound; the names are our own tables'.
        auto info = reference->prepare(("PRAGMA table_info(" + name + ")").toStdString());
        if (!info)
            return makeError(info.error());
        QMap<int, QString> keyOrder;
        for (;;) {
            auto row = info->step();
            if (!row)
                return makeError(row.error());
            if (!*row)
                break;
            Column column{info->text(1), kindOf(info->text(2))};
            table.columns.append(column);
            if (info->int32(5) > 0)
                keyOrder.insert(info->int32(5), column.name);
        }
        table.key = keyOrder.values();
        table.rowidKey = table.key == QStringList{QStringLiteral("id")}
                      && table.columns.first().kind == Kind::Integer;
        auto keys = reference->prepare(("PRAGMA foreign_key_list(" + name + ")").toStdString());
        if (!keys)
            return makeError(keys.error());
        for (;;) {
            auto row = keys->step();
            if (!row)
                return makeError(row.error());
            if (!*row)
                break;
            if (keys->text(2) != name)
                table.parents.insert(keys->text(2));
        }
        tables.insert(name, table);
    }
    // Parents before children (the foreign keys hold at every insert).
    QList<Table> ordered;
    QSet<QString> placed;
    while (placed.size() < tables.size()) {
        bool progress = false;
        for (const Table &table : tables) {
            if (placed.contains(table.name))
                continue;
            bool ready = true;
            for (const QString &parent : table.parents)
                ready = ready && (placed.contains(parent) || !tables.contains(parent));
            if (ready) {
                ordered.append(table);
                placed.insert(table.name);
                progress = true;
            }
        }
        if (!progress)
            return makeError("internal error: the workspace's foreign keys form a cycle");
    }
    return ordered;
}

QString columnList(const Table &table)
{
    QStringList names;
    for (const Column &column : table.columns)
        names.append(column.name);
    return names.join(QStringLiteral(", "));
}

QString selectAll(const Table &table)
{
    return QStringLiteral("SELECT %1 FROM %2 ORDER BY %3").arg(columnList(table), table.name, table.key.join(QStringLiteral(", ")));
}

// One value into the checksum, unambiguously (kind, length, bytes).
void hashValue(QCryptographicHash &hash, const Statement &row, int i, Kind kind)
{
    if (row.isNull(i)) {
        hash.addData(QByteArrayView("N", 1));
        return;
    }
    QByteArray bytes;
    switch (kind) {
    case Kind::Integer:
        bytes = "I" + QByteArray::number(row.int64(i));
        break;
    case Kind::Real:
        bytes = "R" + QByteArray::number(row.real(i), 'g', 17);
        break;
    case Kind::Text:
        bytes = "T" + row.text(i).toUtf8();
        break;
    case Kind::Blob:
        bytes = "B" + row.blob(i);
        break;
    }
    hash.addData(QByteArray::number(bytes.size()) + ':' + bytes);
}

Result<CopiedTable> checksum(const Database &database, const Table &table)
{
    auto rows = database.prepare(selectAll(table).toStdString());
    if (!rows)
        return makeError(rows.error());
    CopiedTable out;
    out.name = table.name;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (;;) {
        auto row = rows->step();
        if (!row)
            return makeError(table.name.toStdString() + ": " + row.error());
        if (!*row)
            break;
        for (int i = 0; i < table.columns.size(); ++i)
            hashValue(hash, *rows, i, table.columns.at(i).kind);
        ++out.rows;
    }
    out.sha256 = hash.result().toHex();
    return out;
}

} // namespace

Result<QList<CopiedTable>> workspaceChecksums(const Database &database)
{
    auto tables = schemaTables();
    if (!tables)
        return makeError(tables.error());
    QList<CopiedTable> out;
    for (const Table &table : *tables) {
        auto sum = checksum(database, table);
        if (!sum)
            return makeError(sum.error());
        out.append(*sum);
    }
    return out;
}

Result<QList<CopiedTable>> copyWorkspace(const Database &from, Database &to,
                                         const std::function<void(const QString &table)> &progress)
{
    if (from.schemaVersion() != to.schemaVersion())
        return makeError("the two workspaces have different schema versions (" + std::to_string(from.schemaVersion())
                         + " and " + std::to_string(to.schemaVersion()) + "): open both with this CytoDiff first");
    auto tables = schemaTables();
    if (!tables)
        return makeError(tables.error());
    for (const Table &table : *tables) {
        auto count = to.prepare(("SELECT COUNT(*) FROM " + table.name).toStdString());
        if (!count)
            return makeError(count.error());
        auto row = count->step();
        if (!row)
            return makeError(row.error());
        if (count->int64(0) > 0)
            return makeError("the target workspace is not empty (" + table.name.toStdString()
                             + " has rows): copy into a new workspace only, nothing was written");
    }
    const bool server = to.engine() == Engine::Postgres;
    auto transaction = Transaction::begin(to);
    if (!transaction)
        return makeError(transaction.error());
    if (server) {
        // The history arrives as it was: the stamps (actor, signer) and
        // guards would rewrite or refuse it. Transactional, so a failed copy
        // leaves the triggers as they were.
        for (const Table &table : *tables)
            if (auto paused = to.execScript(("ALTER TABLE " + table.name + " DISABLE TRIGGER USER").toStdString());
                !paused)
                return makeError("pausing the server's triggers needs the database's owner: " + paused.error());
    }
    for (const Table &table : *tables) {
        if (progress)
            progress(table.name);
        auto read = from.prepare(selectAll(table).toStdString());
        if (!read)
            return makeError(read.error());
        QStringList marks;
        for (int i = 0; i < table.columns.size(); ++i)
            marks.append(QStringLiteral("?"));
        auto write = to.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                                    .arg(table.name, columnList(table), marks.join(QStringLiteral(", ")))
                                    .toStdString());
        if (!write)
            return makeError(write.error());
        for (;;) {
            auto row = read->step();
            if (!row)
                return makeError(table.name.toStdString() + ": " + row.error());
            if (!*row)
                break;
            QList<QByteArray> blobs; // alive until the insert ran
            for (int i = 0; i < table.columns.size(); ++i) {
                const int index = i + 1;
                if (read->isNull(i)) {
                    write->bindNull(index);
                    continue;
                }
                switch (table.columns.at(i).kind) {
                case Kind::Integer:
                    write->bind(index, read->int64(i));
                    break;
                case Kind::Real:
                    write->bind(index, read->real(i));
                    break;
                case Kind::Text:
                    write->bind(index, read->text(i));
                    break;
                case Kind::Blob:
                    blobs.append(read->blob(i));
                    write->bindBlob(index, blobs.last());
                    break;
                }
            }
            if (auto inserted = write->exec(); !inserted)
                return makeError(table.name.toStdString() + ": " + inserted.error());
        }
        // Ids go on from the highest copied one.
        if (server && table.rowidKey) {
            const std::string sql = "SELECT setval(pg_get_serial_sequence('" + table.name.toStdString()
                                  + "', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM " + table.name.toStdString();
            if (auto set = to.execScript(sql); !set)
                return makeError(set.error());
        }
    }
    if (server)
        for (const Table &table : *tables)
            if (auto resumed = to.execScript(("ALTER TABLE " + table.name + " ENABLE TRIGGER USER").toStdString());
                !resumed)
                return makeError(resumed.error());
    if (auto committed = transaction->commit(); !committed)
        return makeError(committed.error());

    // Both sides, read back: the same rows, value for value.
    auto source = workspaceChecksums(from);
    auto target = workspaceChecksums(to);
    if (!source)
        return makeError(source.error());
    if (!target)
        return makeError(target.error());
    for (int i = 0; i < source->size(); ++i)
        if (source->at(i).rows != target->at(i).rows || source->at(i).sha256 != target->at(i).sha256)
            return makeError("the copy of " + source->at(i).name.toStdString() + " differs from the original ("
                             + std::to_string(source->at(i).rows) + " rows, " + std::to_string(target->at(i).rows)
                             + " copied): the target workspace cannot be trusted, delete it");
    return *source;
}

} // namespace cytodiff::db
