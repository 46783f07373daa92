//! Why an operation could not be done. Each variant either says what failed
//! itself or passes its source's message on, never both (nextest's rule).

use std::path::PathBuf;

use crate::advisory::source::SourceError;
use crate::approval::ApprovalError;
use crate::inventory::InventoryError;
use crate::net::NetError;
use crate::record::RecordError;
use crate::register::RegisterError;

/// Why an operation of a [`Project`](super::Project) failed.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Register(#[from] RegisterError),
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Net(#[from] NetError),
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// The manifest named with `--manifest-path` does not exist.
    #[error("failed to find the manifest {}: no such file", .0.display())]
    NoManifest(PathBuf),
    /// The command needs a record and there is none.
    #[error("failed to find {}: run `cargo soup init` to start the record", .0.display())]
    NoRecord(PathBuf),
    /// Releases were asked for and there is no record to hold them.
    #[error(
        "failed to audit releases: there is no soup-register.toml; run `cargo soup init` and `cargo soup import`"
    )]
    NoReleases,
    /// The release is not in the record.
    #[error(
        "failed to find release {version} in {}: `cargo soup import SBOM --release {version}` adds it",
        record.display()
    )]
    NoSuchRelease { version: String, record: PathBuf },
    /// A release's committed SBOM is not the file that was imported.
    #[error(
        "failed to audit release {version}: {sbom} changed since it was imported (sha256 {found}, the record says {recorded}); \
         restore it, or import it again with --replace"
    )]
    BaselineChanged {
        version: String,
        sbom: String,
        found: String,
        recorded: String,
    },
    /// The working tree is not a Rust project and no input was named.
    #[error(
        "failed to find Cargo.toml in this directory or above: run in a Rust project, \
         or name the input with --lockfile PATH or --sbom FILE"
    )]
    NoProject,
    /// The Rust project has not been resolved yet.
    #[error(
        "failed to read {}: the project has no Cargo.lock yet; run `cargo generate-lockfile` \
         (or any cargo build) to resolve its dependencies, then run this command again",
        .0.display()
    )]
    NoLockfile(PathBuf),
    /// The operation was refused; the message says why and what to do.
    #[error("{0}")]
    Refused(String),
}
