//! Whether the record's approvals still hold (DESIGN.md §7): each approval's
//! digest against what it approved, its signature against the signers file, and
//! the number of distinct approvers policy asks of each evaluation in force and
//! each release. The input is data, so no register is needed.

use std::collections::BTreeSet;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::findings::{Finding, FindingCode, Findings};
use crate::approval::{self, AllowedSigners, is_same_person, principal};
use crate::record::{
    Approval, Approved, Evaluation, Meaning, Record, part_subject, parts_digest, release_parts,
};

/// What approvals are checked against.
pub struct ApprovalInput<'a> {
    pub record: &'a Record,
    /// The evaluations in force that need approvals (those of the audit's anomalies).
    pub evaluations: Vec<&'a Evaluation>,
    /// The release baselines to check, as they are now.
    pub releases: Vec<ReleaseState<'a>>,
    /// The signers file, `None` when there is none.
    pub signers: Option<&'a AllowedSigners>,
}

/// A release baseline as it is now: what its approvals' digests are compared with.
pub struct ReleaseState<'a> {
    pub version: &'a str,
    /// Hex sha256 of the release SBOM file as it is on disk.
    pub sbom_sha256: &'a str,
    /// The evaluations in force for the baseline's anomalies.
    pub evaluations: Vec<&'a Evaluation>,
}

/// What approvals are checked against besides the record, read from the files
/// beside it before an audit, so that the audit stays pure.
#[derive(Debug, Clone, Default)]
pub struct ApprovalFacts {
    /// The signers file, `None` when there is none.
    pub signers: Option<AllowedSigners>,
    /// The release baselines in the field, as their files are now.
    pub releases: Vec<ReleaseFacts>,
}

/// A release baseline as its committed SBOM is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseFacts {
    pub version: String,
    /// Hex sha256 of the SBOM file.
    pub sbom_sha256: String,
    /// The package URLs of its components.
    pub purls: BTreeSet<String>,
}

impl ApprovalFacts {
    /// The approval input of `record` whose evaluations needing approval are `evaluations`.
    pub fn input<'a>(
        &'a self,
        record: &'a Record,
        evaluations: Vec<&'a Evaluation>,
    ) -> ApprovalInput<'a> {
        ApprovalInput {
            record,
            evaluations,
            releases: self
                .releases
                .iter()
                .map(|release| ReleaseState {
                    version: &release.version,
                    sbom_sha256: &release.sbom_sha256,
                    evaluations: release_evaluations(record, &release.purls),
                })
                .collect(),
            signers: self.signers.as_ref(),
        }
    }
}

/// The evaluations in force for a release baseline: those of its components, by purl.
pub fn release_evaluations<'r>(
    record: &'r Record,
    purls: &BTreeSet<String>,
) -> Vec<&'r Evaluation> {
    record
        .evaluations
        .iter()
        .filter(|e| purls.contains(&e.purl) && record.is_in_force(e))
        .collect()
}

/// One approval as verified: the manifestation reports show, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalStatus {
    /// Its number: the Nth `[[approval]]` in the record, from 1.
    pub number: usize,
    /// What it approves: `<advisory> <purl>`, or `release <version>`.
    pub subject: String,
    pub by: String,
    pub at: String,
    pub meaning: Meaning,
    pub signature: SignatureStatus,
    /// Why it no longer holds (digest, key, policy); empty when it holds.
    pub problems: Vec<String>,
    /// The approver made the evaluation approved.
    pub self_approval: bool,
}

/// Whether an approval's signature verified against the signers file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignatureStatus {
    /// Verified, by the key with this fingerprint.
    Verified { key: String },
    /// The approval carries no signature.
    Unsigned,
    /// The signature does not verify, and why.
    Failed { reason: String },
}

impl ApprovalStatus {
    /// One line on it, as `verify` lists approvals: "#1 release 1.4.0 approved
    /// by Max at 2026-11-24T10:00:00Z: signature verified (SHA256:...)".
    pub fn describe(&self) -> String {
        let signature = match &self.signature {
            SignatureStatus::Verified { key } => format!("signature verified ({key})"),
            SignatureStatus::Unsigned => "unsigned".to_string(),
            SignatureStatus::Failed { .. } => "signature FAILED".to_string(),
        };
        format!(
            "#{} {} {} by {} at {}: {signature}",
            self.number, self.subject, self.meaning, self.by, self.at
        )
    }

    /// True when the approval holds and counts towards what policy requires.
    pub fn holds(&self) -> bool {
        self.problems.is_empty()
            && !self.self_approval
            && !matches!(self.signature, SignatureStatus::Failed { .. })
    }
}

/// The status of every approval in the record, in file order.
pub fn approval_statuses(input: &ApprovalInput<'_>) -> Vec<ApprovalStatus> {
    input
        .record
        .approvals
        .iter()
        .enumerate()
        .map(|(index, approval)| status(input, index + 1, approval))
        .collect()
}

fn status(input: &ApprovalInput<'_>, number: usize, approval: &Approval) -> ApprovalStatus {
    let mut problems = Vec::new();
    let (subject, self_approval) = match approval.approved() {
        Approved::Evaluation { advisory, purl } => {
            let approved = evaluation_problems(input.record, approval, &mut problems);
            let is_self = approved.is_some_and(|e| is_same_person(&e.by, &approval.by));
            (format!("{advisory} {purl}"), is_self)
        }
        Approved::Release { version } => {
            release_problems(input, version, approval, &mut problems);
            (format!("release {version}"), false)
        }
    };
    let signature = signature_status(input, approval, &mut problems);
    ApprovalStatus {
        number,
        subject,
        by: approval.by.clone(),
        at: approval.at.clone(),
        meaning: approval.meaning,
        signature,
        problems,
        self_approval,
    }
}

/// The evaluation the approval's digest names, or why it names none.
fn evaluation_problems<'r>(
    record: &'r Record,
    approval: &Approval,
    problems: &mut Vec<String>,
) -> Option<&'r Evaluation> {
    let found = record
        .evaluations
        .iter()
        .find(|e| e.digest() == approval.digest);
    if found.is_none() {
        let (advisory, purl) = (approval.advisory.as_deref(), approval.purl.as_deref());
        let still_there = record
            .evaluations
            .iter()
            .any(|e| Some(e.advisory.as_str()) == advisory && Some(e.purl.as_str()) == purl);
        problems.push(if still_there {
            "the evaluation changed after it was approved: its digest no longer matches".to_string()
        } else {
            "the record holds no evaluation with the approved digest".to_string()
        });
    }
    found
}

fn release_problems(
    input: &ApprovalInput<'_>,
    version: &str,
    approval: &Approval,
    problems: &mut Vec<String>,
) {
    if input.record.release(version).is_none() {
        problems.push(format!("release {version} is not recorded"));
    }
    if parts_digest(&approval.parts) != approval.digest {
        problems.push("its `parts` do not match its digest".to_string());
    }
    if let Some(state) = input.releases.iter().find(|r| r.version == version) {
        let now = release_parts(state.sbom_sha256, &state.evaluations);
        problems.extend(part_changes(&approval.parts, &now));
    }
}

/// Which parts of a release changed since its approval, one line each.
fn part_changes(approved: &[String], now: &[String]) -> Vec<String> {
    let subjects: BTreeSet<&str> = approved
        .iter()
        .chain(now)
        .map(|part| part_subject(part))
        .collect();
    let find = |parts: &'_ [String], subject: &str| -> Option<String> {
        parts
            .iter()
            .find(|part| part_subject(part) == subject)
            .cloned()
    };
    let mut changes = Vec::new();
    for subject in subjects {
        let (then, today) = (find(approved, subject), find(now, subject));
        let what = if subject == "sbom" {
            "the release SBOM".to_string()
        } else {
            subject
                .replacen("evaluation ", "the evaluation of ", 1)
                .replacen(" pkg:", " in pkg:", 1)
        };
        match (then, today) {
            (Some(then), Some(today)) if then != today => changes.push(format!(
                "{what} changed since the approval ({} → {})",
                digest_of(&then),
                digest_of(&today)
            )),
            (Some(_), None) => changes.push(format!("{what} is no longer in force")),
            (None, Some(_)) => changes.push(format!("{what} was added since the approval")),
            _ => {}
        }
    }
    changes
}

fn digest_of(part: &str) -> &str {
    part.rsplit_once(' ').map_or(part, |(_, digest)| digest)
}

fn signature_status(
    input: &ApprovalInput<'_>,
    approval: &Approval,
    problems: &mut Vec<String>,
) -> SignatureStatus {
    let Some(armored) = &approval.signature else {
        if input.record.signatures_required() {
            problems.push("it is not signed, but the policy requires signatures".to_string());
        }
        return SignatureStatus::Unsigned;
    };
    let Some(signers) = input.signers else {
        let reason = format!(
            "there is no signers file `{}` to verify it against",
            input.record.policy.signers
        );
        return SignatureStatus::Failed { reason };
    };
    let payload = match approval::payload(&input.record.system.name, approval) {
        Ok(payload) => payload,
        Err(error) => {
            let reason = error.to_string();
            return SignatureStatus::Failed { reason };
        }
    };
    let at = OffsetDateTime::parse(&approval.at, &Rfc3339).ok();
    match approval::verify(&payload, armored, principal(&approval.by), signers, at) {
        Ok(key) => {
            if approval.key.as_deref() != Some(key.as_str()) {
                problems.push(format!(
                    "it records key {} but was signed by {key}",
                    approval.key.as_deref().unwrap_or("(none)")
                ));
            }
            SignatureStatus::Verified { key }
        }
        Err(problem) => SignatureStatus::Failed {
            reason: problem.to_string(),
        },
    }
}

impl Findings {
    /// `approval-invalid`, `approval-self` and `approval-missing` findings.
    pub fn check_approvals(&mut self, input: &ApprovalInput<'_>) {
        let statuses = approval_statuses(input);
        for status in &statuses {
            self.invalid_or_self(status);
        }
        let required = input.record.approvals_required();
        if required == 0 {
            return;
        }
        for evaluation in &input.evaluations {
            let subject = format!("{} {}", evaluation.advisory, evaluation.purl);
            let approvers = approvers(input.record, &statuses, &evaluation.digest());
            self.missing(subject, approvers, required);
        }
        for release in &input.releases {
            let digest = parts_digest(&release_parts(release.sbom_sha256, &release.evaluations));
            let approvers = approvers(input.record, &statuses, &digest);
            self.missing(format!("release {}", release.version), approvers, required);
        }
    }

    fn invalid_or_self(&mut self, status: &ApprovalStatus) {
        let who = format!(
            "approval #{} ({} by {} at {})",
            status.number, status.meaning, status.by, status.at
        );
        let mut reasons = status.problems.clone();
        if let SignatureStatus::Failed { reason } = &status.signature {
            reasons.push(reason.clone());
        }
        if !reasons.is_empty() {
            self.0.push(finding(
                FindingCode::ApprovalInvalid,
                &status.subject,
                format!("{who}: {}", reasons.join("; ")),
            ));
        }
        if status.self_approval {
            self.0.push(finding(
                FindingCode::ApprovalSelf,
                &status.subject,
                format!("{who}: the approver made the evaluation; it does not count"),
            ));
        }
    }

    fn missing(&mut self, subject: String, approvers: usize, required: u32) {
        if approvers < required as usize {
            let message = format!(
                "{approvers} of {required} required approval(s): a second person must approve it (`meaning = \"approved\"`)"
            );
            self.0
                .push(finding(FindingCode::ApprovalMissing, &subject, message));
        }
    }
}

/// Distinct people with an approval (meaning `approved`) of `digest` that holds.
fn approvers(record: &Record, statuses: &[ApprovalStatus], digest: &str) -> usize {
    let people: BTreeSet<String> = record
        .approvals
        .iter()
        .zip(statuses)
        .filter(|(approval, status)| {
            approval.digest == digest && approval.meaning == Meaning::Approved && status.holds()
        })
        .map(|(approval, _)| principal(&approval.by).to_ascii_lowercase())
        .collect();
    people.len()
}

fn finding(code: FindingCode, subject: &str, message: String) -> Finding {
    Finding {
        code,
        subject: subject.to_string(),
        message,
        waived: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_line_names_the_approval_and_its_signature() {
        let mut status = ApprovalStatus {
            number: 2,
            subject: "release 1.4.0".into(),
            by: "Max <max@example.com>".into(),
            at: "2026-11-24T10:00:00Z".into(),
            meaning: Meaning::Approved,
            signature: SignatureStatus::Verified {
                key: "SHA256:abc".into(),
            },
            problems: vec![],
            self_approval: false,
        };
        assert_eq!(
            status.describe(),
            "#2 release 1.4.0 approved by Max <max@example.com> at 2026-11-24T10:00:00Z: \
             signature verified (SHA256:abc)"
        );
        status.signature = SignatureStatus::Failed {
            reason: "bad".into(),
        };
        assert!(status.describe().ends_with(": signature FAILED"));
    }
}
