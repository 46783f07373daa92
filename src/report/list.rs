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
    /// The first input: the project, or the file named.
    pub input: ListInput<'a>,
    /// Every input, when the record lists other parts of the device.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<ListInput<'a>>,
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
        r.specification_for(&component.name, component.purl.as_ref())
            .is_some()
    })
}

/// The JSON of `inventories` (the first, and the other parts of the device),
/// the first pinned as `pins` says, against `record` at `record_path`.
pub fn list_json<'a>(
    inventories: &'a [Inventory],
    pins: &'a PinDiff,
    record: Option<(&Record, String)>,
) -> Option<ListJson<'a>> {
    let (record, record_path) = match record {
        Some((record, path)) => (Some(record), Some(path)),
        None => (None, None),
    };
    let input_of = |inventory: &'a Inventory| ListInput {
        path: inventory.input.path.display().to_string(),
        format: inventory.format.as_str(),
        sha256: &inventory.input.sha256,
    };
    let first = inventories.first()?;
    Some(ListJson {
        schema: LIST_SCHEMA,
        input: input_of(first),
        inputs: match inventories.len() {
            1 => Vec::new(),
            _ => inventories.iter().map(input_of).collect(),
        },
        components: inventories
            .iter()
            .flat_map(|inventory| &inventory.components)
            .map(|component| ListRow {
                component,
                specified: is_specified(record, component),
            })
            .collect(),
        product: &first.product,
        pins,
        record: record_path,
    })
}
