//! `cargo soup check`: the compliance gaps of the record for the system's safety class.

use clap::Args;

use super::{Context, Exit, Format, InputArgs, finding_row, plural};
use crate::evaluate::AuditOptions;
use crate::out::sanitize;
use crate::report::check::check_json;

/// List the compliance gaps for the system's safety class.
///
/// Each gap has a stable code: direct SOUP items without a specification
/// (class B and C: 5.3.3, 5.3.4), anomalies unevaluated, under investigation
/// or due, and items no machine-readable anomaly list covers without a manual
/// review (class B and C: 7.1.2, 7.1.3), advisory data older than the policy
/// allows, and a record that is not canonical. `audit` and `report` apply the
/// same rules. Exit code 1 when there is any gap.
///
/// Example:
///   cargo soup check --offline
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
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

/// Runs `check`.
pub fn run(cx: &mut Context, args: CheckArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    let options = AuditOptions {
        allow_stale: args.allow_stale,
    };
    let check = project.check(&args.input.input(), &options, cx.out.as_mut())?;
    match args.format {
        Format::Json => {
            let json = check_json(check.class, &check.gaps, &check.notes);
            cx.out.line(&serde_json::to_string_pretty(&json)?);
        }
        Format::Text => {
            for gap in &check.gaps {
                cx.out.line(&finding_row(gap, 30));
            }
            for note in &check.notes {
                cx.out.note(&sanitize(&format!(
                    "note: {}: {}",
                    note.code.as_str(),
                    note.message
                )));
            }
            let summary = format!(
                "{} for class {}",
                plural(check.gaps.len(), "compliance gap", "compliance gaps"),
                check.class.as_str()
            );
            cx.out.summary(!check.gaps.is_empty(), &summary);
        }
    }
    Ok(Exit::from_attention(!check.gaps.is_empty()))
}
