//! Poetry's `poetry.lock`: lock versions 1.x (Poetry 1.0–1.4, `category`),
//! 2.0 (Poetry 1.5–1.8) and 2.1 (Poetry 2, `groups`).
//!
//! Every `[[package]]` is one pin. Scope: `category = "main"` or a `groups`
//! list holding `main` is runtime, other categories or groups are dev; lock
//! version 2.0 records neither, so there the scope is unknown. The file does
//! not name the project's own dependencies (they live in `pyproject.toml`), so
//! `direct` is unknown and the path empty. `directory` and `file` sources
//! (`develop = true` among them) are the product. The checksum is the sdist's
//! (`.tar.gz`) hash when listed, else the first file's; 1.x keeps the files
//! under `[metadata.files]`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::purl::package_component;
use super::{InputFormat, Inventory, InventoryError, finish, line_at, utf8_text};
use crate::model::{Ecosystem, Scope, SourceKind};

/// The lockfile as written, only what the inventory needs.
#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    package: Vec<RawPackage>,
    metadata: RawMetadata,
}

/// The `[metadata]` table.
#[derive(Deserialize)]
struct RawMetadata {
    #[serde(rename = "lock-version")]
    lock_version: String,
    #[serde(default)]
    files: BTreeMap<String, Vec<RawFile>>,
}

/// One `[[package]]` entry.
#[derive(Deserialize)]
struct RawPackage {
    name: String,
    version: String,
    category: Option<String>,
    groups: Option<Vec<String>>,
    #[serde(default)]
    files: Vec<RawFile>,
    source: Option<RawSource>,
}

/// A distribution file and its hash.
#[derive(Deserialize)]
struct RawFile {
    file: String,
    hash: String,
}

/// A package's `[package.source]`, for everything but the default index.
#[derive(Deserialize)]
struct RawSource {
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
    resolved_reference: Option<String>,
}

/// Parses `poetry.lock` bytes into an inventory (see the module doc).
pub fn parse_poetry_lock(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let text = utf8_text(path, bytes)?;
    let raw: RawLock = toml::from_str(text).map_err(|e| InventoryError::Syntax {
        path: path.to_path_buf(),
        line: e.span().map(|span| line_at(text.as_bytes(), span.start)),
        message: e.message().trim().to_string(),
    })?;
    let major = raw.metadata.lock_version.split('.').next();
    if !matches!(major, Some("1" | "2")) {
        return Err(InventoryError::UnsupportedFormatVersion {
            path: path.to_path_buf(),
            format: "poetry.lock lock-version",
            version: raw.metadata.lock_version.clone(),
            supported: "1.x and 2.x are",
        });
    }
    let mut components = Vec::new();
    let mut product = Vec::new();
    for p in &raw.package {
        let kind = source_kind(p.source.as_ref());
        if kind == SourceKind::Path {
            product.push(p.name.clone());
            continue;
        }
        let mut c = package_component(path, Ecosystem::PyPI, &p.name, &p.version, kind)?;
        c.scope = scope(p);
        c.source_url = p.source.as_ref().and_then(|s| match &s.resolved_reference {
            Some(rev) => s.url.as_ref().map(|u| format!("{u}#{rev}")),
            None => s.url.clone(),
        });
        let files = match p.files.as_slice() {
            [] => raw
                .metadata
                .files
                .get(&p.name)
                .map_or(&[][..], Vec::as_slice),
            files => files,
        };
        c.checksum = files
            .iter()
            .find(|f| f.file.ends_with(".tar.gz"))
            .or(files.first())
            .map(|f| f.hash.clone());
        components.push(c);
    }
    Ok(finish(
        path,
        bytes,
        InputFormat::PoetryLock,
        components,
        product,
    ))
}

/// Runtime for `main`, dev for any other group or category, unknown when unsaid.
fn scope(p: &RawPackage) -> Scope {
    match (&p.groups, &p.category) {
        (Some(groups), _) if groups.iter().any(|g| g == "main") => Scope::Runtime,
        (Some(groups), _) if !groups.is_empty() => Scope::Dev,
        (_, Some(category)) if category == "main" => Scope::Runtime,
        (_, Some(_)) => Scope::Dev,
        _ => Scope::Unknown,
    }
}

/// The source a `[package.source]` names; none is the default index.
fn source_kind(source: Option<&RawSource>) -> SourceKind {
    match source.map(|s| s.kind.as_str()) {
        None | Some("legacy") => SourceKind::Registry,
        Some("git") => SourceKind::Git,
        Some("url") => SourceKind::Url,
        Some(_) => SourceKind::Path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_categories_and_sources() {
        let lock = r#"
[[package]]
name = "Django"
version = "3.2"
groups = ["main", "dev"]
files = [{file = "Django-3.2-py3-none-any.whl", hash = "sha256:aa"}, {file = "Django-3.2.tar.gz", hash = "sha256:bb"}]

[[package]]
name = "pytest"
version = "6.2.1"
category = "dev"

[[package]]
name = "tool"
version = "0.1.0"
[package.source]
type = "git"
url = "https://github.com/a/tool.git"
resolved_reference = "abc"

[[package]]
name = "mine"
version = "0.1.0"
develop = true
[package.source]
type = "directory"
url = "../mine"

[metadata]
lock-version = "1.1"
[metadata.files]
pytest = [{file = "pytest-6.2.1.tar.gz", hash = "sha256:cc"}]
"#;
        let inv = parse_poetry_lock(Path::new("poetry.lock"), lock.as_bytes()).unwrap();
        assert_eq!(inv.product, vec!["mine"]);
        let got: Vec<(&str, Scope, Option<&str>, SourceKind)> = inv
            .components
            .iter()
            .map(|c| (c.name.as_str(), c.scope, c.checksum.as_deref(), c.source))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Django",
                    Scope::Runtime,
                    Some("sha256:bb"),
                    SourceKind::Registry
                ),
                (
                    "pytest",
                    Scope::Dev,
                    Some("sha256:cc"),
                    SourceKind::Registry
                ),
                ("tool", Scope::Unknown, None, SourceKind::Git),
            ]
        );
        assert_eq!(inv.components[0].purl_str(), Some("pkg:pypi/django@3.2"));
        let err = parse_poetry_lock(
            Path::new("poetry.lock"),
            b"[metadata]\nlock-version = \"3.0\"\n",
        );
        assert!(err.unwrap_err().to_string().contains("3.0"));
    }
}
