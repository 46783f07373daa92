//! Pipenv's `Pipfile.lock` (JSON, `_meta.pipfile-spec`).
//!
//! `default` holds the runtime packages and `develop` the dev ones; a package
//! in both is runtime. Versions are written `==3.2`. A git entry has no
//! version, so its locked `ref` stands in as the version; editable and path
//! entries are the product. The file has no graph: `direct` is unknown and
//! the path empty. The checksum is the first of the listed hashes (one per
//! distribution file).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::purl::package_component;
use super::{InputFormat, Inventory, InventoryError, finish, json_error, utf8_text};
use crate::model::{Ecosystem, Scope, SourceKind};

/// The lockfile as written, only what the inventory needs.
#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    default: BTreeMap<String, RawPackage>,
    #[serde(default)]
    develop: BTreeMap<String, RawPackage>,
}

/// One locked package.
#[derive(Deserialize)]
struct RawPackage {
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
    git: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    path: Option<String>,
    file: Option<String>,
}

/// Parses `Pipfile.lock` bytes into an inventory (see the module doc).
pub fn parse_pipfile_lock(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let text = utf8_text(path, bytes)?;
    let raw: RawLock = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    let mut components = Vec::new();
    let mut product = Vec::new();
    let groups = [(raw.default, Scope::Runtime), (raw.develop, Scope::Dev)];
    for (packages, scope) in groups {
        for (name, p) in packages {
            if p.path.is_some() {
                product.push(name);
                continue;
            }
            let (version, source) = match (&p.version, &p.git, &p.file) {
                (Some(v), _, _) => (v.trim_start_matches("==="), SourceKind::Registry),
                (None, Some(_), _) => (p.reference.as_deref().unwrap_or_default(), SourceKind::Git),
                (None, None, Some(_)) => ("", SourceKind::Url),
                (None, None, None) => ("", SourceKind::Registry),
            };
            let version = version.trim_start_matches("==");
            if version.is_empty() {
                return Err(InventoryError::MissingVersion {
                    path: path.to_path_buf(),
                    component: name,
                });
            }
            let mut c = package_component(path, Ecosystem::PyPI, &name, version, source)?;
            c.scope = scope;
            c.checksum = p.hashes.first().cloned();
            c.source_url = p.git.clone().or_else(|| p.file.clone());
            components.push(c);
        }
    }
    Ok(finish(
        path,
        bytes,
        InputFormat::PipfileLock,
        components,
        product,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_runtime_develop_is_dev() {
        let lock = r#"{"_meta": {"pipfile-spec": 6},
          "default": {"django": {"version": "==3.2", "hashes": ["sha256:aa", "sha256:bb"]},
                      "mine": {"editable": true, "path": "."},
                      "tool": {"git": "https://github.com/a/tool.git", "ref": "abc"}},
          "develop": {"django": {"version": "==3.2"}, "pytest": {"version": "==6.2.1"}}}"#;
        let inv = parse_pipfile_lock(Path::new("Pipfile.lock"), lock.as_bytes()).unwrap();
        assert_eq!(inv.product, vec!["mine"]);
        let got: Vec<(&str, &str, Scope, Option<&str>)> = inv
            .components
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.version.as_str(),
                    c.scope,
                    c.checksum.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("django", "3.2", Scope::Runtime, Some("sha256:aa")),
                ("pytest", "6.2.1", Scope::Dev, None),
                ("tool", "abc", Scope::Runtime, None),
            ]
        );
        let err = parse_pipfile_lock(Path::new("Pipfile.lock"), br#"{"default": {"x": {}}}"#);
        assert!(matches!(err, Err(InventoryError::MissingVersion { .. })));
    }
}
