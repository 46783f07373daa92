//! Opening a SQLite file and bringing its schema up to date. The schema version
//! is `PRAGMA user_version`; a file from a newer binary is refused untouched.
//! A new file is made from the schema as it stands, an older one brought to it
//! step by step, as Rails loads `schema.rb` into a new database and runs
//! migrations on an old one.

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use super::RegisterError;

/// One database's schema.
#[derive(Clone, Copy)]
pub(crate) struct Schema {
    /// The schema as it stands, in one script, that a new file is made with.
    /// Steps rebuild tables (copied, dropped, renamed): replaying them took
    /// twice as long as making the schema at once, and a fresh CI clone makes
    /// its register on every run.
    pub current: &'static str,
    /// The ordered steps; step `n` brings version `n - 1` to `n`.
    pub steps: &'static [&'static str],
}

impl Schema {
    /// The schema as its first `version` steps make it, a new file included.
    #[cfg(test)]
    pub(crate) fn at(self, version: usize) -> Schema {
        let steps = &self.steps[..version];
        Schema {
            current: Box::leak(steps.join("\n").into_boxed_str()),
            steps,
        }
    }
}

/// How long a command waits for another process holding the write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Leaves what commands committed in the write-ahead log when a connection
/// closes, instead of copying it into the file with two fsyncs every time: an
/// audit on every build must cost nothing noticeable, and a command that fails
/// leaves both files exactly as they were. [`settle_log`] copies the log over
/// once it grows large; a power cut may lose the newest commits but never
/// leaves the file inconsistent.
fn keep_log_on_close(conn: &Connection) {
    // Best effort: without it the close is only slower.
    let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
}

/// The write-ahead log size past which [`settle_log`] empties it.
pub(crate) const LOG_LIMIT: u64 = 1024 * 1024;

/// After a commit: copies a write-ahead log that grew past [`LOG_LIMIT`] into
/// the database at `path` and empties it. The first connection of every
/// process reads the whole log before anything else, so a log left to grow
/// would make every later command slower; this pays its fsyncs once in a
/// while instead. Best effort, on a connection of its own: a busy database is
/// settled after a later commit.
pub(crate) fn settle_log(path: &Path) {
    let mut log = path.as_os_str().to_owned();
    log.push("-wal");
    if !std::fs::metadata(&log).is_ok_and(|m| m.len() > LOG_LIMIT) {
        return;
    }
    if let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE) {
        keep_log_on_close(&conn);
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

/// Opens (creating when absent) and migrates the database at `path`, waiting
/// up to `busy_timeout` for another process's lock.
pub(crate) fn open(
    path: &Path,
    schema: Schema,
    busy_timeout: Duration,
) -> Result<Connection, RegisterError> {
    open_with_page_size(path, schema, busy_timeout, None)
}

/// Opens the database at `path` as [`open`] does; when it is created, its
/// pages are `page_size` bytes (a file keeps the page size it was created
/// with).
pub(crate) fn open_with_page_size(
    path: &Path,
    schema: Schema,
    busy_timeout: Duration,
    page_size: Option<u32>,
) -> Result<Connection, RegisterError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| RegisterError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| RegisterError::sql(path, e))?;
    keep_log_on_close(&conn);
    if let Some(page_size) = page_size {
        // Only takes effect before the first write, which the WAL switch below is.
        conn.pragma_update(None, "page_size", page_size)
            .map_err(|e| RegisterError::sql(path, e))?;
    }
    prepare(conn, path, schema, true, busy_timeout)
}

/// An empty database in memory, for runs that must not write beside the project.
pub(crate) fn open_in_memory(schema: Schema) -> Result<Connection, RegisterError> {
    let path = Path::new(":memory:");
    let conn = Connection::open_in_memory().map_err(|e| RegisterError::sql(path, e))?;
    prepare(conn, path, schema, false, BUSY_TIMEOUT)
}

fn prepare(
    conn: Connection,
    path: &Path,
    schema: Schema,
    on_disk: bool,
    busy_timeout: Duration,
) -> Result<Connection, RegisterError> {
    conn.busy_timeout(busy_timeout)
        .map_err(|e| RegisterError::sql(path, e))?;
    let found = schema_version(&conn, path)?;
    let known = schema.steps.len() as u32;
    if found > known {
        return Err(RegisterError::NewerSchema {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    if on_disk {
        // Readers never block the writer, and a killed writer leaves the last
        // commit intact. `synchronous` first: the switch to the log is a write.
        let syncs = creation_syncs(&conn, path)?;
        conn.pragma_update(None, "synchronous", syncs)
            .map_err(|e| RegisterError::sql(path, e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| RegisterError::sql(path, e))?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| RegisterError::sql(path, e))?;
    if found < known {
        apply(&conn, path, schema, found)?;
    }
    if on_disk {
        conn.pragma_update(None, "synchronous", WAL_SYNCS)
            .map_err(|e| RegisterError::sql(path, e))?;
    }
    Ok(conn)
}

/// How a database is synced while it is brought up to date: a file with no
/// pages yet holds nothing a power cut could lose. Its creation (the switch
/// to the write-ahead log, made with a rollback journal, then the schema, the
/// log's first frames) would otherwise cost five fsyncs, most of a fresh
/// clone's register creation; a log cut short by a power cut is discarded
/// whole, and the next command creates the schema again.
fn creation_syncs(conn: &Connection, path: &Path) -> Result<&'static str, RegisterError> {
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |row| row.get(0))
        .map_err(|e| RegisterError::sql(path, e))?;
    Ok(if pages == 0 { "OFF" } else { WAL_SYNCS })
}

/// The syncs every commit to a database on disk has: with the write-ahead
/// log, a power cut may lose the newest commits but never leaves the file
/// inconsistent.
const WAL_SYNCS: &str = "NORMAL";

fn schema_version(conn: &Connection, path: &Path) -> Result<u32, RegisterError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| RegisterError::sql(path, e))?;
    // Touch the schema so that a file that is not a database fails here, named.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
        row.get::<_, i64>(0)
    })
    .map_err(|e| RegisterError::sql(path, e))?;
    u32::try_from(version).map_err(|_| RegisterError::NewerSchema {
        path: path.to_path_buf(),
        found: u32::MAX,
        known: 0,
    })
}

fn apply(conn: &Connection, path: &Path, schema: Schema, from: u32) -> Result<(), RegisterError> {
    let mut script = String::from("BEGIN IMMEDIATE;\n");
    match from {
        0 => script.push_str(schema.current),
        _ => {
            for step in schema.steps.iter().skip(from as usize) {
                script.push_str(step);
                script.push('\n');
            }
        }
    }
    script.push_str(&format!(
        "\nPRAGMA user_version = {};\nCOMMIT;",
        schema.steps.len()
    ));
    conn.execute_batch(&script).map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        RegisterError::sql(path, e)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const STEPS: Schema = Schema {
        current: "CREATE TABLE a (x); CREATE TABLE b (y);",
        steps: &["CREATE TABLE a (x);", "CREATE TABLE b (y);"],
    };

    #[test]
    fn migrates_to_the_latest_version() {
        let conn = open_in_memory(STEPS).unwrap();
        assert_eq!(schema_version(&conn, Path::new("m")).unwrap(), 2);
    }

    /// Every row `sql` gives, each as its values' text.
    pub(crate) fn rows(conn: &Connection, sql: &str) -> Vec<String> {
        let mut statement = conn.prepare(sql).unwrap();
        let rows = statement.query_map([], |row| {
            let values: Vec<String> = (0..row.as_ref().column_count())
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            Ok(values.join(" "))
        });
        rows.unwrap().map(Result::unwrap).collect()
    }

    /// Every table, index and trigger of the database, each with its columns,
    /// keys and whether it has rowids: what a schema is, whatever its text.
    fn shape(conn: &Connection) -> Vec<String> {
        let rows = |sql: &str| rows(conn, sql);
        let mut objects = conn
            .prepare("SELECT type, name, tbl_name FROM sqlite_master ORDER BY name")
            .unwrap();
        let objects: Vec<(String, String, String)> = objects
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut shape = Vec::new();
        for (kind, name, table) in objects {
            shape.push(format!("{kind} {name} on {table}"));
            let pragmas: &[&str] = match kind.as_str() {
                "table" => &["table_xinfo", "index_list", "foreign_key_list"],
                "index" => &["index_xinfo"],
                _ => &[],
            };
            for pragma in pragmas {
                shape.extend(rows(&format!("PRAGMA {pragma}(\"{name}\")")));
            }
            match kind.as_str() {
                "table" => {
                    let rowid = conn
                        .prepare(&format!("SELECT rowid FROM \"{name}\""))
                        .is_ok();
                    shape.push(format!("has rowids: {rowid}"));
                }
                "trigger" => shape.extend(rows(&format!(
                    "SELECT sql FROM sqlite_master WHERE name = '{name}'"
                ))),
                _ => {}
            }
        }
        shape
    }

    #[test]
    fn a_new_file_has_the_schema_every_step_makes() {
        for schema in [
            super::super::REGISTER_SCHEMA,
            super::super::store::STORE_SCHEMA,
        ] {
            let current = open_in_memory(schema).unwrap();
            let stepped = open_in_memory(schema.at(schema.steps.len())).unwrap();
            let (current, stepped) = (shape(&current), shape(&stepped));
            assert!(current.len() > 40, "{current:?}");
            assert_eq!(current, stepped);
        }
    }

    #[test]
    fn a_new_file_is_made_from_the_current_schema_and_an_old_one_by_steps() {
        let schema = Schema {
            current: "CREATE TABLE a (x); CREATE TABLE b (y, z);",
            steps: STEPS.steps,
        };
        let dir = tempfile::tempdir().unwrap();
        let columns = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM pragma_table_info('b')", [], |row| {
                row.get(0)
            })
            .unwrap()
        };
        let new = open(&dir.path().join("new.db"), schema, BUSY_TIMEOUT).unwrap();
        assert_eq!(columns(&new), 2);
        let old_path = dir.path().join("old.db");
        drop(open(&old_path, STEPS.at(1), BUSY_TIMEOUT).unwrap());
        let old = open(&old_path, schema, BUSY_TIMEOUT).unwrap();
        assert_eq!(columns(&old), 1);
        assert_eq!(schema_version(&old, &old_path).unwrap(), 2);
    }

    #[test]
    fn refuses_a_newer_schema_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        drop(open(&path, STEPS, BUSY_TIMEOUT).unwrap());
        let before = std::fs::read(&path).unwrap();
        let err = open(&path, STEPS.at(1), BUSY_TIMEOUT).unwrap_err();
        assert!(
            matches!(
                err,
                RegisterError::NewerSchema {
                    found: 2,
                    known: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_new_file_and_an_existing_one_both_keep_the_log_with_its_syncs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let modes = |conn: &Connection| -> (String, i64) {
            let journal = conn
                .query_row("PRAGMA journal_mode", [], |row| row.get(0))
                .unwrap();
            let synchronous = conn
                .query_row("PRAGMA synchronous", [], |row| row.get(0))
                .unwrap();
            (journal, synchronous)
        };
        let normal = 1;
        let created = open(&path, STEPS, BUSY_TIMEOUT).unwrap();
        assert_eq!(modes(&created), ("wal".to_string(), normal));
        created.execute("INSERT INTO a VALUES (1)", []).unwrap();
        drop(created);
        let reopened = open(&path, STEPS, BUSY_TIMEOUT).unwrap();
        assert_eq!(modes(&reopened), ("wal".to_string(), normal));
        let rows: i64 = reopened
            .query_row("SELECT count(*) FROM a", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[test]
    fn a_large_log_is_emptied_after_a_commit_and_a_small_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let log = dir.path().join("r.db-wal");
        let conn = open(&path, STEPS, BUSY_TIMEOUT).unwrap();
        conn.execute("INSERT INTO a VALUES (?1)", [vec![0u8; 1000]])
            .unwrap();
        settle_log(&path);
        assert!(std::fs::metadata(&log).unwrap().len() > 0);

        conn.execute(
            "INSERT INTO a VALUES (?1)",
            [vec![0u8; 2 * LOG_LIMIT as usize]],
        )
        .unwrap();
        settle_log(&path);
        assert_eq!(std::fs::metadata(&log).unwrap().len(), 0);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM a", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 2);
    }

    #[test]
    fn names_a_file_that_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        std::fs::write(
            &path,
            b"this is not sqlite, just some text that is long enough",
        )
        .unwrap();
        let err = open(&path, STEPS, BUSY_TIMEOUT).unwrap_err();
        assert!(err.to_string().contains("r.db"), "{err}");
    }
}
