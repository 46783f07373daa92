//! Pins: which SOUP item at which exact version is in use, seen in which input
//! file (and that file's sha256), first and last when.

use std::borrow::Cow;
use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet};
use rusqlite::params;
use serde::Serialize;

use super::{Changes, EventKind, Register, RegisterError};
use crate::inventory::{InputFile, InputFormat, Inventory};

/// One pinned component as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    pub key: String,
    pub purl: Option<String>,
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub input_path: String,
    pub input_sha256: String,
    pub first_seen: String,
    pub last_seen: String,
}

/// The columns of a pin that a later sighting may change (besides its stamps):
/// borrowed from the component being pinned, owned when read from the row.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PinFields<'a> {
    source: Cow<'a, str>,
    scope: Cow<'a, str>,
    direct: Option<bool>,
}

/// What pinning one inventory changed: keys added and no longer present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PinDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl Changes<'_> {
    /// Pins every component of `inventory`; pins of the same input file that are
    /// gone are marked not present (never deleted: the history stays). A change
    /// to the input's pins forgets the cached audit of that input.
    pub fn pin(&self, inventory: &Inventory) -> Result<PinDiff, RegisterError> {
        self.read_again(&inventory.input, inventory.format)?;
        let input_path = inventory.input.path.display().to_string();
        let sha256 = &inventory.input.sha256;

        // Pins already present with the same source, scope and direct flag only need
        // their sighting stamped: one UPDATE for all of them instead of one upsert
        // each. Pins that are gone are retired first so the stamp skips them.
        let before = self.present_pins(&input_path)?;
        let current: HashSet<Cow<'_, str>> = inventory.components.iter().map(|c| c.key()).collect();
        let gone: Vec<&String> = before
            .keys()
            .filter(|k| !current.contains(k.as_str()))
            .collect();
        let mut retire = self
            .tx
            .prepare_cached("UPDATE pin SET present = 0 WHERE key = ?1 AND input_path = ?2")
            .map_err(|e| self.err(e))?;
        for key in &gone {
            retire
                .execute(params![key, input_path])
                .map_err(|e| self.err(e))?;
        }
        // Pins of an unchanged file keep their stamp: the input's `last_read`
        // says when they were last seen (see `Register::pins`).
        let restamped = self
            .tx
            .prepare_cached(
                "UPDATE pin SET input_sha256 = ?2, last_seen = ?3
                 WHERE input_path = ?1 AND present = 1 AND input_sha256 <> ?2",
            )
            .and_then(|mut s| s.execute(params![input_path, sha256, self.now]))
            .map_err(|e| self.err(e))?;
        let mut rewritten = restamped > 0 || !gone.is_empty();

        let mut diff = PinDiff::default();
        let mut upsert = self
            .tx
            .prepare_cached(
                "INSERT INTO pin (key, input_path, purl, ecosystem, name, version, source, scope, direct,
                                  input_sha256, first_seen, last_seen, present)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, 1)
                 ON CONFLICT (input_path, key) DO UPDATE SET
                    source = excluded.source, scope = excluded.scope, direct = excluded.direct,
                    input_sha256 = excluded.input_sha256, last_seen = excluded.last_seen, present = 1",
            )
            .map_err(|e| self.err(e))?;
        // What this loop wrote to each key's row, where it differs from `before`.
        let mut written: HashMap<Cow<'_, str>, PinFields<'_>> = HashMap::new();
        for c in &inventory.components {
            let key = c.key();
            let fields = PinFields {
                source: Cow::Borrowed(c.source.as_str()),
                scope: Cow::Borrowed(c.scope.as_str()),
                direct: c.direct,
            };
            let held = written.get(&key).or_else(|| before.get(key.as_ref()));
            if held != Some(&fields) {
                upsert
                    .execute(params![
                        key,
                        input_path,
                        c.purl_str(),
                        c.ecosystem.osv_name(),
                        c.name,
                        c.version,
                        fields.source,
                        fields.scope,
                        fields.direct,
                        sha256,
                        self.now
                    ])
                    .map_err(|e| self.err(e))?;
                written.insert(key.clone(), fields);
                rewritten = true;
            }
            if before.contains_key(key.as_ref()) {
                diff.unchanged += 1;
            } else {
                diff.added.push(key.into_owned());
            }
        }
        diff.removed = gone.into_iter().cloned().collect();
        // One event per input and kind, naming every key: a first audit pins
        // thousands of items, and a row for each cost a thirtieth of its time.
        for (kind, keys) in [
            (EventKind::PinAdded, &diff.added),
            (EventKind::PinRemoved, &diff.removed),
        ] {
            if !keys.is_empty() {
                self.log(kind, &input_path, Some(&keys.join("\n")))?;
            }
        }
        if rewritten {
            self.forget_audit(&input_path)?;
        }
        Ok(diff)
    }

    /// Stamps `input` as read now. Alone, for an input whose pins are known to
    /// be current (a cached audit of it), this is all that pinning it again does.
    pub fn read_again(&self, input: &InputFile, format: InputFormat) -> Result<(), RegisterError> {
        self.tx
            .prepare_cached(
                "INSERT INTO input (path, sha256, format, first_read, last_read) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (path, sha256) DO UPDATE SET last_read = excluded.last_read",
            )
            .and_then(|mut s| {
                s.execute(params![input.path.display().to_string(), input.sha256, format.as_str(), self.now])
            })
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The pins of `input_path` that are present, with what an upsert would change.
    fn present_pins(
        &self,
        input_path: &str,
    ) -> Result<BTreeMap<String, PinFields<'static>>, RegisterError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT key, source, scope, direct FROM pin WHERE input_path = ?1 AND present = 1",
            )
            .map_err(|e| self.err(e))?;
        let pins = stmt
            .query_map([input_path], |row| {
                let fields = PinFields {
                    source: Cow::Owned(row.get(1)?),
                    scope: Cow::Owned(row.get(2)?),
                    direct: row.get(3)?,
                };
                Ok((row.get::<_, String>(0)?, fields))
            })
            .and_then(|rows| rows.collect::<Result<BTreeMap<_, _>, _>>());
        pins.map_err(|e| self.err(e))
    }
}

impl Register {
    /// The pins currently present, by key. A pin was last seen when its input
    /// file, with the content it was pinned from, was last read.
    pub fn pins(&self) -> Result<Vec<Pin>, RegisterError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT p.key, p.purl, p.ecosystem, p.name, p.version, p.input_path, p.input_sha256,
                        p.first_seen, max(p.last_seen, coalesce(i.last_read, p.last_seen))
                 FROM pin p LEFT JOIN input i ON i.path = p.input_path AND i.sha256 = p.input_sha256
                 WHERE p.present = 1 ORDER BY p.key, p.input_path",
            )
            .map_err(|e| self.err(e))?;
        let pins = stmt
            .query_map([], |row| {
                Ok(Pin {
                    key: row.get(0)?,
                    purl: row.get(1)?,
                    ecosystem: row.get(2)?,
                    name: row.get(3)?,
                    version: row.get(4)?,
                    input_path: row.get(5)?,
                    input_sha256: row.get(6)?,
                    first_seen: row.get(7)?,
                    last_seen: row.get(8)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        pins.map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use time::macros::datetime;

    use super::*;
    use crate::model::{Component, Ecosystem, Purl, Scope};

    fn inventory(sha: &str, crates: &[(&str, &str)]) -> Inventory {
        let components = crates
            .iter()
            .map(|(name, version)| {
                let mut c = Component::new(Ecosystem::CratesIo, name, version);
                c.purl = Purl::parse(&format!("pkg:cargo/{name}@{version}")).ok();
                c
            })
            .collect();
        Inventory {
            input: InputFile {
                path: PathBuf::from("Cargo.lock"),
                sha256: sha.to_string(),
            },
            format: InputFormat::CargoLock,
            components,
            product: vec!["app".into()],
            files: vec![PathBuf::from("Cargo.lock")],
        }
    }

    #[test]
    fn pins_keep_first_seen_and_mark_removed() {
        let mut register = Register::in_memory().unwrap();
        let first = inventory("aa", &[("serde", "1.0.0"), ("log", "0.4.0")]);
        let changes = register
            .begin("list", datetime!(2026-11-01 9:00 UTC))
            .unwrap();
        let diff = changes.pin(&first).unwrap();
        changes.commit().unwrap();
        assert_eq!(diff.added.len(), 2);

        let second = inventory("bb", &[("serde", "1.0.0"), ("log", "0.4.1")]);
        let changes = register
            .begin("list", datetime!(2026-11-24 9:00 UTC))
            .unwrap();
        let diff = changes.pin(&second).unwrap();
        changes.commit().unwrap();
        assert_eq!(diff.added, vec!["pkg:cargo/log@0.4.1".to_string()]);
        assert_eq!(diff.removed, vec!["pkg:cargo/log@0.4.0".to_string()]);
        assert_eq!(diff.unchanged, 1);

        let pins = register.pins().unwrap();
        let serde = pins.iter().find(|p| p.name == "serde").unwrap();
        assert_eq!(serde.first_seen, "2026-11-01T09:00:00Z");
        assert_eq!(serde.last_seen, "2026-11-24T09:00:00Z");
        assert_eq!(serde.input_sha256, "bb");
        assert_eq!(pins.len(), 2);
        let events: Vec<_> = register
            .events()
            .unwrap()
            .into_iter()
            .map(|e| (e.kind, e.subject, e.detail.unwrap_or_default()))
            .collect();
        let event =
            |kind: &str, keys: &str| (kind.to_string(), "Cargo.lock".to_string(), keys.to_string());
        assert_eq!(
            events,
            [
                event("pin-added", "pkg:cargo/serde@1.0.0\npkg:cargo/log@0.4.0"),
                event("pin-added", "pkg:cargo/log@0.4.1"),
                event("pin-removed", "pkg:cargo/log@0.4.0"),
            ]
        );
    }

    #[test]
    fn pins_of_an_unchanged_input_are_seen_when_it_is_read_again() {
        let mut register = Register::in_memory().unwrap();
        let lock = inventory("aa", &[("serde", "1.0.0")]);
        for at in [
            datetime!(2026-11-01 9:00 UTC),
            datetime!(2026-11-02 9:00 UTC),
        ] {
            let changes = register.begin("audit", at).unwrap();
            changes.pin(&lock).unwrap();
            changes.commit().unwrap();
        }
        // The row keeps its stamp; the input's reading says when it was seen.
        assert_eq!(
            stored(&register, "pkg:cargo/serde@1.0.0").2,
            "2026-11-01T09:00:00Z"
        );
        assert_eq!(
            register.pins().unwrap()[0].last_seen,
            "2026-11-02T09:00:00Z"
        );

        let changes = register
            .begin("audit", datetime!(2026-11-24 9:00 UTC))
            .unwrap();
        changes.read_again(&lock.input, lock.format).unwrap();
        changes.commit().unwrap();
        let pin = &register.pins().unwrap()[0];
        assert_eq!(
            (pin.first_seen.as_str(), pin.last_seen.as_str()),
            ("2026-11-01T09:00:00Z", "2026-11-24T09:00:00Z")
        );
    }

    /// (scope, direct, last_seen, input_sha256) of one pin, read straight from the table.
    fn stored(register: &Register, key: &str) -> (String, Option<bool>, String, String) {
        register
            .conn
            .query_row(
                "SELECT scope, direct, last_seen, input_sha256 FROM pin WHERE key = ?1",
                [key],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .unwrap()
    }

    #[test]
    fn a_changed_pin_is_rewritten_and_the_rest_restamped() {
        let mut register = Register::in_memory().unwrap();
        let mut first = inventory("aa", &[("serde", "1.0.0"), ("log", "0.4.0")]);
        for c in &mut first.components {
            c.scope = Scope::Runtime;
            c.direct = Some(true);
        }
        let changes = register
            .begin("list", datetime!(2026-11-01 9:00 UTC))
            .unwrap();
        changes.pin(&first).unwrap();
        changes.commit().unwrap();

        // serde becomes a build dependency listed twice (the last listing wins);
        // log is unchanged but seen again in a new file.
        let mut second = inventory(
            "bb",
            &[("serde", "1.0.0"), ("log", "0.4.0"), ("serde", "1.0.0")],
        );
        for (c, (scope, direct)) in second.components.iter_mut().zip([
            (Scope::Dev, Some(false)),
            (Scope::Runtime, Some(true)),
            (Scope::Build, None),
        ]) {
            c.scope = scope;
            c.direct = direct;
        }
        let changes = register
            .begin("list", datetime!(2026-11-24 9:00 UTC))
            .unwrap();
        let diff = changes.pin(&second).unwrap();
        changes.commit().unwrap();

        assert_eq!(diff.unchanged, 3);
        assert!(diff.added.is_empty() && diff.removed.is_empty());
        let at = "2026-11-24T09:00:00Z".to_string();
        assert_eq!(
            stored(&register, "pkg:cargo/serde@1.0.0"),
            ("build".into(), None, at.clone(), "bb".into())
        );
        assert_eq!(
            stored(&register, "pkg:cargo/log@0.4.0"),
            ("runtime".into(), Some(true), at, "bb".into())
        );
    }

    #[test]
    fn the_pins_of_one_input_are_one_range_of_the_primary_key() {
        let register = Register::in_memory().unwrap();
        let plan: Vec<String> = register
            .conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT key, source, scope, direct FROM pin
                 WHERE input_path = ?1 AND present = 1",
            )
            .unwrap()
            .query_map(["Cargo.lock"], |row| row.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(plan.len(), 1, "{plan:?}");
        assert!(
            plan[0].contains("USING PRIMARY KEY (input_path=?)"),
            "{plan:?}"
        );
    }

    #[test]
    fn pins_of_a_register_of_the_fourth_schema_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.db");
        let old = super::super::migrate::open(
            &path,
            super::super::REGISTER_SCHEMA.at(4),
            super::super::BUSY_TIMEOUT,
        )
        .unwrap();
        old.execute(
            "INSERT INTO pin (key, input_path, purl, ecosystem, name, version, source, scope,
                              direct, input_sha256, first_seen, last_seen, present)
             VALUES ('pkg:cargo/serde@1.0.0', 'Cargo.lock', 'pkg:cargo/serde@1.0.0', 'crates.io',
                     'serde', '1.0.0', 'registry', 'runtime', 1, 'aa',
                     '2026-11-01T09:00:00Z', '2026-11-01T09:00:00Z', 1)",
            [],
        )
        .unwrap();
        drop(old);
        let mut register = Register::open(&path).unwrap();
        let pins = register.pins().unwrap();
        assert_eq!(
            pins.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(),
            ["pkg:cargo/serde@1.0.0"]
        );
        // Pinned again, the row is found by its input and key, and updated.
        let lock = inventory("bb", &[("serde", "1.0.0"), ("log", "0.4.0")]);
        let changes = register
            .begin("audit", datetime!(2026-11-24 9:00 UTC))
            .unwrap();
        let diff = changes.pin(&lock).unwrap();
        changes.commit().unwrap();
        assert_eq!(diff.added, ["pkg:cargo/log@0.4.0"]);
        assert_eq!(diff.unchanged, 1);
        assert_eq!(stored(&register, "pkg:cargo/serde@1.0.0").3, "bb");
    }
}
