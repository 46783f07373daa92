//! The advisory store: OSV records from every source, shared by all projects on
//! the machine. Each source's data is swapped in one transaction, so a failed
//! or partial download never leaves a half-updated store. Records are written
//! as they are read, inside that transaction: loading a source of any size
//! needs memory for one record at a time.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{RegisterError, migrate};
use time::OffsetDateTime;

use crate::model::Component;

/// The store's schema.
pub(super) const STORE_SCHEMA: migrate::Schema = migrate::Schema {
    current: include_str!("../../data/migrations/store/schema.sql"),
    steps: &[
        include_str!("../../data/migrations/store/0001_advisories.sql"),
        include_str!("../../data/migrations/store/0002_source_keys.sql"),
        include_str!("../../data/migrations/store/0003_source_ecosystems.sql"),
        include_str!("../../data/migrations/store/0004_record_versions.sql"),
    ],
};

/// The page size of a new store. Records are a few KB of JSON each: with
/// SQLite's default of 4 KB most take a page of their own, half empty, and
/// writing them costs a system call per page; 16 KB pages make the store a
/// sixth smaller and loading it a fifth faster.
const STORE_PAGE_SIZE: u32 = 16 * 1024;

/// How much of the store is read through a memory map rather than copied in
/// page by page: an audit reads a few hundred records scattered over the
/// store, and copying their pages was half the time of looking them up. The
/// file never shrinks (nothing vacuums it), so no page a map covers goes away
/// under it; past this size pages are copied. The register is not mapped: a
/// warm audit reads its kept result once, and mapping the file cost more than
/// copying those pages.
const STORE_MMAP_SIZE: i64 = 256 * 1024 * 1024;

/// A record that could not be loaded, and why: the audit says its data is incomplete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub entry: String,
    pub reason: String,
}

/// Where one source's data came from and how current it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// `rustsec`, or `osv:<ecosystem>`.
    pub name: String,
    /// URL, mirror path, or the bundled snapshot.
    pub location: String,
    pub fetched_at: String,
    /// How current the data is: the fetch time for a live source, the snapshot
    /// date for the bundled data, the newest record for a local mirror.
    pub data_date: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_sha256: String,
    pub record_count: usize,
    pub skipped: Vec<Skipped>,
}

/// One record as the store keeps it: what lookups need, and the OSV JSON.
/// The advisory stage builds it; the store never parses a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: String,
    pub modified: OffsetDateTime,
    /// The (ecosystem, normalised name) pairs the record names.
    pub names: BTreeSet<(String, String)>,
    /// What matching reads of the record, in the advisory stage's form, so
    /// that a record that affects none of an audit's versions is not read
    /// whole; `None` to have the whole record read instead.
    pub versions: Option<Vec<u8>>,
    /// The OSV JSON, kept whole.
    pub json: Vec<u8>,
}

/// A record that names a looked-up package, as [`Store::candidates_for`]
/// gives it: what matching reads of it, and where the whole record is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    source: i64,
    id: String,
    versions: Vec<u8>,
}

impl Candidate {
    /// The record's [`StoredRecord::versions`], or its whole JSON where the
    /// store holds none (a row of an older build, which kept no versions).
    pub fn versions(&self) -> &[u8] {
        &self.versions
    }
}

/// A time as text that sorts as the instants do (UTC, nine fractional
/// digits): how the store orders the copies of a record.
fn sortable(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// A new store written whole from an image into a file beside the store's
/// path, and not at that path until [`Staged::place`]: dropping it removes
/// the file, so a run that fails meanwhile leaves no store behind.
pub struct Staged {
    file: tempfile::NamedTempFile,
    path: PathBuf,
}

impl Staged {
    /// Puts the staged store at its path and opens it. When another process
    /// made a store there meanwhile, that one is kept and opened instead,
    /// since it may hold data fetched since.
    pub fn place(self, busy_timeout: Duration) -> Result<Store, RegisterError> {
        match self.file.persist_noclobber(&self.path) {
            Ok(_) => {}
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(RegisterError::Io {
                    path: self.path,
                    source: e.error,
                });
            }
        }
        Store::open_waiting(&self.path, busy_timeout)
    }
}

/// The machine-wide advisory store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the store at `path`, creating and migrating it as needed.
    pub fn open(path: &Path) -> Result<Store, RegisterError> {
        Store::open_waiting(path, migrate::BUSY_TIMEOUT)
    }

    /// Opens the store, waiting at most `busy_timeout` for another process's
    /// lock (`SOUP_BUSY_TIMEOUT_MS`; added for the lock tests).
    pub fn open_waiting(path: &Path, busy_timeout: Duration) -> Result<Store, RegisterError> {
        let conn =
            migrate::open_with_page_size(path, STORE_SCHEMA, busy_timeout, Some(STORE_PAGE_SIZE))?;
        conn.pragma_update(None, "mmap_size", STORE_MMAP_SIZE)
            .map_err(|e| RegisterError::sql(path, e))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Stages a new store at `path` from `image`, a store file holding one
    /// source and nothing in a write-ahead log, stamped as fetched at
    /// `fetched_at` and synced to disk before it can be placed.
    pub fn stage(path: &Path, image: &[u8], fetched_at: &str) -> Result<Staged, RegisterError> {
        let io = |at: &Path| {
            let at = at.to_path_buf();
            move |source| RegisterError::Io { path: at, source }
        };
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = dir.unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut file = tempfile::Builder::new()
            .prefix(".store-")
            .tempfile_in(dir)
            .map_err(io(dir))?;
        std::io::Write::write_all(&mut file, image).map_err(io(file.path()))?;
        let conn = Connection::open(file.path()).map_err(|e| RegisterError::sql(file.path(), e))?;
        // Nothing to roll back to: until it is placed, a failure discards the file.
        conn.pragma_update(None, "journal_mode", "OFF")
            .and_then(|_| conn.execute("UPDATE source SET fetched_at = ?1", [fetched_at]))
            .map_err(|e| RegisterError::sql(file.path(), e))?;
        drop(conn);
        file.as_file().sync_all().map_err(io(file.path()))?;
        Ok(Staged {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Writes the store, compacted, to the new file `to`: how the bundled
    /// store image is made.
    #[cfg(test)]
    pub(crate) fn write_image(&self, to: &Path) -> Result<(), RegisterError> {
        let to = to.to_str().unwrap_or_default();
        self.conn
            .execute("VACUUM INTO ?1", [to])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Everything the store holds, as text: its version, page size, schema and
    /// every row of every table, in order.
    #[cfg(test)]
    pub(crate) fn contents(&self) -> Vec<String> {
        let rows = |sql: &str| migrate::tests::rows(&self.conn, sql);
        let mut contents = rows("PRAGMA user_version");
        contents.extend(rows("PRAGMA page_size"));
        contents.extend(rows(
            "SELECT type, name, sql FROM sqlite_schema ORDER BY name",
        ));
        let tables: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in tables {
            let select = format!("SELECT * FROM \"{table}\"");
            let columns = self.conn.prepare(&select).unwrap().column_count();
            let order: Vec<String> = (1..=columns).map(|i| i.to_string()).collect();
            contents.push(format!("table {table}"));
            contents.extend(rows(&format!("{select} ORDER BY {}", order.join(", "))));
        }
        contents
    }

    /// A store that lives only for this run.
    pub fn in_memory() -> Result<Store, RegisterError> {
        Ok(Store {
            conn: migrate::open_in_memory(STORE_SCHEMA)?,
            path: PathBuf::from(":memory:"),
        })
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> RegisterError {
        RegisterError::sql(&self.path, e)
    }

    /// Every source the store holds, by name.
    pub fn sources(&self) -> Result<Vec<SourceInfo>, RegisterError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, location, fetched_at, data_date, etag, last_modified, content_sha256,
                        record_count, skipped FROM source WHERE name IS NOT NULL ORDER BY name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], source_from_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| self.err(e))
    }

    /// The source named `name`, if the store holds it.
    pub fn source(&self, name: &str) -> Result<Option<SourceInfo>, RegisterError> {
        self.conn
            .query_row(
                "SELECT name, location, fetched_at, data_date, etag, last_modified, content_sha256,
                        record_count, skipped FROM source WHERE name = ?1",
                [name],
                source_from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Replaces everything held for one source, in one transaction: `load` adds
    /// the source's records one at a time and returns what the source is (a
    /// mirror's name and date depend on its records). Until `load` returns,
    /// the records are held under a new source row without a name, which no
    /// reader sees; then the source's previous data is deleted and the new row
    /// takes its name. When `load` fails, nothing changes.
    pub fn replace<E: From<RegisterError>>(
        &mut self,
        load: impl FnOnce(&mut Loader<'_>) -> Result<SourceInfo, E>,
    ) -> Result<SourceInfo, E> {
        let path = self.path.as_path();
        let err = |e| RegisterError::sql(path, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        tx.execute(
            "INSERT INTO source (name, location, fetched_at, data_date, content_sha256,
                                 record_count, skipped)
             VALUES (NULL, '', '', '', '', 0, '[]')",
            [],
        )
        .map_err(err)?;
        let mut loader = Loader {
            path,
            source: tx.last_insert_rowid(),
            insert: tx
                .prepare(
                    "INSERT INTO advisory (source, id, modified, record, versions)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(err)?,
            insert_name: tx
                .prepare("INSERT INTO affected_package (source, id, ecosystem, name) VALUES (?1, ?2, ?3, ?4)")
                .map_err(err)?,
        };
        let info = load(&mut loader)?;
        let source = loader.source;
        drop(loader);
        tx.execute(
            "INSERT INTO source_ecosystem (source, ecosystem)
             SELECT DISTINCT source, ecosystem FROM affected_package WHERE source = ?1",
            [source],
        )
        .map_err(err)?;
        retire(&tx, &info.name).map_err(err)?;
        let skipped = serde_json::to_string(&info.skipped).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "UPDATE source SET name = ?2, location = ?3, fetched_at = ?4, data_date = ?5,
                etag = ?6, last_modified = ?7, content_sha256 = ?8, record_count = ?9,
                skipped = ?10
             WHERE key = ?1",
            params![
                source,
                info.name,
                info.location,
                info.fetched_at,
                info.data_date,
                info.etag,
                info.last_modified,
                info.content_sha256,
                info.record_count as i64,
                skipped
            ],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(info)
    }

    /// Copies a large write-ahead log into the store, after a source was replaced
    /// (see `migrate::settle_log`).
    pub fn settle(&self) {
        migrate::settle_log(&self.path);
    }

    /// [`Store::settle`] on another thread, so that the disk syncs it waits for
    /// overlap with the rest of the command; the guard waits for it when dropped.
    pub fn settle_in_background(&self) -> Settling {
        let path = self.path.clone();
        Settling(Some(std::thread::spawn(move || migrate::settle_log(&path))))
    }

    /// Touches a source's fetch time after the server said its data is unchanged.
    pub fn confirm_unchanged(
        &mut self,
        name: &str,
        fetched_at: &str,
        data_date: &str,
    ) -> Result<(), RegisterError> {
        self.conn
            .execute(
                "UPDATE source SET fetched_at = ?2, data_date = ?3 WHERE name = ?1",
                params![name, fetched_at, data_date],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The OSV JSON of the newest copy of the record `id` in any source,
    /// withdrawn or not.
    pub fn record(&self, id: &str) -> Result<Option<Vec<u8>>, RegisterError> {
        let record: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT record FROM advisory WHERE id = ?1 ORDER BY modified DESC LIMIT 1",
                [id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(record)
    }

    /// Which (source, ecosystem) pairs the store holds records for.
    pub fn coverage(&self) -> Result<Vec<(String, String)>, RegisterError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.name, e.ecosystem FROM source_ecosystem e
                 JOIN source s ON s.key = e.source ORDER BY 1, 2",
            )
            .map_err(|e| self.err(e))?;
        let pairs = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        pairs.map_err(|e| self.err(e))
    }

    /// The records that name any of `components`' packages, each once, by
    /// id. Where two sources hold the same id, the most recently modified
    /// copy wins.
    pub fn candidates_for<'c>(
        &self,
        components: impl IntoIterator<Item = &'c Component>,
    ) -> Result<Vec<Candidate>, RegisterError> {
        let mut wanted: BTreeMap<&str, BTreeSet<Cow<'c, str>>> = BTreeMap::new();
        for c in components.into_iter().filter(|c| c.is_matchable()) {
            wanted
                .entry(c.ecosystem.osv_name())
                .or_default()
                .insert(c.ecosystem.normalize_name(&c.name));
        }
        // One query per ecosystem, its names passed as one JSON array: a query
        // per package costs a statement step and reset each, most of them for
        // packages no advisory names. CROSS JOIN keeps the array the outer loop,
        // parsed once, each name one index look-up: left to itself the planner
        // scans the ecosystem's names and parses the whole array for each.
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.source, a.id, a.modified, coalesce(a.versions, a.record)
                 FROM json_each(?2) w
                 CROSS JOIN affected_package p ON p.ecosystem = ?1 AND p.name = w.value
                 JOIN advisory a ON a.source = p.source AND a.id = p.id",
            )
            .map_err(|e| self.err(e))?;
        // By id: its newest copy's modified time, source and versions.
        let mut newest: BTreeMap<String, (String, i64, Vec<u8>)> = BTreeMap::new();
        for (ecosystem, names) in &wanted {
            let names = serde_json::to_string(names).unwrap_or_default();
            let mut rows = stmt
                .query(params![ecosystem, names])
                .map_err(|e| self.err(e))?;
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                let id: String = row.get(1).map_err(|e| self.err(e))?;
                let modified: String = row.get(2).map_err(|e| self.err(e))?;
                if newest.get(&id).is_some_and(|(m, _, _)| *m >= modified) {
                    continue;
                }
                let source = row.get(0).map_err(|e| self.err(e))?;
                let versions = row.get(3).map_err(|e| self.err(e))?;
                newest.insert(id, (modified, source, versions));
            }
        }
        let candidates = newest
            .into_iter()
            .map(|(id, (_, source, versions))| Candidate {
                source,
                id,
                versions,
            });
        Ok(candidates.collect())
    }

    /// The OSV JSON of each of `candidates`, in their order.
    pub fn records_of<'c>(
        &self,
        candidates: impl IntoIterator<Item = &'c Candidate>,
    ) -> Result<Vec<Vec<u8>>, RegisterError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT record FROM advisory WHERE source = ?1 AND id = ?2")
            .map_err(|e| self.err(e))?;
        candidates
            .into_iter()
            .map(|c| {
                stmt.query_row(params![c.source, c.id], |row| row.get(0))
                    .map_err(|e| self.err(e))
            })
            .collect()
    }
}

/// Adds one source's records to the store, inside [`Store::replace`]'s transaction.
pub struct Loader<'t> {
    /// The store's path, for errors.
    path: &'t Path,
    /// The key of the source row the records are held under.
    source: i64,
    insert: rusqlite::Statement<'t>,
    insert_name: rusqlite::Statement<'t>,
}

impl Loader<'_> {
    /// Adds one record; false, adding nothing, when the source already has a
    /// record with its id.
    pub fn add(&mut self, record: &StoredRecord) -> Result<bool, RegisterError> {
        let err = |e| RegisterError::sql(self.path, e);
        let inserted = self.insert.execute(params![
            self.source,
            record.id,
            sortable(record.modified),
            record.json,
            record.versions
        ]);
        match inserted {
            Ok(_) => {}
            Err(e) if is_duplicate_key(&e) => return Ok(false),
            Err(e) => return Err(err(e)),
        }
        for (ecosystem, name) in &record.names {
            self.insert_name
                .execute(params![self.source, record.id, ecosystem, name])
                .map_err(err)?;
        }
        Ok(true)
    }
}

/// Whether an insert failed because the row's key is already taken.
fn is_duplicate_key(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

/// Deletes the source named `name` with its records, if the store holds it.
fn retire(tx: &rusqlite::Transaction<'_>, name: &str) -> rusqlite::Result<()> {
    let key: Option<i64> = tx
        .query_row("SELECT key FROM source WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?;
    if let Some(key) = key {
        tx.execute("DELETE FROM source_ecosystem WHERE source = ?1", [key])?;
        tx.execute("DELETE FROM affected_package WHERE source = ?1", [key])?;
        tx.execute("DELETE FROM advisory WHERE source = ?1", [key])?;
        tx.execute("DELETE FROM source WHERE key = ?1", [key])?;
    }
    Ok(())
}

/// A store's log being settled on another thread; dropping it waits for the thread.
pub struct Settling(Option<std::thread::JoinHandle<()>>);

impl Drop for Settling {
    fn drop(&mut self) {
        if let Some(thread) = self.0.take() {
            // A panic there lost nothing: the log is only not settled.
            let _ = thread.join();
        }
    }
}

/// A source as its row in `source` holds it.
fn source_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SourceInfo> {
    let skipped: String = row.get(8)?;
    Ok(SourceInfo {
        name: row.get(0)?,
        location: row.get(1)?,
        fetched_at: row.get(2)?,
        data_date: row.get(3)?,
        etag: row.get(4)?,
        last_modified: row.get(5)?,
        content_sha256: row.get(6)?,
        record_count: row.get::<_, i64>(7)?.try_into().unwrap_or(0),
        skipped: serde_json::from_str(&skipped).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ecosystem, Purl};

    /// A record of `id` naming the crate `name`.
    fn record(id: &str, name: &str) -> StoredRecord {
        StoredRecord {
            id: id.to_string(),
            modified: time::macros::datetime!(2024-01-01 0:00 UTC),
            names: [("crates.io".to_string(), name.to_string())].into(),
            versions: None,
            json: format!(r#"{{"id": "{id}"}}"#).into_bytes(),
        }
    }

    fn info(name: &str, record_count: usize) -> SourceInfo {
        SourceInfo {
            name: name.to_string(),
            location: format!("{name}.zip"),
            fetched_at: "2024-01-02T00:00:00Z".to_string(),
            data_date: "2024-01-02T00:00:00Z".to_string(),
            etag: None,
            last_modified: None,
            content_sha256: String::new(),
            record_count,
            skipped: Vec::new(),
        }
    }

    /// Loads `records` as the source `name`.
    fn load(store: &mut Store, name: &str, records: &[StoredRecord]) {
        store
            .replace(|loader| {
                for record in records {
                    assert!(loader.add(record)?);
                }
                Ok::<_, RegisterError>(info(name, records.len()))
            })
            .unwrap();
    }

    /// The ids of the records that name the crate `name`.
    fn ids_for(store: &Store, name: &str) -> Vec<String> {
        let mut component = Component::new(Ecosystem::CratesIo, name, "1.0.0");
        component.purl = Purl::parse(&format!("pkg:cargo/{name}@1.0.0")).ok();
        let candidates = store.candidates_for(&[component]).unwrap();
        let records = store.records_of(&candidates).unwrap();
        let id = |json: Vec<u8>| {
            String::from_utf8(json).unwrap()[8..]
                .trim_end_matches("\"}")
                .to_string()
        };
        records.into_iter().map(id).collect()
    }

    #[test]
    fn a_source_is_replaced_whole_and_the_others_kept() {
        let mut store = Store::in_memory().unwrap();
        load(&mut store, "a", &[record("A-1", "x"), record("A-2", "y")]);
        load(&mut store, "b", &[record("B-1", "x")]);
        load(&mut store, "a", &[record("A-3", "x")]);
        assert_eq!(ids_for(&store, "x"), ["A-3", "B-1"]);
        assert!(ids_for(&store, "y").is_empty());
        let names: Vec<String> = store
            .sources()
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(store.source("a").unwrap().unwrap().record_count, 1);
        let coverage = store.coverage().unwrap();
        assert_eq!(
            coverage,
            [
                ("a".into(), "crates.io".into()),
                ("b".into(), "crates.io".into())
            ]
        );
    }

    #[test]
    fn coverage_is_what_each_source_holds_now() {
        let mut store = Store::in_memory().unwrap();
        load(&mut store, "a", &[record("A-1", "x")]);
        let mut python = record("A-2", "y");
        python.names = [("PyPI".to_string(), "y".to_string())].into();
        load(&mut store, "a", &[python]);
        load(&mut store, "b", &[]);
        assert_eq!(store.coverage().unwrap(), [("a".into(), "PyPI".into())]);
    }

    #[test]
    fn a_load_that_fails_changes_nothing() {
        let mut store = Store::in_memory().unwrap();
        load(&mut store, "a", &[record("A-1", "x")]);
        let before = store.sources().unwrap();
        let failed = store.replace(|loader| {
            loader.add(&record("A-2", "x"))?;
            Err::<SourceInfo, _>(RegisterError::Locked {
                path: PathBuf::from("test"),
            })
        });
        assert!(failed.is_err());
        assert_eq!(store.sources().unwrap(), before);
        assert_eq!(ids_for(&store, "x"), ["A-1"]);
    }

    #[test]
    fn a_repeated_id_is_not_added_twice() {
        let mut store = Store::in_memory().unwrap();
        store
            .replace(|loader| {
                assert!(loader.add(&record("A-1", "x"))?);
                assert!(!loader.add(&record("A-1", "y"))?);
                Ok::<_, RegisterError>(info("a", 1))
            })
            .unwrap();
        assert_eq!(ids_for(&store, "x"), ["A-1"]);
        assert!(ids_for(&store, "y").is_empty());
    }

    #[test]
    fn a_new_store_has_large_pages_read_through_a_map() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("advisories.db");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        let pragma = |name: &str| -> i64 {
            store
                .conn
                .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
                .unwrap()
        };
        assert_eq!(pragma("page_size"), i64::from(STORE_PAGE_SIZE));
        assert_eq!(pragma("mmap_size"), STORE_MMAP_SIZE);
    }

    #[test]
    fn a_store_of_the_first_schema_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("advisories.db");
        let old = migrate::open(&path, STORE_SCHEMA.at(1), migrate::BUSY_TIMEOUT).unwrap();
        old.execute(
            "INSERT INTO source VALUES ('a', 'a.zip', 'f', 'd', NULL, NULL, 'sha', 1, '[]')",
            [],
        )
        .unwrap();
        old.execute(
            "INSERT INTO advisory VALUES ('a', 'A-1', '2024-01-01T00:00:00Z', ?1)",
            [record("A-1", "x").json],
        )
        .unwrap();
        old.execute(
            "INSERT INTO affected_package VALUES ('a', 'A-1', 'crates.io', 'x')",
            [],
        )
        .unwrap();
        drop(old);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.source("a").unwrap().unwrap().content_sha256, "sha");
        assert_eq!(ids_for(&store, "x"), ["A-1"]);
        assert_eq!(
            store.coverage().unwrap(),
            [("a".into(), "crates.io".into())]
        );
        load(&mut store, "a", &[record("A-2", "x")]);
        assert_eq!(ids_for(&store, "x"), ["A-2"]);
    }
}
