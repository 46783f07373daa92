//! A warm audit reuses the last result while nothing it reads has changed, and
//! does the work again as soon as anything has: the input, the record, the
//! advisory data, the day. A project's `cargo metadata` is reused the same way,
//! while none of its manifests and its lockfile change.

use super::support::fixture;
use super::support::scene::{PUMP_RATIONALE, Project, Run, evaluate_idna};

/// What `-v` says when an audit's result is reused.
const REUSED: &str = "its result is reused";

/// `audit -v --offline --allow-stale` with `extra` arguments and environment.
fn audit(project: &Project, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec!["-v", "audit", "--offline", "--allow-stale"];
    args.extend(extra);
    project.run_with(&args, env)
}

#[track_caller]
fn assert_reused(run: &Run, reused: bool) {
    assert_eq!(run.stderr().contains(REUSED), reused, "{}", run.stderr());
}

const JSON_OF_LOCKFILE: [&str; 4] = ["--format", "json", "--lockfile", "Cargo.lock"];

#[test]
fn an_audit_is_reused_until_what_it_reads_changes() {
    let project = Project::copy_of("pump");
    project.init_class_b();

    let first = audit(&project, &JSON_OF_LOCKFILE, &[]).expect(1);
    assert_reused(&first, false);
    let again = audit(&project, &JSON_OF_LOCKFILE, &[]).expect(1);
    assert_reused(&again, true);
    assert_eq!(again.stdout(), first.stdout());
    assert_eq!(again.json()["anomalies"][0]["id"], "RUSTSEC-2024-0421");

    // The record: an evaluation is recorded. The text report is the same
    // whether the result was worked out or reused.
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    let text = ["--lockfile", "Cargo.lock"];
    let worked_out = audit(&project, &text, &[]).expect(0);
    assert_reused(&worked_out, false);
    let reused = audit(&project, &text, &[]).expect(0);
    assert_reused(&reused, true);
    assert_eq!(reused.stdout(), worked_out.stdout());
    assert!(reused.stdout().contains("EVALUATED"), "{}", reused.stdout());

    // The day: past the evaluation's review-by date it is due again.
    let later = audit(&project, &JSON_OF_LOCKFILE, &[("SOUP_TODAY", "2028-01-01")]).expect(1);
    assert_reused(&later, false);
    assert_eq!(later.json()["anomalies"][0]["state"], "due");

    // The advisory data: the same records loaded again from a mirror.
    let mirror = fixture("advisories/rustsec-osv-2026-08-21.zip");
    project
        .run(&["fetch", "--from", mirror.to_str().unwrap()])
        .expect(0);
    let refetched = audit(&project, &JSON_OF_LOCKFILE, &[]).expect(0);
    assert_reused(&refetched, false);
    assert!(
        refetched.json()["advisory_data"]["sources"][0]["location"]
            .as_str()
            .unwrap()
            .ends_with("rustsec-osv-2026-08-21.zip")
    );

    // The input: the lockfile's bytes change, its packages do not.
    let lockfile = project.path("Cargo.lock");
    let mut bytes = std::fs::read(&lockfile).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&lockfile, bytes).unwrap();
    let edited = audit(&project, &JSON_OF_LOCKFILE, &[]).expect(0);
    assert_reused(&edited, false);
    assert_eq!(edited.json()["summary"], refetched.json()["summary"]);
    assert_reused(&audit(&project, &JSON_OF_LOCKFILE, &[]).expect(0), true);
}

#[test]
fn a_result_is_not_reused_after_the_pins_of_its_input_changed() {
    let project = Project::copy_of("pump");
    project.init_class_b();
    audit(&project, &JSON_OF_LOCKFILE, &[]).expect(1);

    // Another lockfile read under the same path in between (as `list` does)
    // rewrites its pins; the audit of the first content is worked out again.
    let original = std::fs::read(project.path("Cargo.lock")).unwrap();
    let other = fixture("lockfiles/nextest-dd29d36577.Cargo.lock");
    std::fs::copy(&other, project.path("Cargo.lock")).unwrap();
    project
        .run(&["list", "--lockfile", "Cargo.lock", "--format", "json"])
        .expect(0);
    std::fs::write(project.path("Cargo.lock"), original).unwrap();
    let run = audit(&project, &JSON_OF_LOCKFILE, &[]).expect(1);
    assert_reused(&run, false);
    assert_reused(&audit(&project, &JSON_OF_LOCKFILE, &[]).expect(1), true);
}

#[test]
fn cargo_metadata_runs_again_only_when_a_manifest_or_the_lockfile_changes() {
    let project = Project::copy_of("vendored-pump");
    project.init_class_b();
    let json = ["--format", "json"];
    let first = audit(&project, &json, &[]).expect(1);
    assert_reused(&first, false);
    let input = &first.json()["inputs"][0];
    assert_eq!(input["format"], "cargo-metadata", "{}", first.stderr());
    assert_eq!(
        first.json()["anomalies"][0]["package"]["dependency_path"][0],
        "infusion-pump"
    );

    // From here `cargo` cannot run: an audit that needed `cargo metadata`
    // would fall back to reading Cargo.lock (format `cargo-lock`).
    let no_cargo = [("CARGO", "/nonexistent/cargo")];
    let warm = audit(&project, &json, &no_cargo).expect(1);
    assert_reused(&warm, true);
    assert_eq!(warm.stdout(), first.stdout());

    // The record changes: the audit is worked out again from the kept inventory.
    project.run(&evaluate_idna(PUMP_RATIONALE)).expect(0);
    let evaluated = audit(&project, &json, &no_cargo).expect(0);
    assert_reused(&evaluated, false);
    assert_eq!(evaluated.json()["inputs"][0]["format"], "cargo-metadata");

    // A path dependency's manifest changes: the kept inventory is out of date.
    let manifest = project.path("pump-display/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}description = \"The display\"\n")).unwrap();
    let changed = audit(&project, &json, &no_cargo).expect(0);
    assert_reused(&changed, false);
    assert_eq!(
        changed.json()["inputs"][0]["format"],
        "cargo-lock",
        "{}",
        changed.stderr()
    );

    // What an offline run read instead is kept for offline runs...
    let offline = audit(&project, &json, &no_cargo).expect(0);
    assert_reused(&offline, true);
    assert_eq!(offline.stdout(), changed.stdout());

    // ...but an online run tries `cargo metadata` again, and keeps what it gives.
    let online = project
        .run(&["-v", "audit", "--allow-stale", "--format", "json"])
        .expect(0);
    assert_reused(&online, false);
    assert_eq!(online.json()["inputs"][0]["format"], "cargo-metadata");
    let kept = audit(&project, &json, &no_cargo).expect(0);
    assert_reused(&kept, true);
    assert_eq!(kept.stdout(), online.stdout());
}
