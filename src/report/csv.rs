//! The SOUP list as CSV for spreadsheets: the document control block, an
//! empty line, then the table, one row per (SOUP item, anomaly) and one row
//! for an item without anomalies. RFC 4180 quoting (CRLF line ends) and
//! formula-injection neutralisation are written here: the crate has no CSV
//! dependency and this is the whole of what it would do for us.

use crate::model::Component;
use crate::report::model::{AnomalyEntry, Item, Report, printable};

const HEADER: &[&str] = &[
    "name",
    "version",
    "purl",
    "ecosystem",
    "licence",
    "supplier",
    "anomaly_list",
    "specified",
    "support",
    "end_of_support",
    "anomaly",
    "aliases",
    "kind",
    "summary",
    "severity",
    "score",
    "fixed",
    "state",
    "due_reasons",
    "releases",
    "evaluated_by",
    "evaluated_on",
    "review_by",
    "hazardous",
    "hazards",
    "risk_controls",
    "vex_status",
    "vex_justification",
    "action",
    "rationale",
];

/// The SOUP list as CSV: document control, then one row per item and anomaly.
pub fn csv(report: &Report) -> String {
    let mut out = document_control(report);
    out.push_str(&row(HEADER.iter().map(|name| name.to_string()).collect()));
    for item in &report.items {
        if item.anomalies.is_empty() {
            out.push_str(&row(item_cells(item, None)));
        }
        for anomaly in &item.anomalies {
            out.push_str(&row(item_cells(item, Some(anomaly))));
        }
    }
    for uncovered in &report.uncovered {
        let mut cells = component_cells(&uncovered.component, "none");
        cells.resize(HEADER.len(), String::new());
        out.push_str(&row(cells));
    }
    out
}

/// The document control of `report` as `field,value` rows, then an empty
/// line. An input, an advisory source and a signature take one row each, with
/// more values: `input,path,sha256,release`, `advisory_data,name,location,date,
/// record_count,sha256`, and `prepared|reviewed|approved,name,date and time,
/// signature` (empty to sign on paper). CSV has no comments or sections, so
/// the block is plain rows above the table: a spreadsheet shows both, and a
/// program finds the table's header on the line after the first empty one.
pub(crate) fn document_control(report: &Report) -> String {
    let control = &report.control;
    let text = |value: Option<&str>| value.unwrap_or_default().to_string();
    let pair = |field: &str, value: String| vec![field.to_string(), value];
    let revision = control.revision.as_ref();
    let mut rows = vec![
        pair("field", "value".to_string()),
        pair("document_id", text(control.document_id.as_deref())),
        pair("draft", text(control.draft.as_deref())),
        pair("revision", text(revision.map(|r| r.value.as_str()))),
        pair("revision_source", text(revision.map(|r| r.source.as_str()))),
        pair("system", report.system.name.clone()),
        pair("safety_class", report.system.class.clone()),
        pair("manufacturer", text(report.system.manufacturer.as_deref())),
        pair("system_version", text(control.system_version.as_deref())),
        pair("release", text(report.release.as_deref())),
        pair("retired", yes_no(report.retired)),
        pair("commit", text(control.commit.as_deref())),
        pair("tree_clean", control.clean.map(yes_no).unwrap_or_default()),
        pair("cargo_soup_version", control.tool_version.clone()),
        pair("generated_at", control.generated_at.clone()),
    ];
    rows.extend(control.inputs.iter().map(|input| {
        vec![
            "input".to_string(),
            input.path.clone(),
            input.sha256.clone(),
            text(input.release.as_deref()),
        ]
    }));
    rows.extend(report.advisory_data.iter().map(|source| {
        vec![
            "advisory_data".to_string(),
            source.name.clone(),
            source.location.clone(),
            source.date.clone(),
            source.record_count.to_string(),
            source.content_sha256.clone(),
        ]
    }));
    rows.extend(control.signatures.iter().map(|s| {
        vec![
            s.role.clone(),
            text(s.by.as_deref()),
            text(s.at.as_deref()),
            s.status().unwrap_or_default(),
        ]
    }));
    let mut out: String = rows.into_iter().map(row).collect();
    out.push_str("\r\n");
    out
}

fn component_cells(component: &Component, anomaly_list: &str) -> Vec<String> {
    vec![
        component.name.clone(),
        component.version.clone(),
        component.purl_str().unwrap_or_default().to_string(),
        component.ecosystem.osv_name().to_string(),
        component.licenses.clone().unwrap_or_default(),
        component.supplier.clone().unwrap_or_default(),
        anomaly_list.to_string(),
    ]
}

fn item_cells(item: &Item, anomaly: Option<&AnomalyEntry>) -> Vec<String> {
    let mut cells = component_cells(&item.component, "covered");
    cells.push(yes_no(item.specification.is_some()));
    cells.push(item.support.level.as_str().to_string());
    cells.push(item.support.end_of_support.clone());
    if let Some(anomaly) = anomaly {
        cells.extend(anomaly_cells(anomaly));
    }
    cells.resize(HEADER.len(), String::new());
    cells
}

fn anomaly_cells(anomaly: &AnomalyEntry) -> Vec<String> {
    let severity = anomaly.severity.as_ref();
    let mut cells = vec![
        anomaly.id.clone(),
        anomaly.aliases.join(" "),
        anomaly.kind.as_str().to_string(),
        anomaly.summary.clone().unwrap_or_default(),
        severity.map(|s| s.severity.clone()).unwrap_or_default(),
        severity
            .map(|s| s.base_score.to_string())
            .unwrap_or_default(),
        anomaly.fixed.join(" "),
        anomaly.state.as_str().to_string(),
        anomaly.due_reasons.join("; "),
        anomaly.releases.join(" "),
    ];
    if let Some(e) = &anomaly.evaluation {
        cells.extend([
            e.by.clone(),
            e.date.to_string(),
            e.review_by.to_string(),
            yes_no(e.hazardous),
            e.hazards.join(" "),
            e.risk_controls.join(" "),
            e.vex_status.as_str().to_string(),
            e.vex_justification
                .map(|j| j.as_str().to_string())
                .unwrap_or_default(),
            e.action.as_str().to_string(),
            e.rationale.clone(),
        ]);
    }
    cells
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_string()
}

/// One CSV record: each cell neutralised against formulas and quoted (RFC 4180).
pub(crate) fn row(cells: Vec<String>) -> String {
    let cells: Vec<String> = cells.iter().map(|cell| quote(&neutralise(cell))).collect();
    format!("{}\r\n", cells.join(","))
}

/// Prefixes `'` to a cell a spreadsheet would read as a formula (OWASP CSV injection advice).
fn neutralise(cell: &str) -> String {
    let cell = printable(cell, true);
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.into_owned()
    }
}

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"] {
            assert!(neutralise(cell).starts_with('\''), "{cell}");
        }
        assert_eq!(neutralise("serde"), "serde");
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(quote("plain"), "plain");
    }
}
