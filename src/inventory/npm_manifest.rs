//! The `package.json` manifests beside a yarn lockfile: they name the
//! project's own dependencies and which of them only development needs, which
//! `yarn.lock` itself does not record.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::graph::EdgeKind;
use super::{InventoryError, json_error, read_bytes};

/// A `package.json`, only its name, dependency groups and workspaces.
#[derive(Deserialize)]
struct RawManifest {
    name: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
    workspaces: Option<RawWorkspaces>,
}

/// `workspaces` as a list of patterns, or as `{ "packages": [...] }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawWorkspaces {
    List(Vec<String>),
    Object {
        #[serde(default)]
        packages: Vec<String>,
    },
}

/// One manifest read: the package's name and each dependency with its edge
/// kind (dev when only `devDependencies` names it).
pub(super) struct Manifest {
    pub name: String,
    pub path: PathBuf,
    pub dependencies: Vec<(String, EdgeKind)>,
    /// The range each dependency asks for (`^1.2.0`, `npm:ms@2.0.0`).
    pub ranges: BTreeMap<String, String>,
    /// The `workspaces` patterns of a project's root manifest.
    workspaces: Vec<String>,
}

/// Reads `folder/package.json`; `None` when there is none.
pub(super) fn read_manifest(folder: &Path) -> Result<Option<Manifest>, InventoryError> {
    let path = folder.join("package.json");
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = read_bytes(&path)?;
    let raw: RawManifest = serde_json::from_slice(&bytes).map_err(|e| json_error(&path, &e))?;
    let mut dependencies = Vec::new();
    for group in [
        &raw.dependencies,
        &raw.optional_dependencies,
        &raw.peer_dependencies,
    ] {
        dependencies.extend(group.keys().map(|n| (n.clone(), EdgeKind::Normal)));
    }
    let dev_only = raw
        .dev_dependencies
        .keys()
        .filter(|n| !dependencies.iter().any(|(d, _)| d == *n));
    let dev_only: Vec<(String, EdgeKind)> = dev_only.map(|n| (n.clone(), EdgeKind::Dev)).collect();
    dependencies.extend(dev_only);
    let ranges = [
        &raw.dev_dependencies,
        &raw.peer_dependencies,
        &raw.optional_dependencies,
        &raw.dependencies,
    ]
    .into_iter()
    .flatten()
    .filter_map(|(n, v)| Some((n.clone(), v.as_str()?.to_string())))
    .collect();
    let workspaces = match raw.workspaces {
        Some(RawWorkspaces::List(patterns) | RawWorkspaces::Object { packages: patterns }) => {
            patterns
        }
        None => Vec::new(),
    };
    let name = raw.name.unwrap_or_else(|| folder.display().to_string());
    Ok(Some(Manifest {
        name,
        path,
        dependencies,
        ranges,
        workspaces,
    }))
}

/// The project's manifest beside `lockfile` and those of its workspaces
/// (patterns `dir` and `dir/*`); empty when there is no manifest.
pub(super) fn project_manifests(lockfile: &Path) -> Result<Vec<Manifest>, InventoryError> {
    let dir = lockfile.parent().unwrap_or(Path::new(""));
    let Some(root) = read_manifest(dir)? else {
        return Ok(Vec::new());
    };
    let mut folders = Vec::new();
    for pattern in &root.workspaces {
        match pattern.strip_suffix("/*") {
            Some(parent) => {
                let entries =
                    std::fs::read_dir(dir.join(parent)).map_err(|source| InventoryError::Io {
                        path: dir.join(parent),
                        source,
                    })?;
                let mut found: Vec<PathBuf> =
                    entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                found.sort();
                folders.extend(found);
            }
            None => folders.push(dir.join(pattern)),
        }
    }
    let mut manifests = vec![root];
    for folder in folders {
        manifests.extend(read_manifest(&folder)?);
    }
    Ok(manifests)
}
