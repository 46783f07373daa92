//! `cargo soup import`: a release's SBOM becomes its baseline.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use super::{Context, Exit};
use crate::project::ImportOutcome;

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
///   cargo soup import --binary target/release/pump-fw --release 1.4.0
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// The release's SBOM: CycloneDX 1.4–1.6 JSON or XML, or SPDX 2.3 JSON (a
    /// lockfile is read too, recognised by content).
    #[arg(required_unless_present = "binary", conflicts_with = "binary")]
    sbom: Option<PathBuf>,
    /// The shipped executable: its `cargo auditable` list is the baseline,
    /// and the executable is kept in the releases folder as what shipped.
    #[arg(long, value_name = "PATH")]
    binary: Option<PathBuf>,
    /// The released version it describes.
    #[arg(long, value_name = "VERSION")]
    release: String,
    /// Replace the SBOM of a release that was already imported from another file.
    #[arg(long)]
    replace: bool,
}

/// Runs `import`.
pub fn run(cx: &mut Context, args: ImportArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    let file = args.sbom.as_ref().or(args.binary.as_ref());
    let file = file.context("failed to import: name the release's SBOM or --binary PATH")?;
    match project.import(file, &args.release, args.replace)? {
        ImportOutcome::Unchanged => cx.out.line(&format!(
            "release {} was already imported from this file: nothing changed",
            args.release
        )),
        ImportOutcome::Imported {
            release,
            components,
        } => cx.out.line(&format!(
            "imported release {} ({components} SOUP items) from {} into {}",
            release.version,
            file.display(),
            release.sbom
        )),
    }
    Ok(Exit::Clean)
}
