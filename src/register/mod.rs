//! The SQLite files: the project's register (pins, release baselines, when each
//! anomaly was first detected, the event log) and the machine-wide advisory
//! store. The only module that knows SQL.
//!
//! Every command changes a database in one transaction ([`Changes`]), committed
//! only when the whole command succeeded; dropping it rolls everything back.

mod audits;
mod baselines;
mod cache;
mod events;
mod migrate;
mod pins;
mod store;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::Component;

pub use baselines::Baseline;
pub use cache::{CachedInventory, FileDigest, FileMeta, fingerprint};
pub use events::{Event, EventKind};
pub use migrate::BUSY_TIMEOUT;
pub use pins::{Pin, PinDiff};
pub use store::{Loader, Settling, Skipped, SourceInfo, Staged, Store, StoredRecord};

/// The register's schema.
const REGISTER_SCHEMA: migrate::Schema = migrate::Schema {
    current: include_str!("../../data/migrations/register/schema.sql"),
    steps: &[
        include_str!("../../data/migrations/register/0001_pins_events.sql"),
        include_str!("../../data/migrations/register/0002_caches.sql"),
        include_str!("../../data/migrations/register/0003_pin_lookup.sql"),
        include_str!("../../data/migrations/register/0004_kept_components.sql"),
        include_str!("../../data/migrations/register/0005_pins_by_input.sql"),
    ],
};

/// Why the register or the advisory store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("failed to create {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "failed to open {path}: it was written by a newer cargo-soup (schema version {found}, \
         this binary knows up to {known}); upgrade cargo-soup, or point --register elsewhere. \
         The file was left untouched"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error(
        "failed to use {path}: another cargo-soup is still writing it; wait for it to finish and run again"
    )]
    Locked { path: PathBuf },
    #[error(
        "failed to use {path}: {message}. The file is damaged or not a cargo-soup database; \
         move it aside together with its -wal and -shm files and run again to rebuild it"
    )]
    Corrupt { path: PathBuf, message: String },
    #[error("failed to use {path}")]
    Sql {
        path: PathBuf,
        #[source]
        source: SqlError,
    },
}

/// What SQLite said, kept as the cause of a [`RegisterError`] so that the
/// SQLite crate's error type stays out of the library's public API.
#[derive(Debug)]
pub struct SqlError(rusqlite::Error);

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SqlError {}

impl RegisterError {
    /// Sorts an SQLite failure into what a user can act on.
    fn sql(path: &Path, source: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                RegisterError::Locked { path }
            }
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => RegisterError::Corrupt {
                path,
                message: source.to_string(),
            },
            _ => RegisterError::Sql {
                path,
                source: SqlError(source),
            },
        }
    }
}

/// A timestamp as the databases store it: RFC 3339, UTC.
pub fn stamp(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// The project's register.
pub struct Register {
    conn: Connection,
    path: PathBuf,
    /// This run created the file: its commits leave the log as it is (see
    /// [`Changes::commit`]).
    created: bool,
    /// The components read from kept inventories, by their id (see
    /// [`Register::read_kept`]).
    kept_components: std::cell::RefCell<std::collections::HashMap<i64, Component>>,
}

impl Register {
    /// Opens the register at `path`, creating and migrating it as needed.
    pub fn open(path: &Path) -> Result<Register, RegisterError> {
        Register::open_waiting(path, BUSY_TIMEOUT)
    }

    /// Opens the register, waiting at most `busy_timeout` for another
    /// process's lock (`SOUP_BUSY_TIMEOUT_MS`; added for the lock tests).
    pub fn open_waiting(path: &Path, busy_timeout: Duration) -> Result<Register, RegisterError> {
        let created = !path.exists();
        let conn = migrate::open(path, REGISTER_SCHEMA, busy_timeout)?;
        if created {
            // SQLite's own checkpoint at commit, too (see `Changes::commit`).
            conn.pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(|e| RegisterError::sql(path, e))?;
        }
        Ok(Register {
            conn,
            path: path.to_path_buf(),
            created,
            kept_components: Default::default(),
        })
    }

    /// A register that lives only for this run: used when the project has no record yet.
    pub fn in_memory() -> Result<Register, RegisterError> {
        let conn = migrate::open_in_memory(REGISTER_SCHEMA)?;
        Ok(Register {
            conn,
            path: PathBuf::from(":memory:"),
            created: true,
            kept_components: Default::default(),
        })
    }

    /// Where the register lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts the one transaction of `command`, stamped `now`.
    pub fn begin(
        &mut self,
        command: &str,
        now: OffsetDateTime,
    ) -> Result<Changes<'_>, RegisterError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| RegisterError::sql(&self.path, e))?;
        Ok(Changes {
            tx,
            path: &self.path,
            settles: !self.created,
            command: command.to_string(),
            now: stamp(now),
        })
    }

    fn err(&self, e: rusqlite::Error) -> RegisterError {
        RegisterError::sql(&self.path, e)
    }
}

/// The changes one command makes to the register; nothing is kept unless committed.
pub struct Changes<'a> {
    tx: Transaction<'a>,
    path: &'a Path,
    /// Whether the commit settles a large log (see [`Changes::commit`]).
    settles: bool,
    command: String,
    now: String,
}

impl Changes<'_> {
    /// Makes every change of this command permanent at once. A register this
    /// run created keeps its log for the next command's commit to settle: on a
    /// fresh CI clone the first audit is the register's only command, and the
    /// two fsyncs of settling the log of its thousands of pins were much of
    /// that audit's time, for a file thrown away with the clone.
    pub fn commit(self) -> Result<(), RegisterError> {
        let path = self.path;
        self.tx.commit().map_err(|e| RegisterError::sql(path, e))?;
        if self.settles {
            migrate::settle_log(path);
        }
        Ok(())
    }

    fn err(&self, e: rusqlite::Error) -> RegisterError {
        RegisterError::sql(self.path, e)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    /// Logs one event with `bytes` of detail and commits.
    fn commit_event(register: &mut Register, bytes: usize) {
        let changes = register
            .begin("audit", datetime!(2026-12-01 9:00 UTC))
            .unwrap();
        let detail = "x".repeat(bytes);
        changes
            .log(EventKind::PinAdded, "Cargo.lock", Some(&detail))
            .unwrap();
        changes.commit().unwrap();
    }

    #[test]
    fn a_new_registers_log_is_settled_by_the_next_commands_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.db");
        let log = dir.path().join("register.db-wal");
        let large = 2 * migrate::LOG_LIMIT as usize;

        // The first command, on a register it created, leaves its log as it is,
        // past the limit and past SQLite's own checkpoint size (4 MB of pages).
        let mut first = Register::open(&path).unwrap();
        commit_event(&mut first, large);
        commit_event(&mut first, large);
        drop(first);
        assert!(std::fs::metadata(&log).unwrap().len() > 2 * large as u64);

        // The next command's commit copies it into the file and empties it.
        let mut next = Register::open(&path).unwrap();
        assert_eq!(next.events().unwrap().len(), 2, "nothing committed is lost");
        commit_event(&mut next, 10);
        assert_eq!(std::fs::metadata(&log).unwrap().len(), 0);
        drop(next);
        assert_eq!(Register::open(&path).unwrap().events().unwrap().len(), 3);
    }
}
