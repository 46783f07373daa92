//! Reading the SOUP in use: an SBOM, a lockfile, or the project through `cargo
//! metadata`, and the inventory kept for the project so a warm audit can skip
//! `cargo metadata` while none of the files it read changed.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use super::{Project, ProjectError, RECORD_FILE};
use crate::digest::sha256_hex;
use crate::inventory::{self, CargoOptions, InputFormat, Inventory};
use crate::out::Out;
use crate::register::{CachedInventory, Changes, FileDigest, FileMeta, Register, fingerprint};

/// Where the SOUP comes from when not from the project's Cargo files.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// A lockfile read directly instead of asking `cargo metadata`.
    pub lockfile: Option<PathBuf>,
    /// An SBOM read instead of the project.
    pub sbom: Option<PathBuf>,
    /// A shipped executable whose `cargo auditable` list is read instead.
    pub binary: Option<PathBuf>,
    /// The lockfile's format, for the few that neither content nor name tells.
    pub format_hint: Option<InputFormat>,
    /// Never touch the network.
    pub offline: bool,
    /// Only the SOUP built for this target triple.
    pub target: Option<String>,
}

impl Input {
    /// True when the input is the project itself, not a named file.
    pub fn is_project(&self) -> bool {
        self.lockfile.is_none() && self.sbom.is_none() && self.binary.is_none()
    }

    /// The file a SARIF log names as what was scanned: the SBOM or lockfile
    /// given, else the project's `Cargo.lock`.
    pub fn artifact(&self) -> String {
        self.sbom
            .as_ref()
            .or(self.lockfile.as_ref())
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "Cargo.lock".to_string())
    }
}

/// The working tree's input, known by its content before it is parsed.
pub(super) struct Identified {
    /// The path its pins are kept under: the input, or the workspace's Cargo.lock.
    pub input_path: String,
    /// A digest over every file its inventory is read from, once asked for.
    /// Only a kept result's look-up needs it before the reading; an audit with
    /// no register takes it from the inventory, whose reading hashed the file.
    fingerprint: OnceCell<String>,
    unread: Unread,
}

/// What is left to do to read an identified input.
enum Unread {
    /// A lockfile's or an SBOM's bytes, parsed on demand.
    Lockfile(PathBuf, Vec<u8>),
    Sbom(PathBuf, Vec<u8>),
    /// The project's inventory as the register kept it.
    Cached(CachedInventory),
}

impl Identified {
    fn of_file(path: &Path, lockfile: bool) -> Result<Identified, ProjectError> {
        let bytes = inventory::read_bytes(path)?;
        Ok(Identified {
            input_path: path.display().to_string(),
            fingerprint: OnceCell::new(),
            unread: if lockfile {
                Unread::Lockfile(path.to_path_buf(), bytes)
            } else {
                Unread::Sbom(path.to_path_buf(), bytes)
            },
        })
    }

    /// The digest over every file its inventory is read from, before it is read.
    pub fn fingerprint(&self) -> Result<&str, ProjectError> {
        if let Some(fingerprint) = self.fingerprint.get() {
            return Ok(fingerprint);
        }
        let fingerprint = match &self.unread {
            Unread::Lockfile(path, bytes) => inventory::lockfile_fingerprint(path, bytes)?,
            Unread::Sbom(_, bytes) => sha256_hex(bytes),
            Unread::Cached(cached) => cached.fingerprint.clone(),
        };
        Ok(self.fingerprint.get_or_init(|| fingerprint))
    }
}

impl Project {
    /// Reads the SOUP in use: an SBOM, a lockfile, or the project through
    /// `cargo metadata` (falling back to its Cargo.lock when metadata cannot run).
    pub fn read_inventory(
        &mut self,
        input: &Input,
        out: &mut dyn Out,
    ) -> Result<Inventory, ProjectError> {
        if let Some(sbom) = &input.sbom {
            return Ok(inventory::read_sbom(sbom)?);
        }
        if let Some(lockfile) = &input.lockfile {
            return Ok(inventory::read_lockfile_as(lockfile, input.format_hint)?);
        }
        if let Some(binary) = &input.binary {
            return Ok(inventory::read_binary(binary)?);
        }
        let manifest = self
            .locations
            .manifest
            .clone()
            .ok_or(ProjectError::NoProject)?;
        // `cargo metadata --locked` would fail with cargo's own words, and a
        // read command must not write the lockfile itself.
        let project_dir = manifest.parent().unwrap_or(Path::new("."));
        if find_upwards(project_dir, "Cargo.lock").is_none() {
            return Err(ProjectError::NoLockfile(manifest));
        }
        // Always --locked: a read command must never rewrite the project's
        // Cargo.lock. A lockfile that is out of date is read as it is instead.
        let options = CargoOptions {
            offline: input.offline,
            locked: true,
            filter_platform: input.target.clone(),
        };
        match inventory::read_cargo_project(&manifest, &options) {
            Ok(inventory) => Ok(inventory),
            Err(metadata_error) => {
                let why = metadata_error.to_string();
                let why = why.lines().next().unwrap_or_default().to_string();
                let Some(lockfile) =
                    find_upwards(manifest.parent().unwrap_or(Path::new(".")), "Cargo.lock")
                else {
                    return Err(metadata_error.into());
                };
                out.verbose(&format!(
                    "note: `cargo metadata --locked` could not run ({why}); reading {} as it is",
                    lockfile.display()
                ));
                Ok(inventory::read_lockfile(&lockfile)?)
            }
        }
    }

    /// Identifies the working tree's input without parsing it: a lockfile or an
    /// SBOM by its bytes, a project by the inventory `cargo metadata` gave for it
    /// last time, while none of the files it was read from changed. `None` when
    /// the project has no such inventory: [`Project::read_inventory`] reads it.
    pub(super) fn identify(&mut self, input: &Input) -> Result<Option<Identified>, ProjectError> {
        if let Some(path) = &input.sbom {
            return Ok(Some(Identified::of_file(path, false)?));
        }
        if let Some(path) = &input.lockfile {
            return Ok(Some(Identified::of_file(path, true)?));
        }
        if input.binary.is_some() {
            return Ok(None);
        }
        let Some(manifest) = self.locations.manifest.clone() else {
            return Ok(None);
        };
        // A register that does not exist yet keeps no inventory.
        let Some(register) = self.existing_register()? else {
            return Ok(None);
        };
        let program = program_identity();
        let mut cached =
            register.cached_inventory(&manifest, &cargo_variant(input, false), program)?;
        if cached.is_none() && input.offline {
            cached = register.cached_inventory(&manifest, &cargo_variant(input, true), program)?;
        }
        Ok(cached.map(|cached| Identified {
            input_path: cached.input_path.clone(),
            fingerprint: OnceCell::new(),
            unread: Unread::Cached(cached),
        }))
    }

    /// Reads the components of an identified input, with its fingerprint. A
    /// kept inventory that no longer parses is read again from the project.
    pub(super) fn read_identified(
        &mut self,
        identified: Identified,
        input: &Input,
        out: &mut dyn Out,
    ) -> Result<(Inventory, String), ProjectError> {
        let known = identified.fingerprint.into_inner();
        let (inventory, bytes) = match identified.unread {
            Unread::Lockfile(path, bytes) => (
                inventory::parse_any_lockfile(&path, &bytes, input.format_hint)?,
                bytes,
            ),
            Unread::Sbom(path, bytes) => (inventory::parse_sbom(&path, &bytes)?, bytes),
            Unread::Cached(cached) => {
                let inventory = match self.register()?.read_kept(&cached) {
                    Some(inventory) => inventory,
                    None => self.read_inventory(input, out)?,
                };
                return Ok((inventory, cached.fingerprint));
            }
        };
        let fingerprint = match known {
            Some(fingerprint) => fingerprint,
            None => inventory::fingerprint_of(&inventory, &bytes)?,
        };
        Ok((inventory, fingerprint))
    }
}

/// Keeps the inventory [`Project::read_inventory`] read for the project at
/// `manifest`, with the digests of the files it was read from, so the next
/// audit can skip `cargo metadata`; returns the fingerprint of those files. The
/// lockfile read when `cargo metadata --offline` could not run (crates of other
/// platforms not downloaded, typically) is kept too, with the project's
/// manifest, but reused only by offline runs: an online run tries again.
pub(super) fn keep_inventory(
    changes: &Changes<'_>,
    manifest: Option<&Path>,
    input: &Input,
    inventory: &Inventory,
) -> Result<Option<String>, ProjectError> {
    let Some(manifest) = manifest.filter(|_| input.is_project()) else {
        return Ok(None);
    };
    let fallback = inventory.format != InputFormat::CargoMetadata;
    if fallback && !input.offline {
        return Ok(None);
    }
    let mut paths = inventory.files.clone();
    if fallback {
        paths.push(manifest.to_path_buf());
    }
    let Some(files) = paths
        .iter()
        .map(|path| FileDigest::now(path))
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    // A lockfile changed since it was read would key the inventory wrongly.
    let lockfile_changed = files
        .iter()
        .any(|f| f.path == inventory.input.path && f.sha256 != inventory.input.sha256);
    if lockfile_changed {
        return Ok(None);
    }
    let variant = cargo_variant(input, fallback);
    changes.cache_inventory((manifest, &variant, program_identity()), &files, inventory)?;
    Ok(Some(fingerprint(&files)))
}

/// The inventory-cache variant under which release baselines are kept, by SBOM path.
const BASELINE: &str = "release baseline";

/// The inventory this build read from the release SBOM at `path`, as the
/// register keeps it, while the file is unchanged; `None` means reading it.
/// The audit that kept it pinned it in the same transaction, so its pins are
/// current while it is kept (an import forgets it: [`forget_baseline`]).
pub(super) fn kept_baseline(
    register: &Register,
    path: &Path,
) -> Result<Option<Inventory>, ProjectError> {
    let kept = register.cached_inventory(path, BASELINE, program_identity())?;
    Ok(kept.and_then(|kept| register.read_kept(&kept)))
}

/// Keeps `inventory`, just read from its release SBOM, for [`kept_baseline`];
/// `held`: the SBOM's metadata, when it held still while it was read.
pub(super) fn keep_baseline(
    changes: &Changes<'_>,
    inventory: &Inventory,
    held: Option<FileMeta>,
) -> Result<(), ProjectError> {
    let file = FileDigest {
        path: inventory.input.path.clone(),
        sha256: inventory.input.sha256.clone(),
        held,
    };
    let key = (file.path.as_path(), BASELINE, program_identity());
    changes.cache_inventory(key, std::slice::from_ref(&file), inventory)?;
    Ok(())
}

/// Forgets the inventory kept for the release SBOM at `path`: an import pinned it anew.
pub(super) fn forget_baseline(changes: &Changes<'_>, path: &Path) -> Result<(), ProjectError> {
    Ok(changes.forget_inventory(path, BASELINE)?)
}

/// What, besides the project's files and the build, decides the inventory kept
/// for it: the target platform, and whether it is the lockfile read because
/// `cargo metadata --offline` could not run.
fn cargo_variant(input: &Input, offline_fallback: bool) -> String {
    let target = match &input.target {
        Some(triple) => format!("target {triple}"),
        None => "all targets".to_string(),
    };
    match offline_fallback {
        true => format!("{target}; offline, Cargo.lock only"),
        false => target,
    }
}

/// Which build of cargo-soup this is: its version and its executable's size and
/// time. A result kept by another build is not reused, as its rules may differ.
/// Looked up once per run.
pub fn program_identity() -> &'static str {
    static IDENTITY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    IDENTITY.get_or_init(identify_program)
}

fn identify_program() -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            format!("{} bytes, modified {modified}", m.len())
        })
        .unwrap_or_default();
    format!("cargo-soup {} ({exe})", env!("CARGO_PKG_VERSION"))
}

/// The nearest `name` in `dir` or its ancestors.
pub fn find_upwards(dir: &Path, name: &str) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The manifest and the record of a run in `cwd`: the manifest given (which
/// must exist), else the nearest `Cargo.toml`; the record given, else the
/// nearest soup-register.toml, else beside the manifest (where `init` writes
/// it), else in `cwd`.
pub fn find_project(
    cwd: &Path,
    manifest: Option<&Path>,
    record: Option<&Path>,
) -> Result<(Option<PathBuf>, PathBuf), ProjectError> {
    let manifest = match manifest {
        Some(path) if path.is_file() => Some(path.to_path_buf()),
        Some(path) => return Err(ProjectError::NoManifest(path.to_path_buf())),
        None => find_upwards(cwd, "Cargo.toml"),
    };
    let record = match record {
        Some(path) => path.to_path_buf(),
        None => find_upwards(cwd, RECORD_FILE).unwrap_or_else(|| {
            let dir = manifest.as_deref().and_then(Path::parent).unwrap_or(cwd);
            dir.join(RECORD_FILE)
        }),
    };
    Ok((manifest, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_is_found_upwards_else_beside_the_manifest() {
        let root = tempfile::tempdir().unwrap();
        let sub = root.path().join("src");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(root.path().join("Cargo.toml"), "[package]\n").unwrap();
        let (manifest, record) = find_project(&sub, None, None).unwrap();
        assert_eq!(manifest, Some(root.path().join("Cargo.toml")));
        assert_eq!(record, root.path().join(RECORD_FILE));

        std::fs::write(sub.join(RECORD_FILE), "").unwrap();
        let (_, record) = find_project(&sub, None, None).unwrap();
        assert_eq!(record, sub.join(RECORD_FILE));
        let given = Path::new("elsewhere.toml");
        assert_eq!(find_project(&sub, None, Some(given)).unwrap().1, given);
    }

    #[test]
    fn a_manifest_given_must_exist() {
        let root = tempfile::tempdir().unwrap();
        let missing = root.path().join("Cargo.toml");
        let err = find_project(root.path(), Some(&missing), None).unwrap_err();
        assert!(
            err.to_string().starts_with("failed to find the manifest "),
            "{err}"
        );
        assert!(err.to_string().ends_with(": no such file"), "{err}");
    }
}
