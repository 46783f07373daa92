//! One audit: the components, matched against the advisory store, each anomaly
//! assessed against the record, and every finding. Pure: the advisory data is
//! gathered first ([`AdvisoryFacts`]); the caller prints the result and picks
//! the exit code.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use super::{ApprovalFacts, Assessment, Finding, FindingCode, Findings, State, assess};
use crate::advisory::matcher::{self, GroupHashes, find_anomalies_hashed};
use crate::advisory::osv::Advisory;
use crate::advisory::records;
use crate::evaluate::findings::data_age_days;
use crate::inventory::InputFormat;
use crate::model::{Component, Ecosystem};
use crate::record::RecordFile;
use crate::register::{RegisterError, SourceInfo, Store};

/// The advisory data an audit used, and how old it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataUsed {
    #[serde(flatten)]
    pub source: SourceInfo,
    /// Days between the data's date and the audit's `today`.
    pub age_days: Option<i64>,
    /// The ecosystems of the audited components this source holds records for.
    pub ecosystems: Vec<String>,
}

impl DataUsed {
    /// One line on the data an audit used, as the terminal notes it:
    /// "advisory data: rustsec: URL (812 records, 3 days old)".
    pub fn describe(&self) -> String {
        let age = self
            .age_days
            .map(|d| format!(", {d} days old"))
            .unwrap_or_default();
        format!(
            "advisory data: {}: {} ({} records{age})",
            self.source.name, self.source.location, self.source.record_count
        )
    }
}

/// How many anomalies are in each state: what an audit's summary line counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts {
    pub new: usize,
    pub due: usize,
    pub under_investigation: usize,
    pub evaluated: usize,
}

impl StateCounts {
    /// The counts of `assessments`, by state.
    pub fn of<'a>(assessments: impl IntoIterator<Item = &'a Assessment>) -> StateCounts {
        let mut counts = StateCounts::default();
        for a in assessments {
            *match a.state {
                State::New => &mut counts.new,
                State::Due => &mut counts.due,
                State::UnderInvestigation => &mut counts.under_investigation,
                State::Evaluated => &mut counts.evaluated,
            } += 1;
        }
        counts
    }

    /// How many anomalies were counted.
    pub fn total(&self) -> usize {
        self.new + self.due + self.under_investigation + self.evaluated
    }
}

/// The result of one audit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Audit {
    /// How many components were audited.
    pub components: usize,
    pub advisory_data: Vec<DataUsed>,
    pub assessments: Vec<Assessment>,
    pub findings: Findings,
    /// Ecosystems matched only on enumerated versions: no version order is known for them.
    pub unordered_ecosystems: Vec<String>,
}

/// How the audit treats what it finds.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Stale advisory data is reported but does not fail this run.
    pub allow_stale: bool,
}

/// What an audit needs from the advisory store, gathered before it runs, so
/// that the lifecycle is decided on data and never on a database.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryFacts {
    /// The records that affect any of the looked-up components (perhaps not
    /// this audit's: an audit matches only its own components).
    pub advisories: Vec<Advisory>,
    /// Every source in the store.
    pub sources: Vec<SourceInfo>,
    /// Which (source, ecosystem) pairs the store holds records for.
    pub coverage: Vec<(String, String)>,
    /// The ids (of the record's evaluations) whose advisory was withdrawn, with when.
    pub withdrawn: BTreeMap<String, String>,
    /// The signers file and the release SBOMs, which the record's approvals are checked against.
    pub approvals: ApprovalFacts,
    /// The components of the release baselines still in the field (not
    /// retired) that an evaluation names and the audited components do not
    /// pin: an evaluation an anomaly of theirs uses is not unused, for the
    /// record covers the whole fleet.
    pub in_field: Vec<Component>,
    /// The formats of the audited inputs some of whose items do not say
    /// whether they are direct, once each: what `directness-unknown` names.
    pub undirected: Vec<InputFormat>,
    /// The content hashes of the groups of `advisories` matched so far, for
    /// the next audit on these facts.
    pub hashes: GroupHashes,
}

impl AdvisoryFacts {
    /// Reads from `store` what auditing `looked_up` needs, each record read
    /// and parsed once however many audits share it, and whether any of
    /// `evaluated` (the ids the record's evaluations name) was withdrawn.
    /// `looked_up` holds every component of those audits and of their
    /// [`AdvisoryFacts::in_field`], which the caller sets for each audit.
    pub fn gather<'c>(
        store: &Store,
        looked_up: impl IntoIterator<Item = &'c Component>,
        evaluated: &[String],
    ) -> Result<AdvisoryFacts, RegisterError> {
        let mut withdrawn = BTreeMap::new();
        for id in evaluated {
            if let Some(when) = records::lookup(store, id)?.and_then(|a| a.withdrawn) {
                withdrawn.insert(id.clone(), crate::register::stamp(when));
            }
        }
        Ok(AdvisoryFacts {
            advisories: records::advisories_for(store, looked_up)?,
            sources: store.sources()?,
            coverage: store.coverage()?,
            withdrawn,
            approvals: ApprovalFacts::default(),
            in_field: Vec::new(),
            undirected: Vec::new(),
            hashes: GroupHashes::default(),
        })
    }
}

/// Audits `components` against the advisory `facts` and the record on `today`.
pub fn do_audit(
    components: &[Component],
    record: Option<&RecordFile>,
    facts: &mut AdvisoryFacts,
    today: Date,
    options: &AuditOptions,
) -> Audit {
    let record_file = record;
    let record = record_file.map(RecordFile::record);
    let anomalies = find_anomalies_hashed(components, &facts.advisories, &mut facts.hashes);
    let pinned: BTreeSet<&str> = components.iter().filter_map(Component::purl_str).collect();
    let assessments = assess(anomalies, record, today, &pinned);
    let policy = record.map(|r| r.policy.clone()).unwrap_or_default();

    let ecosystems: BTreeSet<String> = components
        .iter()
        .filter(|c| c.is_matchable())
        .map(|c| c.ecosystem.osv_name().to_string())
        .collect();
    let in_use =
        |(name, eco): &(String, String), source: &str| name == source && ecosystems.contains(eco);
    let used: Vec<&SourceInfo> = facts
        .sources
        .iter()
        .filter(|s| facts.coverage.iter().any(|pair| in_use(pair, &s.name)))
        .collect();
    let covered: BTreeSet<&String> = facts.coverage.iter().map(|(_, eco)| eco).collect();
    let uncovered: Vec<String> = ecosystems
        .iter()
        .filter(|e| !covered.contains(e))
        .cloned()
        .collect();

    let mut findings = Findings::default();
    findings.check_anomalies(&assessments);
    let used_sources: Vec<SourceInfo> = used.iter().map(|s| (*s).clone()).collect();
    findings.check_advisory_data(&used_sources, today, policy.max_advisory_age_days);
    findings.check_coverage(&uncovered);
    findings.check_uncovered(record, components);
    if let Some(record_file) = record_file {
        let record = record_file.record();
        findings.check_specifications(record, components, &facts.undirected);
        let in_field = find_anomalies_hashed(&facts.in_field, &facts.advisories, &mut facts.hashes);
        findings.check_unused(record, &assessments, &in_field, &facts.withdrawn);
        let evaluations = assessments.iter().filter_map(|a| a.evaluation.as_ref());
        findings.check_approvals(&facts.approvals.input(record, evaluations.collect()));
        if !record_file.is_canonical() {
            findings.push(
                FindingCode::RecordNotCanonical,
                record_file.path().display().to_string(),
                "run `cargo soup fmt` so that reviews show only real changes",
            );
        }
        findings.waive_for_class(record.system.class);
    }
    if options.allow_stale {
        findings.waive(FindingCode::AdvisoryDataStale);
    }
    findings.sort();

    Audit {
        components: components.len(),
        advisory_data: used_sources
            .into_iter()
            .map(|source| DataUsed {
                age_days: data_age_days(&source, today),
                ecosystems: facts
                    .coverage
                    .iter()
                    .filter(|pair| in_use(pair, &source.name))
                    .map(|(_, eco)| eco.clone())
                    .collect(),
                source,
            })
            .collect(),
        assessments,
        findings,
        unordered_ecosystems: matcher::unordered_ecosystems(components)
            .iter()
            .map(Ecosystem::to_string)
            .collect(),
    }
}

impl Audit {
    /// True when something needs a person: the audit exits 1.
    pub fn needs_person(&self) -> bool {
        self.findings.need_person()
    }

    /// The anomalies in `state`.
    pub fn in_state(&self, state: State) -> impl Iterator<Item = &Assessment> {
        self.assessments.iter().filter(move |a| a.state == state)
    }

    /// The findings that are not about a single anomaly.
    pub fn other_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .0
            .iter()
            .filter(|f| !f.code.is_anomaly_state())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::test_assessment;

    #[test]
    fn the_data_used_says_its_age_when_known() {
        let mut data = DataUsed {
            source: SourceInfo {
                name: "osv:Go".into(),
                location: "go.zip".into(),
                fetched_at: "2026-11-24T09:00:00Z".into(),
                data_date: "2026-11-21".into(),
                etag: None,
                last_modified: None,
                content_sha256: String::new(),
                record_count: 12,
                skipped: Vec::new(),
            },
            age_days: Some(3),
            ecosystems: vec!["Go".into()],
        };
        assert_eq!(
            data.describe(),
            "advisory data: osv:Go: go.zip (12 records, 3 days old)"
        );
        data.age_days = None;
        assert_eq!(
            data.describe(),
            "advisory data: osv:Go: go.zip (12 records)"
        );
    }

    #[test]
    fn counts_each_state_once() {
        let states = [State::New, State::Due, State::New, State::Evaluated];
        let assessments: Vec<Assessment> = states.iter().map(|s| test_assessment(*s)).collect();
        let counts = StateCounts::of(&assessments);
        assert_eq!(
            counts,
            StateCounts {
                new: 2,
                due: 1,
                under_investigation: 0,
                evaluated: 1
            }
        );
        assert_eq!(counts.total(), 4);
    }
}
