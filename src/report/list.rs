//! `list --format json`: a documented, versioned schema (`schemas/list-1.schema.json`).

use serde::Serialize;

use crate::inventory::Inventory;
use crate::model::Component;
use crate::record::Record;
use crate::register::PinDiff;

/// The schema name and version of `list --format json`.
pub const LIST_SCHEMA: &str = "cargo-soup/list/1";

/// The top-level object.
#[derive(Serialize)]
pub struct ListJson<'a> {
    pub schema: &'static str,
    pub input: ListInput<'a>,
    pub components: Vec<ListRow<'a>>,
    pub product: &'a [String],
    pub pins: &'a PinDiff,
    /// The record's path, when there is one.
    pub record: Option<String>,
}

/// The input the list was read from.
#[derive(Serialize)]
pub struct ListInput<'a> {
    pub path: String,
    pub format: &'a str,
    pub sha256: &'a str,
}

/// One row: a component and whether the record specifies it.
#[derive(Serialize)]
pub struct ListRow<'a> {
    #[serde(flatten)]
    pub component: &'a Component,
    /// True when the record holds this item's specification (5.3.3, 5.3.4).
    pub specified: bool,
}

/// True when the record holds the specification of `component`.
pub fn is_specified(record: Option<&Record>, component: &Component) -> bool {
    record.is_some_and(|r| {
        r.specification_for(&component.name, component.purl.as_deref())
            .is_some()
    })
}

/// The JSON of `inventory` as pinned (`pins`), against `record` at `record_path`.
pub fn list_json<'a>(
    inventory: &'a Inventory,
    pins: &'a PinDiff,
    record: Option<(&Record, String)>,
) -> ListJson<'a> {
    let (record, record_path) = match record {
        Some((record, path)) => (Some(record), Some(path)),
        None => (None, None),
    };
    ListJson {
        schema: LIST_SCHEMA,
        input: ListInput {
            path: inventory.input.path.display().to_string(),
            format: inventory.format.as_str(),
            sha256: &inventory.input.sha256,
        },
        components: inventory
            .components
            .iter()
            .map(|component| ListRow {
                component,
                specified: is_specified(record, component),
            })
            .collect(),
        product: &inventory.product,
        pins,
        record: record_path,
    }
}
