//! One audit: the components, matched against the advisory store, each anomaly
//! assessed against the record, and every finding. Pure of I/O but for reading
//! the store; the caller prints it and picks the exit code.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use super::{Assessment, Finding, FindingCode, Findings, State, assess};
use crate::advisory::matcher;
use crate::evaluate::findings::data_age_days;
use crate::inventory::sha256_hex;
use crate::model::{Component, Ecosystem};
use crate::record::Record;
use crate::register::{RegisterError, SourceInfo, Store};

/// The advisory data an audit used, and how old it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataUsed {
    #[serde(flatten)]
    pub source: SourceInfo,
    /// Days between the data's date and the audit's `today`.
    pub age_days: Option<i64>,
    /// The ecosystems of the audited components this source holds records for.
    pub ecosystems: Vec<String>,
}

/// The result of one audit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Audit {
    /// How many components were audited.
    pub components: usize,
    pub advisory_data: Vec<DataUsed>,
    pub assessments: Vec<Assessment>,
    pub findings: Findings,
    /// Ecosystems matched only on enumerated versions: no version order is known for them.
    pub unordered_ecosystems: Vec<String>,
}

/// How the audit treats what it finds.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Stale advisory data is reported but does not fail this run.
    pub allow_stale: bool,
}

/// The key of an audit's result: a digest of everything [`do_audit`] reads, so
/// that a result kept under it can be reused while none of it changes.
/// `components` names the components by the content of the files they were read
/// from, `record` is the record file's text, and `program` names the build,
/// whose rules another build may not share.
pub fn audit_key(
    program: &str,
    components: &str,
    record: Option<&str>,
    sources: &[SourceInfo],
    today: Date,
    options: &AuditOptions,
) -> String {
    let sources = serde_json::to_string(sources).unwrap_or_default();
    let record = match record {
        Some(text) => format!("record\n{text}"),
        None => "no record".to_string(),
    };
    let parts = [
        program,
        components,
        &record,
        &sources,
        &today.to_string(),
        &format!("{options:?}"),
    ];
    sha256_hex(parts.join("\0").as_bytes())
}

/// Audits `components` against the store and the record on `today`.
pub fn do_audit(
    components: &[Component],
    record: Option<&Record>,
    store: &Store,
    today: Date,
    options: &AuditOptions,
) -> Result<Audit, RegisterError> {
    let advisories = store.advisories_for(components)?;
    let anomalies = matcher::find_anomalies(components, &advisories);
    let assessments = assess(anomalies, record, today);
    let policy = record.map(|r| r.policy.clone()).unwrap_or_default();

    let ecosystems: BTreeSet<String> = components
        .iter()
        .filter(|c| c.is_matchable())
        .map(|c| c.ecosystem.osv_name().to_string())
        .collect();
    let coverage = store.coverage()?;
    let used: Vec<SourceInfo> = store
        .sources()?
        .into_iter()
        .filter(|s| {
            coverage
                .iter()
                .any(|(name, eco)| *name == s.name && ecosystems.contains(eco))
        })
        .collect();
    let covered: BTreeSet<&String> = coverage.iter().map(|(_, eco)| eco).collect();
    let uncovered: Vec<String> = ecosystems
        .iter()
        .filter(|e| !covered.contains(e))
        .cloned()
        .collect();

    let mut findings = Findings::default();
    findings.check_anomalies(&assessments);
    findings.check_advisory_data(&used, today, policy.max_advisory_age_days);
    findings.check_coverage(&uncovered);
    findings.check_uncovered(record, components);
    if let Some(record) = record {
        findings.check_specifications(record, components);
        let withdrawn = |e: &crate::record::Evaluation| {
            std::iter::once(&e.advisory)
                .chain(&e.aliases)
                .filter_map(|id| store.advisory(id).ok().flatten())
                .find_map(|a| a.withdrawn)
        };
        findings.check_unused(record, &assessments, &withdrawn);
    }
    if options.allow_stale {
        findings.waive(FindingCode::AdvisoryDataStale);
    }
    findings.sort();

    Ok(Audit {
        components: components.len(),
        advisory_data: used
            .into_iter()
            .map(|source| DataUsed {
                age_days: data_age_days(&source, today),
                ecosystems: coverage
                    .iter()
                    .filter(|(name, eco)| *name == source.name && ecosystems.contains(eco))
                    .map(|(_, eco)| eco.clone())
                    .collect(),
                source,
            })
            .collect(),
        assessments,
        findings,
        unordered_ecosystems: matcher::unordered_ecosystems(components)
            .iter()
            .map(Ecosystem::to_string)
            .collect(),
    })
}

impl Audit {
    /// True when something needs a person: the audit exits 1.
    pub fn needs_person(&self) -> bool {
        self.findings.need_person()
    }

    /// The anomalies in `state`.
    pub fn in_state(&self, state: State) -> impl Iterator<Item = &Assessment> {
        self.assessments.iter().filter(move |a| a.state == state)
    }

    /// The findings that are not about a single anomaly.
    pub fn other_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.0.iter().filter(|f| {
            !matches!(
                f.code,
                FindingCode::UnevaluatedAnomaly | FindingCode::EvaluationDue
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn source(content_sha256: &str) -> SourceInfo {
        SourceInfo {
            name: "rustsec".into(),
            location: "bundled".into(),
            fetched_at: "2026-11-24T09:00:00Z".into(),
            data_date: "2026-08-21".into(),
            etag: None,
            last_modified: None,
            content_sha256: content_sha256.into(),
            record_count: 1,
            skipped: Vec::new(),
        }
    }

    #[test]
    fn the_key_changes_with_everything_an_audit_reads() {
        let strict = AuditOptions::default();
        let lenient = AuditOptions { allow_stale: true };
        let key = |program, components, record, sha, today, options| {
            audit_key(program, components, record, &[source(sha)], today, options)
        };
        let today = date!(2026 - 11 - 24);
        let base = key("v1", "lock-a", Some("[system]"), "s1", today, &strict);
        assert_eq!(
            base,
            key("v1", "lock-a", Some("[system]"), "s1", today, &strict)
        );
        let others = [
            key("v2", "lock-a", Some("[system]"), "s1", today, &strict),
            key("v1", "lock-b", Some("[system]"), "s1", today, &strict),
            key("v1", "lock-a", Some("[system] "), "s1", today, &strict),
            key("v1", "lock-a", None, "s1", today, &strict),
            key("v1", "lock-a", Some("[system]"), "s2", today, &strict),
            key(
                "v1",
                "lock-a",
                Some("[system]"),
                "s1",
                date!(2026 - 11 - 25),
                &strict,
            ),
            key("v1", "lock-a", Some("[system]"), "s1", today, &lenient),
        ];
        for other in others {
            assert_ne!(other, base);
        }
    }
}
