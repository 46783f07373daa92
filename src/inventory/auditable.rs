//! The dependency list `cargo auditable build` embeds in an executable, read
//! with rust-secure-code's `auditable-info` (ELF, Mach-O and PE).
//!
//! The root package and `local` (path) packages are the product. The list
//! says whether each package is needed at run time or only to build, and
//! holds no dev-dependencies. Packages from crates.io get their purl; for git
//! and other registries the list records neither URL nor revision, so those
//! components have no purl rather than one that would claim crates.io.

use std::path::Path;

use auditable_serde::{DependencyKind, Package, Source};

use super::graph::{DepGraph, EdgeKind};
use super::purl::CRATES_IO_SOURCES;
use super::{InputFormat, Inventory, InventoryError, cargo_lock::cargo_component, finish};
use crate::model::{Component, Ecosystem, Scope, SourceKind};

/// The largest embedded list accepted once decompressed: `auditable-info`'s
/// own default, room for tens of thousands of packages. The binary itself is
/// bounded by the inventory's input limit.
const MAX_LIST_BYTES: usize = 8 * 1024 * 1024;

/// Parses an executable's bytes into the inventory its embedded list gives.
pub fn parse_auditable_binary(
    path_for_messages: &Path,
    bytes: &[u8],
) -> Result<Inventory, InventoryError> {
    let path = path_for_messages;
    let info = auditable_info::audit_info_from_slice(bytes, MAX_LIST_BYTES)
        .map_err(|e| read_error(path, e))?;
    let packages = &info.packages;
    let mut graph = DepGraph::default();
    for p in packages {
        graph.add_node(&p.name);
    }
    for (from, p) in packages.iter().enumerate() {
        for &to in &p.dependencies {
            graph.add_edge(from, to, EdgeKind::Unknown);
        }
    }
    let roots: Vec<usize> = (0..packages.len())
        .filter(|&i| packages.get(i).is_some_and(is_product))
        .collect();
    let mut product = Vec::new();
    let mut soup = Vec::new();
    for (node, p) in packages.iter().enumerate() {
        if is_product(p) {
            product.push(p.name.clone());
        } else {
            soup.push((node, component(path, p)?));
        }
    }
    graph.mark_reach(&roots, soup.iter_mut().map(|(node, c)| (*node, c)));
    let components = soup.into_iter().map(|(_, c)| c).collect();
    Ok(finish(
        path,
        bytes,
        InputFormat::AuditableBinary,
        components,
        product,
    ))
}

/// Is the package part of the product: the root, or a path package?
fn is_product(p: &Package) -> bool {
    p.root || p.source == Source::Local
}

/// One embedded package as a SOUP component.
fn component(path: &Path, p: &Package) -> Result<Component, InventoryError> {
    let version = p.version.to_string();
    let mut c = match &p.source {
        Source::CratesIo => cargo_component(path, None, &p.name, &version, CRATES_IO_SOURCES[0])?,
        other => {
            let mut c = Component::new(Ecosystem::CratesIo, &p.name, &version);
            c.source = match other {
                Source::Git => SourceKind::Git,
                Source::Registry => SourceKind::Registry,
                _ => SourceKind::Unknown,
            };
            c
        }
    };
    c.scope = match p.kind {
        DependencyKind::Runtime => Scope::Runtime,
        DependencyKind::Build => Scope::Build,
    };
    Ok(c)
}

/// The inventory's error for what `auditable-info` reported.
fn read_error(path: &Path, e: auditable_info::Error) -> InventoryError {
    match e {
        auditable_info::Error::NoAuditData => InventoryError::NoAuditableData {
            path: path.to_path_buf(),
        },
        other => InventoryError::AuditableData {
            path: path.to_path_buf(),
            message: other.to_string(),
        },
    }
}
