//! `cargo soup retire`: mark a release as no longer in the field.

use clap::Args;

use super::{Context, Exit};

/// Mark a release as retired: no unit in the field runs it any more.
///
/// Retired releases are left out of `audit --all-releases`, the scheduled
/// post-market check. The release stays in the record with its SBOM; --undo
/// puts it back in the field.
///
/// Example:
///   cargo soup retire 1.2.0
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct RetireArgs {
    /// The release version, as imported.
    release: String,
    /// The release is in the field again.
    #[arg(long)]
    undo: bool,
}

/// Runs `retire`.
pub fn run(cx: &mut Context, args: RetireArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    project.retire(&args.release, !args.undo)?;
    cx.out.line(&format!(
        "release {} is {}",
        args.release,
        if args.undo { "in the field" } else { "retired" }
    ));
    Ok(Exit::Clean)
}
