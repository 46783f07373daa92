//! The read operations that write documents: `report`, `export`, `check` and
//! `diff`. Each starts from [`Project::assess`], so they agree with `audit` on
//! what needs a person by construction.

use std::path::Path;

use super::{
    AuditScope, Input, Project, ProjectError, Side, subjects_of, undirected_formats, union_of,
};
use crate::advisory::yanked;
use crate::evaluate::{Audit, AuditOptions, Finding, FindingCode};
use crate::inventory::{self, InputFormat, Inventory};
use crate::model::Component;
use crate::out::Out;
use crate::record::SafetyClass;
use crate::report::changes::{from_diff, previous_release};
use crate::report::control::{InputDigest, Provenance, document_control, relative_to};
use crate::report::diff::{DiffSide, SoupDiff, diff};
use crate::report::model::Report;
use crate::report::soup_list::{self, Soup};

/// The compliance gaps of the record for the system's safety class.
pub struct Check {
    pub class: SafetyClass,
    /// Every finding that needs a person, in a stable order.
    pub gaps: Vec<Finding>,
    /// What the check could not decide, for the reader (`directness-unknown`).
    pub notes: Vec<Finding>,
}

impl Project {
    /// The report an export (CycloneDX VEX, SARIF, OpenVEX) is made from: the
    /// analysis as it stands, so stale advisory data does not stop it, with no
    /// change analysis and no document control (an export is not the document).
    pub fn export_report(
        &mut self,
        input: &Input,
        release: Option<&str>,
        out: &mut dyn Out,
    ) -> Result<Report, ProjectError> {
        let options = AuditOptions { allow_stale: true };
        self.report(input, release, None, &options, &Provenance::default(), out)
    }

    /// The SOUP list of the working tree, or of one release, against the record,
    /// with the change analysis since release `since` (by default the previous
    /// release; for the working tree, the latest); without a record, a read-only
    /// draft of the working tree.
    pub fn report(
        &mut self,
        input: &Input,
        release: Option<&str>,
        since: Option<&str>,
        options: &AuditOptions,
        provenance: &Provenance,
        out: &mut dyn Out,
    ) -> Result<Report, ProjectError> {
        let scope = AuditScope::of_release(release);
        let inventories = self.subjects(input, &scope, out)?;
        let components = union_of(inventories.iter().map(|(_, inventory)| inventory));
        let subjects = subjects_of(&inventories);
        let undirected = undirected_formats(inventories.iter().map(|(_, inventory)| inventory));
        let record = self.record_read();
        let since = match since {
            Some(version) => Some(self.release(version)?.version.clone()),
            None => record
                .and_then(|r| previous_release(&r.releases, release))
                .map(|r| r.version.clone()),
        };
        // Cargo's index caches are tens of MB for a large release and need
        // nothing else: they are read on a second thread while the SOUP is
        // assessed, this release's and that of the release it is compared with.
        let cargo_home = self.locations.cargo_home.clone();
        let read_yanks = || {
            cargo_home
                .as_deref()
                .map(|home| yanked::read(home, &components))
                .unwrap_or_default()
        };
        let (yanked, assessed) = std::thread::scope(|scope| {
            let yanks = scope.spawn(read_yanks);
            let assessed = self.assess_sides(&components, undirected, options, since, input, out);
            let yanked = yanks
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (yanked, assessed)
        });
        let (audit, before) = assessed?;
        let record = self.record_read();
        let base = self.locations.record_dir();
        let inputs = subjects
            .iter()
            .map(|s| InputDigest {
                path: relative_to(&s.input.path, base),
                sha256: s.input.sha256.clone(),
                release: s.release.clone(),
            })
            .collect();
        // Each approval as `verify` finds it, so the document says whether its
        // signature holds; no approvals, no signers file read.
        let statuses = match record.is_some_and(|r| !r.approvals.is_empty()) {
            true => self.verify()?.statuses,
            false => Vec::new(),
        };
        let record = self.record_read();
        let control = document_control(record, provenance, release, inputs, &statuses);
        let soup = Soup {
            audit: &audit,
            components: &components,
            subjects: &subjects,
            yanked: &yanked,
        };
        let mut report = soup_list::soup_list(soup, record, self.today, release, control);
        if let Some((since, before)) = before {
            // The document's own SOUP is the later side, assessed once: the
            // options change only findings, and a diff compares anomalies.
            let after = AssessedSide {
                path: joined_paths(inventories.iter().map(|(_, inventory)| inventory)),
                components: components.into_owned(),
                audit,
            };
            let diff = diff_of((&since, &before), (release.unwrap_or("."), &after));
            report.changes = Some(from_diff(&since, &diff));
        }
        Ok(report)
    }

    /// The assessment of a report's `components`, and the release `since` its
    /// change analysis starts from, read and assessed.
    fn assess_sides(
        &mut self,
        components: &[Component],
        undirected: Vec<InputFormat>,
        options: &AuditOptions,
        since: Option<String>,
        input: &Input,
        out: &mut dyn Out,
    ) -> Result<(Audit, Option<(String, AssessedSide)>), ProjectError> {
        let this = Side {
            components,
            undirected,
            options,
        };
        let Some(since) = since else {
            let [audit] = self.assess_each([this])?;
            return Ok((audit, None));
        };
        let (path, before, before_undirected) = self.side(&since, input, out)?;
        let [audit, before_audit] = self.assess_each([
            this,
            Side {
                components: &before,
                undirected: before_undirected,
                options: &AuditOptions::default(),
            },
        ])?;
        let before = AssessedSide {
            path,
            components: before,
            audit: before_audit,
        };
        Ok((audit, Some((since, before))))
    }

    /// The compliance gaps of the working tree (every part of the device) for
    /// the system's safety class.
    pub fn check(
        &mut self,
        input: &Input,
        options: &AuditOptions,
        out: &mut dyn Out,
    ) -> Result<Check, ProjectError> {
        let class = self.require_record()?.record().system.class;
        let inventories = self.subjects(input, &AuditScope::WorkingTree, out)?;
        let components = union_of(inventories.iter().map(|(_, inventory)| inventory));
        let undirected = undirected_formats(inventories.iter().map(|(_, inventory)| inventory));
        let audit = self.assess(&components, undirected, options)?;
        Ok(Check {
            class,
            gaps: audit.findings.needing_person().cloned().collect(),
            notes: audit
                .findings
                .0
                .iter()
                .filter(|f| f.code == FindingCode::DirectnessUnknown && !f.waived)
                .cloned()
                .collect(),
        })
    }

    /// The SOUP change between two sides, each a release of the record, `.`
    /// for the working tree (every part of the device), or a lockfile or SBOM path.
    pub fn diff(
        &mut self,
        before: &str,
        after: &str,
        input: &Input,
        out: &mut dyn Out,
    ) -> Result<SoupDiff, ProjectError> {
        let (before_path, before_components, before_undirected) = self.side(before, input, out)?;
        let (after_path, after_components, after_undirected) = self.side(after, input, out)?;
        let options = AuditOptions::default();
        let [before_audit, after_audit] = self.assess_each([
            Side {
                components: &before_components,
                undirected: before_undirected,
                options: &options,
            },
            Side {
                components: &after_components,
                undirected: after_undirected,
                options: &options,
            },
        ])?;
        let before_side = AssessedSide {
            path: before_path,
            components: before_components,
            audit: before_audit,
        };
        let after_side = AssessedSide {
            path: after_path,
            components: after_components,
            audit: after_audit,
        };
        Ok(diff_of((before, &before_side), (after, &after_side)))
    }

    /// Reads one side of a diff: a release of the record, `.`, or a file; the
    /// files it was read from, its components, and the formats of those of
    /// them that leave an item's directness unknown. The working tree is every
    /// part of the device, as `audit` and `report` read it, so that a report's
    /// change analysis compares the same SOUP as the release's SBOM holds.
    fn side(
        &mut self,
        name: &str,
        input: &Input,
        out: &mut dyn Out,
    ) -> Result<(String, Vec<Component>, Vec<InputFormat>), ProjectError> {
        let path = Path::new(name);
        let release = self
            .record
            .as_ref()
            .filter(|_| !path.exists())
            .and_then(|r| r.record().release(name))
            .cloned();
        let inventories = match (name, release) {
            (".", _) => self
                .subjects(input, &AuditScope::WorkingTree, out)?
                .into_iter()
                .map(|(_, inventory)| inventory)
                .collect(),
            (_, Some(release)) => vec![self.baseline(&release)?],
            (_, None) => vec![inventory::read_input(path)?],
        };
        Ok((
            joined_paths(&inventories),
            union_of(&inventories).into_owned(),
            undirected_formats(&inventories),
        ))
    }
}

/// One side of a diff: the files it was read from, its components and their audit.
struct AssessedSide {
    path: String,
    components: Vec<Component>,
    audit: Audit,
}

/// The diff of two named, assessed sides.
fn diff_of((before, b): (&str, &AssessedSide), (after, a): (&str, &AssessedSide)) -> SoupDiff {
    diff(
        DiffSide::new(before, b.path.clone(), &b.components, &b.audit),
        DiffSide::new(after, a.path.clone(), &a.components, &a.audit),
        &b.components,
        &a.components,
    )
}

/// The input files of `inventories`, as a diff side names them.
fn joined_paths<'a>(inventories: impl IntoIterator<Item = &'a Inventory>) -> String {
    let paths: Vec<String> = inventories
        .into_iter()
        .map(|i| i.input.path.display().to_string())
        .collect();
    paths.join(", ")
}
