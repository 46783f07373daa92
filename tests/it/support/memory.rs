//! Projects in-process: a copy of a fixture project's record and lockfile in a
//! temporary directory, with the register and the advisory store in memory,
//! driven through the library's operations with a scripted [`Scripted`] out.

use std::path::PathBuf;

use cargo_soup::evaluate::AuditOptions;
use cargo_soup::out::Scripted;
use cargo_soup::project::{Input, Locations, Project};
use cargo_soup::record::{SafetyClass, init_text};
use cargo_soup::report::control::Provenance;
use cargo_soup::report::model::Report;
use time::OffsetDateTime;
use time::macros::datetime;

use super::scene::IDNA_SPECIFICATION;
use super::{copy_dir, fixture};

/// The moment in-process runs pretend it is (the scene's `TODAY`).
pub const NOW: OffsetDateTime = datetime!(2026-11-24 09:00 UTC);

/// One project on disk (record and lockfile) with an in-memory register and store.
pub struct Memory {
    pub dir: tempfile::TempDir,
    pub project: Project,
    pub out: Scripted,
}

impl Memory {
    /// The lockfile `tests/fixtures/<lockfile>` with a new record of `class`,
    /// plus `record_extra` appended to it (specifications, evaluations).
    pub fn new(lockfile: &str, class: SafetyClass, record_extra: &str) -> Memory {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(fixture(lockfile), dir.path().join("Cargo.lock")).unwrap();
        let text = init_text("infusion-pump", class, None) + record_extra;
        std::fs::write(dir.path().join("soup-register.toml"), text).unwrap();
        Memory::open(dir)
    }

    /// A copy of the project `tests/fixtures/projects/<name>` as it is: its
    /// record and every file the record names (inputs, release SBOMs).
    pub fn copy_of(name: &str) -> Memory {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture(&format!("projects/{name}")), dir.path());
        Memory::open(dir)
    }

    /// The project whose record is `soup-register.toml` in `dir`.
    fn open(dir: tempfile::TempDir) -> Memory {
        let record = dir.path().join("soup-register.toml");
        let locations = Locations::new(None, record, dir.path().join("store.db"));
        let project = Project::in_memory(locations, NOW, NOW.date()).unwrap();
        Memory {
            dir,
            project,
            out: Scripted::new(&[]),
        }
    }

    /// The pump's lockfile (idna 0.5.0, one anomaly) with idna specified.
    pub fn pump(class: SafetyClass) -> Memory {
        Memory::new("projects/pump/Cargo.lock", class, IDNA_SPECIFICATION)
    }

    /// The input: the project's lockfile.
    pub fn input(&self) -> Input {
        Input {
            lockfile: Some(self.lockfile()),
            ..Input::default()
        }
    }

    pub fn lockfile(&self) -> PathBuf {
        self.dir.path().join("Cargo.lock")
    }

    /// The report of the working tree read as `input`, stale data allowed.
    pub fn working_tree_report(&mut self, input: Input) -> Report {
        let options = AuditOptions { allow_stale: true };
        let provenance = Provenance::default();
        let report = self
            .project
            .report(&input, None, None, &options, &provenance, &mut self.out);
        report.unwrap()
    }

    /// The record's text as it is on disk.
    pub fn record_text(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("soup-register.toml")).unwrap()
    }
}
