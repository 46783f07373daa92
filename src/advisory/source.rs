//! Advisory sources: the RustSec snapshot bundled in the binary, a download
//! (RustSec's OSV export, OSV's per-ecosystem bulk exports), or a local mirror
//! for air-gapped sites. Each is opened as an [`Incoming`] source, whose
//! records are then read one at a time into the store's transaction
//! ([`Store::replace`](crate::register::Store::replace)), which swaps in the
//! source's whole data at once or, when reading fails half-way, nothing.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::archive::{self, ArchiveError, Entry, Limits};
use super::osv::{Advisory, RecordKeys};
use super::{records, rustsec};
use time::OffsetDateTime;

use crate::digest::sha256_hex;
use crate::model::Ecosystem;
use crate::net::{Client, Fetched, NetError, Validators};
use crate::register::{
    Loader, RegisterError, Skipped, SourceInfo, Staged, Store, StoredRecord, stamp,
};

/// The name of the RustSec source in the store.
pub const RUSTSEC: &str = "rustsec";

/// The RustSec database in OSV form, compiled in so the first run needs no
/// network. Its entries are stored uncompressed (data/README.md): inflating
/// them took a first audit 9 ms, more than the rest of loading them.
const BUNDLED_SNAPSHOT: &[u8] = include_bytes!("../../data/rustsec-osv.zip");

/// [`BUNDLED_SNAPSHOT`] as a new store holds it once loaded (data/README.md).
/// A first audit on a machine with no store writes this file in place of one,
/// instead of loading 1,206 records one at a time into an empty store, which
/// took three fifths of that audit. A test holds the two equal.
const BUNDLED_STORE: &[u8] = include_bytes!("../../data/rustsec-osv.store");

/// The sha256 of [`BUNDLED_SNAPSHOT`], written out so that a first audit does
/// not hash the snapshot (a test checks it).
const BUNDLED_SHA256: &str = "b83b3e9f88147665066f2eed343a18e42ca4d25c42454df1e7c3a26508dae8ca";

/// The date of the bundled snapshot (data/README.md).
pub const BUNDLED_DATE: &str = "2026-08-21";

/// Bytes read at once from a mirror's zip file: dozens of its small entries.
const MIRROR_BUFFER: usize = 64 * 1024;

/// Why a source could not be loaded; the store keeps its previous data.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Store(#[from] RegisterError),
    /// The new data holds far fewer records than the data it would replace.
    #[error(
        "failed to load {location} as `{name}`: it holds {after} records where the data it would \
         replace holds {before}; an interrupted copy or the wrong file would lose findings. The \
         previous data was kept; pass --replace if the smaller source is meant"
    )]
    Shrank {
        location: String,
        name: String,
        before: usize,
        after: usize,
    },
    /// The command failed while the bundled snapshot loaded, so it was not kept.
    #[error("the command failed; the bundled snapshot was not kept")]
    NotKept,
    #[error("failed to read {path}")]
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

/// How far a source's records are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parse {
    /// Every field, so that a malformed record is skipped and named: for
    /// anything from outside the binary.
    Full,
    /// Only what the store indexes a record by ([`RecordKeys`]): for the
    /// bundled snapshot, known to be well-formed.
    KeysOnly,
}

/// A source opened and checked as far as can be before its records are read:
/// an archive's entry names and entry count are; its records and their sizes
/// are checked as [`Incoming::load`] reads them.
pub struct Incoming {
    /// What is known of the source before its records are read.
    info: SourceInfo,
    entries: Box<dyn Iterator<Item = Result<Entry, ArchiveError>>>,
    parse: Parse,
    /// For a mirror, what is completed from its records.
    mirror: Option<Mirror>,
}

/// A mirror is named and dated after its records.
struct Mirror {
    /// The name given on the command line, if any.
    name: Option<String>,
    /// The mirror's file or directory name, for its default name.
    file_name: String,
    /// The digest of a directory's entries, computed as they are read.
    digest: Option<Sha256>,
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
pub fn bundled(now: &str) -> Result<Incoming, SourceError> {
    let location = format!("bundled RustSec snapshot of {BUNDLED_DATE}");
    let entries = archive::read_zip(Cursor::new(BUNDLED_SNAPSHOT), &location, &Limits::default())?;
    Ok(Incoming {
        info: SourceInfo {
            name: RUSTSEC.to_string(),
            location,
            fetched_at: now.to_string(),
            data_date: format!("{BUNDLED_DATE}T00:00:00Z"),
            etag: None,
            last_modified: None,
            content_sha256: BUNDLED_SHA256.to_string(),
            record_count: 0,
            skipped: Vec::new(),
        },
        entries: Box::new(entries),
        parse: Parse::KeysOnly,
        mirror: None,
    })
}

/// A local mirror: a zip of OSV JSON or RustSec markdown, or a directory of them.
/// Its data is as current as its newest record. Stored as `name`, or `rustsec`
/// when every record is a RustSec advisory, else `mirror:<file name>`.
pub fn from_mirror(path: &Path, name: Option<&str>, now: &str) -> Result<Incoming, SourceError> {
    let location = path.display().to_string();
    let limits = Limits::default();
    let io = |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let (entries, content_sha256, digest): (Box<dyn Iterator<Item = _>>, _, _) = if path.is_dir() {
        let entries = archive::read_dir(path, &limits)?;
        (Box::new(entries), String::new(), Some(Sha256::new()))
    } else {
        let mut file = SeekBuffered::new(File::open(path).map_err(io)?);
        let content_sha256 = sha256_of(&mut file).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let entries = archive::read_zip(file, &location, &limits)?;
        (Box::new(entries), content_sha256, None)
    };
    Ok(Incoming {
        info: SourceInfo {
            name: String::new(),
            location,
            fetched_at: now.to_string(),
            data_date: String::new(),
            etag: None,
            last_modified: None,
            content_sha256,
            record_count: 0,
            skipped: Vec::new(),
        },
        entries,
        parse: Parse::Full,
        mirror: Some(Mirror {
            name: name.map(str::to_string),
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            digest,
        }),
    })
}

/// The outcome of asking a server for a source.
pub enum Download {
    /// The server's data is what the store already holds.
    Unchanged,
    /// New data to swap in.
    Updated(Box<Incoming>),
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
    let entries = archive::read_zip(Cursor::new(bytes), url, &Limits::default())?;
    Ok(Download::Updated(Box::new(Incoming {
        info: SourceInfo {
            name: name.to_string(),
            location: url.to_string(),
            fetched_at: now.to_string(),
            data_date: now.to_string(),
            etag: validators.etag,
            last_modified: validators.last_modified,
            content_sha256,
            record_count: 0,
            skipped: Vec::new(),
        },
        entries: Box::new(entries),
        parse: Parse::Full,
        mirror: None,
    })))
}

impl Incoming {
    /// Reads every record into `loader` and returns what the source is. A
    /// record that does not load, or repeats an id, is skipped and named. A
    /// source with no record at all is refused, so good data is never replaced
    /// by nothing.
    pub fn load(self, loader: &mut Loader<'_>) -> Result<SourceInfo, SourceError> {
        let Incoming {
            mut info,
            entries,
            parse,
            mut mirror,
        } = self;
        let mut newest: Option<OffsetDateTime> = None;
        let mut all_rustsec = true;
        for entry in entries {
            let Entry { name, bytes } = entry?;
            if let Some(digest) = mirror.as_mut().and_then(|m| m.digest.as_mut()) {
                digest.update(name.as_bytes());
                digest.update([0]);
                digest.update(&bytes);
            }
            let record = match read_record(&name, bytes, parse) {
                None => continue,
                Some(Ok(record)) => record,
                Some(Err(reason)) => {
                    info.skipped.push(Skipped {
                        entry: name,
                        reason,
                    });
                    continue;
                }
            };
            if !loader.add(&record)? {
                info.skipped.push(Skipped {
                    entry: name,
                    reason: format!("an earlier entry holds a record with the id {}", record.id),
                });
                continue;
            }
            info.record_count += 1;
            all_rustsec &= record.id.starts_with("RUSTSEC-");
            // OSV has no records from before 1970: an earlier time (Go's
            // `0001-01-01T00:00:00Z`) is a placeholder, never the newest.
            let placeholder = record.modified < OffsetDateTime::UNIX_EPOCH;
            if !placeholder && newest.is_none_or(|n| record.modified > n) {
                newest = Some(record.modified);
            }
        }
        if info.record_count == 0 {
            return Err(SourceError::NoRecords {
                location: info.location,
                skipped: info.skipped.len(),
                first: info
                    .skipped
                    .first()
                    .map(|s| format!(", the first: {}: {}", s.entry, s.reason))
                    .unwrap_or_default(),
            });
        }
        if let Some(mirror) = mirror {
            info.data_date = newest.map(stamp).unwrap_or_default();
            info.name = match mirror.name {
                Some(name) => name,
                None if all_rustsec => RUSTSEC.to_string(),
                None => format!("mirror:{}", mirror.file_name),
            };
            if let Some(digest) = mirror.digest {
                info.content_sha256 = hex::encode(digest.finalize());
            }
        }
        Ok(info)
    }
}

/// The OSV record in one archive entry: an OSV JSON file, or a RustSec
/// markdown advisory under `crates/` converted to OSV. `None` for other files
/// (READMEs, the standard library's advisories under `rust/`), which are not
/// records; why not for a record that does not load.
pub fn read_record(
    name: &str,
    bytes: Vec<u8>,
    parse: Parse,
) -> Option<Result<StoredRecord, String>> {
    if name.ends_with(".json") {
        let record = match parse {
            Parse::Full => Advisory::from_json(&bytes).map(|a| records::stored(&a, bytes)),
            Parse::KeysOnly => {
                RecordKeys::from_json(&bytes).map(|keys| records::stored_keys(keys, bytes))
            }
        };
        Some(record.map_err(|e| e.to_string()))
    } else if name.ends_with(".md") && rustsec::is_crate_advisory(Path::new(name)) {
        Some(parse_markdown(name, &bytes))
    } else {
        None
    }
}

fn parse_markdown(name: &str, bytes: &[u8]) -> Result<StoredRecord, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let advisory = rustsec::parse_markdown(Path::new(name), text).map_err(|e| e.to_string())?;
    let json = serde_json::to_vec(&advisory).map_err(|e| e.to_string())?;
    Ok(records::stored(&advisory, json))
}

/// Refuses `info`, the data that would replace a source of `before` records,
/// when it holds fewer than half as many, unless `replace` says it is meant.
pub fn check_shrink(
    info: &SourceInfo,
    before: Option<usize>,
    replace: bool,
) -> Result<(), SourceError> {
    match before {
        Some(before) if !replace && info.record_count * 2 < before => Err(SourceError::Shrank {
            location: info.location.clone(),
            name: info.name.clone(),
            before,
            after: info.record_count,
        }),
        _ => Ok(()),
    }
}

/// True when the store has no RustSec data yet: the bundled snapshot is loaded
/// first, so the first run works with no network.
pub fn needs_bundled(store: &Store) -> Result<bool, RegisterError> {
    Ok(store.source(RUSTSEC)?.is_none())
}

/// Loads the bundled RustSec snapshot, stamped as fetched `now`, and keeps it
/// if `proceed` says so once it is in (else the store is left as it was); the
/// caller settles the store's log.
pub fn load_bundled(
    store: &mut Store,
    now: OffsetDateTime,
    proceed: impl FnOnce() -> bool,
) -> Result<(), SourceError> {
    let snapshot = bundled(&stamp(now))?;
    store.replace(|loader| {
        let info = snapshot.load(loader)?;
        match proceed() {
            true => Ok(info),
            false => Err(SourceError::NotKept),
        }
    })?;
    Ok(())
}

/// Stages a new store at `path` holding the bundled snapshot as
/// [`load_bundled`] loads it, stamped as fetched `now`; it is at `path` only
/// once placed.
pub fn stage_bundled(path: &Path, now: OffsetDateTime) -> Result<Staged, RegisterError> {
    Store::stage(path, BUNDLED_STORE, &stamp(now))
}

/// A buffered file whose seeks within the buffer need no system call: the zip
/// reader seeks twice for each entry, mostly to bytes already in the buffer,
/// where [`BufReader`]'s own seek would discard it and read again.
struct SeekBuffered<R> {
    inner: BufReader<R>,
    /// The position of the next byte read.
    position: u64,
}

impl<R: Read + Seek> SeekBuffered<R> {
    fn new(inner: R) -> Self {
        SeekBuffered {
            inner: BufReader::with_capacity(MIRROR_BUFFER, inner),
            position: 0,
        }
    }
}

impl<R: Read + Seek> Read for SeekBuffered<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.position += read as u64;
        Ok(read)
    }
}

impl<R: Read + Seek> Seek for SeekBuffered<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let relative = match to {
            SeekFrom::Start(target) => i64::try_from(target)
                .ok()
                .zip(i64::try_from(self.position).ok())
                .map(|(target, position)| target - position),
            SeekFrom::Current(offset) => Some(offset),
            SeekFrom::End(_) => None,
        };
        match relative {
            Some(offset) => {
                self.inner.seek_relative(offset)?;
                self.position = self.position.saturating_add_signed(offset);
            }
            None => self.position = self.inner.seek(to)?,
        }
        Ok(self.position)
    }
}

/// Lowercase hex sha256 of everything `reader` yields.
fn sha256_of(reader: &mut impl Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; MIRROR_BUFFER];
    loop {
        match reader.read(&mut buffer)? {
            0 => return Ok(hex::encode(hasher.finalize())),
            n => hasher.update(&buffer[..n]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_snapshot_is_whole_well_formed_osv() {
        assert_eq!(sha256_hex(BUNDLED_SNAPSHOT), BUNDLED_SHA256);
        let entries = archive::read_zip(
            Cursor::new(BUNDLED_SNAPSHOT),
            "snapshot",
            &Limits::default(),
        )
        .unwrap();
        let mut records = 0;
        for entry in entries {
            let Entry { name, bytes } = entry.unwrap();
            let Some(full) = read_record(&name, bytes.clone(), Parse::Full) else {
                continue;
            };
            let keys = read_record(&name, bytes, Parse::KeysOnly).unwrap();
            assert_eq!(full, keys, "{name}");
            assert!(full.unwrap().id.starts_with("RUSTSEC-"), "{name}");
            records += 1;
        }
        assert_eq!(records, 1206);
    }

    #[test]
    fn the_bundled_snapshot_loads_whole() {
        let mut store = Store::in_memory().unwrap();
        let snapshot = bundled("2026-11-24T00:00:00Z").unwrap();
        let info = store.replace(|loader| snapshot.load(loader)).unwrap();
        assert_eq!(info.record_count, 1206);
        assert!(info.skipped.is_empty());
        assert_eq!(store.source(RUSTSEC).unwrap(), Some(info));
    }

    /// The bundled store is the bundled snapshot loaded into a new store, by
    /// this build's loader and schema. With `SOUP_WRITE_BUNDLED_STORE` set,
    /// the test writes it anew first (data/README.md).
    #[test]
    fn the_bundled_store_is_the_bundled_snapshot_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let fetched = time::macros::datetime!(2026-11-24 9:00 UTC);
        let mut loaded = Store::open(&dir.path().join("loaded.db")).unwrap();
        load_bundled(&mut loaded, fetched, || true).unwrap();
        if std::env::var_os("SOUP_WRITE_BUNDLED_STORE").is_some() {
            let image = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/rustsec-osv.store");
            let _ = std::fs::remove_file(&image);
            loaded.write_image(&image).unwrap();
        }
        let path = dir.path().join("staged.db");
        let staged = stage_bundled(&path, fetched).unwrap();
        assert!(!path.exists(), "a staged store is not in place");
        let placed = staged.place(crate::register::BUSY_TIMEOUT).unwrap();
        assert_eq!(placed.contents(), loaded.contents());
        assert_eq!(
            placed.source(RUSTSEC).unwrap().unwrap().fetched_at,
            stamp(fetched)
        );
    }

    #[test]
    fn a_staged_store_never_replaces_one_made_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let staged = stage_bundled(&path, time::OffsetDateTime::UNIX_EPOCH).unwrap();
        drop(Store::open(&path).unwrap());
        let placed = staged.place(crate::register::BUSY_TIMEOUT).unwrap();
        assert!(needs_bundled(&placed).unwrap());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.iter().all(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with("store.db")
        }));
    }

    #[test]
    fn a_staged_store_that_is_never_placed_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/store.db");
        drop(stage_bundled(&path, time::OffsetDateTime::UNIX_EPOCH).unwrap());
        assert_eq!(
            std::fs::read_dir(dir.path().join("cache")).unwrap().count(),
            0
        );
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
        let record = |name: &str, bytes: &[u8]| read_record(name, bytes.to_vec(), Parse::Full);
        let good = record(
            "good.json",
            br#"{"id":"X-1","modified":"2024-01-01T00:00:00Z"}"#,
        );
        assert_eq!(good.unwrap().unwrap().id, "X-1");
        assert!(record("bad.json", b"{not json").unwrap().is_err());
        assert_eq!(record("README.md", b"# hello"), None);
    }
}
