//! What a warm audit reuses instead of doing again: the inventory `cargo
//! metadata` gave for a project, and the last result of an audit of each input.
//! Both are derived data, valid only while what they were made from is
//! unchanged; a lookup that finds nothing valid just means doing the work.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Changes, Register, RegisterError};
use crate::digest::sha256_hex;
use crate::inventory::{self, InputFile, InputFormat, Inventory};
use crate::model::Component;

/// One file an inventory was read from, and its content then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigest {
    pub path: PathBuf,
    pub sha256: String,
    /// The file's metadata when it was hashed, when it had been left alone
    /// for a while before (see [`FileMeta`]): while the file's metadata is
    /// the same, it holds what was hashed, and it is not read again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<FileMeta>,
}

impl FileDigest {
    /// The digest of `path` as it is now; `None` when it cannot be read.
    pub fn now(path: &Path) -> Option<FileDigest> {
        let (bytes, held) = FileMeta::held_while(path, || inventory::read_bytes(path)).ok()?;
        Some(FileDigest {
            path: path.to_path_buf(),
            sha256: sha256_hex(&bytes),
            held,
        })
    }

    /// True when the file still holds what it held: its metadata is what it
    /// was when it was hashed, or else its content hashes the same. A fleet's
    /// scheduled check reads tens of MB of release SBOMs that never change.
    fn is_current(&self) -> bool {
        if self.held.is_some() && FileMeta::of(&self.path) == self.held {
            return true;
        }
        FileDigest::now(&self.path).is_some_and(|now| now.sha256 == self.sha256)
    }
}

/// What the file system says of a file without reading it: its size, inode,
/// and modification and change times. The change time (ctime) is set by the
/// kernel to the current time on every write and every metadata change, and no
/// call sets it to anything else, so a file whose metadata is unchanged has
/// not been written. Kept only for a file last changed more than two seconds
/// before it was hashed: a write within the file system's time granularity of
/// the hashing could otherwise leave the times as they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    size: u64,
    device: u64,
    inode: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

impl FileMeta {
    /// The metadata of the regular file at `path`; `None` where it cannot be
    /// read or the platform has no change time.
    #[cfg(unix)]
    fn of(path: &Path) -> Option<FileMeta> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
        Some(FileMeta {
            size: meta.size(),
            device: meta.dev(),
            inode: meta.ino(),
            modified: (meta.mtime(), meta.mtime_nsec()),
            changed: (meta.ctime(), meta.ctime_nsec()),
        })
    }

    #[cfg(not(unix))]
    fn of(_path: &Path) -> Option<FileMeta> {
        None
    }

    /// Runs `read` on the file at `path`, and gives the file's metadata too
    /// when the file held still throughout and had been left alone before:
    /// then the metadata stands for what `read` read.
    pub fn held_while<T, E>(
        path: &Path,
        read: impl FnOnce() -> Result<T, E>,
    ) -> Result<(T, Option<FileMeta>), E> {
        let before = FileMeta::of(path);
        let value = read()?;
        let held = before.filter(|meta| meta.settled() && FileMeta::of(path) == Some(*meta));
        Ok((value, held))
    }

    /// True when the file was last changed more than two seconds ago.
    fn settled(&self) -> bool {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        self.changed.0 < now.saturating_sub(2)
    }
}

/// An inventory from the cache, known by the files it came from; parsed only
/// when it is needed (a reused audit does not need it).
pub struct CachedInventory {
    /// The path its pins are kept under.
    pub input_path: String,
    /// One digest over every file it was read from: changes when any of them does.
    pub fingerprint: String,
    json: String,
}

/// An [`Inventory`] as the cache stores it: its components by their ids in
/// `kept_component`.
#[derive(Serialize, Deserialize)]
struct KeptInventory<'a> {
    input: Cow<'a, InputFile>,
    format: InputFormat,
    components: Vec<i64>,
    product: Cow<'a, [String]>,
    files: Cow<'a, [PathBuf]>,
}

impl Register {
    /// The inventory `kept` holds; `None` when its rows do not parse (a
    /// damaged register). Each component is parsed once however many kept
    /// inventories hold it: the releases of a fleet share most of their SOUP
    /// (50 releases of 1,200 items held about 6,000 distinct ones), and a
    /// clone of one already read shares its purl.
    pub fn read_kept(&self, kept: &CachedInventory) -> Option<Inventory> {
        let stored: KeptInventory = serde_json::from_str(&kept.json).ok()?;
        let mut read = self.kept_components.borrow_mut();
        let unread: Vec<i64> = stored
            .components
            .iter()
            .copied()
            .filter(|id| !read.contains_key(id))
            .collect();
        if !unread.is_empty() {
            let ids = serde_json::to_string(&unread).ok()?;
            // The ids are the outer loop: one look-up by primary key each.
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT k.id, k.component FROM json_each(?1) AS j
                     CROSS JOIN kept_component AS k ON k.id = j.value",
                )
                .ok()?;
            let rows = stmt
                .query_map([ids], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
                })
                .ok()?;
            for row in rows {
                let (id, json) = row.ok()?;
                read.insert(id, serde_json::from_str(&json).ok()?);
            }
        }
        let components = stored
            .components
            .iter()
            .map(|id| read.get(id).cloned())
            .collect::<Option<Vec<Component>>>()?;
        Some(Inventory {
            input: stored.input.into_owned(),
            format: stored.format,
            components,
            product: stored.product.into_owned(),
            files: stored.files.into_owned(),
        })
    }
}

/// One digest over `files`, for keys.
pub fn fingerprint(files: &[FileDigest]) -> String {
    let joined: Vec<String> = files
        .iter()
        .map(|f| format!("{}\0{}", f.path.display(), f.sha256))
        .collect();
    sha256_hex(joined.join("\n").as_bytes())
}

impl Register {
    /// The inventory cached for `manifest` under `variant` by `program`, if
    /// every file it was read from is unchanged.
    pub fn cached_inventory(
        &self,
        manifest: &Path,
        variant: &str,
        program: &str,
    ) -> Result<Option<CachedInventory>, RegisterError> {
        let row: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT input, files, inventory FROM inventory_cache
                 WHERE manifest = ?1 AND variant = ?2 AND program = ?3",
                params![manifest.display().to_string(), variant, program],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((input_path, files, json)) = row else {
            return Ok(None);
        };
        let Ok(files) = serde_json::from_str::<Vec<FileDigest>>(&files) else {
            return Ok(None);
        };
        if files.is_empty() || !files.iter().all(FileDigest::is_current) {
            return Ok(None);
        }
        Ok(Some(CachedInventory {
            input_path,
            fingerprint: fingerprint(&files),
            json,
        }))
    }

    /// The cached result of the last audit of `input_path`, if it was made under `key`.
    pub fn cached_audit(
        &self,
        input_path: &str,
        key: &str,
    ) -> Result<Option<String>, RegisterError> {
        self.conn
            .query_row(
                "SELECT result FROM audit_cache WHERE input_path = ?1 AND key = ?2",
                params![input_path, key],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

impl Changes<'_> {
    /// Keeps `inventory`, read by `program` from `files`, as the one cached for
    /// `manifest` under `variant` (replacing what another build kept).
    pub fn cache_inventory(
        &self,
        (manifest, variant, program): (&Path, &str, &str),
        files: &[FileDigest],
        inventory: &Inventory,
    ) -> Result<(), RegisterError> {
        let files = serde_json::to_string(files).unwrap_or_default();
        let json = serde_json::to_string(&KeptInventory {
            input: Cow::Borrowed(&inventory.input),
            format: inventory.format,
            components: self.keep_components(&inventory.components)?,
            product: Cow::Borrowed(&inventory.product),
            files: Cow::Borrowed(&inventory.files),
        })
        .unwrap_or_default();
        let input = inventory.input.path.display().to_string();
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO inventory_cache (manifest, variant, program, input, files, inventory)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    manifest.display().to_string(),
                    variant,
                    program,
                    input,
                    files,
                    json
                ])
            })
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The ids of `components` in `kept_component`, storing those not there
    /// yet; one already there is only looked up.
    fn keep_components(&self, components: &[Component]) -> Result<Vec<i64>, RegisterError> {
        let mut find = self
            .tx
            .prepare_cached("SELECT id FROM kept_component WHERE component = ?1")
            .map_err(|e| self.err(e))?;
        let mut store = self
            .tx
            .prepare_cached("INSERT INTO kept_component (component) VALUES (?1) RETURNING id")
            .map_err(|e| self.err(e))?;
        components
            .iter()
            .map(|c| {
                let json = serde_json::to_string(c).unwrap_or_default();
                match find.query_row([&json], |row| row.get(0)).optional() {
                    Ok(Some(id)) => Ok(id),
                    Ok(None) => store.query_row([&json], |row| row.get(0)),
                    Err(e) => Err(e),
                }
                .map_err(|e| self.err(e))
            })
            .collect()
    }

    /// Forgets the inventory kept for `manifest` under `variant`: the files it
    /// was read from were pinned anew, perhaps by another build.
    pub fn forget_inventory(&self, manifest: &Path, variant: &str) -> Result<(), RegisterError> {
        self.tx
            .prepare_cached("DELETE FROM inventory_cache WHERE manifest = ?1 AND variant = ?2")
            .and_then(|mut s| s.execute(params![manifest.display().to_string(), variant]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Keeps `result` as the audit of `input_path` under `key`, replacing the last one.
    pub fn cache_audit(
        &self,
        input_path: &str,
        key: &str,
        result: &str,
    ) -> Result<(), RegisterError> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO audit_cache (input_path, key, result) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| s.execute(params![input_path, key, result]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Forgets the cached audit of `input_path`: its pins changed.
    pub(super) fn forget_audit(&self, input_path: &str) -> Result<(), RegisterError> {
        self.tx
            .prepare_cached("DELETE FROM audit_cache WHERE input_path = ?1")
            .and_then(|mut s| s.execute([input_path]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::inventory::{InputFile, InputFormat};

    fn inventory_of(lock: &Path) -> Inventory {
        Inventory {
            input: InputFile {
                path: lock.to_path_buf(),
                sha256: "aa".into(),
            },
            format: InputFormat::CargoMetadata,
            components: Vec::new(),
            product: vec!["app".into()],
            files: vec![PathBuf::from("Cargo.lock")],
        }
    }

    #[test]
    fn an_inventory_is_reused_until_one_of_its_files_changes() {
        let dir = tempfile::tempdir().unwrap();
        let (manifest, lock) = (dir.path().join("Cargo.toml"), dir.path().join("Cargo.lock"));
        std::fs::write(&manifest, "[package]").unwrap();
        std::fs::write(&lock, "version = 4").unwrap();
        let files: Vec<FileDigest> = [&manifest, &lock]
            .into_iter()
            .map(|p| FileDigest::now(p).unwrap())
            .collect();
        let mut register = Register::in_memory().unwrap();
        let changes = register
            .begin("audit", datetime!(2026-11-24 9:00 UTC))
            .unwrap();
        changes
            .cache_inventory((&manifest, "all", "v1"), &files, &inventory_of(&lock))
            .unwrap();
        changes.commit().unwrap();

        let cached = register
            .cached_inventory(&manifest, "all", "v1")
            .unwrap()
            .unwrap();
        assert_eq!(register.read_kept(&cached), Some(inventory_of(&lock)));
        assert_eq!(cached.input_path, lock.display().to_string());
        assert_eq!(cached.fingerprint, fingerprint(&files));
        let absent = |variant, program| {
            register
                .cached_inventory(&manifest, variant, program)
                .unwrap()
                .is_none()
        };
        assert!(absent("x86_64-unknown-linux-gnu", "v1"));
        assert!(absent("all", "v2"));

        std::fs::write(&manifest, "[package]\nname = \"app\"").unwrap();
        assert!(absent("all", "v1"));
        std::fs::write(&manifest, "[package]").unwrap();
        std::fs::remove_file(&lock).unwrap();
        assert!(absent("all", "v1"));
    }

    /// A file whose metadata is as it was when hashed is not read again; a
    /// write of the same size changes its change time, and it is read.
    #[cfg(unix)]
    #[test]
    fn a_file_left_alone_is_known_by_its_metadata_and_a_write_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let sbom = dir.path().join("1.0.0.cdx.json");
        std::fs::write(&sbom, "{}").unwrap();
        // Just written: not settled, so its metadata is not trusted.
        let fresh = FileDigest::now(&sbom).unwrap();
        assert_eq!(fresh.held, None);
        assert!(fresh.is_current());

        // Trusting the metadata means not reading: a wrong digest passes.
        let held = FileDigest {
            path: sbom.clone(),
            sha256: "not the digest".into(),
            held: FileMeta::of(&sbom),
        };
        assert!(held.is_current());
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&sbom, "[]").unwrap();
        assert_ne!(FileMeta::of(&sbom), held.held);
        assert!(!held.is_current());
        let rewritten = FileDigest {
            sha256: sha256_hex(b"[]"),
            ..held
        };
        assert!(rewritten.is_current(), "read again, it hashes the same");
    }

    /// Three releases kept side by side (two of one deno lockfile, one of an
    /// older deno) read back as they were kept: what they share is parsed once.
    #[test]
    fn kept_inventories_that_share_components_read_back_whole() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lockfiles");
        let dir = tempfile::tempdir().unwrap();
        let releases: Vec<(PathBuf, Inventory)> =
            ["deno-f74b15c304", "deno-f74b15c304", "deno-c56df45355"]
                .iter()
                .enumerate()
                .map(|(release, name)| {
                    let path = dir.path().join(format!("{release}.Cargo.lock"));
                    std::fs::copy(fixtures.join(format!("{name}.Cargo.lock")), &path).unwrap();
                    let inventory = inventory::read_lockfile_as(&path, None).unwrap();
                    (path, inventory)
                })
                .collect();
        let mut register = Register::in_memory().unwrap();
        let changes = register
            .begin("audit", datetime!(2026-11-24 9:00 UTC))
            .unwrap();
        for (path, inventory) in &releases {
            let file = FileDigest::now(path).unwrap();
            changes
                .cache_inventory((path, "release baseline", "v1"), &[file], inventory)
                .unwrap();
        }
        changes.commit().unwrap();

        for (path, inventory) in &releases {
            let kept = register
                .cached_inventory(path, "release baseline", "v1")
                .unwrap()
                .unwrap();
            assert_eq!(register.read_kept(&kept).as_ref(), Some(inventory));
        }
        let distinct: std::collections::HashSet<String> = releases
            .iter()
            .flat_map(|(_, inventory)| &inventory.components)
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        let held: usize = releases.iter().map(|(_, i)| i.components.len()).sum();
        assert_eq!(register.kept_components.borrow().len(), distinct.len());
        assert!(distinct.len() < held, "{} of {held}", distinct.len());
    }

    #[test]
    fn an_audit_is_reused_under_its_key_until_forgotten() {
        let mut register = Register::in_memory().unwrap();
        let changes = register
            .begin("audit", datetime!(2026-11-24 9:00 UTC))
            .unwrap();
        changes.cache_audit("Cargo.lock", "k1", "{}").unwrap();
        changes.commit().unwrap();
        assert_eq!(
            register
                .cached_audit("Cargo.lock", "k1")
                .unwrap()
                .as_deref(),
            Some("{}")
        );
        assert!(register.cached_audit("Cargo.lock", "k2").unwrap().is_none());
        assert!(register.cached_audit("other.lock", "k1").unwrap().is_none());

        let changes = register
            .begin("list", datetime!(2026-11-24 9:00 UTC))
            .unwrap();
        changes.forget_audit("Cargo.lock").unwrap();
        changes.commit().unwrap();
        assert!(register.cached_audit("Cargo.lock", "k1").unwrap().is_none());
    }
}
