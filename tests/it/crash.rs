//! Crash safety: `cargo-soup` killed with SIGKILL at random moments of
//! `import`, `fetch --from`, `evaluate` and `approve` never leaves a record that
//! does not load, a database that fails `PRAGMA integrity_check`, or fewer
//! evaluations than were recorded before the killed run; a killed `approve`
//! leaves the record's old text or the new one, with its approval appended.
//!
//! The delays come from a seeded generator, so a failure names the seed and
//! the kill, and reproduces.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use cargo_soup::record::RecordFile;

use super::support::fixture;
use super::support::scene::{Scene, evaluate_idna};

/// The generator's seed; a failure message repeats it.
const SEED: u64 = 0x6230_4000_5eed;

/// Kills wanted of each operation (four operations: at least 68 in all).
const KILLS_PER_OPERATION: usize = 17;

/// Runs of one operation at most, killed or not, so a fast machine still ends.
const MAX_RUNS_PER_OPERATION: usize = 150;

/// A small xorshift generator: reproducible delays without a dependency.
struct Delays(u64);

impl Delays {
    /// The next delay, 1 to 300 ms.
    fn next(&mut self) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_millis(1 + self.0 % 300)
    }
}

/// Kills `child` with SIGKILL once `delay` has passed, unless it ends first;
/// true when it died of the signal. A run that ended on its own must have
/// succeeded.
fn kill_after(child: &mut Child, delay: Duration, context: &str) -> bool {
    let deadline = Instant::now() + delay;
    while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    // A run can end between the last look and the signal: its exit code says so.
    match status.code() {
        None => true,
        Some(code) => {
            assert_eq!(code, 0, "{context}: ended on its own but failed");
            false
        }
    }
}

/// The arguments of the `run`th run of an operation.
fn arguments(operation: &str, run: usize) -> Vec<String> {
    let owned = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    match operation {
        "import" => {
            let sbom = fixture("sboms/rust-nushell-0522023d4c.cargo-sbom.cdx-1.6.json");
            let release = format!("1.0.{run}");
            owned(&["import", sbom.to_str().unwrap(), "--release", &release])
        }
        "fetch" => {
            let zip = fixture("advisories/rustsec-osv-2026-08-21.zip");
            owned(&["fetch", "--from", zip.to_str().unwrap()])
        }
        "approve" => {
            // Each run is another person, so that no approval is a duplicate.
            let by = format!("Reviewer {run} <reviewer-{run}@example.com>");
            owned(&[
                "approve",
                "RUSTSEC-2024-0421",
                "--package",
                "idna@0.5.0",
                "--offline",
                "--meaning",
                "reviewed",
                "--by",
                &by,
            ])
        }
        _ => {
            let rationale = format!("host names come only from our configuration (run {run})");
            owned(&evaluate_idna(&rationale))
        }
    }
}

/// The evaluations in the record, counted by its `[[evaluation]]` headers
/// and by the parsed record; both must agree and the record must load.
fn evaluations(scene: &Scene, context: &str) -> usize {
    let file = RecordFile::load(&scene.record())
        .unwrap_or_else(|e| panic!("{context}: the record does not load: {e}"));
    let text = std::fs::read_to_string(scene.record()).unwrap();
    let headers = text
        .lines()
        .filter(|l| l.trim() == "[[evaluation]]")
        .count();
    assert_eq!(headers, file.record().evaluations.len(), "{context}");
    headers
}

/// The record after an `approve` run is its text from before, or (always
/// when the run finished) that text with one approval appended.
fn assert_old_or_appended(scene: &Scene, before: &str, finished: bool, context: &str) {
    let after = std::fs::read_to_string(scene.record()).unwrap();
    if after == before && !finished {
        return;
    }
    let old = RecordFile::parse(&scene.record(), before).unwrap();
    let new = RecordFile::load(&scene.record())
        .unwrap_or_else(|e| panic!("{context}: the record does not load: {e}"));
    let (old, new) = (old.record(), new.record());
    assert_eq!(new.approvals.len(), old.approvals.len() + 1, "{context}");
    assert_eq!(
        new.approvals[..old.approvals.len()],
        old.approvals[..],
        "{context}"
    );
    assert_eq!(new.evaluations, old.evaluations, "{context}");
    let before_lines: Vec<&str> = before.lines().collect();
    let after_lines: Vec<&str> = after.lines().collect();
    let lost: Vec<&&str> = before_lines
        .iter()
        .filter(|l| !after_lines.contains(l))
        .collect();
    assert!(
        lost.is_empty(),
        "{context}: the old text was rewritten: {lost:?}"
    );
}

#[test]
fn killed_runs_never_corrupt_the_record_or_the_databases() {
    let started = Instant::now();
    let scene = Scene::new();
    let mut delays = Delays(SEED);
    let mut kills = 0;
    let mut completed = 0;
    for operation in ["import", "fetch", "evaluate", "approve"] {
        let mut killed_here = 0;
        for run in 0..MAX_RUNS_PER_OPERATION {
            if killed_here == KILLS_PER_OPERATION {
                break;
            }
            let delay = delays.next();
            let context = format!("seed {SEED:#x}, {operation} run {run}, kill after {delay:?}");
            let before = evaluations(&scene, &context);
            let text_before = std::fs::read_to_string(scene.record()).unwrap();
            let args = arguments(operation, run);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut child = scene
                .command(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let killed = kill_after(&mut child, delay, &context);
            if killed {
                killed_here += 1;
            } else {
                completed += 1;
            }
            let after = evaluations(&scene, &context);
            assert!(
                after >= before,
                "{context}: {before} evaluations became {after}"
            );
            if operation == "evaluate" && !killed {
                assert_eq!(after, before + 1, "{context}");
            }
            if operation == "approve" {
                assert_old_or_appended(&scene, &text_before, !killed, &context);
            }
            scene.assert_intact();
        }
        kills += killed_here;
    }
    assert!(
        kills >= 50,
        "only {kills} runs were killed ({completed} finished first)"
    );
    // The tool still works on what the kills left behind.
    let before = evaluations(&scene, "after the kills");
    let args = arguments("evaluate", MAX_RUNS_PER_OPERATION);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    scene.run(&args).expect(0);
    assert_eq!(evaluations(&scene, "after the kills"), before + 1);
    let audit = scene.run(&["audit", "--offline", "--allow-stale"]);
    assert!(matches!(audit.code(), 0 | 1), "{}", audit.stderr());
    scene.assert_intact();
    eprintln!(
        "{kills} kills, {completed} runs finished first, in {:?}",
        started.elapsed()
    );
}
