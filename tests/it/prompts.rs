//! The interactive audit through a real pseudo-terminal, typed as a user would.

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

use super::support::scene::{PUMP_RATIONALE, Project, evaluate_idna};

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

/// `audit` on a terminal in the project, reading its Cargo.lock directly.
fn audit_on_a_terminal(project: &Project) -> PtySession {
    let command = project.command(&[
        "audit",
        "--offline",
        "--allow-stale",
        "--lockfile",
        "Cargo.lock",
    ]);
    spawn_command(command, Some(30_000)).unwrap()
}

/// Waits until the prompt has drawn `last` (its last line) and the terminal is
/// reading keys, then types `keys`, as a person would after reading the prompt.
pub(super) fn answer(session: &mut PtySession, last: &str, keys: &str) {
    session.exp_string(last).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    session.send(keys).unwrap();
    session.flush().unwrap();
}

const LAST_CHOICE: &str = "quit (keep what is recorded)";

pub(super) fn exit_code(session: &mut PtySession) -> i32 {
    session.exp_eof().unwrap();
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("cargo-soup did not exit normally: {other:?}"),
    }
}

fn pump_with_record() -> Project {
    let project = Project::copy_of("pump");
    project.init_class_b();
    project
}

#[test]
fn the_engineer_evaluates_a_new_anomaly_and_the_record_gains_exactly_it() {
    let project = pump_with_record();
    let before = project.record();
    let mut session = audit_on_a_terminal(&project);
    session.exp_string("RUSTSEC-2024-0421").unwrap();
    session.exp_string("fixed in: 1.0.0").unwrap();
    session
        .exp_string("pulled in by: infusion-pump -> idna")
        .unwrap();
    answer(&mut session, LAST_CHOICE, ENTER);
    // No answer is preselected: the hazard question takes only y or n, and
    // each judgement is typed, never taken from a highlighted first item.
    answer(&mut session, "[y/n]", "n");
    answer(&mut session, "4) under_investigation", "not_affected\r");
    answer(
        &mut session,
        "5) inline_mitigations_already_exist",
        "vulnerable_code_not_in_execute_path\r",
    );
    answer(&mut session, "3) mitigate", "none\r");
    answer(
        &mut session,
        "Rationale (required)",
        "host names come only from the pump configuration\r",
    );
    session
        .exp_string("recorded the evaluation of RUSTSEC-2024-0421")
        .unwrap();
    assert_eq!(exit_code(&mut session), 0);

    let after = project.record();
    assert!(
        after.starts_with(&before),
        "the existing record was rewritten"
    );
    let added = &after[before.len()..];
    assert_eq!(added.matches("[[evaluation]]").count(), 1, "{added}");
    for expected in [
        "advisory = \"RUSTSEC-2024-0421\"",
        "aliases = [\"CVE-2024-12224\", \"GHSA-h97m-ww89-6jmq\"]",
        "purl = \"pkg:cargo/idna@0.5.0\"",
        "by = \"Test Engineer <test@example.com>\"",
        "review_by = 2027-11-24",
        "hazardous = false",
        "vex_status = \"not_affected\"",
        "vex_justification = \"vulnerable_code_not_in_execute_path\"",
        "action = \"none\"",
        "rationale = \"host names come only from the pump configuration\"",
    ] {
        assert!(added.contains(expected), "missing {expected} in:\n{added}");
    }
    project
        .run(&[
            "audit",
            "--offline",
            "--allow-stale",
            "--lockfile",
            "Cargo.lock",
        ])
        .expect(0);
}

#[test]
fn a_skipped_anomaly_stays_open_and_nothing_is_written() {
    let project = pump_with_record();
    let before = project.record();
    let mut session = audit_on_a_terminal(&project);
    answer(&mut session, LAST_CHOICE, &format!("{DOWN}{ENTER}"));
    session.exp_string("skipped: it stays open").unwrap();
    assert_eq!(exit_code(&mut session), 1);
    assert_eq!(project.record(), before);
}

#[test]
fn quitting_keeps_the_record_as_it_was() {
    let project = pump_with_record();
    let before = project.record();
    let mut session = audit_on_a_terminal(&project);
    answer(&mut session, LAST_CHOICE, &format!("{DOWN}{DOWN}{ENTER}"));
    assert_eq!(exit_code(&mut session), 1);
    assert_eq!(project.record(), before);
}

#[test]
fn a_hazardous_answer_asks_for_hazards_and_controls() {
    let project = pump_with_record();
    let mut session = audit_on_a_terminal(&project);
    answer(&mut session, LAST_CHOICE, ENTER);
    answer(&mut session, "[y/n]", "y");
    answer(
        &mut session,
        "Hazard IDs in the risk management file (comma-separated)",
        "HAZ-12, HAZ-13\r",
    );
    answer(&mut session, "empty leaves a finding)", "RC-4\r");
    answer(&mut session, "under_investigation", "1\r");
    answer(&mut session, "3) mitigate", "update\r");
    answer(
        &mut session,
        "Rationale (required)",
        "update to idna 1.0 in the next release\r",
    );
    session.exp_string("recorded the evaluation").unwrap();
    assert_eq!(exit_code(&mut session), 0);
    let record = project.record();
    for expected in [
        "hazardous = true",
        "hazards = [\"HAZ-12\", \"HAZ-13\"]",
        "risk_controls = [\"RC-4\"]",
        "vex_status = \"affected\"",
        "action = \"update\"",
    ] {
        assert!(
            record.contains(expected),
            "missing {expected} in:\n{record}"
        );
    }
}

#[test]
fn a_version_bump_offers_to_carry_the_evaluation_forward() {
    let project = pump_with_record();
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    let lockfile = std::fs::read_to_string(project.path("Cargo.lock")).unwrap().replace(
        "version = \"0.5.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"634d9b1461af396cad843f47fdba5597a4f9e6ddd4bfb6ff5d85028c25cb12f6\"",
        "version = \"0.4.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"7d20d6b07bfbc108882d88ed8e37d39636dcc260e15e30c45e6ba089610b917c\"",
    );
    std::fs::write(project.path("Cargo.lock"), lockfile).unwrap();
    let before = project.record();
    let mut session = audit_on_a_terminal(&project);
    session
        .exp_string("An evaluation of version 0.5.0 exists")
        .unwrap();
    answer(&mut session, "[y/n]", "y");
    session
        .exp_string("recorded the evaluation of RUSTSEC-2024-0421 for pkg:cargo/idna@0.4.0")
        .unwrap();
    assert_eq!(exit_code(&mut session), 0);
    let after = project.record();
    assert!(after.starts_with(&before));
    let added = &after[before.len()..];
    assert!(added.contains("purl = \"pkg:cargo/idna@0.4.0\""), "{added}");
    assert!(added.contains("carried_from = \"0.5.0\""), "{added}");
    assert!(
        added.contains("vex_justification = \"vulnerable_code_not_in_execute_path\""),
        "{added}"
    );
}

#[test]
fn init_asks_for_the_safety_class_on_a_terminal() {
    let project = Project::copy_of("pump");
    let command = project.command(&["init"]);
    let mut session = spawn_command(command, Some(30_000)).unwrap();
    session.exp_string("Software safety class").unwrap();
    // No class is preselected: it is typed.
    answer(
        &mut session,
        "3) C: death or serious injury is possible",
        "B\r",
    );
    session.exp_string("Wrote").unwrap();
    assert_eq!(exit_code(&mut session), 0);
    assert!(
        project.record().contains("class = \"B\""),
        "{}",
        project.record()
    );
}
