//! The SOUP list of one system: the report model filled in from an audit and the
//! record. Every renderer (Markdown, HTML, CSV, JSON, CycloneDX, SARIF, OpenVEX)
//! reads what this builds.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use super::audit::{Subject, releases_of};
use super::control::DocumentControl;
use super::model::{
    AnomalyEntry, DataSource, Item, ManualReview, OpenFinding, Report, Severity, Specification,
    Support, SystemInfo, UncoveredItem,
};
use crate::evaluate::{Assessment, Audit};
use crate::model::{AnomalyKind, Component};
use crate::record::{self, Record, SupportLevel};

/// The system name and class shown when there is no record.
const NOT_RECORDED: &str = "not recorded";

/// The report of `audit` over `components`, as the record (if any) describes
/// the system on `generated`, under the document control `control`.
pub fn soup_list(
    audit: &Audit,
    components: &[Component],
    subjects: &[Subject],
    record: Option<&Record>,
    generated: Date,
    release: Option<&str>,
    control: DocumentControl,
) -> Report {
    let covered: BTreeSet<&str> = audit
        .advisory_data
        .iter()
        .flat_map(|d| d.ecosystems.iter().map(String::as_str))
        .collect();
    let mut by_component: BTreeMap<String, Vec<&Assessment>> = BTreeMap::new();
    for a in &audit.assessments {
        by_component
            .entry(a.anomaly.component.key())
            .or_default()
            .push(a);
    }
    let mut items: Vec<Item> = components
        .iter()
        .filter(|c| c.is_matchable())
        .map(|c| {
            let key = c.key();
            let anomalies = by_component
                .get(&key)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let releases = releases_of(subjects, &key);
            let covered = covered.contains(c.ecosystem.osv_name());
            item(c, anomalies, &releases, record, covered)
        })
        .collect();
    items.sort_by(|a, b| {
        (&a.component.name, &a.component.version).cmp(&(&b.component.name, &b.component.version))
    });
    Report {
        control,
        system: match record {
            Some(record) => SystemInfo {
                name: record.system.name.clone(),
                class: record.system.class.as_str().to_string(),
                manufacturer: record.system.manufacturer.clone(),
            },
            None => SystemInfo {
                name: NOT_RECORDED.to_string(),
                class: NOT_RECORDED.to_string(),
                manufacturer: None,
            },
        },
        generated: generated.to_string(),
        release: release.map(str::to_string),
        changes: None,
        retired: record
            .zip(release)
            .and_then(|(r, version)| r.release(version))
            .is_some_and(|r| r.retired),
        advisory_data: audit
            .advisory_data
            .iter()
            .map(|d| DataSource {
                name: d.source.name.clone(),
                location: d.source.location.clone(),
                date: d.source.data_date.clone(),
                record_count: d.source.record_count as u64,
                content_sha256: d.source.content_sha256.clone(),
                age_days: d.age_days,
            })
            .collect(),
        items,
        uncovered: components
            .iter()
            .filter(|c| !c.is_matchable())
            .map(|c| UncoveredItem {
                component: c.clone(),
                reviews: record
                    .into_iter()
                    .flat_map(|r| &r.reviews)
                    .filter(|r| r.item == c.key())
                    .map(|r| ManualReview {
                        by: r.by.clone(),
                        date: r.date.to_string(),
                        source: r.source.clone(),
                        finding: r.finding.clone(),
                    })
                    .collect(),
            })
            .collect(),
        open: audit
            .findings
            .0
            .iter()
            .filter(|f| f.needs_person() && !f.code.is_anomaly_state())
            .map(|f| OpenFinding {
                code: f.code.as_str().to_string(),
                subject: f.subject.clone(),
                message: f.message.clone(),
            })
            .collect(),
    }
}

fn item(
    component: &Component,
    anomalies: &[&Assessment],
    releases: &[&str],
    record: Option<&Record>,
    covered: bool,
) -> Item {
    let spec = record
        .and_then(|r| r.specification_for(&component.name, component.purl.as_deref()))
        .map(|(_, spec)| spec);
    Item {
        component: component.clone(),
        specification: spec.map(specification),
        support: support(spec, anomalies, covered),
        anomalies: anomalies
            .iter()
            .map(|a| anomaly(a, releases, record))
            .collect(),
    }
}

/// The support level: as the record states it, else derived from an
/// unmaintained advisory, else unknown; never "supported" for want of news.
fn support(
    spec: Option<&record::Specification>,
    anomalies: &[&Assessment],
    covered: bool,
) -> Support {
    let end_of_support = spec
        .and_then(|s| s.end_of_support)
        .map_or("unknown".to_string(), |end| end.to_string());
    if let Some(level) = spec.and_then(|s| s.support) {
        let evidence = spec
            .and_then(|s| s.support_evidence.clone())
            .unwrap_or_else(|| "stated in the record".to_string());
        return Support {
            level,
            evidence,
            end_of_support,
            recorded: true,
        };
    }
    let unmaintained = anomalies
        .iter()
        .find(|a| a.anomaly.kind == AnomalyKind::Unmaintained);
    let mut derived = match unmaintained {
        Some(a) => Support {
            level: SupportLevel::Unmaintained,
            evidence: format!("advisory {} says it is unmaintained", a.anomaly.id),
            end_of_support: String::new(),
            recorded: false,
        },
        None if covered => Support::unknown(
            "not stated in the record; no advisory says it is unmaintained, which does not show it is maintained",
        ),
        None => Support::unknown("not stated in the record; no advisory data covers its ecosystem"),
    };
    derived.end_of_support = end_of_support;
    derived
}

fn specification(spec: &record::Specification) -> Specification {
    Specification {
        purpose: spec.purpose.clone(),
        requirements: spec.requirements.clone(),
        needs: spec.needs.clone(),
        manufacturer: spec.manufacturer.clone(),
        website: spec.website.clone(),
        risk: Some(spec.risk.as_str().to_string()),
        verification: spec.verification.clone(),
        covers: spec.covers.clone(),
        versions: spec.versions.clone(),
    }
}

fn anomaly(a: &Assessment, releases: &[&str], record: Option<&Record>) -> AnomalyEntry {
    AnomalyEntry {
        id: a.anomaly.id.clone(),
        aliases: a.anomaly.aliases.clone(),
        kind: a.anomaly.kind,
        summary: a.anomaly.summary.clone(),
        details: a.anomaly.details.clone(),
        severity: a.anomaly.severity.as_ref().map(|s| Severity {
            vector: s.vector.clone(),
            base_score: s.base_score,
            severity: s.severity.clone(),
        }),
        fixed: a.anomaly.fixed.clone(),
        state: a.state,
        needs_person: a.needs_person,
        due_reasons: a.reasons.iter().map(|r| r.describe()).collect(),
        approved_by: a
            .evaluation
            .as_ref()
            .map(|e| approvers(record, e))
            .unwrap_or_default(),
        evaluation: a.evaluation.clone(),
        releases: releases.iter().map(|r| r.to_string()).collect(),
    }
}

/// Who approved `evaluation` as it stands (an approval of its current digest,
/// meaning `approved`), each as "name, date and time".
fn approvers(record: Option<&Record>, evaluation: &crate::record::Evaluation) -> Vec<String> {
    let digest = evaluation.digest();
    record
        .into_iter()
        .flat_map(|r| &r.approvals)
        .filter(|a| a.meaning == crate::record::Meaning::Approved && a.digest == digest)
        .map(|a| format!("{}, {}", a.by, a.at))
        .collect()
}
