//! pnpm's `pnpm-lock.yaml`, lockfile versions 6 and 9.
//!
//! `importers` are the project's own packages (the product, the graph's
//! roots); their `link:` dependencies are workspace packages. Version 6 keys
//! packages as `/name@version(peers)`; version 9 keeps the resolution under
//! `packages` (`name@version`) and the graph under `snapshots`
//! (`name@version(peers)`). Copies of one package that differ only by peers
//! are one component. Scope comes from the graph: runtime when an importer
//! reaches the package through `dependencies` or `optionalDependencies`, dev
//! when only through `devDependencies` (version 9 has no `dev` flag; version
//! 6's agrees with the graph).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use super::graph::{DepGraph, EdgeKind};
use super::npm::{split_spec, sri_checksum};
use super::purl::package_component;
use super::{InputFormat, Inventory, InventoryError, finish, utf8_text, yaml_error};
use crate::model::{Ecosystem, SourceKind};

/// The lockfile as written, only what the inventory needs.
#[derive(Deserialize)]
struct RawLock {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: serde_yaml_ng::Value,
    #[serde(default)]
    importers: BTreeMap<String, RawImporter>,
    #[serde(default)]
    packages: BTreeMap<String, RawPackage>,
    #[serde(default)]
    snapshots: BTreeMap<String, RawPackage>,
}

/// One project of the workspace.
#[derive(Deserialize)]
struct RawImporter {
    #[serde(default)]
    dependencies: BTreeMap<String, RawImporterDependency>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, RawImporterDependency>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, RawImporterDependency>,
}

/// An importer's dependency: what it asked for and what was locked.
#[derive(Deserialize)]
struct RawImporterDependency {
    version: String,
}

/// A `packages` or `snapshots` entry.
#[derive(Deserialize, Default)]
struct RawPackage {
    resolution: Option<RawResolution>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, String>,
}

/// Where a package was fetched from.
#[derive(Deserialize)]
struct RawResolution {
    integrity: Option<String>,
    tarball: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    repo: Option<String>,
    commit: Option<String>,
    directory: Option<String>,
}

/// Parses `pnpm-lock.yaml` bytes into an inventory (see the module doc).
pub fn parse_pnpm_lock(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let text = utf8_text(path, bytes)?;
    let raw: RawLock = serde_yaml_ng::from_str(text).map_err(|e| yaml_error(path, &e))?;
    let version = match &raw.lockfile_version {
        serde_yaml_ng::Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    let is_v9 = match version.split('.').next() {
        Some("6") => false,
        Some("9") => true,
        _ => {
            return Err(InventoryError::UnsupportedFormatVersion {
                path: path.to_path_buf(),
                format: "pnpm-lock.yaml lockfileVersion",
                version,
                supported: "6.x and 9.x are",
            });
        }
    };
    let (resolutions, nodes) = if is_v9 {
        (raw.packages, raw.snapshots)
    } else {
        let keyed = |m: BTreeMap<String, RawPackage>| {
            m.into_iter()
                .map(|(k, v)| (k.strip_prefix('/').unwrap_or(&k).to_string(), v))
                .collect::<Vec<_>>()
        };
        (BTreeMap::new(), keyed(raw.packages).into_iter().collect())
    };
    let mut graph = DepGraph::default();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let roots: Vec<usize> = raw.importers.keys().map(|k| graph.add_node(k)).collect();
    let ids: Vec<&String> = nodes.keys().collect();
    for id in &ids {
        index.insert(id.as_str(), graph.add_node(&identity(id).0));
    }
    for (importer, &from) in raw.importers.values().zip(&roots) {
        for (deps, kind) in [
            (&importer.dependencies, EdgeKind::Normal),
            (&importer.optional_dependencies, EdgeKind::Normal),
            (&importer.dev_dependencies, EdgeKind::Dev),
        ] {
            for (name, dep) in deps {
                if let Some(&to) = index.get(node_id(name, &dep.version).as_str()) {
                    graph.add_edge(from, to, kind);
                }
            }
        }
    }
    for (id, node) in &nodes {
        let Some(&from) = index.get(id.as_str()) else {
            continue;
        };
        for (name, reference) in node.dependencies.iter().chain(&node.optional_dependencies) {
            if let Some(&to) = index.get(node_id(name, reference).as_str()) {
                graph.add_edge(from, to, EdgeKind::Normal);
            }
        }
    }
    let scopes = graph.scopes(&roots);
    let direct = graph.direct(&roots);
    let paths = graph.shortest_paths(&roots);
    let mut components = Vec::new();
    let mut product: Vec<String> = raw.importers.keys().cloned().collect();
    for (id, node) in &nodes {
        let Some(&i) = index.get(id.as_str()) else {
            continue;
        };
        let (name, version) = identity(id);
        let resolution = node.resolution.as_ref().or_else(|| {
            resolutions
                .get(strip_peers(id))
                .and_then(|p| p.resolution.as_ref())
        });
        let source = resolution.map_or(SourceKind::Registry, source_of);
        if source == SourceKind::Path {
            product.push(name);
            continue;
        }
        let mut c = package_component(path, Ecosystem::Npm, &name, &version, source)?;
        c.checksum = resolution
            .and_then(|r| r.integrity.as_deref())
            .and_then(sri_checksum);
        c.source_url = resolution.and_then(|r| r.tarball.clone().or_else(|| r.repo.clone()));
        c.scope = scopes
            .get(i)
            .copied()
            .unwrap_or(crate::model::Scope::Unknown);
        c.direct = direct.get(i).copied();
        c.dependency_path = paths.get(i).cloned().unwrap_or_default();
        components.push(c);
    }
    Ok(finish(
        path,
        bytes,
        InputFormat::PnpmLock,
        components,
        product,
    ))
}

/// The node a dependency reference points at: `1.2.3` under its name, an
/// alias (`ms@2.0.0`, version 6 `/ms@2.0.0`) as written; `link:` is no node.
fn node_id(name: &str, reference: &str) -> String {
    if let Some(alias) = reference.strip_prefix('/') {
        alias.to_string()
    } else if reference.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{name}@{reference}")
    } else {
        reference.to_string()
    }
}

/// A node id without its peer suffix: `a@1.0.0(b@2.0.0)` is `a@1.0.0`.
fn strip_peers(id: &str) -> &str {
    id.split('(').next().unwrap_or(id)
}

/// The package name and version of a node id.
fn identity(id: &str) -> (String, String) {
    split_spec(strip_peers(id))
}

/// The source a resolution names.
fn source_of(resolution: &RawResolution) -> SourceKind {
    if resolution.directory.is_some() {
        SourceKind::Path
    } else if resolution.kind.as_deref() == Some("git") || resolution.commit.is_some() {
        SourceKind::Git
    } else if let Some(tarball) = &resolution.tarball {
        if tarball.starts_with("file:") {
            SourceKind::Path
        } else if tarball.contains("/-/") {
            SourceKind::Registry
        } else {
            SourceKind::Url
        }
    } else {
        SourceKind::Registry
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scope;

    const V9: &str = r#"lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      old:
        specifier: npm:ms@2.0.0
        version: ms@2.0.0
      ws:
        specifier: workspace:*
        version: link:packages/ws
    devDependencies:
      t:
        specifier: ^1
        version: 1.0.0(ms@2.0.0)
  packages/ws:
    dependencies:
      ms:
        specifier: 2.1.2
        version: 2.1.2
packages:
  ms@2.0.0:
    resolution: {integrity: sha512-3q2+7w==}
  ms@2.1.2:
    resolution: {integrity: sha512-3q2+7w==}
  t@1.0.0:
    resolution: {tarball: https://example.com/t.tgz}
snapshots:
  ms@2.0.0: {}
  ms@2.1.2: {}
  t@1.0.0(ms@2.0.0):
    dependencies:
      ms: 2.0.0
"#;

    #[test]
    fn v9_scopes_come_from_the_importers() {
        let inv = parse_pnpm_lock(Path::new("pnpm-lock.yaml"), V9.as_bytes()).unwrap();
        assert_eq!(inv.product, vec![".", "packages/ws"]);
        let got: Vec<(&str, &str, Scope, Option<bool>, SourceKind)> = inv
            .components
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.version.as_str(),
                    c.scope,
                    c.direct,
                    c.source,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "ms",
                    "2.0.0",
                    Scope::Runtime,
                    Some(true),
                    SourceKind::Registry
                ),
                (
                    "ms",
                    "2.1.2",
                    Scope::Runtime,
                    Some(true),
                    SourceKind::Registry
                ),
                ("t", "1.0.0", Scope::Dev, Some(true), SourceKind::Url),
            ]
        );
        assert_eq!(
            inv.components[0].checksum.as_deref(),
            Some("sha512:deadbeef")
        );
    }

    #[test]
    fn v6_keys_start_with_a_slash() {
        let v6 = "lockfileVersion: '6.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0\npackages:\n  /a@1.0.0:\n    resolution: {integrity: sha512-3q2+7w==}\n    dev: false\n";
        let inv = parse_pnpm_lock(Path::new("pnpm-lock.yaml"), v6.as_bytes()).unwrap();
        assert_eq!(inv.components[0].purl_str(), Some("pkg:npm/a@1.0.0"));
        assert_eq!(inv.components[0].scope, Scope::Runtime);
        let err = parse_pnpm_lock(Path::new("p.yaml"), b"lockfileVersion: 5.4\n").unwrap_err();
        assert!(err.to_string().contains("5.4"), "{err}");
    }
}
