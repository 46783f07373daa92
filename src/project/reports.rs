//! The read operations that write documents: `report`, `export`, `check` and
//! `diff`. Each starts from [`Project::assess`], so they agree with `audit` on
//! what needs a person by construction.

use std::path::Path;

use super::{AuditScope, Input, Project, ProjectError, subjects_of, undirected_formats, union_of};
use crate::advisory::yanked;
use crate::evaluate::{AuditOptions, Finding, FindingCode};
use crate::inventory::{self, InputFormat};
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
        let scope = match release {
            Some(version) => AuditScope::Release(version.to_string()),
            None => AuditScope::WorkingTree,
        };
        let inventories = self.subjects(input, &scope, out)?;
        let components = union_of(inventories.iter().map(|(_, inventory)| inventory));
        let subjects = subjects_of(&inventories);
        let undirected = undirected_formats(inventories.iter().map(|(_, inventory)| inventory));
        let audit = self.assess(&components, undirected, options)?;
        let record = self.record.as_ref().map(|r| r.record());
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
        let record = self.record.as_ref().map(|r| r.record());
        let control = document_control(record, provenance, release, inputs, &statuses);
        let yanked = self
            .locations
            .cargo_home
            .as_deref()
            .map(|home| yanked::read(home, &components))
            .unwrap_or_default();
        let soup = Soup {
            audit: &audit,
            components: &components,
            subjects: &subjects,
            yanked: &yanked,
        };
        let mut report = soup_list::soup_list(soup, record, self.today, release, control);
        let since = match since {
            Some(version) => Some(self.release(version)?.version.clone()),
            None => record
                .and_then(|r| previous_release(&r.releases, release))
                .map(|r| r.version.clone()),
        };
        if let Some(since) = since {
            let diff = self.diff(&since, release.unwrap_or("."), input, out)?;
            report.changes = Some(from_diff(&since, &diff));
        }
        Ok(report)
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
        let before_audit = self.assess(&before_components, before_undirected, &options)?;
        let after_audit = self.assess(&after_components, after_undirected, &options)?;
        Ok(diff(
            DiffSide::new(before, before_path, &before_components, &before_audit),
            DiffSide::new(after, after_path, &after_components, &after_audit),
            &before_components,
            &after_components,
        ))
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
        let paths: Vec<String> = inventories
            .iter()
            .map(|i| i.input.path.display().to_string())
            .collect();
        Ok((
            paths.join(", "),
            union_of(&inventories),
            undirected_formats(&inventories),
        ))
    }
}
