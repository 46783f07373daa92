//! The SOUP list of a device of two parts, the pump's firmware (a Cargo
//! lockfile) and its dose service (a Python `requirements.txt`), with two
//! releases: made in-process by the engine from the fixture project
//! `pump-device` and the real RustSec and PyPA advisory snapshots. The
//! documents an auditor reads are snapshots; the facts each must show are
//! checked on the report itself, so a changed snapshot says what it broke.

use cargo_soup::evaluate::{Audit, AuditOptions, FindingCode, State};
use cargo_soup::project::{AuditRequest, AuditScope, Input};
use cargo_soup::record::SupportLevel;
use cargo_soup::report::control::Provenance;
use cargo_soup::report::model::{self, Item, Report};
use cargo_soup::report::{csv, markdown, sections};
use time::format_description::well_known::Rfc3339;

use super::support::memory::{Memory, NOW};
use super::support::{fixture, redact_report, snapshot_settings};

/// The fixture device with both advisory snapshots loaded, as `fetch --from` loads them.
fn device() -> Memory {
    let mut m = Memory::copy_of("pump-device");
    let rustsec = fixture("advisories/rustsec-osv-2026-08-21.zip");
    let pypa = fixture("advisories/pypa-osv-2024-10-10.zip");
    m.project.fetch_mirror(&rustsec, None, false).unwrap();
    m.project
        .fetch_mirror(&pypa, Some("osv:PyPI"), false)
        .unwrap();
    m
}

/// The report of every part of the device (`release` `None`) or of one
/// release, generated at [`NOW`]; the snapshots' data is older than the policy allows.
fn report(m: &mut Memory, release: Option<&str>) -> Report {
    let provenance = Provenance {
        generated_at: NOW.format(&Rfc3339).unwrap(),
        ..Provenance::default()
    };
    let options = AuditOptions { allow_stale: true };
    m.project
        .report(
            &Input::default(),
            release,
            None,
            &options,
            &provenance,
            &mut m.out,
        )
        .unwrap()
}

/// The advisory data's location is the fixture's path on this machine.
fn redact(text: &str) -> String {
    let repository = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    redact_report(text, &[(repository, "[repository]")])
}

fn json_text(report: &Report) -> String {
    serde_json::to_string_pretty(&model::json(report).unwrap()).unwrap()
}

/// The one item `name version`.
fn item<'r>(report: &'r Report, name: &str, version: &str) -> &'r Item {
    let found: Vec<&Item> = report
        .items
        .iter()
        .filter(|i| i.component.name == name && i.component.version == version)
        .collect();
    assert_eq!(found.len(), 1, "{name} {version}");
    found[0]
}

/// Each of the six things the fixture is made of shows in the report.
fn assert_shows_the_device(report: &Report) {
    let tinyvec_macros = item(report, "tinyvec_macros", "0.1.1");
    assert_eq!(
        sections::covered_by(report, tinyvec_macros),
        Some("tinyvec")
    );

    let paste = item(report, "paste", "1.0.15");
    assert_eq!(paste.support.level, SupportLevel::Unmaintained);
    assert_eq!(
        paste.support.evidence,
        "advisory RUSTSEC-2024-0436 says it is unmaintained"
    );

    let python = item(report, "idna", "2.10");
    assert_eq!(python.component.purl_str(), Some("pkg:pypi/idna@2.10"));
    assert_eq!(python.support.level, SupportLevel::Unknown);
    let [investigated] = &python.anomalies[..] else {
        panic!("{:?}", python.anomalies);
    };
    assert_eq!(investigated.id, "PYSEC-2024-60");
    assert_eq!(investigated.state, State::UnderInvestigation);

    let rust = item(report, "idna", "0.5.0");
    let evaluation = rust.anomalies[0].evaluation.as_ref().unwrap();
    assert!(evaluation.hazardous);
    assert_eq!(evaluation.hazards, ["HAZ-04"]);
    assert_eq!(evaluation.risk_controls, ["RC-11"]);

    // Nothing else is open: the anomaly under investigation is open once, as
    // its own state, not again among the other findings.
    assert!(report.open.is_empty(), "{:?}", report.open);
}

#[test]
fn the_device_report_shows_every_part_and_compares_with_the_latest_release() {
    let mut m = device();
    let report = report(&mut m, None);
    assert_shows_the_device(&report);
    let parts: Vec<(&str, &str)> = report
        .control
        .inputs
        .iter()
        .map(|i| (i.path.as_str(), i.release.as_deref().unwrap_or("-")))
        .collect();
    assert_eq!(
        parts,
        [("Cargo.lock", "-"), ("service/requirements.txt", "-")]
    );
    // The working tree is what 1.1.0 shipped: every part of it compared, none
    // of it missing from the release's SBOM.
    let changes = report.changes.as_ref().unwrap();
    assert_eq!(changes.since, "1.1.0");
    assert!(changes.added.is_empty() && changes.removed.is_empty() && changes.changed.is_empty());
    assert_eq!(changes.unchanged, report.items.len());

    snapshot_settings().bind(|| {
        insta::assert_snapshot!("device_report_md", redact(&markdown::markdown(&report)));
        insta::assert_snapshot!("device_report_json", redact(&json_text(&report)));
    });
}

#[test]
fn the_second_release_report_analyses_the_change_since_the_first() {
    let mut m = device();
    let report = report(&mut m, Some("1.1.0"));
    assert_shows_the_device(&report);
    let changes = report.changes.as_ref().unwrap();
    assert_eq!(changes.since, "1.0.0");
    assert_eq!(changes.added, ["paste 1.0.15"]);
    assert_eq!(changes.removed, ["jinja2 2.11.2", "markupsafe 2.0.1"]);
    assert_eq!(changes.changed, ["tinyvec 1.6.0 -> 1.11.0"]);
    assert_eq!(changes.introduced, ["RUSTSEC-2024-0436 in paste 1.0.15"]);
    assert_eq!(changes.resolved, ["PYSEC-2021-66 in jinja2 2.11.2"]);
    let persisting: Vec<(&str, bool)> = changes
        .persisting
        .iter()
        .map(|p| (p.id.as_str(), p.evaluation_applies))
        .collect();
    assert_eq!(
        persisting,
        [("PYSEC-2024-60", false), ("RUSTSEC-2024-0421", true)]
    );
    // The dose service's idna anomaly is under investigation: the document
    // says so, and not that the earlier evaluation no longer applies.
    let standing: Vec<(State, &str)> = changes
        .persisting
        .iter()
        .map(|p| (p.state, p.standing()))
        .collect();
    assert_eq!(
        standing,
        [
            (
                State::UnderInvestigation,
                "under investigation: not concluded"
            ),
            (State::Evaluated, "yes")
        ]
    );
    let text = markdown::markdown(&report);
    assert!(
        text.contains("| under investigation: not concluded |"),
        "{text}"
    );
    assert!(!text.contains("evaluate again"), "{text}");
    // The release's SBOM has no dependency graph: the document says the
    // specification rule could not be applied, not that it was met.
    let answers = sections::clause_answers(&report);
    assert!(
        answers["5.3.3"]
            .ends_with("not applied to 7 items whose input does not say whether they are direct"),
        "{}",
        answers["5.3.3"]
    );

    snapshot_settings().bind(|| {
        insta::assert_snapshot!("device_release_md", redact(&markdown::markdown(&report)));
        // Line ends as the snapshot file keeps them; the CSV's own are CRLF.
        let csv = redact(&csv::csv(&report)).replace("\r\n", "\n");
        insta::assert_snapshot!("device_release_csv", csv);
    });
}

/// The audit of `scope`, stale data allowed.
fn audit(m: &mut Memory, scope: AuditScope) -> Audit {
    let request = AuditRequest {
        input: Input::default(),
        scope,
        options: AuditOptions { allow_stale: true },
        only_due: false,
        prompt_as: None,
        fetch: None,
    };
    m.project.audit(&request, &mut m.out).unwrap().audit
}

/// The subjects of the `unused-evaluation` findings of `audit`.
fn unused(audit: &Audit) -> Vec<String> {
    audit
        .findings
        .0
        .iter()
        .filter(|f| f.code == FindingCode::UnusedEvaluation)
        .map(|f| f.subject.clone())
        .collect()
}

const JINJA2: &str = "PYSEC-2021-66 pkg:pypi/jinja2@2.11.2";

#[test]
fn an_evaluation_a_release_in_the_field_uses_is_not_unused() {
    // Only release 1.0.0 has jinja2: neither the working tree nor 1.1.0 pins it.
    let mut m = device();
    assert_eq!(unused(&audit(&mut m, AuditScope::WorkingTree)), [""; 0]);
    let release = AuditScope::Release("1.1.0".into());
    assert_eq!(unused(&audit(&mut m, release.clone())), [""; 0]);
    assert_eq!(unused(&audit(&mut m, AuditScope::AllReleases)), [""; 0]);

    // Once no unit runs 1.0.0, nothing uses the evaluation.
    m.project.retire("1.0.0", true).unwrap();
    assert_eq!(unused(&audit(&mut m, AuditScope::WorkingTree)), [JINJA2]);
    assert_eq!(unused(&audit(&mut m, release)), [JINJA2]);
    assert_eq!(unused(&audit(&mut m, AuditScope::AllReleases)), [JINJA2]);
}

#[test]
fn release_usage_comes_from_the_registers_copy_of_a_baseline() {
    let mut m = device();
    let sbom = m
        .dir
        .path()
        .join("releases/1.0.0/infusion-pump-1.0.0.cdx.json");
    let baseline = cargo_soup::inventory::read_input(&sbom).unwrap();
    let changes = m.project.register().unwrap().begin("import", NOW).unwrap();
    changes
        .set_baseline(
            "1.0.0",
            "releases/1.0.0/infusion-pump-1.0.0.cdx.json",
            &baseline.input.sha256,
            &baseline.components,
        )
        .unwrap();
    changes.commit().unwrap();
    // The SBOM is not read again: the register's copy says 1.0.0 pins jinja2.
    std::fs::remove_file(&sbom).unwrap();
    assert_eq!(unused(&audit(&mut m, AuditScope::WorkingTree)), [""; 0]);
}

#[test]
fn a_companion_of_another_ecosystem_is_covered_by_its_package_url() {
    // Release 1.0.0 ships jinja2 with markupsafe, which the record's
    // `[soup."pkg:pypi/jinja2"]` covers as `pkg:pypi/MarkupSafe`.
    let mut m = device();
    let report = report(&mut m, Some("1.0.0"));
    let markupsafe = item(&report, "markupsafe", "2.0.1");
    assert_eq!(markupsafe.covered_by.as_deref(), Some("pkg:pypi/jinja2"));
    assert_eq!(sections::covered_by(&report, markupsafe), Some("jinja2"));
    let jinja2 = item(&report, "jinja2", "2.11.2");
    assert_eq!(jinja2.covered_by, None);
    assert_eq!(sections::covered_by(&report, jinja2), None);

    let text = markdown::markdown(&report);
    assert!(text.contains("| covered by jinja2 |"), "{text}");
    let json = model::json(&report).unwrap();
    let covered_by = |name: &str| {
        json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["component"]["name"] == name)
            .map(|i| i["covered_by"].clone())
            .unwrap()
    };
    assert_eq!(covered_by("markupsafe"), "pkg:pypi/jinja2");
    assert_eq!(covered_by("tinyvec"), serde_json::Value::Null);
}

#[test]
fn directness_unknown_names_the_input_it_comes_from() {
    // The dose service's requirements.txt lists pins, with no dependency graph.
    let mut m = device();
    let check = m
        .project
        .check(
            &Input::default(),
            &AuditOptions { allow_stale: true },
            &mut m.out,
        )
        .unwrap();
    let [note] = &check.notes[..] else {
        panic!("{:?}", check.notes);
    };
    assert_eq!(note.code, FindingCode::DirectnessUnknown);
    assert!(
        note.message
            .contains("(a requirements.txt, which has no dependency graph)"),
        "{}",
        note.message
    );
    assert!(!note.message.contains("SBOM"), "{}", note.message);
}
