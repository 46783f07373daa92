//! Making a new approval: the refusal rules asked, the payload signed, the
//! `[[approval]]` entry built for the record to append.

use std::path::Path;

use super::refusal::{check_evaluation_request, check_release_request};
use super::{ApprovalError, payload, sign};
use crate::record::{Approval, Evaluation, Meaning, Record, parts_digest, release_parts};

/// Who approves, when, with what meaning, and with which key if signing.
pub struct Approver<'a> {
    /// "Name <email>".
    pub by: &'a str,
    /// RFC 3339 date and time; the caller reads the clock.
    pub at: &'a str,
    pub meaning: Meaning,
    pub key: Option<SigningKey<'a>>,
}

/// An OpenSSH private key file, and how to ask for its passphrase if it has one.
pub struct SigningKey<'a> {
    pub path: &'a Path,
    /// Called only for an encrypted key; `None` refuses the approval.
    pub passphrase: &'a mut dyn FnMut() -> Option<String>,
}

/// A new approval of `evaluation`, checked against the refusal rules and signed when a key is given.
pub fn approve_evaluation(
    record: &Record,
    evaluation: &Evaluation,
    approver: Approver<'_>,
) -> Result<Approval, ApprovalError> {
    let signing = approver.key.is_some();
    check_evaluation_request(record, evaluation, approver.by, approver.meaning, signing)?;
    let approval = Approval {
        advisory: Some(evaluation.advisory.clone()),
        purl: Some(evaluation.purl.clone()),
        release: None,
        digest: evaluation.digest(),
        parts: Vec::new(),
        by: approver.by.to_string(),
        at: approver.at.to_string(),
        meaning: approver.meaning,
        key: None,
        signature: None,
    };
    signed(record, approval, approver.key)
}

/// A new approval of release `version`'s SOUP list: its SBOM file's sha256 (hex)
/// and the evaluations in force for its baseline.
pub fn approve_release(
    record: &Record,
    version: &str,
    sbom_sha256: &str,
    evaluations: &[&Evaluation],
    approver: Approver<'_>,
) -> Result<Approval, ApprovalError> {
    let parts = release_parts(sbom_sha256, evaluations);
    let digest = parts_digest(&parts);
    let signing = approver.key.is_some();
    check_release_request(
        record,
        version,
        &digest,
        approver.by,
        approver.meaning,
        signing,
    )?;
    let approval = Approval {
        advisory: None,
        purl: None,
        release: Some(version.to_string()),
        digest,
        parts,
        by: approver.by.to_string(),
        at: approver.at.to_string(),
        meaning: approver.meaning,
        key: None,
        signature: None,
    };
    signed(record, approval, approver.key)
}

fn signed(
    record: &Record,
    mut approval: Approval,
    key: Option<SigningKey<'_>>,
) -> Result<Approval, ApprovalError> {
    let payload = payload(&record.system.name, &approval)?;
    if let Some(key) = key {
        let signature = sign(&payload, key.path, key.passphrase)?;
        approval.signature = Some(signature.armored);
        approval.key = Some(signature.key);
    }
    Ok(approval)
}
