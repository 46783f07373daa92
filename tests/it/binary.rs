//! The shipped binary: the dependency list `cargo auditable build` embeds in an
//! executable, read back and checked against what cargo itself resolved.
//!
//! The test crate's dependencies are ones cargo-soup's own `Cargo.lock` holds,
//! so after cargo-soup is built they are in the local cargo cache and the test
//! crate builds with `--offline`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_metadata::{DependencyKind, MetadataCommand, PackageId};
use cargo_soup::inventory::{InputFormat, InventoryError, read_binary};
use cargo_soup::model::Scope;

use super::inventory::host_triple;
use super::support::fixture;
use super::support::scene::Project;

/// The test crate's manifest.
fn manifest() -> PathBuf {
    fixture("projects/auditable-app/Cargo.toml")
}

/// Builds the test crate into `target` with `cargo <build...>`, offline and
/// locked; returns the executable.
fn build(build: &[&str], target: &Path) -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(build)
        .args(["--offline", "--locked", "--quiet", "--manifest-path"])
        .arg(manifest())
        .arg("--target-dir")
        .arg(target)
        .status()
        .unwrap();
    assert!(status.success(), "cargo {build:?} failed");
    target
        .join("debug")
        .join(format!("auditable-app{}", std::env::consts::EXE_SUFFIX))
}

/// Is `cargo auditable` installed? CI installs it; elsewhere its test is
/// skipped with a note, unless `CI` is set.
fn has_cargo_auditable() -> bool {
    let found = Command::new(env!("CARGO"))
        .args(["auditable", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "CI needs cargo-auditable: cargo install --locked cargo-auditable"
    );
    found
}

/// (name, version, reached only through build dependencies?) of every package
/// the test crate needs for the host, dev-dependencies left out, computed from
/// `cargo metadata`'s resolve.
fn non_dev_packages() -> BTreeSet<(String, String, bool)> {
    let metadata = MetadataCommand::new()
        .manifest_path(manifest())
        .other_options(vec![
            "--offline".into(),
            "--locked".into(),
            "--filter-platform".into(),
            host_triple(),
        ])
        .exec()
        .unwrap();
    let resolve = metadata.resolve.as_ref().unwrap();
    let root = resolve.root.clone().unwrap();
    let mut found: BTreeSet<(String, String, bool)> = BTreeSet::new();
    let mut queue: Vec<(PackageId, bool)> = vec![(root.clone(), false)];
    let mut seen = BTreeSet::new();
    while let Some((id, build_only)) = queue.pop() {
        if !seen.insert((id.clone(), build_only)) {
            continue;
        }
        let node = resolve.nodes.iter().find(|n| n.id == id).unwrap();
        for dep in &node.deps {
            let kinds: Vec<DependencyKind> = dep.dep_kinds.iter().map(|k| k.kind).collect();
            if kinds.iter().all(|k| *k == DependencyKind::Development) {
                continue;
            }
            let by_build = build_only || !kinds.contains(&DependencyKind::Normal);
            queue.push((dep.pkg.clone(), by_build));
        }
        if id != root {
            let package = &metadata[&id];
            found.insert((
                package.name.to_string(),
                package.version.to_string(),
                build_only,
            ));
        }
    }
    // A package reached both ways is needed at run time.
    let runtime: BTreeSet<(String, String)> = found
        .iter()
        .filter(|(_, _, build)| !build)
        .map(|(n, v, _)| (n.clone(), v.clone()))
        .collect();
    found.retain(|(n, v, build)| !build || !runtime.contains(&(n.clone(), v.clone())));
    found
}

#[test]
fn the_embedded_list_is_what_cargo_resolved_for_the_target_without_dev_dependencies() {
    if !has_cargo_auditable() {
        eprintln!("skipped: cargo-auditable is not installed");
        return;
    }
    let target = tempfile::tempdir().unwrap();
    let binary = build(&["auditable", "build"], target.path());
    let expected = non_dev_packages();
    assert_eq!(expected.len(), 3, "{expected:?}");
    assert!(expected.iter().any(|(_, _, build)| *build));

    let inv = read_binary(&binary).unwrap();
    assert_eq!(inv.format, InputFormat::AuditableBinary);
    assert_eq!(inv.product, vec!["auditable-app"]);
    let got: BTreeSet<(String, String, bool)> = inv
        .components
        .iter()
        .map(|c| (c.name.clone(), c.version.clone(), c.scope == Scope::Build))
        .collect();
    assert_eq!(got, expected);
    for c in &inv.components {
        assert_eq!(
            c.purl_str(),
            Some(format!("pkg:cargo/{}@{}", c.name, c.version).as_str())
        );
        assert!(matches!(c.scope, Scope::Runtime | Scope::Build));
        assert_eq!(c.direct, Some(true), "{}: the crate names each", c.name);
        assert_eq!(c.dependency_path, ["auditable-app", c.name.as_str()]);
    }

    // Through the binary: `list --binary` lists the same, and `diff` of the
    // app's lockfile against the binary finds only what the build left out.
    let project = Project::empty();
    let listed = project
        .run(&[
            "list",
            "--offline",
            "--format",
            "json",
            "--binary",
            binary.to_str().unwrap(),
        ])
        .expect(0);
    let names: BTreeSet<String> = listed.json()["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    let expected_names: BTreeSet<String> = expected.iter().map(|(n, _, _)| n.clone()).collect();
    assert_eq!(names, expected_names);
    let lockfile = manifest().with_file_name("Cargo.lock");
    let diff = project
        .run(&[
            "diff",
            lockfile.to_str().unwrap(),
            binary.to_str().unwrap(),
            "--format",
            "json",
        ])
        .expect(0);
    let removed: Vec<String> = diff.json()["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(removed, ["fnv"], "the dev-dependency is not in the binary");
    assert!(diff.json()["added"].as_array().unwrap().is_empty());

    // The release baseline can come from the artefact that shipped.
    project
        .run(&["init", "--class", "B", "--name", "app"])
        .expect(0);
    project
        .run(&[
            "import",
            "--binary",
            binary.to_str().unwrap(),
            "--release",
            "1.0.0",
        ])
        .expect(0);
    let release = project
        .run(&[
            "audit",
            "--release",
            "1.0.0",
            "--offline",
            "--allow-stale",
            "--format",
            "json",
        ])
        .expect(1);
    let inputs = &release.json()["inputs"];
    assert_eq!(inputs[0]["format"], "auditable-binary", "{inputs}");
    assert_eq!(inputs[0]["release"], "1.0.0");
    // Class B: the binary's direct crates need their specifications.
    let json = release.json();
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"missing-specification"), "{codes:?}");
}

#[test]
fn a_binary_without_an_embedded_list_is_refused_naming_cargo_auditable() {
    let target = tempfile::tempdir().unwrap();
    let binary = build(&["build"], target.path());
    let err = read_binary(&binary).unwrap_err();
    assert!(
        matches!(err, InventoryError::NoAuditableData { .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("cargo auditable build"), "{message}");
    assert!(message.contains(&binary.display().to_string()), "{message}");
}

#[test]
fn files_that_are_not_executables_are_refused_naming_the_file() {
    for file in ["sboms/python-venv.cdx-1.6.json", "bad/not-a-zip.zip"] {
        let path = fixture(file);
        let err = read_binary(&path).unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
    }
}
