//! Lockfiles of npm, yarn, pnpm, uv, Poetry, Pipenv and pip made by the real
//! clients (`tests/fixtures/ecosystems/`): each reader's package set equals
//! the client's own answer (`npm ls`, `yarn list`/`yarn info`, `pnpm list`,
//! `uv export`, `poetry show`, `pipenv requirements`), dev flags included
//! where the lockfile records them; every format is recognised by content and
//! `list --format json` of each validates against the list schema.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use cargo_soup::inventory::{self, InputFormat, Inventory};
use cargo_soup::model::{Ecosystem, Scope, SourceKind};
use serde_json::Value;

use super::support::fixture;
use super::support::scene::Project;
use super::support::schemas::assert_documented;

/// (name, version) of a package, the name as the ecosystem compares it.
type Pin = (String, String);

fn eco(relative: &str) -> PathBuf {
    fixture(&format!("ecosystems/{relative}"))
}

fn read(relative: &str) -> Inventory {
    inventory::read_lockfile(&eco(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn text(relative: &str) -> String {
    std::fs::read_to_string(eco(relative)).unwrap()
}

fn json(relative: &str) -> Value {
    serde_json::from_str(&text(relative)).unwrap()
}

/// Every component's pin, PEP 503-normalised for PyPI.
fn pins(inv: &Inventory) -> BTreeSet<Pin> {
    inv.components
        .iter()
        .map(|c| {
            (
                c.ecosystem.normalize_name(&c.name).into_owned(),
                c.version.clone(),
            )
        })
        .collect()
}

/// The pins the reader says only development needs.
fn dev_pins(inv: &Inventory) -> BTreeSet<Pin> {
    inv.components
        .iter()
        .filter(|c| c.scope == Scope::Dev)
        .map(|c| {
            (
                c.ecosystem.normalize_name(&c.name).into_owned(),
                c.version.clone(),
            )
        })
        .collect()
}

/// The `npm:` aliases of the fixture's manifests: folder name -> package name.
fn npm_aliases(client: &str) -> BTreeMap<String, String> {
    let manifest = json(&format!("{client}/package.json"));
    let mut aliases = BTreeMap::new();
    for group in ["dependencies", "devDependencies", "optionalDependencies"] {
        for (folder, spec) in manifest[group].as_object().into_iter().flatten() {
            if let Some(target) = spec.as_str().and_then(|s| s.strip_prefix("npm:")) {
                let at = target[1..].find('@').map_or(target.len(), |i| i + 1);
                aliases.insert(folder.clone(), target[..at].to_string());
            }
        }
    }
    aliases
}

/// The workspace packages of the fixture (the product, never SOUP).
const WORKSPACES: [&str; 2] = ["clinician-ui", "widgets"];

/// Every package of an `npm ls --all --json` tree, aliases under their package.
fn npm_ls(client: &str, file: &str) -> BTreeSet<Pin> {
    let aliases = npm_aliases(client);
    let mut found = BTreeSet::new();
    let mut stack = vec![json(&format!("{client}/{file}"))];
    while let Some(node) = stack.pop() {
        for (folder, dep) in node["dependencies"].as_object().into_iter().flatten() {
            if !WORKSPACES.contains(&folder.as_str()) {
                let name = aliases.get(folder).unwrap_or(folder);
                let version = dep["version"].as_str().unwrap().to_string();
                found.insert((name.clone(), version));
            }
            stack.push(dep.clone());
        }
    }
    found
}

#[test]
fn npm_lockfiles_of_every_version_match_npm_ls() {
    for (client, version) in [("npm-v1", 1), ("npm-v2", 2), ("npm-v3", 3)] {
        let lockfile = format!("{client}/package-lock.json");
        let inv = read(&lockfile);
        assert_eq!(inv.format, InputFormat::NpmLock);
        let all = npm_ls(client, "npm-ls-all.json");
        let runtime = npm_ls(client, "npm-ls-omit-dev.json");
        assert!(all.len() > 100, "{client}: {} packages", all.len());
        assert_eq!(pins(&inv), all, "{client}");
        let dev: BTreeSet<Pin> = all.difference(&runtime).cloned().collect();
        assert_eq!(dev_pins(&inv), dev, "{client}: dev flags");
        assert!(inv.product.contains(&"widgets".to_string()), "{client}");
        let lodash = inv.components.iter().find(|c| c.name == "lodash").unwrap();
        assert_eq!(lodash.purl_str(), Some("pkg:npm/lodash@4.17.15"));
        assert!(lodash.checksum.as_deref().unwrap().starts_with("sha512:"));
        assert_eq!(lodash.source, SourceKind::Registry);
        // Version 1 does not name the root's dependencies; 2 and 3 do.
        let expect_direct = (version > 1).then_some(true);
        assert_eq!(lodash.direct, expect_direct, "{client}");
        let ms = inv
            .components
            .iter()
            .find(|c| c.key() == "pkg:npm/ms@2.0.0");
        assert!(
            ms.is_some(),
            "{client}: the legacy-ms alias is pinned as ms"
        );
    }
}

#[test]
fn npm_shrinkwrap_is_read_as_a_package_lock() {
    let dir = tempfile::tempdir().unwrap();
    let shrinkwrap = dir.path().join("npm-shrinkwrap.json");
    std::fs::copy(eco("npm-v3/package-lock.json"), &shrinkwrap).unwrap();
    let inv = inventory::read_lockfile(&shrinkwrap).unwrap();
    assert_eq!(pins(&inv), pins(&read("npm-v3/package-lock.json")));
}

/// Every package `yarn list --json` shows (not the dimmed references), aliases under their package.
fn yarn_list(file: &str) -> BTreeSet<Pin> {
    let aliases = npm_aliases("yarn-classic");
    let tree = json(&format!("yarn-classic/{file}"));
    let mut stack: Vec<Value> = tree["data"]["trees"].as_array().unwrap().clone();
    let mut found = BTreeSet::new();
    while let Some(node) = stack.pop() {
        if node["shadow"].as_bool() == Some(true) {
            continue;
        }
        let spec = node["name"].as_str().unwrap();
        let at = spec[1..].rfind('@').unwrap() + 1;
        let (folder, version) = (&spec[..at], &spec[at + 1..]);
        if !WORKSPACES.contains(&folder) {
            let name = aliases.get(folder).map_or(folder, String::as_str);
            found.insert((name.to_string(), version.to_string()));
        }
        stack.extend(node["children"].as_array().into_iter().flatten().cloned());
    }
    found
}

#[test]
fn yarn_classic_matches_yarn_list() {
    let inv = read("yarn-classic/yarn.lock");
    assert_eq!(inv.format, InputFormat::YarnClassic);
    let all = yarn_list("yarn-list.json");
    assert!(all.len() > 90, "{}", all.len());
    assert_eq!(pins(&inv), all);
    let runtime = yarn_list("yarn-list-production.json");
    let dev: BTreeSet<Pin> = all.difference(&runtime).cloned().collect();
    assert_eq!(dev_pins(&inv), dev, "dev flags, from the manifests");
    assert_eq!(inv.files.len(), 3, "the lockfile and both manifests");
    let lodash = inv.components.iter().find(|c| c.name == "lodash").unwrap();
    assert_eq!(lodash.dependency_path, ["clinician-ui", "lodash"]);

    // A bare yarn.lock does not record dev dependencies: the scope is not guessed.
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("yarn.lock");
    std::fs::copy(eco("yarn-classic/yarn.lock"), &bare).unwrap();
    let inv = inventory::read_lockfile(&bare).unwrap();
    assert_eq!(pins(&inv), all);
    assert!(
        inv.components
            .iter()
            .all(|c| c.scope == Scope::Unknown && c.direct.is_none())
    );
}

/// Every package of `yarn info --all --recursive --json`, workspaces left out.
fn yarn_info(file: &str) -> BTreeSet<Pin> {
    text(&format!("yarn-berry/{file}"))
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter_map(|v| {
            let locator = v["value"].as_str()?;
            let at = locator[1..].find('@')? + 1;
            let (name, reference) = (&locator[..at], &locator[at + 1..]);
            let version = v["children"]["Version"].as_str()?;
            (!reference.starts_with("workspace:")).then(|| (name.to_string(), version.to_string()))
        })
        .collect()
}

#[test]
fn yarn_berry_matches_yarn_info() {
    let inv = read("yarn-berry/yarn.lock");
    assert_eq!(inv.format, InputFormat::YarnBerry);
    let all = yarn_info("yarn-info-all.ndjson");
    assert!(all.len() > 100, "{}", all.len());
    assert_eq!(pins(&inv), all);
    let runtime = yarn_info("yarn-info-production.ndjson");
    let dev: BTreeSet<Pin> = all.difference(&runtime).cloned().collect();
    assert_eq!(
        dev_pins(&inv),
        dev,
        "dev flags, from the workspaces' manifests"
    );
    assert_eq!(inv.product, ["clinician-ui", "widgets"]);
    assert_eq!(
        inv.files.len(),
        3,
        "the lockfile and both workspace manifests"
    );
    let lodash = inv.components.iter().find(|c| c.name == "lodash").unwrap();
    assert_eq!(lodash.direct, Some(true));
    assert_eq!(lodash.dependency_path, ["clinician-ui", "lodash"]);
}

/// Every package of `pnpm list --recursive --depth Infinity --json`, split
/// into those a `dependencies`/`optionalDependencies` tree reaches and the rest.
fn pnpm_list(client: &str) -> (BTreeSet<Pin>, BTreeSet<Pin>) {
    let importers = json(&format!("{client}/pnpm-list.json"));
    let (mut all, mut runtime) = (BTreeSet::new(), BTreeSet::new());
    for importer in importers.as_array().unwrap() {
        for group in ["dependencies", "optionalDependencies", "devDependencies"] {
            let mut stack: Vec<Value> = importer[group]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, d)| d.clone())
                .collect();
            while let Some(dep) = stack.pop() {
                let version = dep["version"].as_str().unwrap();
                if !version.starts_with("link:") {
                    let pin = (
                        dep["from"].as_str().unwrap().to_string(),
                        version.to_string(),
                    );
                    if group != "devDependencies" {
                        runtime.insert(pin.clone());
                    }
                    all.insert(pin);
                }
                let children = dep["dependencies"].as_object().into_iter().flatten();
                stack.extend(children.map(|(_, d)| d.clone()));
            }
        }
    }
    (all, runtime)
}

#[test]
fn pnpm_lockfiles_6_and_9_match_pnpm_list() {
    for client in ["pnpm-8", "pnpm-9"] {
        let inv = read(&format!("{client}/pnpm-lock.yaml"));
        assert_eq!(inv.format, InputFormat::PnpmLock);
        let (all, runtime) = pnpm_list(client);
        assert!(all.len() > 100, "{client}: {}", all.len());
        assert_eq!(pins(&inv), all, "{client}");
        let dev: BTreeSet<Pin> = all.difference(&runtime).cloned().collect();
        assert_eq!(dev_pins(&inv), dev, "{client}: dev flags");
        assert_eq!(inv.product, [".", "packages/widgets"], "{client}");
    }
}

/// The `name==version` lines of a requirements-style answer, names normalised.
fn requirement_pins(relative: &str) -> BTreeSet<Pin> {
    text(relative)
        .lines()
        .filter_map(|line| {
            let spec = line.split(';').next()?.trim();
            let (name, version) = spec.split_once("==")?;
            let name = name.split('[').next()?;
            Some((
                Ecosystem::PyPI.normalize_name(name).into_owned(),
                version.trim().to_string(),
            ))
        })
        .collect()
}

#[test]
fn uv_lock_matches_uv_export() {
    let inv = read("uv/uv.lock");
    assert_eq!(inv.format, InputFormat::UvLock);
    let all = requirement_pins("uv/uv-export-all-groups.txt");
    let runtime = requirement_pins("uv/uv-export-no-dev.txt");
    assert!(all.len() >= 25, "{}", all.len());
    assert_eq!(pins(&inv), all);
    let dev: BTreeSet<Pin> = all.difference(&runtime).cloned().collect();
    assert_eq!(dev_pins(&inv), dev);
    assert_eq!(inv.product, ["pump-gateway"]);
    let django = inv.components.iter().find(|c| c.name == "django").unwrap();
    assert_eq!(django.purl_str(), Some("pkg:pypi/django@3.2"));
    assert_eq!(django.direct, Some(true));
    assert!(django.checksum.as_deref().unwrap().starts_with("sha256:"));
    let pysocks = inv.components.iter().find(|c| c.name == "pysocks").unwrap();
    assert_eq!(
        pysocks.scope,
        Scope::Runtime,
        "pulled in by requests[socks]"
    );
}

/// The packages `poetry show` lists (`(!)` marks one not installed here).
fn poetry_show(relative: &str) -> BTreeSet<Pin> {
    text(relative)
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let version = if words.get(1) == Some(&"(!)") {
                words.get(2)
            } else {
                words.get(1)
            };
            Some((
                Ecosystem::PyPI.normalize_name(words.first()?).into_owned(),
                version?.to_string(),
            ))
        })
        .collect()
}

/// What `poetry show` leaves out: it ran under CPython 3.11 on Linux and lists
/// only what applies there. atomicwrites and colorama are locked for win32,
/// typing-extensions for Python < 3.11: the lock's marker-conditional packages.
const NOT_FOR_THIS_PYTHON: [&str; 3] = ["atomicwrites", "colorama", "typing-extensions"];

#[test]
fn poetry_locks_1_and_2_match_poetry_show() {
    let lock: toml::Table = toml::from_str(&text("poetry-2/poetry.lock")).unwrap();
    let conditional: Vec<&str> = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.get("markers").is_some())
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(conditional, NOT_FOR_THIS_PYTHON);
    for client in ["poetry-1", "poetry-2"] {
        let inv = read(&format!("{client}/poetry.lock"));
        assert_eq!(inv.format, InputFormat::PoetryLock);
        let mut all = poetry_show(&format!("{client}/poetry-show.txt"));
        let omitted = inv
            .components
            .iter()
            .filter(|c| NOT_FOR_THIS_PYTHON.contains(&c.name.as_str()));
        all.extend(omitted.map(|c| (c.name.clone(), c.version.clone())));
        let main = poetry_show(&format!("{client}/poetry-show-only-main.txt"));
        assert!(all.len() >= 20, "{client}: {}", all.len());
        assert_eq!(pins(&inv), all, "{client}");
        if client == "poetry-2" {
            // `--only main` omits typing-extensions for the same reason.
            let dev: BTreeSet<Pin> = all
                .difference(&main)
                .filter(|(name, _)| name != "typing-extensions")
                .cloned()
                .collect();
            assert_eq!(dev_pins(&inv), dev, "{client}: dev flags");
        } else {
            // Lock version 2.0 records no groups: the scope is not guessed.
            assert!(inv.components.iter().all(|c| c.scope == Scope::Unknown));
        }
    }
    let django = read("poetry-2/poetry.lock");
    let django = django
        .components
        .iter()
        .find(|c| c.version == "3.2")
        .unwrap();
    assert_eq!(django.purl_str(), Some("pkg:pypi/django@3.2"));
}

#[test]
fn pipfile_lock_matches_pipenv_requirements() {
    let inv = read("pipenv/Pipfile.lock");
    assert_eq!(inv.format, InputFormat::PipfileLock);
    let all = requirement_pins("pipenv/pipenv-requirements-dev.txt");
    let runtime = requirement_pins("pipenv/pipenv-requirements.txt");
    assert!(all.len() >= 20, "{}", all.len());
    assert_eq!(pins(&inv), all);
    let dev: BTreeSet<Pin> = all.difference(&runtime).cloned().collect();
    assert_eq!(dev_pins(&inv), dev);
}

#[test]
fn requirements_with_an_include_match_uv_export() {
    let runtime = read("requirements/requirements.txt");
    assert_eq!(runtime.format, InputFormat::RequirementsTxt);
    assert_eq!(
        pins(&runtime),
        requirement_pins("requirements/uv-export-no-dev.txt")
    );
    let all = read("requirements/requirements-dev.txt");
    assert_eq!(
        pins(&all),
        requirement_pins("requirements/uv-export-all-groups.txt")
    );
    assert_eq!(all.files.len(), 2, "the -r include is one of its files");
    let jinja = all
        .components
        .iter()
        .find(|c| c.version == "2.11.2")
        .unwrap();
    assert_eq!(jinja.purl_str(), Some("pkg:pypi/jinja2@2.11.2"));
    assert!(jinja.checksum.as_deref().unwrap().starts_with("sha256:"));
}

#[test]
fn an_unpinned_requirement_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("requirements.txt");
    std::fs::write(&file, "Django==3.2.0\nrequests>=2.25\n").unwrap();
    let err = inventory::read_lockfile(&file).unwrap_err().to_string();
    assert!(err.contains("1 requirement is not pinned"), "{err}");
    assert!(err.contains("line 2: `requests>=2.25`"), "{err}");
}

#[test]
fn every_format_lists_as_documented_json() {
    let project = Project::empty();
    for (lockfile, format) in [
        ("npm-v1/package-lock.json", "npm-lock"),
        ("npm-v3/package-lock.json", "npm-lock"),
        ("yarn-classic/yarn.lock", "yarn-classic"),
        ("yarn-berry/yarn.lock", "yarn-berry"),
        ("pnpm-8/pnpm-lock.yaml", "pnpm-lock"),
        ("pnpm-9/pnpm-lock.yaml", "pnpm-lock"),
        ("uv/uv.lock", "uv-lock"),
        ("poetry-1/poetry.lock", "poetry-lock"),
        ("poetry-2/poetry.lock", "poetry-lock"),
        ("pipenv/Pipfile.lock", "pipfile-lock"),
        ("requirements/requirements-dev.txt", "requirements-txt"),
        ("go-caddy-e7457b43e4/go.mod", "go-mod"),
    ] {
        let path = eco(lockfile);
        let args = [
            "list",
            "--offline",
            "--format",
            "json",
            "--lockfile",
            path.to_str().unwrap(),
        ];
        let run = project.run(&args).expect(0);
        let json = run.json();
        assert_documented("list-1.schema.json", &json);
        assert_eq!(json["input"]["format"], format, "{lockfile}");
        assert!(
            json["components"].as_array().unwrap().len() > 10,
            "{lockfile}"
        );
    }
}

#[test]
fn a_store_with_only_rustsec_data_says_each_ecosystem_has_none() {
    let project = Project::empty();
    for (lockfile, ecosystem) in [
        ("npm-v3/package-lock.json", "npm"),
        ("uv/uv.lock", "PyPI"),
        ("go-caddy-e7457b43e4/go.mod", "Go"),
    ] {
        let path = eco(lockfile);
        let args = [
            "audit",
            "--offline",
            "--format",
            "json",
            "--lockfile",
            path.to_str().unwrap(),
        ];
        let json = project.run(&args).expect(1).json();
        let missing: Vec<&Value> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "advisory-data-missing")
            .collect();
        assert_eq!(missing.len(), 1, "{lockfile}: {json}");
        assert!(
            missing[0].to_string().contains(ecosystem),
            "{lockfile}: {json}"
        );
        assert_eq!(json["anomalies"].as_array().unwrap().len(), 0, "{lockfile}");
    }
}
