//! One command run (STYLE.md "The shape"): the validated record, the register
//! and the advisory store of a project, and every operation the command line
//! offers, each a function that takes the options and an [`Out`] and returns
//! data. The CLI builds a [`Project`] from flags and the environment, calls one
//! operation, renders what it returns and picks the exit code; tests call the
//! same operations in-process on an in-memory register and store.

mod approvals;
mod audit;
mod error;
mod fetch;
mod inputs;
mod record_ops;
mod reports;
mod reuse;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use time::{Date, OffsetDateTime};

pub use approvals::{ApprovalRequest, EvaluationTarget, Verification};
pub use audit::{AuditRequest, AuditRun, Scope as AuditScope};
pub use audit::{free_meanwhile, subject_label};
pub use error::ProjectError;
pub use fetch::{
    FetchOutcome, Fetched, describe as describe_fetched, describe_loaded, ecosystems_of,
    skipped_warnings,
};
use inputs::kept_baseline;
pub use inputs::{Input, find_project, find_upwards, program_identity};
pub use record_ops::{EvaluateRequest, ImportOutcome, Listing};
pub use reports::Check;

use crate::advisory::source;
use crate::evaluate::{AdvisoryFacts, Audit, AuditOptions, do_audit};
use crate::inventory::{InputFormat, Inventory};
use crate::model::Component;
use crate::out::Out;
use crate::record::{Record, RecordFile, Release};
use crate::register::{BUSY_TIMEOUT, Changes, EventKind, FileMeta, Register, Store};
use crate::report::audit::Subject;

/// The record's file name, beside the workspace's Cargo.toml.
pub const RECORD_FILE: &str = "soup-register.toml";

/// The register's default place, relative to the record's directory.
const REGISTER_FILE: &str = ".soup/register.db";

/// Where a project's files are; the CLI finds them from flags and the environment.
#[derive(Debug, Clone)]
pub struct Locations {
    /// The project's manifest, when there is one.
    pub manifest: Option<PathBuf>,
    /// Where the record is, or would be written by `init`.
    pub record: PathBuf,
    /// `--register`: the register's path when not beside the record.
    pub register: Option<PathBuf>,
    /// The machine-wide advisory store.
    pub store: PathBuf,
    /// How long to wait for another process's lock on a database.
    pub busy_timeout: Duration,
    /// Cargo's home, whose registry index cache tells which crates.io versions
    /// are yanked; `None`: no yank is known.
    pub cargo_home: Option<PathBuf>,
}

impl Locations {
    /// A project whose record is `record`, with the register beside it, the
    /// store at `store`, and no cargo home to learn yanks from.
    pub fn new(manifest: Option<PathBuf>, record: PathBuf, store: PathBuf) -> Locations {
        Locations {
            manifest,
            record,
            register: None,
            store,
            busy_timeout: BUSY_TIMEOUT,
            cargo_home: None,
        }
    }

    /// The register's path: `--register`, else beside the record.
    pub fn register_path(&self) -> PathBuf {
        self.register
            .clone()
            .unwrap_or_else(|| self.record_dir().join(REGISTER_FILE))
    }

    /// The directory the record is in; release SBOMs are relative to it.
    pub fn record_dir(&self) -> &Path {
        self.record.parent().unwrap_or(Path::new("."))
    }
}

/// The record, register and advisory store of one command run.
pub struct Project {
    /// Where its files are.
    pub locations: Locations,
    /// The moment the command started; the library never reads a clock.
    pub now: OffsetDateTime,
    /// The day evaluations are judged on.
    pub today: Date,
    record: Option<RecordFile>,
    register: Option<Register>,
    store: Option<Store>,
    /// The approval facts of this run, once read: whether the files were read,
    /// the facts, and their digest (see [`Project::approval_facts`]).
    approvals: Option<(bool, crate::evaluate::ApprovalFacts, String)>,
    /// Release baselines read from their SBOM in this run, each with the
    /// SBOM's metadata when it held still while read, for the audit's
    /// transaction to keep (see [`Project::baseline`]).
    unkept_baselines: Vec<(Inventory, Option<FileMeta>)>,
}

impl Project {
    /// The project at `locations`, its record loaded and validated when it
    /// exists. The databases are opened when an operation first needs them.
    pub fn open(
        locations: Locations,
        now: OffsetDateTime,
        today: Date,
    ) -> Result<Project, ProjectError> {
        let record = RecordFile::load_if_exists(&locations.record)?;
        Ok(Project {
            locations,
            now,
            today,
            record,
            register: None,
            store: None,
            approvals: None,
            unkept_baselines: Vec::new(),
        })
    }

    /// The project at `locations` with a register and an advisory store that
    /// live only in memory: what in-process tests run every operation on.
    pub fn in_memory(
        locations: Locations,
        now: OffsetDateTime,
        today: Date,
    ) -> Result<Project, ProjectError> {
        let mut project = Project::open(locations, now, today)?;
        project.register = Some(Register::in_memory()?);
        project.store = Some(Store::in_memory()?);
        Ok(project)
    }

    /// Reads the record again from disk, as the next command would; the
    /// databases stay open.
    pub fn reload(&mut self) -> Result<(), ProjectError> {
        self.record = RecordFile::load_if_exists(&self.locations.record)?;
        self.approvals = None;
        Ok(())
    }

    /// The record, when the project has one.
    pub fn record(&self) -> Option<&RecordFile> {
        self.record.as_ref()
    }

    /// The record's content, when the project has one.
    fn record_read(&self) -> Option<&Record> {
        self.record.as_ref().map(RecordFile::record)
    }

    /// The record, or the error telling the user to run `init`.
    pub fn require_record(&self) -> Result<&RecordFile, ProjectError> {
        self.record
            .as_ref()
            .ok_or_else(|| ProjectError::NoRecord(self.locations.record.clone()))
    }

    fn require_record_mut(&mut self) -> Result<&mut RecordFile, ProjectError> {
        let path = self.locations.record.clone();
        self.record.as_mut().ok_or(ProjectError::NoRecord(path))
    }

    /// The register. With no record (and no `--register`), nothing is written
    /// beside the project: it lives in memory for this run.
    pub fn register(&mut self) -> Result<&mut Register, ProjectError> {
        let register = match self.register.take() {
            Some(register) => register,
            None => self.register_opener()()?,
        };
        Ok(self.register.insert(register))
    }

    /// What gives the register, on whichever thread calls it: the open one,
    /// else the one [`Project::register`] describes, opened or created then.
    fn register_opener(
        &mut self,
    ) -> impl FnOnce() -> Result<Register, ProjectError> + Send + 'static {
        let open = self.register.take();
        let in_memory = self.record.is_none() && self.locations.register.is_none();
        let (path, busy_timeout) = (self.locations.register_path(), self.locations.busy_timeout);
        move || match open {
            Some(register) => Ok(register),
            None if in_memory => Ok(Register::in_memory()?),
            None => Ok(Register::open_waiting(&path, busy_timeout)?),
        }
    }

    /// The register when it is open or exists: reading a copy it keeps must not
    /// create one beside a project whose command never writes it (`report`).
    fn existing_register(&mut self) -> Result<Option<&mut Register>, ProjectError> {
        match self.register.is_some() || self.locations.register_path().exists() {
            true => self.register().map(Some),
            false => Ok(None),
        }
    }

    /// True when this machine has no advisory store yet and none is open.
    fn store_is_absent(&self) -> bool {
        self.store.is_none() && matches!(self.locations.store.try_exists(), Ok(false))
    }

    /// The machine-wide advisory store.
    pub fn store(&mut self) -> Result<&mut Store, ProjectError> {
        let store = match self.store.take() {
            Some(store) => store,
            None => Store::open_waiting(&self.locations.store, self.locations.busy_timeout)?,
        };
        Ok(self.store.insert(store))
    }

    /// Saves the record inside `command`'s register transaction, which logs
    /// the event. The transaction holds the register's write lock, so a
    /// concurrent command's save cannot slip between the record's
    /// changed-on-disk check and its rename and silently replace it.
    fn save_record(
        &mut self,
        command: &str,
        kind: EventKind,
        subject: &str,
    ) -> Result<(), ProjectError> {
        self.commit(command, true, |changes| {
            Ok(changes.log(kind, subject, None)?)
        })
    }

    /// Makes `change` in `command`'s register transaction and, with
    /// `save_record`, saves the record inside it too; both or neither land.
    fn commit(
        &mut self,
        command: &str,
        save_record: bool,
        change: impl FnOnce(&Changes<'_>) -> Result<(), ProjectError>,
    ) -> Result<(), ProjectError> {
        let now = self.now;
        let mut record = self.record.take();
        let result = (|| {
            let changes = self.register_on_disk()?.begin(command, now)?;
            change(&changes)?;
            if let (true, Some(record)) = (save_record, record.as_mut()) {
                record.save()?;
            }
            changes.commit()?;
            Ok(())
        })();
        self.record = record;
        // What approvals are checked against may have changed with the record.
        self.approvals = None;
        result
    }

    /// The register on disk, even before the record exists (`init`).
    fn register_on_disk(&mut self) -> Result<&mut Register, ProjectError> {
        let register = match self.register.take() {
            Some(register) => register,
            None => Register::open_waiting(
                &self.locations.register_path(),
                self.locations.busy_timeout,
            )?,
        };
        Ok(self.register.insert(register))
    }

    /// What the store needs for the bundled RustSec snapshot to be in it.
    fn bundling(&mut self) -> Result<Bundling, ProjectError> {
        if self.store_is_absent() {
            return Ok(Bundling::Stage);
        }
        Ok(match source::needs_bundled(self.store()?)? {
            true => Bundling::Load,
            false => Bundling::Nothing,
        })
    }

    /// Runs `work` while the bundled snapshot goes into the store on a second
    /// thread, as `bundling` says: neither needs the other, and on a first use
    /// each is much of the command's time. The store keeps the snapshot only
    /// if `work` succeeded, so a command that fails changes nothing; the
    /// caller settles the store's log after a load.
    fn beside_bundling<T>(
        &mut self,
        bundling: Bundling,
        work: impl FnOnce(&mut Project) -> Result<T, ProjectError>,
    ) -> Result<T, ProjectError> {
        match bundling {
            Bundling::Nothing => work(self),
            Bundling::Stage => {
                let (path, now) = (self.locations.store.clone(), self.now);
                let (staged, done) = std::thread::scope(|scope| {
                    let staging = scope.spawn(|| source::stage_bundled(&path, now));
                    let done = work(self);
                    let staged = staging
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    (staged, done)
                });
                let done = done?;
                self.store = Some(staged?.place(self.locations.busy_timeout)?);
                Ok(done)
            }
            Bundling::Load => {
                self.store()?;
                let Some(mut store) = self.store.take() else {
                    return work(self);
                };
                let now = self.now;
                let (done_ok, verdict) = std::sync::mpsc::channel();
                let result = std::thread::scope(|scope| {
                    // Owned here, so that even a panic tells the loader not to keep its load.
                    let done_ok = done_ok;
                    let loading = scope.spawn(|| {
                        source::load_bundled(&mut store, now, move || verdict.recv() == Ok(true))
                    });
                    let done = work(self);
                    let _ = done_ok.send(done.is_ok());
                    let loaded = loading.join().unwrap_or(Err(source::SourceError::NotKept));
                    let done = done?;
                    loaded?;
                    Ok(done)
                });
                self.store = Some(store);
                result
            }
        }
    }

    /// Puts the bundled RustSec snapshot in the store when it has no RustSec
    /// data yet, so the first run works with no network.
    fn ensure_bundled(&mut self) -> Result<(), ProjectError> {
        let mut bundling = self.bundling()?;
        if bundling == Bundling::Stage {
            self.beside_bundling(bundling, |_| Ok(()))?;
            // A store another process made meanwhile is kept instead, and may
            // not hold the snapshot.
            bundling = self.bundling()?;
        }
        if bundling == Bundling::Load {
            self.beside_bundling(bundling, |_| Ok(()))?;
            self.store()?.settle();
        }
        Ok(())
    }

    /// Audits `components` against the advisory store and the record: the
    /// one place every command's view of the anomalies comes from.
    /// `undirected`: what [`undirected_formats`] says of the inputs read.
    fn assess(
        &mut self,
        components: &[Component],
        undirected: Vec<InputFormat>,
        options: &AuditOptions,
    ) -> Result<Audit, ProjectError> {
        let [audit] = self.assess_each([Side {
            components,
            undirected,
            options,
        }])?;
        Ok(audit)
    }

    /// [`Project::assess`] of each side, with the advisory records they
    /// share read and parsed once: the two sides of a diff or of a report's
    /// change analysis are mostly the same SOUP.
    fn assess_each<const N: usize>(
        &mut self,
        sides: [Side<'_>; N],
    ) -> Result<[Audit; N], ProjectError> {
        let mut in_field = Vec::with_capacity(N);
        for side in &sides {
            in_field.push(self.in_field(side.components)?);
        }
        self.assess_in_field(sides, in_field)
    }

    /// [`Project::assess_each`] with each side's components in the field
    /// ([`Project::in_field`]) already known: it reads the advisory store and
    /// the record, never the register, so that the audit's transaction can
    /// pin on another thread meanwhile.
    fn assess_in_field<const N: usize>(
        &mut self,
        sides: [Side<'_>; N],
        in_field: Vec<Vec<Component>>,
    ) -> Result<[Audit; N], ProjectError> {
        self.ensure_bundled()?;
        let evaluated: Vec<String> = self
            .record
            .as_ref()
            .map(|r| {
                r.record()
                    .evaluations
                    .iter()
                    .flat_map(|e| std::iter::once(e.advisory.clone()).chain(e.aliases.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let looked_up = sides
            .iter()
            .flat_map(|side| side.components)
            .chain(in_field.iter().flatten());
        let mut facts = AdvisoryFacts::gather(self.store()?, looked_up, &evaluated)?;
        facts.approvals = self.approval_facts(false)?.0;
        let mut in_field = in_field.into_iter();
        Ok(sides.map(|side| {
            facts.in_field = in_field.next().unwrap_or_default();
            facts.undirected = side.undirected;
            do_audit(
                side.components,
                self.record.as_ref(),
                &mut facts,
                self.today,
                side.options,
            )
        }))
    }

    /// The components of the releases still in the field that an evaluation
    /// of the record names and `components` do not pin: what decides whether
    /// such an evaluation is unused ([`AdvisoryFacts::in_field`]). Nothing is
    /// read while the audited components pin every evaluated package (the
    /// usual working tree, and the fleet audit, which audits every release in
    /// the field); otherwise the register's copy of each baseline is asked for
    /// just those packages, and only a release it holds no current copy of is
    /// read as [`Project::baseline`] reads it.
    fn in_field(&mut self, components: &[Component]) -> Result<Vec<Component>, ProjectError> {
        let Some(record) = self.record_read() else {
            return Ok(Vec::new());
        };
        let pinned: BTreeSet<&str> = components.iter().filter_map(|c| c.purl_str()).collect();
        let wanted: BTreeSet<String> = record
            .evaluations
            .iter()
            .map(|e| e.purl.clone())
            .filter(|purl| !pinned.contains(purl.as_str()))
            .collect();
        let releases: Vec<Release> = record
            .releases
            .iter()
            .filter(|r| !r.retired)
            .cloned()
            .collect();
        if wanted.is_empty() || releases.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<String> = wanted.into_iter().collect();
        let mut found = Vec::new();
        let mut seen = BTreeSet::new();
        for release in &releases {
            let kept = match self.existing_register()? {
                Some(register) => register
                    .baseline_components(&release.version, &wanted)?
                    .filter(|(sha256, _)| *sha256 == release.sha256),
                None => None,
            };
            let components = match kept {
                Some((_, components)) => components,
                None => self.baseline(release)?.components,
            };
            found.extend(components.into_iter().filter(|c| {
                c.purl_str().is_some_and(|p| wanted.iter().any(|w| w == p))
                    && seen.insert(c.key().into_owned())
            }));
        }
        Ok(found)
    }

    /// What a command looks at, each with its inventory: the working tree
    /// (release `None`), one release, or every release in the field.
    fn subjects(
        &mut self,
        input: &Input,
        scope: &AuditScope,
        out: &mut dyn Out,
    ) -> Result<Vec<(Option<String>, Inventory)>, ProjectError> {
        let releases: Vec<Release> = match scope {
            AuditScope::WorkingTree => return self.working_tree(input, out),
            AuditScope::Release(version) => vec![self.release(version)?.clone()],
            AuditScope::AllReleases => self
                .require_record()?
                .record()
                .releases
                .iter()
                .filter(|r| !r.retired)
                .cloned()
                .collect(),
        };
        releases
            .into_iter()
            .map(|release| Ok((Some(release.version.clone()), self.baseline(&release)?)))
            .collect()
    }

    /// The working tree: the input named, or the project and every other part
    /// of the device the record lists (`[[input]]`), each component marked
    /// with the part it came from when there are several.
    fn working_tree(
        &mut self,
        input: &Input,
        out: &mut dyn Out,
    ) -> Result<Vec<(Option<String>, Inventory)>, ProjectError> {
        let parts = self.device_parts(input);
        if parts.is_empty() {
            return Ok(vec![(None, self.read_inventory(input, out)?)]);
        }
        let mut inventories = Vec::new();
        if self.locations.manifest.is_some() {
            let mut project = self.read_inventory(input, out)?;
            mark(&mut project, "Cargo project");
            inventories.push((None, project));
        }
        for part in parts {
            let path = self.locations.record_dir().join(&part.path);
            let mut inventory = crate::inventory::read_input(&path)?;
            mark(&mut inventory, part.label.as_deref().unwrap_or(&part.path));
            inventories.push((None, inventory));
        }
        Ok(inventories)
    }

    /// The record's other parts of the device, when the working tree is the
    /// project itself (a named `--lockfile` or `--sbom` is audited alone).
    fn device_parts(&self, input: &Input) -> Vec<crate::record::InputEntry> {
        match (&self.record, input.is_project()) {
            (Some(record), true) => record.record().inputs.clone(),
            _ => Vec::new(),
        }
    }

    /// The release `version` of the record.
    fn release(&self, version: &str) -> Result<&Release, ProjectError> {
        let record = self.record.as_ref().ok_or(ProjectError::NoReleases)?;
        record
            .record()
            .release(version)
            .ok_or_else(|| ProjectError::NoSuchRelease {
                version: version.to_string(),
                record: self.locations.record.clone(),
            })
    }

    /// A release's committed SBOM, refused if it changed since it was imported.
    /// While the SBOM is unchanged, the register's copy of what this build read
    /// from it stands in for it: parsing every release's SBOM again was most
    /// of the scheduled audit of a fleet.
    fn baseline(&mut self, release: &Release) -> Result<Inventory, ProjectError> {
        let path = self.locations.record_dir().join(&release.sbom);
        let read_now = self
            .unkept_baselines
            .iter()
            .find(|(i, _)| i.input.path == path);
        if let Some((inventory, _)) = read_now.filter(|(i, _)| i.input.sha256 == release.sha256) {
            return Ok(inventory.clone());
        }
        let kept = match self.existing_register()? {
            Some(register) => kept_baseline(register, &path)?,
            None => None,
        };
        // A fresh read notes the SBOM's metadata around it, so that the kept
        // copy is later known by it without reading the file (see `FileMeta`).
        let (inventory, fresh) = match kept {
            Some(inventory) => (inventory, None),
            None => {
                let (inventory, held) =
                    FileMeta::held_while(&path, || crate::inventory::read_input(&path))?;
                (inventory, Some(held))
            }
        };
        if inventory.input.sha256 != release.sha256 {
            return Err(ProjectError::BaselineChanged {
                version: release.version.clone(),
                sbom: release.sbom.clone(),
                found: inventory.input.sha256,
                recorded: release.sha256.clone(),
            });
        }
        if let Some(held) = fresh {
            self.unkept_baselines.push((inventory.clone(), held));
        }
        Ok(inventory)
    }
}

/// How the bundled RustSec snapshot gets into the store ([`Project::bundling`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bundling {
    /// It is there already.
    Nothing,
    /// No store on this machine yet: one is written whole from the bundled image.
    Stage,
    /// A store without RustSec data: the snapshot is loaded into it.
    Load,
}

/// What one audit of [`Project::assess_each`] is of.
struct Side<'a> {
    components: &'a [Component],
    /// What [`undirected_formats`] says of the inputs the components were read from.
    undirected: Vec<InputFormat>,
    options: &'a AuditOptions,
}

/// Marks every component of `inventory` as coming from the device part `part`.
fn mark(inventory: &mut Inventory, part: &str) {
    for component in &mut inventory.components {
        component.input = Some(part.to_string());
    }
}

/// The subjects of `inventories`, as reports name them.
fn subjects_of(inventories: &[(Option<String>, Inventory)]) -> Vec<Subject> {
    inventories
        .iter()
        .map(|(release, inventory)| Subject::new(release.clone(), inventory))
        .collect()
}

/// The formats of `inventories` that leave some item's directness unknown, once each.
fn undirected_formats<'a>(
    inventories: impl IntoIterator<Item = &'a Inventory>,
) -> Vec<InputFormat> {
    let mut formats = Vec::new();
    for inventory in inventories {
        if inventory.lacks_directness() && !formats.contains(&inventory.format) {
            formats.push(inventory.format);
        }
    }
    formats
}

/// Every component of every inventory once, by key. One inventory's
/// components are that already (unique by key), and are borrowed: a
/// lockfile's thousand components, cloned, cost as much as matching them.
fn union_of<'a>(inventories: impl IntoIterator<Item = &'a Inventory>) -> Cow<'a, [Component]> {
    let inventories: Vec<&Inventory> = inventories.into_iter().collect();
    if let [one] = inventories[..] {
        return Cow::Borrowed(&one.components);
    }
    let mut seen = std::collections::HashSet::new();
    inventories
        .iter()
        .flat_map(|inventory| &inventory.components)
        .filter(|c| seen.insert(c.key()))
        .cloned()
        .collect()
}
