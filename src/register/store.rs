//! The advisory store: OSV records from every source, shared by all projects on
//! the machine. Each source's data is swapped in one transaction, so a failed
//! or partial download never leaves a half-updated store.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{RegisterError, migrate};
use crate::advisory::osv::Advisory;
use crate::model::{Component, Ecosystem};

/// The store's schema, one step per version.
const STORE_MIGRATIONS: migrate::Migrations = &[include_str!(
    "../../data/migrations/store/0001_advisories.sql"
)];

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

/// One source's complete data, ready to replace what the store holds for it.
pub struct LoadedSource {
    pub info: SourceInfo,
    /// Each record as the store keeps it.
    pub records: Vec<StoredRecord>,
}

/// One record as the store keeps it: what lookups need, and the OSV JSON. Only
/// this is held while a source loads, not the parsed record: a 50,000-record
/// source would otherwise hold every record twice in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: String,
    pub modified: String,
    /// The (ecosystem, normalised name) pairs the record names.
    pub names: BTreeSet<(String, String)>,
    /// The OSV JSON, kept whole.
    pub json: Vec<u8>,
}

impl StoredRecord {
    /// The store's form of a parsed record and its OSV JSON.
    pub fn new(advisory: &Advisory, json: Vec<u8>) -> StoredRecord {
        StoredRecord {
            id: advisory.id.clone(),
            modified: advisory.modified.clone(),
            names: affected_names(advisory),
            json,
        }
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
        Ok(Store {
            conn: migrate::open(path, STORE_MIGRATIONS, busy_timeout)?,
            path: path.to_path_buf(),
        })
    }

    /// A store that lives only for this run.
    pub fn in_memory() -> Result<Store, RegisterError> {
        Ok(Store {
            conn: migrate::open_in_memory(STORE_MIGRATIONS)?,
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
                        record_count, skipped FROM source ORDER BY name",
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

    /// Replaces everything held for the source with `loaded`, in one transaction.
    pub fn replace(&mut self, loaded: &LoadedSource) -> Result<(), RegisterError> {
        let path = self.path.clone();
        let err = |e| RegisterError::sql(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let info = &loaded.info;
        tx.execute(
            "DELETE FROM affected_package WHERE source = ?1",
            [&info.name],
        )
        .map_err(err)?;
        tx.execute("DELETE FROM advisory WHERE source = ?1", [&info.name])
            .map_err(err)?;
        let skipped = serde_json::to_string(&info.skipped).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT INTO source (name, location, fetched_at, data_date, etag, last_modified,
                                 content_sha256, record_count, skipped)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (name) DO UPDATE SET location = excluded.location,
                fetched_at = excluded.fetched_at, data_date = excluded.data_date, etag = excluded.etag,
                last_modified = excluded.last_modified, content_sha256 = excluded.content_sha256,
                record_count = excluded.record_count, skipped = excluded.skipped",
            params![
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
        {
            let mut insert = tx
                .prepare("INSERT OR REPLACE INTO advisory (source, id, modified, record) VALUES (?1, ?2, ?3, ?4)")
                .map_err(err)?;
            let mut name_it = tx
                .prepare("INSERT INTO affected_package (source, id, ecosystem, name) VALUES (?1, ?2, ?3, ?4)")
                .map_err(err)?;
            for record in &loaded.records {
                insert
                    .execute(params![info.name, record.id, record.modified, record.json])
                    .map_err(err)?;
                for (ecosystem, name) in &record.names {
                    name_it
                        .execute(params![info.name, record.id, ecosystem, name])
                        .map_err(err)?;
                }
            }
        }
        tx.commit().map_err(err)?;
        migrate::settle_log(&self.path);
        Ok(())
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

    /// The newest copy of the record `id` in any source, withdrawn or not.
    pub fn advisory(&self, id: &str) -> Result<Option<Advisory>, RegisterError> {
        let record: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT record FROM advisory WHERE id = ?1 ORDER BY modified DESC LIMIT 1",
                [id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(record.and_then(|json| Advisory::from_json(&json).ok()))
    }

    /// Which (source, ecosystem) pairs the store holds records for.
    pub fn coverage(&self) -> Result<Vec<(String, String)>, RegisterError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT source, ecosystem FROM affected_package ORDER BY 1, 2")
            .map_err(|e| self.err(e))?;
        let pairs = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        pairs.map_err(|e| self.err(e))
    }

    /// The records that name any of `components`' packages. Where two sources hold
    /// the same id, the most recently modified copy wins. Records that no longer
    /// parse (written by another version) are skipped.
    pub fn advisories_for(&self, components: &[Component]) -> Result<Vec<Advisory>, RegisterError> {
        let wanted: BTreeSet<(String, String)> = components
            .iter()
            .filter(|c| c.is_matchable())
            .map(|c| {
                (
                    c.ecosystem.osv_name().to_string(),
                    c.ecosystem.normalize_name(&c.name),
                )
            })
            .collect();
        // One read transaction for all the lookups: otherwise SQLite takes and
        // drops its file lock around each of them (thousands of system calls).
        let read = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mut stmt = read
            .prepare_cached(
                "SELECT a.id, a.modified, a.record FROM affected_package p
                 JOIN advisory a ON a.source = p.source AND a.id = p.id
                 WHERE p.ecosystem = ?1 AND p.name = ?2",
            )
            .map_err(|e| self.err(e))?;
        let mut newest: BTreeMap<String, (String, Vec<u8>)> = BTreeMap::new();
        for (ecosystem, name) in &wanted {
            let mut rows = stmt
                .query(params![ecosystem, name])
                .map_err(|e| self.err(e))?;
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                let id: String = row.get(0).map_err(|e| self.err(e))?;
                let modified: String = row.get(1).map_err(|e| self.err(e))?;
                if newest.get(&id).is_some_and(|(m, _)| *m >= modified) {
                    continue;
                }
                let record: Vec<u8> = row.get(2).map_err(|e| self.err(e))?;
                newest.insert(id, (modified, record));
            }
        }
        drop(stmt);
        read.commit().map_err(|e| self.err(e))?;
        Ok(newest
            .into_values()
            .filter_map(|(_, json)| Advisory::from_json(&json).ok())
            .collect())
    }
}

/// The (ecosystem, normalised name) pairs a record names.
fn affected_names(advisory: &Advisory) -> BTreeSet<(String, String)> {
    advisory
        .affected
        .iter()
        .filter_map(|a| a.package.as_ref())
        .map(|p| {
            let ecosystem = Ecosystem::from_osv_name(&p.ecosystem);
            let name = ecosystem.normalize_name(&p.name);
            (ecosystem.osv_name().to_string(), name)
        })
        .collect()
}

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
