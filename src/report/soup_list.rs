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
use crate::advisory::yanked::Yanked;
use crate::evaluate::{Assessment, Audit};
use crate::model::{AnomalyKind, Component};
use crate::record::{self, Record, SupportLevel};

/// The system name and class shown when there is no record.
const NOT_RECORDED: &str = "not recorded";

/// The SOUP a list is made of: the audit of the components, the inputs each
/// came from, and which of their versions cargo's index cache shows as yanked.
pub struct Soup<'a> {
    pub audit: &'a Audit,
    pub components: &'a [Component],
    pub subjects: &'a [Subject],
    pub yanked: &'a Yanked,
}

/// The report of `soup`, as the record (if any) describes the system on
/// `generated`, under the document control `control`.
pub fn soup_list(
    soup: Soup<'_>,
    record: Option<&Record>,
    generated: Date,
    release: Option<&str>,
    control: DocumentControl,
) -> Report {
    let Soup {
        audit,
        components,
        subjects,
        yanked,
    } = soup;
    let covered: BTreeSet<&str> = audit
        .advisory_data
        .iter()
        .flat_map(|d| d.ecosystems.iter().map(String::as_str))
        .collect();
    let mut by_component: BTreeMap<String, Vec<&Assessment>> = BTreeMap::new();
    for a in &audit.assessments {
        by_component
            .entry(a.anomaly.component.key().into_owned())
            .or_default()
            .push(a);
    }
    let mut items: Vec<Item> = components
        .iter()
        .filter(|c| c.is_matchable())
        .map(|c| {
            let key = c.key();
            let anomalies = by_component
                .get(key.as_ref())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let releases = releases_of(subjects, &key);
            let evidence = Evidence {
                anomalies,
                covered: covered.contains(c.ecosystem.osv_name()),
                yanked: yanked.is_yanked(c),
            };
            item(c, &evidence, &releases, record)
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

/// What is known of one SOUP item besides the record, to derive its support from.
struct Evidence<'a> {
    /// The anomalies that affect it.
    anomalies: &'a [&'a Assessment],
    /// Whether any advisory data covers its ecosystem.
    covered: bool,
    /// Whether cargo's index cache shows its version as yanked.
    yanked: bool,
}

fn item(
    component: &Component,
    evidence: &Evidence<'_>,
    releases: &[&str],
    record: Option<&Record>,
) -> Item {
    let spec = record
        .and_then(|r| r.specification_for(&component.name, component.purl.as_ref()))
        .map(|(_, spec)| spec);
    Item {
        component: component.clone(),
        specification: spec.map(specification),
        covered_by: record
            .and_then(|r| r.covered_by(&component.name, component.purl.as_ref()))
            .map(str::to_string),
        support: support(spec, &component.version, evidence),
        anomalies: evidence
            .anomalies
            .iter()
            .map(|a| anomaly(a, releases, record))
            .collect(),
    }
}

/// The support level: as the record states it, else derived from an
/// unmaintained advisory, else from a yanked version, else unknown; never
/// "supported" for want of news, and a version not known to be yanked says
/// nothing.
///
/// A yank makes the item `end-of-life`: the SOUP item is the package at its
/// exact version, and the publisher has withdrawn that version. It is not
/// `unmaintained`, which is a claim about the whole project that a yank does
/// not make (the next version may be well maintained), nor `limited`, which
/// would say the publisher still supports the version in part; and it is
/// more than `unknown`, since the publisher did say something. The index
/// does not say when the version was yanked, so the end of support stays as
/// the record gives it, else unknown. An unmaintained advisory covers every
/// version, so it decides the level and the yank is named beside it.
fn support(
    spec: Option<&record::Specification>,
    version: &str,
    evidence: &Evidence<'_>,
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
    let unmaintained = evidence
        .anomalies
        .iter()
        .find(|a| a.anomaly.kind == AnomalyKind::Unmaintained)
        .map(|a| format!("advisory {} says it is unmaintained", a.anomaly.id));
    let yank = evidence
        .yanked
        .then(|| format!("version {version} was yanked from crates.io (cargo's index cache)"));
    let (level, evidence) = match (unmaintained, yank) {
        (Some(advisory), Some(yank)) => (SupportLevel::Unmaintained, format!("{advisory}; {yank}")),
        (Some(advisory), None) => (SupportLevel::Unmaintained, advisory),
        (None, Some(yank)) => (SupportLevel::EndOfLife, yank),
        (None, None) if evidence.covered => (
            SupportLevel::Unknown,
            "not stated in the record; no advisory says it is unmaintained, which does not show it is maintained".to_string(),
        ),
        (None, None) => (
            SupportLevel::Unknown,
            "not stated in the record; no advisory data covers its ecosystem".to_string(),
        ),
    };
    Support {
        level,
        evidence,
        end_of_support,
        recorded: false,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::State;
    use crate::model::Ecosystem;
    use crate::record::{EndOfSupport, Risk};

    fn unmaintained() -> Assessment {
        let mut a = crate::evaluate::test_assessment(State::New);
        a.anomaly.id = "RUSTSEC-2099-0002".into();
        a.anomaly.records = vec!["RUSTSEC-2099-0002".into()];
        a.anomaly.kind = AnomalyKind::Unmaintained;
        a.anomaly.component = Component::new(Ecosystem::CratesIo, "hex", "0.4.1");
        a
    }

    fn spec(support: Option<SupportLevel>) -> record::Specification {
        record::Specification {
            purpose: "hex encoding".into(),
            requirements: None,
            needs: "none".into(),
            manufacturer: None,
            website: None,
            risk: Risk::Low,
            verification: None,
            support,
            support_evidence: None,
            end_of_support: Some(EndOfSupport::On(time::macros::date!(2027 - 06 - 30))),
            covers: vec![],
            versions: vec![],
        }
    }

    fn derived(
        spec: Option<&record::Specification>,
        anomalies: &[&Assessment],
        yanked: bool,
    ) -> Support {
        let evidence = Evidence {
            anomalies,
            covered: true,
            yanked,
        };
        support(spec, "0.4.1", &evidence)
    }

    #[test]
    fn a_yanked_version_is_end_of_life_and_says_why() {
        let support = derived(None, &[], true);
        assert_eq!(support.level, SupportLevel::EndOfLife);
        assert_eq!(
            support.evidence,
            "version 0.4.1 was yanked from crates.io (cargo's index cache)"
        );
        assert_eq!(support.end_of_support, "unknown", "the index says no date");
        assert!(!support.recorded);
        let dated = derived(Some(&spec(None)), &[], true);
        assert_eq!(dated.end_of_support, "2027-06-30");
    }

    #[test]
    fn an_unmaintained_advisory_decides_and_the_yank_is_named_beside_it() {
        let advisory = unmaintained();
        let support = derived(None, &[&advisory], true);
        assert_eq!(support.level, SupportLevel::Unmaintained);
        assert_eq!(
            support.evidence,
            "advisory RUSTSEC-2099-0002 says it is unmaintained; \
             version 0.4.1 was yanked from crates.io (cargo's index cache)"
        );
    }

    #[test]
    fn the_record_wins_and_no_yank_is_no_news() {
        let stated = derived(Some(&spec(Some(SupportLevel::Limited))), &[], true);
        assert_eq!(
            (stated.level, stated.recorded),
            (SupportLevel::Limited, true)
        );
        let quiet = derived(None, &[], false);
        assert_eq!(quiet.level, SupportLevel::Unknown);
        assert!(!quiet.evidence.contains("yank"), "{}", quiet.evidence);
    }
}
