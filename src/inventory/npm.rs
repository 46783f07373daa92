//! npm's `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 to 3.
//!
//! Versions 2 and 3 list every installed folder under `packages`, keyed by its
//! location (`node_modules/a/node_modules/b`); version 1 nests the same tree
//! under `dependencies`, and is flattened into those locations here. A
//! dependency is found as Node finds it: in the requiring folder's own
//! `node_modules`, then in each enclosing one. The root (`""`), workspace
//! folders and `link: true` entries are the product; an `npm:` alias is
//! pinned under the package it installs. Scope is dev when the file flags the
//! entry `dev`; optional, peer and bundled entries are installed, so runtime.
//! Version 1 files do not name the root's dependencies, so there `direct` is
//! unknown and the path empty.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use super::graph::{DepGraph, EdgeKind};
use super::purl::package_component;
use super::{InputFormat, Inventory, InventoryError, finish, json_error, pick_checksum, utf8_text};
use crate::model::{Component, Ecosystem, Scope, SourceKind};

/// The lockfile as written, only what the inventory needs.
#[derive(Deserialize)]
struct RawLock {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: i64,
    packages: Option<BTreeMap<String, RawPackage>>,
    #[serde(default)]
    dependencies: BTreeMap<String, RawV1Dependency>,
}

/// One `packages` entry (versions 2 and 3).
#[derive(Deserialize)]
struct RawPackage {
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, String>,
}

/// One `dependencies` entry of version 1, nesting its own `node_modules`.
#[derive(Deserialize)]
struct RawV1Dependency {
    version: String,
    resolved: Option<String>,
    integrity: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    requires: BTreeMap<String, String>,
    #[serde(default)]
    dependencies: BTreeMap<String, RawV1Dependency>,
}

/// One installed folder, whichever version described it.
struct Entry {
    location: String,
    /// The package's own name (an alias's target, not the folder name).
    name: String,
    version: String,
    resolved: Option<String>,
    integrity: Option<String>,
    dev: bool,
    link: bool,
    /// Dependencies by folder name, with the kind of the edge.
    requires: Vec<(String, EdgeKind)>,
}

impl Entry {
    /// Is this folder the product: the root, a workspace folder, or a link?
    fn is_product(&self) -> bool {
        self.link || !self.location.starts_with("node_modules/")
    }
}

/// Parses `package-lock.json` bytes into an inventory (see the module doc).
pub fn parse_npm_lock(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let text = utf8_text(path, bytes)?;
    let raw: RawLock = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    let (entries, has_root) = match (raw.lockfile_version, raw.packages) {
        (2 | 3, Some(packages)) => (from_packages(packages), true),
        (1, _) => (from_v1(raw.dependencies), false),
        (version, _) => {
            return Err(InventoryError::UnsupportedFormatVersion {
                path: path.to_path_buf(),
                format: "package-lock.json lockfileVersion",
                version: version.to_string(),
                supported: "1, 2 and 3 are; 2 and 3 need `packages`",
            });
        }
    };
    let graph = build_graph(&entries);
    let roots: Vec<usize> = (0..entries.len())
        .filter(|&i| entries.get(i).is_some_and(Entry::is_product))
        .collect();
    let direct = graph.direct(&roots);
    let paths = graph.shortest_paths(&roots);
    let mut components = Vec::new();
    let mut product = Vec::new();
    for ((entry, is_direct), path_to) in entries.iter().zip(direct).zip(paths) {
        if entry.is_product() {
            product.push(entry.name.clone());
            continue;
        }
        let mut c = npm_component(path, entry)?;
        if has_root {
            c.direct = Some(is_direct);
            c.dependency_path = path_to;
        }
        components.push(c);
    }
    Ok(finish(
        path,
        bytes,
        InputFormat::NpmLock,
        components,
        product,
    ))
}

/// The component of one installed package folder.
fn npm_component(path: &Path, entry: &Entry) -> Result<Component, InventoryError> {
    let source = npm_source(entry.resolved.as_deref());
    let mut c = package_component(path, Ecosystem::Npm, &entry.name, &entry.version, source)?;
    c.source_url = entry.resolved.clone();
    c.checksum = entry.integrity.as_deref().and_then(sri_checksum);
    c.scope = if entry.dev {
        Scope::Dev
    } else {
        Scope::Runtime
    };
    Ok(c)
}

/// Where a `resolved` URL says the package came from.
pub(super) fn npm_source(resolved: Option<&str>) -> SourceKind {
    match resolved {
        None => SourceKind::Registry,
        Some(r) if r.starts_with("git") || r.starts_with("github:") => SourceKind::Git,
        Some(r) if r.starts_with("file:") => SourceKind::Path,
        Some(r) if r.contains("/-/") => SourceKind::Registry,
        Some(_) => SourceKind::Url,
    }
}

/// A Subresource Integrity value (`sha512-<base64>`, maybe several) as `sha512:<hex>`.
pub(super) fn sri_checksum(integrity: &str) -> Option<String> {
    use base64::Engine;
    let decoded = integrity.split_whitespace().filter_map(|sri| {
        let (alg, b64) = sri.split_once('-')?;
        let digest = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        Some((alg.to_string(), hex::encode(digest)))
    });
    pick_checksum(decoded)
}

/// Versions 2 and 3: one entry per `packages` key.
fn from_packages(packages: BTreeMap<String, RawPackage>) -> Vec<Entry> {
    packages
        .into_iter()
        .map(|(location, p)| {
            let folder = location.rsplit("node_modules/").next().unwrap_or(&location);
            let mut requires = Vec::new();
            for (deps, kind) in [
                (&p.dependencies, EdgeKind::Normal),
                (&p.optional_dependencies, EdgeKind::Normal),
                (&p.peer_dependencies, EdgeKind::Normal),
                (&p.dev_dependencies, EdgeKind::Dev),
            ] {
                requires.extend(deps.keys().map(|name| (name.clone(), kind)));
            }
            Entry {
                name: p.name.unwrap_or_else(|| folder.to_string()),
                version: p.version.unwrap_or_default(),
                resolved: p.resolved,
                integrity: p.integrity,
                dev: p.dev,
                link: p.link,
                requires,
                location,
            }
        })
        .collect()
}

/// Version 1: the nested tree, flattened into `node_modules/...` locations.
fn from_v1(dependencies: BTreeMap<String, RawV1Dependency>) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut stack: Vec<(String, String, RawV1Dependency)> = dependencies
        .into_iter()
        .map(|(name, d)| (String::new(), name, d))
        .collect();
    while let Some((parent, folder, d)) = stack.pop() {
        let location = if parent.is_empty() {
            format!("node_modules/{folder}")
        } else {
            format!("{parent}/node_modules/{folder}")
        };
        let (name, version) = match d.version.strip_prefix("npm:") {
            Some(alias) => split_spec(alias),
            None => (folder.clone(), d.version.clone()),
        };
        let link = d.version.starts_with("file:");
        let requires = d.requires.keys().map(|n| (n.clone(), EdgeKind::Normal));
        entries.push(Entry {
            requires: requires.collect(),
            location: location.clone(),
            name,
            version,
            resolved: d.resolved,
            integrity: d.integrity,
            dev: d.dev,
            link,
        });
        stack.extend(
            d.dependencies
                .into_iter()
                .map(|(n, child)| (location.clone(), n, child)),
        );
    }
    entries
}

/// `name@version` (the name may start with `@scope/`) into its two parts.
pub(super) fn split_spec(spec: &str) -> (String, String) {
    match spec.get(1..).and_then(|rest| rest.rfind('@')) {
        Some(at) => {
            let (name, version) = spec.split_at(at + 1);
            (
                name.to_string(),
                version.get(1..).unwrap_or_default().to_string(),
            )
        }
        None => (spec.to_string(), String::new()),
    }
}

/// The graph: each dependency resolved as Node does, links to their targets.
fn build_graph(entries: &[Entry]) -> DepGraph {
    let mut graph = DepGraph::default();
    let by_location: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.location.as_str(), i))
        .collect();
    for e in entries {
        graph.add_node(&e.name);
    }
    for (from, e) in entries.iter().enumerate() {
        for (name, kind) in &e.requires {
            if let Some(to) = find_folder(&by_location, entries, &e.location, name) {
                graph.add_edge(from, to, *kind);
            }
        }
    }
    graph
}

/// The folder `name` resolves to from `location`; a link resolves to its target.
/// A missing optional or peer dependency resolves to nothing.
fn find_folder(
    by_location: &HashMap<&str, usize>,
    entries: &[Entry],
    location: &str,
    name: &str,
) -> Option<usize> {
    let mut scope = Some(location);
    while let Some(at) = scope {
        let candidate = if at.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{at}/node_modules/{name}")
        };
        if let Some(&found) = by_location.get(candidate.as_str()) {
            let entry = entries.get(found)?;
            return match (&entry.link, &entry.resolved) {
                (true, Some(target)) => by_location.get(target.as_str()).copied(),
                _ => Some(found),
            };
        }
        scope = enclosing(at);
    }
    None
}

/// The folder whose `node_modules` encloses `location`; `None` above the root.
fn enclosing(location: &str) -> Option<&str> {
    if location.is_empty() {
        return None;
    }
    Some(
        location
            .rfind("/node_modules/")
            .and_then(|at| location.get(..at))
            .unwrap_or(""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const V3: &str = r#"{
      "name": "app", "lockfileVersion": 3,
      "packages": {
        "": {"name": "app", "dependencies": {"a": "1", "ws": "1", "old": "npm:b@1"}, "devDependencies": {"t": "1"}},
        "packages/ws": {"name": "ws", "version": "1.0.0", "dependencies": {"b": "2"}},
        "node_modules/ws": {"resolved": "packages/ws", "link": true},
        "node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz",
            "integrity": "sha1-AAAA sha512-3q2+7w==", "dependencies": {"b": "2"}},
        "node_modules/a/node_modules/b": {"version": "2.0.0"},
        "node_modules/b": {"version": "2.0.0", "resolved": "git+ssh://git@github.com/x/b.git#abc"},
        "node_modules/old": {"name": "b", "version": "1.0.0"},
        "node_modules/t": {"version": "1.0.0", "dev": true, "dependencies": {"gone": "1"}}
      }
    }"#;

    fn by_name_version(inv: &Inventory) -> Vec<(String, String, Scope, Option<bool>)> {
        inv.components
            .iter()
            .map(|c| (c.name.clone(), c.version.clone(), c.scope, c.direct))
            .collect()
    }

    #[test]
    fn v3_nests_aliases_and_links() {
        let inv = parse_npm_lock(Path::new("package-lock.json"), V3.as_bytes()).unwrap();
        assert_eq!(inv.product, vec!["app", "ws"]);
        let s = |n: &str, v: &str, scope, d| (n.to_string(), v.to_string(), scope, Some(d));
        assert_eq!(
            by_name_version(&inv),
            vec![
                s("a", "1.0.0", Scope::Runtime, true),
                s("b", "1.0.0", Scope::Runtime, true),
                s("b", "2.0.0", Scope::Runtime, true),
                s("t", "1.0.0", Scope::Dev, true),
            ]
        );
        let a = &inv.components[0];
        assert_eq!(a.checksum.as_deref(), Some("sha512:deadbeef"));
        assert_eq!(a.source, SourceKind::Registry);
        // Both copies of b 2.0.0 share one key: the workspace's is direct,
        // the nested one (first) keeps its path.
        assert_eq!(inv.components[2].dependency_path, vec!["app", "a", "b"]);
    }

    #[test]
    fn v1_flattens_the_tree() {
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {
            "a": {"version": "1.0.0", "requires": {"b": "^2"},
                  "dependencies": {"b": {"version": "2.0.0", "dev": true}}},
            "legacy": {"version": "npm:@s/c@3.0.0"},
            "local": {"version": "file:packages/local"}}}"#;
        let inv = parse_npm_lock(Path::new("package-lock.json"), v1.as_bytes()).unwrap();
        let got = by_name_version(&inv);
        assert_eq!(
            got[0],
            ("@s/c".into(), "3.0.0".into(), Scope::Runtime, None)
        );
        assert_eq!(got[2], ("b".into(), "2.0.0".into(), Scope::Dev, None));
        assert_eq!(inv.product, vec!["local"]);
        assert_eq!(inv.components[0].purl_str(), Some("pkg:npm/%40s/c@3.0.0"));
    }

    #[test]
    fn unknown_versions_are_refused() {
        let err = parse_npm_lock(Path::new("p.json"), br#"{"lockfileVersion": 7}"#).unwrap_err();
        assert!(
            err.to_string().contains("lockfileVersion version 7"),
            "{err}"
        );
    }
}
