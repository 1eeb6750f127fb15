#pragma once
// Moving a workspace between engines (issue 23 item 6): every table of a
// workspace file copied to an empty laboratory-server workspace, or back,
// with ids, images, labels, predictions, reviews, signatures and the audit
// log as they are; then both sides are counted and checksummed table by
// table. Transient rows (workers' leases, case claims) are not copied.

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace cytodiff::db {

class Database;

struct CopiedTable {
    QString name;
    qint64 rows = 0;
    QByteArray sha256; // over the rows in key order, the same on both sides
};

// `to` must be an empty workspace of the same schema version (a new file,
// or a new server database that CytoDiff has just created). On a server the
// copy runs as the database's owner: the server's own stamps (actor,
// signer) and guards are paused inside the copy's transaction so that the
// history arrives as it was. All or nothing: a failure leaves `to` empty.
Result<QList<CopiedTable>> copyWorkspace(const Database &from, Database &to,
                                         const std::function<void(const QString &table)> &progress = {});

// The row count and checksum of every copied table of one workspace.
Result<QList<CopiedTable>> workspaceChecksums(const Database &database);

} // namespace cytodiff::db
