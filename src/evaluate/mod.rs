//! The anomaly lifecycle (DESIGN.md §7): each anomaly is new (no evaluation),
//! evaluated, or due again, and every reason it is due is named. The clock is a
//! parameter: `today` comes from the caller.

mod approvals;
mod audit;
mod findings;
pub mod prompt;

use std::collections::BTreeSet;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

pub use approvals::{
    ApprovalFacts, ApprovalInput, ApprovalStatus, ReleaseFacts, ReleaseState, SignatureStatus,
    approval_statuses, release_evaluations,
};
pub use audit::{AdvisoryFacts, Audit, AuditOptions, DataUsed, StateCounts, do_audit};
pub use findings::{Finding, FindingCode, Findings};

use crate::advisory::matcher::Anomaly;
use crate::model::Purl;
use crate::record::{Action, Evaluation, Record, VexJustification, VexStatus};

/// Where an anomaly stands with respect to its hazard evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// No evaluation exists.
    New,
    /// A valid evaluation exists.
    Evaluated,
    /// An evaluation exists but must be looked at again.
    Due,
    /// The evaluation in force says `under_investigation`: not a conclusion,
    /// so it stays open until its (short) review-by date at the latest.
    UnderInvestigation,
}

impl State {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Evaluated => "evaluated",
            State::Due => "due",
            State::UnderInvestigation => "under_investigation",
        }
    }

    /// True when no conclusion is in force: a person must act, unless the
    /// system's safety class waives the evaluation (see [`Assessment::needs_person`]).
    pub fn is_open(self) -> bool {
        !matches!(self, State::Evaluated)
    }

    /// True when an evaluation exists but must be looked at again.
    pub fn is_due(self) -> bool {
        self == State::Due
    }

    /// The finding code of an anomaly in this state, if it is a finding.
    pub fn finding_code(self) -> Option<FindingCode> {
        match self {
            State::New => Some(FindingCode::UnevaluatedAnomaly),
            State::Due => Some(FindingCode::EvaluationDue),
            State::UnderInvestigation => Some(FindingCode::EvaluationUnderInvestigation),
            State::Evaluated => None,
        }
    }
}

/// Why an evaluation is due again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum DueReason {
    /// The evaluation's review-by date has passed.
    ReviewDatePassed { review_by: String },
    /// The advisory changed after it was evaluated.
    AdvisoryModified { evaluated: String, modified: String },
    /// The evaluation is of another version of the package; it may be carried forward.
    VersionChanged { from: String },
    /// The evaluation says hazardous but traces to no risk control.
    HazardousWithoutRiskControl,
}

impl DueReason {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            DueReason::ReviewDatePassed { review_by } => {
                format!("review-by date {review_by} has passed")
            }
            DueReason::AdvisoryModified {
                evaluated,
                modified,
            } => {
                format!(
                    "advisory modified {modified}, after the evaluation of its {evaluated} version"
                )
            }
            DueReason::VersionChanged { from } => {
                format!("evaluated for version {from}; the pinned version changed")
            }
            DueReason::HazardousWithoutRiskControl => {
                "hazardous, but no risk control is named".to_string()
            }
        }
    }
}

/// One anomaly with its evaluation state.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Assessment {
    #[serde(flatten)]
    pub anomaly: Anomaly,
    pub state: State,
    /// True when a person must act on it: it is open, and the system's safety
    /// class asks for its evaluation.
    pub needs_person: bool,
    pub reasons: Vec<DueReason>,
    /// The evaluation in force for this exact version, if any.
    pub evaluation: Option<Evaluation>,
    /// An evaluation of another version that can be carried forward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carry_from: Option<Evaluation>,
}

/// All ids an anomaly is known by: the primary and every alias.
pub fn anomaly_ids(anomaly: &Anomaly) -> Vec<String> {
    std::iter::once(anomaly.id.clone())
        .chain(anomaly.aliases.iter().cloned())
        .collect()
}

/// Decides the state of each anomaly against the record on `today`. `pinned`
/// holds the purls in use: an evaluation of a version still pinned is no
/// candidate to carry forward to another version, which is simply new.
pub fn assess(
    anomalies: Vec<Anomaly>,
    record: Option<&Record>,
    today: Date,
    pinned: &BTreeSet<&str>,
) -> Vec<Assessment> {
    let class = record.map(|r| r.system.class);
    anomalies
        .into_iter()
        .map(|anomaly| {
            let mut assessment = assess_one(anomaly, record, today, pinned);
            assessment.needs_person = assessment
                .state
                .finding_code()
                .is_some_and(|code| class.is_none_or(|class| code.is_required_of(class)));
            assessment
        })
        .collect()
}

fn assess_one(
    anomaly: Anomaly,
    record: Option<&Record>,
    today: Date,
    pinned: &BTreeSet<&str>,
) -> Assessment {
    let ids = anomaly_ids(&anomaly);
    let purl = anomaly.component.purl_str().unwrap_or_default().to_string();
    let current = record
        .and_then(|r| r.current_evaluation(&ids, &purl))
        .cloned();
    let Some(evaluation) = current else {
        let carry_from = record.and_then(|r| latest_for_version_gone(r, &ids, &anomaly, pinned));
        let (state, reasons) = match &carry_from {
            Some(previous) => (
                State::Due,
                vec![DueReason::VersionChanged {
                    from: version_of(&previous.purl),
                }],
            ),
            None => (State::New, Vec::new()),
        };
        return Assessment {
            anomaly,
            state,
            needs_person: false,
            reasons,
            evaluation: None,
            carry_from,
        };
    };
    let reasons = due_reasons(&evaluation, &anomaly, today);
    let state = match (reasons.is_empty(), evaluation.vex_status) {
        (false, _) => State::Due,
        (true, VexStatus::UnderInvestigation) => State::UnderInvestigation,
        (true, _) => State::Evaluated,
    };
    Assessment {
        state,
        needs_person: false,
        anomaly,
        reasons,
        evaluation: Some(evaluation),
        carry_from: None,
    }
}

/// Every reason `evaluation` no longer holds on `today`.
pub fn due_reasons(evaluation: &Evaluation, anomaly: &Anomaly, today: Date) -> Vec<DueReason> {
    let mut reasons = Vec::new();
    if evaluation.review_by < today {
        reasons.push(DueReason::ReviewDatePassed {
            review_by: evaluation.review_by.to_string(),
        });
    }
    if is_later(anomaly.modified, &evaluation.advisory_modified) {
        reasons.push(DueReason::AdvisoryModified {
            evaluated: evaluation.advisory_modified.clone(),
            modified: crate::register::stamp(anomaly.modified),
        });
    }
    if evaluation.hazardous && evaluation.risk_controls.is_empty() {
        reasons.push(DueReason::HazardousWithoutRiskControl);
    }
    reasons
}

/// True when the advisory's `modified` time is strictly later than the one
/// recorded as evaluated (an RFC 3339 time, which validation guarantees).
fn is_later(modified: OffsetDateTime, evaluated: &str) -> bool {
    OffsetDateTime::parse(evaluated, &Rfc3339).is_ok_and(|evaluated| modified > evaluated)
}

/// The newest evaluation of the same anomaly for another version of the same
/// package, when that version is no longer pinned: the version really changed.
fn latest_for_version_gone(
    record: &Record,
    ids: &[String],
    anomaly: &Anomaly,
    pinned: &BTreeSet<&str>,
) -> Option<Evaluation> {
    let purl = anomaly.component.purl.as_ref()?;
    record
        .evaluations_for(ids, purl.package())
        .into_iter()
        .rfind(|e| e.purl != purl.as_str() && !pinned.contains(e.purl.as_str()))
        .cloned()
}

/// The version a purl names, or the whole text when it names none.
pub fn version_of(purl: &str) -> String {
    Purl::parse(purl)
        .ok()
        .and_then(|p| p.version().map(str::to_string))
        .unwrap_or_else(|| purl.to_string())
}

/// What the engineer decided about one anomaly, before it becomes an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub hazardous: bool,
    pub hazards: Vec<String>,
    pub risk_controls: Vec<String>,
    pub vex_status: VexStatus,
    pub vex_justification: Option<VexJustification>,
    pub action: Action,
    pub rationale: String,
}

/// Who, when and under which policy an evaluation is recorded.
#[derive(Debug, Clone)]
pub struct Evaluator {
    pub by: String,
    pub today: Date,
    /// Days until a concluded evaluation is due again.
    pub review_period_days: u32,
    /// Days until an `under_investigation` evaluation is due again.
    pub investigation_period_days: u32,
}

impl Evaluator {
    /// The review-by date of an evaluation with `status` recorded today.
    fn review_by(&self, status: VexStatus) -> Date {
        let days = match status {
            VexStatus::UnderInvestigation => self.investigation_period_days,
            _ => self.review_period_days,
        };
        self.today
            .saturating_add(time::Duration::days(i64::from(days)))
    }
}

/// The evaluation of `anomaly` as decided in `judgement`.
pub fn evaluation(
    anomaly: &Anomaly,
    judgement: Judgement,
    who: &Evaluator,
    carried_from: Option<String>,
) -> Evaluation {
    Evaluation {
        advisory: anomaly.id.clone(),
        aliases: anomaly.aliases.clone(),
        purl: anomaly.component.key().into_owned(),
        by: who.by.clone(),
        date: who.today,
        review_by: who.review_by(judgement.vex_status),
        advisory_modified: crate::register::stamp(anomaly.modified),
        advisory_hash: format!("sha256:{}", anomaly.content_hash),
        hazardous: judgement.hazardous,
        hazards: judgement.hazards,
        risk_controls: judgement.risk_controls,
        vex_status: judgement.vex_status,
        vex_justification: judgement.vex_justification,
        action: judgement.action,
        rationale: judgement.rationale,
        carried_from,
    }
}

/// The previous version's judgement, carried to the anomaly's current version.
pub fn carry_forward(anomaly: &Anomaly, previous: &Evaluation, who: &Evaluator) -> Evaluation {
    let judgement = Judgement {
        hazardous: previous.hazardous,
        hazards: previous.hazards.clone(),
        risk_controls: previous.risk_controls.clone(),
        vex_status: previous.vex_status,
        vex_justification: previous.vex_justification,
        action: previous.action,
        rationale: previous.rationale.clone(),
    };
    evaluation(anomaly, judgement, who, Some(version_of(&previous.purl)))
}

/// An anomaly of `serde 1.0.0` in `state`, for the tests of what is shown and counted.
#[cfg(test)]
pub(crate) fn test_assessment(state: State) -> Assessment {
    use crate::model::{AnomalyKind, Component, Ecosystem};
    Assessment {
        anomaly: Anomaly {
            id: "RUSTSEC-2099-0001".into(),
            aliases: vec![],
            records: vec!["RUSTSEC-2099-0001".into()],
            kind: AnomalyKind::Vulnerability,
            component: Component::new(Ecosystem::CratesIo, "serde", "1.0.0"),
            summary: None,
            details: None,
            severity: None,
            fixed: vec![],
            affected: vec![],
            modified: time::macros::datetime!(2026-11-01 0:00 UTC),
            content_hash: "00".into(),
        },
        state,
        needs_person: state.is_open(),
        reasons: vec![],
        evaluation: None,
        carry_from: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contradictory_evaluations_are_refused() {
        let mut e = Evaluation {
            advisory: "RUSTSEC-2024-0421".into(),
            aliases: vec![],
            purl: "pkg:cargo/idna@0.5.0".into(),
            by: "QA".into(),
            date: time::macros::date!(2026 - 11 - 24),
            review_by: time::macros::date!(2027 - 11 - 24),
            advisory_modified: "2025-10-28T06:02:18Z".into(),
            advisory_hash: format!("sha256:{}", "0".repeat(64)),
            hazardous: true,
            hazards: vec![],
            risk_controls: vec![],
            vex_status: VexStatus::NotAffected,
            vex_justification: None,
            action: Action::None,
            rationale: " ".into(),
            carried_from: None,
        };
        assert_eq!(
            e.recording_problems().len(),
            4,
            "{:?}",
            e.recording_problems()
        );
        e.hazardous = false;
        e.vex_justification = Some(VexJustification::VulnerableCodeNotInExecutePath);
        e.rationale = "not called".into();
        assert!(e.recording_problems().is_empty());
        e.vex_status = VexStatus::Affected;
        assert_eq!(e.recording_problems().len(), 1);
    }

    #[test]
    fn versions_of_purls() {
        assert_eq!(version_of("pkg:cargo/idna@0.5.0"), "0.5.0");
        assert_eq!(version_of("pkg:npm/%40babel/core@7.0.0?x=1"), "7.0.0");
    }

    #[test]
    fn timestamps_compare_as_instants() {
        let at = |text| OffsetDateTime::parse(text, &Rfc3339).unwrap();
        assert!(is_later(at("2025-01-02T00:00:00Z"), "2025-01-01T23:00:00Z"));
        assert!(!is_later(
            at("2025-01-01T10:00:00+02:00"),
            "2025-01-01T08:00:00Z"
        ));
        // As text `…00.5Z` sorts before `…00Z`; as instants it is later.
        assert!(is_later(
            at("2025-01-01T00:00:00.5Z"),
            "2025-01-01T00:00:00Z"
        ));
    }
}
