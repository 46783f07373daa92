//! `audit` and `reevaluate`: the whole chain, from the inventory to each
//! anomaly's evaluation, with prompts through the [`Out`] when asked for.

use std::sync::Arc;

use super::fetch::ecosystems_of;
use super::inputs::{Identified, keep_baseline, keep_inventory};
use super::reuse::{self, AuditKey, Kept};
use super::{
    Bundling, Input, Project, ProjectError, Side, program_identity, subjects_of,
    undirected_formats, union_of,
};
use crate::evaluate::prompt::{self, Answer};
use crate::evaluate::{Assessment, Audit, AuditOptions, Evaluator};
use crate::inventory::Inventory;
use crate::out::Out;
use crate::record::Record;
use crate::register::{Changes, EventKind, FileMeta, Register, SourceInfo};
use crate::report::audit::Subject;

/// What an audit looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The project, or the lockfile or SBOM named in the [`Input`].
    WorkingTree,
    /// One release's baseline.
    Release(String),
    /// Every release still in the field: the scheduled post-market check.
    AllReleases,
}

impl Scope {
    /// The release named (`--release VERSION`), else the working tree.
    pub fn of_release(release: Option<&str>) -> Scope {
        release.map_or(Scope::WorkingTree, |version| {
            Scope::Release(version.to_string())
        })
    }
}

/// What one run of `audit` or `reevaluate` is asked for.
#[derive(Debug, Clone)]
pub struct AuditRequest {
    pub input: Input,
    pub scope: Scope,
    pub options: AuditOptions,
    /// `reevaluate`: only due anomalies are shown and asked about.
    pub only_due: bool,
    /// Ask for each open anomaly's evaluation through the [`Out`], as `by`.
    pub prompt_as: Option<String>,
    /// Fetch advisory data first; `Some(true)` allows plain http to loopback.
    pub fetch: Option<bool>,
}

impl AuditRequest {
    /// The command's name in the register's log.
    pub fn command(&self) -> &'static str {
        if self.only_due { "reevaluate" } else { "audit" }
    }

    /// True when this run asks a person about `a`: every anomaly that needs
    /// one, or for `reevaluate` only those due again.
    pub fn is_open(&self, a: &Assessment) -> bool {
        a.needs_person && (!self.only_due || a.state.is_due())
    }

    /// True when `a` is shown: `reevaluate` shows only what is due.
    pub fn shows(&self, a: &Assessment) -> bool {
        !self.only_due || a.state.is_due()
    }

    /// The anomalies of `audit` this run shows, in the audit's order.
    pub fn shown<'a>(&self, audit: &'a Audit) -> Vec<&'a Assessment> {
        audit.assessments.iter().filter(|a| self.shows(a)).collect()
    }

    /// The `evaluate` command that records `a`'s evaluation, with a placeholder
    /// for every judgement: the tool suggests no conclusion. It names the input
    /// as this audit did, so that it works where it is printed.
    pub fn evaluate_command(&self, a: &Assessment) -> String {
        let c = &a.anomaly.component;
        let input = match (&self.scope, &self.input.sbom, &self.input.lockfile) {
            (Scope::Release(version), _, _) => format!(" --release {version}"),
            (_, Some(sbom), _) => format!(" --sbom {}", sbom.display()),
            (_, None, Some(lockfile)) => format!(" --lockfile {}", lockfile.display()),
            (_, None, None) => String::new(),
        };
        format!(
            "  cargo soup evaluate {} --package {}@{}{input} \\\n    \
             --hazardous|--not-hazardous [--hazard ID --risk-control ID] --vex STATUS \\\n    \
             [--justification JUSTIFICATION] --action ACTION --rationale \"<why>\"",
            a.anomaly.id, c.name, c.version
        )
    }
}

/// One input an audit read: the release whose baseline it is, if any, and its inventory.
type Read = (Option<String>, Inventory);

/// What an audit found and did.
pub struct AuditRun {
    pub audit: Audit,
    /// What it looked at, each with its input file.
    pub subjects: Vec<Subject>,
    /// The result was the one kept from an earlier audit of unchanged input.
    pub reused: bool,
    /// Advisory sources that failed to download (`--fetch`); each kept its data.
    pub fetch_failures: usize,
}

impl Project {
    /// Audits what `request` names and, when asked to, walks the engineer
    /// through each open anomaly, appending every evaluation to the record.
    pub fn audit(
        &mut self,
        request: &AuditRequest,
        out: &mut dyn Out,
    ) -> Result<AuditRun, ProjectError> {
        let (run, ()) = self.audit_rendered(request, out, |_, _, _| ())?;
        Ok(run)
    }

    /// [`Project::audit`], with `render` given the result while the register
    /// commits it: rendering a large audit as JSON took half as long as
    /// keeping it, and came after it. What `render` made comes back only once
    /// the result is recorded.
    pub fn audit_rendered<T>(
        &mut self,
        request: &AuditRequest,
        out: &mut dyn Out,
        render: impl FnOnce(&Audit, &[Subject], Option<&Record>) -> T,
    ) -> Result<(AuditRun, T), ProjectError> {
        let prompting = request.prompt_as.is_some() && self.record.is_some();
        // The working tree is identified before it is read: when nothing the audit
        // reads changed since the last audit of it, that result is reused as it is.
        // The reuse cache keys one input: a device of several parts is read anew.
        let working_tree =
            request.scope == Scope::WorkingTree && self.device_parts(&request.input).is_empty();
        let identified = match working_tree {
            true => self.identify(&request.input)?,
            false => None,
        };
        // An empty store has nothing a kept result could have been made from.
        let bundling = self.bundling()?;
        let first_use = bundling != Bundling::Nothing;
        let approvals = self.approval_facts(false)?.1;
        if let Some(id) = identified
            .as_ref()
            .filter(|_| request.fetch.is_none() && !first_use)
        {
            let kept = self.kept_audit(request, id, &approvals)?;
            if let Some(kept) = kept.filter(|k| !(prompting && has_open(request, &k.audit))) {
                out.verbose(
                    "note: nothing this audit reads changed since the last one; its result is reused",
                );
                let run = self.reuse(request, kept)?;
                let rendered = render(&run.audit, &run.subjects, self.record_read());
                return Ok((run, rendered));
            }
        }

        // A fetch brings the data itself; else the snapshot goes in beside the reading.
        let meanwhile = match request.fetch {
            None => bundling,
            Some(_) => Bundling::Nothing,
        };
        let (inventories, fingerprint) = self.read_subjects(request, identified, meanwhile, out)?;
        let _settling = match meanwhile {
            Bundling::Nothing => None,
            Bundling::Stage | Bundling::Load => Some(self.store()?.settle_in_background()),
        };
        let subjects = subjects_of(&inventories);
        let components = union_of(inventories.iter().map(|(_, inventory)| inventory));
        let mut fetch_failures = 0;
        if let Some(allow_http) = request.fetch {
            let ecosystems = ecosystems_of(&components);
            fetch_failures = self.refresh(&ecosystems, allow_http, out)?;
        }
        self.ensure_bundled()?;
        // Read before matching: data fetched meanwhile by another run makes the next
        // audit do the work again rather than reuse a result that did not see it.
        let sources = self.store()?.sources()?;
        let undirected = undirected_formats(inventories.iter().map(|(_, inventory)| inventory));
        if prompting {
            let audit = self.assess(&components, undirected.clone(), &request.options)?;
            self.walk(request, &audit, out)?;
        }

        let in_field = vec![self.in_field(&components)?];
        let keep = match working_tree {
            true => Some(Keeping {
                fingerprint,
                manifest: self.locations.manifest.clone(),
                record: self.record.as_ref().map(|r| r.saved_text().to_string()),
                approvals,
                sources,
            }),
            false => None,
        };
        let unkept = std::mem::take(&mut self.unkept_baselines);
        let writing = Writing {
            request,
            inventories: &inventories,
            subjects: &subjects,
            unkept: &unkept,
            keep,
            today: self.today,
            now: self.now,
        };
        let open = self.register_opener();
        // The register's transaction pins on a second thread while this one
        // matches: on a fresh clone, creating the register and pinning every
        // item cost as much as the matching. The matching reads the store and
        // the record only, so neither waits for the other until the result is
        // recorded.
        let (register, recorded) = std::thread::scope(|scope| {
            let (to_writer, assessed) = std::sync::mpsc::channel();
            let writer = scope.spawn(move || writing.write(open, assessed));
            let matched = self.assess_in_field(
                [Side {
                    components: &components,
                    undirected,
                    options: &request.options,
                }],
                in_field,
            );
            let rendered = matched.map(|[audit]| {
                let audit = Arc::new(audit);
                let _ = to_writer.send(Arc::clone(&audit));
                drop(to_writer);
                let rendered = render(&audit, &subjects, self.record_read());
                (audit, rendered)
            });
            let (register, written) = writer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            // A failed match is the error to give, not the writer's for the
            // result it never got.
            (
                register,
                rendered.and_then(|rendered| written.map(|()| rendered)),
            )
        });
        self.register = register;
        let (audit, rendered) = recorded?;
        // The writer has let go of its share: it is this one's alone.
        let audit = Arc::try_unwrap(audit).unwrap_or_else(|shared| (*shared).clone());
        drop(components);
        free_meanwhile(inventories);
        let run = AuditRun {
            audit,
            subjects,
            reused: false,
            fetch_failures,
        };
        Ok((run, rendered))
    }

    /// The result kept from an earlier audit of the identified input, if it was
    /// made under the key of everything this audit would read.
    fn kept_audit(
        &mut self,
        request: &AuditRequest,
        id: &Identified,
        approvals: &str,
    ) -> Result<Option<Kept>, ProjectError> {
        // A register that does not exist yet keeps nothing, and is not made
        // before the input is read: a bad input on a fresh clone leaves none.
        if self.existing_register()?.is_none() {
            return Ok(None);
        }
        let sources = self.store()?.sources()?;
        let record = self.record.as_ref().map(|r| r.saved_text().to_string());
        let key = AuditKey {
            program: program_identity(),
            fingerprint: id.fingerprint()?,
            record: record.as_deref(),
            approvals,
            sources: &sources,
            today: self.today,
            options: &request.options,
        };
        reuse::kept(self.register()?, &id.input_path, &key)
    }

    /// Gives a kept result again. Its input was read again (its pins are
    /// current: pinning anything else under its path would have forgotten it),
    /// and the register records this audit as any other.
    fn reuse(&mut self, request: &AuditRequest, kept: Kept) -> Result<AuditRun, ProjectError> {
        let subjects = vec![Subject::working_tree(kept.input.clone(), kept.format)];
        let now = self.now;
        let changes = self.register()?.begin(request.command(), now)?;
        changes.read_again(&kept.input, kept.format)?;
        record_run(&changes, &kept.audit, &subjects)?;
        changes.commit()?;
        Ok(AuditRun {
            audit: kept.audit,
            subjects,
            reused: true,
            fetch_failures: 0,
        })
    }

    /// Reads what the audit looks at: the identified working tree, with its
    /// fingerprint, or what [`Project::subjects`] finds, beside `bundling` the
    /// snapshot into the store ([`Project::beside_bundling`]).
    fn read_subjects(
        &mut self,
        request: &AuditRequest,
        identified: Option<Identified>,
        bundling: Bundling,
        out: &mut dyn Out,
    ) -> Result<(Vec<Read>, Option<String>), ProjectError> {
        self.beside_bundling(bundling, |project| match identified {
            Some(id) => project
                .read_identified(id, &request.input, out)
                .map(|(inventory, fingerprint)| (vec![(None, inventory)], Some(fingerprint))),
            None => Ok((project.subjects(&request.input, &request.scope, out)?, None)),
        })
    }

    /// Asks for each anomaly that needs an evaluation; saves the record after
    /// each one. Returns whether any evaluation was recorded.
    fn walk(
        &mut self,
        request: &AuditRequest,
        audit: &Audit,
        out: &mut dyn Out,
    ) -> Result<bool, ProjectError> {
        let open: Vec<&Assessment> = audit
            .assessments
            .iter()
            .filter(|a| request.is_open(a))
            .collect();
        let (Some(by), false) = (request.prompt_as.clone(), open.is_empty()) else {
            return Ok(false);
        };
        let policy = &self.require_record()?.record().policy;
        let who = Evaluator {
            by,
            today: self.today,
            review_period_days: policy.review_period_days,
            investigation_period_days: policy.investigation_period_days,
        };
        let mut recorded = false;
        for (index, assessment) in open.iter().enumerate() {
            let answer = prompt::ask(out, assessment, &who, (index + 1, open.len()))
                .map_err(|e| ProjectError::Refused(format!("failed to read the answer: {e}")))?;
            match answer {
                Answer::Recorded(evaluation) => {
                    self.require_record_mut()?.append_evaluation(&evaluation)?;
                    let subject = format!("{} {}", evaluation.advisory, evaluation.purl);
                    self.save_record(request.command(), EventKind::EvaluationRecorded, &subject)?;
                    out.line(&out.good(&format!(
                        "recorded the evaluation of {} for {} in {}",
                        evaluation.advisory,
                        evaluation.purl,
                        self.locations.record.display()
                    )));
                    recorded = true;
                }
                Answer::Skipped => out.line("skipped: it stays open"),
                Answer::Quit => break,
            }
        }
        Ok(recorded)
    }
}

/// What the audit's transaction writes: the pins of what was read, the
/// run, and for the working tree the kept inventory and result.
struct Writing<'a> {
    request: &'a AuditRequest,
    inventories: &'a [(Option<String>, Inventory)],
    subjects: &'a [Subject],
    unkept: &'a [(Inventory, Option<FileMeta>)],
    keep: Option<Keeping>,
    today: time::Date,
    now: time::OffsetDateTime,
}

/// What the reuse cache keys the working tree's result under (see [`AuditKey`]).
struct Keeping {
    /// The input's fingerprint, when it was identified before it was read.
    fingerprint: Option<String>,
    /// The project's manifest, whose `cargo metadata` inventory is kept.
    manifest: Option<std::path::PathBuf>,
    /// The record's text as saved, or `None` with no record.
    record: Option<String>,
    /// The digest of the files the approvals are checked against.
    approvals: String,
    /// The advisory sources as the audit found them, before it matched.
    sources: Vec<SourceInfo>,
}

impl Writing<'_> {
    /// Opens the register and writes to it in one transaction. Gives back the
    /// register, open whatever happened (in memory it is the only copy), and
    /// whether the audit was recorded.
    fn write(
        self,
        open: impl FnOnce() -> Result<Register, ProjectError>,
        assessed: std::sync::mpsc::Receiver<Arc<Audit>>,
    ) -> (Option<Register>, Result<(), ProjectError>) {
        match open() {
            Ok(mut register) => {
                let written = self.transact(&mut register, assessed);
                (Some(register), written)
            }
            Err(e) => (None, Err(e)),
        }
    }

    /// Pins, then waits for the audit to record it and commit. Without an
    /// audit (the matching failed) nothing is committed.
    fn transact(
        self,
        register: &mut Register,
        assessed: std::sync::mpsc::Receiver<Arc<Audit>>,
    ) -> Result<(), ProjectError> {
        let changes = register.begin(self.request.command(), self.now)?;
        pin_subjects(&changes, self.inventories, self.unkept)?;
        let Ok(audit) = assessed.recv() else {
            return Err(ProjectError::Refused(
                "the audit stopped before its result was recorded".to_string(),
            ));
        };
        record_run(&changes, &audit, self.subjects)?;
        // The working tree is one input: its inventory is the only one.
        if let (Some(keep), [(_, inventory)]) = (&self.keep, self.inventories) {
            let fingerprint = match &keep.fingerprint {
                Some(fingerprint) => Some(fingerprint.clone()),
                None => keep_inventory(
                    &changes,
                    keep.manifest.as_deref(),
                    &self.request.input,
                    inventory,
                )?,
            };
            if let Some(fingerprint) = fingerprint {
                let key = AuditKey {
                    program: program_identity(),
                    fingerprint: &fingerprint,
                    record: keep.record.as_deref(),
                    approvals: &keep.approvals,
                    sources: &keep.sources,
                    today: self.today,
                    options: &self.request.options,
                };
                reuse::keep(&changes, &key, inventory, &audit)?;
            }
        }
        changes.commit()?;
        Ok(())
    }
}

/// Pins what the audit read, and keeps each release baseline read from its
/// SBOM. A kept baseline's pins are current (see `kept_baseline`): it was read
/// again, and stamping it so is all that pinning it again would do.
fn pin_subjects(
    changes: &Changes<'_>,
    inventories: &[(Option<String>, Inventory)],
    unkept: &[(Inventory, Option<FileMeta>)],
) -> Result<(), ProjectError> {
    for (release, inventory) in inventories {
        let read_now = unkept
            .iter()
            .any(|(read, _)| read.input.path == inventory.input.path);
        match release.is_some() && !read_now {
            true => changes.read_again(&inventory.input, inventory.format)?,
            false => {
                changes.pin(inventory)?;
            }
        }
    }
    for (inventory, held) in unkept {
        keep_baseline(changes, inventory, *held)?;
    }
    Ok(())
}

/// Frees `value` on a thread of its own: what an audit read and found is
/// tens of thousands of strings, freeing them took a twentieth of a fresh
/// clone's audit, and the command prints its result meanwhile. When the
/// process ends first, the system takes the memory back whole.
pub fn free_meanwhile<T: Send + 'static>(value: T) {
    // A thread that cannot start frees it here instead.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// True when the audit leaves an anomaly for a person to evaluate now.
fn has_open(request: &AuditRequest, audit: &Audit) -> bool {
    audit.assessments.iter().any(|a| request.is_open(a))
}

/// Records in the register which advisory data the audit used and what it detected.
fn record_run(
    changes: &Changes<'_>,
    audit: &Audit,
    subjects: &[Subject],
) -> Result<(), ProjectError> {
    let detected: Vec<(String, String)> = audit
        .assessments
        .iter()
        .map(|a| (a.anomaly.id.clone(), a.anomaly.component.key().into_owned()))
        .collect();
    let data = serde_json::to_string(&audit.advisory_data).unwrap_or_default();
    changes.record_audit(&subject_label(subjects), &data, &detected)?;
    Ok(())
}

/// How the register and the terminal name what was audited.
pub fn subject_label(subjects: &[Subject]) -> String {
    subjects
        .iter()
        .map(|s| match &s.release {
            Some(version) => format!("release {version}"),
            None => s.input.path.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{State, test_assessment};

    fn request(scope: Scope, only_due: bool) -> AuditRequest {
        AuditRequest {
            input: Input::default(),
            scope,
            options: AuditOptions::default(),
            only_due,
            prompt_as: None,
            fetch: None,
        }
    }

    #[test]
    fn reevaluate_shows_only_what_is_due() {
        let audit = Audit {
            components: 1,
            advisory_data: vec![],
            assessments: vec![test_assessment(State::New), test_assessment(State::Due)],
            findings: Default::default(),
            unordered_ecosystems: vec![],
        };
        assert_eq!(request(Scope::WorkingTree, false).shown(&audit).len(), 2);
        let due = request(Scope::WorkingTree, true).shown(&audit);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].state, State::Due);
    }

    #[test]
    fn the_suggested_command_names_the_input_as_the_audit_did() {
        let a = test_assessment(State::New);
        let release = request(Scope::Release("1.4.0".into()), false).evaluate_command(&a);
        assert!(
            release.starts_with(
                "  cargo soup evaluate RUSTSEC-2099-0001 --package serde@1.0.0 --release 1.4.0 \\\n"
            ),
            "{release}"
        );
        let mut sbom = request(Scope::WorkingTree, false);
        sbom.input.sbom = Some("release.cdx.json".into());
        assert!(
            sbom.evaluate_command(&a)
                .contains("@1.0.0 --sbom release.cdx.json \\\n")
        );
        let project = request(Scope::WorkingTree, false).evaluate_command(&a);
        assert!(project.contains("@1.0.0 \\\n"), "{project}");
        assert!(project.ends_with("--rationale \"<why>\""));
    }
}
