//! The inventory against real lockfiles and SBOMs: every expectation is counted
//! here straight from the file, independently of the readers.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use cargo_soup::inventory::{
    CargoOptions, InputFormat, Inventory, InventoryError, read_cargo_project, read_lockfile,
    read_sbom,
};
use cargo_soup::model::{Ecosystem, Purl, Scope, SourceKind};
use serde_json::Value;

use super::support::fixture;

fn files_in(dir: &str, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    files
}

/// (name, version, source kind) of every component.
fn pins(inv: &Inventory) -> BTreeSet<(String, String, &'static str)> {
    inv.components
        .iter()
        .map(|c| (c.name.clone(), c.version.clone(), c.source.as_str()))
        .collect()
}

fn keys(inv: &Inventory) -> BTreeSet<String> {
    inv.components
        .iter()
        .map(|c| c.key().into_owned())
        .collect()
}

// ---- Cargo.lock -------------------------------------------------------------

/// The `[[package]]` tables of a lockfile, read with the `toml` crate directly.
fn lock_packages(path: &Path) -> Vec<toml::Table> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    doc["package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_table().unwrap().clone())
        .collect()
}

fn field<'a>(p: &'a toml::Table, key: &str) -> Option<&'a str> {
    p.get(key).and_then(|v| v.as_str())
}

#[test]
fn lockfile_components_are_the_packages_with_a_source() {
    let files = files_in("lockfiles", ".Cargo.lock");
    assert_eq!(files.len(), 11);
    for path in files {
        let packages = lock_packages(&path);
        let expected: BTreeSet<(String, String, &str)> = packages
            .iter()
            .filter_map(|p| {
                let source = field(p, "source")?;
                let kind = if source.starts_with("git+") {
                    "git"
                } else {
                    "registry"
                };
                Some((
                    field(p, "name")?.to_string(),
                    field(p, "version")?.to_string(),
                    kind,
                ))
            })
            .collect();
        let expected_product: BTreeSet<String> = packages
            .iter()
            .filter(|p| field(p, "source").is_none())
            .map(|p| field(p, "name").unwrap().to_string())
            .collect();

        let inv = read_lockfile(&path).unwrap();
        assert_eq!(inv.format, InputFormat::CargoLock);
        assert_eq!(pins(&inv), expected, "{}", path.display());
        assert_eq!(inv.components.len(), expected.len(), "{}", path.display());
        assert_eq!(
            inv.product.iter().cloned().collect::<BTreeSet<_>>(),
            expected_product
        );
        assert!(
            inv.components
                .iter()
                .all(|c| c.scope == Scope::Unknown && c.direct.is_some())
        );
        assert!(
            inv.components.iter().any(|c| c.direct == Some(true)),
            "{}: a product package depends on something",
            path.display()
        );
        for c in &inv.components {
            let first = c.dependency_path.first().map(String::as_str);
            if let Some(first) = first {
                assert!(
                    inv.product.iter().any(|p| p == first),
                    "path starts at the product"
                );
                assert_eq!(c.dependency_path.last(), Some(&c.name));
                assert_eq!(c.direct, Some(c.dependency_path.len() == 2));
            }
        }
    }
}

#[test]
fn v1_lockfile_checksums_come_from_metadata() {
    for name in ["rustsec-7b7478e631", "tikv-92cf4709fd", "deno-c56df45355"] {
        let path = fixture(&format!("lockfiles/{name}.Cargo.lock"));
        let doc: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
        let metadata = doc["metadata"].as_table().unwrap();
        let inv = read_lockfile(&path).unwrap();
        let mut with_checksum = 0;
        for c in &inv.components {
            let key = format!(
                "checksum {} {} ({})",
                c.name,
                c.version,
                c.source_url.as_deref().unwrap()
            );
            let expected = metadata
                .get(&key)
                .and_then(|v| v.as_str())
                .filter(|v| *v != "<none>")
                .map(|hex| format!("sha256:{hex}"));
            with_checksum += usize::from(expected.is_some());
            assert_eq!(c.checksum, expected, "{name}: {key}");
        }
        assert!(with_checksum > 50, "{name}: {with_checksum} checksums");
    }
}

#[test]
fn git_sources_are_git_with_their_url() {
    let path = fixture("lockfiles/foundry-e6574c9f08.Cargo.lock");
    let git_sources: BTreeMap<(String, String), String> = lock_packages(&path)
        .iter()
        .filter(|p| field(p, "source").is_some_and(|s| s.starts_with("git+")))
        .map(|p| {
            let id = (
                field(p, "name").unwrap().to_string(),
                field(p, "version").unwrap().to_string(),
            );
            (id, field(p, "source").unwrap().to_string())
        })
        .collect();
    assert!(!git_sources.is_empty());
    let inv = read_lockfile(&path).unwrap();
    for ((name, version), source) in &git_sources {
        let c = inv
            .components
            .iter()
            .find(|c| &c.name == name && &c.version == version)
            .unwrap();
        assert_eq!(c.source, SourceKind::Git);
        assert_eq!(c.source_url.as_deref(), Some(source.as_str()));
        assert!(source.contains('#'), "cargo locks the revision");
        let purl = packageurl::PackageUrl::from_str(c.purl_str().unwrap()).unwrap();
        let (url, rev) = source.trim_start_matches("git+").split_once('#').unwrap();
        let url = url.split('?').next().unwrap();
        assert_eq!(purl.qualifiers()["vcs_url"], format!("git+{url}@{rev}"));
    }
}

/// A lockfile cargo wrote for a workspace whose member `itoa` shares its name
/// and version with the crates.io `itoa` that `serde_json` pulls in: cargo
/// writes the reference to the member without a source.
#[test]
fn a_reference_without_source_means_the_path_package_as_for_cargo() {
    let path = fixture("projects/shared-name-workspace/Cargo.lock");
    let packages = lock_packages(&path);
    let itoas: Vec<Option<&str>> = packages
        .iter()
        .filter(|p| field(p, "name") == Some("itoa") && field(p, "version") == Some("1.0.19"))
        .map(|p| field(p, "source"))
        .collect();
    assert_eq!(itoas.len(), 2, "a path and a crates.io package");
    assert!(itoas.contains(&None));
    let app = packages
        .iter()
        .find(|p| field(p, "name") == Some("app"))
        .unwrap();
    assert!(
        app["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str() == Some("itoa 1.0.19")),
        "cargo wrote the reference without a source"
    );
    let with_source = packages
        .iter()
        .filter(|p| field(p, "source").is_some())
        .count();

    let inv = read_lockfile(&path).unwrap();
    assert_eq!(inv.components.len(), with_source);
    assert_eq!(inv.product, vec!["app", "itoa"]);
    let component = |name: &str| inv.components.iter().find(|c| c.name == name).unwrap();
    let itoa = component("itoa");
    assert_eq!(itoa.purl_str(), Some("pkg:cargo/itoa@1.0.19"));
    assert_eq!(itoa.direct, Some(false), "the member is the direct one");
    assert_eq!(itoa.dependency_path, ["app", "serde_json", "itoa"]);
    assert_eq!(component("serde_json").direct, Some(true));
}

// ---- CycloneDX and SPDX -------------------------------------------------------

/// Every component of a CycloneDX JSON document, nested ones included.
fn cdx_entries(components: &Value, out: &mut Vec<Value>) {
    for c in components.as_array().into_iter().flatten() {
        out.push(c.clone());
        cdx_entries(&c["components"], out);
    }
}

/// The purls (else `generic:name@version`) of the SOUP entries of a CycloneDX
/// JSON file: every component except the `metadata.component` tree's bom-refs.
fn cdx_json_expected(path: &Path) -> (Vec<String>, BTreeSet<String>) {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut product = Vec::new();
    cdx_entries(
        &Value::Array(vec![doc["metadata"]["component"].clone()]),
        &mut product,
    );
    let product_refs: HashSet<&str> = product
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    let mut all = Vec::new();
    cdx_entries(&doc["components"], &mut all);
    let keys: Vec<String> = all
        .iter()
        .filter(|c| {
            !c["bom-ref"]
                .as_str()
                .is_some_and(|r| product_refs.contains(r))
        })
        .map(|c| match c["purl"].as_str() {
            Some(purl) => purl.to_string(),
            None => format!(
                "generic:{}@{}",
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap()
            ),
        })
        .collect();
    let names = product
        .iter()
        .filter_map(|c| c["name"].as_str())
        .map(str::to_string)
        .collect();
    (keys, names)
}

#[test]
fn cyclonedx_json_components_match_the_file() {
    let files = files_in("sboms", ".cdx-1.6.json");
    assert_eq!(files.len(), 3);
    for path in files {
        let (expected, product) = cdx_json_expected(&path);
        let inv = read_sbom(&path).unwrap();
        assert_eq!(inv.format, InputFormat::CycloneDxJson);
        assert_eq!(inv.components.len(), expected.len(), "{}", path.display());
        assert_eq!(
            keys(&inv),
            expected.into_iter().collect(),
            "{}",
            path.display()
        );
        assert_eq!(
            inv.product.iter().cloned().collect::<BTreeSet<_>>(),
            product
        );
    }
}

#[test]
fn nested_cyclonedx_components_are_read() {
    let inv = read_sbom(&fixture("sboms/npm-lock.cdx-1.6.json")).unwrap();
    assert_eq!(inv.components.len(), 52 + 4);
    assert_eq!(inv.product, vec!["soup-heldout-npm-sample"]);
    // `statuses` is both at the top and nested under `http-errors`, at two versions.
    let statuses: Vec<&str> = inv
        .components
        .iter()
        .filter(|c| c.name == "statuses")
        .map(|c| c.version.as_str())
        .collect();
    assert_eq!(statuses.len(), 2);
}

#[test]
fn cyclonedx_dependencies_give_direct_components_and_paths() {
    let path = fixture("sboms/npm-lock.cdx-1.6.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let root = doc["metadata"]["component"]["bom-ref"].as_str().unwrap();
    let root_deps = doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == root)
        .unwrap();
    let direct_refs: HashSet<&str> = root_deps["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut all = Vec::new();
    cdx_entries(&doc["components"], &mut all);
    let expected: BTreeSet<String> = all
        .iter()
        .filter(|c| direct_refs.contains(c["bom-ref"].as_str().unwrap()))
        .map(|c| c["purl"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(expected.len(), direct_refs.len());

    let inv = read_sbom(&path).unwrap();
    let direct: BTreeSet<String> = inv
        .components
        .iter()
        .filter(|c| c.direct == Some(true))
        .map(|c| c.key().into_owned())
        .collect();
    assert_eq!(direct, expected);
    for c in &inv.components {
        assert!(c.direct.is_some());
        if let Some(first) = c.dependency_path.first() {
            assert_eq!(first, "soup-heldout-npm-sample");
            assert_eq!(c.dependency_path.last(), Some(&c.name));
            assert_eq!(c.direct, Some(c.dependency_path.len() == 2));
        }
    }
}

/// The keys of the components an inventory says are direct.
fn direct_keys(inv: &Inventory) -> BTreeSet<String> {
    inv.components
        .iter()
        .filter(|c| c.direct == Some(true))
        .map(|c| c.key().into_owned())
        .collect()
}

/// An environment's SBOM has no product: the components nothing depends on
/// are the direct ones, and paths start at them.
#[test]
fn cyclonedx_dependencies_without_a_product_start_at_the_top_level() {
    let path = fixture("sboms/python-venv.cdx-1.6.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(doc["metadata"].get("component").is_none());
    let depended_on: HashSet<&str> = doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["dependsOn"].as_array().into_iter().flatten())
        .map(|r| r.as_str().unwrap())
        .collect();
    let expected: BTreeSet<String> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !depended_on.contains(c["bom-ref"].as_str().unwrap()))
        .map(|c| c["purl"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(expected.len(), 5);

    let inv = read_sbom(&path).unwrap();
    assert_eq!(direct_keys(&inv), expected);
    let markupsafe = inv
        .components
        .iter()
        .find(|c| c.name == "MarkupSafe")
        .unwrap();
    assert_eq!(markupsafe.direct, Some(false));
    assert_eq!(markupsafe.dependency_path, ["Jinja2", "MarkupSafe"]);
    for c in &inv.components {
        assert_eq!(c.dependency_path.last(), Some(&c.name));
        assert_eq!(c.direct, Some(c.dependency_path.len() == 1));
    }
}

/// The purls an SPDX document's product packages depend on, by `DEPENDS_ON`
/// (from the product) or `DEPENDENCY_OF` (to it).
fn spdx_direct_purls(path: &Path) -> BTreeSet<String> {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let (_, product) = spdx_expected(path);
    let packages = doc["packages"].as_array().unwrap();
    let id_of_product: HashSet<&str> = packages
        .iter()
        .filter(|p| product.contains(p["name"].as_str().unwrap()))
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    let purl_of: BTreeMap<&str, &str> = packages
        .iter()
        .filter_map(|p| {
            let purl = p["externalRefs"]
                .as_array()?
                .iter()
                .find(|r| r["referenceType"] == "purl")?;
            Some((p["SPDXID"].as_str()?, purl["referenceLocator"].as_str()?))
        })
        .collect();
    doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let element = r["spdxElementId"].as_str().unwrap();
            let related = r["relatedSpdxElement"].as_str().unwrap();
            match r["relationshipType"].as_str().unwrap() {
                "DEPENDS_ON" if id_of_product.contains(element) => Some(related),
                "DEPENDENCY_OF" if id_of_product.contains(related) => Some(element),
                _ => None,
            }
        })
        .filter(|id| !id_of_product.contains(id))
        .map(|id| purl_of[id].to_string())
        .collect()
}

#[test]
fn spdx_relationships_give_direct_components_and_paths() {
    for rel in [
        "sboms/rust-nushell-0522023d4c.cargo-sbom.spdx-2.3.json",
        "sboms/npm-sbom.spdx-2.3.json",
    ] {
        let path = fixture(rel);
        let expected = spdx_direct_purls(&path);
        assert!(!expected.is_empty(), "{rel}");
        let inv = read_sbom(&path).unwrap();
        assert_eq!(direct_keys(&inv), expected, "{rel}");
        for c in &inv.components {
            assert!(c.direct.is_some(), "{rel}: {}", c.key());
            if let Some(first) = c.dependency_path.first() {
                assert!(
                    inv.product.contains(first),
                    "{rel}: path starts at the product"
                );
                assert_eq!(c.dependency_path.last(), Some(&c.name));
                assert_eq!(c.direct, Some(c.dependency_path.len() == 2));
            }
        }
    }
}

#[test]
fn spdx_and_cyclonedx_of_one_project_agree_on_its_graph() {
    let spdx = read_sbom(&fixture(
        "sboms/rust-nushell-0522023d4c.cargo-sbom.spdx-2.3.json",
    ))
    .unwrap();
    let cdx = read_sbom(&fixture(
        "sboms/rust-nushell-0522023d4c.cargo-sbom.cdx-1.6.json",
    ))
    .unwrap();
    let graph = |inv: &Inventory| -> BTreeMap<String, (Option<bool>, usize)> {
        inv.components
            .iter()
            .map(|c| (c.key().into_owned(), (c.direct, c.dependency_path.len())))
            .collect()
    };
    assert_eq!(spdx.components.len(), 419);
    assert_eq!(graph(&spdx), graph(&cdx));
}

/// The `<purl>` values after `</metadata>`: the SOUP entries of a flat XML SBOM.
fn cdx_xml_purls(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let body = &text[text.find("</metadata>").unwrap()..];
    body.split("<purl>")
        .skip(1)
        .map(|s| s[..s.find("</purl>").unwrap()].to_string())
        .collect()
}

#[test]
fn cyclonedx_xml_components_match_the_file() {
    for rel in [
        "sboms/npm-lock-flat.cdx-1.5.xml",
        "inventory/npm-lock-flat.cdx-1.6.xml",
    ] {
        let path = fixture(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let components_section = &text[text.find("</metadata>").unwrap()..];
        let expected = cdx_xml_purls(&path);
        assert_eq!(
            expected.len(),
            components_section.matches("<component ").count()
        );
        let inv = read_sbom(&path).unwrap();
        assert_eq!(inv.format, InputFormat::CycloneDxXml);
        assert_eq!(inv.components.len(), expected.len(), "{rel}");
        assert_eq!(
            keys(&inv),
            expected.iter().map(|p| p.replace("&amp;", "&")).collect(),
            "{rel}"
        );
        assert_eq!(inv.product, vec!["soup-heldout-npm-sample"]);
    }
    // The same packages as the nested JSON made from the same lockfile.
    let xml = read_sbom(&fixture("sboms/npm-lock-flat.cdx-1.5.xml")).unwrap();
    let json = read_sbom(&fixture("sboms/npm-lock.cdx-1.6.json")).unwrap();
    assert_eq!(keys(&xml), keys(&json));
}

/// SPDX packages minus the described ones (and the packages described files were
/// generated from), de-duplicated by purl, else name and version.
fn spdx_expected(path: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut described: HashSet<String> = doc["documentDescribes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let relationships = doc["relationships"].as_array().unwrap();
    for r in relationships
        .iter()
        .filter(|r| r["relationshipType"] == "DESCRIBES")
    {
        described.insert(r["relatedSpdxElement"].as_str().unwrap().to_string());
    }
    let generated: Vec<String> = relationships
        .iter()
        .filter(|r| r["relationshipType"] == "GENERATED_FROM")
        .filter(|r| described.contains(r["spdxElementId"].as_str().unwrap()))
        .map(|r| r["relatedSpdxElement"].as_str().unwrap().to_string())
        .collect();
    described.extend(generated);
    let mut soup = BTreeSet::new();
    let mut product = BTreeSet::new();
    for p in doc["packages"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap().to_string();
        if described.contains(p["SPDXID"].as_str().unwrap()) {
            product.insert(name);
            continue;
        }
        let purl = p["externalRefs"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["referenceType"] == "purl")
            .and_then(|r| r["referenceLocator"].as_str());
        soup.insert(match purl {
            Some(purl) => purl.to_string(),
            None => format!("generic:{name}@{}", p["versionInfo"].as_str().unwrap()),
        });
    }
    (soup, product)
}

#[test]
fn spdx_components_match_the_file() {
    let files = files_in("sboms", ".spdx-2.3.json");
    assert_eq!(files.len(), 2);
    for path in files {
        let (expected, product) = spdx_expected(&path);
        let inv = read_sbom(&path).unwrap();
        assert_eq!(inv.format, InputFormat::SpdxJson);
        assert_eq!(keys(&inv), expected, "{}", path.display());
        assert_eq!(
            inv.product.iter().cloned().collect::<BTreeSet<_>>(),
            product
        );
    }
}

#[test]
fn one_project_gives_one_component_set_in_every_sbom_format() {
    let pairs = [
        (
            "sboms/npm-sbom.spdx-2.3.json",
            "sboms/npm-lock.cdx-1.6.json",
        ),
        (
            "sboms/rust-nushell-0522023d4c.cargo-sbom.spdx-2.3.json",
            "sboms/rust-nushell-0522023d4c.cargo-sbom.cdx-1.6.json",
        ),
    ];
    for (spdx, cdx) in pairs {
        let spdx = read_sbom(&fixture(spdx)).unwrap();
        let cdx = read_sbom(&fixture(cdx)).unwrap();
        assert_eq!(keys(&spdx), keys(&cdx));
    }
}

#[test]
fn purls_round_trip_through_packageurl() {
    let mut inventories: Vec<Inventory> = files_in("lockfiles", ".Cargo.lock")
        .iter()
        .map(|p| read_lockfile(p).unwrap())
        .collect();
    for suffix in [".json", ".xml"] {
        for path in files_in("sboms", suffix) {
            if let Ok(inv) = read_sbom(&path) {
                inventories.push(inv);
            }
        }
    }
    let mut checked = 0;
    for c in inventories.iter().flat_map(|inv| &inv.components) {
        let Some(purl) = &c.purl else { continue };
        let parsed = packageurl::PackageUrl::from_str(purl.as_str()).unwrap();
        assert_eq!(parsed.to_string(), purl.as_str());
        assert_eq!(Purl::parse(purl.as_str()).as_ref(), Ok(purl));
        assert_eq!(Ecosystem::from_purl_type(parsed.ty()), c.ecosystem);
        assert_eq!(parsed.version(), Some(c.version.as_str()));
        checked += 1;
    }
    assert!(checked > 5000, "{checked} purls");
}

#[test]
fn purl_examples_per_ecosystem() {
    let python = read_sbom(&fixture("sboms/python-venv.cdx-1.6.json")).unwrap();
    let django = python
        .components
        .iter()
        .find(|c| c.version == "3.2.4")
        .unwrap();
    assert_eq!(django.purl_str(), Some("pkg:pypi/django@3.2.4"));
    assert_eq!(
        (django.ecosystem.clone(), django.name.as_str()),
        (Ecosystem::PyPI, "Django"),
        "the title is the published name; the purl is normalised"
    );

    let npm = read_sbom(&fixture("sboms/npm-lock.cdx-1.6.json")).unwrap();
    let accepts = npm.components.iter().find(|c| c.name == "accepts").unwrap();
    assert_eq!(accepts.purl_str(), Some("pkg:npm/accepts@1.3.8"));
    assert_eq!(accepts.ecosystem, Ecosystem::Npm);
    assert_eq!(accepts.licenses.as_deref(), Some("MIT"));

    let lock = read_lockfile(&fixture("lockfiles/nextest-dd29d36577.Cargo.lock")).unwrap();
    let aho = lock
        .components
        .iter()
        .find(|c| c.name == "aho-corasick")
        .unwrap();
    assert_eq!(aho.purl_str(), Some("pkg:cargo/aho-corasick@0.7.15"));
    assert_eq!(
        aho.checksum.as_deref(),
        Some("sha256:7404febffaa47dac81aa44dba71523c9d069b1bdc50a77db41195149e17f68e5")
    );
}

#[test]
fn components_are_sorted_and_unique() {
    for path in files_in("sboms", ".json")
        .into_iter()
        .chain(files_in("sboms", ".xml"))
    {
        let Ok(inv) = read_sbom(&path) else { continue };
        let order: Vec<_> = inv
            .components
            .iter()
            .map(|c| (&c.ecosystem, &c.name, &c.version))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        assert_eq!(keys(&inv).len(), inv.components.len());
    }
}

// ---- cargo metadata ---------------------------------------------------------

/// `rustc`'s host triple, so an offline `cargo metadata` skips other platforms' crates.
pub fn host_triple() -> String {
    let out = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_string()
}

/// The (dependency table, names) of a manifest, read with `toml` directly.
fn manifest_deps(manifest: &Path, table: &str) -> Vec<String> {
    let doc: toml::Table = std::fs::read_to_string(manifest).unwrap().parse().unwrap();
    doc[table].as_table().unwrap().keys().cloned().collect()
}

#[test]
fn cargo_metadata_and_lockfile_pin_alike() {
    let dir = fixture("inventory/cargo-project");
    let opts = CargoOptions {
        offline: true,
        locked: true,
        filter_platform: None,
    };
    let project = read_cargo_project(&dir.join("Cargo.toml"), &opts).unwrap();
    let lock = read_lockfile(&dir.join("Cargo.lock")).unwrap();
    assert_eq!(project.format, InputFormat::CargoMetadata);
    assert_eq!(
        project.input, lock.input,
        "the input file is the workspace's Cargo.lock"
    );
    assert_eq!(pins(&project), pins(&lock));
    assert_eq!(keys(&project), keys(&lock));
    assert_eq!(project.product, lock.product);
    for (a, b) in project.components.iter().zip(&lock.components) {
        assert_eq!(
            (&a.checksum, a.direct),
            (&b.checksum, b.direct),
            "{}",
            a.name
        );
    }

    let find = |name: &str| project.components.iter().find(|c| c.name == name).unwrap();
    let manifest = dir.join("Cargo.toml");
    for (table, scope) in [
        ("dependencies", Scope::Runtime),
        ("build-dependencies", Scope::Build),
        ("dev-dependencies", Scope::Dev),
    ] {
        for name in manifest_deps(&manifest, table) {
            let c = find(&name);
            assert_eq!((c.scope, c.direct), (scope, Some(true)), "{name}");
            assert_eq!(
                c.dependency_path,
                vec!["soup-fixture".to_string(), name.clone()]
            );
        }
    }
    // serde_derive's own dependencies are reached through normal edges only.
    assert_eq!(find("proc-macro2").scope, Scope::Runtime);
    assert_eq!(find("proc-macro2").direct, Some(false));
}

#[test]
fn cargo_metadata_on_this_repository_agrees_with_its_lockfile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let opts = CargoOptions {
        offline: true,
        locked: true,
        filter_platform: Some(host_triple()),
    };
    let project = read_cargo_project(&root.join("Cargo.toml"), &opts).unwrap();
    let lock = read_lockfile(&root.join("Cargo.lock")).unwrap();
    assert_eq!(project.input, lock.input);
    assert_eq!(project.product, vec!["cargo-soup"]);
    // One platform's packages: a subset of the lockfile's, pinned identically.
    assert!(pins(&project).is_subset(&pins(&lock)));
    assert!(project.components.len() > lock.components.len() / 2);
    for c in &project.components {
        let same = lock.components.iter().find(|l| l.key() == c.key()).unwrap();
        assert_eq!(
            (&c.purl, &c.checksum, &c.source_url),
            (&same.purl, &same.checksum, &same.source_url)
        );
    }
    let manifest = root.join("Cargo.toml");
    let find = |name: &str| project.components.iter().find(|c| c.name == name).unwrap();
    // A name can be pinned at two versions (thiserror 1 and 2): one of them is the direct one.
    let has = |name: &str, scope: Option<Scope>| {
        project
            .components
            .iter()
            .any(|c| c.name == name && c.direct == Some(true) && scope.is_none_or(|s| s == c.scope))
    };
    for name in manifest_deps(&manifest, "dependencies") {
        assert!(has(&name, Some(Scope::Runtime)), "{name}");
    }
    for name in manifest_deps(&manifest, "dev-dependencies") {
        assert!(has(&name, None), "{name}");
    }
    assert_eq!(
        find("insta").scope,
        Scope::Dev,
        "insta is only a dev-dependency"
    );
    let serde = find("serde");
    assert!(serde.licenses.is_some() && serde.supplier.is_some());
}

// ---- bad input ----------------------------------------------------------------

fn bad(
    rel: &str,
    read: fn(&Path) -> Result<Inventory, InventoryError>,
) -> (InventoryError, String) {
    let path = fixture(rel);
    let err = read(&path).expect_err(rel);
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "{rel}: {message}"
    );
    assert!(message.starts_with("failed to "), "{message}");
    (err, message)
}

fn toml_line(err: &InventoryError) -> Option<usize> {
    match err {
        InventoryError::Syntax { line, .. } => *line,
        _ => None,
    }
}

#[test]
fn bad_lockfiles_name_the_file_and_line() {
    let (err, _) = bad("inventory/truncated.Cargo.lock", read_lockfile);
    let lines = std::fs::read_to_string(fixture("inventory/truncated.Cargo.lock"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(
        toml_line(&err),
        Some(lines),
        "the error is on the last line"
    );

    // npm's lockfile shape given to the Cargo reader: named for what it is,
    // not a TOML error at line 1 (detection itself reads it as npm).
    let cargo_reader: fn(&Path) -> Result<Inventory, InventoryError> =
        |path| cargo_soup::inventory::parse_lockfile(path, &std::fs::read(path).unwrap());
    let (err, message) = bad("inventory/not-toml.Cargo.lock", cargo_reader);
    assert!(
        matches!(err, InventoryError::NotACargoLock { .. }),
        "{message}"
    );
    assert!(message.contains("an npm lockfile"), "{message}");

    let (err, message) = bad("inventory/missing-version.Cargo.lock", read_lockfile);
    assert!(message.contains("version"), "{message}");
    let text = std::fs::read_to_string(fixture("inventory/missing-version.Cargo.lock")).unwrap();
    let table_line = text
        .lines()
        .position(|l| l == "name = \"ansi_term\"")
        .unwrap();
    assert!(
        toml_line(&err).is_some_and(|l| l >= table_line - 1 && l <= table_line + 1),
        "{message}"
    );

    for rel in ["inventory/empty.Cargo.lock", "inventory/binary.Cargo.lock"] {
        let (err, _) = bad(rel, read_lockfile);
        assert!(
            matches!(err, InventoryError::Syntax { line: Some(_), .. }),
            "{rel}: {err}"
        );
    }
}

#[test]
fn unknown_cyclonedx_versions_are_refused() {
    for (rel, version) in [
        ("inventory/unknown-spec-1.2.cdx.json", "1.2"),
        ("inventory/unknown-spec-2.0.cdx.json", "2.0"),
    ] {
        let (err, message) = bad(rel, read_sbom);
        assert!(
            matches!(err, InventoryError::UnsupportedCycloneDxVersion { .. }),
            "{message}"
        );
        assert!(message.contains(version), "{message}");
    }
}

#[test]
fn xml_external_entities_are_never_resolved() {
    let (err, message) = bad("inventory/external-entity.cdx.xml", read_sbom);
    assert!(
        matches!(err, InventoryError::XmlDoctype { line: Some(2), .. }),
        "{message}"
    );
    assert!(
        !message.contains("root:"),
        "no content of /etc/passwd: {message}"
    );
    assert!(!format!("{err:?}").contains("root:"));
}

#[test]
fn other_bad_sboms_name_the_file() {
    for rel in [
        "inventory/not-spdx.spdx.json",
        "inventory/empty.cdx.json",
        "inventory/binary.cdx.json",
    ] {
        bad(rel, read_sbom);
    }
    bad("inventory/missing.cdx.json", read_sbom);
    // The inputs the sample SBOMs were made from are not SBOMs themselves.
    for rel in [
        "sboms/npm-package-lock.json",
        "sboms/npm-package.json",
        "sboms/python-requirements.txt",
    ] {
        bad(rel, read_sbom);
    }
    // Lockfiles are not SBOMs, and SBOMs are not lockfiles.
    bad("lockfiles/nextest-dd29d36577.Cargo.lock", read_sbom);
    bad("sboms/npm-lock.cdx-1.6.json", read_lockfile);
}

#[test]
fn no_input_makes_a_reader_panic() {
    let mut inputs: Vec<Vec<u8>> = vec![Vec::new(), vec![0xff; 64], b"{".to_vec(), b"<".to_vec()];
    let sboms = files_in("sboms", "");
    for path in files_in("inventory", "").iter().chain(&sboms) {
        let bytes = std::fs::read(path).unwrap();
        for cut in (1..10).map(|tenth| bytes.len() * tenth / 10) {
            inputs.push(bytes[..cut.min(bytes.len())].to_vec());
        }
        inputs.push(bytes);
    }
    let p = Path::new("fuzz");
    for bytes in &inputs {
        let _ = cargo_soup::inventory::parse_lockfile(p, bytes);
        let _ = cargo_soup::inventory::parse_sbom(p, bytes);
        let _ = cargo_soup::inventory::parse_cyclonedx_json(p, bytes);
        let _ = cargo_soup::inventory::parse_cyclonedx_xml(p, bytes);
        let _ = cargo_soup::inventory::parse_spdx_json(p, bytes);
        let _ = cargo_soup::inventory::parse_auditable_binary(p, bytes);
    }
}
