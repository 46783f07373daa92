//! Building a run from flags and the environment: where the project, its
//! record, its register, the advisory store and cargo's home are, what time it
//! is, who is evaluating, the terminal, and the facts of a report only the
//! edge may read (the record's git history and tree state). The only place
//! that reads them.

use std::io::IsTerminal;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::{ColorChoice, GlobalArgs, InputArgs};
use crate::inventory::manifest_package_field;
use crate::out::{Out, Terminal};
use crate::project::{Input, Locations, Project, RECORD_FILE, find_project};
use crate::register::BUSY_TIMEOUT;
use crate::report::control::Provenance;

/// The locations, clock and terminal of one run.
pub struct Context {
    pub locations: Locations,
    /// The moment the command started; the library is given this, never reads a clock.
    pub now: OffsetDateTime,
    /// Today's date (UTC), or `SOUP_TODAY` to reproduce a past audit.
    pub today: Date,
    /// The terminal.
    pub out: Box<dyn Out>,
}

impl Context {
    /// Finds the project from the current directory and the global options.
    pub fn new(global: &GlobalArgs) -> anyhow::Result<Context> {
        let cwd = std::env::current_dir().context("failed to read the current directory")?;
        let (manifest, record) = find_project(
            &cwd,
            global.manifest_path.as_deref(),
            global.record.as_deref(),
        )?;
        let store = match &global.advisory_db {
            Some(path) => path.clone(),
            None => dirs::cache_dir()
                .ok_or_else(|| anyhow!("failed to find the user's cache directory: set SOUP_ADVISORY_DB or --advisory-db"))?
                .join("cargo-soup")
                .join("advisories.db"),
        };
        // As cargo finds its home: CARGO_HOME (relative to the current
        // directory), else `.cargo` in the user's home; with neither, no yank
        // is known rather than the run failing.
        let cargo_home = std::env::var_os("CARGO_HOME")
            .filter(|home| !home.is_empty())
            .map(|home| cwd.join(home))
            .or_else(|| dirs::home_dir().map(|home| home.join(".cargo")));
        let now = OffsetDateTime::now_utc();
        let today = match std::env::var("SOUP_TODAY") {
            Ok(text) => {
                parse_date(&text).with_context(|| format!("failed to read SOUP_TODAY={text}"))?
            }
            Err(_) => now.date(),
        };
        let busy_timeout = match std::env::var("SOUP_BUSY_TIMEOUT_MS") {
            Ok(text) => text
                .trim()
                .parse()
                .map(Duration::from_millis)
                .map_err(|_| {
                    anyhow!("failed to read SOUP_BUSY_TIMEOUT_MS={text}: expected milliseconds")
                })?,
            Err(_) => BUSY_TIMEOUT,
        };
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
            }
        };
        Ok(Context {
            locations: Locations {
                manifest,
                record,
                register: global.register.clone(),
                store,
                busy_timeout,
                cargo_home,
            },
            now,
            today,
            out: Box::new(Terminal::new(
                color,
                interactive,
                global.quiet,
                global.verbose,
            )),
        })
    }

    /// The project of this run, its record loaded when there is one.
    pub fn open(&self) -> anyhow::Result<Project> {
        Ok(Project::open(self.locations.clone(), self.now, self.today)?)
    }

    /// The record's path, for messages.
    pub fn record_path(&self) -> &Path {
        &self.locations.record
    }

    /// Ends a run of a `project` that has no record with the hint to start one.
    pub fn hint_init(&mut self, project: &Project) {
        if project.record().is_some() {
            return;
        }
        let hint = format!(
            "hint: no {RECORD_FILE} here, so nothing was written beside the project; \
             run `cargo soup init` to start the SOUP record"
        );
        self.out.note(&hint);
    }

    /// What git and the manifest say about the report made in this run;
    /// whatever cannot be read stays `None`.
    pub fn provenance(&self) -> Provenance {
        let dir = self.locations.record_dir();
        let record_name = self
            .locations
            .record
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let manifest = self.locations.manifest.as_deref();
        let [count, commit, status] = git_each(
            dir,
            [
                &["rev-list", "--count", "HEAD", "--", &record_name],
                &["rev-parse", "HEAD"],
                &["status", "--porcelain"],
            ],
        );
        Provenance {
            record_commits: count
                .and_then(|count| count.parse().ok())
                .filter(|count| *count > 0),
            commit,
            clean: status.map(|status| status.is_empty()),
            package_version: manifest.and_then(|m| manifest_package_field(m, "version")),
            generated_at: self.now.format(&Rfc3339).unwrap_or_default(),
        }
    }
}

impl InputArgs {
    /// The library's view of these flags.
    pub fn input(&self) -> Input {
        Input {
            lockfile: self.lockfile.clone(),
            sbom: self.sbom.clone(),
            binary: self.binary.clone(),
            format_hint: self.format_hint.map(super::LockfileFormat::format),
            offline: self.offline,
            target: self.target.clone(),
        }
    }
}

/// Who is evaluating: `--by` / SOUP_EVALUATOR, else git's user.name and user.email.
pub fn evaluator(by: Option<String>) -> anyhow::Result<String> {
    if let Some(by) = by.filter(|b| !b.trim().is_empty()) {
        return Ok(by);
    }
    let [name, email] = git_each(
        Path::new("."),
        [
            &["config", "--get", "user.name"],
            &["config", "--get", "user.email"],
        ],
    )
    .map(|value| value.filter(|value| !value.is_empty()));
    match (name, email) {
        (Some(name), Some(email)) => Ok(format!("{name} <{email}>")),
        (Some(name), None) => Ok(name),
        (None, Some(email)) => Ok(email),
        (None, None) => Err(anyhow!(
            "failed to tell who is evaluating: pass --by \"Name <email>\", set SOUP_EVALUATOR, or set git's user.name"
        )),
    }
}

/// Reads a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> anyhow::Result<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format)
        .map_err(|e| anyhow!("`{text}` is not a date (YYYY-MM-DD): {e}"))
}

/// The trimmed output of each git command in `dir`, `None` where git fails.
/// They run side by side: one after another they were much of a report's
/// time, and `git status` alone takes long in a large work tree.
fn git_each<const N: usize>(dir: &Path, commands: [&[&str]; N]) -> [Option<String>; N] {
    let dir = match dir.as_os_str().is_empty() {
        true => Path::new("."),
        false => dir,
    };
    let running = commands.map(|args| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()
    });
    running.map(|child| {
        let output = child?.wait_with_output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    })
}
