//! `cargo soup diff A B`: the SOUP change between two releases, a release and
//! the working tree, or two lockfiles or SBOMs (IEC 62304 7.4 change analysis).

use clap::{Args, ValueEnum};

use super::{Context, Exit, InputArgs};
use crate::out::sanitize;
use crate::report::diff_text;

/// Compare the SOUP of two releases, lockfiles or SBOMs.
///
/// Each side is a release version from the record, a lockfile or SBOM path
/// (told apart by content), or `.` for the working tree. Lists the SOUP items
/// added, removed and changed (version), and the anomalies introduced,
/// resolved and persisting: an anomaly persists when the same advisory (or
/// alias) affects the same SOUP item on both sides, whatever its version, and
/// the diff says whether an evaluation covers it after. This is the input for
/// the change analysis of IEC 62304 clause 7.4.
///
/// Examples:
///   cargo soup diff 1.3.0 1.4.0
///   cargo soup diff 1.4.0 . --format markdown
///   cargo soup diff old/Cargo.lock Cargo.lock --format json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct DiffArgs {
    /// The earlier side: a release version, a lockfile or SBOM, or `.`.
    before: String,
    /// The later side: a release version, a lockfile or SBOM, or `.`.
    after: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    #[command(flatten)]
    input: InputArgs,
}

/// How `diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Text,
    Markdown,
    Json,
}

/// Runs `diff`.
pub fn run(cx: &mut Context, args: DiffArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    let diff = project.diff(
        &args.before,
        &args.after,
        &args.input.input(),
        cx.out.as_mut(),
    )?;
    let text = match args.format {
        DiffFormat::Json => serde_json::to_string_pretty(&diff)?,
        DiffFormat::Markdown => diff_text::markdown(&diff),
        DiffFormat::Text => diff_text::plain(&diff),
    };
    cx.out.line(&sanitize(&text));
    Ok(Exit::Clean)
}
