//! `cargo soup check`: the compliance gaps of the record for the system's safety class.

use clap::Args;
use serde::Serialize;

use super::fetch::ensure_bundled;
use super::{Context, Exit, Format, InputArgs};
use crate::evaluate::{AuditOptions, Finding, FindingCode, Findings, do_audit};
use crate::out::sanitize;

/// List the compliance gaps for the system's safety class.
///
/// Each gap has a stable code: direct SOUP items without a specification
/// (class B and C: 5.3.3, 5.3.4), anomalies unevaluated or due and items no
/// machine-readable anomaly list covers without a manual review (class B and
/// C: 7.1.2, 7.1.3), advisory data older than the policy allows, and a record
/// that is not canonical. Exit code 1 when there is any.
///
/// Example: cargo soup check --offline
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Report stale advisory data without counting it as a gap.
    #[arg(long)]
    allow_stale: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// `check --format json`.
#[derive(Serialize)]
struct CheckJson<'a> {
    schema: &'static str,
    class: &'static str,
    gaps: Vec<&'a Finding>,
}

/// Runs `check`.
pub fn run(cx: &mut Context, args: CheckArgs) -> anyhow::Result<Exit> {
    let record_file = cx.require_record()?;
    let record = record_file.record();
    let inventory = cx.read_inventory(&args.input)?;
    let mut store = cx.open_store()?;
    ensure_bundled(cx, &mut store)?;
    let options = AuditOptions {
        allow_stale: args.allow_stale,
    };
    let audit = do_audit(
        &inventory.components,
        Some(record),
        &store,
        cx.today,
        &options,
    )?;
    let mut findings = Findings(
        audit
            .findings
            .0
            .into_iter()
            .filter(|f| applies_to_class(f.code, record.system.class.needs_specifications()))
            .collect(),
    );
    if !record_file.is_canonical() {
        findings.0.push(Finding {
            code: FindingCode::RecordNotCanonical,
            subject: cx.record_path.display().to_string(),
            message: "run `cargo soup fmt` so that reviews show only real changes".to_string(),
            waived: false,
        });
    }
    findings.sort();
    let gaps: Vec<&Finding> = findings
        .0
        .iter()
        .filter(|f| f.code.needs_person() && !f.waived)
        .collect();
    match args.format {
        Format::Json => {
            let json = CheckJson {
                schema: "cargo-soup/check/1",
                class: record.system.class.as_str(),
                gaps,
            };
            cx.out.line(&serde_json::to_string_pretty(&json)?);
        }
        Format::Text => {
            for gap in &gaps {
                cx.out.line(&sanitize(&format!(
                    "{:<28} {} {}",
                    gap.code.as_str(),
                    gap.subject,
                    gap.message
                )));
            }
            let summary = format!(
                "{} compliance gaps for class {}",
                gaps.len(),
                record.system.class.as_str()
            );
            let summary = if gaps.is_empty() {
                cx.out.good(&summary)
            } else {
                cx.out.alert(&summary)
            };
            cx.out.line(&summary);
        }
    }
    Ok(Exit::from_attention(findings.need_person()))
}

/// Anomaly evaluation (7.1) and specifications (5.3) are required of classes B and C only.
fn applies_to_class(code: FindingCode, b_or_c: bool) -> bool {
    b_or_c
        || !matches!(
            code,
            FindingCode::UnevaluatedAnomaly
                | FindingCode::EvaluationDue
                | FindingCode::HazardWithoutRiskControl
                | FindingCode::NoAnomalyList
                | FindingCode::MissingSpecification
        )
}
