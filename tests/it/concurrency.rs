//! Several `cargo-soup` processes on the same register and advisory store:
//! they wait for one another (SQLite's busy timeout) and all finish with their
//! normal exit codes; a lock held longer than the timeout is a clear error
//! that names the file.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::support::fixture;
use super::support::scene::{Run, Scene, assert_integrity, evaluate_idna};

/// How long one round may take before the test calls it a deadlock.
const ROUND_LIMIT: Duration = Duration::from_secs(90);

/// Waits for every child, killing them all if the round takes too long.
fn wait_all(mut children: Vec<(&str, Child)>) -> Vec<(&str, Run)> {
    let deadline = Instant::now() + ROUND_LIMIT;
    loop {
        let done = children
            .iter_mut()
            .all(|(_, child)| child.try_wait().unwrap().is_some());
        if done {
            break;
        }
        if Instant::now() > deadline {
            for (_, child) in &mut children {
                let _ = child.kill();
            }
            panic!("the processes did not finish within {ROUND_LIMIT:?}: deadlock?");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    children
        .into_iter()
        .map(|(name, child)| (name, Run(child.wait_with_output().unwrap())))
        .collect()
}

fn spawn(scene: &Scene, args: &[&str]) -> Child {
    scene
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_audits_and_a_fetch_at_once_all_finish_normally() {
    let scene = Scene::new();
    let zip = fixture("advisories/rustsec-osv-2026-08-21.zip");
    let audit = ["audit", "--offline", "--allow-stale", "--format", "json"];
    for round in 0..4 {
        let children = vec![
            ("audit", spawn(&scene, &audit)),
            (
                "fetch",
                spawn(&scene, &["fetch", "--from", zip.to_str().unwrap()]),
            ),
            ("audit", spawn(&scene, &audit)),
        ];
        for (name, run) in wait_all(children) {
            // The pump's idna 0.5.0 has an unevaluated anomaly: an audit exits 1.
            let expected = if name == "audit" { 1 } else { 0 };
            assert_eq!(
                run.code(),
                expected,
                "round {round}, {name}:\n{}",
                run.stderr()
            );
            if name == "audit" {
                let json = run.json();
                assert_eq!(json["anomalies"][0]["id"], "RUSTSEC-2024-0421");
            }
        }
        scene.assert_intact();
    }
}

/// Holds SQLite's write lock on `path` (`BEGIN EXCLUSIVE`) until dropped.
fn hold_lock(path: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    conn
}

#[test]
fn a_register_locked_past_the_timeout_is_a_clear_error_and_changes_nothing() {
    let scene = Scene::new();
    let lock = hold_lock(&scene.register());
    let record = std::fs::read(scene.record()).unwrap();
    let started = Instant::now();
    let run = Run(scene
        .command(&["list", "--offline"])
        .env("SOUP_BUSY_TIMEOUT_MS", "300")
        .output()
        .unwrap())
    .expect(2);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "it waited {:?}",
        started.elapsed()
    );
    let stderr = run.stderr();
    assert!(
        stderr.contains("another cargo-soup is still writing it"),
        "{stderr}"
    );
    assert!(stderr.contains("register.db"), "{stderr}");
    drop(lock);
    assert_eq!(std::fs::read(scene.record()).unwrap(), record);
    assert_integrity(&scene.register());
    scene.run(&["list", "--offline"]).expect(0);
}

#[test]
fn a_store_locked_past_the_timeout_is_a_clear_error() {
    let scene = Scene::new();
    let lock = hold_lock(&scene.store());
    let zip = fixture("advisories/rustsec-osv-2026-08-21.zip");
    let run = Run(scene
        .command(&["fetch", "--from", zip.to_str().unwrap()])
        .env("SOUP_BUSY_TIMEOUT_MS", "300")
        .output()
        .unwrap())
    .expect(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains("another cargo-soup is still writing it"),
        "{stderr}"
    );
    assert!(stderr.contains("advisories.db"), "{stderr}");
    drop(lock);
    assert_integrity(&scene.store());
}

#[test]
fn a_busy_timeout_that_is_not_a_number_is_refused() {
    let scene = Scene::new();
    let run = Run(scene
        .command(&["list", "--offline"])
        .env("SOUP_BUSY_TIMEOUT_MS", "soon")
        .output()
        .unwrap())
    .expect(2);
    assert!(
        run.stderr().contains("SOUP_BUSY_TIMEOUT_MS=soon"),
        "{}",
        run.stderr()
    );
}

#[test]
fn evaluations_recorded_at_once_are_all_kept_or_refused() {
    // Regression: two saves could both pass the changed-on-disk check, and
    // the later rename dropped the earlier evaluation while both exited 0.
    let scene = Scene::new();
    let count = || {
        let text = std::fs::read_to_string(scene.record()).unwrap();
        text.lines().filter(|l| *l == "[[evaluation]]").count()
    };
    let mut recorded = 0;
    for round in 0..6 {
        let rationales: Vec<String> = (0..4).map(|i| format!("round {round}, run {i}")).collect();
        let children = rationales
            .iter()
            .map(|rationale| {
                let args = evaluate_idna(rationale);
                ("evaluate", spawn(&scene, &args))
            })
            .collect();
        for (_, run) in wait_all(children) {
            match run.code() {
                0 => recorded += 1,
                2 => assert!(run.stderr().contains("changed on disk"), "{}", run.stderr()),
                code => panic!("exit {code}: {}", run.stderr()),
            }
        }
        assert_eq!(count(), recorded, "round {round}: an evaluation was lost");
    }
    assert!(recorded >= 6, "only {recorded} evaluations were recorded");
    scene.assert_intact();
}
