//! `cargo soup list`: every SOUP item in use, pinned in the register.

use clap::Args;
use serde::Serialize;

use super::{Context, Exit, Format, InputArgs};
use crate::inventory::Inventory;
use crate::model::Component;
use crate::record::Record;
use crate::register::PinDiff;

/// The version of the `list --format json` schema; bumped on any incompatible change.
pub const LIST_SCHEMA: &str = "cargo-soup/list/1";

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
pub struct ListArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// One row of `list --format json`.
#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    component: &'a Component,
    /// True when the record holds this item's specification (5.3.3, 5.3.4).
    specified: bool,
}

/// `list --format json`.
#[derive(Serialize)]
struct ListJson<'a> {
    schema: &'static str,
    input: InputJson<'a>,
    components: Vec<Row<'a>>,
    product: &'a [String],
    pins: &'a PinDiff,
    record: Option<String>,
}

#[derive(Serialize)]
struct InputJson<'a> {
    path: String,
    format: &'a str,
    sha256: &'a str,
}

/// Runs `list`.
pub fn run(cx: &mut Context, args: ListArgs) -> anyhow::Result<Exit> {
    let record = cx.load_record()?;
    let inventory = cx.read_inventory(&args.input)?;
    let mut register = cx.open_register(record.is_some())?;
    let changes = register.begin("list", cx.now)?;
    let diff = changes.pin(&inventory)?;
    changes.commit()?;
    let record = record.as_ref().map(|r| r.record());
    match args.format {
        Format::Json => print_json(cx, &inventory, record, &diff)?,
        Format::Text => print_text(cx, &inventory, record, &diff),
    }
    if record.is_none() {
        cx.hint_init();
    }
    Ok(Exit::Clean)
}

fn is_specified(record: Option<&Record>, component: &Component) -> bool {
    record.is_some_and(|r| {
        r.specification_for(&component.name, component.purl.as_deref())
            .is_some()
    })
}

fn print_json(
    cx: &mut Context,
    inventory: &Inventory,
    record: Option<&Record>,
    diff: &PinDiff,
) -> anyhow::Result<()> {
    let json = ListJson {
        schema: LIST_SCHEMA,
        input: InputJson {
            path: inventory.input.path.display().to_string(),
            format: inventory.format.as_str(),
            sha256: &inventory.input.sha256,
        },
        components: inventory
            .components
            .iter()
            .map(|component| Row {
                component,
                specified: is_specified(record, component),
            })
            .collect(),
        product: &inventory.product,
        pins: diff,
        record: record.map(|_| cx.record_path.display().to_string()),
    };
    cx.out.line(&serde_json::to_string_pretty(&json)?);
    Ok(())
}

fn print_text(cx: &mut Context, inventory: &Inventory, record: Option<&Record>, diff: &PinDiff) {
    use crate::out::sanitize;
    let header = format!(
        "{:<32} {:<18} {:<8} {:<7} {:<10} {:<24} {:<24} spec",
        "name", "version", "source", "scope", "direct", "licence", "supplier"
    );
    cx.out.line(&cx.out.heading(&header));
    for c in &inventory.components {
        let direct = match c.direct {
            Some(true) => "direct",
            Some(false) => "transitive",
            None => "-",
        };
        let spec = if is_specified(record, c) { "yes" } else { "-" };
        // Sanitised before padding, so hostile names cannot shift the columns.
        let cell = |text: Option<&str>| {
            text.map(|t| truncate(&sanitize(t), 24))
                .unwrap_or("-".into())
        };
        cx.out.line(&format!(
            "{:<32} {:<18} {:<8} {:<7} {:<10} {:<24} {:<24} {spec}",
            sanitize(&c.name),
            sanitize(&c.version),
            c.source.as_str(),
            c.scope.as_str(),
            direct,
            cell(c.licenses.as_deref()),
            cell(c.supplier.as_deref()),
        ));
    }
    let direct = inventory
        .components
        .iter()
        .filter(|c| c.direct == Some(true))
        .count();
    cx.out.note(&format!(
        "{} SOUP items ({direct} direct) from {} ({}, sha256 {}); {} product packages not counted; \
         {} newly pinned, {} no longer present",
        inventory.components.len(),
        inventory.input.path.display(),
        inventory.format.as_str(),
        inventory
            .input
            .sha256
            .get(..12)
            .unwrap_or(&inventory.input.sha256),
        inventory.product.len(),
        diff.added.len(),
        diff.removed.len(),
    ));
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
