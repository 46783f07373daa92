//! The open findings as SARIF 2.1.0, for code-scanning dashboards: one result
//! per anomaly that is new or due and per other open finding, each pointing at
//! the input file the SOUP was read from. One rule per advisory and per finding code.
//! The report does not know where in that file a package is written, so results
//! point at its first line (code scanning needs a `region.startLine`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::AnomalyKind;
use crate::report::model::{AdvisorySource, AnomalyEntry, Item, Report, printable};

const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The open findings of a report as a SARIF log; `artifact_uri` is the input file, e.g. `Cargo.lock`.
pub fn sarif(report: &Report, artifact_uri: &str) -> Value {
    let mut rules = BTreeMap::new();
    let mut results = Vec::new();
    for item in &report.items {
        for anomaly in item.anomalies.iter().filter(|anomaly| anomaly.needs_person) {
            rules
                .entry(anomaly.id.clone())
                .or_insert_with(|| advisory_rule(anomaly));
            results.push((anomaly.id.clone(), anomaly_result(item, anomaly)));
        }
    }
    for finding in &report.open {
        rules
            .entry(finding.code.clone())
            .or_insert_with(|| json!({ "id": finding.code }));
        let message = printable(&format!("{}: {}", finding.subject, finding.message), false);
        results.push((
            finding.code.clone(),
            json!({ "level": "warning", "message": { "text": message } }),
        ));
    }
    let index: BTreeMap<&String, usize> = rules.keys().enumerate().map(|(i, id)| (id, i)).collect();
    let results: Vec<Value> = results
        .into_iter()
        .map(|(rule, mut result)| {
            result["ruleId"] = json!(rule);
            result["ruleIndex"] = json!(index.get(&rule));
            result["locations"] =
                json!([{ "physicalLocation": { "artifactLocation": { "uri": artifact_uri } } }]);
            result
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cargo-soup",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>(),
            } },
            "results": results,
        }],
    })
}

fn advisory_rule(anomaly: &AnomalyEntry) -> Value {
    let summary = printable(anomaly.summary.as_deref().unwrap_or(&anomaly.id), false);
    let mut rule = json!({
        "id": anomaly.id,
        "shortDescription": { "text": summary },
        "properties": { "tags": [anomaly.kind.as_str()] },
    });
    if let Some(details) = &anomaly.details {
        rule["fullDescription"] = json!({ "text": printable(details, true) });
    }
    if let Some(source) = AdvisorySource::of(&anomaly.id) {
        rule["helpUri"] = json!(source.url());
    }
    if let Some(severity) = &anomaly.severity {
        rule["properties"]["security-severity"] = json!(format!("{:.1}", severity.base_score));
    }
    rule
}

fn anomaly_result(item: &Item, anomaly: &AnomalyEntry) -> Value {
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
    json!({
        "level": level(anomaly.kind),
        "message": { "text": printable(&text, false) },
        "partialFingerprints": { "soupAnomaly/v1": format!("{}|{}", anomaly.id, component.key()) },
        "properties": { "finding": code, "purl": component.purl, "state": anomaly.state.as_str() },
    })
}

/// `error` for vulnerabilities that need a person, `warning` for the informational kinds.
fn level(kind: AnomalyKind) -> &'static str {
    match kind {
        AnomalyKind::Vulnerability => "error",
        AnomalyKind::Unsound | AnomalyKind::Unmaintained | AnomalyKind::Notice => "warning",
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
        assert_eq!(level(AnomalyKind::Vulnerability), "error");
        assert_eq!(level(AnomalyKind::Unmaintained), "warning");
        assert_eq!(level(AnomalyKind::Unsound), "warning");
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
        let log = sarif(&report, "Cargo.lock");
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert_eq!(log["runs"][0]["results"][1]["ruleIndex"], 0);
        assert_eq!(log["runs"][0]["results"][1]["message"]["text"], "b: m");
    }

    #[test]
    fn nothing_open_gives_an_empty_run() {
        let log = sarif(&empty_report(), "Cargo.lock");
        assert_eq!(log["runs"][0]["results"], json!([]));
    }
}
