//! The open findings as SARIF 2.1.0, for code-scanning dashboards: one result
//! per anomaly that is new or due and per other open finding, each pointing at
//! the input file the SOUP was read from. One rule per advisory and per finding code.
//! The report does not know where in that file a package is written, so results
//! point at its first line (code scanning needs a `region.startLine`).
//!
//! Written with our own serde structs, one per SARIF object the tool writes
//! (named as the specification names them), holding only the properties it fills.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{AnomalyKind, Purl};
use crate::report::model::{
    AdvisorySource, AnomalyEntry, Item, Report, ReportError, printable, to_json,
};

const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The open findings of a report as a SARIF log; `artifact_uri` is the input file, e.g. `Cargo.lock`.
pub fn sarif(report: &Report, artifact_uri: &str) -> Result<serde_json::Value, ReportError> {
    to_json("SARIF", &log(report, artifact_uri))
}

fn log(report: &Report, artifact_uri: &str) -> SarifLog {
    let mut rules = BTreeMap::new();
    let mut results = Vec::new();
    for item in &report.items {
        for anomaly in item.anomalies.iter().filter(|anomaly| anomaly.needs_person) {
            rules
                .entry(anomaly.id.clone())
                .or_insert_with(|| advisory_rule(anomaly));
            results.push(anomaly_result(item, anomaly, artifact_uri));
        }
    }
    for finding in &report.open {
        rules
            .entry(finding.code.clone())
            .or_insert_with(|| ReportingDescriptor::bare(&finding.code));
        let text = format!("{}: {}", finding.subject, finding.message);
        results.push(SarifResult::new(
            &finding.code,
            Level::Warning,
            &text,
            artifact_uri,
        ));
    }
    // Rules are sorted by id, so a result's index is known only once every rule is in.
    let index: BTreeMap<&String, usize> = rules.keys().enumerate().map(|(i, id)| (id, i)).collect();
    for result in &mut results {
        result.rule_index = index[&result.rule_id];
    }
    SarifLog {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: ToolComponent {
                    name: "cargo-soup",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: rules.into_values().collect(),
                },
            },
            results,
        }],
    }
}

/// `sarifLog`: the top-level object.
#[derive(Serialize)]
struct SarifLog {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

/// `run`: one run of the tool and what it found.
#[derive(Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
}

/// `tool`: the tool that made the run.
#[derive(Serialize)]
struct Tool {
    driver: ToolComponent,
}

/// `toolComponent`: the tool's name and version, and the rules its results refer to.
#[derive(Serialize)]
struct ToolComponent {
    name: &'static str,
    version: &'static str,
    rules: Vec<ReportingDescriptor>,
}

/// `reportingDescriptor`: one rule, an advisory or a finding code.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RuleProperties>,
}

impl ReportingDescriptor {
    /// A rule known by its id alone: a finding code.
    fn bare(id: &str) -> Self {
        ReportingDescriptor {
            id: id.to_string(),
            short_description: None,
            full_description: None,
            help_uri: None,
            properties: None,
        }
    }
}

/// `message` and `multiformatMessageString`: plain text, the only form the tool writes.
#[derive(Serialize)]
struct Message {
    text: String,
}

/// The property bag of an advisory's rule: its kind as a tag, and the score
/// code scanning ranks security alerts by.
#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
}

/// `result`: one open finding, pointing at its rule and at the input file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: Level,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partial_fingerprints: Option<Fingerprints>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
}

impl SarifResult {
    /// A result of rule `rule_id` in `artifact_uri`; its rule index is set once every rule is known.
    fn new(rule_id: &str, level: Level, text: &str, artifact_uri: &str) -> Self {
        SarifResult {
            rule_id: rule_id.to_string(),
            rule_index: 0,
            level,
            message: Message {
                text: printable(text, false).into_owned(),
            },
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: artifact_uri.to_string(),
                    },
                    region: Region { start_line: 1 },
                },
            }],
            partial_fingerprints: None,
            properties: None,
        }
    }
}

/// `partialFingerprints`: what keeps an alert the same alert from one run to the next.
#[derive(Serialize)]
struct Fingerprints {
    /// `<anomaly id>|<item key>`.
    #[serde(rename = "soupAnomaly/v1")]
    soup_anomaly: String,
}

/// The property bag of an anomaly's result: its finding code, item and state.
#[derive(Serialize)]
struct ResultProperties {
    finding: &'static str,
    purl: Option<Purl>,
    state: &'static str,
}

/// `location`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

/// `physicalLocation`: the input file, and where in it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

/// `region`: the first line, since where a package is written in the file is not known.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

/// `artifactLocation`.
#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

/// `result.level`: how much an open finding matters to a dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Error,
    Warning,
}

fn advisory_rule(anomaly: &AnomalyEntry) -> ReportingDescriptor {
    let summary = anomaly.summary.as_deref().unwrap_or(&anomaly.id);
    ReportingDescriptor {
        id: anomaly.id.clone(),
        short_description: Some(Message {
            text: printable(summary, false).into_owned(),
        }),
        full_description: anomaly.details.as_ref().map(|details| Message {
            text: printable(details, true).into_owned(),
        }),
        help_uri: AdvisorySource::of(&anomaly.id).map(|source| source.url()),
        properties: Some(RuleProperties {
            tags: vec![anomaly.kind.as_str()],
            security_severity: anomaly
                .severity
                .as_ref()
                .map(|severity| format!("{:.1}", severity.base_score)),
        }),
    }
}

fn anomaly_result(item: &Item, anomaly: &AnomalyEntry, artifact_uri: &str) -> SarifResult {
    let component = &item.component;
    let code = anomaly
        .state
        .finding_code()
        .map(|c| c.as_str())
        .unwrap_or_default();
    let why = if anomaly.due_reasons.is_empty() {
        "it needs a hazard evaluation".to_string()
    } else {
        format!("its evaluation is due: {}", anomaly.due_reasons.join("; "))
    };
    let text = format!(
        "{} {} affects {} {}; {}.",
        anomaly.kind.as_str(),
        anomaly.id,
        component.name,
        component.version,
        why
    );
    SarifResult {
        partial_fingerprints: Some(Fingerprints {
            soup_anomaly: format!("{}|{}", anomaly.id, component.key()),
        }),
        properties: Some(ResultProperties {
            finding: code,
            purl: component.purl.clone(),
            state: anomaly.state.as_str(),
        }),
        ..SarifResult::new(&anomaly.id, level(anomaly.kind), &text, artifact_uri)
    }
}

/// `error` for vulnerabilities that need a person, `warning` for the informational kinds.
fn level(kind: AnomalyKind) -> Level {
    match kind {
        AnomalyKind::Vulnerability => Level::Error,
        AnomalyKind::Unsound | AnomalyKind::Unmaintained | AnomalyKind::Notice => Level::Warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{OpenFinding, SystemInfo};

    fn empty_report() -> Report {
        Report {
            control: Default::default(),
            retired: false,
            changes: None,
            system: SystemInfo {
                name: "s".into(),
                class: "B".into(),
                manufacturer: None,
            },
            generated: "2026-01-01".into(),
            release: None,
            advisory_data: Vec::new(),
            items: Vec::new(),
            uncovered: Vec::new(),
            open: Vec::new(),
        }
    }

    #[test]
    fn vulnerabilities_are_errors_and_informational_kinds_warnings() {
        assert_eq!(level(AnomalyKind::Vulnerability), Level::Error);
        assert_eq!(level(AnomalyKind::Unmaintained), Level::Warning);
        assert_eq!(level(AnomalyKind::Unsound), Level::Warning);
    }

    #[test]
    fn findings_with_one_code_share_one_rule() {
        let mut report = empty_report();
        for subject in ["a", "b"] {
            report.open.push(OpenFinding {
                code: "missing-specification".into(),
                subject: subject.into(),
                message: "m".into(),
            });
        }
        let log = log(&report, "Cargo.lock");
        assert_eq!(log.runs[0].tool.driver.rules.len(), 1);
        assert_eq!(log.runs[0].results[1].rule_index, 0);
        assert_eq!(log.runs[0].results[1].message.text, "b: m");
    }

    #[test]
    fn nothing_open_gives_an_empty_run() {
        let log = sarif(&empty_report(), "Cargo.lock").expect("log serialises");
        assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    }
}
