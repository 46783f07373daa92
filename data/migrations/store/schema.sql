-- The advisory store: public OSV data, shared by every project on the machine.
--
-- This is the schema as it stands, made at once in a new file. A file made by an
-- older build is brought to it by the numbered steps beside this one; a test
-- holds the two equal.

-- Each source's provenance: where and when it was fetched, and its validators.
-- A source's records are written as they are read, before its name is known (a
-- mirror is named after its records), under the key of a new source row that
-- takes the name when the load is complete.
CREATE TABLE source (
    key           INTEGER PRIMARY KEY,
    name          TEXT UNIQUE, -- NULL only while the source loads, inside its transaction
    location      TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    data_date     TEXT NOT NULL, -- how current the data is (see Store docs)
    etag          TEXT,
    last_modified TEXT,
    content_sha256 TEXT NOT NULL,
    record_count  INTEGER NOT NULL,
    skipped       TEXT NOT NULL  -- JSON array of {entry, reason} for records that did not load
);

-- One OSV record, kept whole, and what matching reads of it: an audit reads
-- the versions of every record that names one of its packages, and the whole
-- record only where they match.
CREATE TABLE advisory (
    source   INTEGER NOT NULL REFERENCES source(key),
    id       TEXT NOT NULL,
    modified TEXT NOT NULL,
    record   BLOB NOT NULL, -- the OSV JSON
    versions BLOB,          -- JSON: withdrawn and affected versions; NULL: read the record
    PRIMARY KEY (source, id)
);
CREATE INDEX advisory_by_id ON advisory (id);

-- The packages each record names, for lookup by (ecosystem, normalised name).
-- Keyed by its record, so that deleting a source's records finds their
-- packages by index instead of scanning every source's.
CREATE TABLE affected_package (
    source    INTEGER NOT NULL,
    id        TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (source, id, ecosystem, name),
    FOREIGN KEY (source, id) REFERENCES advisory(source, id)
) WITHOUT ROWID;
CREATE INDEX affected_package_lookup ON affected_package (ecosystem, name);

-- The ecosystems each source holds records for, written when the source is
-- loaded: every audit asks which ecosystems the store covers.
CREATE TABLE source_ecosystem (
    source    INTEGER NOT NULL REFERENCES source(key),
    ecosystem TEXT NOT NULL,
    PRIMARY KEY (source, ecosystem)
) WITHOUT ROWID;
