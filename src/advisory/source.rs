//! Advisory sources: the RustSec snapshot bundled in the binary, a download
//! (RustSec's OSV export, OSV's per-ecosystem bulk exports), or a local mirror
//! for air-gapped sites. Each becomes one [`LoadedSource`]: the whole data of
//! that source, which the store swaps in at once.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::archive::{self, ArchiveError, Entry, Limits};
use super::osv::Advisory;
use super::rustsec;
use crate::inventory::sha256_hex;
use crate::model::Ecosystem;
use crate::net::{Client, Fetched, NetError, Validators};
use crate::register::{LoadedSource, Skipped, SourceInfo, StoredRecord};

/// The name of the RustSec source in the store.
pub const RUSTSEC: &str = "rustsec";

/// The RustSec database in OSV form, compiled in so the first run needs no network.
const BUNDLED_SNAPSHOT: &[u8] = include_bytes!("../../data/rustsec-osv.zip");

/// The date of the bundled snapshot (data/README.md).
pub const BUNDLED_DATE: &str = "2026-08-21";

/// Why a source could not be loaded; the store keeps its previous data.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("failed to read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "failed to load {location}: it holds no OSV records ({skipped} entries could not be read{first}); \
         the previous data was kept"
    )]
    NoRecords {
        location: String,
        skipped: usize,
        /// `, the first: <entry>: <reason>` when an entry was skipped, so a
        /// wholly bad mirror says what is wrong with it (added for hostile input).
        first: String,
    },
}

/// The name under which OSV's export of `ecosystem` is stored.
pub fn osv_source_name(ecosystem: &Ecosystem) -> String {
    format!("osv:{}", ecosystem.osv_name())
}

/// OSV's bulk export of one ecosystem: `<base>/<ecosystem>/all.zip`.
pub fn osv_export_url(base: &str, ecosystem: &Ecosystem) -> String {
    format!(
        "{}/{}/all.zip",
        base.trim_end_matches('/'),
        ecosystem.osv_name()
    )
}

/// The bundled RustSec snapshot, as a source.
pub fn bundled(now: &str) -> Result<LoadedSource, SourceError> {
    let location = format!("bundled RustSec snapshot of {BUNDLED_DATE}");
    let entries = archive::read_zip(BUNDLED_SNAPSHOT, &location, &Limits::default())?;
    let info = SourceInfo {
        name: RUSTSEC.to_string(),
        location,
        fetched_at: now.to_string(),
        data_date: format!("{BUNDLED_DATE}T00:00:00Z"),
        etag: None,
        last_modified: None,
        content_sha256: sha256_hex(BUNDLED_SNAPSHOT),
        record_count: 0,
        skipped: Vec::new(),
    };
    complete(info, entries)
}

/// A local mirror: a zip of OSV JSON or RustSec markdown, or a directory of them.
/// Its data is as current as its newest record. Stored as `name`, or `rustsec`
/// when every record is a RustSec advisory, else `mirror:<file name>`.
pub fn from_mirror(
    path: &Path,
    name: Option<&str>,
    now: &str,
) -> Result<LoadedSource, SourceError> {
    let location = path.display().to_string();
    let limits = Limits::default();
    let (entries, content_sha256) = if path.is_dir() {
        let entries = archive::read_dir(path, &limits)?;
        let digest = entries_digest(&entries);
        (entries, digest)
    } else {
        let bytes = std::fs::read(path).map_err(|source| SourceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        (
            archive::read_zip(&bytes, &location, &limits)?,
            sha256_hex(&bytes),
        )
    };
    let info = SourceInfo {
        name: String::new(),
        location,
        fetched_at: now.to_string(),
        data_date: String::new(),
        etag: None,
        last_modified: None,
        content_sha256,
        record_count: 0,
        skipped: Vec::new(),
    };
    let mut loaded = complete(info, entries)?;
    loaded.info.data_date = newest_modified(&loaded.records);
    loaded.info.name = match name {
        Some(name) => name.to_string(),
        None if loaded.records.iter().all(|r| r.id.starts_with("RUSTSEC-")) => RUSTSEC.to_string(),
        None => format!(
            "mirror:{}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
    };
    Ok(loaded)
}

/// The outcome of asking a server for a source.
pub enum Download {
    /// The server's data is what the store already holds.
    Unchanged,
    /// New data to swap in.
    Updated(Box<LoadedSource>),
}

/// Downloads the source `name` from `url`, asking only for changes since `previous`.
pub fn download(
    client: &Client,
    name: &str,
    url: &str,
    previous: Option<&SourceInfo>,
    now: &str,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Download, SourceError> {
    let validators = previous
        .filter(|p| p.location == url)
        .map(|p| Validators {
            etag: p.etag.clone(),
            last_modified: p.last_modified.clone(),
        })
        .unwrap_or_default();
    let (bytes, validators) = match client.get(url, &validators, progress)? {
        Fetched::NotModified => return Ok(Download::Unchanged),
        Fetched::Body { bytes, validators } => (bytes, validators),
    };
    let content_sha256 = sha256_hex(&bytes);
    if previous.is_some_and(|p| p.location == url && p.content_sha256 == content_sha256) {
        return Ok(Download::Unchanged);
    }
    let entries = archive::read_zip(&bytes, url, &Limits::default())?;
    let info = SourceInfo {
        name: name.to_string(),
        location: url.to_string(),
        fetched_at: now.to_string(),
        data_date: now.to_string(),
        etag: validators.etag,
        last_modified: validators.last_modified,
        content_sha256,
        record_count: 0,
        skipped: Vec::new(),
    };
    Ok(Download::Updated(Box::new(complete(info, entries)?)))
}

/// Parses every entry; a record that does not load is skipped and named. A source
/// with no record at all is refused, so good data is never replaced by nothing.
fn complete(mut info: SourceInfo, entries: Vec<Entry>) -> Result<LoadedSource, SourceError> {
    let (records, skipped) = load_entries(entries);
    if records.is_empty() {
        return Err(SourceError::NoRecords {
            location: info.location,
            skipped: skipped.len(),
            first: skipped
                .first()
                .map(|s| format!(", the first: {}: {}", s.entry, s.reason))
                .unwrap_or_default(),
        });
    }
    info.record_count = records.len();
    info.skipped = skipped;
    Ok(LoadedSource { info, records })
}

/// The OSV records among `entries`: OSV JSON files, and RustSec markdown
/// advisories under `crates/` converted to OSV. Other files (READMEs, the
/// standard library's advisories under `rust/`) are not records and are passed over.
pub fn load_entries(entries: Vec<Entry>) -> (Vec<StoredRecord>, Vec<Skipped>) {
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for entry in entries {
        let loaded = if entry.name.ends_with(".json") {
            Advisory::from_json(&entry.bytes)
                .map(|a| StoredRecord::new(&a, entry.bytes))
                .map_err(|e| e.to_string())
        } else if entry.name.ends_with(".md") && rustsec::is_crate_advisory(Path::new(&entry.name))
        {
            parse_markdown(&entry)
        } else {
            continue;
        };
        match loaded {
            Ok(record) => records.push(record),
            Err(reason) => skipped.push(Skipped {
                entry: entry.name,
                reason,
            }),
        }
    }
    (records, skipped)
}

fn parse_markdown(entry: &Entry) -> Result<StoredRecord, String> {
    let text = std::str::from_utf8(&entry.bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let advisory =
        rustsec::parse_markdown(Path::new(&entry.name), text).map_err(|e| e.to_string())?;
    let json = serde_json::to_vec(&advisory).map_err(|e| e.to_string())?;
    Ok(StoredRecord::new(&advisory, json))
}

fn newest_modified(records: &[StoredRecord]) -> String {
    records
        .iter()
        .map(|r| r.modified.as_str())
        .max()
        .unwrap_or_default()
        .to_string()
}

fn entries_digest(entries: &[Entry]) -> String {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut hasher = Sha256::new();
    for entry in sorted {
        hasher.update(entry.name.as_bytes());
        hasher.update([0]);
        hasher.update(&entry.bytes);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_snapshot_loads_whole() {
        let loaded = bundled("2026-11-24T00:00:00Z").unwrap();
        assert_eq!(loaded.info.record_count, 1206);
        assert!(loaded.info.skipped.is_empty());
        assert!(loaded.records.iter().all(|r| r.id.starts_with("RUSTSEC-")));
    }

    #[test]
    fn osv_export_urls() {
        assert_eq!(
            osv_export_url("https://osv.example/", &Ecosystem::PyPI),
            "https://osv.example/PyPI/all.zip"
        );
        assert_eq!(osv_source_name(&Ecosystem::CratesIo), "osv:crates.io");
    }

    #[test]
    fn a_malformed_record_is_skipped_and_named() {
        let entries = vec![
            Entry {
                name: "good.json".into(),
                bytes: br#"{"id":"X-1","modified":"2024-01-01T00:00:00Z"}"#.to_vec(),
            },
            Entry {
                name: "bad.json".into(),
                bytes: b"{not json".to_vec(),
            },
            Entry {
                name: "README.md".into(),
                bytes: b"# hello".to_vec(),
            },
        ];
        let (records, skipped) = load_entries(entries);
        assert_eq!(records.len(), 1);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].entry, "bad.json");
    }
}
