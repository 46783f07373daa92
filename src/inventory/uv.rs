//! uv's `uv.lock` (format version 1).
//!
//! Every `[[package]]` is one pin; a name may be locked at several versions
//! for different environments (`resolution-markers`), and each is kept.
//! Packages whose source is `virtual`, `editable`, `directory` or `path` are
//! the product and the graph's roots. A dependency names its package, and
//! adds its `version` when the name is locked more than once; `extra = [...]`
//! also pulls in that package's optional dependencies. Scope is runtime when a
//! root reaches the package without its `dev-dependencies`, dev when only
//! through them. The checksum is the sdist's hash, else the first wheel's.
//! uv writes names PEP 503-normalised, so that is the spelling kept.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::graph::{DepGraph, EdgeKind};
use super::purl::package_component;
use super::{InputFormat, Inventory, InventoryError, finish, line_at, utf8_text};
use crate::model::{Ecosystem, Scope, SourceKind};

/// The lockfile as written, only what the inventory needs.
#[derive(Deserialize)]
struct RawLock {
    version: Spanned<i64>,
    #[serde(default)]
    package: Vec<Spanned<RawPackage>>,
}

/// One `[[package]]` entry.
#[derive(Deserialize)]
struct RawPackage {
    name: String,
    version: Option<String>,
    source: BTreeMap<String, String>,
    #[serde(default)]
    dependencies: Vec<RawDependency>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<RawDependency>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<RawDependency>>,
    sdist: Option<RawFile>,
    #[serde(default)]
    wheels: Vec<RawFile>,
}

/// A dependency edge.
#[derive(Deserialize)]
struct RawDependency {
    name: String,
    version: Option<String>,
    #[serde(default)]
    extra: Vec<String>,
}

/// An sdist or wheel, by its hash.
#[derive(Deserialize)]
struct RawFile {
    hash: Option<String>,
}

/// Parses `uv.lock` bytes into an inventory (see the module doc).
pub fn parse_uv_lock(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let text = utf8_text(path, bytes)?;
    let raw: RawLock = toml::from_str(text).map_err(|e| InventoryError::Syntax {
        path: path.to_path_buf(),
        line: e.span().map(|span| line_at(text.as_bytes(), span.start)),
        message: e.message().trim().to_string(),
    })?;
    if *raw.version.get_ref() != 1 {
        return Err(InventoryError::UnsupportedFormatVersion {
            path: path.to_path_buf(),
            format: "uv.lock",
            version: raw.version.get_ref().to_string(),
            supported: "1 is",
        });
    }
    let packages: Vec<(usize, RawPackage)> = raw
        .package
        .into_iter()
        .map(|p| (line_at(text.as_bytes(), p.span().start), p.into_inner()))
        .collect();
    let graph = build_graph(&packages);
    let kinds: Vec<Option<SourceKind>> = packages.iter().map(|(_, p)| source_kind(p)).collect();
    let roots: Vec<usize> = (0..kinds.len())
        .filter(|&i| matches!(kinds.get(i), Some(None)))
        .collect();
    let scopes = graph.scopes(&roots);
    let direct = graph.direct(&roots);
    let paths = graph.shortest_paths(&roots);
    let mut components = Vec::new();
    let mut product = Vec::new();
    for (i, ((line, p), kind)) in packages.iter().zip(kinds).enumerate() {
        let Some(kind) = kind else {
            product.push(p.name.clone());
            continue;
        };
        let version = p.version.as_deref().ok_or_else(|| InventoryError::Syntax {
            path: path.to_path_buf(),
            line: Some(*line),
            message: format!("package `{}` has no version", p.name),
        })?;
        let mut c = package_component(path, Ecosystem::PyPI, &p.name, version, kind)?;
        c.source_url = p.source.values().next().cloned();
        c.checksum = p.sdist.iter().chain(&p.wheels).find_map(|f| f.hash.clone());
        c.scope = scopes.get(i).copied().unwrap_or(Scope::Unknown);
        c.direct = direct.get(i).copied();
        c.dependency_path = paths.get(i).cloned().unwrap_or_default();
        components.push(c);
    }
    Ok(finish(
        path,
        bytes,
        InputFormat::UvLock,
        components,
        product,
    ))
}

/// The source of a third-party package; `None` for the product's own.
fn source_kind(p: &RawPackage) -> Option<SourceKind> {
    let kind = p.source.keys().next().map(String::as_str);
    match kind {
        Some("registry") => Some(SourceKind::Registry),
        Some("git") => Some(SourceKind::Git),
        Some("url") => Some(SourceKind::Url),
        _ => None,
    }
}

/// The graph, with extras followed to the optional dependencies they enable.
fn build_graph(packages: &[(usize, RawPackage)]) -> DepGraph {
    let mut graph = DepGraph::default();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, p)) in packages.iter().enumerate() {
        graph.add_node(&p.name);
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let find = |d: &RawDependency| -> Option<usize> {
        let candidates = by_name.get(d.name.as_str())?;
        candidates.iter().copied().find(|&i| {
            d.version.is_none()
                || packages.get(i).and_then(|(_, p)| p.version.as_deref()) == d.version.as_deref()
        })
    };
    for (from, (_, p)) in packages.iter().enumerate() {
        let normal = p.dependencies.iter().map(|d| (d, EdgeKind::Normal));
        let dev = p
            .dev_dependencies
            .values()
            .flatten()
            .map(|d| (d, EdgeKind::Dev));
        for (d, kind) in normal.chain(dev) {
            let Some(to) = find(d) else { continue };
            graph.add_edge(from, to, kind);
            let target = packages.get(to).map(|(_, t)| t);
            let enabled = d
                .extra
                .iter()
                .filter_map(|extra| target.and_then(|t| t.optional_dependencies.get(extra)))
                .flatten();
            for optional in enabled {
                if let Some(extra_to) = find(optional) {
                    graph.add_edge(from, extra_to, kind);
                }
            }
        }
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"version = 1
requires-python = ">=3.9"

[[package]]
name = "app"
version = "1.0.0"
source = { virtual = "." }
dependencies = [{ name = "requests", extra = ["socks"] }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "requests"
version = "2.25.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "x", hash = "sha256:aa" }

[package.optional-dependencies]
socks = [{ name = "pysocks" }]

[[package]]
name = "pysocks"
version = "1.7.1"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "y", hash = "sha256:bb" }]

[[package]]
name = "pytest"
version = "6.2.1"
source = { git = "https://github.com/pytest-dev/pytest?rev=6.2.1#abc" }
"#;

    /// What the test checks of each component.
    type Seen<'a> = (&'a str, Scope, Option<bool>, Option<&'a str>, SourceKind);

    #[test]
    fn extras_and_dev_groups_shape_the_scope() {
        let inv = parse_uv_lock(Path::new("uv.lock"), LOCK.as_bytes()).unwrap();
        assert_eq!(inv.product, vec!["app"]);
        let got: Vec<Seen> = inv
            .components
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.scope,
                    c.direct,
                    c.checksum.as_deref(),
                    c.source,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "pysocks",
                    Scope::Runtime,
                    Some(true),
                    Some("sha256:bb"),
                    SourceKind::Registry
                ),
                ("pytest", Scope::Dev, Some(true), None, SourceKind::Git),
                (
                    "requests",
                    Scope::Runtime,
                    Some(true),
                    Some("sha256:aa"),
                    SourceKind::Registry
                ),
            ]
        );
    }

    #[test]
    fn other_format_versions_are_refused() {
        let err = parse_uv_lock(Path::new("uv.lock"), b"version = 2\n").unwrap_err();
        assert!(err.to_string().contains("uv.lock version 2"), "{err}");
    }
}
