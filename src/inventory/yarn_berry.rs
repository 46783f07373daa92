//! yarn berry's `yarn.lock` (yarn 2 and later): YAML with a `__metadata` entry.
//!
//! Each entry is keyed by the descriptors it satisfies and says its
//! `resolution` (`ms@npm:2.0.0`): the name it installs and the protocol it
//! came by. `workspace:`, `link:`, `portal:` and `file:` resolutions are the
//! product; the workspaces are the roots of the graph, so `direct` and the
//! path are known. The file merges a workspace's dev and runtime
//! dependencies, so the scope comes from each workspace's `package.json`
//! beside the lockfile (a dependency only in `devDependencies` is a dev edge):
//! runtime when a workspace reaches the package through its other
//! dependencies, dev when only through dev ones, unknown for a bare `yarn.lock`
//! whose manifests are not there. Berry's `checksum` is the digest of
//! its own re-packed cache archive, not of the published tarball, and is not
//! kept.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::graph::{DepGraph, EdgeKind};
use super::npm_manifest::read_manifest;
use super::purl::package_component;
use super::yarn_classic::split_descriptor;
use super::{InputFormat, Inventory, InventoryError, finish, utf8_text, yaml_error};
use crate::model::{Ecosystem, SourceKind};

/// The `__metadata` format versions this reader knows (yarn 2 wrote 4, yarn 4 writes 8 and 10).
const VERSIONS: std::ops::RangeInclusive<i64> = 3..=10;

/// The lockfile's `__metadata` entry.
#[derive(Deserialize)]
struct RawMetadata {
    version: i64,
}

/// One entry, only what the inventory needs.
#[derive(Deserialize)]
struct RawEntry {
    version: String,
    resolution: String,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
}

/// Each workspace entry's dependencies with their edge kind, by entry index.
type Declared = HashMap<usize, Vec<(String, EdgeKind)>>;

/// The dependency edges each workspace entry's `package.json` (beside the
/// lockfile) gives, by entry, and the manifests read.
fn workspace_manifests(
    lockfile: &Path,
    entries: &[(String, RawEntry)],
) -> Result<(Declared, Vec<PathBuf>), InventoryError> {
    let dir = lockfile.parent().unwrap_or(Path::new(""));
    let mut edges = HashMap::new();
    let mut files = Vec::new();
    for (i, (_, entry)) in entries.iter().enumerate() {
        let (_, reference) = split_descriptor(&entry.resolution);
        let Some(folder) = reference.strip_prefix("workspace:") else {
            continue;
        };
        if let Some(manifest) = read_manifest(&dir.join(folder))? {
            edges.insert(i, manifest.dependencies);
            files.push(manifest.path);
        }
    }
    Ok((edges, files))
}

/// Parses yarn berry `yarn.lock` bytes into an inventory (see the module doc).
pub fn parse_yarn_berry(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let text = utf8_text(path, bytes)?;
    let mut raw: BTreeMap<String, serde_yaml_ng::Value> =
        serde_yaml_ng::from_str(text).map_err(|e| yaml_error(path, &e))?;
    let metadata = raw
        .remove("__metadata")
        .ok_or_else(|| InventoryError::Syntax {
            path: path.to_path_buf(),
            line: None,
            message: "there is no `__metadata` entry".to_string(),
        })?;
    let metadata: RawMetadata =
        serde_yaml_ng::from_value(metadata).map_err(|e| yaml_error(path, &e))?;
    if !VERSIONS.contains(&metadata.version) {
        return Err(InventoryError::UnsupportedFormatVersion {
            path: path.to_path_buf(),
            format: "yarn.lock __metadata",
            version: metadata.version.to_string(),
            supported: "3 to 10 are",
        });
    }
    let mut entries = Vec::new();
    for (key, value) in raw {
        let entry: RawEntry =
            serde_yaml_ng::from_value(value).map_err(|e| InventoryError::Syntax {
                path: path.to_path_buf(),
                line: None,
                message: format!("entry `{key}`: {e}"),
            })?;
        entries.push((key, entry));
    }
    let (declared, manifests) = workspace_manifests(path, &entries)?;
    let graph = build_graph(&entries, &declared);
    let kinds: Vec<(String, SourceKind)> = entries
        .iter()
        .map(|(_, e)| resolution(&e.resolution))
        .collect();
    let roots: Vec<usize> = (0..kinds.len())
        .filter(|&i| kinds.get(i).is_some_and(|(_, k)| is_product(*k)))
        .collect();
    let direct = graph.direct(&roots);
    let paths = graph.shortest_paths(&roots);
    let scopes = graph.scopes(&roots);
    let mut components = Vec::new();
    let mut product = Vec::new();
    for (((((_, entry), (name, kind)), is_direct), path_to), scope) in
        entries.iter().zip(kinds).zip(direct).zip(paths).zip(scopes)
    {
        if is_product(kind) {
            product.push(name);
            continue;
        }
        let mut c = package_component(path, Ecosystem::Npm, &name, &entry.version, kind)?;
        c.source_url = Some(entry.resolution.clone());
        c.direct = Some(is_direct);
        c.dependency_path = path_to;
        c.scope = scope;
        components.push(c);
    }
    let mut inventory = finish(path, bytes, InputFormat::YarnBerry, components, product);
    inventory.files.extend(manifests);
    Ok(inventory)
}

/// Is a package of this source the product rather than SOUP?
fn is_product(kind: SourceKind) -> bool {
    matches!(
        kind,
        SourceKind::Workspace | SourceKind::Link | SourceKind::Path
    )
}

/// The name a resolution installs and where it came from.
fn resolution(resolution: &str) -> (String, SourceKind) {
    let (name, reference) = split_descriptor(resolution);
    let protocol = reference.split_once(':').map_or("", |(p, _)| p);
    let kind = match protocol {
        "npm" | "patch" => SourceKind::Registry,
        "workspace" => SourceKind::Workspace,
        "link" | "portal" => SourceKind::Link,
        "file" => SourceKind::Path,
        _ if reference.contains(".git") || reference.contains("commit=") => SourceKind::Git,
        _ => SourceKind::Url,
    };
    (name, kind)
}

/// The graph: each dependency `name: range` found by its descriptor `name@range`.
/// Edges are of unknown kind unless the workspaces' manifests were read; then
/// a workspace's dev-only dependencies are dev edges and the rest normal.
fn build_graph(entries: &[(String, RawEntry)], manifests: &Declared) -> DepGraph {
    let mut graph = DepGraph::default();
    let mut by_descriptor: HashMap<&str, usize> = HashMap::new();
    for (i, (key, entry)) in entries.iter().enumerate() {
        graph.add_node(&resolution(&entry.resolution).0);
        for descriptor in key.split(',') {
            by_descriptor.insert(descriptor.trim(), i);
        }
    }
    for (from, (_, entry)) in entries.iter().enumerate() {
        for (name, range) in &entry.dependencies {
            let declared = manifests
                .get(&from)
                .and_then(|deps| deps.iter().find(|(d, _)| d == name));
            let kind = match declared {
                _ if manifests.is_empty() => EdgeKind::Unknown,
                Some((_, kind)) => *kind,
                None => EdgeKind::Normal,
            };
            if let Some(&to) = by_descriptor.get(format!("{name}@{range}").as_str()) {
                graph.add_edge(from, to, kind);
            }
        }
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    old: "npm:ms@2.0.0"
    b: "https://github.com/x/b.git#commit=abc"
  languageName: unknown
  linkType: soft

"old@npm:ms@2.0.0":
  version: 2.0.0
  resolution: "ms@npm:2.0.0"
  dependencies:
    c: "npm:^1.0.0"

"b@https://github.com/x/b.git#commit=abc":
  version: 0.1.0
  resolution: "b@https://github.com/x/b.git#commit=abc"

"c@npm:^1.0.0, c@npm:^1.1.0":
  version: 1.2.0
  resolution: "c@npm:1.2.0"
"#;

    #[test]
    fn resolutions_give_names_sources_and_paths() {
        let inv = parse_yarn_berry(Path::new("yarn.lock"), LOCK.as_bytes()).unwrap();
        assert_eq!(inv.product, vec!["app"]);
        let got: Vec<(&str, &str, SourceKind, Option<bool>, usize)> = inv
            .components
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.version.as_str(),
                    c.source,
                    c.direct,
                    c.dependency_path.len(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("b", "0.1.0", SourceKind::Git, Some(true), 2),
                ("c", "1.2.0", SourceKind::Registry, Some(false), 3),
                ("ms", "2.0.0", SourceKind::Registry, Some(true), 2),
            ]
        );
    }

    #[test]
    fn metadata_is_required_and_versioned() {
        let err =
            parse_yarn_berry(Path::new("yarn.lock"), b"a@npm:1:\n  version: 1\n").unwrap_err();
        assert!(err.to_string().contains("__metadata"), "{err}");
        let err =
            parse_yarn_berry(Path::new("yarn.lock"), b"__metadata:\n  version: 99\n").unwrap_err();
        assert!(err.to_string().contains("version 99"), "{err}");
    }
}
