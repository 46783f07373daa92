//! `cargo soup verify`: every approval checked against the record, the signers
//! file and the release SBOMs, and the exact bytes an approval signed.

use std::io::Write as _;

use anyhow::Context as _;
use clap::Args;

use super::{Context, Exit, Format, finding_row};
use crate::out::sanitize;

/// Check every approval and its signature; exit 1 when any fails.
///
/// Each approval's digest is compared with what it approved as the record holds
/// it now (an evaluation's canonical text, or a release's SBOM sha256 and
/// evaluations in force), and its signature is verified against the signers
/// file. Failures are listed by code: approval-invalid (digest, signature or
/// signer), approval-missing (fewer approvers than [policy] approvals_required,
/// by default 1 for class C), approval-self (the approver is the evaluator).
/// --payload N prints the exact bytes approval N signed, for checking it with
/// OpenSSH alone.
///
/// Examples:
///   cargo soup verify
///   cargo soup verify --payload 3 > payload
///   ssh-keygen -Y verify -f soup-signers -I max@example.com -n cargo-soup -s sig < payload
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct VerifyArgs {
    /// Print the payload approval N (the Nth [[approval]], from 1) signed, and nothing else.
    #[arg(long, value_name = "N", conflicts_with = "format")]
    payload: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs `verify`.
pub fn run(cx: &mut Context, args: VerifyArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    project.require_record()?;
    if let Some(number) = args.payload {
        let payload = project.approval_payload(number)?;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&payload)
            .and_then(|()| stdout.flush())
            .context("failed to write the payload to standard output")?;
        return Ok(Exit::Clean);
    }
    let verification = project.verify()?;
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&verification.json())?;
            cx.out.line(&json);
        }
        Format::Text => {
            for status in &verification.statuses {
                cx.out.line(&sanitize(&status.describe()));
            }
            for finding in &verification.findings {
                cx.out.line(&finding_row(finding, 18));
            }
            let summary = format!(
                "{} approval(s), {} finding(s)",
                verification.statuses.len(),
                verification.findings.len()
            );
            cx.out.summary(verification.fails(), &summary);
        }
    }
    Ok(Exit::from_attention(verification.fails()))
}
