//! The command line: argument types, one file per command, and the one table
//! that turns outcomes into exit codes. Only this layer reads the clock and the
//! environment, talks to the terminal, and decides how the process ends.

mod approve;
mod audit;
mod check;
mod context;
mod diff;
mod evaluate;
mod export;
mod fetch;
mod fmt;
mod import;
mod init;
mod list;
mod report;
mod retire;
mod review;
mod verify;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::evaluate::Finding;
use crate::out::sanitize;

pub use context::Context;

/// How a command ends (DESIGN.md §9). This is the only place exit codes are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: nothing needs attention.
    Clean,
    /// 1: something needs a person: an unevaluated or due anomaly, a hazardous
    /// evaluation without a risk control, a missing specification, stale data,
    /// a record that is not canonical.
    NeedsAttention,
    /// 2: the tool could not do its job: bad input, bad configuration, an
    /// unreadable file. The message names the file and what to do.
    Failed,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::NeedsAttention => 1,
            Exit::Failed => 2,
        }
    }

    /// `NeedsAttention` when `attention` is true, else `Clean`.
    fn from_attention(attention: bool) -> Exit {
        if attention {
            Exit::NeedsAttention
        } else {
            Exit::Clean
        }
    }
}

const AFTER_HELP: &str = "\
Examples:
  cargo soup init --class B        start the record (soup-register.toml) in this project
  cargo soup list                  every SOUP item in use, pinned in the register
  cargo soup audit                 published anomalies affecting them, and what needs evaluation
  cargo soup audit --offline --allow-stale
                                   the same with no network, on the bundled advisory snapshot
  cargo soup fetch                 refresh the advisory data (RustSec, OSV)

Exit codes: 0 nothing needs attention, 1 something needs a person, 2 the tool could not do its job.";

/// Keeps the SOUP records IEC 62304 asks for: every third-party item pinned at
/// its exact version, its published anomaly lists checked, and each anomaly's
/// hazard evaluation recorded in soup-register.toml.
#[derive(Debug, Parser)]
#[command(name = "cargo-soup", bin_name = "cargo soup", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: GlobalArgs,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The project's Cargo.toml (default: found from the current directory upwards).
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// The record (default: soup-register.toml found from the current directory upwards).
    #[arg(long, global = true, value_name = "PATH", env = "SOUP_RECORD")]
    pub record: Option<PathBuf>,
    /// The SQLite register (default: .soup/register.db beside the record).
    #[arg(long, global = true, value_name = "PATH", env = "SOUP_REGISTER")]
    pub register: Option<PathBuf>,
    /// The advisory store shared by all projects (default: cargo-soup/advisories.db in the user's cache directory).
    #[arg(long, global = true, value_name = "PATH", env = "SOUP_ADVISORY_DB")]
    pub advisory_db: Option<PathBuf>,
    /// When to colour the output; NO_COLOR is honoured.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only results and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Say more about what is read and why.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// When to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The output format of a read command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// A documented, versioned schema for machines (see README).
    Json,
}

/// Where the SOUP comes from when not from the project's Cargo files.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Read this lockfile instead of the project: Cargo.lock, package-lock.json,
    /// npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, uv.lock, poetry.lock,
    /// Pipfile.lock, a pinned requirements.txt or go.mod (recognised by content).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["sbom", "binary"])]
    pub lockfile: Option<PathBuf>,
    /// With --lockfile: its format, only where content and name cannot tell.
    #[arg(long, value_enum, value_name = "FORMAT", requires = "lockfile")]
    pub format_hint: Option<LockfileFormat>,
    /// Read this SBOM (CycloneDX 1.4–1.6 JSON or XML, SPDX 2.3 JSON) instead of the project.
    #[arg(long, value_name = "FILE", conflicts_with = "binary")]
    pub sbom: Option<PathBuf>,
    /// Read the dependency list `cargo auditable build` embedded in this executable.
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// Never touch the network (passed to `cargo metadata`; advisory data is not fetched).
    #[arg(long)]
    pub offline: bool,
    /// Only the SOUP built for this target triple (passed to `cargo metadata --filter-platform`).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
}

/// The lockfile formats `--format-hint` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LockfileFormat {
    Cargo,
    Npm,
    YarnClassic,
    YarnBerry,
    Pnpm,
    Uv,
    Poetry,
    Pipfile,
    Requirements,
    GoMod,
}

impl LockfileFormat {
    /// The reader it names.
    pub fn format(self) -> crate::inventory::InputFormat {
        use crate::inventory::InputFormat as F;
        match self {
            LockfileFormat::Cargo => F::CargoLock,
            LockfileFormat::Npm => F::NpmLock,
            LockfileFormat::YarnClassic => F::YarnClassic,
            LockfileFormat::YarnBerry => F::YarnBerry,
            LockfileFormat::Pnpm => F::PnpmLock,
            LockfileFormat::Uv => F::UvLock,
            LockfileFormat::Poetry => F::PoetryLock,
            LockfileFormat::Pipfile => F::PipfileLock,
            LockfileFormat::Requirements => F::RequirementsTxt,
            LockfileFormat::GoMod => F::GoMod,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::InitArgs),
    List(list::ListArgs),
    Audit(audit::AuditArgs),
    Evaluate(evaluate::EvaluateArgs),
    Reevaluate(audit::ReevaluateArgs),
    Review(review::ReviewArgs),
    Fetch(fetch::FetchArgs),
    Import(import::ImportArgs),
    Retire(retire::RetireArgs),
    Diff(diff::DiffArgs),
    Report(report::ReportArgs),
    Export(export::ExportArgs),
    Check(check::CheckArgs),
    Approve(approve::ApproveArgs),
    Verify(verify::VerifyArgs),
    Fmt(fmt::FmtArgs),
}

/// Parses `args`, runs the command, prints any error plainly, and returns the exit code.
pub fn run(args: Vec<OsString>) -> u8 {
    let cli = match Cli::try_parse_from(strip_cargo_subcommand(args)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Failed.code()
            } else {
                Exit::Clean.code()
            };
        }
    };
    let mut context = match Context::new(&cli.global) {
        Ok(context) => context,
        Err(e) => return fail(&e),
    };
    let outcome = match cli.command {
        Command::Init(args) => init::run(&mut context, args),
        Command::List(args) => list::run(&mut context, args),
        Command::Fetch(args) => fetch::run(&mut context, args),
        Command::Audit(args) => audit::run(&mut context, args, false),
        Command::Evaluate(args) => evaluate::run(&mut context, args),
        Command::Reevaluate(args) => audit::run(&mut context, args.audit, true),
        Command::Fmt(args) => fmt::run(&mut context, args),
        Command::Import(args) => import::run(&mut context, args),
        Command::Check(args) => check::run(&mut context, args),
        Command::Review(args) => review::run(&mut context, args),
        Command::Retire(args) => retire::run(&mut context, args),
        Command::Diff(args) => diff::run(&mut context, args),
        Command::Report(args) => report::run(&mut context, args),
        Command::Export(args) => export::run(&mut context, args),
        Command::Approve(args) => approve::run(&mut context, args),
        Command::Verify(args) => verify::run(&mut context, args),
    };
    match outcome {
        Ok(exit) => exit.code(),
        Err(e) => fail(&e),
    }
}

/// Prints an error with its causes and returns the exit code for "could not do its job".
fn fail(error: &anyhow::Error) -> u8 {
    // Each error says what failed and leaves its cause to its source (nextest's
    // rule), so every cause is said once, on its own line.
    let mut message = format!("error: {error}");
    for cause in error.chain().skip(1) {
        message.push_str(&format!("\n  caused by: {cause}"));
    }
    eprintln!("{}", crate::out::sanitize(&message));
    Exit::Failed.code()
}

/// One finding as a row of a table: its code padded to `width`, what it is
/// about, and why; `audit`, `check` and `verify` list findings alike.
fn finding_row(f: &Finding, width: usize) -> String {
    sanitize(&format!(
        "{:<width$} {} {}",
        f.code.as_str(),
        f.subject,
        f.message
    ))
}

/// `n` with the singular or plural noun.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `cargo soup x` runs `cargo-soup soup x`: drop the `soup` cargo inserts.
fn strip_cargo_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_some_and(|a| a == "soup") {
        args.remove(1);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn runs_as_a_cargo_subcommand_and_directly() {
        let as_cargo =
            strip_cargo_subcommand(vec!["cargo-soup".into(), "soup".into(), "list".into()]);
        let direct = strip_cargo_subcommand(vec!["cargo-soup".into(), "list".into()]);
        assert_eq!(as_cargo, direct);
    }

    #[test]
    fn exit_codes_follow_the_design() {
        assert_eq!(Exit::Clean.code(), 0);
        assert_eq!(Exit::NeedsAttention.code(), 1);
        assert_eq!(Exit::Failed.code(), 2);
        assert_eq!(Exit::from_attention(true), Exit::NeedsAttention);
    }
}
