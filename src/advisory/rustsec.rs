//! The native RustSec database, as cargo-audit keeps it on disk: one markdown file
//! per advisory (`crates/<name>/RUSTSEC-*.md`) that opens with a ```` ```toml ````
//! front matter. Each is converted to the OSV form RustSec's own OSV export gives
//! the same record, so both sources match identically.
//!
//! The native form has no modification time (the export takes it from git
//! history): `modified` is the advisory's `date` at 12:00 UTC, the time the export
//! uses for `published`. A revised native record is therefore noticed through the
//! anomaly's content hash, not through `modified`.

use std::collections::BTreeMap;
use std::path::{Component as PathComponent, Path, PathBuf};

use semver::{Comparator, Op, Prerelease, Version, VersionReq};
use serde::Deserialize;
use serde_json::json;

use super::osv::{Advisory, Affected, Event, Package, Range, Reference, Severity};

/// Why a native RustSec advisory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RustsecError {
    /// The file is not a RustSec advisory.
    #[error("failed to read {path}: it does not open with a ```toml front matter closed by ```")]
    NoFrontMatter { path: PathBuf },
    /// The front matter is not valid TOML or lacks a required key.
    #[error("failed to read the front matter of {path}, line {line}: {message}")]
    Toml {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A date is not `YYYY-MM-DD`.
    #[error("failed to read {path}: `{field}` is not a date (YYYY-MM-DD): {value}")]
    BadDate {
        path: PathBuf,
        field: &'static str,
        value: String,
    },
    /// A `patched` or `unaffected` requirement cannot be read.
    #[error("failed to read {path}: version requirement `{requirement}`: {message}")]
    BadRequirement {
        path: PathBuf,
        requirement: String,
        message: String,
    },
}

/// True for advisories that are matched against lockfiles: those under `crates/`.
/// The `rust/` collection (the standard library and toolchain) never is.
pub fn is_crate_advisory(path: &Path) -> bool {
    path.components()
        .any(|c| matches!(c, PathComponent::Normal(name) if name == "crates"))
}

/// Reads one native advisory and converts it to OSV.
pub fn parse_markdown(path_for_messages: &Path, text: &str) -> Result<Advisory, RustsecError> {
    let path = path_for_messages.to_path_buf();
    let (front, body) = split_front_matter(text)
        .ok_or_else(|| RustsecError::NoFrontMatter { path: path.clone() })?;
    let native: Native = toml::from_str(front).map_err(|e| RustsecError::Toml {
        path: path.clone(),
        line: error_line(front, e.span().map(|span| span.start)),
        message: e.message().to_string(),
    })?;
    let (summary, details) = split_body(body);
    to_osv(&path, native, summary, details)
}

/// The line of the file a front-matter byte offset is on (the fence is line 1).
fn error_line(front: &str, offset: Option<usize>) -> usize {
    let before = offset.and_then(|o| front.get(..o)).unwrap_or("");
    before.matches('\n').count() + 2
}

/// The front matter as the database writes it.
#[derive(Debug, Deserialize)]
struct Native {
    advisory: NativeAdvisory,
    #[serde(default)]
    versions: NativeVersions,
    #[serde(default)]
    affected: Option<NativeAffected>,
}

#[derive(Debug, Deserialize)]
struct NativeAdvisory {
    id: String,
    package: String,
    date: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    license: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct NativeVersions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct NativeAffected {
    #[serde(default)]
    arch: Vec<String>,
    #[serde(default)]
    os: Vec<String>,
    #[serde(default)]
    functions: BTreeMap<String, Vec<String>>,
}

/// Splits the ```toml front matter from the markdown after it.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start_matches('\u{feff}');
    let rest = text.strip_prefix("```toml")?;
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))?;
    let end = rest.find("\n```")?;
    let body = &rest[end + 4..];
    Some((&rest[..end], body))
}

/// The first `# ` heading is the summary; what follows it is the details.
fn split_body(body: &str) -> (Option<String>, Option<String>) {
    let mut lines = body.lines();
    let mut summary = None;
    for line in lines.by_ref() {
        if let Some(title) = line.strip_prefix("# ") {
            summary = Some(title.trim().to_string());
            break;
        }
    }
    let details: Vec<&str> = lines.collect();
    let details = details.join("\n").trim().to_string();
    (summary, (!details.is_empty()).then_some(details))
}

/// `YYYY-MM-DD` at 12:00 UTC, as the OSV export writes dates.
fn rfc3339_noon(
    path: &Path,
    field: &'static str,
    date: &str,
) -> Result<time::OffsetDateTime, RustsecError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date.trim(), format)
        .map(|day| day.with_time(time::macros::time!(12:00)).assume_utc())
        .map_err(|_| RustsecError::BadDate {
            path: path.to_path_buf(),
            field,
            value: date.to_string(),
        })
}

fn to_osv(
    path: &Path,
    native: Native,
    summary: Option<String>,
    details: Option<String>,
) -> Result<Advisory, RustsecError> {
    let meta = native.advisory;
    let published = rfc3339_noon(path, "date", &meta.date)?;
    let withdrawn = meta
        .withdrawn
        .as_deref()
        .map(|d| rfc3339_noon(path, "withdrawn", d))
        .transpose()?;
    let events = affected_events(path, &native.versions)?;
    let affects = native.affected.unwrap_or_default();
    let severity = meta
        .cvss
        .iter()
        .map(|vector| Severity {
            kind: cvss_kind(vector).to_string(),
            score: vector.clone(),
        })
        .collect();
    Ok(Advisory {
        schema_version: None,
        id: meta.id.clone(),
        modified: published,
        published: Some(published),
        withdrawn,
        aliases: meta.aliases,
        related: meta.related,
        upstream: Vec::new(),
        summary,
        details,
        severity,
        affected: vec![Affected {
            package: Some(Package {
                ecosystem: "crates.io".to_string(),
                name: meta.package.clone(),
                purl: Some(format!("pkg:cargo/{}", meta.package)),
            }),
            severity: Vec::new(),
            ranges: vec![Range {
                kind: "SEMVER".to_string(),
                repo: None,
                events,
                database_specific: None,
            }],
            versions: Vec::new(),
            ecosystem_specific: Some(json!({
                "affects": {"arch": affects.arch, "os": affects.os, "functions": affects.functions.keys().collect::<Vec<_>>()},
                "affected_functions": null,
            })),
            database_specific: Some(json!({
                "categories": meta.categories,
                "cvss": meta.cvss,
                "informational": meta.informational,
            })),
        }],
        references: references(&meta.id, &meta.package, meta.url, meta.references),
        credits: Vec::new(),
        database_specific: Some(
            json!({"license": meta.license.unwrap_or_else(|| "CC0-1.0".to_string())}),
        ),
    })
}

fn cvss_kind(vector: &str) -> &'static str {
    if vector.starts_with("CVSS:4") {
        "CVSS_V4"
    } else {
        "CVSS_V3"
    }
}

/// The export's references: the crate, the RustSec page, the advisory's URL, the rest.
fn references(id: &str, package: &str, url: Option<String>, rest: Vec<String>) -> Vec<Reference> {
    let fixed = [
        format!("https://crates.io/crates/{package}"),
        format!("https://rustsec.org/advisories/{id}.html"),
    ];
    fixed
        .into_iter()
        .chain(url)
        .chain(rest)
        .map(|url| Reference {
            kind: reference_kind(&url).to_string(),
            url,
        })
        .collect()
}

fn reference_kind(url: &str) -> &'static str {
    if (url.contains("://github.com/") || url.contains("://gitlab.")) && url.contains("/issues/") {
        "REPORT"
    } else if url.contains("/advisories/") || url.contains("://cve.mitre.org/") {
        "ADVISORY"
    } else if url.contains("://crates.io/crates/") {
        "PACKAGE"
    } else {
        "WEB"
    }
}

/// One end of an unaffected interval.
#[derive(Debug, Clone, PartialEq)]
enum Bound {
    Unbounded,
    Inclusive(Version),
    Exclusive(Version),
}

/// Turns the `patched` and `unaffected` requirements into the affected SEMVER
/// events: the complement of their union, as `introduced`/`fixed` pairs, the start
/// written `0.0.0-0` so pre-releases are included, as the export does.
fn affected_events(path: &Path, versions: &NativeVersions) -> Result<Vec<Event>, RustsecError> {
    let mut unaffected = Vec::new();
    for requirement in versions.unaffected.iter().chain(&versions.patched) {
        unaffected.push(interval(path, requirement)?);
    }
    unaffected.sort_by(|a, b| start_version(&a.0).cmp(&start_version(&b.0)));
    let mut events = Vec::new();
    let mut cursor = Some(with_zero_pre(Version::new(0, 0, 0)));
    for (start, end) in unaffected {
        let Some(from) = cursor.clone() else { break };
        let until = match &start {
            Bound::Unbounded => None,
            Bound::Inclusive(v) => Some(v.clone()),
            Bound::Exclusive(v) => Some(increment(v)),
        };
        match until {
            Some(until) if from.cmp_precedence(&until).is_le() => {
                events.push(Event::Introduced(from.to_string()));
                events.push(Event::Fixed(until.to_string()));
            }
            _ => {}
        }
        let next = match end {
            Bound::Unbounded => None,
            Bound::Inclusive(v) => Some(increment(&v)),
            Bound::Exclusive(v) => Some(v),
        };
        cursor = match (cursor, next) {
            (Some(c), Some(n)) if c.cmp_precedence(&n).is_gt() => Some(c),
            (_, next) => next,
        };
    }
    if let Some(from) = cursor {
        events.push(Event::Introduced(from.to_string()));
    }
    Ok(events)
}

/// The version an interval starts at; unbounded starts sort first.
fn start_version(bound: &Bound) -> Option<&Version> {
    match bound {
        Bound::Inclusive(v) | Bound::Exclusive(v) => Some(v),
        Bound::Unbounded => None,
    }
}

/// The smallest version above `v` in SemVer precedence: `1.2.3` -> `1.2.4-0`,
/// `1.2.3-alpha` -> `1.2.3-alpha.0`.
fn increment(v: &Version) -> Version {
    let mut next = Version::new(v.major, v.minor, v.patch);
    if v.pre.is_empty() {
        next.patch += 1;
        next.pre = Prerelease::new("0").unwrap_or(Prerelease::EMPTY);
    } else {
        next.pre = Prerelease::new(&format!("{}.0", v.pre)).unwrap_or_else(|_| v.pre.clone());
    }
    next
}

/// One requirement (`>= 1.2.3`, `^0.4`, `< 1.0, >= 0.9`, `=1.0`) as an unaffected interval.
fn interval(path: &Path, requirement: &str) -> Result<(Bound, Bound), RustsecError> {
    let bad = |message: String| RustsecError::BadRequirement {
        path: path.to_path_buf(),
        requirement: requirement.to_string(),
        message,
    };
    let req = VersionReq::parse(requirement).map_err(|e| bad(e.to_string()))?;
    let mut start = Bound::Unbounded;
    let mut end = Bound::Unbounded;
    for comparator in &req.comparators {
        let v = comparator_version(comparator);
        match comparator.op {
            Op::Greater => start = Bound::Exclusive(v),
            Op::GreaterEq => start = Bound::Inclusive(v),
            Op::Less => end = Bound::Exclusive(v),
            Op::LessEq => end = Bound::Inclusive(v),
            Op::Exact => {
                start = Bound::Inclusive(v.clone());
                end = Bound::Inclusive(v);
            }
            Op::Caret => {
                end = Bound::Exclusive(caret_end(comparator));
                start = Bound::Inclusive(v);
            }
            Op::Tilde => {
                end = Bound::Exclusive(tilde_end(comparator));
                start = Bound::Inclusive(v);
            }
            _ => return Err(bad(format!("operator of `{comparator}` is not supported"))),
        }
    }
    Ok((start, end))
}

fn comparator_version(c: &Comparator) -> Version {
    let mut v = Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
    v.pre = c.pre.clone();
    v
}

/// The exclusive end of `^x.y.z`, as `-0` so no pre-release of the next version is included.
fn caret_end(c: &Comparator) -> Version {
    let end = match (c.major, c.minor, c.patch) {
        (0, Some(0), Some(patch)) => Version::new(0, 0, patch + 1),
        (0, Some(minor), _) => Version::new(0, minor + 1, 0),
        (major, _, _) => Version::new(major + 1, 0, 0),
    };
    with_zero_pre(end)
}

/// The exclusive end of `~x.y.z`.
fn tilde_end(c: &Comparator) -> Version {
    let end = match c.minor {
        Some(minor) => Version::new(c.major, minor + 1, 0),
        None => Version::new(c.major + 1, 0, 0),
    };
    with_zero_pre(end)
}

fn with_zero_pre(mut v: Version) -> Version {
    v.pre = Prerelease::new("0").unwrap_or(Prerelease::EMPTY);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(patched: &[&str], unaffected: &[&str]) -> Vec<String> {
        let versions = NativeVersions {
            patched: patched.iter().map(|s| s.to_string()).collect(),
            unaffected: unaffected.iter().map(|s| s.to_string()).collect(),
        };
        affected_events(Path::new("t.md"), &versions)
            .unwrap()
            .iter()
            .map(|e| match e {
                Event::Introduced(v) => format!("+{v}"),
                Event::Fixed(v) => format!("-{v}"),
                other => format!("?{}", other.version()),
            })
            .collect()
    }

    #[test]
    fn nothing_patched_means_everything_affected() {
        assert_eq!(events(&[], &[]), ["+0.0.0-0"]);
    }

    #[test]
    fn patched_and_unaffected_become_ranges() {
        assert_eq!(events(&[">= 0.4.2"], &[]), ["+0.0.0-0", "-0.4.2"]);
        assert_eq!(events(&[">= 1.11.1"], &["< 1.2.1"]), ["+1.2.1", "-1.11.1"]);
        assert_eq!(
            events(&["^0.3.5", ">= 0.4.1"], &[]),
            ["+0.0.0-0", "-0.3.5", "+0.4.0-0", "-0.4.1"]
        );
        assert_eq!(events(&["> 1.0.0"], &[]), ["+0.0.0-0", "-1.0.1-0"]);
        assert_eq!(
            events(&["~1.2.3", ">= 2.0.0"], &["<= 1.0.0"]),
            ["+1.0.1-0", "-1.2.3", "+1.3.0-0", "-2.0.0"]
        );
        assert_eq!(events(&["=1.0.5"], &[]), ["+0.0.0-0", "-1.0.5", "+1.0.6-0"]);
    }

    #[test]
    fn increments_pre_releases() {
        assert_eq!(
            increment(&"1.2.3-alpha".parse().unwrap()).to_string(),
            "1.2.3-alpha.0"
        );
        assert_eq!(
            increment(&"1.2.3+build".parse().unwrap()).to_string(),
            "1.2.4-0"
        );
    }

    #[test]
    fn reads_a_native_record() {
        let text = "```toml\n[advisory]\nid = \"RUSTSEC-2020-0070\"\npackage = \"lock_api\"\naliases = [\"CVE-2020-35910\"]\ndate = \"2020-11-08\"\ninformational = \"unsound\"\nwithdrawn = \"2021-01-02\"\n\n[versions]\npatched = [\">= 0.4.2\"]\n```\n\n# Some guards race\n\nAffected versions had\nunsound impls.\n";
        let a = parse_markdown(Path::new("crates/lock_api/RUSTSEC-2020-0070.md"), text).unwrap();
        assert_eq!(a.summary.as_deref(), Some("Some guards race"));
        assert_eq!(
            a.details.as_deref(),
            Some("Affected versions had\nunsound impls.")
        );
        assert_eq!(
            a.published,
            Some(time::macros::datetime!(2020-11-08 12:00 UTC))
        );
        assert_eq!(
            a.withdrawn,
            Some(time::macros::datetime!(2021-01-02 12:00 UTC))
        );
        assert_eq!(a.kind(), crate::model::AnomalyKind::Unsound);
    }

    #[test]
    fn malformed_records_name_the_file() {
        let path = Path::new("crates/x/RUSTSEC-0000-0000.md");
        let cases = [
            "# no front matter",
            "```toml\n[advisory]\nid = 1\n```\n",
            "```toml\n[advisory]\nid = \"X\"\npackage = \"x\"\ndate = \"yesterday\"\n```\n",
            "```toml\n[advisory]\nid = \"X\"\npackage = \"x\"\ndate = \"2020-01-01\"\n[versions]\npatched = [\"nonsense\"]\n```\n",
            "```toml\n[advisory]\nid = \"X\"\n",
        ];
        let error =
            parse_markdown(path, "```toml\n[advisory]\nid = \"X\"\nid = \"Y\"\n```\n").unwrap_err();
        assert!(
            matches!(error, RustsecError::Toml { line: 4, .. }),
            "{error:?}"
        );
        for case in cases {
            let error = parse_markdown(path, case).unwrap_err().to_string();
            assert!(
                error.contains("RUSTSEC-0000-0000.md") && error.starts_with("failed to"),
                "{error}"
            );
        }
        assert!(
            is_crate_advisory(path)
                && !is_crate_advisory(Path::new("rust/std/RUSTSEC-2021-0001.md"))
        );
    }
}
