//! `cargo soup diff A B`: the SOUP change between two releases, a release and
//! the working tree, or two lockfiles or SBOMs (IEC 62304 7.4 change analysis).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::audit::baseline_inventory;
use super::fetch::ensure_bundled;
use super::{Context, Exit, InputArgs};
use crate::evaluate::{AuditOptions, do_audit};
use crate::inventory::{self, Inventory};
use crate::out::sanitize;
use crate::record::RecordFile;
use crate::report::diff::{SoupDiff, diff};
use crate::report::markdown::escape;

/// Compare the SOUP of two releases, lockfiles or SBOMs.
///
/// Each side is a release version from the record, a lockfile or SBOM path,
/// or `.` for the working tree. Lists the SOUP items added, removed and
/// changed (version), and the anomalies on each side: the input for the
/// change analysis of IEC 62304 clause 7.4.
///
/// Examples:
///   cargo soup diff 1.3.0 1.4.0
///   cargo soup diff 1.4.0 . --format markdown
///   cargo soup diff old/Cargo.lock Cargo.lock --format json
#[derive(Debug, Args)]
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

/// `diff --format json`.
#[derive(Serialize)]
struct DiffJson<'a> {
    schema: &'static str,
    before: Side<'a>,
    after: Side<'a>,
    #[serde(flatten)]
    diff: &'a SoupDiff,
}

/// One side: what it is and the anomalies (ids with package) found on it.
#[derive(Serialize)]
struct Side<'a> {
    name: &'a str,
    path: String,
    components: usize,
    anomalies: Vec<String>,
}

/// Runs `diff`.
pub fn run(cx: &mut Context, args: DiffArgs) -> anyhow::Result<Exit> {
    let record = cx.load_record()?;
    let before = side(cx, &args.before, &args.input, record.as_ref())?;
    let after = side(cx, &args.after, &args.input, record.as_ref())?;
    let changes = diff(&before.components, &after.components);
    let mut store = cx.open_store()?;
    ensure_bundled(cx, &mut store)?;
    let anomalies = |inventory: &Inventory| -> anyhow::Result<Vec<String>> {
        let audit = do_audit(
            &inventory.components,
            record.as_ref().map(|r| r.record()),
            &store,
            cx.today,
            &AuditOptions::default(),
        )?;
        let ids: BTreeSet<String> = audit
            .assessments
            .iter()
            .map(|a| {
                format!(
                    "{} {}@{}",
                    a.anomaly.id, a.anomaly.component.name, a.anomaly.component.version
                )
            })
            .collect();
        Ok(ids.into_iter().collect())
    };
    let json = DiffJson {
        schema: "cargo-soup/diff/1",
        before: Side {
            name: &args.before,
            path: before.input.path.display().to_string(),
            components: before.components.len(),
            anomalies: anomalies(&before)?,
        },
        after: Side {
            name: &args.after,
            path: after.input.path.display().to_string(),
            components: after.components.len(),
            anomalies: anomalies(&after)?,
        },
        diff: &changes,
    };
    let text = match args.format {
        DiffFormat::Json => serde_json::to_string_pretty(&json)?,
        DiffFormat::Markdown => markdown(&json),
        DiffFormat::Text => plain(&json),
    };
    cx.out.line(&sanitize(&text));
    Ok(Exit::Clean)
}

/// Reads one side: a release of the record, `.`, or a file.
fn side(
    cx: &mut Context,
    name: &str,
    input: &InputArgs,
    record: Option<&RecordFile>,
) -> anyhow::Result<Inventory> {
    if name == "." {
        return cx.read_inventory(input);
    }
    let path = Path::new(name);
    let release = record
        .filter(|_| !path.exists())
        .and_then(|r| r.record().release(name));
    if let Some(release) = release {
        let dir = cx.record_path.parent().unwrap_or(Path::new("."));
        return baseline_inventory(dir, release);
    }
    let is_lockfile = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".lock"));
    Ok(if is_lockfile {
        inventory::read_lockfile(path)?
    } else {
        inventory::read_sbom(path)?
    })
}

/// One line of the change: what happened, the item, its ecosystem, versions before and after.
type Row<'a> = (&'static str, &'a str, &'a str, String, String);

/// Every added, removed and changed item, in that order.
fn rows<'a>(d: &'a SoupDiff) -> Vec<Row<'a>> {
    let added = d.added.iter().map(|p| {
        (
            "added",
            p.name.as_str(),
            p.ecosystem.as_str(),
            String::new(),
            p.versions.join(", "),
        )
    });
    let removed = d.removed.iter().map(|p| {
        (
            "removed",
            p.name.as_str(),
            p.ecosystem.as_str(),
            p.versions.join(", "),
            String::new(),
        )
    });
    let changed = d.changed.iter().map(|c| {
        (
            "changed",
            c.name.as_str(),
            c.ecosystem.as_str(),
            c.before.join(", "),
            c.after.join(", "),
        )
    });
    added.chain(removed).chain(changed).collect()
}

fn plain(json: &DiffJson<'_>) -> String {
    let d = json.diff;
    let mut out = format!(
        "{} ({} items) -> {} ({} items): {} added, {} removed, {} changed, {} unchanged\n",
        json.before.name,
        json.before.components,
        json.after.name,
        json.after.components,
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    for (change, name, ecosystem, before, after) in rows(d) {
        let versions = match change {
            "added" => after,
            "removed" => before,
            _ => format!("{before} -> {after}"),
        };
        let mark = match change {
            "added" => '+',
            "removed" => '-',
            _ => '~',
        };
        let _ = writeln!(out, "  {mark} {name} {versions} ({ecosystem})");
    }
    anomaly_lines(&mut out, json, "  ");
    out.trim_end().to_string()
}

fn markdown(json: &DiffJson<'_>) -> String {
    let d = json.diff;
    let mut out = format!(
        "# SOUP changes: {} → {}\n\n| | count |\n|---|---|\n| added | {} |\n| removed | {} |\n| changed | {} |\n| unchanged | {} |\n\n",
        escape(json.before.name),
        escape(json.after.name),
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
    anomaly_lines(&mut out, json, "- ");
    out
}

/// The anomalies only before, only after, and on both sides.
fn anomaly_lines(out: &mut String, json: &DiffJson<'_>, prefix: &str) {
    let before: BTreeSet<&String> = json.before.anomalies.iter().collect();
    let after: BTreeSet<&String> = json.after.anomalies.iter().collect();
    for a in after.difference(&before) {
        let _ = writeln!(out, "{prefix}new anomaly: {a}");
    }
    for a in before.difference(&after) {
        let _ = writeln!(out, "{prefix}gone: {a}");
    }
    let _ = writeln!(
        out,
        "{prefix}{} anomalies on both sides",
        before.intersection(&after).count()
    );
}
