//! The binary end to end: a scratch copy of a fixture project with its own
//! advisory store and clock, and the outcome of each run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{copy_dir, fixture};

/// A scratch copy of a fixture project with its own advisory store and clock.
pub struct Project {
    pub dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

/// The day the tests pretend it is: the bundled snapshot (2026-08-21) is 95 days old.
pub const TODAY: &str = "2026-11-24";

impl Project {
    /// A copy of `tests/fixtures/projects/<name>`.
    pub fn copy_of(name: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture(&format!("projects/{name}")), dir.path());
        Project {
            dir,
            cache: tempfile::tempdir().unwrap(),
        }
    }

    /// An empty directory.
    pub fn empty() -> Project {
        Project {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// This project's advisory store.
    pub fn store(&self) -> PathBuf {
        self.cache.path().join("advisories.db")
    }

    /// The command, run in the project, isolated from the user's environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-soup"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("SOUP_ADVISORY_DB", self.store())
            .env("SOUP_TODAY", TODAY)
            .env("SOUP_EVALUATOR", "Test Engineer <test@example.com>")
            .env("NO_COLOR", "1")
            .env_remove("SOUP_REGISTER")
            .env_remove("SOUP_RECORD");
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    /// Runs with extra environment variables (e.g. another `SOUP_TODAY`).
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        command.envs(env.iter().copied());
        Run(command.output().unwrap())
    }

    /// `report` of the project's own Cargo.lock in `format`, stale data allowed
    /// (`cargo metadata` would add authors only where the crates are cached).
    pub fn report_lockfile(&self, format: &str) -> Run {
        self.run(&[
            "report",
            "--lockfile",
            "Cargo.lock",
            "--allow-stale",
            "--format",
            format,
        ])
    }

    pub fn record(&self) -> String {
        std::fs::read_to_string(self.path("soup-register.toml")).unwrap()
    }

    /// Points the record's RustSec source at `url` and turns the OSV source
    /// off, so that a fetch makes exactly one request.
    pub fn fetch_rustsec_from(&self, url: &str) {
        let record = self
            .record()
            .replace(
                "https://github.com/rustsec/advisory-db/archive/refs/heads/osv.zip",
                url,
            )
            .replace(
                "url = \"https://osv-vulnerabilities.storage.googleapis.com\"\nenabled = true",
                "url = \"https://osv-vulnerabilities.storage.googleapis.com\"\nenabled = false",
            );
        std::fs::write(self.path("soup-register.toml"), record).unwrap();
    }

    /// `init --class B`, with the specification of the pump's one direct
    /// item (idna), so that only anomalies and the advisory data's age can
    /// need a person: the record most lifecycle tests start from.
    pub fn init_class_b(&self) {
        self.run(&["init", "--class", "B"]).expect(0);
        let mut record = self.record();
        record.push_str(IDNA_SPECIFICATION);
        std::fs::write(self.path("soup-register.toml"), record).unwrap();
        self.run(&["fmt"]).expect(0);
    }

    /// Every file under the project, with its bytes, for "nothing changed" checks.
    /// SQLite's `-shm` files are left out: they are the shared-memory index any
    /// reader rebuilds, and hold no data (the database and its `-wal` do).
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        walk(self.dir.path(), &mut files);
        files.retain(|(path, _)| !path.to_string_lossy().ends_with("-shm"));
        files.sort();
        files
    }
}

/// The specification of idna in the pump, as an engineer would write it.
pub const IDNA_SPECIFICATION: &str = r#"
[soup.idna]
purpose = "decodes the host names of the pump's own network configuration"
needs = "the Rust standard library"
risk = "low"
"#;

/// The outcome of one run.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout()))
    }
    #[track_caller]
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code(),
            code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

fn walk(dir: &Path, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            files.push((path, bytes));
        }
    }
}

/// `evaluate` of the pump's one anomaly (RUSTSEC-2024-0421 in idna 0.5.0) as not hazardous.
pub fn evaluate_idna(rationale: &str) -> Vec<&str> {
    vec![
        "evaluate",
        "RUSTSEC-2024-0421",
        "--package",
        "idna@0.5.0",
        "--offline",
        "--not-hazardous",
        "--vex",
        "not_affected",
        "--justification",
        "vulnerable_code_not_in_execute_path",
        "--action",
        "none",
        "--rationale",
        rationale,
    ]
}

/// A rationale for `evaluate_idna`, for tests that only need the evaluation recorded.
pub const PUMP_RATIONALE: &str = "host names come only from the pump's own configuration";

/// Sources as (name, content hash, record count) and records as (source, id, modified).
pub type StoreContent = (Vec<(String, String, i64)>, Vec<(String, String, String)>);

/// The pump project with a record, a register and a loaded advisory store,
/// the store kept where the test can check it.
pub struct Scene {
    pub project: Project,
    store_dir: tempfile::TempDir,
}

impl Scene {
    /// `init --class B` with idna specified, then the real RustSec OSV export
    /// loaded into the store.
    pub fn new() -> Scene {
        let scene = Scene {
            project: Project::copy_of("pump"),
            store_dir: tempfile::tempdir().unwrap(),
        };
        scene.project.init_class_b();
        let zip = fixture("advisories/rustsec-osv-2026-08-21.zip");
        scene
            .run(&["fetch", "--from", zip.to_str().unwrap()])
            .expect(0);
        scene
    }

    /// The advisory store's path.
    pub fn store(&self) -> PathBuf {
        self.store_dir.path().join("advisories.db")
    }

    /// The register's path.
    pub fn register(&self) -> PathBuf {
        self.project.path(".soup/register.db")
    }

    /// The record's path.
    pub fn record(&self) -> PathBuf {
        self.project.path("soup-register.toml")
    }

    /// The command in the project, using this scene's store.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = self.project.command(args);
        command.env("SOUP_ADVISORY_DB", self.store());
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run(self.command(args).output().unwrap())
    }

    /// The bytes of the record, the register and the store (with any WAL files).
    /// An empty log is no log: SQLite creates one whenever it opens a database.
    pub fn state(&self) -> Vec<(PathBuf, Option<Vec<u8>>)> {
        let mut paths = vec![self.record()];
        for db in [self.register(), self.store()] {
            for suffix in ["", "-wal", "-journal"] {
                paths.push(PathBuf::from(format!("{}{suffix}", db.display())));
            }
        }
        paths
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).ok().filter(|b| !b.is_empty());
                (p, bytes)
            })
            .collect()
    }

    /// What the store holds: each source's name, content hash and record count,
    /// and every (source, id, modified) of its records.
    pub fn store_content(&self) -> StoreContent {
        let conn = rusqlite::Connection::open_with_flags(
            self.store(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let sources = conn
            .prepare("SELECT name, content_sha256, record_count FROM source ORDER BY name")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let records = conn
            .prepare(
                "SELECT s.name, a.id, a.modified FROM advisory a JOIN source s ON s.key = a.source
                 ORDER BY 1, 2",
            )
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        (sources, records)
    }

    /// Both databases pass SQLite's integrity check.
    #[track_caller]
    pub fn assert_intact(&self) {
        assert_integrity(&self.register());
        assert_integrity(&self.store());
    }
}

/// `PRAGMA integrity_check` on the database at `path` answers `ok`.
#[track_caller]
pub fn assert_integrity(path: &Path) {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap_or_else(|e| panic!("failed to open {}: {e}", path.display()));
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap_or_else(|e| panic!("failed to check {}: {e}", path.display()));
    assert_eq!(result, "ok", "{}", path.display());
}
