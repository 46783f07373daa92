//! The one advisory type: an OSV record (tests/fixtures/schemas/osv.schema.json).
//! Every source (RustSec, GHSA, PyPA, Go, ...) is normalised into it.

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use crate::model::{AnomalyKind, Component, Ecosystem};

/// A published advisory in the OSV schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The OSV schema version the record was written against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
    /// The record's own id, e.g. `RUSTSEC-2024-0001`, `GHSA-xxxx-xxxx-xxxx`.
    pub id: String,
    /// When the record last changed: a later time re-opens evaluations.
    #[serde(with = "time::serde::rfc3339")]
    pub modified: OffsetDateTime,
    /// When the record was first published.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<OffsetDateTime>,
    /// When the record was withdrawn; a withdrawn record never matches.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub withdrawn: Option<OffsetDateTime>,
    /// Other ids of the same flaw (CVE, GHSA, ...).
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aliases: Vec<String>,
    /// Ids of related but different flaws.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub related: Vec<String>,
    /// Ids of the upstream records this one derives from.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub upstream: Vec<String>,
    /// One line saying what the flaw is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The full description (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Severity scores of the whole record.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<Severity>,
    /// The affected packages and their versions.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub affected: Vec<Affected>,
    /// Links to more information.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub references: Vec<Reference>,
    /// Who found or fixed the flaw.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub credits: Vec<Credit>,
    /// What the publishing database adds, uninterpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// What the advisory store indexes a record by and keeps beside it (its
/// [`RecordVersions`]), read without the rest of the record. Only for data
/// known to be well-formed OSV (the bundled snapshot, whose every record a
/// test reads as an [`Advisory`]): reading every field of 1,200 records would
/// double the cost of a first audit for nothing.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecordKeys {
    /// The record's own id.
    pub id: String,
    /// When the record last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub modified: OffsetDateTime,
    /// When the record was withdrawn.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub withdrawn: Option<OffsetDateTime>,
    /// The affected packages, with the versions matching reads.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub affected: Vec<AffectedVersions>,
}

/// What matching reads of a record: whether it is withdrawn, and the
/// versions of each package it affects. An audit is given every record that
/// names one of its packages, and most affect none of the pinned versions:
/// the store keeps this much of each beside it, written as JSON, and a record
/// is read whole ([`Advisory`]) only where this matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordVersions {
    /// When the record was withdrawn; a withdrawn record never matches.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub withdrawn: Option<OffsetDateTime>,
    /// The affected packages, with their versions only.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub affected: Vec<AffectedVersions>,
}

/// One `affected` entry as [`RecordVersions`] reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffectedVersions {
    /// The package; entries without one match nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// Ranges of affected versions.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ranges: Vec<Range>,
    /// Affected versions listed one by one.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub versions: Vec<String>,
}

/// A severity score: `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, ... with its vector or value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// `CVSS_V3`, `CVSS_V4`, `Ubuntu`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector or value in that type's notation.
    pub score: String,
}

/// The versions of one package that an advisory affects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The package; entries without one match nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// Severity scores of this package only.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<Severity>,
    /// Ranges of affected versions.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ranges: Vec<Range>,
    /// Affected versions listed one by one.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub versions: Vec<String>,
    /// What the ecosystem adds (affected functions, platforms), uninterpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<serde_json::Value>,
    /// What the publishing database adds, uninterpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// The package an `affected` entry is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    /// The OSV ecosystem name, possibly with a suffix such as `Debian:12`.
    pub ecosystem: String,
    /// The package name as the ecosystem spells it.
    pub name: String,
    /// The package URL without a version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// A range of affected versions as a timeline of events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The repository a `GIT` range's commits are in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The timeline: `introduced`, `fixed`, `last_affected`, `limit`.
    pub events: Vec<Event>,
    /// What the publishing database adds, uninterpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// One event of a range: each JSON object holds exactly one of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The flaw is present from this version on (`"0"`: from the start).
    Introduced(String),
    /// The flaw is gone from this version on.
    Fixed(String),
    /// The last version known to have the flaw.
    LastAffected(String),
    /// Versions from here on are outside this range (`"*"`: no bound).
    Limit(String),
}

impl Event {
    /// The version (or commit) the event is at.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// A link to more information.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `FIX`, `PACKAGE`, `REPORT`, `WEB`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Where the information is.
    pub url: String,
}

/// Someone credited for finding or fixing the flaw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credit {
    /// The package name as the ecosystem spells it.
    pub name: String,
    /// How to reach them.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub contact: Vec<String>,
    /// `FINDER`, `REMEDIATION_DEVELOPER`, ...
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A CVSS score read from an advisory's severity vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// The CVSS vector as the record gives it.
    pub vector: String,
    /// The base score, 0.0 to 10.0.
    pub base_score: f64,
    /// `none`, `low`, `medium`, `high` or `critical`.
    pub severity: String,
}

/// Why an OSV record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OsvError {
    /// Not JSON, or not an OSV record.
    #[error("failed to read OSV record: line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A field the record cannot be identified without is empty.
    #[error("failed to read OSV record: field `{field}` is empty")]
    EmptyField { field: &'static str },
}

impl Advisory {
    /// Reads one OSV record: missing optional arrays and fields newer than this
    /// crate are fine; a missing `id` or `modified` or a malformed event is an error.
    pub fn from_json(bytes: &[u8]) -> Result<Advisory, OsvError> {
        let advisory: Advisory = parse(bytes)?;
        check_identified(&advisory.id)?;
        Ok(advisory)
    }

    /// Withdrawn records are kept for history but never match.
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.is_some()
    }

    /// The anomaly kind: RustSec's informational advisories are their own kinds.
    /// An informational value this crate does not know is reported as a notice
    /// rather than as a vulnerability or not at all.
    pub fn kind(&self) -> AnomalyKind {
        let informational = self.affected.iter().find_map(|a| {
            a.database_specific
                .as_ref()?
                .get("informational")?
                .as_str()
                .map(str::to_string)
        });
        match informational.as_deref() {
            None => AnomalyKind::Vulnerability,
            Some("unmaintained") => AnomalyKind::Unmaintained,
            Some("unsound") => AnomalyKind::Unsound,
            Some(_) => AnomalyKind::Notice,
        }
    }

    /// The CVSS score: a v3 vector if there is one (what most tools show), else v4;
    /// the record's own severity first, then its packages'.
    pub fn cvss(&self) -> Option<CvssScore> {
        let all = self
            .severity
            .iter()
            .chain(self.affected.iter().flat_map(|a| a.severity.iter()));
        let candidates: Vec<&Severity> = all.collect();
        ["CVSS_V3", "CVSS_V4"]
            .iter()
            .flat_map(|kind| candidates.iter().filter(move |s| s.kind == *kind))
            .find_map(|s| parse_cvss(&s.score))
    }

    /// The `fixed` versions of the version ranges that apply to this component's package.
    pub fn fixed_versions(&self, component: &Component) -> Vec<String> {
        let mut fixed: Vec<String> = self
            .affected_entries(component)
            .flat_map(|a| a.ranges.iter())
            .filter(|r| r.kind != "GIT")
            .flat_map(|r| r.events.iter())
            .filter_map(|e| match e {
                Event::Fixed(v) => Some(v.clone()),
                _ => None,
            })
            .collect();
        fixed.sort();
        fixed.dedup();
        fixed
    }

    /// Every id this flaw is known by: the record's own, then its aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The `affected` entries about this component's package.
    pub fn affected_entries<'a>(
        &'a self,
        component: &'a Component,
    ) -> impl Iterator<Item = &'a Affected> + 'a {
        self.affected
            .iter()
            .filter(move |a| a.is_for(&component.ecosystem, &component.name))
    }
}

impl Affected {
    /// True when this entry names the package (see [`Package::is`]).
    pub fn is_for(&self, ecosystem: &Ecosystem, name: &str) -> bool {
        self.package.as_ref().is_some_and(|p| p.is(ecosystem, name))
    }
}

impl Package {
    /// True when this is the package `name` of `ecosystem` (ecosystem suffixes
    /// such as `Debian:12` ignored; names compared as the ecosystem compares
    /// them, PEP 503 for PyPI).
    pub fn is(&self, ecosystem: &Ecosystem, name: &str) -> bool {
        let own = Ecosystem::from_osv_name(&self.ecosystem);
        own.osv_name().eq_ignore_ascii_case(ecosystem.osv_name())
            && ecosystem.normalize_name(&self.name) == ecosystem.normalize_name(name)
    }
}

impl RecordVersions {
    /// Reads what matching needs of a record, or of the JSON
    /// [`RecordVersions::to_json`] wrote of one.
    pub fn from_json(bytes: &[u8]) -> Result<RecordVersions, OsvError> {
        parse(bytes)
    }

    /// What matching reads of `advisory`.
    pub fn of(advisory: &Advisory) -> RecordVersions {
        let affected = advisory.affected.iter().map(|a| AffectedVersions {
            package: a.package.clone(),
            ranges: a.ranges.clone(),
            versions: a.versions.clone(),
        });
        RecordVersions {
            withdrawn: advisory.withdrawn,
            affected: affected.collect(),
        }
    }

    /// As JSON, a few hundred bytes where the record has thousands; `None`
    /// where a time will not write as RFC 3339, and the record is read whole.
    pub fn to_json(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(self).ok()
    }
}

impl RecordKeys {
    /// Reads what the store indexes a record by; a missing or empty `id` or
    /// `modified` is an error, as for [`Advisory::from_json`].
    pub fn from_json(bytes: &[u8]) -> Result<RecordKeys, OsvError> {
        let keys: RecordKeys = parse(bytes)?;
        check_identified(&keys.id)?;
        Ok(keys)
    }

    /// The packages the record names.
    pub fn packages(&self) -> impl Iterator<Item = &Package> {
        self.affected.iter().filter_map(|a| a.package.as_ref())
    }
}

/// Deserializes JSON, with the position of a syntax error.
fn parse<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, OsvError> {
    serde_json::from_slice(bytes).map_err(|e| OsvError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Refuses a record without which it cannot be identified or dated.
fn check_identified(id: &str) -> Result<(), OsvError> {
    if id.trim().is_empty() {
        return Err(OsvError::EmptyField { field: "id" });
    }
    Ok(())
}

/// Reads a CVSS vector with the `cvss` crate; `None` when it does not parse.
fn parse_cvss(vector: &str) -> Option<CvssScore> {
    let cvss: cvss::Cvss = vector.parse().ok()?;
    Some(CvssScore {
        vector: vector.to_string(),
        base_score: cvss.score(),
        severity: cvss.severity().as_str().to_string(),
    })
}

/// `null` where an array is expected means the array is empty.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"id": "TEST-1", "modified": "2024-01-01T00:00:00Z"}"#;

    #[test]
    fn missing_optional_arrays_are_empty() {
        let advisory = Advisory::from_json(MINIMAL.as_bytes()).unwrap();
        assert!(advisory.affected.is_empty() && advisory.aliases.is_empty());
        let with_null = r#"{"id": "T", "modified": "2024-01-01T00:00:00Z", "aliases": null, "affected": [{"package": {"ecosystem": "npm", "name": "x"}, "versions": null}]}"#;
        assert!(
            Advisory::from_json(with_null.as_bytes()).unwrap().affected[0]
                .versions
                .is_empty()
        );
    }

    #[test]
    fn malformed_records_are_errors() {
        let cases = [
            "",
            "[]",
            "{",
            r#"{"modified": "2024-01-01T00:00:00Z"}"#,
            r#"{"id": "TEST-1"}"#,
            r#"{"id": "", "modified": "2024-01-01T00:00:00Z"}"#,
            r#"{"id": "T", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "SEMVER", "events": ["introduced"]}]}]}"#,
            r#"{"id": "T", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1"}]}]}]}"#,
            r#"{"id": "T", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "SEMVER", "events": [{"broken": "1"}]}]}]}"#,
            r#"{"id": "T", "modified": "2024-01-01T00:00:00Z", "affected": {"package": 1}}"#,
        ];
        for case in cases {
            assert!(Advisory::from_json(case.as_bytes()).is_err(), "{case}");
        }
    }

    #[test]
    fn round_trips_through_json() {
        let text = r#"{"id": "GHSA-x", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-1"],
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [{"package": {"ecosystem": "PyPI", "name": "Foo_Bar"},
              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}, {"fixed": "0.9.1"}]}],
              "database_specific": {"informational": "unsound"}}]}"#;
        let advisory = Advisory::from_json(text.as_bytes()).unwrap();
        let again = Advisory::from_json(&serde_json::to_vec(&advisory).unwrap()).unwrap();
        assert_eq!(advisory, again);
        assert_eq!(advisory.kind(), AnomalyKind::Unsound);
        let score = advisory.cvss().unwrap();
        assert_eq!(
            (score.base_score, score.severity.as_str()),
            (9.8, "critical")
        );
        let component = Component::new(Ecosystem::PyPI, "foo-bar", "0.5");
        assert_eq!(advisory.fixed_versions(&component), ["0.9.1", "1.0"]);
        assert_eq!(advisory.ids().collect::<Vec<_>>(), ["GHSA-x", "CVE-1"]);
    }

    #[test]
    fn unparsable_cvss_is_none() {
        let text = r#"{"id": "T", "modified": "2024-01-01T00:00:00Z", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/garbage"}]}"#;
        assert_eq!(Advisory::from_json(text.as_bytes()).unwrap().cvss(), None);
    }
}
