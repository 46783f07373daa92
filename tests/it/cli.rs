//! The binary end to end: init, list, fmt, audit and evaluate on a copy of a
//! small real project, with the bundled RustSec snapshot and no network.

use std::path::Path;
use std::process::Command;

use super::support::fixture;

use super::support::scene::{PUMP_RATIONALE, Project, Run, evaluate_idna};
use super::support::schemas::assert_documented;

#[test]
fn help_teaches_every_command_with_examples_kept_line_by_line() {
    let project = Project::empty();
    let top = project.run(&["--help"]).expect(0).stdout();
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(commands.len() >= 14, "{commands:?}");
    for command in &commands {
        let help = project.run(&[command, "--help"]).expect(0).stdout();
        let examples: Vec<&str> = help
            .lines()
            .skip_while(|l| !l.starts_with("Example"))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .collect();
        assert!(
            !examples.is_empty(),
            "{command} --help has no example:\n{help}"
        );
        for line in examples {
            // One command (or its `\` continuation) per line, as written.
            let line = line.trim_start();
            let continues = line.starts_with("--");
            let command = line.starts_with("cargo soup ") || line.starts_with("ssh-keygen ");
            assert!(
                command || continues,
                "{command}: example line reflowed: {line:?}\n{help}"
            );
            assert!(
                line.matches("cargo soup ").count() <= 1,
                "{command}: two commands on one line: {line:?}"
            );
        }
    }
}

#[test]
fn init_needs_a_class_without_a_terminal_and_writes_nothing() {
    let project = Project::copy_of("pump");
    let before = project.snapshot();
    let run = project.run(&["init"]).expect(2);
    assert!(run.stderr().contains("--class"), "{}", run.stderr());
    assert_eq!(project.snapshot(), before);
}

#[test]
fn init_writes_the_record_once() {
    let project = Project::copy_of("pump");
    project.run(&["init", "--class", "B"]).expect(0);
    let record = project.record();
    assert!(record.contains("name = \"infusion-pump\""), "{record}");
    assert!(record.contains("class = \"B\""));
    assert!(
        std::fs::read_to_string(project.path(".gitignore"))
            .unwrap()
            .contains(".soup/")
    );
    assert!(project.path(".soup/register.db").is_file());
    let before = project.snapshot();
    let again = project.run(&["init", "--class", "C"]).expect(0);
    assert!(
        again.stdout().contains("nothing changed"),
        "{}",
        again.stdout()
    );
    assert_eq!(project.snapshot(), before);
    project.run(&["fmt", "--check"]).expect(0);
}

/// The JSON of an audit is written while the register records the result:
/// when the result cannot be recorded, none of it is printed.
#[test]
fn an_audit_the_register_cannot_record_prints_no_result() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    let audit = ["audit", "--offline", "--allow-stale", "--format", "json"];
    // A register under a file cannot be created, by root either.
    let under_a_file = project.path("Cargo.toml").join("register.db");
    let under_a_file = under_a_file.to_str().unwrap();
    let refused = project
        .run_with(&audit, &[("SOUP_REGISTER", under_a_file)])
        .expect(2);
    assert_eq!(refused.stdout(), "");
    assert!(
        refused.stderr().contains("Cargo.toml"),
        "{}",
        refused.stderr()
    );
    let recorded = project.run(&audit).expect(1);
    assert_eq!(recorded.json()["anomalies"][0]["id"], "RUSTSEC-2024-0421");
}

#[test]
fn list_without_a_record_writes_nothing_and_hints_init() {
    let project = Project::copy_of("pump");
    let before = project.snapshot();
    let run = project
        .run(&["list", "--offline", "--format", "json"])
        .expect(0);
    assert_eq!(project.snapshot(), before);
    assert!(run.stderr().contains("cargo soup init"), "{}", run.stderr());
    let json = run.json();
    assert_documented("list-1.schema.json", &json);
    let names: Vec<&str> = json["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "idna",
            "tinyvec",
            "tinyvec_macros",
            "unicode-bidi",
            "unicode-normalization"
        ]
    );
    let idna = &json["components"][0];
    assert_eq!(idna["purl"], "pkg:cargo/idna@0.5.0");
    assert_eq!(idna["ecosystem"], "crates.io");
    assert_eq!(idna["source"], "registry");
    assert_eq!(idna["direct"], true);
    assert_eq!(json["components"][1]["direct"], false);
    assert_eq!(json["product"], serde_json::json!(["infusion-pump"]));
}

#[test]
fn audit_evaluate_audit() {
    let project = Project::copy_of("pump");
    project.init_class_b();

    let stale = project
        .run(&["audit", "--offline", "--format", "json"])
        .expect(1);
    let json = stale.json();
    assert_documented("audit-1.schema.json", &json);
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"advisory-data-stale"), "{codes:?}");
    assert!(codes.contains(&"unevaluated-anomaly"), "{codes:?}");
    assert_eq!(json["advisory_data"]["source"], "rustsec");
    assert_eq!(json["advisory_data"]["record_count"], 1206);
    let anomalies = json["anomalies"].as_array().unwrap();
    assert_eq!(anomalies.len(), 1);
    assert_eq!(anomalies[0]["id"], "RUSTSEC-2024-0421");
    assert_eq!(
        anomalies[0]["aliases"],
        serde_json::json!(["CVE-2024-12224", "GHSA-h97m-ww89-6jmq"])
    );
    assert_eq!(anomalies[0]["package"]["purl"], "pkg:cargo/idna@0.5.0");
    assert_eq!(anomalies[0]["state"], "new");

    let ci = project
        .run(&["audit", "--offline", "--allow-stale"])
        .expect(1);
    // The suggested command names the anomaly and leaves every judgement to
    // the engineer: placeholders, never a pre-filled conclusion.
    let suggested = ci.stdout();
    assert!(
        suggested.contains("cargo soup evaluate RUSTSEC-2024-0421 --package idna@0.5.0"),
        "{suggested}"
    );
    for placeholder in [
        "--hazardous|--not-hazardous",
        "--vex STATUS",
        "--action ACTION",
    ] {
        assert!(
            suggested.contains(placeholder),
            "{placeholder}: {suggested}"
        );
    }
    for conclusion in ["--not-hazardous --vex", "not_affected", "vulnerable_code"] {
        assert!(!suggested.contains(conclusion), "{conclusion}: {suggested}");
    }

    let before = project.record();
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    let after = project.record();
    assert!(after.starts_with(&before), "existing text was rewritten");
    let added = &after[before.len()..];
    assert_eq!(added.matches("[[evaluation]]").count(), 1);
    for expected in [
        "advisory = \"RUSTSEC-2024-0421\"",
        "purl = \"pkg:cargo/idna@0.5.0\"",
        "by = \"Test Engineer <test@example.com>\"",
        "date = 2026-11-24",
        "hazardous = false",
        "vex_status = \"not_affected\"",
        "advisory_modified = \"2025-10-28T06:02:18Z\"",
    ] {
        assert!(added.contains(expected), "missing {expected} in:\n{added}");
    }
    let clean = project
        .run(&["audit", "--offline", "--allow-stale", "--format", "json"])
        .expect(0);
    assert_documented("audit-1.schema.json", &clean.json());
    assert_eq!(clean.json()["anomalies"][0]["state"], "evaluated");
}

#[test]
fn contradictory_evaluations_are_refused_and_change_nothing() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    let before = project.record();
    let run = project
        .run(&[
            "evaluate",
            "RUSTSEC-2024-0421",
            "--package",
            "idna@0.5.0",
            "--offline",
            "--hazardous",
            "--vex",
            "not_affected",
            "--action",
            "none",
            "--rationale",
            "x",
        ])
        .expect(2);
    let stderr = run.stderr();
    assert!(stderr.contains("hazard IDs"), "{stderr}");
    assert!(stderr.contains("cannot be `not_affected`"), "{stderr}");
    // Refusals name the flags the engineer typed, not the record's keys.
    assert!(stderr.contains("--hazard"), "{stderr}");
    assert!(!stderr.contains("`hazards`"), "{stderr}");
    assert_eq!(project.record(), before);
}

#[test]
fn a_hazard_without_a_risk_control_is_recorded_with_a_warning() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    let run = project
        .run(&[
            "evaluate",
            "RUSTSEC-2024-0421",
            "--package",
            "idna@0.5.0",
            "--offline",
            "--hazardous",
            "--hazard",
            "HAZ-07",
            "--vex",
            "affected",
            "--action",
            "update",
            "--rationale",
            "the pump decodes host names from the hospital network",
        ])
        .expect(0);
    assert!(
        run.stderr().contains("no risk control is named"),
        "{}",
        run.stderr()
    );
    let audit = project
        .run(&["audit", "--offline", "--allow-stale", "--format", "json"])
        .expect(1);
    let codes: Vec<String> = audit.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains(&"hazard-without-risk-control".to_string()),
        "{codes:?}"
    );
    let text = project
        .run(&[
            "audit",
            "--offline",
            "--allow-stale",
            "--lockfile",
            "Cargo.lock",
        ])
        .expect(1);
    assert!(
        text.stdout()
            .contains("hazardous (HAZ-07; no risk control)"),
        "{}",
        text.stdout()
    );
}

#[test]
fn a_project_without_a_lockfile_gets_one_clear_sentence() {
    let project = Project::empty();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let made = Command::new(cargo)
        .args(["new", "--vcs", "none", "--offline", "x"])
        .current_dir(project.dir.path())
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let x = project.path("x");
    let run = |args: &[&str]| {
        let mut command = project.command(args);
        command.current_dir(&x).env("CARGO_NET_OFFLINE", "true");
        Run(command.output().unwrap())
    };
    run(&["init", "--class", "B"]).expect(0);
    for command in ["list", "audit"] {
        let failed = run(&[command, "--offline"]).expect(2);
        let stderr = failed.stderr();
        assert!(
            stderr.contains("has no Cargo.lock yet"),
            "{command}: {stderr}"
        );
        assert!(
            stderr.contains("cargo generate-lockfile"),
            "{command}: {stderr}"
        );
        assert!(
            !stderr.contains("--locked was passed"),
            "{command}: {stderr}"
        );
    }
}

#[test]
fn class_b_needs_specifications_of_direct_items() {
    let project = Project::copy_of("pump");
    project.run(&["init", "--class", "B"]).expect(0);
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    let run = project
        .run(&["audit", "--offline", "--allow-stale", "--format", "json"])
        .expect(1);
    let findings = run.json()["findings"].clone();
    let missing: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "missing-specification")
        .map(|f| f["subject"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["pkg:cargo/idna@0.5.0"]);
}

#[test]
fn a_bad_lockfile_fails_naming_it_and_changes_nothing() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    std::fs::write(
        project.path("broken.lock"),
        "version = 3\n[[package]]\nname = \"idna\"\nversion = ",
    )
    .unwrap();
    let before = project.snapshot();
    let run = project
        .run(&["audit", "--offline", "--lockfile", "broken.lock"])
        .expect(2);
    assert!(run.stderr().contains("broken.lock"), "{}", run.stderr());
    assert_eq!(project.snapshot(), before);
    // The store holding the bundled snapshot, staged meanwhile, was not put in place.
    assert!(!project.store().exists());
    let store_dir = project.store().parent().unwrap().to_path_buf();
    let left = std::fs::read_dir(&store_dir).map_or(0, |dir| dir.count());
    assert_eq!(left, 0, "{}", store_dir.display());

    // A store that exists but is empty: the snapshot loaded into it meanwhile is not kept.
    drop(rusqlite::Connection::open(project.store()).unwrap());
    project
        .run(&["audit", "--offline", "--lockfile", "broken.lock"])
        .expect(2);
    let store = rusqlite::Connection::open(project.store()).unwrap();
    let sources: i64 = store
        .query_row("SELECT count(*) FROM source", [], |row| row.get(0))
        .unwrap();
    assert_eq!(sources, 0);
}

#[test]
fn a_register_from_a_newer_schema_is_refused_untouched() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    let register = project.path(".soup/register.db");
    let conn = rusqlite::Connection::open(&register).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    let before = project.snapshot();
    let run = project.run(&["list", "--offline"]).expect(2);
    assert!(
        run.stderr().contains("newer cargo-soup"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("register.db"), "{}", run.stderr());
    assert_eq!(project.snapshot(), before);
}

#[test]
fn this_repository_audits_itself_clean() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cache = tempfile::tempdir().unwrap();
    let register = cache.path().join("register.db");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-soup"))
        .args([
            "audit",
            "--offline",
            "--allow-stale",
            "--lockfile",
            "Cargo.lock",
        ])
        .current_dir(repo)
        .env("SOUP_ADVISORY_DB", cache.path().join("advisories.db"))
        .env("SOUP_REGISTER", &register)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let run = Run(output).expect(0);
    assert!(
        run.stdout().contains("nothing needs attention"),
        "{}",
        run.stdout()
    );
    let fmt = Command::new(env!("CARGO_BIN_EXE_cargo-soup"))
        .args(["fmt", "--check"])
        .current_dir(repo)
        .env("SOUP_REGISTER", &register)
        .output()
        .unwrap();
    Run(fmt).expect(0);
}

#[test]
fn init_lists_the_other_lockfiles_and_names_them_as_inputs() {
    let project = Project::copy_of("pump");
    for (from, to) in [
        (
            "ecosystems/npm-v3/package-lock.json",
            "web/package-lock.json",
        ),
        ("ecosystems/uv/uv.lock", "services/dose/uv.lock"),
        // Installed dependencies and virtual environments are not parts of the device.
        (
            "ecosystems/npm-v3/package-lock.json",
            "web/node_modules/x/package-lock.json",
        ),
        ("ecosystems/uv/uv.lock", ".venv/uv.lock"),
    ] {
        let target = project.path(to);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(fixture(from), target).unwrap();
    }
    let init = project
        .run(&["init", "--class", "B", "--add-lockfiles"])
        .expect(0);
    assert!(
        init.stderr().contains("found services/dose/uv.lock"),
        "{}",
        init.stderr()
    );
    let record = project.record();
    let inputs: Vec<&str> = record
        .lines()
        .filter_map(|l| l.strip_prefix("path = "))
        .collect();
    assert_eq!(
        inputs,
        ["\"services/dose/uv.lock\"", "\"web/package-lock.json\""]
    );
    project.run(&["fmt", "--check"]).expect(0);
    let listed = project
        .run(&["list", "--offline", "--format", "json"])
        .expect(0);
    let parts: std::collections::BTreeSet<String> = listed.json()["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["input"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        parts,
        [
            "Cargo project",
            "services/dose/uv.lock",
            "web/package-lock.json"
        ]
        .map(str::to_string)
        .into()
    );
}
