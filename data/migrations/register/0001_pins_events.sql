-- The project's register: what SOUP is in use, where it was seen, and what each
-- command changed. Rebuildable from the record, the lockfiles, the release SBOMs
-- and the advisory sources; never the only copy of a person's decision.

-- Every input file read, by content.
CREATE TABLE input (
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL,
    first_read  TEXT NOT NULL,
    last_read   TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
);

-- A SOUP item at an exact version, as seen in one input file.
CREATE TABLE pin (
    key          TEXT NOT NULL,
    input_path   TEXT NOT NULL,
    purl         TEXT,
    ecosystem    TEXT NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    source       TEXT NOT NULL,
    scope        TEXT NOT NULL,
    direct       INTEGER,
    input_sha256 TEXT NOT NULL,
    first_seen   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    present      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (key, input_path)
);

-- The components of each release baseline, as its SBOM lists them.
CREATE TABLE baseline (
    release      TEXT NOT NULL PRIMARY KEY,
    sbom_path    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);
CREATE TABLE baseline_component (
    release   TEXT NOT NULL REFERENCES baseline(release) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    component TEXT NOT NULL, -- the Component as JSON
    PRIMARY KEY (release, key)
);

-- When each anomaly was first and last detected on a pinned component.
CREATE TABLE anomaly_seen (
    anomaly        TEXT NOT NULL,
    component_key  TEXT NOT NULL,
    first_detected TEXT NOT NULL,
    last_detected  TEXT NOT NULL,
    PRIMARY KEY (anomaly, component_key)
);

-- Which advisory data each audit used.
CREATE TABLE audit_run (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    subject       TEXT NOT NULL,
    advisory_data TEXT NOT NULL -- JSON: sources with location, date, record count
);

-- What each command changed: appended, never updated or deleted.
CREATE TABLE event (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    command TEXT NOT NULL,
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT
);
CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
