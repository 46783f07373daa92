//! The SOUP change between two inventories (two releases, a release and the
//! working tree, two lockfiles or SBOMs): the input to the change analysis of
//! IEC 62304 clause 7.4. An item is its (ecosystem, normalised name); it is
//! changed when the set of its versions differs between the two sides. An
//! anomaly is the same on both sides when it is the same advisory (or alias
//! group) in the same item, whatever its version: it persists, and the diff
//! says whether the evaluation in force on the later side covers it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::evaluate::{Assessment, Audit, State};
use crate::model::Component;

/// The schema name and version of `diff --format json`.
pub const DIFF_SCHEMA: &str = "cargo-soup/diff/2";

/// An item present on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presence {
    pub ecosystem: String,
    pub name: String,
    pub versions: Vec<String>,
}

/// An item whose versions differ between the two sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub ecosystem: String,
    pub name: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// One side of a diff: what it is, and the anomalies found on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffSide {
    /// As given: a release version, a path, or `.`.
    pub name: String,
    /// The files its components were read from, comma-separated.
    pub path: String,
    pub components: usize,
    pub anomalies: Vec<SideAnomaly>,
}

/// One anomaly on one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SideAnomaly {
    pub id: String,
    pub aliases: Vec<String>,
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub state: State,
}

impl DiffSide {
    /// The side `name`, read from `path` into `components`, with the anomalies of its `audit`.
    pub fn new(name: &str, path: String, components: &[Component], audit: &Audit) -> DiffSide {
        DiffSide {
            name: name.to_string(),
            path,
            components: components.len(),
            anomalies: audit.assessments.iter().map(SideAnomaly::of).collect(),
        }
    }
}

impl SideAnomaly {
    fn of(a: &Assessment) -> SideAnomaly {
        let c = &a.anomaly.component;
        SideAnomaly {
            id: a.anomaly.id.clone(),
            aliases: a.anomaly.aliases.clone(),
            ecosystem: c.ecosystem.osv_name().to_string(),
            name: c.name.clone(),
            version: c.version.clone(),
            state: a.state,
        }
    }

    /// True when `other`, in the same item, is the same anomaly: an id in common.
    fn shares_an_id(&self, other: &SideAnomaly) -> bool {
        std::iter::once(&self.id)
            .chain(&self.aliases)
            .any(|id| *id == other.id || other.aliases.contains(id))
    }

    fn item(&self) -> (String, String) {
        let ecosystem = crate::model::Ecosystem::from_osv_name(&self.ecosystem);
        let name = ecosystem.normalize_name(&self.name).into_owned();
        (self.ecosystem.clone(), name)
    }
}

/// An anomaly on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Persisting {
    pub id: String,
    pub ecosystem: String,
    pub name: String,
    /// The affected versions before and after.
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// The affected version differs between the sides.
    pub version_changed: bool,
    /// An evaluation is in force for every affected version after: the earlier
    /// judgement still stands, or was carried forward or made again.
    pub evaluation_applies: bool,
    /// Where it stands after: the most open state of its affected versions
    /// (new, then due, then under investigation, then evaluated).
    pub state: State,
}

/// The anomalies introduced, resolved and persisting from one side to the other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnomalyChanges {
    pub introduced: Vec<SideAnomaly>,
    pub resolved: Vec<SideAnomaly>,
    pub persisting: Vec<Persisting>,
}

/// The more open of two states: what a person must still do for the one is
/// at least what the other asks.
fn most_open(a: State, b: State) -> State {
    let rank = |s: State| match s {
        State::Evaluated => 0,
        State::UnderInvestigation => 1,
        State::Due => 2,
        State::New => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Everything that differs between two sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoupDiff {
    pub schema: &'static str,
    pub before: DiffSide,
    pub after: DiffSide,
    pub added: Vec<Presence>,
    pub removed: Vec<Presence>,
    pub changed: Vec<Change>,
    /// Items present on both sides with the same versions.
    pub unchanged: usize,
    pub anomalies: AnomalyChanges,
}

/// The SOUP items that changed: added, removed and changed versions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemChanges {
    pub added: Vec<Presence>,
    pub removed: Vec<Presence>,
    pub changed: Vec<Change>,
    pub unchanged: usize,
}

type Items = BTreeMap<(String, String), (String, BTreeSet<String>)>;

/// Items of `components` by (ecosystem, normalised name), with the name as spelt and the versions.
fn items(components: &[Component]) -> Items {
    let mut items = Items::new();
    for c in components {
        let key = (
            c.ecosystem.osv_name().to_string(),
            c.ecosystem.normalize_name(&c.name).into_owned(),
        );
        items
            .entry(key)
            .or_insert_with(|| (c.name.clone(), BTreeSet::new()))
            .1
            .insert(c.version.clone());
    }
    items
}

/// What changed from `before` to `after`, whose components are `old` and `new`.
pub fn diff(before: DiffSide, after: DiffSide, old: &[Component], new: &[Component]) -> SoupDiff {
    let items = item_changes(old, new);
    SoupDiff {
        schema: DIFF_SCHEMA,
        anomalies: anomaly_changes(&before.anomalies, &after.anomalies),
        before,
        after,
        added: items.added,
        removed: items.removed,
        changed: items.changed,
        unchanged: items.unchanged,
    }
}

/// A side's anomalies by item (ecosystem and normalised name), in their order.
fn by_item(side: &[SideAnomaly]) -> BTreeMap<(String, String), Vec<&SideAnomaly>> {
    let mut items: BTreeMap<(String, String), Vec<&SideAnomaly>> = BTreeMap::new();
    for a in side {
        items.entry(a.item()).or_default().push(a);
    }
    items
}

/// The anomalies of `side` that are `a`: in its item, with an id in common.
fn same_in<'s>(
    side: &BTreeMap<(String, String), Vec<&'s SideAnomaly>>,
    a: &SideAnomaly,
) -> Vec<&'s SideAnomaly> {
    side.get(&a.item())
        .map(|others| {
            others
                .iter()
                .copied()
                .filter(|o| o.shares_an_id(a))
                .collect()
        })
        .unwrap_or_default()
}

/// The anomalies only after, only before, and on both sides.
pub fn anomaly_changes(before: &[SideAnomaly], after: &[SideAnomaly]) -> AnomalyChanges {
    let mut changes = AnomalyChanges::default();
    let mut persisting: BTreeMap<(String, String, String), Persisting> = BTreeMap::new();
    // Anomalies are compared within their item only: comparing every pair made
    // a release report's change analysis quadratic in its anomalies.
    let (before_by_item, after_by_item) = (by_item(before), by_item(after));
    for a in after {
        let earlier: Vec<&SideAnomaly> = same_in(&before_by_item, a);
        let Some(first) = earlier.first() else {
            changes.introduced.push(a.clone());
            continue;
        };
        let (ecosystem, item) = a.item();
        let entry = persisting
            .entry((ecosystem, item, first.id.clone()))
            .or_insert_with(|| Persisting {
                id: first.id.clone(),
                ecosystem: a.ecosystem.clone(),
                name: a.name.clone(),
                before: Vec::new(),
                after: Vec::new(),
                version_changed: false,
                evaluation_applies: true,
                state: State::Evaluated,
            });
        entry
            .before
            .extend(earlier.iter().map(|b| b.version.clone()));
        entry.after.push(a.version.clone());
        entry.evaluation_applies &= a.state == State::Evaluated;
        entry.state = most_open(entry.state, a.state);
    }
    for b in before {
        if same_in(&after_by_item, b).is_empty() {
            changes.resolved.push(b.clone());
        }
    }
    for mut p in persisting.into_values() {
        for versions in [&mut p.before, &mut p.after] {
            versions.sort();
            versions.dedup();
        }
        p.version_changed = p.before != p.after;
        changes.persisting.push(p);
    }
    changes
}

/// The items added, removed and changed from `before` to `after`, in a stable order.
pub fn item_changes(before: &[Component], after: &[Component]) -> ItemChanges {
    let old = items(before);
    let new = items(after);
    let mut result = ItemChanges::default();
    for ((ecosystem, key), (name, versions)) in &new {
        match old.get(&(ecosystem.clone(), key.clone())) {
            None => result.added.push(Presence {
                ecosystem: ecosystem.clone(),
                name: name.clone(),
                versions: versions.iter().cloned().collect(),
            }),
            Some((_, old_versions)) if old_versions != versions => result.changed.push(Change {
                ecosystem: ecosystem.clone(),
                name: name.clone(),
                before: old_versions.iter().cloned().collect(),
                after: versions.iter().cloned().collect(),
            }),
            Some(_) => result.unchanged += 1,
        }
    }
    for ((ecosystem, key), (name, versions)) in &old {
        if !new.contains_key(&(ecosystem.clone(), key.clone())) {
            result.removed.push(Presence {
                ecosystem: ecosystem.clone(),
                name: name.clone(),
                versions: versions.iter().cloned().collect(),
            });
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ecosystem;

    fn crates(list: &[(&str, &str)]) -> Vec<Component> {
        list.iter()
            .map(|(n, v)| Component::new(Ecosystem::CratesIo, n, v))
            .collect()
    }

    #[test]
    fn added_removed_changed_unchanged() {
        let before = crates(&[
            ("a", "1.0.0"),
            ("b", "1.0.0"),
            ("syn", "1.0.0"),
            ("syn", "2.0.0"),
        ]);
        let after = crates(&[("a", "1.0.0"), ("c", "0.1.0"), ("syn", "2.0.1")]);
        let d = item_changes(&before, &after);
        assert_eq!(
            d.added.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["c"]
        );
        assert_eq!(
            d.removed
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].before, ["1.0.0", "2.0.0"]);
        assert_eq!(d.changed[0].after, ["2.0.1"]);
        assert_eq!(d.unchanged, 1);
    }

    #[test]
    fn pypi_names_compare_normalised() {
        let before = vec![Component::new(Ecosystem::PyPI, "Jinja2", "2.11.2")];
        let after = vec![Component::new(Ecosystem::PyPI, "jinja2", "3.1.4")];
        let d = item_changes(&before, &after);
        assert!(d.added.is_empty() && d.removed.is_empty());
        assert_eq!(d.changed[0].after, ["3.1.4"]);
    }
}
