//! yarn classic's `yarn.lock` (`# yarn lockfile v1`): its own indented text format.
//!
//! Each entry starts with the descriptors it satisfies (`a@^1.0.0, a@^1.2.0:`)
//! and holds `version`, `resolved`, `integrity` and dependency sections. An
//! `npm:` alias (`old@npm:b@1.0.0`) is pinned under the package it installs.
//! The file names neither the project nor its workspaces: they live in
//! `package.json`. When the project's manifest is beside the lockfile, it and
//! its workspaces' manifests (patterns `dir` and `dir/*`) are the roots of the
//! graph: `direct` and the path are known, and the scope is runtime when a
//! root reaches the package through its dependencies, dev when only through
//! `devDependencies`. For a bare `yarn.lock` they are unknown.

use std::collections::HashMap;
use std::path::Path;

use super::graph::{DepGraph, EdgeKind};
use super::npm::{npm_source, split_spec, sri_checksum};
use super::npm_manifest::{Manifest, project_manifests};
use super::purl::package_component;
use super::{InputFormat, Inventory, InventoryError, finish, utf8_text};
use crate::model::{Ecosystem, Scope};

/// One entry of the lockfile, only what the inventory needs.
#[derive(Default)]
struct Entry {
    /// The first descriptor, e.g. `old@npm:b@1.0.0`.
    descriptor: String,
    line: usize,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    /// `name range` pairs of its dependency sections.
    dependencies: Vec<(String, String)>,
}

/// Parses yarn classic `yarn.lock` bytes into an inventory (see the module doc).
pub fn parse_yarn_classic(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let text = utf8_text(path, bytes)?;
    let (entries, descriptors) = entries(path, text)?;
    let manifests = project_manifests(path)?;
    let graph = build_graph(&entries, &descriptors, &manifests);
    let roots: Vec<usize> = (entries.len()..entries.len() + manifests.len()).collect();
    let (scopes, direct, paths) = (
        graph.scopes(&roots),
        graph.direct(&roots),
        graph.shortest_paths(&roots),
    );
    let mut components = Vec::new();
    let mut product: Vec<String> = manifests.iter().map(|m| m.name.clone()).collect();
    for (i, entry) in entries.into_iter().enumerate() {
        let syntax = |message: String| InventoryError::Syntax {
            path: path.to_path_buf(),
            line: Some(entry.line),
            message,
        };
        let (folder, range) = split_descriptor(&entry.descriptor);
        let name = match range.strip_prefix("npm:") {
            Some(alias) if alias.contains('@') => split_spec(alias).0,
            _ => folder,
        };
        if range.starts_with("file:") || range.starts_with("link:") {
            product.push(name);
            continue;
        }
        let version = entry
            .version
            .ok_or_else(|| syntax(format!("entry `{}` has no version", entry.descriptor)))?;
        let source = npm_source(entry.resolved.as_deref());
        let mut c = package_component(path, Ecosystem::Npm, &name, &version, source)?;
        c.checksum = entry.integrity.as_deref().and_then(sri_checksum);
        c.source_url = entry.resolved;
        if !manifests.is_empty() {
            c.scope = scopes.get(i).copied().unwrap_or(Scope::Unknown);
            c.direct = direct.get(i).copied();
            c.dependency_path = paths.get(i).cloned().unwrap_or_default();
        }
        components.push(c);
    }
    let mut inventory = finish(path, bytes, InputFormat::YarnClassic, components, product);
    inventory
        .files
        .extend(manifests.into_iter().map(|m| m.path));
    Ok(inventory)
}

/// The graph: entries first, then one root per manifest; each dependency
/// `name range` found by its descriptor `name@range`.
fn build_graph(
    entries: &[Entry],
    descriptors: &HashMap<String, usize>,
    manifests: &[Manifest],
) -> DepGraph {
    let mut graph = DepGraph::default();
    for entry in entries {
        graph.add_node(&split_descriptor(&entry.descriptor).0);
    }
    for manifest in manifests {
        graph.add_node(&manifest.name);
    }
    let find = |name: &str, range: &str| descriptors.get(&format!("{name}@{range}")).copied();
    for (from, entry) in entries.iter().enumerate() {
        for (name, range) in &entry.dependencies {
            if let Some(to) = find(name, range) {
                graph.add_edge(from, to, EdgeKind::Normal);
            }
        }
    }
    for (offset, manifest) in manifests.iter().enumerate() {
        for (name, kind) in &manifest.dependencies {
            let range = manifest.ranges.get(name).map_or("", String::as_str);
            if let Some(to) = find(name, range) {
                graph.add_edge(entries.len() + offset, to, *kind);
            }
        }
    }
    graph
}

/// The entries, each with the line it starts on, and every descriptor's entry.
fn entries(
    path: &Path,
    text: &str,
) -> Result<(Vec<Entry>, HashMap<String, usize>), InventoryError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut descriptors = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_end();
        if trimmed.trim_start().is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let indent = trimmed.len() - trimmed.trim_start().len();
        if indent == 0 {
            let header = trimmed
                .strip_suffix(':')
                .ok_or_else(|| InventoryError::Syntax {
                    path: path.to_path_buf(),
                    line: Some(n + 1),
                    message: "an entry must start with its descriptors and a colon".to_string(),
                })?;
            for descriptor in header.split(", ") {
                descriptors.insert(unquote(descriptor).to_string(), entries.len());
            }
            let first = header.split(", ").next().unwrap_or(header);
            entries.push(Entry {
                descriptor: unquote(first).to_string(),
                line: n + 1,
                ..Entry::default()
            });
        } else if indent == 2
            && let Some(entry) = entries.last_mut()
            && let Some((key, value)) = trimmed.trim_start().split_once(' ')
        {
            let value = Some(unquote(value.trim()).to_string());
            match unquote(key) {
                "version" => entry.version = value,
                "resolved" => entry.resolved = value,
                "integrity" => entry.integrity = value,
                _ => {}
            }
        } else if indent == 4
            && let Some(entry) = entries.last_mut()
            && let Some((name, range)) = trimmed.trim_start().split_once(' ')
        {
            let range = unquote(range.trim()).to_string();
            entry.dependencies.push((unquote(name).to_string(), range));
        } else if entries.is_empty() {
            return Err(InventoryError::Syntax {
                path: path.to_path_buf(),
                line: Some(n + 1),
                message: "an indented line comes before any entry".to_string(),
            });
        }
    }
    Ok((entries, descriptors))
}

/// A descriptor `name@range` (the name may start with `@scope/`; the range
/// may hold more `@`s) into its two parts.
pub(super) fn split_descriptor(descriptor: &str) -> (String, String) {
    match descriptor.get(1..).and_then(|rest| rest.find('@')) {
        Some(at) => {
            let (name, range) = descriptor.split_at(at + 1);
            (
                name.to_string(),
                range.get(1..).unwrap_or_default().to_string(),
            )
        }
        None => (descriptor.to_string(), String::new()),
    }
}

/// The text without surrounding double quotes.
fn unquote(text: &str) -> &str {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceKind;

    const LOCK: &str = r#"# yarn lockfile v1


"@ungap/x@1.1.2", "@ungap/x@^1.1.0":
  version "1.1.2"
  resolved "https://registry.yarnpkg.com/@ungap/x/-/x-1.1.2.tgz#aa"
  integrity sha512-3q2+7w==

"legacy@npm:ms@2.0.0":
  version "2.0.0"
  dependencies:
    other "^1"

git-dep@git+https://github.com/a/b.git#abc:
  version "0.1.0"
  resolved "git+https://github.com/a/b.git#abc"
"#;

    #[test]
    fn entries_aliases_and_sources() {
        let inv = parse_yarn_classic(Path::new("yarn.lock"), LOCK.as_bytes()).unwrap();
        let got: Vec<(&str, &str, SourceKind)> = inv
            .components
            .iter()
            .map(|c| (c.name.as_str(), c.version.as_str(), c.source))
            .collect();
        assert_eq!(
            got,
            vec![
                ("@ungap/x", "1.1.2", SourceKind::Registry),
                ("git-dep", "0.1.0", SourceKind::Git),
                ("ms", "2.0.0", SourceKind::Registry),
            ]
        );
        assert_eq!(
            inv.components[0].checksum.as_deref(),
            Some("sha512:deadbeef")
        );
    }

    #[test]
    fn broken_entries_name_their_line() {
        let err = parse_yarn_classic(Path::new("yarn.lock"), b"a@1:\n  resolved \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("yarn.lock line 1") && err.contains("no version"),
            "{err}"
        );
        let err = parse_yarn_classic(Path::new("yarn.lock"), b"  version \"1\"\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = parse_yarn_classic(Path::new("yarn.lock"), b"a@1\n").unwrap_err();
        assert!(err.to_string().contains("colon"), "{err}");
    }
}
