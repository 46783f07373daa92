//! `cargo soup approve`: a second person's approval of one evaluation, or of a
//! release's SOUP list, appended to the record and signed with an SSH key.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Args;

use super::context::{evaluator, parse_date};
use super::{Context, Exit, InputArgs};
use crate::out::{Out, sanitize};
use crate::project::{ApprovalRequest, AuditScope, EvaluationTarget, Project};
use crate::record::{Approval, Evaluation, Meaning};

/// Approve an evaluation, or a release's SOUP list, as a second person.
///
/// The approval names what it approves by a digest of its canonical text, so a
/// later edit is found. It records who, when and the meaning (reviewed or
/// approved), and with --key an SSH signature (namespace cargo-soup) by a key
/// the signers file lists ([policy] signers, default soup-signers), which
/// `ssh-keygen -Y verify` checks on its own. A release approval covers the
/// release SBOM's sha256 and every evaluation in force for its components.
/// On a terminal the evaluation is shown in full first, and the meaning is
/// asked for. Refused, with nothing written: the approver is the evaluator,
/// the evaluation does not exist or is superseded, the same person already
/// gave that meaning, or the policy requires signatures and no key is given.
///
/// Examples:
///   cargo soup approve RUSTSEC-2024-0421 --package idna@0.5.0 --meaning approved \
///     --by "Max Mustermann <max@example.com>" --key ~/.ssh/id_ed25519
///   cargo soup approve RUSTSEC-2021-0093 --package crossbeam-deque@0.7.3 --release 1.4.0 ...
///   cargo soup approve --release 1.4.0 --meaning approved --key ~/.ssh/id_ed25519
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ApproveArgs {
    /// The anomaly whose evaluation is approved: any of its ids or aliases.
    /// Without it, --release approves that release's SOUP list.
    #[arg(requires = "package")]
    advisory: Option<String>,
    /// The affected package: NAME@VERSION, or its purl.
    #[arg(long, value_name = "NAME@VERSION", requires = "advisory")]
    package: Option<String>,
    /// The evaluation of this date (YYYY-MM-DD); default: the one in force.
    #[arg(long, value_name = "DATE", requires = "advisory")]
    evaluated: Option<String>,
    /// The release: whose SOUP list is approved, or where the package is pinned.
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["lockfile", "sbom"])]
    release: Option<String>,
    /// What the approval means: reviewed or approved (asked for on a terminal).
    #[arg(long, value_name = "MEANING")]
    meaning: Option<String>,
    /// Who approves (default: SOUP_EVALUATOR, else git's user.name and user.email).
    #[arg(long, env = "SOUP_EVALUATOR")]
    by: Option<String>,
    /// The approver's OpenSSH private key, to sign with.
    #[arg(long, value_name = "PATH")]
    key: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

/// Runs `approve`.
pub fn run(cx: &mut Context, args: ApproveArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    project.require_record()?;
    let by = evaluator(args.by.clone())?;
    let approval = match (&args.advisory, &args.package, &args.release) {
        (Some(advisory), Some(package), release) => {
            let target = EvaluationTarget {
                advisory: advisory.clone(),
                package: package.clone(),
                input: args.input.input(),
                scope: AuditScope::of_release(release.as_deref()),
                evaluated: args.evaluated.as_deref().map(parse_date).transpose()?,
            };
            let evaluation = project.evaluation_to_approve(&target, cx.out.as_mut())?;
            if cx.out.is_interactive() {
                show_evaluation(cx.out.as_mut(), &evaluation);
            }
            let request = request(cx.out.as_mut(), &args, by)?;
            project.approve_evaluation(&evaluation, &request, cx.out.as_mut())?
        }
        (None, None, Some(version)) => {
            if cx.out.is_interactive() {
                show_release(cx.out.as_mut(), &mut project, version)?;
            }
            let request = request(cx.out.as_mut(), &args, by)?;
            project.approve_release(version, &request, cx.out.as_mut())?
        }
        _ => {
            return Err(anyhow!(
                "failed to tell what to approve: name an evaluation (ADVISORY --package NAME@VERSION) \
                 or a release (--release VERSION)"
            ));
        }
    };
    let number = project.require_record()?.record().approvals.len();
    cx.out
        .line(&sanitize(&recorded(&approval, number, cx.record_path())));
    Ok(Exit::Clean)
}

/// The approver's request: the meaning from --meaning, else asked on a terminal.
fn request(out: &mut dyn Out, args: &ApproveArgs, by: String) -> anyhow::Result<ApprovalRequest> {
    let meaning = match &args.meaning {
        Some(word) => word
            .parse::<Meaning>()
            .map_err(|e| anyhow!("--meaning: {e}"))?,
        None if out.is_interactive() => {
            let words: Vec<&str> = Meaning::ALL.iter().map(|m| m.as_str()).collect();
            // No default: what the approval means is the approver's judgement.
            let index = out
                .select("What does this approval mean?", &words, None)
                .map_err(|e| anyhow!("failed to read the answer: {e}"))?;
            Meaning::ALL[index]
        }
        None => {
            return Err(anyhow!(
                "failed to approve: give --meaning reviewed or --meaning approved (there is no terminal to ask on)"
            ));
        }
    };
    Ok(ApprovalRequest {
        by,
        meaning,
        key: args.key.clone(),
    })
}

/// Shows the evaluation as its approval's digest covers it, field by field.
fn show_evaluation(out: &mut dyn Out, evaluation: &Evaluation) {
    out.line(&out.heading(&format!(
        "The evaluation of {} in {}, as the approval covers it:",
        evaluation.advisory, evaluation.purl
    )));
    for line in evaluation.canonical_text().lines().skip(1) {
        out.line(&sanitize(&format!("  {line}")));
    }
    out.line(&format!("  digest: {}", evaluation.digest()));
}

/// Shows what an approval of release `version` covers.
fn show_release(out: &mut dyn Out, project: &mut Project, version: &str) -> anyhow::Result<()> {
    let (sbom_sha256, evaluations) = project.release_state(version)?;
    out.line(&out.heading(&format!(
        "Release {version}'s SOUP list, as the approval covers it:"
    )));
    out.line(&format!("  the release SBOM, sha256:{sbom_sha256}"));
    for evaluation in &evaluations {
        out.line(&sanitize(&format!(
            "  the evaluation of {} in {} ({}, {}): {}",
            evaluation.advisory,
            evaluation.purl,
            evaluation.date,
            evaluation.vex_status,
            evaluation.digest()
        )));
    }
    Ok(())
}

/// The line saying what was recorded.
fn recorded(approval: &Approval, number: usize, record: &Path) -> String {
    let signed = match &approval.key {
        Some(key) => format!("signed with {key}"),
        None => "unsigned".to_string(),
    };
    format!(
        "recorded approval #{number} in {}: {} {} {}, {signed}",
        record.display(),
        approval.by,
        approval.meaning,
        approval.approved(),
    )
}
