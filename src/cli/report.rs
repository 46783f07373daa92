//! `cargo soup report`: the SOUP list an auditor reads.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::audit::{subjects, subjects_of, union_of};
use super::fetch::ensure_bundled;
use super::{Context, Exit, InputArgs};
use crate::evaluate::{AuditOptions, do_audit};
use crate::record;
use crate::report::model::{self, Report};
use crate::report::{csv, html, markdown, soup_list};

/// Write the SOUP list an auditor reads.
///
/// A header (system, safety class, date, advisory data used), the IEC 62304
/// clause table saying where each clause is answered, then each SOUP item:
/// identification, specification, support level, anomalies and their
/// evaluations; the items no machine-readable anomaly list covers with their
/// manual reviews; and what is still open. HTML is one self-contained file
/// that prints well; CSV opens in a spreadsheet.
///
/// Examples:
///   cargo soup report --format html -o soup-list.html
///   cargo soup report --release 1.4.0 --format md -o release-1.4.0-soup.md
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report on this release's baseline instead of the working tree.
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["lockfile", "sbom"])]
    release: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    format: ReportFormat,
    /// Write to this file (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Report advisory data older than the policy without counting it as open.
    #[arg(long)]
    allow_stale: bool,
    #[command(flatten)]
    input: InputArgs,
}

/// The formats of the SOUP list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    /// Markdown.
    Md,
    /// One self-contained HTML file.
    Html,
    /// Comma-separated values, one row per item and anomaly.
    Csv,
    /// The report model as JSON (`cargo-soup/report/1`).
    Json,
}

/// Runs `report`.
pub fn run(cx: &mut Context, args: ReportArgs) -> anyhow::Result<Exit> {
    let report = build(cx, &args.input, args.release.as_deref(), args.allow_stale)?;
    let text = match args.format {
        ReportFormat::Md => markdown::markdown(&report),
        ReportFormat::Html => html::html(&report),
        ReportFormat::Csv => csv::csv(&report),
        ReportFormat::Json => serde_json::to_string_pretty(&model::json(&report)?)?,
    };
    emit(cx, args.output.as_deref(), &text)?;
    Ok(Exit::Clean)
}

/// The report of the working tree, or of `release`, against the record.
pub(super) fn build(
    cx: &mut Context,
    input: &InputArgs,
    release: Option<&str>,
    allow_stale: bool,
) -> anyhow::Result<Report> {
    let record_file = cx.require_record()?;
    let inventories = subjects(cx, input, release, false, Some(&record_file))?;
    let components = union_of(inventories.iter().map(|(_, inventory)| inventory));
    let subjects = subjects_of(&inventories);
    let mut store = cx.open_store()?;
    ensure_bundled(cx, &mut store)?;
    let audit = do_audit(
        &components,
        Some(record_file.record()),
        &store,
        cx.today,
        &AuditOptions { allow_stale },
    )?;
    Ok(soup_list::soup_list(
        &audit,
        &components,
        &subjects,
        record_file.record(),
        cx.today,
        release,
    ))
}

/// Writes `text` to `output` atomically, or prints it.
pub(super) fn emit(cx: &mut Context, output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            record::write_file_atomically(path, text.as_bytes())?;
            cx.out.note(&format!("wrote {}", path.display()));
        }
        None => cx.out.line(text.trim_end()),
    }
    Ok(())
}
