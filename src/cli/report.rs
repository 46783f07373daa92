//! `cargo soup report`: the SOUP list an auditor reads.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{Context, Exit, InputArgs};
use crate::evaluate::AuditOptions;
use crate::out::Out;
use crate::record;
use crate::report::{csv, fda, html, markdown, model};

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
#[command(verbatim_doc_comment)]
pub struct ReportArgs {
    /// Report on this release's baseline instead of the working tree.
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["lockfile", "sbom"])]
    release: Option<String>,
    /// Compare with this release in the change analysis (default: the previous
    /// release; for the working tree, the latest).
    #[arg(long, value_name = "VERSION")]
    since: Option<String>,
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
    /// Comma-separated values: document control rows, an empty line, then one
    /// row per item and anomaly.
    Csv,
    /// The FDA SBOM addendum: document control rows, an empty line, then one
    /// row per component with support and assessments.
    FdaCsv,
    /// The report model as JSON (`cargo-soup/report/1`).
    Json,
}

/// Runs `report`.
pub fn run(cx: &mut Context, args: ReportArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    let options = AuditOptions {
        allow_stale: args.allow_stale,
    };
    let report = project.report(
        &args.input.input(),
        args.release.as_deref(),
        args.since.as_deref(),
        &options,
        &cx.provenance(),
        cx.out.as_mut(),
    )?;
    let text = match args.format {
        ReportFormat::Md => markdown::markdown(&report),
        ReportFormat::Html => html::html(&report),
        ReportFormat::Csv => csv::csv(&report),
        ReportFormat::FdaCsv => fda::fda_csv(&report),
        ReportFormat::Json => serde_json::to_string_pretty(&model::json(&report)?)?,
    };
    emit(cx.out.as_mut(), args.output.as_deref(), &text)?;
    Ok(Exit::Clean)
}

/// Writes `text` to `output` atomically, or prints it.
pub(super) fn emit(out: &mut dyn Out, output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            record::write_file_atomically(path, text.as_bytes())?;
            out.note(&format!("wrote {}", path.display()));
        }
        None => out.line(text.trim_end()),
    }
    Ok(())
}
