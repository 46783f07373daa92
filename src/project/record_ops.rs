//! The operations that change the record: `init`, `evaluate`, `review`,
//! `retire`, `fmt` and `import`, and `list`, which pins what it reads.

use std::path::Path;

use super::inputs::forget_baseline;
use super::{AuditScope, Input, Project, ProjectError};
use crate::evaluate::{AuditOptions, Evaluator, Judgement, anomaly_ids, evaluation};
use crate::inventory::{self, Inventory};
use crate::model::{Component, Purl};
use crate::out::Out;
use crate::record::{self, Evaluation, RecordFile, Release, Review, SafetyClass};
use crate::register::{EventKind, PinDiff};
use crate::report::list::{ListJson, list_json};

/// What `list` read and pinned: one inventory per part of the device.
pub struct Listing {
    /// The project (or the input named) first, then the record's `[[input]]`s.
    pub inventories: Vec<Inventory>,
    /// What changed among the pins of each, in the same order.
    pub pins: Vec<PinDiff>,
}

impl Listing {
    /// What `list --format json` prints: the first part's pins, every part's
    /// input, and with the record (and its path) each item's specification.
    pub fn json(&self, record: Option<(&record::Record, String)>) -> Option<ListJson<'_>> {
        let pins = self.pins.first()?;
        list_json(&self.inventories, pins, record)
    }
}

/// One evaluation recorded from flags: which anomaly, and the judgement.
#[derive(Debug, Clone)]
pub struct EvaluateRequest {
    /// Any of the anomaly's ids or aliases.
    pub advisory: String,
    /// `NAME@VERSION`, a bare name, or a purl.
    pub package: String,
    pub judgement: Judgement,
    pub by: String,
    pub input: Input,
    /// Where the package is pinned: the working tree or a release.
    pub scope: AuditScope,
}

/// What `import` did.
#[derive(Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The release was added (or replaced) from the SBOM.
    Imported { release: Release, components: usize },
    /// The same file was imported before: nothing changed.
    Unchanged,
}

impl Project {
    /// Writes a new record for the system `name` (default: [`Project::system_name`])
    /// of safety `class`, ignores the register in git and creates it, and
    /// returns the name. The record is written last: its existence means init
    /// is done, so a failure before it leaves a project a second init completes.
    pub fn init(
        &mut self,
        name: Option<&str>,
        class: SafetyClass,
        manufacturer: Option<&str>,
        inputs: &[record::InputEntry],
    ) -> Result<String, ProjectError> {
        let name = name.map_or_else(|| self.system_name(), str::to_string);
        let mut text = record::init_text(&name, class, manufacturer);
        for input in inputs {
            text.push_str(&format!(
                "\n[[input]]\npath = {}\n",
                toml_edit::Value::from(input.path.as_str())
            ));
        }
        let path = self.locations.record.clone();
        ignore_in_git(&self.locations.record_dir().join(".gitignore"), ".soup/")?;
        let now = self.now;
        let register = self.register_on_disk()?;
        let changes = register.begin("init", now)?;
        changes.log(
            EventKind::RecordCreated,
            &path.display().to_string(),
            Some(class.as_str()),
        )?;
        let created = RecordFile::create(&path, &text)?;
        changes.commit()?;
        self.record = Some(created);
        Ok(name)
    }

    /// The system's name when the user gives none: the manifest's package
    /// name, else the name of the record's directory.
    pub fn system_name(&self) -> String {
        let from_manifest = self
            .locations
            .manifest
            .as_deref()
            .and_then(|m| inventory::manifest_package_field(m, "name"));
        from_manifest.unwrap_or_else(|| {
            self.locations
                .record
                .parent()
                .and_then(|d| d.canonicalize().ok())
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "system".to_string())
        })
    }

    /// The repository's other lockfiles, relative to the record's directory
    /// with `/` between folders (as an `[[input]]` names them): what init
    /// offers as the device's other parts.
    pub fn other_lockfiles(&self) -> Vec<String> {
        let dir = self.locations.record_dir();
        inventory::find_lockfiles(dir)
            .iter()
            .map(|path| {
                let relative = path.strip_prefix(dir).unwrap_or(path);
                relative.to_string_lossy().replace('\\', "/")
            })
            .collect()
    }

    /// Reads the SOUP of `input` (and of every other part of the device the
    /// record lists) and pins it in the register.
    pub fn list(&mut self, input: &Input, out: &mut dyn Out) -> Result<Listing, ProjectError> {
        let inventories: Vec<Inventory> = self
            .subjects(input, &AuditScope::WorkingTree, out)?
            .into_iter()
            .map(|(_, inventory)| inventory)
            .collect();
        let now = self.now;
        let changes = self.register()?.begin("list", now)?;
        let pins = inventories
            .iter()
            .map(|inventory| changes.pin(inventory))
            .collect::<Result<Vec<_>, _>>()?;
        changes.commit()?;
        Ok(Listing { inventories, pins })
    }

    /// Records one evaluation from flags, refusing one that is incomplete or
    /// contradicts itself, or names no single anomaly.
    pub fn evaluate(
        &mut self,
        request: EvaluateRequest,
        out: &mut dyn Out,
    ) -> Result<Evaluation, ProjectError> {
        let policy = self.require_record()?.record().policy.clone();
        let inventories = self.subjects(&request.input, &request.scope, out)?;
        let components = super::union_of(inventories.iter().map(|(_, i)| i));
        let package = PackageName::resolve(&request.package, &components)?;
        let undirected = super::undirected_formats(inventories.iter().map(|(_, i)| i));
        let audit = self.assess(&components, undirected, &AuditOptions::default())?;
        let assessment = audit
            .assessments
            .iter()
            .find(|a| {
                anomaly_ids(&a.anomaly)
                    .iter()
                    .any(|id| id.eq_ignore_ascii_case(&request.advisory))
                    && package.names(&a.anomaly.component)
            })
            .ok_or_else(|| {
                ProjectError::Refused(format!(
                    "failed to find {} affecting {} among the {} anomalies of {}: check the id and the version \
                     (`cargo soup audit` lists them)",
                    request.advisory,
                    request.package,
                    audit.assessments.len(),
                    super::audit::subject_label(&super::subjects_of(&inventories)),
                ))
            })?;
        let who = Evaluator {
            by: request.by,
            today: self.today,
            review_period_days: policy.review_period_days,
            investigation_period_days: policy.investigation_period_days,
        };
        let evaluation = evaluation(&assessment.anomaly, request.judgement, &who, None);
        let problems: Vec<String> = evaluation
            .recording_problems()
            .iter()
            .map(|p| in_flag_terms(p))
            .collect();
        if !problems.is_empty() {
            return Err(ProjectError::Refused(format!(
                "failed to record the evaluation:\n  - {}",
                problems.join("\n  - ")
            )));
        }
        self.require_record_mut()?.append_evaluation(&evaluation)?;
        let subject = format!("{} {}", evaluation.advisory, evaluation.purl);
        self.save_record("evaluate", EventKind::EvaluationRecorded, &subject)?;
        Ok(evaluation)
    }

    /// Records a manual review of an item no machine-readable anomaly list covers.
    pub fn review(&mut self, review: &Review) -> Result<(), ProjectError> {
        self.require_record_mut()?.add_review(review)?;
        self.save_record("review", EventKind::ReviewRecorded, &review.item)
    }

    /// Marks `release` as retired, or with `retired` false as in the field again.
    pub fn retire(&mut self, release: &str, retired: bool) -> Result<(), ProjectError> {
        self.require_record_mut()?.set_retired(release, retired)?;
        let kind = match retired {
            true => EventKind::ReleaseRetired,
            false => EventKind::ReleaseInField,
        };
        self.save_record("retire", kind, release)
    }

    /// Rewrites the record canonically; false when it already was.
    pub fn fmt(&mut self) -> Result<bool, ProjectError> {
        if self.require_record()?.is_canonical() {
            return Ok(false);
        }
        let path = self.locations.record.display().to_string();
        self.save_record("fmt", EventKind::RecordFormatted, &path)?;
        Ok(true)
    }

    /// Makes the SBOM at `sbom` the baseline of `version`: copied into the
    /// record's releases folder, added to the record with its sha256, pinned.
    pub fn import(
        &mut self,
        sbom: &Path,
        version: &str,
        replace: bool,
    ) -> Result<ImportOutcome, ProjectError> {
        if !Release::is_valid_version(version) {
            return Err(ProjectError::Refused(format!(
                "failed to import: `{version}` is not a release version (letters, digits and . _ + - only)"
            )));
        }
        let record_file = self.require_record()?;
        let releases_dir = record_file.record().policy.releases_dir.clone();
        let existing = record_file.record().release(version).cloned();
        let bytes = inventory::read_bytes(sbom)?;
        let inventory = inventory::read_input(sbom)?;
        let sha256 = inventory.input.sha256.clone();
        if let Some(existing) = &existing {
            if existing.sha256 == sha256 {
                self.set_baseline(existing, &inventory, false)?;
                return Ok(ImportOutcome::Unchanged);
            }
            if !replace {
                return Err(ProjectError::Refused(format!(
                    "failed to import {}: release {version} already has a different SBOM ({}, sha256 {}); \
                     pass --replace to replace it",
                    sbom.display(),
                    existing.sbom,
                    existing.sha256
                )));
            }
        }
        let file_name = sbom.file_name().ok_or_else(|| {
            ProjectError::Refused(format!(
                "failed to import {}: it names no file",
                sbom.display()
            ))
        })?;
        let relative = Path::new(&releases_dir).join(version).join(file_name);
        record::write_file_atomically(&self.locations.record_dir().join(&relative), &bytes)?;
        let release = Release {
            version: version.to_string(),
            sbom: relative.to_string_lossy().replace('\\', "/"),
            sha256,
            date: self.today,
            retired: false,
        };
        let record_file = self.require_record_mut()?;
        match existing {
            Some(_) => record_file.replace_release(&release)?,
            None => record_file.add_release(&release)?,
        }
        self.set_baseline(&release, &inventory, true)?;
        Ok(ImportOutcome::Imported {
            release,
            components: inventory.components.len(),
        })
    }

    /// Pins `inventory` as the baseline of `release` in the register, saving
    /// the record (when it changed) inside the same transaction, whose write
    /// lock keeps a concurrent save from slipping in.
    fn set_baseline(
        &mut self,
        release: &Release,
        inventory: &Inventory,
        save_record: bool,
    ) -> Result<(), ProjectError> {
        let kept = self.locations.record_dir().join(&release.sbom);
        self.commit("import", save_record, |changes| {
            forget_baseline(changes, &kept)?;
            changes.set_baseline(
                &release.version,
                &release.sbom,
                &release.sha256,
                &inventory.components,
            )?;
            changes.pin(inventory)?;
            Ok(())
        })
    }
}

/// A package as a command names it: `NAME@VERSION`, a purl, or a bare name
/// that must match exactly one pinned version.
pub(super) enum PackageName {
    /// A purl, compared by its canonical text; `None` when the text starts
    /// like one but does not parse, so it names nothing.
    Purl(Option<Purl>),
    Exact {
        name: String,
        version: String,
    },
}

impl PackageName {
    /// Reads `package` against the pinned `components`; a bare name pinned at
    /// more than one version is refused, with the versions listed.
    pub(super) fn resolve(
        package: &str,
        components: &[Component],
    ) -> Result<PackageName, ProjectError> {
        if package.starts_with("pkg:") {
            return Ok(PackageName::Purl(Purl::parse(package).ok()));
        }
        if let Some((name, version)) = package.rsplit_once('@') {
            return Ok(PackageName::Exact {
                name: name.to_string(),
                version: version.to_string(),
            });
        }
        let mut versions: Vec<&str> = components
            .iter()
            .filter(|c| is_named(c, package))
            .map(|c| c.version.as_str())
            .collect();
        versions.sort_unstable();
        versions.dedup();
        match versions.as_slice() {
            [version] => Ok(PackageName::Exact {
                name: package.to_string(),
                version: version.to_string(),
            }),
            [] => Err(ProjectError::Refused(format!(
                "failed to find {package}: no such package is pinned (`cargo soup list` lists them)"
            ))),
            several => Err(ProjectError::Refused(format!(
                "failed to tell which {package} is meant: {} versions are pinned ({}); \
                 name one as {package}@VERSION",
                several.len(),
                several.join(", ")
            ))),
        }
    }

    /// True when this names `component`.
    pub(super) fn names(&self, component: &Component) -> bool {
        match self {
            PackageName::Purl(purl) => purl.is_some() && component.purl == *purl,
            PackageName::Exact { name, version } => {
                is_named(component, name) && component.version == *version
            }
        }
    }
}

/// The record's keys in a problem, as the flags of `evaluate` that set them:
/// the engineer typed flags, not TOML.
const FLAGS: [(&str, &str); 6] = [
    ("hazardous = true", "--hazardous"),
    ("`hazards`", "--hazard"),
    ("`vex_justification`", "--justification"),
    ("vex_status = ", "--vex "),
    ("`rationale`", "--rationale"),
    ("`by`", "--by"),
];

/// `problem` with the record's keys named by their flags.
fn in_flag_terms(problem: &str) -> String {
    FLAGS.iter().fold(problem.to_string(), |text, (key, flag)| {
        text.replace(key, flag)
    })
}

/// True when `name` names `component` as its ecosystem compares names
/// (`django` is `Django` on PyPI).
fn is_named(component: &Component, name: &str) -> bool {
    let ecosystem = &component.ecosystem;
    ecosystem.normalize_name(&component.name) == ecosystem.normalize_name(name)
}

/// Adds `entry` to the `.gitignore` at `path` unless a line already says it.
fn ignore_in_git(path: &Path, entry: &str) -> Result<(), ProjectError> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(ProjectError::Refused(format!(
                "failed to read {}: {e}",
                path.display()
            )));
        }
    };
    let bare = entry.trim_end_matches('/');
    if existing
        .lines()
        .map(str::trim)
        .any(|l| l == entry || l == bare || l == format!("/{entry}"))
    {
        return Ok(());
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# cargo-soup's register: rebuildable, not committed\n");
    text.push_str(entry);
    text.push('\n');
    record::write_file_atomically(path, text.as_bytes())?;
    Ok(())
}
