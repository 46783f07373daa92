-- The advisory store: public OSV data, shared by every project on the machine.

-- Each source's provenance: where and when it was fetched, and its validators.
CREATE TABLE source (
    name          TEXT NOT NULL PRIMARY KEY,
    location      TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    data_date     TEXT NOT NULL, -- how current the data is (see Store docs)
    etag          TEXT,
    last_modified TEXT,
    content_sha256 TEXT NOT NULL,
    record_count  INTEGER NOT NULL,
    skipped       TEXT NOT NULL  -- JSON array of {entry, reason} for records that did not load
);

-- One OSV record, kept whole.
CREATE TABLE advisory (
    source   TEXT NOT NULL REFERENCES source(name) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    modified TEXT NOT NULL,
    record   BLOB NOT NULL, -- the OSV JSON
    PRIMARY KEY (source, id)
);
CREATE INDEX advisory_by_id ON advisory (id);

-- The packages each record names, for lookup by (ecosystem, normalised name).
CREATE TABLE affected_package (
    source    TEXT NOT NULL,
    id        TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name      TEXT NOT NULL,
    FOREIGN KEY (source, id) REFERENCES advisory(source, id) ON DELETE CASCADE
);
CREATE INDEX affected_package_lookup ON affected_package (ecosystem, name);
