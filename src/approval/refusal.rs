//! The rules that refuse an approval before anything is written: the command
//! asks these, and on a refusal writes nothing.

use super::is_same_person;
use crate::record::{Evaluation, Meaning, Record};

/// Why an approval may not be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The approver evaluated it; a second person must approve.
    #[error("{by} made this evaluation; an approval must come from another person")]
    SelfApproval { by: String },
    /// There is no evaluation to approve.
    #[error("no evaluation of {advisory} in {purl} is recorded")]
    NoEvaluation { advisory: String, purl: String },
    /// A later evaluation of the same anomaly replaced this one.
    #[error(
        "the evaluation of {advisory} in {purl} of {date} is superseded by a later one; approve the one in force"
    )]
    Superseded {
        advisory: String,
        purl: String,
        date: String,
    },
    /// No release baseline with that version is recorded.
    #[error("no release {version} is recorded")]
    NoRelease { version: String },
    /// The same person already gave this meaning for the same digest.
    #[error("{by} has already given `{meaning}` for this")]
    Duplicate { by: String, meaning: Meaning },
    /// Policy requires signatures and no key was given.
    #[error("the policy requires signatures (`[policy] signatures`): give the approver's SSH key")]
    SignatureRequired,
}

/// True when `by` is the person who made the evaluation.
pub fn is_self_approval(evaluation: &Evaluation, by: &str) -> bool {
    is_same_person(&evaluation.by, by)
}

/// True when `by` has already given `meaning` for the item with this digest.
pub fn has_given(record: &Record, digest: &str, by: &str, meaning: Meaning) -> bool {
    record
        .approvals
        .iter()
        .any(|a| a.digest == digest && a.meaning == meaning && is_same_person(&a.by, by))
}

/// The evaluation in force for an anomaly (any of its IDs) in one exact version,
/// or the refusal when there is none.
pub fn evaluation_to_approve<'r>(
    record: &'r Record,
    advisory_ids: &[String],
    purl: &str,
) -> Result<&'r Evaluation, Refusal> {
    record
        .current_evaluation(advisory_ids, purl)
        .ok_or_else(|| Refusal::NoEvaluation {
            advisory: advisory_ids.first().cloned().unwrap_or_default(),
            purl: purl.to_string(),
        })
}

/// Whether `by` may give `meaning` for `evaluation`, signing or not.
pub fn check_evaluation_request(
    record: &Record,
    evaluation: &Evaluation,
    by: &str,
    meaning: Meaning,
    signing: bool,
) -> Result<(), Refusal> {
    if !record.evaluations.contains(evaluation) {
        return Err(Refusal::NoEvaluation {
            advisory: evaluation.advisory.clone(),
            purl: evaluation.purl.clone(),
        });
    }
    if !record.is_in_force(evaluation) {
        return Err(Refusal::Superseded {
            advisory: evaluation.advisory.clone(),
            purl: evaluation.purl.clone(),
            date: evaluation.date.to_string(),
        });
    }
    if is_self_approval(evaluation, by) {
        return Err(Refusal::SelfApproval { by: by.to_string() });
    }
    check_common(record, &evaluation.digest(), by, meaning, signing)
}

/// Whether `by` may give `meaning` for the release `version` whose parts have `digest`.
pub fn check_release_request(
    record: &Record,
    version: &str,
    digest: &str,
    by: &str,
    meaning: Meaning,
    signing: bool,
) -> Result<(), Refusal> {
    if record.release(version).is_none() {
        return Err(Refusal::NoRelease {
            version: version.to_string(),
        });
    }
    check_common(record, digest, by, meaning, signing)
}

fn check_common(
    record: &Record,
    digest: &str,
    by: &str,
    meaning: Meaning,
    signing: bool,
) -> Result<(), Refusal> {
    if has_given(record, digest, by, meaning) {
        return Err(Refusal::Duplicate {
            by: by.to_string(),
            meaning,
        });
    }
    if record.signatures_required() && !signing {
        return Err(Refusal::SignatureRequired);
    }
    Ok(())
}
