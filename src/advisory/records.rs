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
        versions: RecordVersions::of(advisory).to_json(),
        json,
    }
}

/// The store's form of a record read only for its keys and versions, and its OSV JSON.
pub fn stored_keys(keys: RecordKeys, json: Vec<u8>) -> StoredRecord {
    let names = affected_names(keys.packages());
    StoredRecord {
        names,
        id: keys.id,
        modified: keys.modified,
        versions: RecordVersions {
            withdrawn: keys.withdrawn,
            affected: keys.affected,
        }
        .to_json(),
        json,
    }
}

/// The records that affect any of `components`, newest copy of each, each
/// once. The store gives every record that names one of their packages, as
/// the versions kept beside it; only those that match are read whole.
/// Records that no longer parse (written by another version) are skipped.
pub fn advisories_for<'c>(
    store: &Store,
    components: impl IntoIterator<Item = &'c Component>,
) -> Result<Vec<Advisory>, RegisterError> {
    let components: Vec<&Component> = components.into_iter().collect();
    let index = ComponentIndex::new(components.iter().copied());
    let candidates = store.candidates_for(components)?;
    let affecting = candidates
        .iter()
        .filter(|c| RecordVersions::from_json(c.versions()).is_ok_and(|r| index.affected_by(&r)));
    Ok(store
        .records_of(affecting)?
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
            let name = ecosystem.normalize_name(&p.name).into_owned();
            (ecosystem.osv_name().to_string(), name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::path::Path;

    use super::*;
    use crate::advisory::archive::{self, Entry, Limits};
    use crate::advisory::matcher::affects;
    use crate::advisory::source::{self, Parse};

    /// The real `Cargo.lock` files of the fixtures, each with its components.
    fn real_lockfiles() -> Vec<(std::path::PathBuf, Vec<Component>)> {
        let lockfiles = crate::inventory::real_lockfiles().into_iter();
        lockfiles
            .map(|(path, text)| {
                let inventory = crate::inventory::parse_lockfile(&path, text.as_bytes()).unwrap();
                (path, inventory.components)
            })
            .collect()
    }

    /// On every record of the real OSV exports in the fixtures (RustSec, Go,
    /// PyPA), read whole or for its keys only: the versions the store keeps
    /// beside it read back as what matching reads of the record itself.
    #[test]
    fn the_versions_kept_beside_a_record_read_as_the_record() {
        let mut records = 0;
        for zip in [
            "rustsec-osv-2026-08-21.zip",
            "go-vulndb-osv-2026-08-21.zip",
            "pypa-osv-2024-10-10.zip",
        ] {
            for Entry { name, bytes } in fixture_entries(zip) {
                let Ok(whole) = RecordVersions::from_json(&bytes) else {
                    continue;
                };
                for parse in [Parse::Full, Parse::KeysOnly] {
                    let Some(Ok(stored)) = source::read_record(&name, bytes.clone(), parse) else {
                        panic!("{zip} {name} does not read");
                    };
                    let kept = RecordVersions::from_json(&stored.versions.unwrap()).unwrap();
                    assert_eq!(kept, whole, "{zip} {name}");
                }
                records += 1;
            }
        }
        assert!(records > 8000, "{records}");
    }

    /// Every entry of the fixture OSV export `zip`.
    fn fixture_entries(zip: &str) -> impl Iterator<Item = Entry> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/advisories")
            .join(zip);
        let bytes = std::fs::read(path).unwrap();
        let entries = archive::read_zip(Cursor::new(bytes), zip, &Limits::default()).unwrap();
        entries.map(Result::unwrap)
    }

    /// Every record of the real RustSec export in the fixtures, as the store keeps it.
    fn rustsec_records() -> Vec<StoredRecord> {
        fixture_entries("rustsec-osv-2026-08-21.zip")
            .filter_map(|Entry { name, bytes }| {
                source::read_record(&name, bytes, Parse::Full).map(Result::unwrap)
            })
            .collect()
    }

    /// A store holding `records`.
    fn store_of(records: impl Iterator<Item = StoredRecord>) -> Store {
        let mut store = Store::in_memory().unwrap();
        store
            .replace(|loader| {
                let mut info = crate::register::SourceInfo {
                    name: source::RUSTSEC.into(),
                    location: "fixture".into(),
                    fetched_at: "2026-11-24T00:00:00Z".into(),
                    data_date: "2026-08-21T00:00:00Z".into(),
                    etag: None,
                    last_modified: None,
                    content_sha256: String::new(),
                    record_count: 0,
                    skipped: Vec::new(),
                };
                for record in records {
                    assert!(loader.add(&record)?);
                    info.record_count += 1;
                }
                Ok::<_, RegisterError>(info)
            })
            .unwrap();
        store
    }

    /// A store whose rows an older build wrote, with no versions beside the
    /// records, gives every real lockfile of the fixtures the same records
    /// as one that keeps them: each of its records is read whole instead.
    #[test]
    fn a_store_without_kept_versions_matches_the_same() {
        let kept = store_of(rustsec_records().into_iter());
        let older = store_of(rustsec_records().into_iter().map(|record| StoredRecord {
            versions: None,
            ..record
        }));
        let mut found = 0;
        for (path, components) in real_lockfiles() {
            let ids = |store: &Store| -> Vec<String> {
                let advisories = advisories_for(store, &components).unwrap();
                advisories.into_iter().map(|a| a.id).collect()
            };
            let kept_ids = ids(&kept);
            assert_eq!(ids(&older), kept_ids, "{}", path.display());
            found += kept_ids.len();
        }
        assert!(found > 10, "{found}");
    }

    /// On the bundled RustSec snapshot and every real `Cargo.lock` of the
    /// fixtures: the records read whole are exactly those of the store's
    /// candidates that affect a component when read whole.
    #[test]
    fn the_records_read_whole_are_those_that_affect_a_component() {
        let mut store = Store::in_memory().unwrap();
        source::load_bundled(&mut store, time::OffsetDateTime::UNIX_EPOCH, || true).unwrap();
        let (mut candidates, mut matched) = (0, 0);
        for (path, components) in real_lockfiles() {
            let named = store.candidates_for(&components).unwrap();
            let every: Vec<Advisory> = store
                .records_of(&named)
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
