//! The record's document control and support facts: `[report]`, and the
//! `support`, `support_evidence` and `end_of_support` of a specification.

use std::path::Path;

use cargo_soup::record::{EndOfSupport, RecordError, RecordFile, SupportLevel};
use time::macros::date;

use super::support::schemas::assert_documented;

const VALID: &str = r#"[system]
name = "pump"
class = "C"

[policy]
require_support_level = true

[report]
document_id = "SOUP-001"
revision = "C"

[soup.serde]
purpose = "Serialises settings"
needs = "std"
risk = "low"
support = "maintained"
support_evidence = "monthly releases; security policy in SECURITY.md"
end_of_support = 2030-06-30

[soup.ansi_term]
purpose = "Colours the service console"
needs = "a terminal"
risk = "low"
support = "unmaintained"
end_of_support = "unknown"
"#;

fn problems_of(text: &str) -> Vec<(usize, String)> {
    match RecordFile::parse(Path::new("soup-register.toml"), text) {
        Err(RecordError::Invalid { problems, .. }) => {
            problems.into_iter().map(|p| (p.line, p.message)).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn document_control_and_support_facts_are_read() {
    let file = RecordFile::parse(Path::new("soup-register.toml"), VALID).unwrap();
    let record = file.record();
    assert_eq!(record.report.document_id.as_deref(), Some("SOUP-001"));
    assert_eq!(record.report.revision.as_deref(), Some("C"));
    assert!(record.policy.require_support_level);
    let serde = &record.soup["serde"];
    assert_eq!(serde.support, Some(SupportLevel::Maintained));
    assert_eq!(
        serde.end_of_support,
        Some(EndOfSupport::On(date!(2030 - 06 - 30)))
    );
    let ansi = &record.soup["ansi_term"];
    assert_eq!(ansi.support, Some(SupportLevel::Unmaintained));
    assert_eq!(ansi.end_of_support, Some(EndOfSupport::Unknown));
    assert_eq!(ansi.support_evidence, None);
}

#[test]
fn a_record_without_them_defaults_to_nothing_required() {
    let text = "[system]\nname = \"pump\"\nclass = \"B\"\n";
    let file = RecordFile::parse(Path::new("soup-register.toml"), text).unwrap();
    assert_eq!(file.record().report.document_id, None);
    assert!(!file.record().policy.require_support_level);
}

#[test]
fn bad_support_facts_are_named_with_their_lines() {
    let text = r#"[system]
name = "pump"
class = "C"

[report]
document_id = ""
colour = "red"

[soup.serde]
purpose = "p"
needs = "n"
risk = "low"
support = "supported"
end_of_support = "soon"

[soup.log]
purpose = "p"
needs = "n"
risk = "low"
support_evidence = "the maintainer said so"
"#;
    let found = problems_of(text);
    let expected: &[(usize, &str)] = &[
        (6, "[report]: `document_id` must not be empty"),
        (7, "unknown key `colour` in [report]"),
        (
            13,
            "`supported` is not a valid support level; expected one of: maintained, limited, unmaintained, end-of-life, unknown",
        ),
        (
            14,
            "`end_of_support` in [soup.serde] must be a date such as 2027-06-30 (unquoted) or \"unknown\"",
        ),
        (
            20,
            "`support_evidence` needs the `support` level it is evidence for",
        ),
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for ((line, message), (want_line, want)) in found.iter().zip(expected) {
        assert_eq!(line, want_line, "{message}");
        assert!(message.contains(want), "{message:?} should say {want:?}");
    }
}

#[test]
fn the_new_keys_have_a_canonical_place() {
    let shuffled = r#"[soup.serde]
end_of_support = "unknown"
support_evidence = "e"
covers = ["serde_derive"]
support = "limited"
risk = "low"
needs = "n"
purpose = "p"

[report]
revision = "2"
document_id = "SOUP-7"

[policy]
require_support_level = true
require_specification = true

[system]
name = "pump"
class = "C"
"#;
    let file = RecordFile::parse(Path::new("soup-register.toml"), shuffled).unwrap();
    let canonical = file.canonical_text();
    let order: Vec<&str> = canonical
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.split(" =").next().unwrap_or(line))
        .collect();
    assert_eq!(
        order,
        [
            "[system]",
            "name",
            "class",
            "[policy]",
            "require_specification",
            "require_support_level",
            "[report]",
            "document_id",
            "revision",
            "[soup.serde]",
            "purpose",
            "needs",
            "risk",
            "support",
            "support_evidence",
            "end_of_support",
            "covers",
        ]
    );
    let again = RecordFile::parse(Path::new("soup-register.toml"), &canonical).unwrap();
    assert!(again.is_canonical());
    assert_eq!(again.record(), file.record());
}

/// Hex sha256 of a file's bytes, computed here independently of the tool.
fn sha256_of(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn every_digest_in_the_document_is_the_files_real_digest() {
    let project = super::support::scene::Project::copy_of("pump");
    project.run(&["init", "--class", "B"]).expect(0);
    let report = project.report_lockfile("json").expect(0).json();
    let inputs = report["control"]["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0]["path"], "Cargo.lock");
    assert_eq!(
        inputs[0]["sha256"],
        sha256_of(&project.path("Cargo.lock")).as_str()
    );
    let sources = report["advisory_data"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/rustsec-osv.zip");
    assert_eq!(sources[0]["content_sha256"], sha256_of(&bundled).as_str());
    assert_eq!(report["control"]["tool_version"], env!("CARGO_PKG_VERSION"));
    let roles: Vec<&str> = report["control"]["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["role"].as_str())
        .collect();
    assert_eq!(roles, ["prepared", "reviewed", "approved"]);

    // Both CSV formats carry the same digests in their document control rows.
    for format in ["csv", "fda-csv"] {
        let text = project.report_lockfile(format).expect(0).stdout();
        let (control, _) = super::support::csv_blocks(&text);
        let rows = |field: &str| super::support::control_values(&control, field);
        let lockfile = sha256_of(&project.path("Cargo.lock"));
        assert_eq!(
            rows("input"),
            [["Cargo.lock", lockfile.as_str(), ""]],
            "{format}"
        );
        let [source] = &rows("advisory_data")[..] else {
            panic!("{format}: {control:?}");
        };
        assert_eq!(source[4], sha256_of(&bundled), "{format}");
        assert_eq!(rows("cargo_soup_version"), [[env!("CARGO_PKG_VERSION")]]);
        // Nobody has signed: each block is left to sign on paper.
        for role in ["prepared", "reviewed", "approved"] {
            assert_eq!(rows(role), [["", "", ""]], "{format} {role}");
        }
    }
}

#[test]
fn without_a_record_the_report_is_a_read_only_draft() {
    let project = super::support::scene::Project::empty();
    let lockfile = project.path("Cargo.lock");
    std::fs::copy(
        super::support::fixture("lockfiles/deno-c56df45355.Cargo.lock"),
        &lockfile,
    )
    .unwrap();
    let before = project.snapshot();
    let run = project
        .run(&["report", "--lockfile", "Cargo.lock", "--allow-stale"])
        .expect(0);
    let text = run.stdout();
    assert!(text.contains("**draft: no soup-register.toml**"), "{text}");
    assert!(text.contains("| **Document id** | — |"));
    let json = project.report_lockfile("json").expect(0).json();
    assert_documented("report-1.schema.json", &json);
    assert_eq!(json["control"]["draft"], "draft: no soup-register.toml");
    assert_eq!(json["system"]["class"], "not recorded");
    assert_eq!(project.snapshot(), before, "a draft writes nothing");
}

#[test]
fn policy_can_require_the_support_level_of_direct_items() {
    let project = super::support::scene::Project::copy_of("pump");
    project.run(&["init", "--class", "B"]).expect(0);
    let record = project.record().replace(
        "require_specification = true",
        "require_specification = true\nrequire_support_level = true",
    );
    std::fs::write(project.path("soup-register.toml"), record).unwrap();
    let audit = project
        .run(&[
            "audit",
            "--lockfile",
            "Cargo.lock",
            "--allow-stale",
            "--format",
            "json",
        ])
        .json();
    let codes: Vec<(&str, &str)> = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| Some((f["code"].as_str()?, f["subject"].as_str()?)))
        .filter(|(code, _)| *code == "missing-support-level")
        .collect();
    assert_eq!(codes, [("missing-support-level", "pkg:cargo/idna@0.5.0")]);
}

/// (name, sorted versions) of every package a Cargo.lock lists that comes from a registry or git,
/// read here with `toml_edit`, not with the tool's reader.
fn lockfile_packages(path: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let document: toml_edit::DocumentMut = text.parse().unwrap();
    let mut packages = std::collections::BTreeMap::<String, Vec<String>>::new();
    for package in document["package"].as_array_of_tables().unwrap() {
        if package.get("source").is_none() {
            continue; // path and workspace members are the product, not SOUP
        }
        let name = package["name"].as_str().unwrap().replace('_', "-");
        let version = package["version"].as_str().unwrap().to_string();
        packages.entry(name).or_default().push(version);
    }
    for versions in packages.values_mut() {
        versions.sort();
    }
    packages
}

/// (advisory id, package name, version) of every anomaly `audit` finds in a lockfile.
fn anomalies_of(
    project: &super::support::scene::Project,
    lockfile: &str,
) -> std::collections::BTreeSet<(String, String, String)> {
    let audit = project
        .run(&[
            "audit",
            "--lockfile",
            lockfile,
            "--allow-stale",
            "--format",
            "json",
        ])
        .json();
    audit["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["package"]["name"].as_str().unwrap().replace('_', "-"),
                a["package"]["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_change_analysis_of_two_deno_releases_matches_an_independent_count() {
    let project = super::support::scene::Project::empty();
    let (old, new) = ("deno-old.lock", "deno-new.lock");
    for (name, fixture) in [
        (old, "lockfiles/deno-c56df45355.Cargo.lock"),
        (new, "lockfiles/deno-f74b15c304.Cargo.lock"),
    ] {
        std::fs::copy(super::support::fixture(fixture), project.path(name)).unwrap();
    }
    project.run(&["init", "--class", "B"]).expect(0);
    // The earlier release's SOUP list as a CycloneDX SBOM, imported as its baseline.
    project
        .run(&[
            "export",
            "--lockfile",
            old,
            "--format",
            "cyclonedx",
            "-o",
            "old.cdx.json",
        ])
        .expect(0);
    project
        .run(&["import", "old.cdx.json", "--release", "1.0.0"])
        .expect(0);
    let report = project
        .run(&[
            "report",
            "--lockfile",
            new,
            "--allow-stale",
            "--format",
            "json",
        ])
        .json();
    assert_documented("report-1.schema.json", &report);
    let changes = &report["changes"];
    assert_eq!(changes["since"], "1.0.0");

    let before = lockfile_packages(&project.path(old));
    let after = lockfile_packages(&project.path(new));
    let added = after.keys().filter(|n| !before.contains_key(*n)).count();
    let removed = before.keys().filter(|n| !after.contains_key(*n)).count();
    let changed = after
        .iter()
        .filter(|(n, v)| before.get(*n).is_some_and(|b| b != *v))
        .count();
    let count = |key: &str| changes[key].as_array().map_or(0, Vec::len);
    assert_eq!(
        (count("added"), count("removed"), count("changed")),
        (added, removed, changed)
    );
    assert!(added + removed + changed > 0, "the two releases differ");

    let anomalies_before = anomalies_of(&project, old);
    let anomalies_after = anomalies_of(&project, new);
    // An anomaly of the same package on both sides persists (whatever its
    // versions); otherwise each affected version is introduced or resolved.
    let packages = |set: &std::collections::BTreeSet<(String, String, String)>| {
        set.iter()
            .map(|(id, name, _)| (id.clone(), name.clone()))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (packages_before, packages_after) =
        (packages(&anomalies_before), packages(&anomalies_after));
    let only = |set: &std::collections::BTreeSet<(String, String, String)>,
                other: &std::collections::BTreeSet<(String, String)>| {
        set.iter()
            .filter(|(id, name, _)| !other.contains(&(id.clone(), name.clone())))
            .count()
    };
    let introduced = only(&anomalies_after, &packages_before);
    let resolved = only(&anomalies_before, &packages_after);
    let persisting = packages_after.intersection(&packages_before).count();
    assert_eq!(
        (count("introduced"), count("resolved"), count("persisting")),
        (introduced, resolved, persisting)
    );
}
