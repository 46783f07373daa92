-- The project's register: what SOUP is in use, where it was seen, and what each
-- command changed. Rebuildable from the record, the lockfiles, the release SBOMs
-- and the advisory sources; never the only copy of a person's decision.
--
-- This is the schema as it stands, made at once in a new file. A file made by an
-- older build is brought to it by the numbered steps beside this one; a test
-- holds the two equal.

-- Every input file read, by content.
CREATE TABLE input (
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL,
    first_read  TEXT NOT NULL,
    last_read   TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
);

-- A SOUP item at an exact version, as seen in one input file. Kept in one
-- tree, by input and then key: pinning an input reads and writes its pins
-- only, one range of the primary key.
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
    PRIMARY KEY (input_path, key)
) WITHOUT ROWID;

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

-- What a warm audit reuses instead of doing again. Derived data only: dropping
-- these rows costs one slow run, never a decision.

-- The inventory `cargo metadata` gave for a project, with every file it was
-- read from and that file's sha256: valid while all of them are unchanged.
CREATE TABLE inventory_cache (
    manifest  TEXT NOT NULL,  -- the project's Cargo.toml
    variant   TEXT NOT NULL,  -- the options that change the result (target platform)
    program   TEXT NOT NULL,  -- the build that read it: another build reads it again
    input     TEXT NOT NULL,  -- the path its pins are kept under (the workspace's Cargo.lock)
    files     TEXT NOT NULL,  -- JSON [{path, sha256}, ...]
    inventory TEXT NOT NULL,  -- the Inventory as JSON
    PRIMARY KEY (manifest, variant)
);

-- The last result of an audit of one input, under the key of everything that
-- result depends on. Pinning other content under its path deletes it (pins.rs).
CREATE TABLE audit_cache (
    input_path TEXT NOT NULL PRIMARY KEY,
    key        TEXT NOT NULL,
    result     TEXT NOT NULL  -- the result as JSON, written and read by `audit`
);

-- The components of kept inventories, each stored once however many of them
-- hold it: the releases of a fleet share most of their SOUP, and reading a
-- component already read is a look-up by its id. `inventory_cache.inventory`
-- names its components by these ids. Derived data, as the caches are; rows no
-- kept inventory names any more cost only space.
CREATE TABLE kept_component (
    id        INTEGER PRIMARY KEY,
    component TEXT NOT NULL UNIQUE  -- the Component as JSON
);
