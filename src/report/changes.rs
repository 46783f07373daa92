//! The change analysis of IEC 62304 7.4 in the SOUP list: what changed since
//! the previous release, from the release diff, and which release that is.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::diff::SoupDiff;
use crate::evaluate::State;
use crate::record::Release;

/// SOUP and anomalies that changed between the compared release and this report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeAnalysis {
    /// The release compared with.
    pub since: String,
    /// `name version` of each item added, removed or changed (`name before -> after`).
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
    /// Items present on both sides with the same versions.
    pub unchanged: usize,
    /// `id in name version` of each anomaly introduced or resolved.
    pub introduced: Vec<String>,
    pub resolved: Vec<String>,
    pub persisting: Vec<PersistingAnomaly>,
}

/// An anomaly on both sides, and whether its earlier evaluation still applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersistingAnomaly {
    pub id: String,
    pub item: String,
    pub evaluation_applies: bool,
    /// Where it stands on this report's side (see [`crate::report::diff::Persisting::state`]).
    pub state: State,
}

impl PersistingAnomaly {
    /// Whether the earlier evaluation still applies, in the words of the
    /// change analysis: what is true of it, never a conclusion not reached.
    pub fn standing(&self) -> &'static str {
        match self.state {
            State::Evaluated => "yes",
            State::UnderInvestigation => "under investigation: not concluded",
            State::Due => "no: due for evaluation again",
            State::New => "no: not evaluated for this version",
        }
    }
}

/// The change analysis of a diff whose `before` side is the release `since`.
pub fn from_diff(since: &str, diff: &SoupDiff) -> ChangeAnalysis {
    let versions = |v: &[String]| v.join(", ");
    ChangeAnalysis {
        since: since.to_string(),
        added: diff
            .added
            .iter()
            .map(|p| format!("{} {}", p.name, versions(&p.versions)))
            .collect(),
        removed: diff
            .removed
            .iter()
            .map(|p| format!("{} {}", p.name, versions(&p.versions)))
            .collect(),
        changed: diff
            .changed
            .iter()
            .map(|c| {
                format!(
                    "{} {} -> {}",
                    c.name,
                    versions(&c.before),
                    versions(&c.after)
                )
            })
            .collect(),
        unchanged: diff.unchanged,
        introduced: diff
            .anomalies
            .introduced
            .iter()
            .map(|a| format!("{} in {} {}", a.id, a.name, a.version))
            .collect(),
        resolved: diff
            .anomalies
            .resolved
            .iter()
            .map(|a| format!("{} in {} {}", a.id, a.name, a.version))
            .collect(),
        persisting: diff
            .anomalies
            .persisting
            .iter()
            .map(|p| PersistingAnomaly {
                id: p.id.clone(),
                item: format!("{} {}", p.name, versions(&p.after)),
                evaluation_applies: p.evaluation_applies,
                state: p.state,
            })
            .collect(),
    }
}

/// Release order: by version (semver where both parse), then by date.
fn release_order(a: &Release, b: &Release) -> Ordering {
    let version = match (
        semver::Version::parse(&a.version),
        semver::Version::parse(&b.version),
    ) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => Ordering::Equal,
    };
    version.then(a.date.cmp(&b.date))
}

/// The release a report compares with: the one before `release`, or for the
/// working tree (`None`) the latest.
pub fn previous_release<'r>(releases: &'r [Release], release: Option<&str>) -> Option<&'r Release> {
    let mut ordered: Vec<&Release> = releases.iter().collect();
    ordered.sort_by(|a, b| release_order(a, b));
    match release {
        None => ordered.last().copied(),
        Some(version) => {
            let at = ordered.iter().position(|r| r.version == version)?;
            at.checked_sub(1).and_then(|i| ordered.get(i).copied())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn release(version: &str, date: time::Date) -> Release {
        Release {
            version: version.to_string(),
            sbom: format!("releases/{version}.json"),
            sha256: String::new(),
            date,
            retired: false,
        }
    }

    #[test]
    fn the_previous_release_is_by_version_then_date() {
        let releases = [
            release("1.10.0", date!(2026 - 03 - 01)),
            release("1.9.0", date!(2026 - 04 - 01)),
            release("2.0.0", date!(2026 - 02 - 01)),
        ];
        let previous = |v| previous_release(&releases, v).map(|r| r.version.as_str());
        assert_eq!(previous(Some("2.0.0")), Some("1.10.0"));
        assert_eq!(previous(Some("1.10.0")), Some("1.9.0"));
        assert_eq!(previous(Some("1.9.0")), None);
        assert_eq!(previous(None), Some("2.0.0"));
    }
}
