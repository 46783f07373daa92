//! The facts of a report only the edge may read: the record's git history and
//! tree state, the manifest's package version, and the clock.

use std::path::Path;
use std::process::Command;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::project::Locations;
use crate::report::control::Provenance;

/// Reads git and the manifest for a report made at `now`; whatever cannot be read stays `None`.
pub fn provenance(locations: &Locations, now: OffsetDateTime) -> Provenance {
    let dir = locations.record_dir();
    let record_name = locations
        .record
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let record_commits = git(dir, &["rev-list", "--count", "HEAD", "--", &record_name])
        .and_then(|count| count.parse().ok())
        .filter(|count| *count > 0);
    Provenance {
        record_commits,
        commit: git(dir, &["rev-parse", "HEAD"]),
        clean: git(dir, &["status", "--porcelain"]).map(|status| status.is_empty()),
        package_version: locations.manifest.as_deref().and_then(package_version),
        generated_at: now.format(&Rfc3339).unwrap_or_default(),
    }
}

/// The trimmed output of a git command in `dir`, `None` when git fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// `[package] version`, else `[workspace.package] version`, of a manifest.
fn package_version(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let document: toml_edit::DocumentMut = text.parse().ok()?;
    let version = |table: Option<&toml_edit::Item>| {
        table
            .and_then(|t| t.get("version"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    version(document.get("package"))
        .or_else(|| version(document.get("workspace").and_then(|w| w.get("package"))))
}
