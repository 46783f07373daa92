//! The evaluation lifecycle in-process: every state an anomaly can be in and
//! every reason it is due, the class rules, and release audits, driven through
//! the library's `Project` on an in-memory register and store, with the real
//! bundled RustSec snapshot and real lockfiles and SBOMs.

use std::collections::BTreeSet;

use cargo_soup::evaluate::{
    Assessment, Audit, AuditOptions, DueReason, FindingCode, Judgement, State,
};
use cargo_soup::out::Scripted;
use cargo_soup::project::{AuditRequest, AuditScope, EvaluateRequest, ImportOutcome, ProjectError};
use cargo_soup::record::{Action, Evaluation, SafetyClass, VexJustification, VexStatus};
use time::macros::date;

use super::support::fixture;
use super::support::memory::Memory;

const IDNA: &str = "RUSTSEC-2024-0421";
const BY: &str = "Test Engineer <test@example.com>";

/// The audit of the working tree, stale data allowed (the snapshot is old).
fn request(m: &Memory) -> AuditRequest {
    AuditRequest {
        input: m.input(),
        scope: AuditScope::WorkingTree,
        options: AuditOptions { allow_stale: true },
        only_due: false,
        prompt_as: None,
        fetch: None,
    }
}

fn audit(m: &mut Memory) -> Audit {
    let request = request(m);
    m.project.audit(&request, &mut m.out).unwrap().audit
}

/// The one assessment of `id` in `name@version`.
fn assessment<'a>(audit: &'a Audit, id: &str, name: &str, version: &str) -> &'a Assessment {
    let found: Vec<&Assessment> = audit
        .assessments
        .iter()
        .filter(|a| {
            a.anomaly.id == id
                && a.anomaly.component.name == name
                && a.anomaly.component.version == version
        })
        .collect();
    assert_eq!(found.len(), 1, "{id} in {name}@{version}");
    found[0]
}

fn judgement(hazardous: bool, status: VexStatus) -> Judgement {
    Judgement {
        hazardous,
        hazards: if hazardous {
            vec!["HAZ-7".into()]
        } else {
            Vec::new()
        },
        risk_controls: Vec::new(),
        vex_status: status,
        vex_justification: (status == VexStatus::NotAffected)
            .then_some(VexJustification::VulnerableCodeNotInExecutePath),
        action: Action::None,
        rationale: "host names come only from the pump's own configuration".into(),
    }
}

fn evaluate(
    m: &mut Memory,
    id: &str,
    package: &str,
    judgement: Judgement,
) -> Result<Evaluation, ProjectError> {
    let request = EvaluateRequest {
        advisory: id.into(),
        package: package.into(),
        judgement,
        by: BY.into(),
        input: m.input(),
        scope: AuditScope::WorkingTree,
    };
    m.project.evaluate(request, &mut m.out)
}

/// Records the pump's one anomaly as not hazardous.
fn evaluate_idna(m: &mut Memory) -> Evaluation {
    evaluate(
        m,
        IDNA,
        "idna@0.5.0",
        judgement(false, VexStatus::NotAffected),
    )
    .unwrap()
}

/// Pins idna 0.5.0 of the pump's lockfile at `version` instead, as a version bump would.
fn pin_idna(m: &Memory, version: &str) {
    let text = std::fs::read_to_string(m.lockfile()).unwrap().replace(
        "name = \"idna\"\nversion = \"0.5.0\"",
        &format!("name = \"idna\"\nversion = \"{version}\""),
    );
    std::fs::write(m.lockfile(), text).unwrap();
}

/// How many evaluations the record on disk holds.
fn evaluations(m: &Memory) -> usize {
    let path = m.dir.path().join("soup-register.toml");
    cargo_soup::record::RecordFile::load(&path)
        .unwrap()
        .record()
        .evaluations
        .len()
}

fn codes(audit: &Audit) -> BTreeSet<&'static str> {
    audit
        .findings
        .needing_person()
        .map(|f| f.code.as_str())
        .collect()
}

#[test]
fn a_new_anomaly_needs_a_person_until_it_is_evaluated() {
    let mut m = Memory::pump(SafetyClass::B);
    let first = audit(&mut m);
    let idna = assessment(&first, IDNA, "idna", "0.5.0");
    assert_eq!(idna.state, State::New);
    // OSV's `introduced: 0.0.0-0` stays out of sight.
    assert_eq!(idna.anomaly.affected, ["all versions before 1.0.0"]);
    assert!(idna.needs_person && first.needs_person());
    assert_eq!(codes(&first), BTreeSet::from(["unevaluated-anomaly"]));

    let recorded = evaluate_idna(&mut m);
    assert_eq!(recorded.review_by, date!(2027 - 11 - 24));
    assert_eq!(evaluations(&m), 1);
    let after = audit(&mut m);
    let idna = assessment(&after, IDNA, "idna", "0.5.0");
    assert_eq!(idna.state, State::Evaluated);
    assert_eq!(idna.evaluation.as_ref(), Some(&recorded));
    assert!(!after.needs_person(), "{:?}", after.findings);
}

#[test]
fn an_evaluation_is_due_when_its_review_date_passes() {
    let mut m = Memory::pump(SafetyClass::B);
    evaluate_idna(&mut m);
    m.project.today = date!(2027 - 11 - 25);
    let later = audit(&mut m);
    let idna = assessment(&later, IDNA, "idna", "0.5.0");
    assert_eq!(idna.state, State::Due);
    assert_eq!(
        idna.reasons,
        [DueReason::ReviewDatePassed {
            review_by: "2027-11-24".into()
        }]
    );
    assert_eq!(codes(&later), BTreeSet::from(["evaluation-due"]));
}

#[test]
fn an_evaluation_is_due_when_the_advisory_is_modified_after_it() {
    let mut m = Memory::pump(SafetyClass::B);
    let recorded = evaluate_idna(&mut m);
    // As if the advisory was evaluated before its last revision (a fraction of a
    // second before: compared as instants, not as text).
    let text = m.record_text().replace(
        &format!("advisory_modified = \"{}\"", recorded.advisory_modified),
        "advisory_modified = \"2020-01-01T00:00:00.5Z\"",
    );
    std::fs::write(m.dir.path().join("soup-register.toml"), text).unwrap();
    m.project.reload().unwrap();
    let idna = assessment(&audit(&mut m), IDNA, "idna", "0.5.0").clone();
    assert_eq!(idna.state, State::Due);
    assert!(
        matches!(&idna.reasons[..], [DueReason::AdvisoryModified { evaluated, .. }] if evaluated == "2020-01-01T00:00:00.5Z"),
        "{:?}",
        idna.reasons
    );
}

#[test]
fn a_changed_version_is_offered_for_carrying_forward_and_carries_its_origin() {
    let mut m = Memory::pump(SafetyClass::B);
    evaluate_idna(&mut m);
    pin_idna(&m, "0.4.0");
    let bumped = audit(&mut m);
    let idna = assessment(&bumped, IDNA, "idna", "0.4.0");
    assert_eq!(idna.state, State::Due);
    assert_eq!(
        idna.reasons,
        [DueReason::VersionChanged {
            from: "0.5.0".into()
        }]
    );
    assert_eq!(
        idna.carry_from.as_ref().map(|e| e.purl.as_str()),
        Some("pkg:cargo/idna@0.5.0")
    );
    // The evaluation of 0.5.0 matches no anomaly now: it is kept, and said to be unused.
    assert!(
        bumped
            .findings
            .0
            .iter()
            .any(|f| f.code == FindingCode::UnusedEvaluation)
    );

    // On a terminal, one confirmation carries it forward.
    let mut request = request(&m);
    request.prompt_as = Some(BY.into());
    let mut out = Scripted::new(&["y"]);
    let run = m.project.audit(&request, &mut out).unwrap();
    let carried = assessment(&run.audit, IDNA, "idna", "0.4.0");
    assert_eq!(carried.state, State::Evaluated);
    let evaluation = carried.evaluation.as_ref().unwrap();
    assert_eq!(evaluation.carried_from.as_deref(), Some("0.5.0"));
    assert!(
        out.transcript
            .iter()
            .any(|l| l.contains("Carry it forward")),
        "{:?}",
        out.transcript
    );
}

#[test]
fn two_versions_pinned_together_are_two_anomalies_and_a_bare_name_is_ambiguous() {
    let mut m = Memory::new("lockfiles/tikv-92cf4709fd.Cargo.lock", SafetyClass::B, "");
    let id = "RUSTSEC-2021-0093";
    let refused = evaluate(
        &mut m,
        id,
        "crossbeam-deque",
        judgement(false, VexStatus::NotAffected),
    )
    .unwrap_err()
    .to_string();
    assert!(
        refused.contains("3 versions are pinned (0.2.0, 0.6.2, 0.7.1)"),
        "{refused}"
    );
    assert_eq!(evaluations(&m), 0, "a refusal wrote the record");

    evaluate(
        &mut m,
        id,
        "crossbeam-deque@0.7.1",
        judgement(false, VexStatus::NotAffected),
    )
    .unwrap();
    let after = audit(&mut m);
    assert_eq!(
        assessment(&after, id, "crossbeam-deque", "0.7.1").state,
        State::Evaluated
    );
    for version in ["0.2.0", "0.6.2"] {
        let other = assessment(&after, id, "crossbeam-deque", version);
        assert_eq!(other.state, State::New, "{version}: {:?}", other.reasons);
        assert!(other.carry_from.is_none());
    }
}

#[test]
fn under_investigation_stays_open_with_a_short_review_date() {
    let mut m = Memory::pump(SafetyClass::B);
    let recorded = evaluate(
        &mut m,
        IDNA,
        "idna@0.5.0",
        judgement(false, VexStatus::UnderInvestigation),
    )
    .unwrap();
    assert_eq!(recorded.review_by, date!(2026 - 12 - 24));
    let after = audit(&mut m);
    let idna = assessment(&after, IDNA, "idna", "0.5.0");
    assert_eq!(idna.state, State::UnderInvestigation);
    assert!(idna.needs_person && after.needs_person());
    assert_eq!(
        codes(&after),
        BTreeSet::from(["evaluation-under-investigation"])
    );
}

#[test]
fn a_hazard_without_a_risk_control_is_recorded_and_stays_a_finding() {
    let mut m = Memory::pump(SafetyClass::B);
    let recorded = evaluate(
        &mut m,
        IDNA,
        "idna@0.5.0",
        judgement(true, VexStatus::Affected),
    )
    .unwrap();
    assert!(recorded.lacks_risk_control());
    let after = audit(&mut m);
    let idna = assessment(&after, IDNA, "idna", "0.5.0");
    assert_eq!(idna.reasons, [DueReason::HazardousWithoutRiskControl]);
    assert!(
        codes(&after).contains("hazard-without-risk-control"),
        "{:?}",
        codes(&after)
    );
}

#[test]
fn a_later_evaluation_supersedes_and_the_history_stays() {
    let mut m = Memory::pump(SafetyClass::B);
    evaluate(
        &mut m,
        IDNA,
        "idna@0.5.0",
        judgement(false, VexStatus::UnderInvestigation),
    )
    .unwrap();
    m.project.today = date!(2026 - 12 - 01);
    let second = evaluate(
        &mut m,
        IDNA,
        "idna@0.5.0",
        judgement(false, VexStatus::NotAffected),
    )
    .unwrap();
    assert_eq!(evaluations(&m), 2);
    let after = audit(&mut m);
    let idna = assessment(&after, IDNA, "idna", "0.5.0");
    assert_eq!(idna.state, State::Evaluated);
    assert_eq!(idna.evaluation.as_ref(), Some(&second));
}

#[test]
fn an_evaluation_that_matches_nothing_is_unused() {
    let mut m = Memory::pump(SafetyClass::B);
    evaluate_idna(&mut m);
    pin_idna(&m, "1.0.0");
    let after = audit(&mut m);
    assert!(after.assessments.is_empty());
    let unused: Vec<&str> = after
        .findings
        .0
        .iter()
        .filter(|f| f.code == FindingCode::UnusedEvaluation)
        .map(|f| f.subject.as_str())
        .collect();
    assert_eq!(unused, [format!("{IDNA} pkg:cargo/idna@0.5.0")]);
    assert!(!after.needs_person());
}

#[test]
fn a_withdrawn_advisory_keeps_its_evaluation_and_is_reported() {
    let mut m = Memory::pump(SafetyClass::B);
    evaluate_idna(&mut m);
    let files: Vec<(String, Vec<u8>)> = super::support::zip_files("rustsec-osv-2026-08-21.zip")
        .into_iter()
        .map(
            |(name, bytes)| match name.ends_with(&format!("{IDNA}.json")) {
                false => (name, bytes),
                true => {
                    let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    json["withdrawn"] = "2026-09-01T00:00:00Z".into();
                    (name, serde_json::to_vec(&json).unwrap())
                }
            },
        )
        .collect();
    let mirror = m.dir.path().join("mirror.zip");
    std::fs::write(&mirror, super::support::zip_of(&files)).unwrap();
    m.project
        .fetch_mirror(&mirror, Some("rustsec"), false)
        .unwrap();
    let after = audit(&mut m);
    assert!(after.assessments.is_empty());
    let withdrawn: Vec<&str> = after
        .findings
        .0
        .iter()
        .filter(|f| f.code == FindingCode::AnomalyWithdrawn)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(withdrawn.len(), 1);
    assert!(withdrawn[0].contains("2026-09-01"), "{withdrawn:?}");
    assert!(m.record_text().contains(IDNA));
}

#[test]
fn releases_in_the_field_are_audited_and_retired_ones_left_out() {
    let mut m = Memory::pump(SafetyClass::B);
    let sbom = fixture("sboms/rust-nushell-0522023d4c.cargo-sbom.cdx-1.6.json");
    let imported = m.project.import(&sbom, "1.0.0", false).unwrap();
    assert!(
        matches!(
            imported,
            ImportOutcome::Imported {
                components: 419,
                ..
            }
        ),
        "{imported:?}"
    );
    assert_eq!(
        m.project.import(&sbom, "1.0.0", false).unwrap(),
        ImportOutcome::Unchanged
    );

    // The release's audit equals an audit of its SBOM as an input file.
    let mut release = request(&m);
    release.scope = AuditScope::AllReleases;
    let fleet = m.project.audit(&release, &mut m.out).unwrap();
    let mut direct = request(&m);
    direct.input.lockfile = None;
    direct.input.sbom = Some(sbom.clone());
    let of_file = m.project.audit(&direct, &mut m.out).unwrap();
    let ids = |audit: &Audit| -> BTreeSet<String> {
        audit
            .assessments
            .iter()
            .map(|a| format!("{} {}", a.anomaly.id, a.anomaly.component.key()))
            .collect()
    };
    assert!(!fleet.audit.assessments.is_empty());
    assert_eq!(ids(&fleet.audit), ids(&of_file.audit));
    assert_eq!(fleet.subjects[0].release.as_deref(), Some("1.0.0"));

    m.project.retire("1.0.0", true).unwrap();
    let retired = m.project.audit(&release, &mut m.out).unwrap();
    assert!(retired.subjects.is_empty() && retired.audit.assessments.is_empty());
}

/// The scheduled check parses each release's SBOM once: later audits take the
/// register's copy while the file is unchanged, find the same, and leave its
/// pins as they were. An SBOM changed on disk is refused all the same.
#[test]
fn a_kept_release_baseline_finds_the_same_and_a_changed_sbom_is_still_refused() {
    let mut m = Memory::pump(SafetyClass::B);
    let sbom = fixture("sboms/rust-nushell-0522023d4c.cargo-sbom.cdx-1.6.json");
    m.project.import(&sbom, "1.0.0", false).unwrap();
    let mut fleet = request(&m);
    fleet.scope = AuditScope::AllReleases;
    let found = |audit: &Audit| -> Vec<String> {
        audit
            .assessments
            .iter()
            .map(|a| {
                format!(
                    "{} {} {:?}",
                    a.anomaly.id,
                    a.anomaly.component.key(),
                    a.state
                )
            })
            .collect()
    };

    let first = m.project.audit(&fleet, &mut m.out).unwrap();
    let pins = m.project.register().unwrap().pins().unwrap();
    let second = m.project.audit(&fleet, &mut m.out).unwrap();
    assert!(!first.audit.assessments.is_empty());
    assert_eq!(found(&second.audit), found(&first.audit));
    let inputs = |run: &cargo_soup::project::AuditRun| -> Vec<String> {
        run.subjects
            .iter()
            .map(|s| format!("{} {}", s.input.path.display(), s.input.sha256))
            .collect()
    };
    assert_eq!(inputs(&second), inputs(&first));
    assert_eq!(m.project.register().unwrap().pins().unwrap(), pins);

    let copy = m.project.record().unwrap().record().releases[0]
        .sbom
        .clone();
    let copy = m.dir.path().join(copy);
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&copy, bytes).unwrap();
    let refused = m.project.audit(&fleet, &mut m.out).err();
    assert!(
        matches!(refused, Some(ProjectError::BaselineChanged { .. })),
        "{refused:?}"
    );
}

/// For each safety class, `audit`, `check` and `report` on the same project
/// agree on what needs a person, because all three come from one assessment.
#[test]
fn audit_check_and_report_agree_for_every_class() {
    for class in [SafetyClass::A, SafetyClass::B, SafetyClass::C] {
        // tikv: many anomalies, and direct items without a specification.
        let mut m = Memory::new("lockfiles/tikv-92cf4709fd.Cargo.lock", class, "");
        let options = AuditOptions { allow_stale: true };
        let audited = audit(&mut m);
        let check = m.project.check(&m.input(), &options, &mut m.out).unwrap();
        let report = {
            let input = m.input();
            m.working_tree_report(input)
        };

        let from_audit: BTreeSet<(String, String)> = audited
            .findings
            .needing_person()
            .map(|f| (f.code.as_str().to_string(), f.subject.clone()))
            .collect();
        let from_check: BTreeSet<(String, String)> = check
            .gaps
            .iter()
            .map(|f| (f.code.as_str().to_string(), f.subject.clone()))
            .collect();
        assert_eq!(from_audit, from_check, "class {}", class.as_str());

        let open_in_report: BTreeSet<String> = report
            .items
            .iter()
            .flat_map(|item| {
                item.anomalies
                    .iter()
                    .filter(|a| a.needs_person)
                    .map(move |a| format!("{} {}", a.id, item.component.key()))
            })
            .collect();
        let open_in_audit: BTreeSet<String> = audited
            .assessments
            .iter()
            .filter(|a| a.needs_person)
            .map(|a| format!("{} {}", a.anomaly.id, a.anomaly.component.key()))
            .collect();
        assert_eq!(open_in_report, open_in_audit, "class {}", class.as_str());

        match class {
            SafetyClass::A => {
                assert!(!audited.needs_person(), "{:?}", from_audit);
                assert!(check.gaps.is_empty());
                assert!(open_in_audit.is_empty());
            }
            SafetyClass::B | SafetyClass::C => {
                assert!(
                    from_audit
                        .iter()
                        .any(|(code, _)| code == "unevaluated-anomaly")
                );
                assert!(
                    from_audit
                        .iter()
                        .any(|(code, _)| code == "missing-specification")
                );
            }
        }
    }
}

#[test]
fn a_source_that_shrinks_sharply_is_not_swapped_in_silently() {
    let mut m = Memory::pump(SafetyClass::B);
    let full = m.dir.path().join("rustsec.zip");
    std::fs::copy(fixture("advisories/rustsec-osv-2026-08-21.zip"), &full).unwrap();
    assert_eq!(
        m.project
            .fetch_mirror(&full, None, false)
            .unwrap()
            .record_count,
        1206
    );
    let one: Vec<(String, Vec<u8>)> = super::support::zip_files("rustsec-osv-2026-08-21.zip")
        .into_iter()
        .filter(|(name, _)| name.ends_with(&format!("{IDNA}.json")))
        .collect();
    let small = m.dir.path().join("one.zip");
    std::fs::write(&small, super::support::zip_of(&one)).unwrap();
    let refused = m
        .project
        .fetch_mirror(&small, None, false)
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("holds 1 records where the data it would replace holds 1206"),
        "{refused}"
    );
    assert!(refused.contains("--replace"), "{refused}");
    assert_eq!(audit(&mut m).advisory_data[0].source.record_count, 1206);
    assert_eq!(
        m.project
            .fetch_mirror(&small, None, true)
            .unwrap()
            .record_count,
        1
    );
}

#[test]
fn a_placeholder_modified_time_is_never_a_sources_newest_record() {
    // Every record of the Go database export says `modified: 0001-01-01T00:00:00Z`.
    let mut m = Memory::pump(SafetyClass::B);
    let info = m
        .project
        .fetch_mirror(
            &fixture("advisories/go-vulndb-osv-2026-08-21.zip"),
            None,
            false,
        )
        .unwrap();
    assert_eq!(info.record_count, 4291);
    assert_eq!(info.data_date, "", "{info:?}");
    let line = cargo_soup::project::describe_loaded(&info);
    assert!(line.ends_with("(no record says when it changed)"), "{line}");
}

#[test]
fn an_anomaly_in_both_versions_of_an_item_persists_across_a_diff() {
    // idna 0.5.0 -> 0.4.0: RUSTSEC-2024-0421 affects both versions.
    let mut m = Memory::pump(SafetyClass::B);
    evaluate_idna(&mut m);
    let before = m.dir.path().join("before.Cargo.lock");
    std::fs::copy(m.lockfile(), &before).unwrap();
    pin_idna(&m, "0.4.0");
    let after = m.dir.path().join("after.Cargo.lock");
    std::fs::copy(m.lockfile(), &after).unwrap();
    let input = m.input();
    let diff = m
        .project
        .diff(
            before.to_str().unwrap(),
            after.to_str().unwrap(),
            &input,
            &mut m.out,
        )
        .unwrap();
    assert!(diff.anomalies.introduced.is_empty(), "{:?}", diff.anomalies);
    assert!(diff.anomalies.resolved.is_empty(), "{:?}", diff.anomalies);
    let [persisting] = &diff.anomalies.persisting[..] else {
        panic!("{:?}", diff.anomalies);
    };
    assert_eq!(persisting.id, IDNA);
    assert_eq!(
        (&persisting.before[..], &persisting.after[..]),
        (&["0.5.0".to_string()][..], &["0.4.0".to_string()][..])
    );
    assert!(persisting.version_changed);
    // The evaluation was of 0.5.0: after the change it must be carried or made again.
    assert!(!persisting.evaluation_applies);
    assert_eq!(diff.changed.len(), 1);
}

#[test]
fn an_anomaly_of_a_release_is_evaluated_where_the_audit_found_it() {
    let mut m = Memory::pump(SafetyClass::B);
    let sbom = fixture("sboms/rust-nushell-0522023d4c.cargo-sbom.cdx-1.6.json");
    m.project.import(&sbom, "1.0.0", false).unwrap();
    let mut release = request(&m);
    release.scope = AuditScope::Release("1.0.0".into());
    let found = m.project.audit(&release, &mut m.out).unwrap();
    let first = found
        .audit
        .assessments
        .iter()
        .find(|a| a.state == State::New)
        .unwrap();
    let (id, name, version) = (
        first.anomaly.id.clone(),
        first.anomaly.component.name.clone(),
        first.anomaly.component.version.clone(),
    );
    let request = EvaluateRequest {
        advisory: id.clone(),
        package: format!("{name}@{version}"),
        judgement: judgement(false, VexStatus::NotAffected),
        by: BY.into(),
        input: Default::default(),
        scope: AuditScope::Release("1.0.0".into()),
    };
    m.project.evaluate(request, &mut m.out).unwrap();
    let after = m.project.audit(&release, &mut m.out).unwrap();
    assert_eq!(
        assessment(&after.audit, &id, &name, &version).state,
        State::Evaluated
    );
}

/// A device of three parts named in the record: the Cargo lockfile, a web
/// front end's `package-lock.json` and a Python service's `uv.lock`.
fn device() -> Memory {
    let parts = r#"
[[input]]
path = "Cargo.lock"
label = "pump firmware"

[[input]]
path = "web/package-lock.json"
label = "clinician web UI"

[[input]]
path = "service/uv.lock"
label = "dose service"
"#;
    let m = Memory::new("projects/pump/Cargo.lock", SafetyClass::B, parts);
    for (from, to) in [
        (
            "ecosystems/npm-v3/package-lock.json",
            "web/package-lock.json",
        ),
        ("ecosystems/uv/uv.lock", "service/uv.lock"),
    ] {
        let target = m.dir.path().join(to);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(fixture(from), target).unwrap();
    }
    m
}

#[test]
fn one_audit_report_and_check_cover_every_part_of_the_device() {
    let mut m = device();
    let pypa = fixture("advisories/pypa-osv-2024-10-10.zip");
    m.project
        .fetch_mirror(&pypa, Some("osv:PyPI"), false)
        .unwrap();
    let mut whole = request(&m);
    whole.input = Default::default();
    let run = m.project.audit(&whole, &mut m.out).unwrap();
    let parts: BTreeSet<&str> = run
        .audit
        .assessments
        .iter()
        .filter_map(|a| a.anomaly.component.input.as_deref())
        .collect();
    assert_eq!(parts, BTreeSet::from(["dose service", "pump firmware"]));
    assert_eq!(run.subjects.len(), 3);
    // npm has no advisory data in this store: said, not silent.
    let missing: Vec<&str> = run
        .audit
        .findings
        .0
        .iter()
        .filter(|f| f.code == FindingCode::AdvisoryDataMissing)
        .map(|f| f.subject.as_str())
        .collect();
    assert_eq!(missing, ["npm"]);

    let listing = m.project.list(&Default::default(), &mut m.out).unwrap();
    assert_eq!(listing.inventories.len(), 3);
    let labels: BTreeSet<Option<&str>> = listing
        .inventories
        .iter()
        .flat_map(|i| &i.components)
        .map(|c| c.input.as_deref())
        .collect();
    assert_eq!(
        labels,
        BTreeSet::from([
            Some("clinician web UI"),
            Some("dose service"),
            Some("pump firmware")
        ])
    );

    let options = AuditOptions { allow_stale: true };
    let check = m
        .project
        .check(&Default::default(), &options, &mut m.out)
        .unwrap();
    let report = m.working_tree_report(Default::default());
    let in_report: BTreeSet<&str> = report
        .items
        .iter()
        .filter_map(|item| item.component.input.as_deref())
        .collect();
    assert_eq!(in_report.len(), 3, "{in_report:?}");
    let gaps: BTreeSet<String> = check
        .gaps
        .iter()
        .map(|g| format!("{} {}", g.code.as_str(), g.subject))
        .collect();
    let needing: BTreeSet<String> = run
        .audit
        .findings
        .needing_person()
        .map(|g| format!("{} {}", g.code.as_str(), g.subject))
        .collect();
    assert_eq!(gaps, needing);
}

#[test]
fn check_says_when_it_could_not_apply_the_specification_rule() {
    // The real Python SBOM without its `dependencies`: no item says it is direct.
    let mut m = Memory::pump(SafetyClass::B);
    let mut sbom: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("sboms/python-venv.cdx-1.6.json")).unwrap())
            .unwrap();
    sbom.as_object_mut().unwrap().remove("dependencies");
    let path = m.dir.path().join("no-graph.cdx.json");
    std::fs::write(&path, serde_json::to_vec(&sbom).unwrap()).unwrap();
    let mut input = m.input();
    input.lockfile = None;
    input.sbom = Some(path);
    let options = AuditOptions { allow_stale: true };
    let check = m.project.check(&input, &options, &mut m.out).unwrap();
    let listing = m.project.list(&input, &mut m.out).unwrap();
    let unknown = listing.inventories[0]
        .components
        .iter()
        .filter(|c| c.direct.is_none())
        .count();
    assert_eq!(unknown, 14);
    let [note] = &check.notes[..] else {
        panic!("{:?}", check.notes);
    };
    assert_eq!(note.code, FindingCode::DirectnessUnknown);
    assert_eq!(note.subject, format!("{unknown} SOUP items"));
    assert!(
        note.message
            .contains("(a CycloneDX JSON SBOM without a dependency graph)"),
        "{}",
        note.message
    );
    assert!(
        !check
            .gaps
            .iter()
            .any(|g| g.code == FindingCode::MissingSpecification)
    );
}

#[test]
fn a_specification_says_which_versions_it_was_written_for() {
    let spec = r#"
[soup.idna]
purpose = "decodes the host names of the pump's own network configuration"
needs = "the Rust standard library"
risk = "low"
versions = ["0.5"]
"#;
    let mut m = Memory::new("projects/pump/Cargo.lock", SafetyClass::B, spec);
    let report = {
        let input = m.input();
        m.working_tree_report(input)
    };
    let idna = report
        .items
        .iter()
        .find(|i| i.component.name == "idna")
        .unwrap();
    let written_for = idna.specification.as_ref().map(|s| s.versions.clone());
    assert_eq!(written_for, Some(vec!["0.5".to_string()]));
    let markdown = cargo_soup::report::markdown::markdown(&report);
    assert!(markdown.contains("Written for versions"), "{markdown}");
}
