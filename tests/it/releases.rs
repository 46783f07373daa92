//! Releases through the binary: import of real SBOMs as baselines, audits of
//! releases in the field, the release diff, the report and the exports.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::support::scene::{PUMP_RATIONALE, Project, evaluate_idna};
use super::support::schemas::{assert_documented, assert_valid};
use super::support::{fixture, redact_report, snapshot_settings};

/// The purls a real SBOM lists as SOUP, counted without the code under test.
fn purls_in(file: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(fixture(&format!("sboms/{file}"))).unwrap();
    if file.ends_with(".xml") {
        let components = text.split("</metadata>").last().unwrap();
        return components
            .split("<purl>")
            .skip(1)
            .map(|rest| rest.split("</purl>").next().unwrap().replace("&amp;", "&"))
            .collect();
    }
    let json: Value = serde_json::from_str(&text).unwrap();
    let mut purls = BTreeSet::new();
    if json.get("spdxVersion").is_some() {
        let described: BTreeSet<&str> = json["documentDescribes"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for package in json["packages"].as_array().unwrap() {
            if described.contains(package["SPDXID"].as_str().unwrap()) {
                continue;
            }
            for reference in package["externalRefs"].as_array().into_iter().flatten() {
                if reference["referenceType"] == "purl" {
                    purls.insert(reference["referenceLocator"].as_str().unwrap().to_string());
                }
            }
        }
    } else {
        fn walk(components: &Value, purls: &mut BTreeSet<String>) {
            for c in components.as_array().into_iter().flatten() {
                if let Some(purl) = c["purl"].as_str() {
                    purls.insert(purl.to_string());
                }
                walk(&c["components"], purls);
            }
        }
        walk(&json["components"], &mut purls);
    }
    purls
}

/// The files of a snapshot that are not the register (which records each run).
fn outside_register(
    files: Vec<(std::path::PathBuf, Vec<u8>)>,
) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    files
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().contains(".soup"))
        .collect()
}

/// The keys of a release's baseline in the register.
fn baseline_keys(project: &Project, release: &str) -> BTreeSet<String> {
    let conn = rusqlite::Connection::open(project.path(".soup/register.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT key FROM baseline_component WHERE release = ?1")
        .unwrap();
    stmt.query_map([release], |row| row.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn sbom(file: &str) -> String {
    fixture(&format!("sboms/{file}")).display().to_string()
}

#[test]
fn each_real_sbom_becomes_a_baseline_of_exactly_its_components() {
    let project = Project::copy_of("pump");
    project.run(&["init", "--class", "B"]).expect(0);
    let files = [
        "npm-lock.cdx-1.6.json",
        "npm-lock-flat.cdx-1.5.xml",
        "npm-sbom.spdx-2.3.json",
        "python-venv.cdx-1.6.json",
        "rust-nushell-0522023d4c.cargo-sbom.cdx-1.6.json",
        "rust-nushell-0522023d4c.cargo-sbom.spdx-2.3.json",
    ];
    for (i, file) in files.iter().enumerate() {
        let release = format!("0.{i}.0");
        project
            .run(&["import", &sbom(file), "--release", &release])
            .expect(0);
        let keys = baseline_keys(&project, &release);
        let with_purl: BTreeSet<String> = keys
            .iter()
            .filter(|k| k.starts_with("pkg:"))
            .cloned()
            .collect();
        assert_eq!(with_purl, purls_in(file), "{file}");
        let copy = project.path(&format!("releases/{release}/{file}"));
        assert_eq!(
            std::fs::read(copy).unwrap(),
            std::fs::read(fixture(&format!("sboms/{file}"))).unwrap()
        );
    }
    assert!(project.record().matches("\n[[release]]").count() == files.len());
    project.run(&["fmt", "--check"]).expect(0);
}

#[test]
fn importing_again_changes_nothing_and_a_different_file_needs_replace() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    project
        .run(&[
            "import",
            &sbom("python-venv.cdx-1.6.json"),
            "--release",
            "1.0.0",
        ])
        .expect(0);
    let before = project.snapshot();
    let again = project
        .run(&[
            "import",
            &sbom("python-venv.cdx-1.6.json"),
            "--release",
            "1.0.0",
        ])
        .expect(0);
    assert!(again.stdout().contains("nothing changed"));
    assert_eq!(
        outside_register(project.snapshot()),
        outside_register(before)
    );

    let refused = project
        .run(&[
            "import",
            &sbom("npm-lock.cdx-1.6.json"),
            "--release",
            "1.0.0",
        ])
        .expect(2);
    assert!(
        refused.stderr().contains("--replace"),
        "{}",
        refused.stderr()
    );
    assert_eq!(baseline_keys(&project, "1.0.0").len(), 14);
    project
        .run(&[
            "import",
            &sbom("npm-lock.cdx-1.6.json"),
            "--release",
            "1.0.0",
            "--replace",
        ])
        .expect(0);
    assert_eq!(baseline_keys(&project, "1.0.0").len(), 56);
    assert_eq!(project.record().matches("\n[[release]]").count(), 1);
}

#[test]
fn a_release_path_that_cannot_be_written_changes_nothing() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    std::fs::write(
        project.path("releases"),
        "a file where the releases folder should be",
    )
    .unwrap();
    let before = project.snapshot();
    project
        .run(&[
            "import",
            &sbom("python-venv.cdx-1.6.json"),
            "--release",
            "1.0.0",
        ])
        .expect(2);
    assert_eq!(project.snapshot(), before);
}

#[test]
fn releases_in_the_field_are_audited_and_each_anomaly_names_its_releases() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    let nushell = "rust-nushell-0522023d4c.cargo-sbom.cdx-1.6.json";
    project
        .run(&["import", &sbom(nushell), "--release", "1.0.0"])
        .expect(0);
    project
        .run(&[
            "import",
            &sbom("npm-lock.cdx-1.6.json"),
            "--release",
            "2.0.0",
        ])
        .expect(0);
    let run = project
        .run(&[
            "audit",
            "--all-releases",
            "--offline",
            "--allow-stale",
            "--format",
            "json",
        ])
        .expect(1);
    let json = run.json();
    let releases: BTreeSet<&str> = json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["release"].as_str().unwrap())
        .collect();
    assert_eq!(releases, BTreeSet::from(["1.0.0", "2.0.0"]));
    let anomalies = json["anomalies"].as_array().unwrap();
    assert!(!anomalies.is_empty());
    for a in anomalies {
        assert_eq!(
            a["package"]["ecosystem"], "crates.io",
            "only RustSec data is present"
        );
        assert_eq!(a["releases"], serde_json::json!(["1.0.0"]));
    }
    let codes: BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains("advisory-data-missing"),
        "npm has no data: {codes:?}"
    );

    project.run(&["retire", "1.0.0"]).expect(0);
    let after = project
        .run(&[
            "audit",
            "--all-releases",
            "--offline",
            "--allow-stale",
            "--format",
            "json",
        ])
        .expect(1);
    assert!(after.json()["anomalies"].as_array().unwrap().is_empty());
    let one = project
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
    assert_eq!(
        one.json()["anomalies"].as_array().unwrap().len(),
        anomalies.len()
    );
}

/// name -> versions of the registry and git packages of a lockfile.
fn versions_in(lockfile: &str) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(fixture(&format!("lockfiles/{lockfile}"))).unwrap();
    let table: toml::Table = text.parse().unwrap();
    let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for package in table["package"].as_array().unwrap() {
        if package.get("source").is_some() {
            map.entry(package["name"].as_str().unwrap().to_string())
                .or_default()
                .insert(package["version"].as_str().unwrap().to_string());
        }
    }
    map
}

#[test]
fn the_deno_lockfiles_seven_years_apart_diff_as_counted_independently() {
    let (old, new) = ("deno-c56df45355.Cargo.lock", "deno-f74b15c304.Cargo.lock");
    let before = versions_in(old);
    let after = versions_in(new);
    let added: BTreeSet<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed: BTreeSet<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    let changed: BTreeSet<&String> = after
        .keys()
        .filter(|k| before.get(*k).is_some_and(|v| *v != after[*k]))
        .collect();

    let project = Project::empty();
    let old_path = fixture(&format!("lockfiles/{old}"));
    let new_path = fixture(&format!("lockfiles/{new}"));
    let run = project
        .run(&[
            "diff",
            old_path.to_str().unwrap(),
            new_path.to_str().unwrap(),
            "--format",
            "json",
        ])
        .expect(0);
    let json = run.json();
    assert_documented("diff-2.schema.json", &json);
    let names = |key: &str| -> BTreeSet<String> {
        json[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("added"), added.into_iter().cloned().collect());
    assert_eq!(names("removed"), removed.into_iter().cloned().collect());
    assert_eq!(names("changed"), changed.into_iter().cloned().collect());
    let tokio = json["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "tokio")
        .unwrap();
    assert_eq!(tokio["before"], serde_json::json!(before["tokio"]));
    assert_eq!(tokio["after"], serde_json::json!(after["tokio"]));
    assert!(!json["before"]["anomalies"].as_array().unwrap().is_empty());
    let markdown = project
        .run(&[
            "diff",
            old_path.to_str().unwrap(),
            new_path.to_str().unwrap(),
            "--format",
            "markdown",
        ])
        .expect(0);
    assert!(markdown.stdout().contains("| changed | tokio |"));
}

/// A pump project with its one anomaly evaluated and a release imported.
fn evaluated_pump() -> Project {
    let project = Project::copy_of("pump");
    project.run(&["init", "--class", "B"]).expect(0);
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    project
}

#[test]
fn the_report_of_a_small_project() {
    let project = evaluated_pump();
    let markdown = project.report_lockfile("md").expect(0);
    let json = project.report_lockfile("json").expect(0);
    let redact = |text: &str| redact_report(text, &[(project.dir.path(), "[project]")]);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("pump_report_md", redact(&markdown.stdout()));
        insta::assert_snapshot!("pump_report_json", redact(&json.stdout()));
    });
    let report = json.json();
    assert_documented("report-1.schema.json", &report);
    assert_eq!(report["items"].as_array().unwrap().len(), 5);
    let idna = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["component"]["name"] == "idna")
        .unwrap();
    assert_eq!(idna["anomalies"][0]["state"], "evaluated");
    assert_eq!(
        idna["anomalies"][0]["evaluation"]["vex_justification"],
        "vulnerable_code_not_in_execute_path"
    );
    let open: Vec<&str> = report["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["missing-specification"]);
}

#[test]
fn a_release_report_carries_the_change_analysis_against_the_release_before() {
    let project = evaluated_pump();
    // 1.0.0 is the pump as its lockfile has it; 2.0.0 the real nushell SBOM.
    project
        .run(&[
            "export",
            "--lockfile",
            "Cargo.lock",
            "--format",
            "cyclonedx",
            "-o",
            "pump.cdx.json",
        ])
        .expect(0);
    project
        .run(&["import", "pump.cdx.json", "--release", "1.0.0"])
        .expect(0);
    let nushell = sbom("rust-nushell-0522023d4c.cargo-sbom.cdx-1.6.json");
    project
        .run(&["import", &nushell, "--release", "2.0.0"])
        .expect(0);
    let report = project
        .run(&[
            "report",
            "--release",
            "2.0.0",
            "--offline",
            "--allow-stale",
            "--format",
            "json",
        ])
        .expect(0)
        .json();
    assert_documented("report-1.schema.json", &report);
    assert_eq!(report["release"], "2.0.0");
    assert_eq!(report["control"]["system_version"], "2.0.0");
    assert_eq!(report["control"]["inputs"][0]["release"], "2.0.0");
    let changes = &report["changes"];
    assert_eq!(changes["since"], "1.0.0");
    let changed = changes["changed"].as_array().unwrap();
    assert!(
        changed.contains(&Value::from("idna 0.5.0 -> 0.2.0")),
        "{changed:?}"
    );
    assert_eq!(
        changes["removed"],
        serde_json::json!(["tinyvec_macros 0.1.1"])
    );
    assert!(!changes["introduced"].as_array().unwrap().is_empty());
    // The evaluation of idna 0.5.0 does not carry to 0.2.0 by itself: the
    // anomaly persists, and its evaluation is due for the changed version.
    assert_eq!(
        changes["persisting"],
        serde_json::json!([{
            "id": "RUSTSEC-2024-0421",
            "item": "idna 0.2.0",
            "evaluation_applies": false,
            "state": "due"
        }])
    );
    let idna = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["component"]["name"] == "idna")
        .unwrap();
    assert_eq!(idna["anomalies"][0]["state"], "due");
}

#[test]
fn exports_validate_against_their_official_schemas() {
    let project = evaluated_pump();
    let cdx = project
        .run(&["export", "--format", "cyclonedx", "--offline"])
        .expect(0)
        .json();
    assert_valid("bom-1.6.SNAPSHOT.schema.json", &cdx);
    let vulnerabilities = cdx["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulnerabilities.len(), 1);
    assert_eq!(vulnerabilities[0]["id"], "RUSTSEC-2024-0421");
    assert_eq!(vulnerabilities[0]["analysis"]["state"], "not_affected");
    assert_eq!(
        vulnerabilities[0]["analysis"]["justification"],
        "code_not_reachable"
    );
    let sarif = project
        .run(&["export", "--format", "sarif", "--offline"])
        .expect(0)
        .json();
    assert_valid("sarif-schema-2.1.0.json", &sarif);
    let openvex = project
        .run(&["export", "--format", "openvex", "--offline"])
        .expect(0)
        .json();
    assert_eq!(openvex["statements"].as_array().unwrap().len(), 1);
}

#[test]
fn check_lists_the_gaps_of_the_class_and_manual_reviews_close_them() {
    let project = evaluated_pump();
    let run = project
        .run(&["check", "--offline", "--allow-stale", "--format", "json"])
        .expect(1);
    assert_documented("check-1.schema.json", &run.json());
    let gaps: Vec<String> = run.json()["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{} {}",
                g["code"].as_str().unwrap(),
                g["subject"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(gaps, ["missing-specification pkg:cargo/idna@0.5.0"]);

    let mut record = project.record();
    record.push_str(
        "\n[soup.idna]\npurpose = \"Host name normalisation\"\nneeds = \"none\"\nrisk = \"low\"\n",
    );
    std::fs::write(project.path("soup-register.toml"), record).unwrap();
    let unsorted = project
        .run(&["check", "--offline", "--allow-stale", "--format", "json"])
        .expect(1);
    assert_eq!(unsorted.json()["gaps"][0]["code"], "record-not-canonical");
    project.run(&["fmt"]).expect(0);
    project
        .run(&["check", "--offline", "--allow-stale"])
        .expect(0);

    let sbom_path = project.path("vendor.cdx.json");
    std::fs::write(
        &sbom_path,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"operating-system","name":"vendor-rtos","version":"4.2","supplier":{"name":"RTOS Vendor"}}]}"#,
    )
    .unwrap();
    let uncovered = project
        .run(&[
            "check",
            "--sbom",
            "vendor.cdx.json",
            "--allow-stale",
            "--format",
            "json",
        ])
        .expect(1);
    let gap = &uncovered.json()["gaps"][0];
    assert_eq!(gap["code"], "no-anomaly-list");
    let item = gap["subject"].as_str().unwrap().to_string();
    project
        .run(&[
            "review",
            &item,
            "--source",
            "vendor errata page, read 2026-11-24",
            "--finding",
            "nothing relevant",
        ])
        .expect(0);
    project
        .run(&["check", "--sbom", "vendor.cdx.json", "--allow-stale"])
        .expect(0);
}
