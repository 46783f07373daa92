//! `cargo soup diff A B`: the SOUP change between two releases, a release and
//! the working tree, or two lockfiles or SBOMs (IEC 62304 7.4 change analysis).

use std::fmt::Write as _;

use clap::{Args, ValueEnum};

use super::{Context, Exit, InputArgs};
use crate::evaluate::State;
use crate::out::sanitize;
use crate::report::diff::{Persisting, SideAnomaly, SoupDiff};
use crate::report::markdown::escape;

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
        DiffFormat::Markdown => markdown(&diff),
        DiffFormat::Text => plain(&diff),
    };
    cx.out.line(&sanitize(&text));
    Ok(Exit::Clean)
}

/// One line of the change: what happened, the item, its ecosystem, versions before and after.
type Row<'a> = (&'static str, &'a str, &'a str, String, String);

/// Every added, removed and changed item, in that order.
fn rows(d: &SoupDiff) -> Vec<Row<'_>> {
    let added = d.added.iter().map(|p| {
        let versions = p.versions.join(", ");
        (
            "added",
            p.name.as_str(),
            p.ecosystem.as_str(),
            String::new(),
            versions,
        )
    });
    let removed = d.removed.iter().map(|p| {
        let versions = p.versions.join(", ");
        (
            "removed",
            p.name.as_str(),
            p.ecosystem.as_str(),
            versions,
            String::new(),
        )
    });
    let changed = d.changed.iter().map(|c| {
        let (before, after) = (c.before.join(", "), c.after.join(", "));
        (
            "changed",
            c.name.as_str(),
            c.ecosystem.as_str(),
            before,
            after,
        )
    });
    added.chain(removed).chain(changed).collect()
}

fn plain(d: &SoupDiff) -> String {
    let mut out = format!(
        "{} ({} items) -> {} ({} items): {} added, {} removed, {} changed, {} unchanged\n",
        d.before.name,
        d.before.components,
        d.after.name,
        d.after.components,
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    for (change, name, ecosystem, before, after) in rows(d) {
        let (mark, versions) = match change {
            "added" => ('+', after),
            "removed" => ('-', before),
            _ => ('~', format!("{before} -> {after}")),
        };
        let _ = writeln!(out, "  {mark} {name} {versions} ({ecosystem})");
    }
    anomaly_lines(&mut out, d, "  ");
    out.trim_end().to_string()
}

fn markdown(d: &SoupDiff) -> String {
    let mut out = format!(
        "# SOUP changes: {} → {}\n\n| | count |\n|---|---|\n| added | {} |\n| removed | {} |\n| changed | {} |\n| unchanged | {} |\n\n",
        escape(&d.before.name),
        escape(&d.after.name),
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    out.push_str("| change | item | ecosystem | before | after |\n|---|---|---|---|---|\n");
    for (change, name, ecosystem, before, after) in rows(d) {
        let _ = writeln!(
            out,
            "| {change} | {} | {} | {} | {} |",
            escape(name),
            escape(ecosystem),
            escape(&before),
            escape(&after)
        );
    }
    out.push_str("\n## Anomalies\n\n");
    anomaly_lines(&mut out, d, "- ");
    out
}

/// The anomalies introduced, resolved and persisting.
fn anomaly_lines(out: &mut String, d: &SoupDiff, prefix: &str) {
    let one = |a: &SideAnomaly| format!("{} {}@{}", a.id, a.name, a.version);
    for a in &d.anomalies.introduced {
        let _ = writeln!(out, "{prefix}introduced: {}", one(a));
    }
    for a in &d.anomalies.resolved {
        let _ = writeln!(out, "{prefix}resolved: {}", one(a));
    }
    for p in &d.anomalies.persisting {
        let _ = writeln!(out, "{prefix}persisting: {}", persisting(p));
    }
    let _ = writeln!(
        out,
        "{prefix}{} introduced, {} resolved, {} persisting",
        d.anomalies.introduced.len(),
        d.anomalies.resolved.len(),
        d.anomalies.persisting.len()
    );
}

/// "RUSTSEC-x quinn-proto 0.11.9 -> 0.11.14: needs a new evaluation".
fn persisting(p: &Persisting) -> String {
    let versions = match p.version_changed {
        true => format!("{} -> {}", p.before.join(", "), p.after.join(", ")),
        false => p.after.join(", "),
    };
    let evaluation = match p.state {
        State::Evaluated => "an evaluation covers it",
        State::UnderInvestigation => "under investigation on the later side: not concluded",
        State::Due | State::New => "needs an evaluation on the later side",
    };
    format!("{} {} {versions}: {evaluation}", p.id, p.name)
}
