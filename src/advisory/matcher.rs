//! Matching advisories against components, exactly as the OSV specification's
//! "Evaluation" section says, and grouping the advisories that alias one another
//! into one anomaly per component. Pure: no I/O.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::osv::{Advisory, CvssScore, Event, Range, RecordVersions};
use super::version::{self, Order, Version};
use crate::model::{AnomalyKind, Component, Ecosystem};

/// True when the advisory affects this component's exact version. Withdrawn
/// advisories never do; `GIT` ranges are not evaluated (only `versions` helps there).
pub fn affects(advisory: &Advisory, component: &Component) -> bool {
    !advisory.is_withdrawn()
        && advisory
            .affected_entries(component)
            .any(|a| includes(&a.versions, &a.ranges, component))
}

/// Components by (ecosystem, normalised package name): which records affect
/// any of them can be told from each record's versions alone.
pub struct ComponentIndex<'c> {
    by_package: HashMap<PackageKey<'c>, Vec<&'c Component>>,
}

impl<'c> ComponentIndex<'c> {
    pub fn new(components: impl IntoIterator<Item = &'c Component>) -> Self {
        let mut by_package: HashMap<PackageKey<'c>, Vec<&'c Component>> = HashMap::new();
        for c in components {
            by_package
                .entry(package_key(c.ecosystem.osv_name(), &c.name))
                .or_default()
                .push(c);
        }
        ComponentIndex { by_package }
    }

    /// True when the record [`affects`] any of the components.
    pub fn affected_by(&self, record: &RecordVersions) -> bool {
        record.withdrawn.is_none()
            && record.affected.iter().any(|a| {
                let Some(package) = &a.package else {
                    return false;
                };
                let key = package_key(&package.ecosystem, &package.name);
                self.by_package.get(&key).into_iter().flatten().any(|c| {
                    package.is(&c.ecosystem, &c.name) && includes(&a.versions, &a.ranges, c)
                })
            })
    }
}

/// An advisory group that affects one component: the unit an engineer evaluates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// The primary id: source-native (RUSTSEC-, PYSEC-, GO-), else GHSA-, else any, CVE- last.
    pub id: String,
    /// Every other id of the group, including CVE and GHSA ids, sorted.
    pub aliases: Vec<String>,
    /// The ids of the advisory records in the group, sorted.
    pub records: Vec<String>,
    /// Vulnerability, or RustSec's unsound, unmaintained or notice.
    pub kind: AnomalyKind,
    /// The pinned component it affects.
    pub component: Component,
    /// The primary record's one-line summary.
    pub summary: Option<String>,
    /// The primary record's description.
    pub details: Option<String>,
    /// The highest CVSS score among the group's records.
    pub severity: Option<CvssScore>,
    /// Versions that fix it, in the ecosystem's order where it has one.
    pub fixed: Vec<String>,
    /// The affected ranges in words, e.g. `all versions before 1.2.3`, `2.0.0 and later, before 2.1.0`.
    pub affected: Vec<String>,
    /// The latest `modified` time of the group's records.
    #[serde(with = "time::serde::rfc3339")]
    pub modified: OffsetDateTime,
    /// sha256 (hex) of the group's records in canonical JSON: changes when any record is revised.
    pub content_hash: String,
}

impl Anomaly {
    /// Its id with its aliases, as the audit and the prompt name it:
    /// "RUSTSEC-2024-0421 (CVE-2024-12224, GHSA-h97m-ww89-6jmq)".
    pub fn ids_text(&self) -> String {
        match self.aliases.is_empty() {
            true => self.id.clone(),
            false => format!("{} ({})", self.id, self.aliases.join(", ")),
        }
    }
}

/// The content hash of each group of records, by their ids. One hash per
/// group however many versions, releases and sides of a report it affects:
/// hashing the canonical JSON is most of a match's cost.
#[derive(Debug, Clone, Default)]
pub struct GroupHashes(HashMap<Vec<String>, String>);

/// One anomaly per (alias group, component key), sorted by component key, then id.
/// A component listed twice under one key counts once (the first is kept).
pub fn find_anomalies(components: &[Component], advisories: &[Advisory]) -> Vec<Anomaly> {
    find_anomalies_hashed(components, advisories, &mut GroupHashes::default())
}

/// [`find_anomalies`], with the groups' hashes kept in `hashes` for the
/// next match against the same records.
pub fn find_anomalies_hashed(
    components: &[Component],
    advisories: &[Advisory],
    hashes: &mut GroupHashes,
) -> Vec<Anomaly> {
    let index = PackageIndex::new(advisories);
    let mut seen = HashSet::new();
    let mut anomalies: Vec<Anomaly> = components
        .iter()
        .filter(|component| seen.insert(component.key()))
        .flat_map(|component| {
            let mut matching = index.candidates(component);
            matching.retain(|a| affects(a, component));
            alias_groups(&matching)
                .into_iter()
                .map(|group| {
                    let ids = group.iter().map(|a| a.id.clone()).collect();
                    let hash = hashes.0.entry(ids).or_insert_with(|| content_hash(&group));
                    anomaly(component, &group, hash.clone())
                })
                .collect::<Vec<_>>()
        })
        .collect();
    anomalies.sort_by(|a, b| (a.component.key(), &a.id).cmp(&(b.component.key(), &b.id)));
    anomalies
}

/// The ecosystems of these components that have no version order: their advisories
/// match only through enumerated `versions` (or `SEMVER` ranges), so output can say so.
pub fn unordered_ecosystems(components: &[Component]) -> Vec<Ecosystem> {
    let set: BTreeSet<Ecosystem> = components
        .iter()
        .map(|c| c.ecosystem.clone())
        .filter(|e| !version::has_order(e))
        .collect();
    set.into_iter().collect()
}

/// True when the component's version is listed or falls in one of the ranges.
fn includes(versions: &[String], ranges: &[Range], component: &Component) -> bool {
    let (ecosystem, version) = (&component.ecosystem, component.version.as_str());
    let listed = versions
        .iter()
        .any(|v| v == version || version::compare(ecosystem, v, version) == Some(Ordering::Equal));
    listed || ranges.iter().any(|r| range_includes(r, ecosystem, version))
}

/// The order a range is evaluated in; `None` for `GIT` ranges and unordered ecosystems.
fn range_order(range: &Range, ecosystem: &Ecosystem) -> Option<Order> {
    match range.kind.as_str() {
        "SEMVER" => Some(Order::for_semver_range(ecosystem)),
        "ECOSYSTEM" => Order::of(ecosystem),
        _ => None,
    }
}

/// Where an event sits: `introduced: "0"` is before every version.
#[derive(Debug, Clone)]
enum Bound {
    Start,
    At(Version),
}

impl Bound {
    fn cmp(&self, other: &Bound) -> Ordering {
        match (self, other) {
            (Bound::Start, Bound::Start) => Ordering::Equal,
            (Bound::Start, _) => Ordering::Less,
            (_, Bound::Start) => Ordering::Greater,
            (Bound::At(a), Bound::At(b)) => a.cmp(b),
        }
    }
}

/// The range's events with their versions parsed, sorted by version; events at the
/// same version keep the record's order. A version that does not parse widens the
/// range rather than narrowing it (an `introduced` counts as `"0"`, a `fixed` or
/// `last_affected` is left out): a finding an engineer can dismiss is safer than a
/// silent miss. The fixture data has two such events, both PyPA `fixed` typos.
fn sorted_events(range: &Range, order: Order) -> Vec<(Bound, &Event)> {
    let mut events: Vec<(Bound, &Event)> = range
        .events
        .iter()
        .filter_map(|e| match (e, order.parse(e.version())) {
            (Event::Limit(_), _) => None,
            (Event::Introduced(v), _) if v == "0" => Some((Bound::Start, e)),
            (_, Some(parsed)) => Some((Bound::At(parsed), e)),
            (Event::Introduced(_), None) => Some((Bound::Start, e)),
            (_, None) => None,
        })
        .collect();
    events.sort_by(|a, b| a.0.cmp(&b.0));
    events
}

/// OSV `BeforeLimits`: no limit means no bound; `*` (or a limit that does not parse) is infinity.
fn before_limits(range: &Range, order: Order, version: &Version) -> bool {
    let limits: Vec<&String> = range
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Limit(v) => Some(v),
            _ => None,
        })
        .collect();
    limits.is_empty()
        || limits.iter().any(|limit| {
            limit.contains('*') || order.parse(limit).is_none_or(|l| version.cmp(&l).is_lt())
        })
}

/// OSV `IncludedInRanges` for one range.
fn range_includes(range: &Range, ecosystem: &Ecosystem, version: &str) -> bool {
    let Some(order) = range_order(range, ecosystem) else {
        return false;
    };
    let Some(version) = order.parse(version) else {
        return false;
    };
    if !before_limits(range, order, &version) {
        return false;
    }
    let at = Bound::At(version);
    sorted_events(range, order)
        .iter()
        .fold(false, |vulnerable, (bound, event)| {
            let reached = at.cmp(bound);
            match event {
                Event::Introduced(_) if reached.is_ge() => true,
                Event::Fixed(_) if reached.is_ge() => false,
                Event::LastAffected(_) if reached.is_gt() => false,
                _ => vulnerable,
            }
        })
}

/// Advisories indexed by (ecosystem, normalised package name), each by its
/// place in `advisories`: a component's key, borrowed from the component,
/// looks up a list that outlives it.
struct PackageIndex<'a> {
    advisories: &'a [Advisory],
    by_package: HashMap<PackageKey<'a>, Vec<usize>>,
}

impl<'a> PackageIndex<'a> {
    fn new(advisories: &'a [Advisory]) -> Self {
        let mut by_package: HashMap<PackageKey<'a>, Vec<usize>> = HashMap::new();
        for (i, advisory) in advisories.iter().enumerate() {
            let keys: BTreeSet<PackageKey<'a>> = advisory
                .affected
                .iter()
                .filter_map(|a| a.package.as_ref())
                .map(|p| package_key(&p.ecosystem, &p.name))
                .collect();
            for key in keys {
                by_package.entry(key).or_default().push(i);
            }
        }
        PackageIndex {
            advisories,
            by_package,
        }
    }

    /// The advisories that name the component's package.
    fn candidates(&self, component: &Component) -> Vec<&'a Advisory> {
        let key = package_key(component.ecosystem.osv_name(), &component.name);
        let places = self.by_package.get(&key).into_iter().flatten();
        places.filter_map(|&i| self.advisories.get(i)).collect()
    }
}

/// The key records and components are matched by, from an OSV ecosystem
/// name and a package name: borrowed from them where it is their spelling,
/// as it is for every crate.
fn package_key<'a>(osv_ecosystem: &'a str, name: &'a str) -> PackageKey<'a> {
    let base = osv_ecosystem.split(':').next().unwrap_or(osv_ecosystem);
    let lower = match base.bytes().any(|b| b.is_ascii_uppercase()) {
        true => Cow::Owned(base.to_ascii_lowercase()),
        false => Cow::Borrowed(base),
    };
    (lower, Ecosystem::from_osv_name(base).normalize_name(name))
}

/// (ecosystem, name), each lower case or normalised as the ecosystem compares names.
type PackageKey<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Splits advisories into groups that share an id, directly or through others
/// (union-find over ids). Each group's records are sorted by id. Records join only
/// within one class of kind: flaws (vulnerability, unsound) with flaws, and
/// unmaintained or notice records with their own kind. RustSec gives its
/// "unmaintained" notice for `failure` (RUSTSEC-2020-0036) the CVE and GHSA ids of
/// the crate's type-confusion flaw (RUSTSEC-2019-0036); merged, the support-level
/// fact the FDA asks for would disappear behind the flaw.
fn alias_groups<'a>(advisories: &[&'a Advisory]) -> Vec<Vec<&'a Advisory>> {
    let mut parent: Vec<usize> = (0..advisories.len()).collect();
    let mut owner: HashMap<(AnomalyKind, &str), usize> = HashMap::new();
    for (i, advisory) in advisories.iter().enumerate() {
        let class = kind_class(advisory.kind());
        for id in advisory.ids() {
            match owner.get(&(class, id)) {
                Some(&j) => union(&mut parent, i, j),
                None => {
                    owner.insert((class, id), i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<&'a Advisory>> = BTreeMap::new();
    for (i, advisory) in advisories.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(advisory);
    }
    groups
        .into_values()
        .map(|mut group| {
            group.sort_by(|a, b| a.id.cmp(&b.id));
            group
        })
        .collect()
}

/// The class of kinds whose records may be one anomaly: unsound is a flaw like a vulnerability.
fn kind_class(kind: AnomalyKind) -> AnomalyKind {
    match kind {
        AnomalyKind::Unsound => AnomalyKind::Vulnerability,
        other => other,
    }
}

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut root = i;
    while parent[root] != root {
        root = parent[root];
    }
    let mut node = i;
    while parent[node] != root {
        let next = parent[node];
        parent[node] = root;
        node = next;
    }
    root
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    parent[ra.max(rb)] = ra.min(rb);
}

/// How much an id is preferred as the primary one: lower is better.
fn id_preference(id: &str) -> u8 {
    const NATIVE: [&str; 3] = ["RUSTSEC-", "PYSEC-", "GO-"];
    if NATIVE.iter().any(|p| id.starts_with(p)) {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else if id.starts_with("CVE-") {
        3
    } else {
        2
    }
}

/// The preferred id: by `id_preference`, ties by the smallest id.
fn preferred<'a>(ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    ids.min_by(|a, b| (id_preference(a), *a).cmp(&(id_preference(b), *b)))
}

/// Builds the anomaly of one alias group (records sorted by id, never empty).
fn anomaly(component: &Component, group: &[&Advisory], content_hash: String) -> Anomaly {
    let all_ids: BTreeSet<&str> = group.iter().flat_map(|a| a.ids()).collect();
    let id = preferred(all_ids.iter().copied())
        .unwrap_or_default()
        .to_string();
    let primary = preferred(group.iter().map(|a| a.id.as_str()))
        .and_then(|p| group.iter().find(|a| a.id == p))
        .or(group.first());
    let kind = primary.map_or(AnomalyKind::Vulnerability, |a| a.kind());
    Anomaly {
        aliases: all_ids
            .iter()
            .filter(|i| **i != id)
            .map(|i| i.to_string())
            .collect(),
        records: group.iter().map(|a| a.id.clone()).collect(),
        kind,
        component: component.clone(),
        summary: primary.and_then(|a| a.summary.clone()),
        details: primary.and_then(|a| a.details.clone()),
        severity: highest_cvss(group, kind),
        fixed: fixed_versions(component, group),
        affected: affected_ranges(component, group),
        modified: group
            .iter()
            .map(|a| a.modified)
            .max()
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        content_hash,
        id,
    }
}

/// The highest CVSS score among the group's records of the anomaly's `kind`.
/// A notice of support (unmaintained) or a plain notice has none: RustSec
/// copies the vector of an aliased flaw onto such notices, and a maintenance
/// status is no "9.8 critical".
fn highest_cvss(group: &[&Advisory], kind: AnomalyKind) -> Option<CvssScore> {
    if matches!(kind, AnomalyKind::Unmaintained | AnomalyKind::Notice) {
        return None;
    }
    group
        .iter()
        .filter(|a| a.kind() == kind)
        .filter_map(|a| a.cvss())
        .max_by(|a, b| a.base_score.total_cmp(&b.base_score))
}

/// The group's fixed versions, deduplicated, in the ecosystem's order where it has one.
fn fixed_versions(component: &Component, group: &[&Advisory]) -> Vec<String> {
    let set: BTreeSet<String> = group
        .iter()
        .flat_map(|a| a.fixed_versions(component))
        .map(|v| shown(&v).to_string())
        .collect();
    let mut fixed: Vec<String> = set.into_iter().collect();
    fixed.sort_by(|a, b| version::compare(&component.ecosystem, a, b).unwrap_or_else(|| a.cmp(b)));
    fixed
}

/// The affected ranges of the component's package, in words, deduplicated.
fn affected_ranges(component: &Component, group: &[&Advisory]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for affected in group.iter().flat_map(|a| a.affected_entries(component)) {
        let ranges: Vec<String> = affected
            .ranges
            .iter()
            .filter(|r| r.kind != "GIT")
            .flat_map(describe_range)
            .collect();
        let words = if ranges.is_empty() {
            affected.versions.iter().map(|v| format!("= {v}")).collect()
        } else {
            ranges
        };
        for w in words {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// One range's events as intervals in words, in the record's order.
fn describe_range(range: &Range) -> Vec<String> {
    let mut intervals: Vec<String> = Vec::new();
    // `None` outside an interval; `Some(None)` inside one that starts at the
    // beginning (OSV's `0` or `0.0.0-0`), `Some(Some(v))` inside one from `v`.
    let mut open: Option<Option<String>> = None;
    for event in &range.events {
        match event {
            Event::Introduced(v) => {
                let start = (!is_beginning(v)).then(|| shown(v).to_string());
                if let Some(previous) = open.replace(start) {
                    intervals.push(from(previous));
                }
            }
            Event::Fixed(v) => intervals.push(until(open.take(), "before", v)),
            Event::LastAffected(v) => intervals.push(until(open.take(), "up to and including", v)),
            Event::Limit(v) if v != "*" => intervals.push(until(open.take(), "before", v)),
            Event::Limit(_) => {}
        }
    }
    intervals.extend(open.map(from));
    intervals
}

/// An interval that stays open: "all versions", or "0.7.0 and later".
fn from(start: Option<String>) -> String {
    match start {
        Some(v) => format!("{v} and later"),
        None => "all versions".to_string(),
    }
}

/// An interval closed at `version`: "all versions before 0.7.1", "0.6.0 up to and including 0.6.3".
fn until(open: Option<Option<String>>, word: &str, version: &str) -> String {
    let version = shown(version);
    match open.flatten() {
        Some(start) if word == "before" => format!("{start} and later, before {version}"),
        Some(start) => format!("{start} {word} {version}"),
        None => format!("all versions {word} {version}"),
    }
}

/// True for the versions OSV uses to mean "from the very first".
fn is_beginning(version: &str) -> bool {
    matches!(version, "0" | "0.0.0" | "0.0.0-0")
}

/// A version as people read it: without OSV's `-0` suffix, which only makes
/// the bound take in the pre-releases of that version.
fn shown(version: &str) -> &str {
    version.strip_suffix("-0").unwrap_or(version)
}

/// sha256 over the records' canonical JSON (keys sorted), records in id order.
fn content_hash(group: &[&Advisory]) -> String {
    let mut hasher = Sha256::new();
    for advisory in group {
        let value = serde_json::to_value(advisory).unwrap_or(serde_json::Value::Null);
        hasher.update(canonical_json(&value).as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// JSON with object keys sorted at every level, whatever serde_json's map order.
fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

/// Appends `value` to `out` as [`canonical_json`] writes it, into one buffer:
/// a string per node made hashing most of the cost of matching a fleet.
fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(
        id: &str,
        aliases: &[&str],
        ecosystem: &str,
        name: &str,
        range_kind: &str,
        events: &str,
    ) -> Advisory {
        let text = format!(
            r#"{{"id": "{id}", "modified": "2024-01-01T00:00:00Z", "aliases": {aliases},
                "affected": [{{"package": {{"ecosystem": "{ecosystem}", "name": "{name}"}},
                  "ranges": [{{"type": "{range_kind}", "events": {events}}}]}}]}}"#,
            aliases = serde_json::to_string(aliases).unwrap(),
        );
        Advisory::from_json(text.as_bytes()).unwrap()
    }

    fn crate_advisory(events: &str) -> Advisory {
        advisory(
            "RUSTSEC-2024-0001",
            &[],
            "crates.io",
            "demo",
            "SEMVER",
            events,
        )
    }

    fn hits(advisory: &Advisory, version: &str) -> bool {
        affects(
            advisory,
            &Component::new(Ecosystem::CratesIo, "demo", version),
        )
    }

    #[test]
    fn introduced_zero_opens_from_the_start() {
        let a = crate_advisory(r#"[{"introduced": "0"}, {"fixed": "1.2.3"}]"#);
        assert!(hits(&a, "0.0.0") && hits(&a, "1.2.2") && hits(&a, "1.2.3-rc.1"));
        assert!(!hits(&a, "1.2.3") && !hits(&a, "2.0.0"));
    }

    #[test]
    fn rustsec_pre_release_conventions() {
        let a = crate_advisory(
            r#"[{"introduced": "0.0.0-0"}, {"fixed": "1.0.0"}, {"introduced": "1.0.1-0"}]"#,
        );
        assert!(hits(&a, "0.0.0-alpha") && hits(&a, "1.0.0-beta.1"));
        assert!(!hits(&a, "1.0.0") && !hits(&a, "1.0.0+build"));
        assert!(hits(&a, "1.0.1-alpha") && hits(&a, "1.0.1"));
    }

    #[test]
    fn last_affected_closes_inclusively() {
        let a = crate_advisory(r#"[{"introduced": "1.0.0"}, {"last_affected": "1.4.0"}]"#);
        assert!(!hits(&a, "0.9.0") && hits(&a, "1.0.0") && hits(&a, "1.4.0"));
        assert!(!hits(&a, "1.4.1-0") && !hits(&a, "1.4.1"));
    }

    #[test]
    fn limit_bounds_the_range() {
        let a = crate_advisory(r#"[{"introduced": "1.0.0"}, {"limit": "2.0.0"}]"#);
        assert!(hits(&a, "1.9.9") && !hits(&a, "2.0.0") && !hits(&a, "0.1.0"));
        let star = crate_advisory(r#"[{"introduced": "1.0.0"}, {"limit": "*"}]"#);
        assert!(hits(&star, "99.0.0"));
    }

    #[test]
    fn several_pairs_and_unsorted_events() {
        let a = crate_advisory(
            r#"[{"fixed": "3.2.5"}, {"introduced": "3.0.0"}, {"fixed": "1.0.2"}, {"introduced": "1.0.0"}]"#,
        );
        for (version, expected) in [
            ("0.9.0", false),
            ("1.0.0", true),
            ("1.0.1", true),
            ("1.0.2", false),
            ("2.5.0", false),
            ("3.0.0", true),
            ("3.2.4", true),
            ("3.2.5", false),
        ] {
            assert_eq!(hits(&a, version), expected, "{version}");
        }
    }

    #[test]
    fn adjacent_and_empty_ranges_keep_the_record_order() {
        let adjacent = crate_advisory(
            r#"[{"introduced": "0"}, {"fixed": "1.0.0"}, {"introduced": "1.0.0"}, {"fixed": "2.0.0"}]"#,
        );
        assert!(hits(&adjacent, "1.0.0"));
        let empty = crate_advisory(r#"[{"introduced": "1.0.0"}, {"fixed": "1.0.0"}]"#);
        assert!(!hits(&empty, "1.0.0"));
    }

    #[test]
    fn withdrawn_never_matches() {
        let mut a = crate_advisory(r#"[{"introduced": "0"}]"#);
        assert!(hits(&a, "1.0.0"));
        a.withdrawn = Some(time::macros::datetime!(2024-02-01 0:00 UTC));
        assert!(!hits(&a, "1.0.0"));
    }

    #[test]
    fn enumerated_versions_match_unordered_ecosystems_and_git_ranges_do_not() {
        let text = r#"{"id": "OSV-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "Hex", "name": "plug"},
            "ranges": [{"type": "GIT", "repo": "https://x", "events": [{"introduced": "0"}]}],
            "versions": ["1.0.0"]}]}"#;
        let a = Advisory::from_json(text.as_bytes()).unwrap();
        let hex = Ecosystem::Other("Hex".into());
        assert!(affects(&a, &Component::new(hex.clone(), "plug", "1.0.0")));
        assert!(!affects(&a, &Component::new(hex.clone(), "plug", "1.0.1")));
        assert_eq!(
            unordered_ecosystems(&[
                Component::new(hex.clone(), "plug", "1.0.0"),
                Component::new(Ecosystem::Go, "m", "v1.0.0")
            ]),
            [hex]
        );
    }

    #[test]
    fn pypi_names_are_pep503_normalised() {
        let a = advisory(
            "PYSEC-1",
            &[],
            "PyPI",
            "Zope.Interface",
            "ECOSYSTEM",
            r#"[{"introduced": "0"}, {"fixed": "5.0"}]"#,
        );
        assert!(affects(
            &a,
            &Component::new(Ecosystem::PyPI, "zope-interface", "4.7.post1")
        ));
        assert!(!affects(
            &a,
            &Component::new(Ecosystem::PyPI, "zope-interface", "5.0.0")
        ));
    }

    #[test]
    fn aliases_group_records_through_shared_ids() {
        let events = r#"[{"introduced": "0"}]"#;
        let records = [
            advisory(
                "RUSTSEC-2025-0065",
                &["CVE-2025-1", "GHSA-aaaa"],
                "crates.io",
                "demo",
                "SEMVER",
                events,
            ),
            advisory(
                "RUSTSEC-2025-0000",
                &["GHSA-aaaa"],
                "crates.io",
                "demo",
                "SEMVER",
                events,
            ),
            advisory(
                "GHSA-bbbb",
                &["CVE-2025-1"],
                "crates.io",
                "demo",
                "SEMVER",
                events,
            ),
            advisory(
                "GHSA-cccc",
                &["CVE-2025-2"],
                "crates.io",
                "demo",
                "SEMVER",
                events,
            ),
        ];
        let component = Component::new(Ecosystem::CratesIo, "demo", "1.0.0");
        let anomalies = find_anomalies(std::slice::from_ref(&component), &records);
        assert_eq!(anomalies.len(), 2);
        assert_eq!(anomalies[0].id, "GHSA-cccc");
        assert_eq!(anomalies[0].affected, ["all versions"]);
        let first = &anomalies[1];
        assert_eq!(first.id, "RUSTSEC-2025-0000");
        assert_eq!(
            first.records,
            ["GHSA-bbbb", "RUSTSEC-2025-0000", "RUSTSEC-2025-0065"]
        );
        assert_eq!(
            first.aliases,
            ["CVE-2025-1", "GHSA-aaaa", "GHSA-bbbb", "RUSTSEC-2025-0065"]
        );
        let again = find_anomalies(
            &[component],
            &[
                records[3].clone(),
                records[2].clone(),
                records[1].clone(),
                records[0].clone(),
            ],
        );
        assert_eq!(again, anomalies, "independent of the order of the records");
    }

    #[test]
    fn unparsable_events_widen_the_range() {
        let typo_fix = crate_advisory(r#"[{"introduced": "1.0.0"}, {"fixed": "2019-09-12"}]"#);
        assert!(hits(&typo_fix, "5.0.0") && !hits(&typo_fix, "0.9.0"));
        let typo_start = crate_advisory(r#"[{"introduced": "one"}, {"fixed": "2.0.0"}]"#);
        assert!(hits(&typo_start, "0.1.0") && !hits(&typo_start, "2.0.0"));
        let typo_limit = crate_advisory(r#"[{"introduced": "0"}, {"limit": "?"}]"#);
        assert!(hits(&typo_limit, "9.0.0"));
    }

    #[test]
    fn unmaintained_notices_stay_apart_from_flaws_sharing_their_ids() {
        let text = |id: &str, informational: &str| {
            format!(
                r#"{{"id": "{id}", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2019-25010"], "affected": [{{"package": {{"ecosystem": "crates.io", "name": "demo"}},
                    "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}]}}], "database_specific": {{"informational": {informational}}}}}]}}"#
            )
        };
        let records: Vec<Advisory> = [
            ("RUSTSEC-2019-0036", r#""unsound""#),
            ("RUSTSEC-2020-0036", r#""unmaintained""#),
            ("GHSA-jq66", "null"),
        ]
        .iter()
        .map(|(id, info)| Advisory::from_json(text(id, info).as_bytes()).unwrap())
        .collect();
        let anomalies = find_anomalies(
            &[Component::new(Ecosystem::CratesIo, "demo", "0.1.5")],
            &records,
        );
        let found: Vec<(&str, AnomalyKind, usize)> = anomalies
            .iter()
            .map(|a| (a.id.as_str(), a.kind, a.records.len()))
            .collect();
        assert_eq!(
            found,
            [
                ("RUSTSEC-2019-0036", AnomalyKind::Unsound, 2),
                ("RUSTSEC-2020-0036", AnomalyKind::Unmaintained, 1)
            ]
        );
    }

    #[test]
    fn a_component_listed_twice_counts_once() {
        let a = crate_advisory(r#"[{"introduced": "0"}]"#);
        let component = Component::new(Ecosystem::CratesIo, "demo", "1.0.0");
        let anomalies = find_anomalies(&[component.clone(), component], std::slice::from_ref(&a));
        assert_eq!(anomalies.len(), 1);
    }

    #[test]
    fn describes_ranges_in_words() {
        let a = crate_advisory(
            r#"[{"introduced": "0.0.0-0"}, {"fixed": "1.2.3"}, {"introduced": "2.0.0"}]"#,
        );
        let component = Component::new(Ecosystem::CratesIo, "demo", "0.1.0");
        let anomalies = find_anomalies(std::slice::from_ref(&component), std::slice::from_ref(&a));
        assert_eq!(
            anomalies[0].affected,
            ["all versions before 1.2.3", "2.0.0 and later"]
        );
        assert_eq!(anomalies[0].fixed, ["1.2.3"]);
        assert_eq!(anomalies[0].content_hash.len(), 64);
    }
}
