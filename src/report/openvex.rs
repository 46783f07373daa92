//! The evaluations as an OpenVEX 0.2.0 document: one statement per evaluated
//! anomaly, with the system as the product and the SOUP item as its subcomponent.
//! OpenVEX uses the CISA status and justification terms the record uses, so
//! nothing needs mapping.

use serde_json::{Value, json};

use crate::report::model::{AnomalyEntry, EvaluationEntry, Item, Report, VexStatus};

/// What identifies an OpenVEX document, chosen by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenVexHeader {
    /// The document's IRI (`@id`).
    pub id: String,
    pub author: String,
    /// RFC 3339 date-time of issue.
    pub timestamp: String,
    /// The IRI (e.g. a purl) of the system the statements are about.
    pub product: String,
}

/// The OpenVEX document of a report's evaluations.
pub fn openvex(report: &Report, header: &OpenVexHeader) -> Value {
    let statements: Vec<Value> = report
        .items
        .iter()
        .flat_map(|item| {
            item.anomalies.iter().filter_map(move |anomaly| {
                let evaluation = anomaly.evaluation.as_ref()?;
                Some(statement(header, item, anomaly, evaluation))
            })
        })
        .collect();
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": header.id,
        "author": header.author,
        "timestamp": header.timestamp,
        "version": 1,
        "tooling": format!("cargo-soup {}", env!("CARGO_PKG_VERSION")),
        "statements": statements,
    })
}

fn statement(
    header: &OpenVexHeader,
    item: &Item,
    anomaly: &AnomalyEntry,
    evaluation: &EvaluationEntry,
) -> Value {
    let mut statement = json!({
        "vulnerability": { "name": anomaly.id, "aliases": anomaly.aliases },
        "products": [{ "@id": header.product, "subcomponents": [{ "@id": item.component.key() }] }],
        "status": evaluation.vex_status.as_str(),
        "status_notes": format!("Evaluated by {} on {}; review by {}.", evaluation.by, evaluation.date, evaluation.review_by),
    });
    match evaluation.vex_status {
        VexStatus::NotAffected => {
            if let Some(justification) = evaluation.vex_justification {
                statement["justification"] = json!(justification.as_str());
            }
            statement["impact_statement"] = json!(evaluation.rationale);
        }
        VexStatus::Affected => {
            statement["action_statement"] = json!(format!(
                "{}: {}",
                evaluation.action.as_str(),
                evaluation.rationale
            ));
        }
        VexStatus::Fixed | VexStatus::UnderInvestigation => {}
    }
    statement
}
