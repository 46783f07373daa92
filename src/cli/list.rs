//! `cargo soup list`: every SOUP item in use, pinned in the register.

use clap::Args;

use super::{Context, Exit, Format, InputArgs, plural};
use crate::inventory::Inventory;
use crate::out::{Out, sanitize};
use crate::record::Record;
use crate::register::PinDiff;
use crate::report::list::is_specified;

/// List every SOUP item in use and pin it in the register.
///
/// Reads the project through `cargo metadata` (or its Cargo.lock, or the
/// lockfile or SBOM you name) and prints one row per SOUP item: name, version,
/// source, scope, direct or transitive, licence, supplier, and whether the
/// record holds its specification. Path dependencies and workspace members are
/// the product, not SOUP, and are not listed.
///
/// Examples:
///   cargo soup list
///   cargo soup list --sbom release/1.4.0.cdx.json --format json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs `list`.
pub fn run(cx: &mut Context, args: ListArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    let listing = project.list(&args.input.input(), cx.out.as_mut())?;
    let record = project.record().map(|r| r.record());
    match args.format {
        Format::Json => {
            let record = record.map(|r| (r, cx.record_path().display().to_string()));
            cx.out
                .line(&serde_json::to_string_pretty(&listing.json(record))?);
        }
        Format::Text => {
            for (inventory, pins) in listing.inventories.iter().zip(&listing.pins) {
                print_text(cx.out.as_mut(), inventory, pins, record);
            }
        }
    }
    cx.hint_init(&project);
    Ok(Exit::Clean)
}

/// The columns of the table; each cell is sanitised, then cut or padded to its width.
const COLUMNS: [(&str, usize); 8] = [
    ("name", 32),
    ("version", 18),
    ("source", 8),
    ("scope", 7),
    ("direct", 10),
    ("licence", 24),
    ("supplier", 24),
    ("spec", 4),
];

fn print_text(out: &mut dyn Out, inventory: &Inventory, pins: &PinDiff, record: Option<&Record>) {
    if let Some(part) = inventory
        .components
        .first()
        .and_then(|c| c.input.as_deref())
    {
        out.line(&out.heading(&sanitize(&format!("{part}:"))));
    }
    let header: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
    out.line(&out.heading(&row(&header)));
    for c in &inventory.components {
        let direct = c.directness().unwrap_or("-");
        let spec = if is_specified(record, c) { "yes" } else { "-" };
        let name = sanitize(&c.name);
        let version = sanitize(&c.version);
        let licences = c.licenses.as_deref().map(sanitize).unwrap_or("-".into());
        let supplier = c.supplier.as_deref().map(sanitize).unwrap_or("-".into());
        out.line(&row(&[
            &name,
            &version,
            c.source.as_str(),
            c.scope.as_str(),
            direct,
            &licences,
            &supplier,
            spec,
        ]));
    }
    let direct = inventory
        .components
        .iter()
        .filter(|c| c.is_direct())
        .count();
    out.note(&format!(
        "{} ({direct} direct) from {} ({}, sha256 {}); {} product packages not counted; \
         {} newly pinned, {} no longer present",
        plural(inventory.components.len(), "SOUP item", "SOUP items"),
        inventory.input.path.display(),
        inventory.format.as_str(),
        inventory
            .input
            .sha256
            .get(..12)
            .unwrap_or(&inventory.input.sha256),
        inventory.product.len(),
        pins.added.len(),
        pins.removed.len(),
    ));
}

/// One line of the table: every cell but the last cut to its width and
/// padded, so that long values (versions such as `0.11.1+wasi-snapshot-preview1`)
/// never shift the columns after them.
fn row(cells: &[&str]) -> String {
    let last = cells.len().saturating_sub(1);
    cells
        .iter()
        .zip(COLUMNS)
        .enumerate()
        .map(|(i, (cell, (_, width)))| match i == last {
            true => cell.to_string(),
            false => format!("{:<width$}", truncate(cell, width)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Shortens `text` to `width` characters, marking the cut.
fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_keep_the_columns_aligned() {
        let short = row(&[
            "wasi", "0.11.0", "registry", "runtime", "direct", "MIT", "-", "yes",
        ]);
        let long = row(&[
            "wasi",
            "0.11.1+wasi-snapshot-preview1",
            "registry",
            "runtime",
            "direct",
            "MIT",
            "-",
            "yes",
        ]);
        let column = |line: &str| line[..line.find("registry").unwrap()].chars().count();
        assert_eq!(column(&short), column(&long));
        assert_eq!(short.chars().count(), long.chars().count());
    }
}
