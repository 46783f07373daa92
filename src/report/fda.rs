//! The FDA SBOM addendum: one CSV row per component with the facts the FDA's
//! premarket cybersecurity guidance asks of each: the asset it is part of,
//! its manufacturer, level of support, end of support, and every known
//! vulnerability with its assessment. The plain CSV stays one row per anomaly
//! for spreadsheets; this one is the table a submission carries, under the
//! same document control block as the plain CSV.

use super::csv::{document_control, row};
use super::model::{AnomalyEntry, Report};

const HEADER: &[&str] = &[
    "asset",
    "name",
    "version",
    "purl",
    "manufacturer",
    "support_level",
    "support_evidence",
    "end_of_support",
    "known_vulnerabilities",
    "assessments",
];

/// The addendum: document control, a header, then one row per SOUP item (covered or not).
pub fn fda_csv(report: &Report) -> String {
    let asset = match &report.release {
        Some(release) => format!("{} {release}", report.system.name),
        None => format!("{} (working tree)", report.system.name),
    };
    let mut out = document_control(report);
    out.push_str(&row(HEADER.iter().map(|h| h.to_string()).collect()));
    for item in &report.items {
        let c = &item.component;
        let manufacturer = item
            .specification
            .as_ref()
            .and_then(|s| s.manufacturer.clone())
            .or_else(|| c.supplier.clone())
            .unwrap_or_default();
        out.push_str(&row(vec![
            asset.clone(),
            c.name.clone(),
            c.version.clone(),
            c.purl_str().unwrap_or_default().to_string(),
            manufacturer,
            item.support.level.as_str().to_string(),
            item.support.evidence.clone(),
            item.support.end_of_support.clone(),
            item.anomalies
                .iter()
                .map(|a| a.id.clone())
                .collect::<Vec<_>>()
                .join("; "),
            item.anomalies
                .iter()
                .map(assessment)
                .collect::<Vec<_>>()
                .join("; "),
        ]));
    }
    for uncovered in &report.uncovered {
        let c = &uncovered.component;
        out.push_str(&row(vec![
            asset.clone(),
            c.name.clone(),
            c.version.clone(),
            c.purl_str().unwrap_or_default().to_string(),
            c.supplier.clone().unwrap_or_default(),
            "unknown".to_string(),
            "no machine-readable anomaly list covers it".to_string(),
            "unknown".to_string(),
            "not known: no machine-readable anomaly list".to_string(),
            String::new(),
        ]));
    }
    out
}

/// `ID: vex status (justification), hazardous yes|no, rationale`, or that none is recorded.
fn assessment(anomaly: &AnomalyEntry) -> String {
    match &anomaly.evaluation {
        None => format!("{}: not assessed ({})", anomaly.id, anomaly.state.as_str()),
        Some(e) => {
            let justification = e
                .vex_justification
                .map_or(String::new(), |j| format!(" ({})", j.as_str()));
            format!(
                "{}: {}{justification}, hazardous {}, {}",
                anomaly.id,
                e.vex_status.as_str(),
                if e.hazardous { "yes" } else { "no" },
                e.rationale.lines().next().unwrap_or_default()
            )
        }
    }
}
