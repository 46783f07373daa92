-- The ecosystems each source holds records for, written when the source is
-- loaded. Every audit asks which ecosystems the store covers; finding them
-- among the records' packages read the whole affected_package table each
-- time, which grows with every ecosystem's export the store holds.
CREATE TABLE source_ecosystem (
    source    INTEGER NOT NULL REFERENCES source(key),
    ecosystem TEXT NOT NULL,
    PRIMARY KEY (source, ecosystem)
) WITHOUT ROWID;
INSERT INTO source_ecosystem (source, ecosystem)
    SELECT DISTINCT source, ecosystem FROM affected_package;
