//! The bridge between OSV records and the advisory store: the store keeps raw
//! JSON under the keys this module gives it, and hands JSON back, which this
//! module parses. The store never knows the OSV schema.

use std::collections::BTreeSet;

use super::matcher::ComponentIndex;
use super::osv::{Advisory, Package, RecordKeys, RecordVersions};
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

/// The records that affect any of `components`, newest copy of each, each
/// once. The store gives every record that names one of their packages;
/// each is read for its versions first, and whole only where it matches.
/// Records that no longer parse (written by another version) are skipped.
pub fn advisories_for<'c>(
    store: &Store,
    components: impl IntoIterator<Item = &'c Component>,
) -> Result<Vec<Advisory>, RegisterError> {
    let components: Vec<&Component> = components.into_iter().collect();
    let index = ComponentIndex::new(components.iter().copied());
    Ok(store
        .records_for(components)?
        .iter()
        .filter(|json| RecordVersions::from_json(json).is_ok_and(|r| index.affected_by(&r)))
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::advisory::{matcher::affects, source};

    /// On the bundled RustSec snapshot and every real `Cargo.lock` of the
    /// fixtures: the records read whole are exactly those of the store's
    /// candidates that affect a component when read whole.
    #[test]
    fn the_records_read_whole_are_those_that_affect_a_component() {
        let mut store = Store::in_memory().unwrap();
        source::load_bundled(&mut store, time::OffsetDateTime::UNIX_EPOCH, || true).unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lockfiles");
        let (mut candidates, mut matched) = (0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().ends_with(".Cargo.lock") {
                continue;
            }
            let components = crate::inventory::read_lockfile_as(&path, None)
                .unwrap()
                .components;
            let every: Vec<Advisory> = store
                .records_for(&components)
                .unwrap()
                .iter()
                .map(|json| Advisory::from_json(json).unwrap())
                .collect();
            let affecting: Vec<&str> = every
                .iter()
                .filter(|a| components.iter().any(|c| affects(a, c)))
                .map(|a| a.id.as_str())
                .collect();
            let read = advisories_for(&store, &components).unwrap();
            let ids: Vec<&str> = read.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(ids, affecting, "{}", path.display());
            candidates += every.len();
            matched += read.len();
        }
        // Both kinds are there: records that match, and more that name a package only.
        assert!(
            matched > 0 && candidates > 2 * matched,
            "{matched} of {candidates}"
        );
    }
}
