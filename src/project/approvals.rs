//! `approve` and `verify`: a second person's approval of an evaluation or of a
//! release's SOUP list appended to the record, and every approval checked
//! against the record, the signers file and the release SBOMs as they are now.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use time::Date;
use time::format_description::well_known::Rfc3339;

use super::record_ops::PackageName;
use super::{AuditScope, Input, Project, ProjectError, union_of};
use crate::approval::{
    self, AllowedSigners, ApprovalError, Approver, Refusal, SigningKey, evaluation_to_approve,
};
use crate::digest::sha256_hex;
use crate::evaluate::{
    ApprovalFacts, ApprovalStatus, Finding, Findings, ReleaseFacts, approval_statuses,
    release_evaluations,
};
use crate::out::Out;
use crate::record::{Approval, Approved, Evaluation, Meaning};
use crate::register::EventKind;
use crate::report::verify::{VERIFY_SCHEMA, VerifyJson};

/// Which evaluation an approval is asked for, as a command names it.
#[derive(Debug, Clone)]
pub struct EvaluationTarget {
    /// Any of the anomaly's ids or aliases.
    pub advisory: String,
    /// `NAME@VERSION`, a bare name, or a purl.
    pub package: String,
    pub input: Input,
    /// Where the package is pinned: the working tree or a release.
    pub scope: AuditScope,
    /// The date of the evaluation meant; `None` is the one in force.
    pub evaluated: Option<Date>,
}

/// Who approves, with what meaning, and the key to sign with.
#[derive(Debug, Clone)]
pub struct ApprovalRequest {
    /// "Name <email>".
    pub by: String,
    pub meaning: Meaning,
    /// An OpenSSH private key file; `None` gives an unsigned approval.
    pub key: Option<PathBuf>,
}

/// What `verify` found: every approval's status and every approval finding.
pub struct Verification {
    pub statuses: Vec<ApprovalStatus>,
    /// `approval-invalid`, `approval-missing` and `approval-self`, in a stable order.
    pub findings: Vec<Finding>,
}

impl Verification {
    /// True when an approval fails or one that policy asks for is missing: `verify` exits 1.
    pub fn fails(&self) -> bool {
        self.findings.iter().any(Finding::needs_person)
    }

    /// What `verify --format json` prints of it.
    pub fn json(&self) -> VerifyJson<'_> {
        VerifyJson {
            schema: VERIFY_SCHEMA,
            verified: !self.fails(),
            approvals: &self.statuses,
            findings: &self.findings,
        }
    }
}

impl Project {
    /// The evaluation `target` names: the one in force, or the one of its date.
    pub fn evaluation_to_approve(
        &mut self,
        target: &EvaluationTarget,
        out: &mut dyn Out,
    ) -> Result<Evaluation, ProjectError> {
        self.require_record()?;
        let inventories = self.subjects(&target.input, &target.scope, out)?;
        let components = union_of(inventories.iter().map(|(_, i)| i));
        let package = PackageName::resolve(&target.package, &components)?;
        let purl = components
            .iter()
            .find(|c| package.names(c))
            .and_then(|c| c.purl_str())
            .map(str::to_string)
            .ok_or_else(|| {
                ProjectError::Refused(format!(
                    "failed to find {} among the pinned SOUP items: check the name and the version \
                     (`cargo soup list` lists them)",
                    target.package
                ))
            })?;
        let record = self.require_record()?.record();
        let ids = vec![target.advisory.clone()];
        let found = match target.evaluated {
            None => evaluation_to_approve(record, &ids, &purl).map_err(ApprovalError::Refused)?,
            Some(date) => record
                .evaluations
                .iter()
                .find(|e| e.purl == purl && e.is_about(&ids) && e.date == date)
                .ok_or_else(|| {
                    ApprovalError::Refused(Refusal::NoEvaluation {
                        advisory: target.advisory.clone(),
                        purl: purl.clone(),
                    })
                })?,
        };
        Ok(found.clone())
    }

    /// Appends `request`'s approval of `evaluation` to the record, signed when
    /// a key is given; refused (nothing written) by the rules of [`approval::Refusal`].
    pub fn approve_evaluation(
        &mut self,
        evaluation: &Evaluation,
        request: &ApprovalRequest,
        out: &mut dyn Out,
    ) -> Result<Approval, ProjectError> {
        let at = self.approval_time()?;
        let record = self.require_record()?.record();
        let approval = with_approver(request, &at, out, |approver| {
            approval::approve_evaluation(record, evaluation, approver)
        })?;
        self.append(approval, "approve")
    }

    /// Appends `request`'s approval of release `version`'s SOUP list: its
    /// SBOM's sha256 and the evaluations in force for its components.
    pub fn approve_release(
        &mut self,
        version: &str,
        request: &ApprovalRequest,
        out: &mut dyn Out,
    ) -> Result<Approval, ProjectError> {
        let at = self.approval_time()?;
        let (sha256, evaluations) = self.release_state(version)?;
        let evaluations: Vec<&Evaluation> = evaluations.iter().collect();
        let record = self.require_record()?.record();
        let approval = with_approver(request, &at, out, |approver| {
            approval::approve_release(record, version, &sha256, &evaluations, approver)
        })?;
        self.append(approval, "approve")
    }

    /// What an approval of release `version` covers: its SBOM's sha256 (hex),
    /// refused if the file changed since it was imported, and the evaluations
    /// in force for its components.
    pub fn release_state(
        &mut self,
        version: &str,
    ) -> Result<(String, Vec<Evaluation>), ProjectError> {
        let release = self.release(version)?.clone();
        let inventory = self.baseline(&release)?;
        let purls: BTreeSet<String> = inventory
            .components
            .iter()
            .filter_map(|c| c.purl_str().map(str::to_string))
            .collect();
        let record = self.require_record()?.record();
        let evaluations = release_evaluations(record, &purls);
        Ok((
            inventory.input.sha256,
            evaluations.into_iter().cloned().collect(),
        ))
    }

    /// Checks every approval of the record, and whether every evaluation in
    /// force and every release in the field has the approvals policy asks for.
    pub fn verify(&mut self) -> Result<Verification, ProjectError> {
        let (facts, _) = self.approval_facts(true)?;
        let record = self.require_record()?.record();
        let in_force: Vec<&Evaluation> = record
            .evaluations
            .iter()
            .filter(|e| record.is_in_force(e))
            .collect();
        let input = facts.input(record, in_force);
        let mut findings = Findings::default();
        findings.check_approvals(&input);
        findings.sort();
        Ok(Verification {
            statuses: approval_statuses(&input),
            findings: findings.0,
        })
    }

    /// The exact bytes approval `number` (from 1, in file order) signed.
    pub fn approval_payload(&self, number: usize) -> Result<Vec<u8>, ProjectError> {
        Ok(approval::payload_of(
            self.require_record()?.record(),
            number,
        )?)
    }

    /// What the record's approvals are checked against beside it: the signers
    /// file and each release SBOM in the field, and a digest of those files for
    /// the audit reuse key. Read only where approvals matter (or `always`):
    /// policy asks for them, or the record holds some; and once per run.
    pub(super) fn approval_facts(
        &mut self,
        always: bool,
    ) -> Result<(ApprovalFacts, String), ProjectError> {
        match &self.approvals {
            Some((read, facts, key)) if *read || !always => Ok((facts.clone(), key.clone())),
            _ => {
                let (read, facts, key) = self.read_approval_facts(always)?;
                self.approvals = Some((read, facts.clone(), key.clone()));
                Ok((facts, key))
            }
        }
    }

    /// [`Project::approval_facts`] read from the files; `true` first when
    /// they were read at all.
    fn read_approval_facts(
        &self,
        always: bool,
    ) -> Result<(bool, ApprovalFacts, String), ProjectError> {
        let Some(file) = self.record.as_ref() else {
            return Ok((false, ApprovalFacts::default(), String::new()));
        };
        let record = file.record();
        if !always && record.approvals_required() == 0 && record.approvals.is_empty() {
            return Ok((false, ApprovalFacts::default(), String::new()));
        }
        let dir = self.locations.record_dir();
        let signers_path = dir.join(&record.policy.signers);
        let (signers, signers_text) = read_signers(&signers_path)?;
        let mut key = vec![sha256_hex(signers_text.as_bytes())];
        let mut releases = Vec::new();
        for release in record.releases.iter().filter(|r| !r.retired) {
            let inventory = crate::inventory::read_input(&dir.join(&release.sbom))?;
            key.push(format!("{} {}", release.version, inventory.input.sha256));
            releases.push(ReleaseFacts {
                version: release.version.clone(),
                sbom_sha256: inventory.input.sha256,
                purls: inventory
                    .components
                    .iter()
                    .filter_map(|c| c.purl_str().map(str::to_string))
                    .collect(),
            });
        }
        let facts = ApprovalFacts { signers, releases };
        Ok((true, facts, sha256_hex(key.join("\n").as_bytes())))
    }

    /// The approval's time: the command's start, as RFC 3339 to the second.
    fn approval_time(&self) -> Result<String, ProjectError> {
        let now = self.now.replace_nanosecond(0).unwrap_or(self.now);
        now.format(&Rfc3339)
            .map_err(|e| ProjectError::Refused(format!("failed to write the approval's time: {e}")))
    }

    /// Appends `approval` to the record and saves it in `command`'s register transaction.
    fn append(&mut self, approval: Approval, command: &str) -> Result<Approval, ProjectError> {
        self.require_record_mut()?.append_approval(&approval)?;
        let what = match approval.approved() {
            Approved::Evaluation { advisory, purl } => format!("{advisory} {purl}"),
            Approved::Release { version } => format!("release {version}"),
        };
        let subject = format!("{what}: {} by {}", approval.meaning, approval.by);
        self.save_record(command, EventKind::ApprovalRecorded, &subject)?;
        Ok(approval)
    }
}

/// Runs `give` with the approver of `request`; an encrypted key's passphrase
/// is asked for on the terminal, and refused without one.
fn with_approver<T>(
    request: &ApprovalRequest,
    at: &str,
    out: &mut dyn Out,
    give: impl FnOnce(Approver<'_>) -> Result<T, ApprovalError>,
) -> Result<T, ProjectError> {
    let mut passphrase = || match out.is_interactive() {
        true => out.password("Passphrase of the SSH key").ok(),
        false => None,
    };
    let key = request.key.as_deref().map(|path: &Path| SigningKey {
        path,
        passphrase: &mut passphrase,
    });
    let approver = Approver {
        by: &request.by,
        at,
        meaning: request.meaning,
        key,
    };
    Ok(give(approver)?)
}

/// The signers file and its text; none (and empty text) when there is no file.
fn read_signers(path: &Path) -> Result<(Option<AllowedSigners>, String), ProjectError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((Some(AllowedSigners::parse(path, &text)?), text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((None, String::new())),
        Err(source) => Err(ApprovalError::SignersRead {
            path: path.to_path_buf(),
            source,
        }
        .into()),
    }
}
