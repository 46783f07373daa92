//! A Cargo project read through `cargo metadata`: the same pins as its
//! lockfile, plus dependency kinds (scope), licences and authors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cargo_metadata::{
    CargoOpt, DependencyKind, Metadata, MetadataCommand, Node, Package, PackageId,
};

use super::cargo_lock::cargo_component;
use super::graph::{DepGraph, EdgeKind};
use super::{
    CargoOptions, InputFormat, Inventory, InventoryError, finish, parse_lockfile, read_bytes,
};
use crate::model::Component;

/// Runs `cargo metadata --all-features` on the manifest and reads the resolved
/// packages; the input file is the workspace's `Cargo.lock`.
pub fn read_cargo_project(
    manifest_path: &Path,
    opts: &CargoOptions,
) -> Result<Inventory, InventoryError> {
    let metadata = run_cargo_metadata(manifest_path, opts)?;
    let lock_path = PathBuf::from(metadata.workspace_root.as_std_path()).join("Cargo.lock");
    let lock_bytes = read_bytes(&lock_path)?;
    let checksums: HashMap<String, Option<String>> = parse_lockfile(&lock_path, &lock_bytes)?
        .components
        .into_iter()
        .map(|c| (c.key().into_owned(), c.checksum.clone()))
        .collect();
    let (mut components, product) = components_of(&lock_path, &metadata)?;
    for c in &mut components {
        c.checksum = checksums.get(c.key().as_ref()).cloned().flatten();
    }
    let mut inventory = finish(
        &lock_path,
        &lock_bytes,
        InputFormat::CargoMetadata,
        components,
        product,
    );
    inventory.files.extend(manifests(manifest_path, &metadata));
    Ok(inventory)
}

/// The manifests the resolve was read from: the one given, the workspace's,
/// and each workspace member's and path package's (those without a source).
fn manifests(manifest_path: &Path, metadata: &Metadata) -> Vec<PathBuf> {
    let mut manifests: Vec<PathBuf> = metadata
        .packages
        .iter()
        .filter(|p| p.source.is_none())
        .map(|p| p.manifest_path.clone().into_std_path_buf())
        .chain([
            metadata
                .workspace_root
                .join("Cargo.toml")
                .into_std_path_buf(),
            manifest_path.to_path_buf(),
        ])
        .collect();
    manifests.sort();
    manifests.dedup();
    manifests
}

/// `cargo metadata` with `--offline` / `--locked` passed through when set.
fn run_cargo_metadata(
    manifest_path: &Path,
    opts: &CargoOptions,
) -> Result<Metadata, InventoryError> {
    let mut extra = Vec::new();
    if opts.offline {
        extra.push("--offline".to_string());
    }
    if opts.locked {
        extra.push("--locked".to_string());
    }
    if let Some(triple) = &opts.filter_platform {
        extra.extend(["--filter-platform".to_string(), triple.clone()]);
    }
    MetadataCommand::new()
        .manifest_path(manifest_path)
        .features(CargoOpt::AllFeatures)
        .other_options(extra)
        .exec()
        .map_err(|e| InventoryError::CargoMetadata {
            path: manifest_path.to_path_buf(),
            message: e.to_string().trim().to_string(),
        })
}

/// The resolved packages with a source as components, and the names of those
/// without one (the product).
fn components_of(
    lock_path: &Path,
    metadata: &Metadata,
) -> Result<(Vec<Component>, Vec<String>), InventoryError> {
    let packages: HashMap<&PackageId, &Package> =
        metadata.packages.iter().map(|p| (&p.id, p)).collect();
    let nodes = metadata
        .resolve
        .as_ref()
        .map(|r| r.nodes.as_slice())
        .unwrap_or_default();
    let resolved: Vec<&Package> = nodes
        .iter()
        .filter_map(|n| packages.get(&n.id).copied())
        .collect();
    let index: HashMap<&PackageId, usize> = resolved
        .iter()
        .enumerate()
        .map(|(i, p)| (&p.id, i))
        .collect();

    let graph = dependency_graph(&resolved, nodes, &index);
    let members: Vec<usize> = metadata
        .workspace_members
        .iter()
        .filter_map(|id| index.get(id).copied())
        .collect();
    let scopes = graph.scopes(&members);
    let direct = graph.direct(&members);
    let paths = graph.shortest_paths(&members);

    let mut components = Vec::new();
    let mut product = Vec::new();
    for (i, p) in resolved.iter().enumerate() {
        let Some(source) = &p.source else {
            product.push(p.name.to_string());
            continue;
        };
        let mut c = cargo_component(
            lock_path,
            None,
            p.name.as_str(),
            &p.version.to_string(),
            &source.repr,
        )?;
        c.licenses = p.license.clone();
        c.supplier = (!p.authors.is_empty()).then(|| p.authors.join(", "));
        c.scope = scopes.get(i).copied().unwrap_or(c.scope);
        c.direct = direct.get(i).copied();
        c.dependency_path = paths.get(i).cloned().unwrap_or_default();
        components.push(c);
    }
    Ok((components, product))
}

/// The resolve as a graph over `resolved` (indexed by `index`), one edge per
/// dependency kind; an edge without kinds (old Cargo) is of unknown kind.
fn dependency_graph(
    resolved: &[&Package],
    nodes: &[Node],
    index: &HashMap<&PackageId, usize>,
) -> DepGraph {
    let mut graph = DepGraph::default();
    for p in resolved {
        graph.add_node(p.name.as_str());
    }
    for node in nodes {
        let Some(&from) = index.get(&node.id) else {
            continue;
        };
        for dep in &node.deps {
            let Some(&to) = index.get(&dep.pkg) else {
                continue;
            };
            let kinds = dep.dep_kinds.iter().map(|k| edge_kind(k.kind));
            let kinds: Vec<EdgeKind> = if dep.dep_kinds.is_empty() {
                vec![EdgeKind::Unknown]
            } else {
                kinds.collect()
            };
            for kind in kinds {
                graph.add_edge(from, to, kind);
            }
        }
    }
    graph
}

/// The graph's edge kind for a Cargo dependency kind.
fn edge_kind(kind: DependencyKind) -> EdgeKind {
    match kind {
        DependencyKind::Normal => EdgeKind::Normal,
        DependencyKind::Build => EdgeKind::Build,
        DependencyKind::Development => EdgeKind::Dev,
        _ => EdgeKind::Unknown,
    }
}

/// `[package] key` of a manifest, else `[workspace.package] key` (what a
/// workspace's members inherit): the system's name and version the record and
/// the report give by default. `None` when the manifest cannot be read.
pub fn manifest_package_field(manifest: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let document: toml_edit::DocumentMut = text.parse().ok()?;
    let field = |table: Option<&toml_edit::Item>| {
        table
            .and_then(|t| t.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    field(document.get("package"))
        .or_else(|| field(document.get("workspace").and_then(|w| w.get("package"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_manifest_names_it() {
        let opts = CargoOptions {
            offline: true,
            locked: true,
            filter_platform: None,
        };
        let err = read_cargo_project(Path::new("no/such/Cargo.toml"), &opts).unwrap_err();
        assert!(err.to_string().contains("no/such/Cargo.toml"), "{err}");
    }

    #[test]
    fn dependency_kinds_map_to_edges() {
        assert_eq!(edge_kind(DependencyKind::Normal), EdgeKind::Normal);
        assert_eq!(edge_kind(DependencyKind::Build), EdgeKind::Build);
        assert_eq!(edge_kind(DependencyKind::Development), EdgeKind::Dev);
    }

    #[test]
    fn package_fields_fall_back_to_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[package]\nname = \"pump\"\n\n[workspace.package]\nversion = \"1.4.0\"\n",
        )
        .unwrap();
        assert_eq!(
            manifest_package_field(&manifest, "name").as_deref(),
            Some("pump")
        );
        assert_eq!(
            manifest_package_field(&manifest, "version").as_deref(),
            Some("1.4.0")
        );
        assert_eq!(manifest_package_field(&manifest, "edition"), None);
        assert_eq!(
            manifest_package_field(&dir.path().join("none"), "name"),
            None
        );
    }
}
