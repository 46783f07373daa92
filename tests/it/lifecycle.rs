//! Advisory data and the evaluation lifecycle through the binary: fetching from
//! a local server, mirrors, and every reason an evaluation becomes due.

use super::support::scene::{PUMP_RATIONALE, Project, evaluate_idna};
use super::support::server::{Reply, Server};
use super::support::{fixture, zip_files, zip_of};

const IDNA_ADVISORY: &str = "RUSTSEC-2024-0421";

/// Every `.json` entry of the bundled RustSec OSV export, as (name, bytes).
fn rustsec_records() -> Vec<(String, Vec<u8>)> {
    zip_files("rustsec-osv-2026-08-21.zip")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".json"))
        .collect()
}

/// The real records with the idna advisory changed by `edit`.
fn with_idna_record(edit: impl Fn(&mut serde_json::Value)) -> Vec<(String, Vec<u8>)> {
    rustsec_records()
        .into_iter()
        .map(|(name, data)| {
            if name.ends_with(&format!("{IDNA_ADVISORY}.json")) {
                let mut record: serde_json::Value = serde_json::from_slice(&data).unwrap();
                edit(&mut record);
                (name, serde_json::to_vec(&record).unwrap())
            } else {
                (name, data)
            }
        })
        .collect()
}

/// A pump project with a class A record whose RustSec source is `url` and OSV off.
fn project_fetching_from(url: &str) -> Project {
    let project = Project::copy_of("pump");
    project.init_class_b();
    let record = project
        .record()
        .replace(
            "https://github.com/rustsec/advisory-db/archive/refs/heads/osv.zip",
            url,
        )
        .replace(
            "url = \"https://osv-vulnerabilities.storage.googleapis.com\"\nenabled = true",
            "url = \"https://osv-vulnerabilities.storage.googleapis.com\"\nenabled = false",
        );
    std::fs::write(project.path("soup-register.toml"), record).unwrap();
    project
}

fn record_count(project: &Project) -> u64 {
    let run = project.run(&["audit", "--offline", "--allow-stale", "--format", "json"]);
    run.json()["advisory_data"]["record_count"]
        .as_u64()
        .unwrap()
}

fn codes(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fetch_downloads_once_keeps_data_on_failure_and_names_bad_records() {
    let records = rustsec_records();
    let server = Server::start([(
        "/osv.zip",
        Reply::versioned(&zip_of(&records), "\"v1\"", "Mon, 23 Nov 2026 10:00:00 GMT"),
    )]);
    let project = project_fetching_from(&server.url("/osv.zip"));

    let refused = project
        .run(&["fetch", "--lockfile", "Cargo.lock"])
        .expect(2);
    assert!(refused.stderr().contains("http"), "{}", refused.stderr());

    let first = project
        .run(&["fetch", "--allow-http", "--lockfile", "Cargo.lock"])
        .expect(0);
    assert!(
        first.stderr().contains("rustsec: 1206 records"),
        "{}",
        first.stderr()
    );
    let fresh = project
        .run(&["audit", "--offline", "--format", "json"])
        .expect(1);
    assert!(
        !codes(&fresh.json()).contains(&"advisory-data-stale".to_string()),
        "fetched today"
    );

    let again = project
        .run(&["fetch", "--allow-http", "--lockfile", "Cargo.lock"])
        .expect(0);
    assert!(again.stderr().contains("unchanged"), "{}", again.stderr());
    let last = server.requests().pop().unwrap();
    assert_eq!(last.if_none_match(), Some("\"v1\""));

    let fewer: Vec<_> = records.iter().take(100).cloned().collect();
    server.set(
        "/osv.zip",
        Reply::versioned(&zip_of(&fewer), "\"v2\"", "Tue, 24 Nov 2026 10:00:00 GMT"),
    );
    let changed = project
        .run(&["fetch", "--allow-http", "--lockfile", "Cargo.lock"])
        .expect(0);
    assert!(
        changed.stderr().contains("rustsec: 100 records"),
        "{}",
        changed.stderr()
    );
    assert_eq!(record_count(&project), 100);

    let full = zip_of(&records);
    let mut traversal = fewer.clone();
    traversal.push(("../evil.json".to_string(), b"{}".to_vec()));
    for (case, reply) in [
        ("server error", Reply::Status(500)),
        (
            "dropped connection",
            Reply::Truncated {
                bytes: full.clone(),
                after: 4096,
            },
        ),
        ("truncated zip", Reply::body(&full[..full.len() / 2])),
        ("path traversal", Reply::body(&zip_of(&traversal))),
    ] {
        server.set("/osv.zip", reply);
        let failed = project
            .run(&["fetch", "--allow-http", "--lockfile", "Cargo.lock"])
            .expect(2);
        assert!(
            failed.stderr().contains("/osv.zip"),
            "{case}: {}",
            failed.stderr()
        );
        assert_eq!(record_count(&project), 100, "{case} changed the store");
    }

    let mut malformed = fewer.clone();
    malformed.push((
        "crates/RUSTSEC-2099-9999.json".to_string(),
        b"{\"id\": 42}".to_vec(),
    ));
    server.set(
        "/osv.zip",
        Reply::versioned(
            &zip_of(&malformed),
            "\"v3\"",
            "Wed, 25 Nov 2026 10:00:00 GMT",
        ),
    );
    let partial = project
        .run(&["fetch", "--allow-http", "--lockfile", "Cargo.lock"])
        .expect(0);
    assert!(
        partial.stderr().contains("RUSTSEC-2099-9999.json"),
        "{}",
        partial.stderr()
    );
    let audit = project.run(&["audit", "--offline", "--format", "json"]);
    assert!(codes(&audit.json()).contains(&"advisory-data-incomplete".to_string()));
}

#[test]
fn an_ecosystem_without_any_data_fails_the_audit() {
    let project = Project::empty();
    let sbom = fixture("sboms/python-venv.cdx-1.6.json");
    let run = project
        .run(&[
            "audit",
            "--offline",
            "--sbom",
            sbom.to_str().unwrap(),
            "--format",
            "json",
        ])
        .expect(1);
    let json = run.json();
    assert!(
        codes(&json).contains(&"advisory-data-missing".to_string()),
        "{json}"
    );
    assert_eq!(json["anomalies"].as_array().unwrap().len(), 0);
}

#[test]
fn the_native_rustsec_database_loads_as_a_mirror() {
    let project = Project::copy_of("pump");
    let mirror = fixture("advisories/rustsec-advisory-db-2026-08-21.zip");
    let run = project
        .run(&["fetch", "--from", mirror.to_str().unwrap()])
        .expect(0);
    assert!(run.stderr().contains("as `rustsec`"), "{}", run.stderr());
    let audit = project
        .run(&["audit", "--offline", "--allow-stale", "--format", "json"])
        .expect(1);
    let json = audit.json();
    assert_eq!(json["anomalies"][0]["id"], IDNA_ADVISORY);
    assert!(
        json["advisory_data"]["sources"][0]["location"]
            .as_str()
            .unwrap()
            .ends_with(".zip")
    );
}

#[test]
fn an_evaluation_is_due_when_its_review_date_passes() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    project
        .run(&["audit", "--offline", "--allow-stale"])
        .expect(0);
    let later = project
        .run_with(
            &["audit", "--offline", "--allow-stale", "--format", "json"],
            &[("SOUP_TODAY", "2027-11-25")],
        )
        .expect(1);
    super::support::schemas::assert_documented("audit-1.schema.json", &later.json());
    let anomaly = &later.json()["anomalies"][0];
    assert_eq!(anomaly["state"], "due");
    assert_eq!(anomaly["reasons"][0]["reason"], "review-date-passed");
    assert_eq!(anomaly["reasons"][0]["review_by"], "2027-11-24");
    let on_the_day = project.run_with(
        &["audit", "--offline", "--allow-stale"],
        &[("SOUP_TODAY", "2027-11-24")],
    );
    on_the_day.expect(0);
}

#[test]
fn an_evaluation_is_due_when_the_advisory_is_modified_after_it() {
    let records = rustsec_records();
    let server = Server::start([(
        "/osv.zip",
        Reply::versioned(&zip_of(&records), "\"v1\"", "Mon, 23 Nov 2026 10:00:00 GMT"),
    )]);
    let project = project_fetching_from(&server.url("/osv.zip"));
    project
        .run(&["fetch", "--allow-http", "--lockfile", "Cargo.lock"])
        .expect(0);
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    project.run(&["audit", "--offline"]).expect(0);

    let revised = with_idna_record(|r| {
        r["modified"] = "2026-11-20T08:00:00Z".into();
        r["details"] = "Revised: more versions are affected.".into();
    });
    server.set(
        "/osv.zip",
        Reply::versioned(&zip_of(&revised), "\"v2\"", "Tue, 24 Nov 2026 10:00:00 GMT"),
    );
    let run = project
        .run(&["audit", "--fetch", "--allow-http", "--format", "json"])
        .expect(1);
    let anomaly = &run.json()["anomalies"][0];
    assert_eq!(anomaly["state"], "due");
    assert_eq!(anomaly["reasons"][0]["reason"], "advisory-modified");
    assert_eq!(anomaly["reasons"][0]["modified"], "2026-11-20T08:00:00Z");
    assert_eq!(anomaly["reasons"][0]["evaluated"], "2025-10-28T06:02:18Z");
}

#[test]
fn a_version_bump_makes_the_evaluation_due_with_its_origin() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    let lockfile = std::fs::read_to_string(project.path("Cargo.lock")).unwrap().replace(
        "version = \"0.5.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"634d9b1461af396cad843f47fdba5597a4f9e6ddd4bfb6ff5d85028c25cb12f6\"",
        "version = \"0.4.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"7d20d6b07bfbc108882d88ed8e37d39636dcc260e15e30c45e6ba089610b917c\"",
    );
    std::fs::write(project.path("Cargo.lock"), lockfile).unwrap();
    let run = project
        .run(&["audit", "--offline", "--allow-stale", "--format", "json"])
        .expect(1);
    let json = run.json();
    let anomaly = &json["anomalies"][0];
    assert_eq!(anomaly["package"]["version"], "0.4.0");
    assert_eq!(anomaly["state"], "due");
    assert_eq!(anomaly["reasons"][0]["reason"], "version-changed");
    assert_eq!(anomaly["reasons"][0]["from"], "0.5.0");
    assert!(codes(&json).contains(&"unused-evaluation".to_string()));
}

#[test]
fn a_withdrawn_advisory_keeps_its_evaluation_and_is_reported() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    let withdrawn = with_idna_record(|r| {
        r["withdrawn"] = "2026-11-20T00:00:00Z".into();
        r["modified"] = "2026-11-20T00:00:00Z".into();
    });
    let mirror = project.path("mirror.zip");
    std::fs::write(&mirror, zip_of(&withdrawn)).unwrap();
    project.run(&["fetch", "--from", "mirror.zip"]).expect(0);
    let run = project
        .run(&["audit", "--offline", "--format", "json"])
        .expect(0);
    let json = run.json();
    assert!(json["anomalies"].as_array().unwrap().is_empty());
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "anomaly-withdrawn")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(finding["subject"], "RUSTSEC-2024-0421 pkg:cargo/idna@0.5.0");
    assert!(
        project
            .record()
            .contains("advisory = \"RUSTSEC-2024-0421\"")
    );
}
