//! The bridge between OSV records and the advisory store: the store keeps raw
//! JSON under the keys this module gives it, and hands JSON back, which this
//! module parses. The store never knows the OSV schema.

use std::collections::BTreeSet;

use super::osv::{Advisory, Package, RecordKeys};
use crate::model::{Component, Ecosystem};
use crate::register::{RegisterError, Store, StoredRecord};

/// The store's form of a parsed record and its OSV JSON.
pub fn stored(advisory: &Advisory, json: Vec<u8>) -> StoredRecord {
    let packages = advisory.affected.iter().filter_map(|a| a.package.as_ref());
    StoredRecord {
        id: advisory.id.clone(),
        modified: advisory.modified,
        names: affected_names(packages),
        json,
    }
}

/// The store's form of a record read only for its keys, and its OSV JSON.
pub fn stored_keys(keys: RecordKeys, json: Vec<u8>) -> StoredRecord {
    StoredRecord {
        names: affected_names(keys.packages()),
        id: keys.id,
        modified: keys.modified,
        json,
    }
}

/// The records that name any of `components`' packages, newest copy of each,
/// each once. Records that no longer parse (written by another version) are skipped.
pub fn advisories_for<'c>(
    store: &Store,
    components: impl IntoIterator<Item = &'c Component>,
) -> Result<Vec<Advisory>, RegisterError> {
    Ok(store
        .records_for(components)?
        .iter()
        .filter_map(|json| Advisory::from_json(json).ok())
        .collect())
}

/// The newest copy of the record `id` in any source, withdrawn or not.
pub fn lookup(store: &Store, id: &str) -> Result<Option<Advisory>, RegisterError> {
    Ok(store
        .record(id)?
        .and_then(|json| Advisory::from_json(&json).ok()))
}

/// The (ecosystem, normalised name) pairs of `packages`: what the store looks records up by.
fn affected_names<'a>(packages: impl Iterator<Item = &'a Package>) -> BTreeSet<(String, String)> {
    packages
        .map(|p| {
            let ecosystem = Ecosystem::from_osv_name(&p.ecosystem);
            let name = ecosystem.normalize_name(&p.name);
            (ecosystem.osv_name().to_string(), name)
        })
        .collect()
}
