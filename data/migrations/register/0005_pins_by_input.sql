-- Pins kept in one tree, by input and then key: pinning an input reads and
-- writes its pins only, one range of the primary key. Each pin had been
-- written to three trees (the table, the index of its key and the index by
-- input).
CREATE TABLE pin_by_input_key (
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
INSERT INTO pin_by_input_key SELECT key, input_path, purl, ecosystem, name, version, source,
    scope, direct, input_sha256, first_seen, last_seen, present FROM pin;
DROP INDEX pin_by_input;
DROP TABLE pin;
ALTER TABLE pin_by_input_key RENAME TO pin;
