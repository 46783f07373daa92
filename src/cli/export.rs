//! `cargo soup export`: machine-readable VEX and findings for other tools.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::report::emit;
use super::{Context, Exit, InputArgs};
use crate::register::stamp;
use crate::report::openvex::{OpenVexHeader, openvex};
use crate::report::{cyclonedx, sarif};

/// Export the SBOM with its VEX analysis, or the open findings.
///
/// cyclonedx: CycloneDX 1.6 JSON of the SOUP, with a `vulnerabilities`
/// section carrying each anomaly and its VEX analysis from the evaluations
/// (state, justification, response, detail). sarif: SARIF 2.1.0 of the open
/// findings, for code-scanning dashboards. openvex: OpenVEX 0.2.0 statements
/// of the evaluated anomalies.
///
/// Examples:
///   cargo soup export --format cyclonedx --release 1.4.0 -o 1.4.0.vex.cdx.json
///   cargo soup export --format sarif -o soup.sarif
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// What to write.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Export this release's baseline instead of the working tree.
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["lockfile", "sbom"])]
    release: Option<String>,
    /// Write to this file (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// CycloneDX 1.6 JSON with VEX.
    Cyclonedx,
    /// SARIF 2.1.0 of the open findings.
    Sarif,
    /// OpenVEX 0.2.0.
    Openvex,
}

/// Runs `export`.
pub fn run(cx: &mut Context, args: ExportArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    let report = project.export_report(
        &args.input.input(),
        args.release.as_deref(),
        cx.out.as_mut(),
    )?;
    let timestamp = stamp(cx.now);
    let serial = cyclonedx::serial_number(&report, &timestamp);
    let json = match args.format {
        ExportFormat::Cyclonedx => cyclonedx::cyclonedx(&report, &serial, &timestamp)?,
        ExportFormat::Sarif => sarif::sarif(&report, &args.input.input().artifact())?,
        ExportFormat::Openvex => openvex(&report, &OpenVexHeader::of(&report, serial, timestamp))?,
    };
    emit(
        cx.out.as_mut(),
        args.output.as_deref(),
        &serde_json::to_string_pretty(&json)?,
    )?;
    Ok(Exit::Clean)
}
