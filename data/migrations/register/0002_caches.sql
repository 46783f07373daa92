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
