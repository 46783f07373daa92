//! `cargo soup import`: a release's SBOM becomes its baseline.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Args;

use super::{Context, Exit};
use crate::inventory;
use crate::record::{self, RecordFile, Release};

/// Make a release's SBOM its baseline in the record and the register.
///
/// Copies the SBOM into the record's releases folder (committed with the
/// record), adds the release to soup-register.toml with the file's sha256 and
/// today's date, and pins its components as the release baseline. Importing
/// the same file again changes nothing; a different file for an existing
/// release is refused unless --replace is given.
///
/// Examples:
///   cargo soup import target/release-1.4.0.cdx.json --release 1.4.0
///   cargo soup import sbom.spdx.json --release 1.4.0 --replace
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The release's SBOM: CycloneDX 1.4–1.6 JSON or XML, or SPDX 2.3 JSON.
    sbom: PathBuf,
    /// The released version it describes.
    #[arg(long, value_name = "VERSION")]
    release: String,
    /// Replace the SBOM of a release that was already imported from another file.
    #[arg(long)]
    replace: bool,
}

/// Runs `import`.
pub fn run(cx: &mut Context, args: ImportArgs) -> anyhow::Result<Exit> {
    check_release_name(&args.release)?;
    let mut record_file = cx.require_record()?;
    let bytes = inventory::read_bytes(&args.sbom)?;
    let inventory = inventory::parse_sbom(&args.sbom, &bytes)?;
    let sha256 = inventory.input.sha256.clone();
    let record_dir = cx
        .record_path
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let existing = record_file
        .record()
        .releases
        .iter()
        .find(|r| r.version == args.release)
        .cloned();
    if let Some(existing) = &existing {
        if existing.sha256 == sha256 {
            set_baseline(cx, existing, &inventory, None)?;
            cx.out.line(&format!(
                "release {} was already imported from this file: nothing changed",
                args.release
            ));
            return Ok(Exit::Clean);
        }
        if !args.replace {
            return Err(anyhow!(
                "failed to import {}: release {} already has a different SBOM ({}, sha256 {}); \
                 pass --replace to replace it",
                args.sbom.display(),
                args.release,
                existing.sbom,
                existing.sha256
            ));
        }
    }
    let file_name = args
        .sbom
        .file_name()
        .ok_or_else(|| anyhow!("failed to import {}: it names no file", args.sbom.display()))?;
    let relative = Path::new(&record_file.record().policy.releases_dir)
        .join(&args.release)
        .join(file_name);
    record::write_file_atomically(&record_dir.join(&relative), &bytes)?;
    let release = Release {
        version: args.release.clone(),
        sbom: relative.to_string_lossy().replace('\\', "/"),
        sha256,
        date: cx.today,
        retired: false,
    };
    if existing.is_some() {
        record_file.replace_release(&release)?;
    } else {
        record_file.add_release(&release)?;
    }
    set_baseline(cx, &release, &inventory, Some(&mut record_file))?;
    cx.out.line(&format!(
        "imported release {} ({} SOUP items) from {} into {}",
        release.version,
        inventory.components.len(),
        args.sbom.display(),
        release.sbom
    ));
    Ok(Exit::Clean)
}

/// Pins `inventory` as the baseline of `release` in the register, saving
/// `record` (when it changed) inside the same transaction, whose write lock
/// keeps a concurrent save from slipping in.
fn set_baseline(
    cx: &Context,
    release: &Release,
    inventory: &inventory::Inventory,
    record: Option<&mut RecordFile>,
) -> anyhow::Result<()> {
    let mut register = cx.open_register(true)?;
    let changes = register.begin("import", cx.now)?;
    changes.set_baseline(
        &release.version,
        &release.sbom,
        &release.sha256,
        &inventory.components,
    )?;
    changes.pin(inventory)?;
    if let Some(record) = record {
        record.save()?;
    }
    changes.commit()?;
    Ok(())
}

/// A release name becomes a folder name: only letters, digits and `. _ + -`.
fn check_release_name(release: &str) -> anyhow::Result<()> {
    let fine = !release.is_empty()
        && !release.starts_with('.')
        && release
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'));
    if fine {
        Ok(())
    } else {
        Err(anyhow!(
            "failed to import: `{release}` is not a release version (letters, digits and . _ + - only)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_cannot_escape_the_releases_folder() {
        assert!(check_release_name("1.4.0").is_ok());
        assert!(check_release_name("2024.1-rc.1+build5").is_ok());
        for bad in ["", "../x", "a/b", "..", ".hidden", "1.0 beta"] {
            assert!(check_release_name(bad).is_err(), "{bad}");
        }
    }
}
