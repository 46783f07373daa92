//! Which lockfile a file is: by its content first, then by its file name, and
//! by the caller's hint only where neither tells. An SBOM, or a manifest given
//! where a lockfile was expected, is refused with what it looks like.

use std::path::Path;

use super::{InputFormat, Inventory, InventoryError, read_bytes, utf8_text};

/// Reads any supported lockfile (or `go.mod`), recognised by content first.
pub fn read_lockfile(path: &Path) -> Result<Inventory, InventoryError> {
    read_lockfile_as(path, None)
}

/// Reads a lockfile; `hint` names the format only when content and name cannot.
pub fn read_lockfile_as(
    path: &Path,
    hint: Option<InputFormat>,
) -> Result<Inventory, InventoryError> {
    parse_any_lockfile(path, &read_bytes(path)?, hint)
}

/// Parses lockfile bytes of any supported format (see [`detect`]).
pub fn parse_any_lockfile(
    path: &Path,
    bytes: &[u8],
    hint: Option<InputFormat>,
) -> Result<Inventory, InventoryError> {
    match detect(path, bytes, hint)? {
        InputFormat::NpmLock => super::npm::parse_npm_lock(path, bytes),
        InputFormat::YarnClassic => super::yarn_classic::parse_yarn_classic(path, bytes),
        InputFormat::YarnBerry => super::yarn_berry::parse_yarn_berry(path, bytes),
        InputFormat::PnpmLock => super::pnpm::parse_pnpm_lock(path, bytes),
        InputFormat::UvLock => super::uv::parse_uv_lock(path, bytes),
        InputFormat::PoetryLock => super::poetry::parse_poetry_lock(path, bytes),
        InputFormat::PipfileLock => super::pipfile::parse_pipfile_lock(path, bytes),
        InputFormat::RequirementsTxt => super::requirements::parse_requirements(path, bytes),
        InputFormat::GoMod => super::gomod::parse_go_mod(path, bytes),
        InputFormat::CargoLock | InputFormat::CargoMetadata => {
            super::cargo_lock::parse_lockfile(path, bytes)
        }
        InputFormat::AuditableBinary => super::auditable::parse_auditable_binary(path, bytes),
        sbom @ (InputFormat::CycloneDxJson | InputFormat::CycloneDxXml | InputFormat::SpdxJson) => {
            Err(looks_like_sbom(path, sbom))
        }
    }
}

/// Reads a lockfile or an SBOM, told apart by content: for a path that could
/// be either (`diff A B`).
pub fn read_any(path: &Path) -> Result<Inventory, InventoryError> {
    parse_any(path, &read_bytes(path)?)
}

/// Parses a lockfile or an SBOM, told apart by content.
fn parse_any(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let text = utf8_text(path, bytes)?;
    match by_content(text) {
        Some(InputFormat::CycloneDxJson | InputFormat::CycloneDxXml | InputFormat::SpdxJson) => {
            super::parse_sbom(path, bytes)
        }
        _ => parse_any_lockfile(path, bytes, None),
    }
}

/// Reads one part of a device, told apart by content: an executable (ELF,
/// Mach-O, PE) for its `cargo auditable` list, else a lockfile or an SBOM.
pub fn read_input(path: &Path) -> Result<Inventory, InventoryError> {
    let bytes = read_bytes(path)?;
    const EXECUTABLES: [&[u8]; 5] = [
        b"\x7fELF",
        b"MZ",
        b"\xcf\xfa\xed\xfe",
        b"\xce\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ];
    if EXECUTABLES.iter().any(|magic| bytes.starts_with(magic)) {
        return super::auditable::parse_auditable_binary(path, &bytes);
    }
    parse_any(path, &bytes)
}

/// The digest that identifies what a lockfile says: its bytes' SHA-256, and
/// for the formats that also read other files (`go.sum`, `-r` includes,
/// yarn's `package.json` manifests) the
/// SHA-256 over all of them, so that a change to any one is seen.
pub fn lockfile_fingerprint(path: &Path, bytes: &[u8]) -> Result<String, InventoryError> {
    match detect(path, bytes, None) {
        Ok(
            InputFormat::GoMod
            | InputFormat::RequirementsTxt
            | InputFormat::YarnBerry
            | InputFormat::YarnClassic,
        ) => fingerprint_of(&parse_any_lockfile(path, bytes, None)?, bytes),
        _ => Ok(super::sha256_hex(bytes)),
    }
}

/// [`lockfile_fingerprint`] of the lockfile (or SBOM) `bytes`, given the
/// inventory read from them: read from that file alone, it is the input's
/// digest, which the reading computed; else the other files it names are read
/// and hashed too.
pub fn fingerprint_of(inventory: &Inventory, bytes: &[u8]) -> Result<String, InventoryError> {
    use sha2::{Digest, Sha256};
    let others = inventory.files.get(1..).unwrap_or_default();
    if others.is_empty() {
        return Ok(inventory.input.sha256.clone());
    }
    let mut digest = Sha256::new();
    digest.update(bytes);
    for file in others {
        digest.update(read_bytes(file)?);
    }
    Ok(hex::encode(digest.finalize()))
}

/// The lockfile format of `bytes`: content, else file name, else `hint`.
pub fn detect(
    path: &Path,
    bytes: &[u8],
    hint: Option<InputFormat>,
) -> Result<InputFormat, InventoryError> {
    let text = utf8_text(path, bytes)?;
    let found = by_content(text)
        .or_else(|| by_name(path))
        .or(hint)
        .ok_or_else(|| InventoryError::UnknownLockfile {
            path: path.to_path_buf(),
            reason: if text.trim().is_empty() {
                "the file is empty".to_string()
            } else {
                "its content and name match no supported lockfile; name the format with --format-hint".to_string()
            },
        })?;
    match found {
        sbom @ (InputFormat::CycloneDxJson | InputFormat::CycloneDxXml | InputFormat::SpdxJson) => {
            Err(looks_like_sbom(path, sbom))
        }
        format => Ok(format),
    }
}

/// The error for an SBOM given as a lockfile.
fn looks_like_sbom(path: &Path, format: InputFormat) -> InventoryError {
    let kind = match format {
        InputFormat::SpdxJson => "an SPDX SBOM",
        _ => "a CycloneDX SBOM",
    };
    InventoryError::UnknownLockfile {
        path: path.to_path_buf(),
        reason: format!("this looks like {kind}: use --sbom"),
    }
}

/// The first line of every `Cargo.lock` that cargo has written since 2019.
const CARGO_HEADER: &str = "# This file is automatically @generated by Cargo";

/// The format the text itself declares, if any.
fn by_content(text: &str) -> Option<InputFormat> {
    // Cargo's header says it at once: no scan of every line for the headers of
    // other formats, and no second parse, before the reader parses it.
    if text.starts_with(CARGO_HEADER) {
        return Some(InputFormat::CargoLock);
    }
    let start = text.trim_start();
    if start.starts_with('{') {
        return json_format(start);
    }
    if start.starts_with('<') {
        return start
            .contains("cyclonedx")
            .then_some(InputFormat::CycloneDxXml);
    }
    if text
        .lines()
        .take(5)
        .any(|l| l.trim() == "# yarn lockfile v1")
    {
        return Some(InputFormat::YarnClassic);
    }
    let has_line = |prefix: &str| text.lines().any(|l| l.starts_with(prefix));
    if has_line("__metadata:") {
        return Some(InputFormat::YarnBerry);
    }
    if has_line("lockfileVersion:") {
        return Some(InputFormat::PnpmLock);
    }
    let is_module_line = |l: &str| {
        l.trim_start()
            .strip_prefix("module ")
            .is_some_and(|rest| !rest.trim_start().starts_with('='))
    };
    if text.lines().any(is_module_line) {
        return Some(InputFormat::GoMod);
    }
    toml_format(text)
}

/// npm (`lockfileVersion`), Pipenv (`_meta.pipfile-spec`) or an SBOM.
fn json_format(text: &str) -> Option<InputFormat> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    if value.get("lockfileVersion").is_some() {
        Some(InputFormat::NpmLock)
    } else if value.pointer("/_meta/pipfile-spec").is_some() {
        Some(InputFormat::PipfileLock)
    } else if value.get("bomFormat").is_some() {
        Some(InputFormat::CycloneDxJson)
    } else if value.get("spdxVersion").is_some() {
        Some(InputFormat::SpdxJson)
    } else {
        None
    }
}

/// Poetry (`metadata.lock-version`), uv (`requires-python` or table sources)
/// or Cargo (string sources, or the `@generated by Cargo` header).
fn toml_format(text: &str) -> Option<InputFormat> {
    // Only lockfiles older than Cargo's header get here.
    let value: toml::Table = toml::from_str(text).ok()?;
    if value
        .get("metadata")
        .and_then(|m| m.get("lock-version"))
        .is_some()
    {
        return Some(InputFormat::PoetryLock);
    }
    let table_sources = value
        .get("package")
        .and_then(|p| p.as_array())
        .is_some_and(|ps| {
            ps.iter()
                .any(|p| p.get("source").is_some_and(|s| s.is_table()))
        });
    if value.contains_key("requires-python") || table_sources {
        return Some(InputFormat::UvLock);
    }
    (value.contains_key("package") || value.contains_key("version"))
        .then_some(InputFormat::CargoLock)
}

/// The lockfiles below `root` by their names (not `Cargo.lock`, which the Cargo
/// project is read through), outside build output, dependency folders and
/// hidden ones (`target/`, `node_modules/`, `.venv/`, `.git/`), sorted:
/// what `init` offers to list as the device's other parts.
pub fn find_lockfiles(root: &Path) -> Vec<std::path::PathBuf> {
    const SKIPPED: [&str; 4] = ["target", "node_modules", "vendor", "__pycache__"];
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && !name.starts_with('.') && !SKIPPED.contains(&name.as_str()) {
                folders.push(path);
            } else if kind.is_file()
                && by_name(&path).is_some_and(|format| format != InputFormat::CargoLock)
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The format a conventional file name implies (`x.Cargo.lock` counts too).
fn by_name(path: &Path) -> Option<InputFormat> {
    let name = path.file_name()?.to_str()?;
    let ends = |suffix: &str| name.ends_with(suffix);
    if ends("package-lock.json") || ends("npm-shrinkwrap.json") {
        Some(InputFormat::NpmLock)
    } else if ends("yarn.lock") {
        Some(InputFormat::YarnClassic)
    } else if ends("pnpm-lock.yaml") {
        Some(InputFormat::PnpmLock)
    } else if ends("uv.lock") {
        Some(InputFormat::UvLock)
    } else if ends("poetry.lock") {
        Some(InputFormat::PoetryLock)
    } else if ends("Pipfile.lock") {
        Some(InputFormat::PipfileLock)
    } else if ends("go.mod") {
        Some(InputFormat::GoMod)
    } else if ends("Cargo.lock") {
        Some(InputFormat::CargoLock)
    } else if name.contains("requirements") && (ends(".txt") || ends(".in")) {
        Some(InputFormat::RequirementsTxt)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(name: &str, text: &str) -> Result<InputFormat, String> {
        detect(Path::new(name), text.as_bytes(), None).map_err(|e| e.to_string())
    }

    #[test]
    fn content_wins_over_the_name() {
        let npm = r#"{"name": "x", "lockfileVersion": 3, "packages": {}}"#;
        assert_eq!(detected("whatever.lock", npm), Ok(InputFormat::NpmLock));
        let yarn = "# THIS IS AN AUTOGENERATED FILE.\n# yarn lockfile v1\n\n";
        assert_eq!(
            detected("package-lock.json", yarn),
            Ok(InputFormat::YarnClassic)
        );
        let berry = "__metadata:\n  version: 8\n";
        assert_eq!(detected("yarn.lock", berry), Ok(InputFormat::YarnBerry));
        let poetry =
            "[[package]]\nname = \"a\"\nversion = \"1\"\n[metadata]\nlock-version = \"2.0\"\n";
        assert_eq!(detected("x", poetry), Ok(InputFormat::PoetryLock));
        let uv = "version = 1\nrequires-python = \">=3.9\"\n";
        assert_eq!(detected("x", uv), Ok(InputFormat::UvLock));
        let cargo = "version = 4\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n";
        assert_eq!(detected("x", cargo), Ok(InputFormat::CargoLock));
        assert_eq!(
            detected("x", "module example.com/a\n\ngo 1.21\n"),
            Ok(InputFormat::GoMod)
        );
    }

    #[test]
    fn the_name_decides_what_content_cannot() {
        assert_eq!(
            detected("requirements-dev.txt", "a==1\n"),
            Ok(InputFormat::RequirementsTxt)
        );
        assert_eq!(
            detected("truncated.Cargo.lock", "[[pack"),
            Ok(InputFormat::CargoLock)
        );
        let hinted = detect(
            Path::new("deps"),
            b"a==1\n",
            Some(InputFormat::RequirementsTxt),
        );
        assert_eq!(hinted.ok(), Some(InputFormat::RequirementsTxt));
        let err = detected("deps", "a==1\n").unwrap_err();
        assert!(
            err.contains("deps") && err.contains("--format-hint"),
            "{err}"
        );
    }

    #[test]
    fn an_sbom_is_not_a_lockfile() {
        let err = detected(
            "bom.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#,
        );
        assert_eq!(
            err,
            Err("failed to recognise bom.json as a lockfile: this looks like a CycloneDX SBOM: use --sbom".to_string())
        );
        let err = detected("x.json", r#"{"spdxVersion": "SPDX-2.3"}"#).unwrap_err();
        assert!(err.contains("SPDX SBOM: use --sbom"), "{err}");
        let err = detected(
            "x.xml",
            "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>",
        )
        .unwrap_err();
        assert!(err.contains("CycloneDX SBOM"), "{err}");
    }

    /// On real lockfiles of every format that names other files, and on
    /// those that name none: the fingerprint taken from the inventory read is
    /// the one taken before reading, so a result kept under either is found.
    #[test]
    fn the_fingerprint_of_an_inventory_is_the_lockfiles() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut several = 0;
        for lockfile in [
            "ecosystems/go-caddy-e7457b43e4/go.mod",
            "ecosystems/requirements/requirements-dev.txt",
            "ecosystems/yarn-berry/yarn.lock",
            "ecosystems/yarn-classic/yarn.lock",
            "ecosystems/npm-v3/package-lock.json",
            "ecosystems/uv/uv.lock",
            "lockfiles/deno-f74b15c304.Cargo.lock",
        ] {
            let path = fixtures.join(lockfile);
            let bytes = std::fs::read(&path).unwrap();
            let inventory = parse_any_lockfile(&path, &bytes, None).unwrap();
            let before = lockfile_fingerprint(&path, &bytes).unwrap();
            assert_eq!(
                fingerprint_of(&inventory, &bytes).unwrap(),
                before,
                "{lockfile}"
            );
            several += usize::from(inventory.files.len() > 1);
        }
        assert_eq!(several, 4);
    }

    #[test]
    fn a_changed_include_changes_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("requirements-dev.txt");
        let text = b"-r requirements.txt\npytest==6.2.1\n";
        std::fs::write(dir.path().join("requirements.txt"), "Django==3.2\n").unwrap();
        let before = lockfile_fingerprint(&main, text).unwrap();
        std::fs::write(dir.path().join("requirements.txt"), "Django==3.2.1\n").unwrap();
        let after = lockfile_fingerprint(&main, text).unwrap();
        assert_ne!(before, after);
        let npm = br#"{"lockfileVersion": 3, "packages": {}}"#;
        let plain = lockfile_fingerprint(Path::new("package-lock.json"), npm).unwrap();
        assert_eq!(plain, crate::inventory::sha256_hex(npm));
    }
}
