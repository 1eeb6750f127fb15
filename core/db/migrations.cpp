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

// Expert labelling sessions and the label audit (issue 6). labellers and
// labels come from migration 1 and are extended, not duplicated.
//  - A session is one labeller's ordered list of cells; `position` is the
//    index of the next cell to present, so a closed session resumes there.
//  - `common` marks the cells shared by every labeller (agreement subset).
//  - labels.session_id says where an answer was given (NULL: older labels);
//    labels.withdrawn_at marks an answer taken back with "undo" (the row
//    stays, so nothing a labeller said is lost; the audit log has both).
//  - An audit item is a cell whose consensus disagreed with a
//    cross-validated prediction; its two reviewers label it in sessions of
//    kind 'audit'; the outcome (consensus after) is kept here and logged.
const char *const kSchema2 = R"sql(
CREATE TABLE labelling_sessions (
    id            INTEGER PRIMARY KEY,
    name          VARCHAR(200) NOT NULL,
    labeller_id   INTEGER NOT NULL REFERENCES labellers (id),
    kind          VARCHAR(16) NOT NULL DEFAULT 'label' CHECK (kind IN ('label', 'audit')),
    classes       TEXT NOT NULL,
    created_at    VARCHAR(32) NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    completed_at  VARCHAR(32)
);
CREATE INDEX labelling_sessions_labeller ON labelling_sessions (labeller_id);

CREATE TABLE labelling_session_cells (
    session_id  INTEGER NOT NULL REFERENCES labelling_sessions (id),
    position    INTEGER NOT NULL,
    cell_id     INTEGER NOT NULL REFERENCES cells (id),
    common      SMALLINT NOT NULL DEFAULT 0 CHECK (common IN (0, 1)),
    PRIMARY KEY (session_id, position),
    UNIQUE (session_id, cell_id)
);
CREATE INDEX labelling_session_cells_cell ON labelling_session_cells (cell_id);

ALTER TABLE labels ADD COLUMN session_id INTEGER REFERENCES labelling_sessions (id);
ALTER TABLE labels ADD COLUMN withdrawn_at VARCHAR(32);
CREATE INDEX labels_session_id ON labels (session_id);
CREATE INDEX labels_cell_labeller ON labels (cell_id, labeller_id);

CREATE TABLE label_audit_items (
    id                INTEGER PRIMARY KEY,
    cell_id           INTEGER NOT NULL REFERENCES cells (id),
    prediction_id     INTEGER NOT NULL REFERENCES predictions (id),
    predicted_class   VARCHAR(64) NOT NULL,
    consensus_before  VARCHAR(64) NOT NULL,
    status            VARCHAR(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    consensus_after   VARCHAR(64),
    queued_at         VARCHAR(32) NOT NULL,
    resolved_at       VARCHAR(32)
);
CREATE INDEX label_audit_items_cell ON label_audit_items (cell_id);

CREATE TABLE label_audit_reviewers (
    item_id      INTEGER NOT NULL REFERENCES label_audit_items (id),
    labeller_id  INTEGER NOT NULL REFERENCES labellers (id),
    session_id   INTEGER REFERENCES labelling_sessions (id),
    PRIMARY KEY (item_id, labeller_id)
);
)sql";

// The blinded Turing test (method.md section 3). An image row holds the
// exact PNG bytes every reader sees; its truth, class and source cell are
// for the analysis only and are never shown during a test. `code` is an
// opaque random id: nothing about the picture can be read from it, and
// exports name images by it alone. turing_presentations keeps each
// reader's own random order, so an interrupted reading resumes in place.
const char *const kSchema3 = R"sql(
CREATE TABLE turing_tests (
    id           INTEGER PRIMARY KEY,
    name         VARCHAR(200) NOT NULL UNIQUE,
    created_at   VARCHAR(32) NOT NULL,
    model_id     VARCHAR(200) NOT NULL,
    image_size   INTEGER NOT NULL CHECK (image_size > 0),
    class_names  TEXT NOT NULL,
    source       TEXT,
    settings     TEXT
);

CREATE TABLE turing_images (
    id              INTEGER PRIMARY KEY,
    test_id         INTEGER NOT NULL REFERENCES turing_tests (id),
    code            VARCHAR(32) NOT NULL,
    truth           VARCHAR(16) NOT NULL CHECK (truth IN ('real', 'synthetic')),
    class           VARCHAR(64) NOT NULL,
    source_cell_id  INTEGER REFERENCES cells (id),
    source_ref      TEXT,
    image           BLOB NOT NULL,
    UNIQUE (test_id, code),
    CHECK (truth = 'real' OR (source_cell_id IS NULL AND source_ref IS NULL))
);
CREATE INDEX turing_images_test_id ON turing_images (test_id);

CREATE TABLE turing_readers (
    id           INTEGER PRIMARY KEY,
    test_id      INTEGER NOT NULL REFERENCES turing_tests (id),
    name         VARCHAR(200) NOT NULL,
    started_at   VARCHAR(32) NOT NULL,
    finished_at  VARCHAR(32),
    UNIQUE (test_id, name)
);

CREATE TABLE turing_presentations (
    reader_id  INTEGER NOT NULL REFERENCES turing_readers (id),
    position   INTEGER NOT NULL CHECK (position >= 0),
    image_id   INTEGER NOT NULL REFERENCES turing_images (id),
    PRIMARY KEY (reader_id, position),
    UNIQUE (reader_id, image_id)
);

CREATE TABLE turing_answers (
    id            INTEGER PRIMARY KEY,
    reader_id     INTEGER NOT NULL REFERENCES turing_readers (id),
    image_id      INTEGER NOT NULL REFERENCES turing_images (id),
    answer        VARCHAR(16) NOT NULL CHECK (answer IN ('real', 'synthetic')),
    answer_class  VARCHAR(64) NOT NULL,
    time_ms       INTEGER NOT NULL CHECK (time_ms >= 0),
    answered_at   VARCHAR(32) NOT NULL,
    UNIQUE (reader_id, image_id)
);
CREATE INDEX turing_answers_reader_id ON turing_answers (reader_id);
)sql";

// Issue 8 (hardening).
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

// Session 8: a second model's call on each cell (the shipped baseline CNN),
// kept apart from predictions so that "the latest prediction" stays the
// primary model's. Cells on which the two calls differ head the review
// queue: they hold most of the primary model's errors (docs/evaluation.md,
// "A second opinion").
const char *const kSecondOpinions = R"sql(
CREATE TABLE second_opinions (
    id               INTEGER PRIMARY KEY,
    cell_id          INTEGER NOT NULL REFERENCES cells (id),
    model_id         VARCHAR(200) NOT NULL,
    predicted_class  VARCHAR(64) NOT NULL,
    confidence       DOUBLE PRECISION,
    created_at       VARCHAR(32) NOT NULL
);
CREATE INDEX second_opinions_cell_id ON second_opinions (cell_id);
)sql";

// Session 12: the domain check of a case (issue 21): whether its images are
// like the model's training images, as JSON (core/domain's DomainVerdict).
// One row per case, replaced at each classification run; the banner, the
// review queue and sign-off read it.
const char *const kDomainChecks = R"sql(
CREATE TABLE case_domain_checks (
    case_id     INTEGER PRIMARY KEY REFERENCES cases (id),
    model_id    VARCHAR(200) NOT NULL,
    outside     INTEGER NOT NULL,
    verdict     TEXT NOT NULL,
    checked_at  VARCHAR(32) NOT NULL
);
)sql";

// Session 17: the laboratory's order identifiers (issue 24). specimen and
// slide_id exist since migration 1; the accession (order) number and the
// patient id are what a laboratory information system files a result by.
const char *const kCaseIdentifiers = R"sql(
ALTER TABLE cases ADD COLUMN accession VARCHAR(200);
ALTER TABLE cases ADD COLUMN patient_id VARCHAR(200);
CREATE INDEX cases_accession ON cases (accession);
)sql";

// Session 17: results for the laboratory information system (issue 24).
// Every message is stored before it is delivered, so a drop folder or a
// host that is unavailable leaves it queued here, never lost; sent_at is
// set once delivered. kind: F final, C corrected (OBX-11).
const char *const kLisMessages = R"sql(
CREATE TABLE lis_messages (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    control_id   VARCHAR(40) NOT NULL UNIQUE,
    kind         CHAR(1) NOT NULL CHECK (kind IN ('F', 'C')),
    format       VARCHAR(16) NOT NULL,
    message      BLOB NOT NULL,
    created_at   VARCHAR(32) NOT NULL,
    created_by   VARCHAR(200) NOT NULL,
    sent_at      VARCHAR(32),
    destination  TEXT,
    last_error   TEXT
);
CREATE INDEX lis_messages_unsent ON lis_messages (sent_at);
)sql";

// Session 17: red-cell morphology and the platelet estimate of a case
// (issue 24 item 2), as JSON (core/review/morphology.h); every change is
// also in the audit log with the old and new value.
const char *const kCaseMorphology = R"sql(
CREATE TABLE case_morphology (
    case_id     INTEGER PRIMARY KEY REFERENCES cases (id),
    data        TEXT NOT NULL,
    updated_at  VARCHAR(32) NOT NULL,
    updated_by  VARCHAR(200) NOT NULL
);
)sql";

// Session 18: classification workers (issue 23 item 5). A worker leases
// the cells it classifies for a model; a lease that is not renewed
// expires, so the cells of a worker that died go to another. The worker
// stores a call only while its lease stands, in the same transaction that
// ends the lease, so no cell gets two calls of one model from workers.
const char *const kClassificationLeases = R"sql(
CREATE TABLE classification_leases (
    cell_id     INTEGER NOT NULL REFERENCES cells (id),
    model_id    VARCHAR(200) NOT NULL,
    worker      VARCHAR(200) NOT NULL,
    expires_at  VARCHAR(32) NOT NULL,
    PRIMARY KEY (cell_id, model_id)
);
CREATE INDEX classification_leases_worker ON classification_leases (worker);
CREATE INDEX predictions_cell_model ON predictions (cell_id, model_id);
)sql";

// Session 18: who reviews a case on a laboratory server (issue 23 item 3).
// The claim itself is a PostgreSQL advisory lock, which ends with the
// session that holds it (a station that quits or loses its connection);
// this row only says since when, for the other stations' message.
const char *const kCaseClaims = R"sql(
CREATE TABLE case_claims (
    case_id     INTEGER PRIMARY KEY REFERENCES cases (id),
    login       VARCHAR(200) NOT NULL,
    backend     INTEGER NOT NULL,
    since       VARCHAR(32) NOT NULL
);
)sql";

} // namespace

const std::vector<Migration> &migrations()
{
    static const std::vector<Migration> list = {
        {1, "cases, cells, predictions, labellers, labels, audit log", kSchema1},
        {2, "labelling sessions, session cells, label session/withdrawal, label audit", kSchema2},
        {3, "blinded Turing test: tests, images, readers, presentation order, answers", kSchema3},
        {4, "audit log: refuse INSERT OR REPLACE of an existing entry", kAuditNoReplace},
        {5, "second opinions: a second model's call on each cell", kSecondOpinions},
        {6, "domain checks: are a case's images like the model's training images", kDomainChecks},
        {7, "case identifiers: accession number and patient id", kCaseIdentifiers},
        {8, "LIS messages: stored before delivery, queued until sent", kLisMessages},
        {9, "red-cell morphology and platelet estimate of a case", kCaseMorphology},
        {10, "classification workers: leases on the cells they classify", kClassificationLeases},
        {11, "case claims: who reviews a case on a laboratory server, since when", kCaseClaims},
    };
    return list;
}

int latestSchemaVersion()
{
    return migrations().back().version;
}

} // namespace cytodiff::db
