//! The report model: plain, serialisable data the command layer fills in from
//! the record, the register and the advisory store, and every renderer reads.
//! It is also the JSON report (`cargo-soup/report/1`, documented in
//! `schemas/report-1.schema.json`), so field names are stable.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

pub use super::changes::ChangeAnalysis;
pub use super::control::DocumentControl;
pub use crate::evaluate::State as AnomalyState;
use crate::model::{AnomalyKind, Component};
pub use crate::record::{Action, Evaluation, SupportLevel, VexJustification, VexStatus};

/// The schema name written at the top of the JSON report.
pub const JSON_SCHEMA: &str = "cargo-soup/report/1";

/// Everything an auditor reads about the SOUP of one system on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What a quality system files the document under.
    pub control: DocumentControl,
    pub system: SystemInfo,
    /// The date the report was made, `YYYY-MM-DD`.
    pub generated: String,
    /// The release this report describes, when it describes one.
    pub release: Option<String>,
    /// True when the release is retired: no unit in the field runs it.
    pub retired: bool,
    /// The change analysis (7.4) against the previous release, when there is one.
    pub changes: Option<ChangeAnalysis>,
    /// The advisory data the anomalies were matched against.
    pub advisory_data: Vec<DataSource>,
    /// One per SOUP item (package and version) an anomaly list covers, sorted by name.
    pub items: Vec<Item>,
    /// SOUP items no machine-readable anomaly list covers, with their manual reviews.
    pub uncovered: Vec<UncoveredItem>,
    /// Findings that need a person and are not anomalies of an item (those carry
    /// their own state): missing specifications, stale advisory data, ...
    pub open: Vec<OpenFinding>,
}

/// The system the SOUP is part of, as the record names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemInfo {
    pub name: String,
    /// IEC 62304 software safety class: `A`, `B` or `C`; `not recorded` without a record.
    pub class: String,
    pub manufacturer: Option<String>,
}

/// One advisory source the audit used, so the reader can judge how current it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSource {
    pub name: String,
    /// URL or path the data came from.
    pub location: String,
    /// When the data was fetched or, for the bundled snapshot, taken.
    pub date: String,
    pub record_count: u64,
    /// Hex sha256 of the data as it was fetched (the archive, or the bundled snapshot).
    pub content_sha256: String,
    /// Age of the data on the report date, in days.
    pub age_days: Option<i64>,
}

/// One SOUP item with everything recorded about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub component: Component,
    /// `None` when no specification is recorded yet.
    pub specification: Option<Specification>,
    /// The `[soup.<key>]` key (a crate name, or a version-less package URL) of
    /// the specification whose `covers` names this package, when it has none of
    /// its own: `specification` is then that one's.
    #[serde(default)]
    pub covered_by: Option<String>,
    pub support: Support,
    pub anomalies: Vec<AnomalyEntry>,
}

/// The engineer's specification of a SOUP item (IEC 62304 5.3.3, 5.3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Specification {
    pub purpose: String,
    /// Functional and performance requirements it must meet (5.3.3).
    pub requirements: Option<String>,
    /// Hardware and software it needs (5.3.4).
    pub needs: String,
    pub manufacturer: Option<String>,
    pub website: Option<String>,
    /// Risk assessment of using it, or a reference into the risk file.
    pub risk: Option<String>,
    /// How its suitability is verified.
    pub verification: Option<String>,
    /// Companion packages this specification also covers.
    pub covers: Vec<String>,
    /// The versions it was written for, when the record says so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// The level of support and end of support the FDA asks for of every component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Support {
    pub level: SupportLevel,
    /// Where the level comes from, in one line.
    pub evidence: String,
    /// A date, or `unknown`.
    pub end_of_support: String,
    /// True when the record states it; false when it is derived.
    pub recorded: bool,
}

impl Support {
    /// Nothing is known: what an item gets when neither the record nor an advisory says.
    pub fn unknown(evidence: &str) -> Support {
        Support {
            level: SupportLevel::Unknown,
            evidence: evidence.to_string(),
            end_of_support: "unknown".to_string(),
            recorded: false,
        }
    }
}

/// One anomaly (a group of aliased advisories) that affects an item, with its evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyEntry {
    pub id: String,
    pub aliases: Vec<String>,
    pub kind: AnomalyKind,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub severity: Option<Severity>,
    /// Versions (or ranges) that fix it.
    pub fixed: Vec<String>,
    pub state: AnomalyState,
    /// A person must act on it (see [`crate::evaluate::Assessment::needs_person`]).
    pub needs_person: bool,
    /// Why the evaluation is due again; empty unless `state` is `due`.
    pub due_reasons: Vec<String>,
    /// The evaluation in force, if any.
    pub evaluation: Option<Evaluation>,
    /// Who approved that evaluation as it stands, with when (`[[approval]]`s of its digest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approved_by: Vec<String>,
    /// Release baselines this anomaly affects.
    pub releases: Vec<String>,
}

/// A CVSS rating of an anomaly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// The CVSS vector, e.g. `CVSS:3.1/AV:N/...`.
    pub vector: String,
    pub base_score: f64,
    /// Qualitative rating: `none`, `low`, `medium`, `high`, `critical`.
    pub severity: String,
}

/// A SOUP item no machine-readable anomaly list covers, and the manual reviews of its anomaly list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UncoveredItem {
    pub component: Component,
    pub reviews: Vec<ManualReview>,
}

/// A person's review of a published anomaly list no tool can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualReview {
    pub by: String,
    pub date: String,
    /// The anomaly list reviewed (a URL or a document reference).
    pub source: String,
    pub finding: String,
}

/// A finding that needs a person, with its stable kebab-case code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenFinding {
    pub code: String,
    /// What it is about: a purl, a source name, the record.
    pub subject: String,
    pub message: String,
}

/// Who publishes an advisory and where a reader finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdvisorySource<'a> {
    pub name: &'static str,
    pub base: &'static str,
    pub suffix: &'static str,
    pub id: &'a str,
}

impl<'a> AdvisorySource<'a> {
    /// The publisher of an advisory ID, or `None` when the ID is not safe to put in a URL.
    pub fn of(id: &'a str) -> Option<Self> {
        let safe = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
        if !safe {
            return None;
        }
        let (name, base, suffix) = if id.starts_with("RUSTSEC-") {
            ("RustSec", "https://rustsec.org/advisories/", ".html")
        } else if id.starts_with("GHSA-") {
            ("GitHub Advisories", "https://github.com/advisories/", "")
        } else if id.starts_with("CVE-") {
            ("NVD", "https://nvd.nist.gov/vuln/detail/", "")
        } else {
            ("OSV", "https://osv.dev/vulnerability/", "")
        };
        Some(AdvisorySource {
            name,
            base,
            suffix,
            id,
        })
    }

    /// The advisory's page.
    pub fn url(&self) -> String {
        format!("{}{}{}", self.base, self.id, self.suffix)
    }
}

/// Serialising a report or an export failed (only possible through a bug in a `Serialize` impl).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("failed to serialise the {format} output")]
    Serialise {
        format: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

/// Serialises plain data into JSON, naming the output format on failure.
pub(crate) fn to_json<T: Serialize>(
    format: &'static str,
    value: &T,
) -> Result<serde_json::Value, ReportError> {
    serde_json::to_value(value).map_err(|source| ReportError::Serialise { format, source })
}

/// The JSON report: the model under a `schema` key naming its version.
pub fn json(report: &Report) -> Result<serde_json::Value, ReportError> {
    #[derive(Serialize)]
    struct Versioned<'a> {
        schema: &'static str,
        #[serde(flatten)]
        report: &'a Report,
    }
    to_json(
        "JSON report",
        &Versioned {
            schema: JSON_SCHEMA,
            report,
        },
    )
}

/// Outside text made harmless by the one sanitiser the terminal uses too
/// ([`crate::out::sanitize`]: escape sequences, control characters and
/// bidirectional overrides removed); newlines and tabs are kept only when
/// `multiline`, else they become spaces.
/// Text that needs none of that is borrowed: a report passes most of its
/// text through here.
pub(crate) fn printable(text: &str, multiline: bool) -> Cow<'_, str> {
    let flat = multiline || !text.contains(['\n', '\t']);
    if flat && crate::out::is_plain(text) {
        return Cow::Borrowed(text);
    }
    let clean = crate::out::sanitize(text);
    match multiline || !clean.contains(['\n', '\t']) {
        true => Cow::Owned(clean),
        false => Cow::Owned(clean.replace(['\n', '\t'], " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_sources_link_to_their_publisher() {
        let rustsec = AdvisorySource::of("RUSTSEC-2024-0001").map(|s| s.url());
        assert_eq!(
            rustsec.as_deref(),
            Some("https://rustsec.org/advisories/RUSTSEC-2024-0001.html")
        );
        let ghsa = AdvisorySource::of("GHSA-abcd-efgh-ijkl").map(|s| s.url());
        assert_eq!(
            ghsa.as_deref(),
            Some("https://github.com/advisories/GHSA-abcd-efgh-ijkl")
        );
        let pysec = AdvisorySource::of("PYSEC-2023-1").map(|s| s.url());
        assert_eq!(
            pysec.as_deref(),
            Some("https://osv.dev/vulnerability/PYSEC-2023-1")
        );
    }

    #[test]
    fn ids_unsafe_in_a_url_get_no_source() {
        assert_eq!(AdvisorySource::of("x)[a](javascript:b"), None);
        assert_eq!(AdvisorySource::of(""), None);
    }

    #[test]
    fn reports_sanitise_as_the_terminal_does() {
        assert_eq!(printable("a\u{1b}[31mb\nc", false), "ab c");
        assert_eq!(printable("a\nb\tc\u{0}", true), "a\nb\tc");
        assert_eq!(printable("safe\u{202e}txt.exe", false), "safetxt.exe");
        assert_eq!(printable("a\tb", false), "a b");
        let plain = "serde 1.0 | `x` *y*\nz";
        assert!(matches!(printable(plain, true), Cow::Borrowed(text) if text == plain));
        assert!(matches!(printable(plain, false), Cow::Owned(_)));
    }
}
