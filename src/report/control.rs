//! Document control of the SOUP list: what a quality system files it under
//! (id, revision, system version and commit, tool version, input digests,
//! signature blocks). The facts only the edge can read (git, the manifest,
//! the clock) arrive as a [`Provenance`]; this module only puts them together.

use crate::evaluate::{ApprovalStatus, SignatureStatus};
use serde::{Deserialize, Serialize};

use crate::record::{Meaning, Record};

/// What the command layer read from git, the manifest and the clock for one report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The number of commits that touched the record, when git knows it.
    pub record_commits: Option<u64>,
    /// The commit the record's tree is at.
    pub commit: Option<String>,
    /// False when the working tree has uncommitted changes.
    pub clean: Option<bool>,
    /// The workspace package version from the manifest.
    pub package_version: Option<String>,
    /// The generation date and time, RFC 3339.
    pub generated_at: String,
}

/// The document control block at the top of every format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentControl {
    /// `[report] document_id`; `None` for a draft.
    pub document_id: Option<String>,
    /// Why the document is a draft, when it is one.
    pub draft: Option<String>,
    pub revision: Option<Revision>,
    /// The release version, else the workspace package version.
    pub system_version: Option<String>,
    /// The git commit of the record, and whether the tree was clean.
    pub commit: Option<String>,
    pub clean: Option<bool>,
    /// The cargo-soup version that wrote it.
    pub tool_version: String,
    /// Every input, its path relative to the record and its sha256.
    pub inputs: Vec<InputDigest>,
    /// The generation date and time, RFC 3339.
    pub generated_at: String,
    /// Prepared, reviewed and approved, in that order.
    pub signatures: Vec<SignatureBlock>,
}

/// The revision and where it comes from, so the reader knows which rule made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub value: String,
    /// `record` (`[report] revision`) or `git` (commits that touched the record).
    pub source: String,
}

/// One input of the document and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputDigest {
    /// Relative to the record's directory where it lies inside it.
    pub path: String,
    pub sha256: String,
    /// The release whose baseline it is; `None` for the working tree.
    pub release: Option<String>,
}

/// One signature block: filled from an approval in the record, or empty to sign on paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureBlock {
    /// `prepared`, `reviewed` or `approved`.
    pub role: String,
    pub by: Option<String>,
    pub at: Option<String>,
    /// The signing key's fingerprint, when the approval is signed.
    pub key: Option<String>,
    /// True when the approval carries an SSH signature.
    pub signed: bool,
    /// What checking it against the record and the signers file found:
    /// `verified`, `unsigned`, `signature fails: …` or `no longer holds: …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<String>,
}

/// The draft notice of a report without a record.
pub const NO_RECORD: &str = "draft: no soup-register.toml";

/// The document control of a report on `release` (or the working tree).
pub fn document_control(
    record: Option<&Record>,
    provenance: &Provenance,
    release: Option<&str>,
    inputs: Vec<InputDigest>,
    statuses: &[ApprovalStatus],
) -> DocumentControl {
    let control = record.map(|r| &r.report);
    let document_id = control.and_then(|c| c.document_id.clone());
    let draft = match (record, &document_id) {
        (None, _) => Some(NO_RECORD.to_string()),
        (Some(_), None) => Some("draft: no [report] document_id in soup-register.toml".into()),
        (Some(_), Some(_)) => None,
    };
    let revision = match control.and_then(|c| c.revision.clone()) {
        Some(value) => Some(Revision {
            value,
            source: "record".into(),
        }),
        None => provenance.record_commits.map(|count| Revision {
            value: count.to_string(),
            source: "git".into(),
        }),
    };
    DocumentControl {
        document_id,
        draft,
        revision,
        system_version: release
            .map(str::to_string)
            .or_else(|| provenance.package_version.clone()),
        commit: provenance.commit.clone(),
        clean: provenance.clean,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        inputs,
        generated_at: provenance.generated_at.clone(),
        signatures: signatures(record, release, statuses),
    }
}

/// Prepared is always signed on paper; reviewed and approved come from the
/// release's approvals in the record where there are any.
fn signatures(
    record: Option<&Record>,
    release: Option<&str>,
    statuses: &[ApprovalStatus],
) -> Vec<SignatureBlock> {
    let mut blocks = vec![empty_block("prepared")];
    for meaning in [Meaning::Reviewed, Meaning::Approved] {
        let given: Vec<SignatureBlock> = record
            .into_iter()
            .flat_map(|r| r.approvals.iter().enumerate())
            .filter(|(_, a)| {
                a.meaning == meaning && release.is_some() && a.release.as_deref() == release
            })
            .map(|(index, a)| SignatureBlock {
                role: meaning.as_str().to_string(),
                by: Some(a.by.clone()),
                at: Some(a.at.clone()),
                key: a.key.clone(),
                signed: a.signature.is_some(),
                checked: statuses.iter().find(|s| s.number == index + 1).map(checked),
            })
            .collect();
        if given.is_empty() {
            blocks.push(empty_block(meaning.as_str()));
        }
        blocks.extend(given);
    }
    blocks
}

impl SignatureBlock {
    /// What the document says of the signature: how it was given and what
    /// checking it found; `None` for a block left to sign on paper.
    pub fn status(&self) -> Option<String> {
        match (&self.checked, &self.key, self.signed) {
            (Some(checked), Some(key), true) => Some(format!("SSH signature by {key}: {checked}")),
            (Some(checked), _, _) => Some(checked.clone()),
            (None, Some(key), true) => Some(format!("SSH signature by {key}")),
            (None, _, true) => Some("SSH signature".to_string()),
            (None, _, false) if self.by.is_some() => Some("unsigned".to_string()),
            _ => None,
        }
    }
}

fn empty_block(role: &str) -> SignatureBlock {
    SignatureBlock {
        role: role.to_string(),
        by: None,
        at: None,
        key: None,
        signed: false,
        checked: None,
    }
}

/// What checking an approval found, in words for the document.
fn checked(status: &ApprovalStatus) -> String {
    match (&status.signature, status.problems.first()) {
        (_, Some(problem)) => format!("no longer holds: {problem}"),
        (SignatureStatus::Verified { key }, None) => format!("verified ({key})"),
        (SignatureStatus::Unsigned, None) => "unsigned".to_string(),
        (SignatureStatus::Failed { reason }, None) => format!("signature fails: {reason}"),
    }
}

/// A path shown relative to `base` when it lies inside it.
pub fn relative_to(path: &std::path::Path, base: &std::path::Path) -> String {
    let absolute =
        |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (path_abs, base_abs) = (absolute(path), absolute(base));
    match path_abs.strip_prefix(&base_abs) {
        Ok(relative) => relative.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}
