//! The SOUP as a CycloneDX 1.6 JSON BOM with embedded VEX: every SOUP item a
//! component, every (anomaly, item) pair a vulnerability with the engineer's
//! analysis. Written with our own serde structs because the `cyclonedx-bom`
//! crate in our dependencies (0.8) writes specification versions up to 1.5 only.
//!
//! Mapping of the evaluation (DESIGN.md §7) to CycloneDX `analysis`:
//!
//! | evaluation | CycloneDX |
//! |---|---|
//! | status `not_affected` / `affected` / `fixed` / `under_investigation` | state `not_affected` / `exploitable` / `resolved` / `in_triage` |
//! | no evaluation yet | state `in_triage` |
//! | `component_not_present` | justification `code_not_present` (CycloneDX has no component-level term) |
//! | `vulnerable_code_not_present` | `code_not_present` |
//! | `vulnerable_code_not_in_execute_path` | `code_not_reachable` |
//! | `vulnerable_code_cannot_be_controlled_by_adversary` | `requires_environment` (the attack needs control the environment does not give) |
//! | `inline_mitigations_already_exist` | `protected_by_mitigating_control` |
//! | action `update` / `mitigate` | response `update` / `workaround_available` |
//! | action `none` with status `affected` | response `will_not_fix` (otherwise no response) |
//!
//! The CISA justification itself is kept in the property `cargo-soup:vex-justification`,
//! so nothing is lost in the mapping. An evaluation that is due again keeps its
//! analysis (the latest one recorded) and says so in `cargo-soup:state` and `detail`.

use serde::Serialize;

use crate::digest::sha256_hex;
use crate::model::{Component, Purl};
use crate::report::document::is_plain_http_url;
use crate::report::model::{
    Action, AdvisorySource, AnomalyEntry, Evaluation, Report, ReportError, Support,
    VexJustification, VexStatus, to_json,
};

/// The serial number of an export of `report` made at `timestamp`: a
/// `urn:uuid:` from the system, the release and the time, so that the same
/// export can be reproduced, and two different ones are told apart.
pub fn serial_number(report: &Report, timestamp: &str) -> String {
    let identity = format!(
        "{}\n{}\n{}",
        report.system.name,
        report.release.as_deref().unwrap_or("working tree"),
        timestamp
    );
    urn_uuid(&identity)
}

/// A `urn:uuid:` in the UUID's shape, from the digest of `identity`.
fn urn_uuid(identity: &str) -> String {
    let digest = sha256_hex(identity.as_bytes());
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &digest[0..8],
        &digest[8..12],
        &digest[12..16],
        &digest[16..20],
        &digest[20..32]
    )
}

/// The CycloneDX BOM of a report. `serial` is a `urn:uuid:` and `timestamp` an RFC 3339 date-time.
pub fn cyclonedx(
    report: &Report,
    serial: &str,
    timestamp: &str,
) -> Result<serde_json::Value, ReportError> {
    let bom = Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: serial.to_string(),
        version: 1,
        metadata: metadata(report, timestamp),
        components: components(report),
        vulnerabilities: vulnerabilities(report),
    };
    to_json("CycloneDX", &bom)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<CdxComponent>,
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Serialize)]
struct Metadata {
    timestamp: String,
    tools: Tools,
    component: CdxComponent,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<CdxComponent>,
}

#[derive(Serialize)]
struct Entity {
    name: String,
}

#[derive(Serialize)]
struct License {
    expression: String,
}

#[derive(Serialize)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct CdxComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Entity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<Entity>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpe: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<Purl>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Reference {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source>,
}

#[derive(Serialize)]
struct Rating {
    score: f64,
    severity: &'static str,
    method: &'static str,
    vector: String,
}

#[derive(Serialize)]
struct Affects {
    #[serde(rename = "ref")]
    reference: String,
}

#[derive(Serialize)]
struct Analysis {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    response: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[derive(Serialize)]
struct Vulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ratings: Vec<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    analysis: Analysis,
    affects: Vec<Affects>,
    properties: Vec<Property>,
}

fn metadata(report: &Report, timestamp: &str) -> Metadata {
    let tool = CdxComponent {
        kind: "application",
        name: "cargo-soup".to_string(),
        version: Some(env!("CARGO_PKG_VERSION").to_string()),
        ..CdxComponent::default()
    };
    let system = CdxComponent {
        kind: "application",
        bom_ref: Some("system".to_string()),
        manufacturer: report
            .system
            .manufacturer
            .clone()
            .map(|name| Entity { name }),
        name: report.system.name.clone(),
        version: report.release.clone(),
        properties: vec![Property {
            name: "cargo-soup:safety-class",
            value: report.system.class.clone(),
        }],
        ..CdxComponent::default()
    };
    Metadata {
        timestamp: timestamp.to_string(),
        tools: Tools {
            components: vec![tool],
        },
        component: system,
    }
}

fn components(report: &Report) -> Vec<CdxComponent> {
    let covered = report.items.iter().map(|item| {
        let spec = item.specification.as_ref();
        let mut component = component(&item.component, &item.support);
        component.description = spec.map(|s| s.purpose.clone());
        component.external_references = spec
            .and_then(|s| s.website.clone())
            .filter(|url| is_plain_http_url(url))
            .map(|url| ExternalReference {
                kind: "website",
                url,
            })
            .into_iter()
            .collect();
        component
    });
    let uncovered = report.uncovered.iter().map(|item| {
        let support = Support::unknown("no machine-readable anomaly list covers it");
        component(&item.component, &support)
    });
    covered.chain(uncovered).collect()
}

fn component(component: &Component, support: &Support) -> CdxComponent {
    CdxComponent {
        kind: "library",
        bom_ref: Some(component.key().into_owned()),
        supplier: component.supplier.clone().map(|name| Entity { name }),
        name: component.name.clone(),
        version: Some(component.version.clone()),
        licenses: component
            .licenses
            .clone()
            .map(|expression| License { expression })
            .into_iter()
            .collect(),
        cpe: component.cpe.clone(),
        purl: component.purl.clone(),
        properties: vec![
            Property {
                name: "cargo-soup:support-level",
                value: support.level.as_str().to_string(),
            },
            Property {
                name: "cargo-soup:support-evidence",
                value: support.evidence.clone(),
            },
            Property {
                name: "cargo-soup:end-of-support",
                value: support.end_of_support.clone(),
            },
        ],
        ..CdxComponent::default()
    }
}

fn vulnerabilities(report: &Report) -> Vec<Vulnerability> {
    report
        .items
        .iter()
        .flat_map(|item| {
            let key = item.component.key();
            item.anomalies
                .iter()
                .map(move |anomaly| vulnerability(anomaly, &key))
        })
        .collect()
}

fn source(id: &str) -> Option<Source> {
    AdvisorySource::of(id).map(|source| Source {
        name: source.name,
        url: source.url(),
    })
}

fn vulnerability(anomaly: &AnomalyEntry, component_ref: &str) -> Vulnerability {
    let references = anomaly
        .aliases
        .iter()
        .map(|alias| Reference {
            id: alias.clone(),
            source: source(alias),
        })
        .collect();
    let ratings = anomaly
        .severity
        .iter()
        .map(|s| Rating {
            score: s.base_score,
            severity: severity(&s.severity),
            method: cvss_method(&s.vector),
            vector: s.vector.clone(),
        })
        .collect();
    Vulnerability {
        bom_ref: format!("{}@{component_ref}", anomaly.id),
        id: anomaly.id.clone(),
        source: source(&anomaly.id),
        references,
        ratings,
        description: anomaly.summary.clone(),
        detail: anomaly.details.clone(),
        recommendation: (!anomaly.fixed.is_empty())
            .then(|| format!("Update to a fixed version: {}", anomaly.fixed.join(", "))),
        analysis: analysis(anomaly),
        affects: vec![Affects {
            reference: component_ref.to_string(),
        }],
        properties: properties(anomaly),
    }
}

fn properties(anomaly: &AnomalyEntry) -> Vec<Property> {
    let mut properties = vec![
        Property {
            name: "cargo-soup:kind",
            value: anomaly.kind.as_str().to_string(),
        },
        Property {
            name: "cargo-soup:state",
            value: anomaly.state.as_str().to_string(),
        },
    ];
    // The second person who approved the VEX analysis: CycloneDX has no field for it.
    properties.extend(anomaly.approved_by.iter().map(|by| Property {
        name: "cargo-soup:approved-by",
        value: by.clone(),
    }));
    let justification = anomaly
        .evaluation
        .as_ref()
        .and_then(|e| e.vex_justification);
    if let Some(justification) = justification {
        properties.push(Property {
            name: "cargo-soup:vex-justification",
            value: justification.as_str().to_string(),
        });
    }
    properties
}

fn analysis(anomaly: &AnomalyEntry) -> Analysis {
    let Some(evaluation) = &anomaly.evaluation else {
        return Analysis {
            state: "in_triage",
            justification: None,
            response: Vec::new(),
            detail: Some("Not evaluated yet.".to_string()),
        };
    };
    let justification = match evaluation.vex_status {
        VexStatus::NotAffected => evaluation.vex_justification.map(justification),
        _ => None,
    };
    Analysis {
        state: state(evaluation.vex_status),
        justification,
        response: response(evaluation).into_iter().collect(),
        detail: Some(detail(anomaly, evaluation)),
    }
}

/// CycloneDX `impactAnalysisState` of a VEX status.
fn state(status: VexStatus) -> &'static str {
    match status {
        VexStatus::NotAffected => "not_affected",
        VexStatus::Affected => "exploitable",
        VexStatus::Fixed => "resolved",
        VexStatus::UnderInvestigation => "in_triage",
    }
}

/// CycloneDX `impactAnalysisJustification` closest to a CISA justification.
fn justification(justification: VexJustification) -> &'static str {
    match justification {
        VexJustification::ComponentNotPresent | VexJustification::VulnerableCodeNotPresent => {
            "code_not_present"
        }
        VexJustification::VulnerableCodeNotInExecutePath => "code_not_reachable",
        VexJustification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
        VexJustification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
    }
}

fn response(evaluation: &Evaluation) -> Option<&'static str> {
    match (evaluation.action, evaluation.vex_status) {
        (Action::Update, _) => Some("update"),
        (Action::Mitigate, _) => Some("workaround_available"),
        (Action::None, VexStatus::Affected) => Some("will_not_fix"),
        (Action::None, _) => None,
    }
}

fn detail(anomaly: &AnomalyEntry, evaluation: &Evaluation) -> String {
    let mut detail = format!(
        "{} Can contribute to a hazardous situation: {}. Hazards: {}. Risk controls: {}. Evaluated by {} on {}, review by {}.",
        evaluation.rationale,
        if evaluation.hazardous { "yes" } else { "no" },
        list_or_none(&evaluation.hazards),
        list_or_none(&evaluation.risk_controls),
        evaluation.by,
        evaluation.date,
        evaluation.review_by,
    );
    if !anomaly.due_reasons.is_empty() {
        detail.push_str(&format!(
            " Re-evaluation due: {}.",
            anomaly.due_reasons.join("; ")
        ));
    }
    detail
}

fn list_or_none(values: &[String]) -> String {
    if values.is_empty() {
        "none".to_string()
    } else {
        values.join(", ")
    }
}

/// CycloneDX `severity`: its enum has `medium` where OSV and GitHub say `moderate`.
fn severity(rating: &str) -> &'static str {
    match rating.to_ascii_lowercase().as_str() {
        "critical" => "critical",
        "high" => "high",
        "medium" | "moderate" => "medium",
        "low" => "low",
        "none" => "none",
        "info" | "informational" => "info",
        _ => "unknown",
    }
}

/// CycloneDX `scoreMethod` of a CVSS vector, by its version prefix.
fn cvss_method(vector: &str) -> &'static str {
    if vector.starts_with("CVSS:4.0/") {
        "CVSSv4"
    } else if vector.starts_with("CVSS:3.1/") {
        "CVSSv31"
    } else if vector.starts_with("CVSS:3.0/") {
        "CVSSv3"
    } else if vector.starts_with("AV:") {
        "CVSSv2"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_have_the_uuid_shape() {
        let serial = urn_uuid("pump\n1.4.0\n2026-11-24T00:00:00Z");
        let uuid = serial.strip_prefix("urn:uuid:").unwrap();
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(serial, urn_uuid("pump\n1.4.0\n2026-11-24T00:00:00Z"));
    }

    #[test]
    fn cvss_versions_name_their_method() {
        assert_eq!(
            cvss_method("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            "CVSSv31"
        );
        assert_eq!(
            cvss_method("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            "CVSSv3"
        );
        assert_eq!(
            cvss_method("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            "CVSSv4"
        );
        assert_eq!(cvss_method("AV:N/AC:L/Au:N/C:P/I:P/A:P"), "CVSSv2");
    }

    #[test]
    fn moderate_is_medium() {
        assert_eq!(severity("MODERATE"), "medium");
        assert_eq!(severity("bogus"), "unknown");
    }

    #[test]
    fn every_vex_status_has_a_cyclonedx_state() {
        assert_eq!(state(VexStatus::NotAffected), "not_affected");
        assert_eq!(state(VexStatus::Affected), "exploitable");
        assert_eq!(state(VexStatus::Fixed), "resolved");
        assert_eq!(state(VexStatus::UnderInvestigation), "in_triage");
    }
}
