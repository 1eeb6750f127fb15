#include "migrations.h"

namespace cytodiff::db {
namespace {

// Portability (a PostgreSQL workspace is planned): standard types and
// constraints only. The two SQLite-specific forms are marked:
//  - "INTEGER PRIMARY KEY" is SQLite's rowid alias; PostgreSQL spells it
//    "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY".
//  - triggers use SQLite's RAISE(); PostgreSQL needs a trigger function.
// BLOB maps to BYTEA. Timestamps are ISO-8601 UTC text so that they sort
// and read the same everywhere.
// cells.image is the last column on purpose: SQLite reads a row's columns
// in order, so lists that skip the image never touch its overflow pages.
const char *const kSchema1 = R"sql(
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    name         VARCHAR(200) NOT NULL UNIQUE,
    slide_id     VARCHAR(200),
    specimen     VARCHAR(200),
    source_path  TEXT,
    instrument   VARCHAR(200),
    imported_at  VARCHAR(32) NOT NULL,
    status       VARCHAR(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'signed')),
    signed_by    VARCHAR(200),
    signed_at    VARCHAR(32)
);

-- One image is one physical cell: the SHA-256 is unique across the whole
-- workspace, so re-importing an export (under any case name) adds nothing.
CREATE TABLE cells (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    sha256         CHAR(64) NOT NULL UNIQUE,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    original_name  TEXT NOT NULL,
    source_path    TEXT NOT NULL,
    label_class    VARCHAR(64),
    raw_code       VARCHAR(200),
    unknown_code   SMALLINT NOT NULL DEFAULT 0 CHECK (unknown_code IN (0, 1)),
    pos_x          DOUBLE PRECISION,
    pos_y          DOUBLE PRECISION,
    imported_at    VARCHAR(32) NOT NULL,
    image          BLOB NOT NULL
);
CREATE INDEX cells_case_id ON cells (case_id);

CREATE TABLE predictions (
    id               INTEGER PRIMARY KEY,
    cell_id          INTEGER NOT NULL REFERENCES cells (id),
    model_id         VARCHAR(200) NOT NULL,
    predicted_class  VARCHAR(64) NOT NULL,
    confidence       DOUBLE PRECISION,
    anomaly          DOUBLE PRECISION,
    scores           TEXT NOT NULL,
    nfe              INTEGER NOT NULL DEFAULT 0,
    created_at       VARCHAR(32) NOT NULL
);
CREATE INDEX predictions_cell_id ON predictions (cell_id);

CREATE TABLE labellers (
    id                INTEGER PRIMARY KEY,
    name              VARCHAR(200) NOT NULL UNIQUE,
    years_experience  INTEGER
);

CREATE TABLE labels (
    id           INTEGER PRIMARY KEY,
    cell_id      INTEGER NOT NULL REFERENCES cells (id),
    labeller_id  INTEGER NOT NULL REFERENCES labellers (id),
    class        VARCHAR(64) NOT NULL,
    confidence   VARCHAR(16) NOT NULL CHECK (confidence IN ('High', 'Moderate', 'Low', 'No')),
    created_at   VARCHAR(32) NOT NULL
);
CREATE INDEX labels_cell_id ON labels (cell_id);

-- Append-only record of label changes and sign-offs (who, when, old, new,
-- why). Earlier values are never obscured: the triggers below refuse any
-- UPDATE or DELETE, whoever issues it.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          VARCHAR(32) NOT NULL,
    actor       VARCHAR(200) NOT NULL,
    action      VARCHAR(32) NOT NULL,
    entity      VARCHAR(32) NOT NULL,
    entity_id   INTEGER NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    reason      TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
END;
)sql";

// LEAD: issue 8 (hardening). Numbered 2 on the hardening branch only;
// another branch adds migrations 2 and 3, so give this one the next free
// number when merging (its SQL does not depend on theirs).
//
// INSERT OR REPLACE (and REPLACE INTO) with an existing id deletes the old
// entry without firing DELETE triggers (SQLite fires them on REPLACE only
// with recursive_triggers, a per-connection setting that a sqlite3 shell
// does not have), so it could overwrite an audit entry. A trigger in the
// schema refuses it on every connection.
const char *const kAuditNoReplace = R"sql(
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be replaced');
END;
)sql";

} // namespace

const std::vector<Migration> &migrations()
{
    static const std::vector<Migration> list = {
        {1, "cases, cells, predictions, labellers, labels, audit log", kSchema1},
        {2, "audit log: refuse INSERT OR REPLACE of an existing entry", kAuditNoReplace}, // LEAD: renumber
    };
    return list;
}

int latestSchemaVersion()
{
    return migrations().back().version;
}

} // namespace cytodiff::db
