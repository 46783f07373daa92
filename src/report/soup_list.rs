//! The SOUP list of one system: the report model filled in from an audit and the
//! record. Every renderer (Markdown, HTML, CSV, JSON, CycloneDX, SARIF, OpenVEX)
//! reads what this builds.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use super::audit::{Subject, releases_of};
use super::model::{
    AnomalyEntry, DataSource, Item, ManualReview, OpenFinding, Report, Severity, Specification,
    Support, SystemInfo, UncoveredItem,
};
use crate::evaluate::{Assessment, Audit, FindingCode};
use crate::model::{AnomalyKind, Component};
use crate::record::{self, Record};

/// The report of `audit` over `components`, as the record describes the system on `generated`.
pub fn soup_list(
    audit: &Audit,
    components: &[Component],
    subjects: &[Subject],
    record: &Record,
    generated: Date,
    release: Option<&str>,
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
        system: SystemInfo {
            name: record.system.name.clone(),
            class: record.system.class.as_str().to_string(),
            manufacturer: record.system.manufacturer.clone(),
        },
        generated: generated.to_string(),
        release: release.map(str::to_string),
        advisory_data: audit
            .advisory_data
            .iter()
            .map(|d| DataSource {
                name: d.source.name.clone(),
                location: d.source.location.clone(),
                date: d.source.data_date.clone(),
                record_count: d.source.record_count as u64,
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
                    .reviews
                    .iter()
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
            .filter(|f| f.needs_person())
            .filter(|f| {
                !matches!(
                    f.code,
                    FindingCode::UnevaluatedAnomaly | FindingCode::EvaluationDue
                )
            })
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
    record: &Record,
    covered: bool,
) -> Item {
    let support = match anomalies
        .iter()
        .find(|a| a.anomaly.kind == AnomalyKind::Unmaintained)
    {
        Some(a) => Support::Unmaintained {
            advisory: a.anomaly.id.clone(),
        },
        None if covered => Support::Supported,
        None => Support::Unknown,
    };
    Item {
        component: component.clone(),
        specification: record
            .specification_for(&component.name, component.purl.as_deref())
            .map(|(_, spec)| specification(spec)),
        support,
        anomalies: anomalies.iter().map(|a| anomaly(a, releases)).collect(),
    }
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
    }
}

fn anomaly(a: &Assessment, releases: &[&str]) -> AnomalyEntry {
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
        evaluation: a.evaluation.clone(),
        releases: releases.iter().map(|r| r.to_string()).collect(),
    }
}
