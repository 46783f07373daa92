//! `cargo soup fmt`: rewrite the record in its canonical form, or check it is.

use clap::Args;

use super::{Context, Exit};

/// Rewrite soup-register.toml canonically (sorted, stable, comments kept).
///
/// A canonical record shows only real changes in review. With --check nothing
/// is written and the exit code is 1 when the file is not canonical, for CI.
///
/// Example:
///   cargo soup fmt --check
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct FmtArgs {
    /// Do not write; exit 1 if the record is not canonical.
    #[arg(long)]
    check: bool,
}

/// Runs `fmt`.
pub fn run(cx: &mut Context, args: FmtArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    let path = cx.record_path().display().to_string();
    let canonical = project.require_record()?.is_canonical();
    if canonical {
        cx.out.line(&format!("{path} is canonical"));
        return Ok(Exit::Clean);
    }
    if args.check {
        cx.out.line(&format!(
            "{path} is not canonical (record-not-canonical): run `cargo soup fmt`"
        ));
        return Ok(Exit::NeedsAttention);
    }
    project.fmt()?;
    cx.out.line(&format!("rewrote {path} canonically"));
    Ok(Exit::Clean)
}
