//! Advisory data through the binary: fetching from a local server, and mirrors.
//! The evaluation lifecycle itself is proved in-process (`engine.rs`).

use super::support::scene::Project;
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

/// A pump project with a class B record whose RustSec source is `url` and OSV off.
fn project_fetching_from(url: &str) -> Project {
    let project = Project::copy_of("pump");
    project.init_class_b();
    project.fetch_rustsec_from(url);
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
    // A source that shrinks to a twelfth is not swapped in silently.
    let shrunk = project
        .run(&["fetch", "--allow-http", "--lockfile", "Cargo.lock"])
        .expect(2);
    assert!(
        shrunk
            .stderr()
            .contains("holds 100 records where the data it would replace holds 1206"),
        "{}",
        shrunk.stderr()
    );
    assert_eq!(record_count(&project), 1206);
    let changed = project
        .run(&[
            "fetch",
            "--replace",
            "--allow-http",
            "--lockfile",
            "Cargo.lock",
        ])
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
