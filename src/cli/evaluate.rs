//! `cargo soup evaluate`: record one hazard evaluation from flags, for scripts
//! and for teams that evaluate in a pull request.

use anyhow::anyhow;
use clap::{ArgGroup, Args};

use super::context::evaluator;
use super::{Context, Exit, InputArgs};
use crate::evaluate::Judgement;
use crate::project::{AuditScope, EvaluateRequest};
use crate::record::{Action, VexJustification, VexStatus};

/// Record the hazard evaluation of one anomaly without prompts.
///
/// The anomaly is named by any of its ids (RUSTSEC, GHSA, CVE, ...) and the
/// package version it affects; a bare package name pinned at more than one
/// version is refused. The evaluation is appended to soup-register.toml; an
/// earlier evaluation of the same anomaly stays in the history and is
/// superseded. Incomplete or contradictory answers are refused; a hazardous
/// flaw without a risk control is recorded with a warning, and stays a
/// finding until the risk file names one.
///
/// Examples:
///   cargo soup evaluate RUSTSEC-2024-0421 --package idna@0.5.0 --not-hazardous \
///     --vex not_affected --justification vulnerable_code_not_in_execute_path \
///     --action none --rationale "hostnames come only from our own configuration"
///   cargo soup evaluate GHSA-xxxx-yyyy-zzzz --package pkg:npm/lodash@4.17.20 --hazardous \
///     --hazard HAZ-12 --risk-control RC-4 --vex affected --action update --rationale "..."
///   cargo soup evaluate RUSTSEC-2021-0093 --package crossbeam-deque@0.7.3 --release 1.4.0 ...
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
#[command(group(ArgGroup::new("hazard-answer").required(true).args(["hazardous", "not_hazardous"])))]
pub struct EvaluateArgs {
    /// The anomaly: any of its advisory ids or aliases.
    advisory: String,
    /// The affected package: NAME@VERSION, or its purl.
    #[arg(long, value_name = "NAME@VERSION")]
    package: String,
    /// The flaw can contribute to a hazardous situation in this system.
    #[arg(long)]
    hazardous: bool,
    /// The flaw cannot contribute to a hazardous situation in this system.
    #[arg(long)]
    not_hazardous: bool,
    /// A hazard ID in the ISO 14971 risk management file (repeatable).
    #[arg(long = "hazard", value_name = "ID")]
    hazards: Vec<String>,
    /// A risk-control ID that addresses the hazard (repeatable).
    #[arg(long = "risk-control", value_name = "ID")]
    risk_controls: Vec<String>,
    /// VEX status: not_affected, affected, fixed, under_investigation.
    #[arg(long, value_name = "STATUS")]
    vex: String,
    /// VEX justification, required with not_affected: component_not_present,
    /// vulnerable_code_not_present, vulnerable_code_not_in_execute_path,
    /// vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist.
    #[arg(long, value_name = "JUSTIFICATION")]
    justification: Option<String>,
    /// What is done about it: none, update, mitigate.
    #[arg(long, value_name = "ACTION")]
    action: String,
    /// Why: required.
    #[arg(long)]
    rationale: String,
    /// Who is evaluating (default: SOUP_EVALUATOR, else git's user.name and user.email).
    #[arg(long, env = "SOUP_EVALUATOR")]
    by: Option<String>,
    /// The anomaly is in this release's baseline, as `audit --release` found it.
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["lockfile", "sbom"])]
    release: Option<String>,
    #[command(flatten)]
    input: InputArgs,
}

/// Runs `evaluate`.
pub fn run(cx: &mut Context, args: EvaluateArgs) -> anyhow::Result<Exit> {
    let judgement = judgement(&args)?;
    let mut project = cx.open()?;
    project.require_record()?;
    let request = EvaluateRequest {
        advisory: args.advisory.clone(),
        package: args.package.clone(),
        judgement,
        by: evaluator(args.by.clone())?,
        input: args.input.input(),
        scope: AuditScope::of_release(args.release.as_deref()),
    };
    let evaluation = project.evaluate(request, cx.out.as_mut())?;
    cx.out.line(&format!(
        "recorded the evaluation of {} for {} in {} (review by {})",
        evaluation.advisory,
        evaluation.purl,
        cx.record_path().display(),
        evaluation.review_by
    ));
    if evaluation.lacks_risk_control() {
        cx.out.note(&cx.out.alert(
            "warning: hazardous, but no risk control is named (--risk-control ID): \
             audits report hazard-without-risk-control until the risk file names one",
        ));
    }
    Ok(Exit::Clean)
}

/// The answers given as flags; whether they may be recorded is checked on the evaluation.
fn judgement(args: &EvaluateArgs) -> anyhow::Result<Judgement> {
    let flag = |name: &str, e: crate::record::InvalidSpelling| anyhow!("--{name}: {e}");
    let vex_status: VexStatus = args.vex.parse().map_err(|e| flag("vex", e))?;
    let vex_justification = args
        .justification
        .as_deref()
        .map(str::parse::<VexJustification>)
        .transpose()
        .map_err(|e| flag("justification", e))?;
    let action: Action = args.action.parse().map_err(|e| flag("action", e))?;
    Ok(Judgement {
        hazardous: args.hazardous,
        hazards: args.hazards.clone(),
        risk_controls: args.risk_controls.clone(),
        vex_status,
        vex_justification,
        action,
        rationale: args.rationale.trim().to_string(),
    })
}
