//! Advisory matching against real data: agreement with cargo-audit on real
//! lockfiles (RustSec's OSV export and its native database), the PyPA findings of a
//! real Python environment, and real Go vulnerability records at their boundaries.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cargo_soup::advisory::matcher::{self, Anomaly};
use cargo_soup::advisory::osv::{Advisory, Event};
use cargo_soup::advisory::rustsec;
use cargo_soup::advisory::version;
use cargo_soup::model::{AnomalyKind, Component, Ecosystem, Purl, SourceKind};
use serde::Deserialize;

use super::support::{fixture, zip_files};

fn osv_records(name: &str) -> Vec<Advisory> {
    zip_files(name)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".json"))
        .map(|(path, bytes)| Advisory::from_json(&bytes).unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

/// The native RustSec database's advisories about crates (`rust/` is never matched).
fn native_records() -> Vec<Advisory> {
    zip_files("rustsec-advisory-db-2026-08-21.zip")
        .into_iter()
        .filter(|(path, _)| path.ends_with(".md") && rustsec::is_crate_advisory(Path::new(path)))
        .filter(|(path, _)| path.contains("/RUSTSEC-"))
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            rustsec::parse_markdown(Path::new(&path), &text).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
    source: Option<String>,
}

/// One component per `[[package]]`, whatever its source.
fn lockfile_components(name: &str) -> Vec<Component> {
    let text = std::fs::read_to_string(fixture(&format!("lockfiles/{name}.Cargo.lock"))).unwrap();
    let lockfile: Lockfile = toml::from_str(&text).unwrap();
    lockfile
        .package
        .iter()
        .map(|p| {
            let mut component = Component::new(Ecosystem::CratesIo, &p.name, &p.version);
            component.purl = Purl::parse(&format!("pkg:cargo/{}@{}", p.name, p.version)).ok();
            component.source = match &p.source {
                Some(s) if s.starts_with("git+") => SourceKind::Git,
                Some(_) => SourceKind::Registry,
                None => SourceKind::Path,
            };
            component
        })
        .collect()
}

/// (kind, advisory id, package, version)
type Finding = (String, String, String, String);

#[derive(Deserialize)]
struct AuditReport {
    vulnerabilities: AuditVulnerabilities,
    warnings: BTreeMap<String, Vec<AuditEntry>>,
}

#[derive(Deserialize)]
struct AuditVulnerabilities {
    list: Vec<AuditEntry>,
}

#[derive(Deserialize)]
struct AuditEntry {
    advisory: Option<AuditAdvisory>,
    package: AuditPackage,
}

#[derive(Deserialize)]
struct AuditAdvisory {
    id: String,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
}

/// cargo-audit's findings, each advisory id replaced by the id of our anomaly
/// whose group holds it, so an alias group counts as one advisory.
fn cargo_audit_findings(name: &str, ours: &[Anomaly]) -> BTreeSet<Finding> {
    let text =
        std::fs::read_to_string(fixture(&format!("expected/{name}.cargo-audit.json"))).unwrap();
    let report: AuditReport = serde_json::from_str(&text).unwrap();
    let warnings = report
        .warnings
        .into_iter()
        .filter(|(kind, _)| kind != "yanked")
        .flat_map(|(kind, entries)| entries.into_iter().map(move |e| (kind.clone(), e)));
    let vulnerabilities = report
        .vulnerabilities
        .list
        .into_iter()
        .map(|e| ("vulnerability".to_string(), e));
    vulnerabilities
        .chain(warnings)
        .filter_map(|(kind, entry)| {
            let id = entry.advisory?.id;
            let package = entry.package;
            let group = ours.iter().find(|a| {
                a.component.name == package.name
                    && a.component.version == package.version
                    && a.records.contains(&id)
            });
            let id = group.map_or(id, |a| a.id.clone());
            Some((kind, id, package.name, package.version))
        })
        .collect()
}

fn our_findings(anomalies: &[Anomaly]) -> BTreeSet<Finding> {
    anomalies
        .iter()
        .map(|a| {
            (
                a.kind.as_str().to_string(),
                a.id.clone(),
                a.component.name.clone(),
                a.component.version.clone(),
            )
        })
        .collect()
}

const LOCKFILES: [&str; 11] = [
    "cargo-ff26beca25",
    "deno-c56df45355",
    "deno-f74b15c304",
    "foundry-e6574c9f08",
    "lapce-250c587ab5",
    "meilisearch-f98b615bf3",
    "nextest-dd29d36577",
    "reth-5bfd9a6c57",
    "rustsec-7b7478e631",
    "tikv-92cf4709fd",
    "uv-1dbc53457b",
];

/// Compares our findings with cargo-audit's on every lockfile; returns how many
/// agreed and the findings only we report.
///
/// Where we disagree, cargo-audit is wrong for this tool's purpose: it matches only
/// packages whose source is the crates.io registry (rustsec's query compares the
/// package source), so a git dependency with the same name and version as an
/// affected crate, a fork of that very crate, is never reported. We report it: the
/// flaw is present unless the fork fixed it, and that is for an engineer to record.
fn agree_with_cargo_audit(advisories: &[Advisory]) -> (usize, Vec<Finding>) {
    let mut agreed = 0;
    let mut git_only = Vec::new();
    for name in LOCKFILES {
        let components = lockfile_components(name);
        let anomalies = matcher::find_anomalies(&components, advisories);
        let ours = our_findings(&anomalies);
        let theirs = cargo_audit_findings(name, &anomalies);
        let is_git = |f: &Finding| {
            components
                .iter()
                .any(|c| c.name == f.2 && c.version == f.3 && c.source == SourceKind::Git)
        };
        let (from_git, only_ours): (Vec<Finding>, Vec<Finding>) =
            ours.difference(&theirs).cloned().partition(is_git);
        let only_theirs: Vec<_> = theirs.difference(&ours).collect();
        assert!(
            only_ours.is_empty() && only_theirs.is_empty(),
            "{name}: only ours {only_ours:#?}\nonly cargo-audit {only_theirs:#?}"
        );
        assert!(!ours.is_empty(), "{name}: every lockfile here has findings");
        agreed += ours.len() - from_git.len();
        git_only.extend(from_git);
    }
    (agreed, git_only)
}

/// The findings on git forks that cargo-audit leaves out (see `agree_with_cargo_audit`).
fn expected_git_only() -> Vec<Finding> {
    let finding = |id: &str, package: &str, version: &str| {
        (
            "vulnerability".to_string(),
            id.to_string(),
            package.to_string(),
            version.to_string(),
        )
    };
    vec![
        finding("RUSTSEC-2022-0046", "rocksdb", "0.3.0"),
        finding("RUSTSEC-2022-0051", "lz4-sys", "1.8.0"),
    ]
}

/// cargo-audit's findings over the eleven lockfiles as expected/summary.tsv counts
/// them: vulnerabilities + unmaintained + unsound + notice.
fn cargo_audit_total() -> usize {
    let text = std::fs::read_to_string(fixture("expected/summary.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let columns: Vec<usize> = ["vulnerabilities", "unmaintained", "unsound", "notice"]
        .iter()
        .map(|name| header.iter().position(|h| h == name).unwrap())
        .collect();
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            columns
                .iter()
                .map(|&c| fields[c].parse::<usize>().unwrap())
                .sum::<usize>()
        })
        .sum()
}

#[test]
fn agrees_with_cargo_audit_using_the_osv_export() {
    let (agreed, git_only) = agree_with_cargo_audit(&osv_records("rustsec-osv-2026-08-21.zip"));
    assert_eq!(agreed, cargo_audit_total());
    assert_eq!(git_only, expected_git_only());
}

/// The group hashes one assessment keeps across its matches (the sides of a
/// report or a diff) change nothing: every real lockfile matched in turn with
/// one set of hashes gives the anomalies, content hashes included, that each
/// gives on its own, and the lockfiles do share groups.
#[test]
fn hashes_kept_across_matches_give_the_same_anomalies() {
    let advisories = osv_records("rustsec-osv-2026-08-21.zip");
    let mut hashes = matcher::GroupHashes::default();
    let mut groups_seen: BTreeMap<String, usize> = BTreeMap::new();
    for name in LOCKFILES {
        let components = lockfile_components(name);
        let alone = matcher::find_anomalies(&components, &advisories);
        let shared = matcher::find_anomalies_hashed(&components, &advisories, &mut hashes);
        assert_eq!(shared, alone, "{name}");
        for hash in BTreeSet::from_iter(alone.iter().map(|a| a.content_hash.clone())) {
            *groups_seen.entry(hash).or_default() += 1;
        }
    }
    assert!(
        groups_seen.values().any(|&lockfiles| lockfiles > 1),
        "some group of records affects more than one lockfile"
    );
}

#[test]
fn agrees_with_cargo_audit_using_the_native_database() {
    let (agreed, git_only) = agree_with_cargo_audit(&native_records());
    assert_eq!(agreed, cargo_audit_total());
    assert_eq!(git_only, expected_git_only());
}

#[test]
fn the_stale_placeholder_joins_the_group_of_its_flaw() {
    let advisories = osv_records("rustsec-osv-2026-08-21.zip");
    let mut component = Component::new(Ecosystem::CratesIo, "matrix-sdk-base", "0.14.0");
    component.purl = Purl::parse("pkg:cargo/matrix-sdk-base@0.14.0").ok();
    let anomalies = matcher::find_anomalies(&[component], &advisories);
    let group = anomalies
        .iter()
        .find(|a| a.records.contains(&"RUSTSEC-2025-0065".to_string()))
        .unwrap();
    assert_eq!(group.records, ["RUSTSEC-2025-0000", "RUSTSEC-2025-0065"]);
    assert!(
        group.aliases.contains(&"CVE-2025-59047".to_string())
            && group.aliases.contains(&"GHSA-qhj8-q5r6-8q6j".to_string())
    );
    assert_eq!(
        anomalies
            .iter()
            .filter(
                |a| a.aliases.contains(&"CVE-2025-59047".to_string()) || a.id == "CVE-2025-59047"
            )
            .count(),
        1
    );
}

#[test]
fn severity_comes_from_the_records_of_the_anomalys_kind() {
    // RUSTSEC-2020-0036 (failure is unmaintained) carries the CVSS 9.8 vector
    // of the flaw it aliases, RUSTSEC-2019-0036 (unsound): the unmaintained
    // notice is no 9.8; the unsound flaw keeps its score.
    let advisories = osv_records("rustsec-osv-2026-08-21.zip");
    let mut component = Component::new(Ecosystem::CratesIo, "failure", "0.1.8");
    component.purl = Purl::parse("pkg:cargo/failure@0.1.8").ok();
    let anomalies = matcher::find_anomalies(&[component], &advisories);
    let of = |id: &str| {
        anomalies
            .iter()
            .find(|a| a.records.contains(&id.to_string()))
            .unwrap()
    };
    let notice = of("RUSTSEC-2020-0036");
    assert_eq!(notice.kind, AnomalyKind::Unmaintained);
    assert!(notice.severity.is_none(), "{:?}", notice.severity);
    let flaw = of("RUSTSEC-2019-0036");
    assert_eq!(flaw.kind, AnomalyKind::Unsound);
    assert_eq!(flaw.severity.as_ref().map(|s| s.base_score), Some(9.8));
}

#[test]
fn native_records_convert_to_the_osv_export() {
    let exported: BTreeMap<String, Advisory> = osv_records("rustsec-osv-2026-08-21.zip")
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let native = native_records();
    assert_eq!(
        native.len(),
        exported.len() - 1,
        "the export also holds the stale RUSTSEC-2025-0000"
    );
    for ours in &native {
        let theirs = &exported[&ours.id];
        assert_eq!(ours.aliases, theirs.aliases, "{}", ours.id);
        assert_eq!(ours.related, theirs.related, "{}", ours.id);
        assert_eq!(ours.withdrawn, theirs.withdrawn, "{}", ours.id);
        assert_eq!(ours.kind(), theirs.kind(), "{}", ours.id);
        assert_eq!(ours.published, theirs.published, "{}", ours.id);
        // The export keeps the space of a heading written `#  Title` (RUSTSEC-2022-0067); we trim it.
        assert_eq!(
            ours.summary.as_deref(),
            theirs.summary.as_deref().map(str::trim),
            "{}",
            ours.id
        );
        assert_eq!(
            ours.details.as_deref().map(str::trim),
            theirs.details.as_deref().map(str::trim),
            "{}",
            ours.id
        );
        assert_eq!(
            ours.affected[0].ranges, theirs.affected[0].ranges,
            "{}",
            ours.id
        );
        assert_eq!(ours.cvss(), theirs.cvss(), "{}", ours.id);
        assert_eq!(ours.severity, theirs.severity, "{}", ours.id);
        assert_eq!(ours.references, theirs.references, "{}", ours.id);
        assert_eq!(
            ours.database_specific, theirs.database_specific,
            "{}",
            ours.id
        );
        assert_eq!(
            ours.affected[0].package, theirs.affected[0].package,
            "{}",
            ours.id
        );
        assert_eq!(
            ours.affected[0].database_specific, theirs.affected[0].database_specific,
            "{}",
            ours.id
        );
        assert_eq!(
            ours.affected[0].ecosystem_specific, theirs.affected[0].ecosystem_specific,
            "{}",
            ours.id
        );
    }
}

#[test]
fn every_record_in_the_fixtures_parses_and_its_events_have_an_order() {
    let mut counts = Vec::new();
    let mut unparsable = Vec::new();
    for name in [
        "rustsec-osv-2026-08-21.zip",
        "go-vulndb-osv-2026-08-21.zip",
        "pypa-osv-2024-10-10.zip",
    ] {
        let records = osv_records(name);
        for advisory in &records {
            for affected in &advisory.affected {
                let ecosystem =
                    Ecosystem::from_osv_name(&affected.package.as_ref().unwrap().ecosystem);
                for range in affected.ranges.iter().filter(|r| r.kind != "GIT") {
                    for event in &range.events {
                        let v = event.version();
                        let special = matches!(event, Event::Introduced(z) if z == "0");
                        let probe = if range.kind == "SEMVER" { "0.0.0" } else { "0" };
                        let order_ecosystem =
                            if range.kind == "SEMVER" && ecosystem != Ecosystem::Go {
                                Ecosystem::CratesIo
                            } else {
                                ecosystem.clone()
                            };
                        if !special && version::compare(&order_ecosystem, v, probe).is_none() {
                            unparsable.push(format!("{} {v}", advisory.id));
                        }
                    }
                }
            }
        }
        counts.push(records.len());
    }
    counts.push(native_records().len());
    let rust_collection: Vec<String> = zip_files("rustsec-advisory-db-2026-08-21.zip")
        .into_iter()
        .filter(|(path, _)| path.starts_with("rust/") && path.ends_with(".md"))
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            rustsec::parse_markdown(Path::new(&path), &text).unwrap().id
        })
        .collect();
    assert_eq!(counts, [1206, 4291, 2661, 1205]);
    // Two PyPA `fixed` events are not PEP 440 versions (a date and a build tag); the
    // matcher leaves them out, which widens those ranges rather than hiding a finding.
    unparsable.sort();
    assert_eq!(
        unparsable,
        ["PYSEC-2019-125 2019-09-12", "PYSEC-2021-371 0.2.0-n653"]
    );
    assert_eq!(
        rust_collection.len(),
        20,
        "1225 advisories in cargo-audit's count, 1205 of them about crates"
    );
}

/// (normalised name, version, advisory id, sorted aliases) of each finding.
type PypaFinding = (String, String, String, Vec<String>);

/// The findings of `components` against the PyPA snapshot.
fn pypa_findings(components: &[Component]) -> (Vec<Anomaly>, BTreeSet<PypaFinding>) {
    let anomalies = matcher::find_anomalies(components, &osv_records("pypa-osv-2024-10-10.zip"));
    let findings = anomalies
        .iter()
        .map(|a| {
            (
                Ecosystem::PyPI
                    .normalize_name(&a.component.name)
                    .into_owned(),
                a.component.version.clone(),
                a.id.clone(),
                a.aliases.clone(),
            )
        })
        .collect();
    (anomalies, findings)
}

/// The 30 PyPA findings the advisory database itself gives for the environment.
fn pypa_expected() -> BTreeSet<PypaFinding> {
    let expected_text =
        std::fs::read_to_string(fixture("expected/python-venv.pypa-advisory-db.tsv")).unwrap();
    let expected: BTreeSet<PypaFinding> = expected_text
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let mut aliases: Vec<String> = fields[3].split(',').map(str::to_string).collect();
            aliases.sort();
            (
                Ecosystem::PyPI.normalize_name(fields[0]).into_owned(),
                fields[1].to_string(),
                fields[2].to_string(),
                aliases,
            )
        })
        .collect();
    assert_eq!(expected.len(), 30);
    expected
}

#[test]
fn pypa_findings_for_a_real_python_environment() {
    let sbom: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("sboms/python-venv.cdx-1.6.json")).unwrap())
            .unwrap();
    let components: Vec<Component> = sbom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .filter_map(|purl| {
            let (name, version) = purl.strip_prefix("pkg:pypi/")?.split_once('@')?;
            let mut component = Component::new(Ecosystem::PyPI, name, version);
            component.purl = Purl::parse(purl).ok();
            Some(component)
        })
        .collect();
    assert!(components.len() > 10);
    let (anomalies, ours) = pypa_findings(&components);
    assert_eq!(ours, pypa_expected());
    assert!(
        anomalies
            .iter()
            .all(|a| a.kind == AnomalyKind::Vulnerability && !a.fixed.is_empty())
    );
}

/// Read through the SBOM reader, components keep their published names as
/// titles (`Django`, `Jinja2`) and match exactly as their normalised names do.
#[test]
fn pypa_findings_are_unchanged_by_published_names() {
    let path = fixture("sboms/python-venv.cdx-1.6.json");
    let sbom: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let published: BTreeMap<&str, &str> = sbom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["purl"].as_str().unwrap(), c["name"].as_str().unwrap()))
        .collect();
    let inventory = cargo_soup::inventory::read_sbom(&path).unwrap();
    let (anomalies, ours) = pypa_findings(&inventory.components);
    assert_eq!(ours, pypa_expected());
    for a in &anomalies {
        let purl = a.component.purl_str().unwrap();
        assert_eq!(a.component.name, published[purl], "{purl}");
    }
    let titles: BTreeSet<&str> = anomalies
        .iter()
        .map(|a| a.component.name.as_str())
        .collect();
    assert!(titles.contains("Django"), "{titles:?}");
    assert!(titles.contains("Jinja2"), "{titles:?}");
}

/// (record id, module, [(version, affected?)])
type GoCase = (&'static str, &'static str, &'static [(&'static str, bool)]);

/// Real Go records, checked just inside and just outside the boundaries they state.
#[test]
fn go_records_at_their_boundaries() {
    let advisories: BTreeMap<String, Advisory> = osv_records("go-vulndb-osv-2026-08-21.zip")
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let cases: [GoCase; 3] = [
        // introduced 1.14.0-0, fixed 1.14.12, introduced 1.15.0-0, fixed 1.15.5
        (
            "GO-2021-0069",
            "stdlib",
            &[
                ("v1.13.15", false),
                ("v1.14.0", true),
                ("v1.14.11", true),
                ("v1.14.12", false),
                ("v1.15.0-rc.1", true),
                ("v1.15.4", true),
                ("v1.15.5", false),
                ("v1.16.0", false),
            ],
        ),
        // introduced 0, fixed 0.0.0-20200220183623-bac4c82f6975 (a pseudo-version)
        (
            "GO-2020-0012",
            "golang.org/x/crypto",
            &[
                ("v0.0.0-20200219234226-1ad67e1f0ef4", true),
                ("v0.0.0-20200220183623-bac4c82f6975", false),
                ("v0.0.0-20200221231518-2aa609cf4a9d", false),
                ("v0.1.0", false),
            ],
        ),
        // introduced 0, fixed 20.10.14+incompatible
        (
            "GO-2022-0390",
            "github.com/docker/docker",
            &[
                ("v20.10.13+incompatible", true),
                ("v20.10.14+incompatible", false),
                ("v20.10.14", false),
                ("v1.13.1", true),
            ],
        ),
    ];
    for (id, module, versions) in cases {
        let advisory = &advisories[id];
        for (v, expected) in versions {
            let component = Component::new(Ecosystem::Go, module, v);
            assert_eq!(
                matcher::affects(advisory, &component),
                *expected,
                "{id} {module}@{v}"
            );
        }
    }
    let component = Component::new(
        Ecosystem::Go,
        "golang.org/x/crypto",
        "v0.0.0-20200219234226-1ad67e1f0ef4",
    );
    assert_eq!(
        advisories["GO-2020-0012"].fixed_versions(&component),
        ["0.0.0-20200220183623-bac4c82f6975"]
    );
}

/// The Go modules Caddy v2.4.6 (Nov 2021) pins in its `go.mod`, read by the
/// go.mod reader (confirmed by its go.sum), against the Go vulnerability
/// database: the same 50 findings an independent evaluation of the records
/// gave (`expected/go-caddy-e7457b43e4.govulndb.tsv`), and the boundaries
/// of the records that decide them, checked by hand.
#[test]
fn go_findings_for_a_real_go_mod() {
    let path = fixture("ecosystems/go-caddy-e7457b43e4/go.mod");
    let inventory = cargo_soup::inventory::read_lockfile(&path).unwrap();
    assert_eq!(inventory.components.len(), 29);
    let records = osv_records("go-vulndb-osv-2026-08-21.zip");
    let anomalies = matcher::find_anomalies(&inventory.components, &records);
    let ours: BTreeSet<(String, String, String)> = anomalies
        .iter()
        .map(|a| {
            (
                a.component.name.clone(),
                a.component.version.clone(),
                a.id.clone(),
            )
        })
        .collect();
    let expected_text =
        std::fs::read_to_string(fixture("expected/go-caddy-e7457b43e4.govulndb.tsv")).unwrap();
    let expected: BTreeSet<(String, String, String)> = expected_text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (
                fields[0].to_string(),
                fields[1].to_string(),
                fields[2].to_string(),
            )
        })
        .collect();
    assert_eq!(expected.len(), 50);
    assert_eq!(ours, expected);

    let by_id: BTreeMap<&str, &Advisory> = records.iter().map(|a| (a.id.as_str(), a)).collect();
    let cases: [GoCase; 5] = [
        // introduced 0, fixed 1.11.1: Caddy pins 1.11.0.
        (
            "GO-2022-0322",
            "github.com/prometheus/client_golang",
            &[("v1.11.0", true), ("v1.11.1", false)],
        ),
        // fixed at a pseudo-version three months after Caddy's.
        (
            "GO-2022-0288",
            "golang.org/x/net",
            &[
                ("v0.0.0-20210913180222-943fd674d43e", true),
                ("v0.0.0-20211209124913-491a49abca63", false),
                ("v0.1.0", false),
            ],
        ),
        // introduced 0, fixed 2.2.4: Caddy's 2.4.0 is past it.
        (
            "GO-2022-0956",
            "gopkg.in/yaml.v2",
            &[("v2.2.3", true), ("v2.2.4", false), ("v2.4.0", false)],
        ),
        // every go-chi/chi (v4 via +incompatible) is affected; chi/v5 only 5.2.2 to 5.2.4.
        (
            "GO-2026-4316",
            "github.com/go-chi/chi",
            &[("v4.1.2+incompatible", true), ("v1.5.5", true)],
        ),
        // fixed 0.29.0; Caddy's pseudo-version is a pre-release of 0.17.5.
        (
            "GO-2025-4180",
            "github.com/smallstep/certificates",
            &[
                ("v0.17.5-0.20211008195551-04fe3126bebf", true),
                ("v0.28.4", true),
                ("v0.29.0", false),
            ],
        ),
    ];
    for (id, module, versions) in cases {
        for (v, expected) in versions {
            let component = Component::new(Ecosystem::Go, module, v);
            assert_eq!(
                matcher::affects(by_id[id], &component),
                *expected,
                "{id} {module}@{v}"
            );
        }
    }
    let chi_v5 = Component::new(Ecosystem::Go, "github.com/go-chi/chi/v5", "v5.2.4");
    assert!(!matcher::affects(by_id["GO-2026-4316"], &chi_v5));
}
