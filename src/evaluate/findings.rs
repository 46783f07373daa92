//! Findings: what an audit reports beyond the anomalies themselves. Findings are
//! data, not errors; each kind has a stable kebab-case code that appears in every
//! output format (STYLE.md habit 9).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use super::{Assessment, State, anomaly_ids};
use crate::advisory::matcher::Anomaly;
use crate::inventory::InputFormat;
use crate::model::Component;
use crate::record::{Evaluation, Record, SafetyClass};
use crate::register::SourceInfo;

/// The kinds of finding, each with its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingCode {
    /// An anomaly with no evaluation.
    UnevaluatedAnomaly,
    /// An evaluation that must be looked at again.
    EvaluationDue,
    /// The evaluation in force is `under_investigation`: no conclusion yet.
    EvaluationUnderInvestigation,
    /// An evaluation says hazardous but names no risk control.
    HazardWithoutRiskControl,
    /// A direct SOUP item of a class B/C system has no specification.
    MissingSpecification,
    /// A direct SOUP item of a class B/C system has no recorded support level, and policy asks for one.
    MissingSupportLevel,
    /// The advisory data is older than the policy allows.
    AdvisoryDataStale,
    /// Some advisory records could not be loaded (each is named).
    AdvisoryDataIncomplete,
    /// An ecosystem of the inventory has no advisory data at all: nothing was checked.
    AdvisoryDataMissing,
    /// A SOUP item no machine-readable anomaly list covers, with no manual review recorded.
    NoAnomalyList,
    /// An evaluation in the record matches no current anomaly.
    UnusedEvaluation,
    /// The advisory behind an evaluation was withdrawn; the evaluation is kept.
    AnomalyWithdrawn,
    /// Items whose input does not say whether they are direct: the
    /// specification rule could not be applied to them.
    DirectnessUnknown,
    /// The record is not in canonical form (`cargo soup fmt`).
    RecordNotCanonical,
    /// An approval no longer holds: digest, signature, signer or release part changed.
    ApprovalInvalid,
    /// Fewer distinct approvers than the policy requires.
    ApprovalMissing,
    /// The approver is the evaluator.
    ApprovalSelf,
}

impl FindingCode {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::UnevaluatedAnomaly => "unevaluated-anomaly",
            FindingCode::EvaluationDue => "evaluation-due",
            FindingCode::EvaluationUnderInvestigation => "evaluation-under-investigation",
            FindingCode::HazardWithoutRiskControl => "hazard-without-risk-control",
            FindingCode::MissingSpecification => "missing-specification",
            FindingCode::MissingSupportLevel => "missing-support-level",
            FindingCode::AdvisoryDataStale => "advisory-data-stale",
            FindingCode::AdvisoryDataIncomplete => "advisory-data-incomplete",
            FindingCode::AdvisoryDataMissing => "advisory-data-missing",
            FindingCode::NoAnomalyList => "no-anomaly-list",
            FindingCode::UnusedEvaluation => "unused-evaluation",
            FindingCode::AnomalyWithdrawn => "anomaly-withdrawn",
            FindingCode::RecordNotCanonical => "record-not-canonical",
            FindingCode::DirectnessUnknown => "directness-unknown",
            FindingCode::ApprovalInvalid => "approval-invalid",
            FindingCode::ApprovalMissing => "approval-missing",
            FindingCode::ApprovalSelf => "approval-self",
        }
    }

    /// True when the finding is one anomaly's state (new, due, under
    /// investigation): outputs that list the anomalies show it there, so
    /// their lists of other findings leave it out rather than say it twice.
    pub fn is_anomaly_state(self) -> bool {
        matches!(
            self,
            FindingCode::UnevaluatedAnomaly
                | FindingCode::EvaluationDue
                | FindingCode::EvaluationUnderInvestigation
        )
    }

    /// True when this kind of finding fails an audit (exit 1), where the
    /// safety class asks for it.
    pub fn fails_audit(self) -> bool {
        !matches!(
            self,
            FindingCode::UnusedEvaluation
                | FindingCode::AdvisoryDataIncomplete
                | FindingCode::AnomalyWithdrawn
                | FindingCode::DirectnessUnknown
        )
    }

    /// True when IEC 62304 asks this of a system of `class`: anomaly
    /// evaluation (7.1.2, 7.1.3) and specifications (5.3.3, 5.3.4) are asked
    /// of classes B and C only; everything else of every class.
    pub fn is_required_of(self, class: SafetyClass) -> bool {
        let b_or_c_only = matches!(
            self,
            FindingCode::UnevaluatedAnomaly
                | FindingCode::EvaluationDue
                | FindingCode::EvaluationUnderInvestigation
                | FindingCode::HazardWithoutRiskControl
                | FindingCode::NoAnomalyList
                | FindingCode::MissingSpecification
                | FindingCode::MissingSupportLevel
        );
        !b_or_c_only || class != SafetyClass::A
    }
}

/// One finding about one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: FindingCode,
    /// What it is about: a purl, an advisory id, a source name.
    pub subject: String,
    pub message: String,
    /// Reported, but allowed: for this run (stale data with `--allow-stale`),
    /// or because the system's safety class does not ask for it.
    pub waived: bool,
}

impl Finding {
    /// True when a person must act on it: the one rule behind every exit code
    /// and every "open" list.
    pub fn needs_person(&self) -> bool {
        self.code.fails_audit() && !self.waived
    }
}

/// The findings of one audit, in a stable order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Findings(pub Vec<Finding>);

impl Findings {
    /// Adds a finding that needs a person unless waived.
    pub fn push(
        &mut self,
        code: FindingCode,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Finding {
            code,
            subject: subject.into(),
            message: message.into(),
            waived: false,
        });
    }

    /// True when any finding needs a person.
    pub fn need_person(&self) -> bool {
        self.0.iter().any(Finding::needs_person)
    }

    /// The findings that need a person, in order.
    pub fn needing_person(&self) -> impl Iterator<Item = &Finding> {
        self.0.iter().filter(|f| f.needs_person())
    }

    /// Marks every finding of `code` as allowed for this run.
    pub fn waive(&mut self, code: FindingCode) {
        for finding in self.0.iter_mut().filter(|f| f.code == code) {
            finding.waived = true;
        }
    }

    /// Marks every finding that `class` does not ask for as allowed.
    pub fn waive_for_class(&mut self, class: SafetyClass) {
        for finding in self.0.iter_mut() {
            if !finding.code.is_required_of(class) {
                finding.waived = true;
            }
        }
    }

    /// Sorts by code, then subject.
    pub fn sort(&mut self) {
        self.0
            .sort_by(|a, b| (a.code, &a.subject).cmp(&(b.code, &b.subject)));
    }

    /// One finding per anomaly that needs a person, and per hazardous evaluation without control.
    pub fn check_anomalies(&mut self, assessments: &[Assessment]) {
        for a in assessments {
            let subject = format!("{} {}", a.anomaly.id, a.anomaly.component.key());
            match a.state {
                State::New => self.push(
                    FindingCode::UnevaluatedAnomaly,
                    subject.clone(),
                    format!(
                        "{} {} has no hazard evaluation",
                        a.anomaly.component.name, a.anomaly.component.version
                    ),
                ),
                State::Due => self.push(
                    FindingCode::EvaluationDue,
                    subject.clone(),
                    a.reasons
                        .iter()
                        .map(|r| r.describe())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                State::UnderInvestigation => self.push(
                    FindingCode::EvaluationUnderInvestigation,
                    subject.clone(),
                    format!(
                        "the evaluation is under investigation: no conclusion yet; review by {}",
                        a.evaluation
                            .as_ref()
                            .map(|e| e.review_by.to_string())
                            .unwrap_or_default()
                    ),
                ),
                State::Evaluated => {}
            }
            let hazardous_uncontrolled = a
                .evaluation
                .as_ref()
                .is_some_and(|e| e.lacks_risk_control());
            if hazardous_uncontrolled {
                self.push(
                    FindingCode::HazardWithoutRiskControl,
                    subject,
                    "the evaluation says hazardous but traces to no risk control",
                );
            }
        }
    }

    /// Each direct SOUP item needs a specification, and a support level, when
    /// the policy says so (asked of class B and C: [`FindingCode::is_required_of`]).
    /// `undirected` names the formats of the inputs that do not say whether
    /// their items are direct.
    pub fn check_specifications(
        &mut self,
        record: &Record,
        components: &[Component],
        undirected: &[InputFormat],
    ) {
        let unknown = components
            .iter()
            .filter(|c| c.direct.is_none() && c.is_matchable())
            .count();
        if unknown > 0 && record.policy.require_specification {
            let inputs = match undirected {
                [] => String::new(),
                formats => format!(
                    " ({})",
                    formats
                        .iter()
                        .map(|f| f.without_directness())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            };
            self.push(
                FindingCode::DirectnessUnknown,
                format!("{unknown} SOUP items"),
                format!(
                    "{unknown} items come from an input that does not say whether they are direct\
                     {inputs}: the specification rule (5.3.3, 5.3.4) could not be applied to them"
                ),
            );
        }
        for c in components.iter().filter(|c| c.is_direct()) {
            let spec = record.specification_for(&c.name, c.purl.as_ref());
            if record.policy.require_support_level && spec.is_none_or(|(_, s)| s.support.is_none())
            {
                self.push(
                    FindingCode::MissingSupportLevel,
                    c.key(),
                    format!(
                        "policy requires the support level of {} in [soup.\"{}\"]: `support` and `end_of_support`",
                        c.name, c.name
                    ),
                );
            }
            if record.policy.require_specification && spec.is_none() {
                self.push(
                    FindingCode::MissingSpecification,
                    c.key(),
                    format!(
                        "class {} needs the purpose, requirements and needs of {} in [soup.\"{}\"] (IEC 62304 5.3.3, 5.3.4)",
                        record.system.class.as_str(),
                        c.name,
                        c.name
                    ),
                );
            }
        }
    }

    /// Advisory data older than `max_age_days` on `today`, or with records that did not load.
    pub fn check_advisory_data(&mut self, sources: &[SourceInfo], today: Date, max_age_days: u32) {
        for source in sources {
            let age = data_age_days(source, today);
            if age.is_none() {
                self.push(
                    FindingCode::AdvisoryDataStale,
                    source.name.clone(),
                    format!(
                        "the age of the advisory data from {} is unknown (no record says when it \
                         changed); run `cargo soup fetch` for data whose date is known",
                        source.location
                    ),
                );
            }
            if age.is_some_and(|days| days > i64::from(max_age_days)) {
                self.push(
                    FindingCode::AdvisoryDataStale,
                    source.name.clone(),
                    format!(
                        "advisory data from {} is {} days old (policy allows {max_age_days}); run `cargo soup fetch`",
                        source.location,
                        age.unwrap_or_default()
                    ),
                );
            }
            if !source.skipped.is_empty() {
                self.push(
                    FindingCode::AdvisoryDataIncomplete,
                    source.name.clone(),
                    format!(
                        "{} records of {} could not be loaded (first: {}: {})",
                        source.skipped.len(),
                        source.location,
                        source.skipped[0].entry,
                        source.skipped[0].reason
                    ),
                );
            }
        }
    }

    /// An ecosystem of the inventory that no source holds data for.
    pub fn check_coverage(&mut self, ecosystems_without_data: &[String]) {
        for ecosystem in ecosystems_without_data {
            self.push(
                FindingCode::AdvisoryDataMissing,
                ecosystem.clone(),
                format!("no advisory data for {ecosystem}: run `cargo soup fetch` (or `fetch --from` a mirror)"),
            );
        }
    }

    /// Items no machine-readable anomaly list covers and that have no manual review.
    pub fn check_uncovered(&mut self, record: Option<&Record>, components: &[Component]) {
        for c in components.iter().filter(|c| !c.is_matchable()) {
            let key = c.key();
            let reviewed = record.is_some_and(|r| r.reviews.iter().any(|rv| rv.item == key));
            if !reviewed {
                self.push(
                    FindingCode::NoAnomalyList,
                    key,
                    format!(
                        "no machine-readable anomaly list covers {} {}: record a manual review of its published anomalies",
                        c.name, c.version
                    ),
                );
            }
        }
    }

    /// Evaluations whose (advisory, purl) matches no current anomaly, neither
    /// of the audited components nor (`in_field`) of a release baseline still
    /// in the field: withdrawn when `withdrawn` says its advisory was
    /// withdrawn, unused otherwise.
    pub fn check_unused(
        &mut self,
        record: &Record,
        assessments: &[Assessment],
        in_field: &[Anomaly],
        withdrawn: &BTreeMap<String, String>,
    ) {
        let live: BTreeSet<(String, String)> = assessments
            .iter()
            .map(|a| &a.anomaly)
            .chain(in_field)
            .flat_map(|anomaly| {
                let purl = anomaly.component.purl_str().unwrap_or_default().to_string();
                anomaly_ids(anomaly)
                    .into_iter()
                    .map(move |id| (id, purl.clone()))
            })
            .collect();
        let superseded_or_live = |e: &Evaluation| {
            std::iter::once(&e.advisory)
                .chain(&e.aliases)
                .any(|id| live.contains(&(id.clone(), e.purl.clone())))
        };
        let mut seen = BTreeSet::new();
        for e in record.evaluations.iter().filter(|e| !superseded_or_live(e)) {
            if !seen.insert((e.advisory.clone(), e.purl.clone())) {
                continue;
            }
            let subject = format!("{} {}", e.advisory, e.purl);
            let when = std::iter::once(&e.advisory)
                .chain(&e.aliases)
                .find_map(|id| withdrawn.get(id));
            match when {
                Some(when) => self.push(
                    FindingCode::AnomalyWithdrawn,
                    subject,
                    format!("the advisory was withdrawn on {when}; the evaluation of {} stays in the record", e.date),
                ),
                None => self.push(
                    FindingCode::UnusedEvaluation,
                    subject,
                    "this evaluation matches no current anomaly, neither of what was audited nor of a \
                     release in the field (the version changed or the advisory no longer applies)",
                ),
            }
        }
    }
}

/// Days between a source's data date and `today`; `None` when the date is unreadable.
pub fn data_age_days(source: &SourceInfo, today: Date) -> Option<i64> {
    let date_part = source.data_date.get(..10)?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(date_part, &format).ok()?;
    Some((today - date).whole_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(data_date: &str) -> SourceInfo {
        SourceInfo {
            name: "osv:Go".into(),
            location: "go.zip".into(),
            fetched_at: "2026-11-24T09:00:00Z".into(),
            data_date: data_date.into(),
            etag: None,
            last_modified: None,
            content_sha256: String::new(),
            record_count: 1,
            skipped: Vec::new(),
        }
    }

    #[test]
    fn data_of_unknown_age_is_stale() {
        let today = time::macros::date!(2026 - 11 - 24);
        let mut findings = Findings::default();
        findings.check_advisory_data(&[source(""), source("2026-11-20")], today, 7);
        let stale: Vec<&str> = findings.0.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(stale.len(), 1, "{stale:?}");
        assert!(stale[0].contains("unknown"), "{stale:?}");
    }
}
