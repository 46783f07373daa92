//! The SOUP change between two inventories (two releases, a release and the
//! working tree, two lockfiles or SBOMs): the input to the change analysis of
//! IEC 62304 clause 7.4. An item is its (ecosystem, normalised name); it is
//! changed when the set of its versions differs between the two sides.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::Component;

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

/// Everything that differs between two inventories.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SoupDiff {
    pub added: Vec<Presence>,
    pub removed: Vec<Presence>,
    pub changed: Vec<Change>,
    /// Items present on both sides with the same versions.
    pub unchanged: usize,
}

type Items = BTreeMap<(String, String), (String, BTreeSet<String>)>;

/// Items of `components` by (ecosystem, normalised name), with the name as spelt and the versions.
fn items(components: &[Component]) -> Items {
    let mut items = Items::new();
    for c in components {
        let key = (
            c.ecosystem.osv_name().to_string(),
            c.ecosystem.normalize_name(&c.name),
        );
        items
            .entry(key)
            .or_insert_with(|| (c.name.clone(), BTreeSet::new()))
            .1
            .insert(c.version.clone());
    }
    items
}

/// What changed from `before` to `after`, in a stable order.
pub fn diff(before: &[Component], after: &[Component]) -> SoupDiff {
    let old = items(before);
    let new = items(after);
    let mut result = SoupDiff::default();
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
        let d = diff(&before, &after);
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
        let d = diff(&before, &after);
        assert!(d.added.is_empty() && d.removed.is_empty());
        assert_eq!(d.changed[0].after, ["3.1.4"]);
    }
}
