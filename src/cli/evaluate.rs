//! `cargo soup evaluate`: record one hazard evaluation from flags, for scripts
//! and for teams that evaluate in a pull request.

use anyhow::anyhow;
use clap::{ArgGroup, Args};

use super::audit::evaluator;
use super::fetch::ensure_bundled;
use super::{Context, Exit, InputArgs};
use crate::evaluate::{
    AuditOptions, Evaluator, Judgement, anomaly_ids, do_audit, evaluation, recording_problems,
};
use crate::record::{Action, VexJustification, VexStatus};

/// Record the hazard evaluation of one anomaly without prompts.
///
/// The anomaly is named by any of its ids (RUSTSEC, GHSA, CVE, ...) and the
/// package version it affects. The evaluation is appended to
/// soup-register.toml; an earlier evaluation of the same anomaly stays in the
/// history and is superseded. Incomplete or contradictory answers are refused.
///
/// Examples:
///   cargo soup evaluate RUSTSEC-2024-0421 --package idna@0.5.0 --not-hazardous \
///     --vex not_affected --justification vulnerable_code_not_in_execute_path \
///     --rationale "hostnames come only from our own configuration"
///   cargo soup evaluate GHSA-xxxx-yyyy-zzzz --package pkg:npm/lodash@4.17.20 --hazardous \
///     --hazard HAZ-12 --risk-control RC-4 --vex affected --action update --rationale "..."
#[derive(Debug, Args)]
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
    #[arg(long, default_value = "none")]
    action: String,
    /// Why: required.
    #[arg(long)]
    rationale: String,
    /// Who is evaluating (default: SOUP_EVALUATOR, else git's user.name and user.email).
    #[arg(long, env = "SOUP_EVALUATOR")]
    by: Option<String>,
    #[command(flatten)]
    input: InputArgs,
}

/// Runs `evaluate`.
pub fn run(cx: &mut Context, args: EvaluateArgs) -> anyhow::Result<Exit> {
    let judgement = judgement(&args)?;
    let mut record_file = cx.require_record()?;
    let inventory = cx.read_inventory(&args.input)?;
    let mut store = cx.open_store()?;
    ensure_bundled(cx, &mut store)?;
    let audit = do_audit(
        &inventory.components,
        Some(record_file.record()),
        &store,
        cx.today,
        &AuditOptions::default(),
    )?;
    let assessment = audit
        .assessments
        .iter()
        .find(|a| {
            anomaly_ids(&a.anomaly).iter().any(|id| id.eq_ignore_ascii_case(&args.advisory))
                && matches_package(&args.package, &a.anomaly.component)
        })
        .ok_or_else(|| {
            anyhow!(
                "failed to find {} affecting {} among the {} anomalies of {}: check the id and the version \
                 (`cargo soup audit` lists them)",
                args.advisory,
                args.package,
                audit.assessments.len(),
                inventory.input.path.display()
            )
        })?;
    let who = Evaluator {
        by: evaluator(args.by.clone())?,
        today: cx.today,
        review_period_days: record_file.record().policy.review_period_days,
    };
    let evaluation = evaluation(&assessment.anomaly, judgement, &who, None);
    let problems = recording_problems(&evaluation);
    if !problems.is_empty() {
        return Err(anyhow!(
            "failed to record the evaluation:\n  - {}",
            problems.join("\n  - ")
        ));
    }
    record_file.append_evaluation(&evaluation)?;
    let subject = format!("{} {}", evaluation.advisory, evaluation.purl);
    cx.save_record(
        &mut record_file,
        "evaluate",
        ("evaluation-recorded", &subject),
    )?;
    cx.out.line(&format!(
        "recorded the evaluation of {} for {} in {} (review by {})",
        evaluation.advisory,
        evaluation.purl,
        cx.record_path.display(),
        evaluation.review_by
    ));
    Ok(Exit::Clean)
}

/// The answers given as flags; whether they may be recorded is checked on the evaluation.
fn judgement(args: &EvaluateArgs) -> anyhow::Result<Judgement> {
    let vex_status: VexStatus = args.vex.parse().map_err(|e| anyhow!("{e}"))?;
    let vex_justification = args
        .justification
        .as_deref()
        .map(str::parse::<VexJustification>)
        .transpose()
        .map_err(|e| anyhow!("{e}"))?;
    let action: Action = args.action.parse().map_err(|e| anyhow!("{e}"))?;
    let judgement = Judgement {
        hazardous: args.hazardous,
        hazards: args.hazards.clone(),
        risk_controls: args.risk_controls.clone(),
        vex_status,
        vex_justification,
        action,
        rationale: args.rationale.trim().to_string(),
    };
    Ok(judgement)
}

/// True when `package` (`name@version` or a purl) names `component`.
fn matches_package(package: &str, component: &crate::model::Component) -> bool {
    if package.starts_with("pkg:") {
        return component.purl.as_deref() == Some(package);
    }
    let is_named = |name: &str| {
        let ecosystem = &component.ecosystem;
        ecosystem.normalize_name(&component.name) == ecosystem.normalize_name(name)
    };
    match package.rsplit_once('@') {
        Some((name, version)) => is_named(name) && component.version == version,
        None => is_named(package),
    }
}
