//! The evaluations as an OpenVEX 0.2.0 document: one statement per evaluated
//! anomaly, with the system as the product and the SOUP item as its subcomponent.
//! OpenVEX uses the CISA status and justification terms the record uses, so
//! nothing needs mapping.

use serde_json::{Value, json};

use crate::report::model::{AnomalyEntry, Evaluation, Item, Report, VexStatus};

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
    evaluation: &Evaluation,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AnomalyKind, Component, Ecosystem};
    use crate::report::model::{Action, AnomalyState, Support, VexJustification};

    fn header() -> OpenVexHeader {
        OpenVexHeader {
            id: "urn:example:vex".into(),
            author: "a".into(),
            timestamp: "2026-01-01T00:00:00Z".into(),
            product: "pkg:generic/device@1".into(),
        }
    }

    fn evaluated(
        status: VexStatus,
        justification: Option<VexJustification>,
    ) -> (Item, AnomalyEntry, Evaluation) {
        let evaluation = Evaluation {
            advisory: "RUSTSEC-2020-0071".into(),
            aliases: Vec::new(),
            purl: "pkg:cargo/time@0.1.45".into(),
            by: "b".into(),
            date: time::macros::date!(2026 - 01 - 01),
            review_by: time::macros::date!(2027 - 01 - 01),
            advisory_modified: "2025-01-01T00:00:00Z".into(),
            advisory_hash: format!("sha256:{}", "0".repeat(64)),
            hazardous: false,
            hazards: Vec::new(),
            risk_controls: Vec::new(),
            vex_status: status,
            vex_justification: justification,
            action: Action::None,
            rationale: "why".into(),
            carried_from: None,
        };
        let anomaly = AnomalyEntry {
            id: "RUSTSEC-2020-0071".into(),
            aliases: Vec::new(),
            kind: AnomalyKind::Vulnerability,
            summary: None,
            details: None,
            severity: None,
            fixed: Vec::new(),
            state: AnomalyState::Evaluated,
            needs_person: false,
            due_reasons: Vec::new(),
            evaluation: Some(evaluation.clone()),
            approved_by: Vec::new(),
            releases: Vec::new(),
        };
        let item = Item {
            component: Component::new(Ecosystem::CratesIo, "time", "0.1.45"),
            specification: None,
            support: Support::unknown("not stated"),
            anomalies: vec![anomaly.clone()],
        };
        (item, anomaly, evaluation)
    }

    #[test]
    fn not_affected_carries_justification_and_impact() {
        let (item, anomaly, evaluation) = evaluated(
            VexStatus::NotAffected,
            Some(VexJustification::ComponentNotPresent),
        );
        let statement = statement(&header(), &item, &anomaly, &evaluation);
        assert_eq!(statement["justification"], "component_not_present");
        assert_eq!(statement["impact_statement"], "why");
        assert!(statement.get("action_statement").is_none());
    }

    #[test]
    fn under_investigation_carries_neither() {
        let (item, anomaly, evaluation) = evaluated(VexStatus::UnderInvestigation, None);
        let statement = statement(&header(), &item, &anomaly, &evaluation);
        assert_eq!(statement["status"], "under_investigation");
        assert!(
            statement.get("justification").is_none() && statement.get("impact_statement").is_none()
        );
    }
}
