-- Sources get a numeric key. A source's records are written as they are read,
-- before its name is known (a mirror is named after its records), under the
-- key of a new source row that takes the name when the load is complete.
-- affected_package is keyed by its record, so that deleting a source's
-- records finds their packages by index instead of scanning every source's.

CREATE TABLE source_keyed (
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
INSERT INTO source_keyed (name, location, fetched_at, data_date, etag, last_modified,
                          content_sha256, record_count, skipped)
    SELECT name, location, fetched_at, data_date, etag, last_modified,
           content_sha256, record_count, skipped
    FROM source ORDER BY name;

-- One OSV record, kept whole.
CREATE TABLE advisory_keyed (
    source   INTEGER NOT NULL REFERENCES source_keyed(key),
    id       TEXT NOT NULL,
    modified TEXT NOT NULL,
    record   BLOB NOT NULL, -- the OSV JSON
    PRIMARY KEY (source, id)
);
INSERT INTO advisory_keyed (source, id, modified, record)
    SELECT s.key, a.id, a.modified, a.record
    FROM advisory a JOIN source_keyed s ON s.name = a.source;

-- The packages each record names, for lookup by (ecosystem, normalised name).
CREATE TABLE affected_package_keyed (
    source    INTEGER NOT NULL,
    id        TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (source, id, ecosystem, name),
    FOREIGN KEY (source, id) REFERENCES advisory_keyed(source, id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO affected_package_keyed (source, id, ecosystem, name)
    SELECT s.key, p.id, p.ecosystem, p.name
    FROM affected_package p JOIN source_keyed s ON s.name = p.source;

DROP TABLE affected_package;
DROP TABLE advisory;
DROP TABLE source;
ALTER TABLE source_keyed RENAME TO source;
ALTER TABLE advisory_keyed RENAME TO advisory;
ALTER TABLE affected_package_keyed RENAME TO affected_package;
CREATE INDEX advisory_by_id ON advisory (id);
CREATE INDEX affected_package_lookup ON affected_package (ecosystem, name);
