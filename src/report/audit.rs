//! `audit --format json`: a documented, versioned schema (README, "JSON output").
//! Fields are only ever added within one schema version.

use foldhash::HashSet;

use serde::Serialize;

use crate::evaluate::{Audit, DataUsed, DueReason, Findings, StateCounts};
use crate::inventory::{InputFile, InputFormat, Inventory};
use crate::model::Ecosystem;
use crate::record::{Evaluation, Record};

/// The schema name and version of `audit --format json`.
pub const AUDIT_SCHEMA: &str = "cargo-soup/audit/1";

/// The top-level object.
#[derive(Serialize)]
pub struct AuditJson<'a> {
    pub schema: &'static str,
    pub system: Option<SystemJson<'a>>,
    pub inputs: Vec<InputJson<'a>>,
    pub advisory_data: AdvisoryDataJson<'a>,
    pub unordered_ecosystems: &'a [String],
    pub anomalies: Vec<AnomalyJson<'a>>,
    pub findings: &'a Findings,
    pub summary: SummaryJson,
}

/// The audited system, from the record.
#[derive(Serialize)]
pub struct SystemJson<'a> {
    pub name: &'a str,
    pub class: &'static str,
}

/// One input file of the audit.
#[derive(Serialize)]
pub struct InputJson<'a> {
    pub path: String,
    pub format: &'static str,
    pub sha256: &'a str,
    /// The release whose baseline this is; `None` for the working tree.
    pub release: Option<&'a str>,
}

/// What one audit looked at: the working tree (`release: None`) or a release baseline.
pub struct Subject {
    pub release: Option<String>,
    /// The file its components were read from.
    pub input: InputFile,
    pub format: InputFormat,
    /// The keys of a release's components, for `holds`; none for the working
    /// tree, which `holds` is never asked of. Hashed, not ordered: as sorted
    /// trees, a fleet's 60,000 keys cost the scheduled check a seventh of its time.
    keys: HashSet<String>,
}

impl Subject {
    /// The working tree (`release: None`) or a release's baseline, from its inventory.
    pub fn new(release: Option<String>, inventory: &Inventory) -> Subject {
        let keys = match release {
            Some(_) => inventory
                .components
                .iter()
                .map(|c| c.key().into_owned())
                .collect(),
            None => HashSet::default(),
        };
        Subject {
            release,
            input: inventory.input.clone(),
            format: inventory.format,
            keys,
        }
    }

    /// The working tree, known by its input alone: an audit whose result was
    /// reused does not read its components. (`holds` is asked only of releases.)
    pub fn working_tree(input: InputFile, format: InputFormat) -> Subject {
        Subject {
            release: None,
            input,
            format,
            keys: HashSet::default(),
        }
    }

    /// True when this release's inventory holds the component `key`.
    pub fn holds(&self, key: &str) -> bool {
        self.keys.contains(key)
    }
}

/// Which advisory data the audit used.
#[derive(Serialize)]
pub struct AdvisoryDataJson<'a> {
    /// The names of the sources, comma-separated.
    pub source: String,
    /// The date of the oldest data used.
    pub date: Option<&'a str>,
    /// Records across all sources used.
    pub record_count: usize,
    pub sources: &'a [DataUsed],
}

/// The package an anomaly affects.
#[derive(Serialize)]
pub struct PackageJson<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub purl: Option<&'a str>,
    pub ecosystem: &'a Ecosystem,
    pub dependency_path: &'a [String],
}

/// One anomaly with its state and evaluation.
#[derive(Serialize)]
pub struct AnomalyJson<'a> {
    pub id: &'a str,
    pub aliases: &'a [String],
    pub kind: &'static str,
    pub package: PackageJson<'a>,
    pub summary: Option<&'a str>,
    pub severity: Option<&'a crate::advisory::osv::CvssScore>,
    pub affected: &'a [String],
    pub fixed: &'a [String],
    pub modified: String,
    pub state: &'static str,
    pub reasons: &'a [DueReason],
    pub evaluation: Option<&'a Evaluation>,
    /// The releases whose baselines ship the affected version (release audits only).
    pub releases: Vec<&'a str>,
}

/// Counts, and whether a person is needed.
#[derive(Serialize)]
pub struct SummaryJson {
    pub components: usize,
    pub anomalies: usize,
    pub new: usize,
    pub due: usize,
    pub evaluated: usize,
    pub under_investigation: usize,
    pub needs_person: bool,
}

/// The releases among `subjects` that ship the component `key`.
pub fn releases_of<'a>(subjects: &'a [Subject], key: &str) -> Vec<&'a str> {
    subjects
        .iter()
        .filter_map(|s| s.release.as_deref().filter(|_| s.holds(key)))
        .collect()
}

/// The JSON view of `audit` over `subjects`.
pub fn audit_json<'a>(
    audit: &'a Audit,
    subjects: &'a [Subject],
    record: Option<&'a Record>,
) -> AuditJson<'a> {
    let counts = StateCounts::of(&audit.assessments);
    AuditJson {
        schema: AUDIT_SCHEMA,
        system: record.map(|r| SystemJson {
            name: &r.system.name,
            class: r.system.class.as_str(),
        }),
        inputs: subjects
            .iter()
            .map(|s| InputJson {
                path: s.input.path.display().to_string(),
                format: s.format.as_str(),
                sha256: &s.input.sha256,
                release: s.release.as_deref(),
            })
            .collect(),
        advisory_data: AdvisoryDataJson {
            source: audit
                .advisory_data
                .iter()
                .map(|d| d.source.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            date: audit
                .advisory_data
                .iter()
                .map(|d| d.source.data_date.as_str())
                .min(),
            record_count: audit
                .advisory_data
                .iter()
                .map(|d| d.source.record_count)
                .sum(),
            sources: &audit.advisory_data,
        },
        unordered_ecosystems: &audit.unordered_ecosystems,
        anomalies: audit
            .assessments
            .iter()
            .map(|a| AnomalyJson {
                id: &a.anomaly.id,
                aliases: &a.anomaly.aliases,
                kind: a.anomaly.kind.as_str(),
                package: PackageJson {
                    name: &a.anomaly.component.name,
                    version: &a.anomaly.component.version,
                    purl: a.anomaly.component.purl_str(),
                    ecosystem: &a.anomaly.component.ecosystem,
                    dependency_path: &a.anomaly.component.dependency_path,
                },
                summary: a.anomaly.summary.as_deref(),
                severity: a.anomaly.severity.as_ref(),
                affected: &a.anomaly.affected,
                fixed: &a.anomaly.fixed,
                modified: crate::register::stamp(a.anomaly.modified),
                state: a.state.as_str(),
                reasons: &a.reasons,
                evaluation: a.evaluation.as_ref(),
                releases: releases_of(subjects, &a.anomaly.component.key()),
            })
            .collect(),
        findings: &audit.findings,
        summary: SummaryJson {
            components: audit.components,
            anomalies: counts.total(),
            new: counts.new,
            due: counts.due,
            evaluated: counts.evaluated,
            under_investigation: counts.under_investigation,
            needs_person: audit.needs_person(),
        },
    }
}
