//! `cargo soup review`: record a manual anomaly-list review of a SOUP item that
//! no machine-readable anomaly list covers.

use anyhow::anyhow;
use clap::Args;

use super::context::evaluator;
use super::{Context, Exit};
use crate::record::Review;

/// Record a manual review of an item's published anomalies.
///
/// For a SOUP item no machine-readable anomaly list covers (a component
/// without a purl, or from an ecosystem without advisories), record where its
/// anomaly list was read and what was found. The review lives in
/// soup-register.toml and clears the `no-anomaly-list` finding.
///
/// Example:
///   cargo soup review pkg:generic/vendor-rtos@4.2 \
///     --source "vendor errata page https://vendor.example/errata, read 2026-11-24" \
///     --finding "nothing relevant to this system"
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ReviewArgs {
    /// The item: its purl, or the key `cargo soup audit` names (`ecosystem:name@version`).
    item: String,
    /// Where the anomaly list was read.
    #[arg(long)]
    source: String,
    /// What was found.
    #[arg(long)]
    finding: String,
    /// Who reviewed it (default: SOUP_EVALUATOR, else git's user.name and user.email).
    #[arg(long, env = "SOUP_EVALUATOR")]
    by: Option<String>,
}

/// Runs `review`.
pub fn run(cx: &mut Context, args: ReviewArgs) -> anyhow::Result<Exit> {
    if args.source.trim().is_empty() || args.finding.trim().is_empty() {
        return Err(anyhow!(
            "failed to record the review: --source and --finding must say something"
        ));
    }
    let mut project = cx.open()?;
    let review = Review {
        item: args.item.clone(),
        by: evaluator(args.by)?,
        date: cx.today,
        source: args.source.trim().to_string(),
        finding: args.finding.trim().to_string(),
    };
    project.review(&review)?;
    cx.out.line(&format!(
        "recorded the manual review of {} in {}",
        review.item,
        cx.record_path().display()
    ));
    Ok(Exit::Clean)
}
