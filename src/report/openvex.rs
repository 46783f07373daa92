//! The evaluations as an OpenVEX 0.2.0 document: one statement per evaluated
//! anomaly, with the system as the product and the SOUP item as its subcomponent.
//! OpenVEX uses the CISA status and justification terms the record uses, so
//! nothing needs mapping. Written with our own serde structs, holding only the
//! OpenVEX fields the tool fills.

use serde::Serialize;

use crate::report::model::{
    AnomalyEntry, Evaluation, Item, Report, ReportError, VexJustification, VexStatus, to_json,
};

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

impl OpenVexHeader {
    /// The header of `report`'s document `id` issued at `timestamp`: the
    /// manufacturer (else the system) is its author, the system its product.
    pub fn of(report: &Report, id: String, timestamp: String) -> OpenVexHeader {
        OpenVexHeader {
            id,
            author: report
                .system
                .manufacturer
                .clone()
                .unwrap_or_else(|| report.system.name.clone()),
            timestamp,
            product: format!("pkg:generic/{}", report.system.name),
        }
    }
}

/// The OpenVEX document of a report's evaluations.
pub fn openvex(report: &Report, header: &OpenVexHeader) -> Result<serde_json::Value, ReportError> {
    let statements = report
        .items
        .iter()
        .flat_map(|item| {
            item.anomalies.iter().filter_map(move |anomaly| {
                let evaluation = anomaly.evaluation.as_ref()?;
                Some(statement(header, item, anomaly, evaluation))
            })
        })
        .collect();
    let document = Document {
        context: "https://openvex.dev/ns/v0.2.0",
        id: &header.id,
        author: &header.author,
        timestamp: &header.timestamp,
        version: 1,
        tooling: format!("cargo-soup {}", env!("CARGO_PKG_VERSION")),
        statements,
    };
    to_json("OpenVEX", &document)
}

/// The document: who issued it, when, and its statements.
#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: &'a str,
    author: &'a str,
    timestamp: &'a str,
    version: u32,
    tooling: String,
    statements: Vec<Statement<'a>>,
}

/// One statement: the status of one anomaly in one SOUP item of the product.
#[derive(Serialize)]
struct Statement<'a> {
    vulnerability: Vulnerability<'a>,
    products: Vec<Product<'a>>,
    status: VexStatus,
    status_notes: String,
    /// Only for `not_affected`, where the record gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<VexJustification>,
    /// Only for `not_affected`: the engineer's rationale.
    #[serde(skip_serializing_if = "Option::is_none")]
    impact_statement: Option<&'a str>,
    /// Only for `affected`: the action and its rationale.
    #[serde(skip_serializing_if = "Option::is_none")]
    action_statement: Option<String>,
}

/// The anomaly a statement is about, by its id and aliases.
#[derive(Serialize)]
struct Vulnerability<'a> {
    name: &'a str,
    aliases: &'a [String],
}

/// The system, with the SOUP item the statement is about as its subcomponent.
#[derive(Serialize)]
struct Product<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
    subcomponents: Vec<Subcomponent>,
}

/// A SOUP item, by its key (the purl where it has one).
#[derive(Serialize)]
struct Subcomponent {
    #[serde(rename = "@id")]
    id: String,
}

fn statement<'a>(
    header: &'a OpenVexHeader,
    item: &'a Item,
    anomaly: &'a AnomalyEntry,
    evaluation: &'a Evaluation,
) -> Statement<'a> {
    let not_affected = evaluation.vex_status == VexStatus::NotAffected;
    Statement {
        vulnerability: Vulnerability {
            name: &anomaly.id,
            aliases: &anomaly.aliases,
        },
        products: vec![Product {
            id: &header.product,
            subcomponents: vec![Subcomponent {
                id: item.component.key().into_owned(),
            }],
        }],
        status: evaluation.vex_status,
        status_notes: format!(
            "Evaluated by {} on {}; review by {}.",
            evaluation.by, evaluation.date, evaluation.review_by
        ),
        justification: evaluation.vex_justification.filter(|_| not_affected),
        impact_statement: not_affected.then_some(evaluation.rationale.as_str()),
        action_statement: (evaluation.vex_status == VexStatus::Affected)
            .then(|| format!("{}: {}", evaluation.action.as_str(), evaluation.rationale)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AnomalyKind, Component, Ecosystem};
    use crate::report::model::{Action, AnomalyState, Support};

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
            covered_by: None,
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
        let header = header();
        let statement = statement(&header, &item, &anomaly, &evaluation);
        assert_eq!(
            statement.justification,
            Some(VexJustification::ComponentNotPresent)
        );
        assert_eq!(statement.impact_statement, Some("why"));
        assert_eq!(statement.action_statement, None);
    }

    #[test]
    fn under_investigation_carries_neither() {
        let (item, anomaly, evaluation) = evaluated(VexStatus::UnderInvestigation, None);
        let header = header();
        let statement = statement(&header, &item, &anomaly, &evaluation);
        assert_eq!(statement.status, VexStatus::UnderInvestigation);
        assert_eq!(
            (statement.justification, statement.impact_statement),
            (None, None)
        );
    }
}
