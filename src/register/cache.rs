//! What a warm audit reuses instead of doing again: the inventory `cargo
//! metadata` gave for a project, and the last result of an audit of each input.
//! Both are derived data, valid only while what they were made from is
//! unchanged; a lookup that finds nothing valid just means doing the work.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Changes, Register, RegisterError};
use crate::digest::sha256_hex;
use crate::inventory::{self, Inventory};

/// One file an inventory was read from, and its content then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigest {
    pub path: PathBuf,
    pub sha256: String,
}

impl FileDigest {
    /// The digest of `path` as it is now; `None` when it cannot be read.
    pub fn now(path: &Path) -> Option<FileDigest> {
        let bytes = inventory::read_bytes(path).ok()?;
        Some(FileDigest {
            path: path.to_path_buf(),
            sha256: sha256_hex(&bytes),
        })
    }

    /// True when the file still holds what it held.
    fn is_current(&self) -> bool {
        FileDigest::now(&self.path).is_some_and(|now| now.sha256 == self.sha256)
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

impl CachedInventory {
    /// The inventory; `None` when the row does not parse (a damaged register).
    pub fn read(&self) -> Option<Inventory> {
        serde_json::from_str(&self.json).ok()
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
        let json = serde_json::to_string(inventory).unwrap_or_default();
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
        assert_eq!(cached.read(), Some(inventory_of(&lock)));
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
