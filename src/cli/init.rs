//! `cargo soup init`: start the record, the register, and ignore the register in git.

use anyhow::{Context as _, anyhow};
use clap::Args;

use super::{Context, Exit};
use crate::project::Project;
use crate::record::{InputEntry, SafetyClass};

/// Start the SOUP record (soup-register.toml) of this project.
///
/// Writes a commented soup-register.toml beside Cargo.toml with the system's
/// name (from the manifest), its IEC 62304 software safety class, the default
/// policy and advisory sources; adds `.soup/` to .gitignore; creates the
/// register. It lists the other lockfiles it finds in the repository
/// (package-lock.json, yarn.lock, uv.lock, go.mod, ...; not under target/,
/// node_modules/ or hidden folders such as .venv/) and, on a terminal or with
/// --add-lockfiles, names them as [[input]] parts of the device, so that one
/// audit covers them all. Run again, it changes nothing.
///
/// Examples:
///   cargo soup init --class B --manufacturer "ACME Medical"
///   cargo soup init --class C --add-lockfiles
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct InitArgs {
    /// The software safety class (IEC 62304 §4.3); asked for on a terminal when missing.
    #[arg(long, value_parser = ["A", "B", "C"])]
    class: Option<String>,
    /// The system's name (default: the package name in Cargo.toml, else the directory's name).
    #[arg(long)]
    name: Option<String>,
    /// The medical-device manufacturer, as the record should name it.
    #[arg(long)]
    manufacturer: Option<String>,
    /// Name every other lockfile found as an [[input]] of the record, without asking.
    #[arg(long)]
    add_lockfiles: bool,
}

/// Runs `init`.
pub fn run(cx: &mut Context, args: InitArgs) -> anyhow::Result<Exit> {
    if cx.record_path().exists() {
        cx.out.line(&format!(
            "{} already exists: nothing changed",
            cx.record_path().display()
        ));
        return Ok(Exit::Clean);
    }
    let class = match args.class {
        Some(class) => class.parse::<SafetyClass>().map_err(|e| anyhow!("{e}"))?,
        None if cx.out.is_interactive() => ask_class(cx)?,
        None => {
            return Err(anyhow!(
                "failed to start the record: the safety class is needed; pass --class A, B or C"
            ));
        }
    };
    let mut project = cx.open()?;
    let inputs = lockfiles_to_add(cx, &project, args.add_lockfiles)?;
    let name = project.init(
        args.name.as_deref(),
        class,
        args.manufacturer.as_deref(),
        &inputs,
    )?;
    cx.out.line(&format!(
        "Wrote {} for {name} (class {class}); the register is {}.",
        cx.record_path().display(),
        cx.locations.register_path().display(),
        class = class.as_str()
    ));
    cx.out
        .note("next: `cargo soup list` to see the SOUP in use, `cargo soup audit` to check it.");
    Ok(Exit::Clean)
}

/// The other lockfiles of the repository, listed; those the user adds (all
/// with `--add-lockfiles`, else each confirmed on a terminal) become inputs.
fn lockfiles_to_add(
    cx: &mut Context,
    project: &Project,
    add_all: bool,
) -> anyhow::Result<Vec<InputEntry>> {
    let mut inputs = Vec::new();
    for shown in project.other_lockfiles() {
        let add = match (add_all, cx.out.is_interactive()) {
            (true, _) => true,
            (false, true) => cx
                .out
                .confirm(&format!("Audit {shown} as part of the device?"), None)
                .context("failed to read the answer")?,
            (false, false) => false,
        };
        cx.out.note(&format!(
            "found {shown}{}",
            if add {
                ": listed as an [[input]]"
            } else {
                " (add it as an [[input]] to audit it too)"
            }
        ));
        if add {
            inputs.push(InputEntry {
                path: shown,
                label: None,
            });
        }
    }
    Ok(inputs)
}

fn ask_class(cx: &mut Context) -> anyhow::Result<SafetyClass> {
    let classes = SafetyClass::ALL;
    let items: Vec<String> = classes
        .iter()
        .map(|class| format!("{class}: {}", class.definition()))
        .collect();
    let items: Vec<&str> = items.iter().map(String::as_str).collect();
    let index = cx
        .out
        .select("Software safety class (IEC 62304 §4.3)", &items, None)
        .context("failed to read the safety class")?;
    Ok(classes[index.min(classes.len() - 1)])
}
