//! The SOUP list and the exports: content, escaping of hostile advisory text,
//! validity against the official CycloneDX 1.6 and SARIF 2.1.0 schemas (offline),
//! and a render in a real browser when one is installed.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use cargo_soup::model::{AnomalyKind, Component, Ecosystem, Purl, Scope, SourceKind};
use cargo_soup::report::changes::{ChangeAnalysis, PersistingAnomaly};
use cargo_soup::report::control::{DocumentControl, InputDigest, Revision, SignatureBlock};
use cargo_soup::report::document::{self, Block, Inline};
use cargo_soup::report::model::{
    Action, AnomalyEntry, AnomalyState, DataSource, Evaluation, Item, ManualReview, OpenFinding,
    Report, Severity, Specification, Support, SupportLevel, SystemInfo, UncoveredItem,
    VexJustification, VexStatus,
};
use cargo_soup::report::openvex::OpenVexHeader;
use cargo_soup::report::{csv, cyclonedx, fda, html, markdown, model, openvex, sarif};
use serde_json::Value;

use super::support::schemas::{LocalSchemas, assert_documented, assert_valid, documented};
use super::support::{
    control_values, csv_blocks, fixture, parse_csv, redact_dates, snapshot_settings,
};

const SERIAL: &str = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79";
const TIMESTAMP: &str = "2026-08-22T09:00:00Z";

/// One real RustSec advisory (OSV form) from the fixture snapshot.
fn rustsec(id: &str) -> Value {
    let path = fixture("").join("advisories/rustsec-osv-2026-08-21.zip");
    let file = std::fs::File::open(&path).expect("fixture archive opens");
    let mut archive = zip::ZipArchive::new(file).expect("fixture archive reads");
    let mut entry = archive
        .by_name(&format!("crates/{id}.json"))
        .expect("advisory is in the snapshot");
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("advisory is UTF-8");
    serde_json::from_str(&text).expect("advisory is JSON")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// An anomaly built from a real advisory; severity is scored by hand from its vector.
fn anomaly(
    id: &str,
    kind: AnomalyKind,
    severity: Option<(f64, &str)>,
    fixed: &[&str],
    state: AnomalyState,
) -> AnomalyEntry {
    let osv = rustsec(id);
    let vector = osv["severity"][0]["score"].as_str().map(str::to_string);
    AnomalyEntry {
        id: id.to_string(),
        aliases: strings(&osv["aliases"]),
        kind,
        summary: osv["summary"].as_str().map(str::to_string),
        details: osv["details"].as_str().map(str::to_string),
        severity: vector
            .zip(severity)
            .map(|(vector, (base_score, severity))| Severity {
                vector,
                base_score,
                severity: severity.to_string(),
            }),
        fixed: fixed.iter().map(|f| f.to_string()).collect(),
        state,
        needs_person: state.is_open(),
        due_reasons: Vec::new(),
        evaluation: None,
        approved_by: Vec::new(),
        releases: Vec::new(),
    }
}

fn crate_component(name: &str, version: &str) -> Component {
    let mut component = Component::new(Ecosystem::CratesIo, name, version);
    component.purl = Purl::parse(&format!("pkg:cargo/{name}@{version}")).ok();
    component.source = SourceKind::Registry;
    component.scope = Scope::Runtime;
    component.direct = Some(true);
    component.licenses = Some("MIT OR Apache-2.0".to_string());
    component
}

fn evaluation(
    status: VexStatus,
    justification: Option<VexJustification>,
    action: Action,
    rationale: &str,
) -> Evaluation {
    Evaluation {
        advisory: "RUSTSEC-2018-0006".to_string(),
        aliases: vec!["CVE-2018-20993".to_string()],
        purl: "pkg:cargo/yaml-rust@0.4.0".to_string(),
        by: "Jane Doe <jane@example.com>".to_string(),
        date: time::macros::date!(2026 - 03 - 02),
        review_by: time::macros::date!(2027 - 03 - 02),
        advisory_modified: "2023-06-13T13:10:24Z".to_string(),
        advisory_hash: format!("sha256:{}", "ab".repeat(32)),
        hazardous: false,
        hazards: vec!["HAZ-12".to_string()],
        risk_controls: vec!["RC-7".to_string()],
        vex_status: status,
        vex_justification: justification,
        action,
        rationale: rationale.to_string(),
        carried_from: None,
    }
}

/// yaml-rust 0.4.0 (specified, an evaluated vulnerability and a due unmaintained
/// advisory, in a release), time 0.1.45 (unspecified, a new vulnerability), an
/// OpenSSL no anomaly list covers with a manual review, and an open finding.
fn fixture_report() -> Report {
    let mut recursion = anomaly(
        "RUSTSEC-2018-0006",
        AnomalyKind::Vulnerability,
        Some((7.5, "high")),
        &[">=0.4.1"],
        AnomalyState::Evaluated,
    );
    recursion.releases = vec!["2.1.0".to_string()];
    recursion.evaluation = Some(evaluation(
        VexStatus::NotAffected,
        Some(VexJustification::VulnerableCodeNotInExecutePath),
        Action::None,
        "Only the bundled, signed configuration file is parsed; its nesting depth is fixed.",
    ));
    let mut unmaintained = anomaly(
        "RUSTSEC-2024-0320",
        AnomalyKind::Unmaintained,
        None,
        &[],
        AnomalyState::Due,
    );
    unmaintained.due_reasons = vec!["review-by date 2026-06-01 passed".to_string()];
    unmaintained.evaluation = Some(Evaluation {
        advisory: "RUSTSEC-2024-0320".to_string(),
        aliases: Vec::new(),
        review_by: time::macros::date!(2026 - 06 - 01),
        ..evaluation(
            VexStatus::Affected,
            None,
            Action::Update,
            "Replace with yaml-rust2 in the next release.",
        )
    });
    let yaml = Item {
        component: crate_component("yaml-rust", "0.4.0"),
        specification: Some(Specification {
            purpose: "Reads the device configuration file".to_string(),
            requirements: Some("Parses YAML 1.2 documents up to 64 KiB in under 10 ms".to_string()),
            needs: "Rust standard library; no hardware".to_string(),
            manufacturer: Some("Chen Yuheng".to_string()),
            website: Some("https://github.com/chyh1990/yaml-rust".to_string()),
            risk: Some("RISK-31".to_string()),
            verification: Some("Integration tests of the configuration loader".to_string()),
            covers: Vec::new(),
            versions: Vec::new(),
        }),
        covered_by: None,
        support: Support {
            level: SupportLevel::Unmaintained,
            evidence: "advisory RUSTSEC-2024-0320 says it is unmaintained".to_string(),
            end_of_support: "unknown".to_string(),
            recorded: false,
        },
        anomalies: vec![recursion, unmaintained],
    };
    let time = Item {
        component: crate_component("time", "0.1.45"),
        specification: None,
        covered_by: None,
        support: Support {
            level: SupportLevel::Maintained,
            evidence: "monthly releases".to_string(),
            end_of_support: "2030-06-30".to_string(),
            recorded: true,
        },
        anomalies: vec![anomaly(
            "RUSTSEC-2020-0071",
            AnomalyKind::Vulnerability,
            Some((6.2, "medium")),
            &[">=0.2.23"],
            AnomalyState::New,
        )],
    };
    let mut openssl = Component::new(Ecosystem::Other("generic".to_string()), "openssl", "3.0.2");
    openssl.cpe = Some("cpe:2.3:a:openssl:openssl:3.0.2:*:*:*:*:*:*:*".to_string());
    openssl.supplier = Some("OpenSSL Software Foundation".to_string());
    openssl.licenses = Some("Apache-2.0".to_string());
    Report {
        control: DocumentControl {
            document_id: Some("SOUP-001".to_string()),
            revision: Some(Revision {
                value: "C".to_string(),
                source: "record".to_string(),
            }),
            system_version: Some("2.1.0".to_string()),
            tool_version: "0.1.0".to_string(),
            inputs: vec![InputDigest {
                path: "releases/2.1.0.cdx.json".to_string(),
                sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                    .to_string(),
                release: Some("2.1.0".to_string()),
            }],
            generated_at: "2026-08-22T09:00:00Z".to_string(),
            ..DocumentControl::default()
        },
        retired: false,
        changes: None,
        system: SystemInfo {
            name: "Infusion pump controller".to_string(),
            class: "B".to_string(),
            manufacturer: Some("Example Medical Ltd".to_string()),
        },
        generated: "2026-08-22".to_string(),
        release: Some("2.1.0".to_string()),
        advisory_data: vec![DataSource {
            name: "RustSec".to_string(),
            location: "https://github.com/rustsec/advisory-db/archive/refs/heads/osv.zip"
                .to_string(),
            date: "2026-08-21".to_string(),
            record_count: 1206,
            content_sha256: "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"
                .to_string(),
            age_days: Some(1),
        }],
        items: vec![time, yaml],
        uncovered: vec![UncoveredItem {
            component: openssl,
            reviews: vec![ManualReview {
                by: "Jane Doe <jane@example.com>".to_string(),
                date: "2026-08-01".to_string(),
                source: "https://openssl-library.org/news/vulnerabilities/".to_string(),
                finding: "No vulnerability affects 3.0.2 in the functions used (TLS client only)."
                    .to_string(),
            }],
        }],
        open: vec![OpenFinding {
            code: "missing-specification".to_string(),
            subject: "pkg:cargo/time@0.1.45".to_string(),
            message: "class B needs a specification of every SOUP item (5.3.3, 5.3.4)".to_string(),
        }],
    }
}

const HOSTILE: [&str; 4] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "| table | break |",
    "[link](javascript:x)",
];

/// The fixture with outside text an attacker controls: advisory text and a package name.
fn hostile_report() -> Report {
    let mut report = fixture_report();
    let all = HOSTILE.join(" ");
    for item in &mut report.items {
        for anomaly in &mut item.anomalies {
            anomaly.summary = Some(all.clone());
            anomaly.details = Some(HOSTILE.join("\n"));
            anomaly.due_reasons = vec!["=HYPERLINK(\"http://x\")".to_string()];
        }
    }
    if let Some(item) = report.items.first_mut() {
        item.component.name = "evil<b>name".to_string();
        item.component.supplier = Some("+cmd|' /C calc'!A0".to_string());
        item.component.licenses = Some("-2+3".to_string());
    }
    report.open.push(OpenFinding {
        code: "advisory-data-stale".to_string(),
        subject: "@SUM(1+1)".to_string(),
        message: all,
    });
    report
}

#[test]
fn markdown_snapshot() {
    let text = redact_dates(&markdown::markdown(&fixture_report()));
    snapshot_settings().bind(|| insta::assert_snapshot!("report_markdown", text));
}

#[test]
fn json_snapshot() {
    let json = model::json(&fixture_report()).expect("report serialises");
    let text = redact_dates(&serde_json::to_string_pretty(&json).expect("JSON prints"));
    snapshot_settings().bind(|| insta::assert_snapshot!("report_json", text));
}

#[test]
fn json_report_names_its_schema_and_round_trips() {
    let report = fixture_report();
    let json = model::json(&report).expect("report serialises");
    assert_eq!(json["schema"], "cargo-soup/report/1");
    assert_eq!(
        json["items"][1]["support"],
        serde_json::json!({
            "level": "unmaintained",
            "evidence": "advisory RUSTSEC-2024-0320 says it is unmaintained",
            "end_of_support": "unknown",
            "recorded": false
        })
    );
    assert_eq!(
        json["items"][1]["anomalies"][0]["evaluation"]["vex_justification"],
        "vulnerable_code_not_in_execute_path"
    );
    let back: Report = serde_json::from_value(json).expect("report reads back");
    assert_eq!(back, report);
}

/// The fixture with every part it leaves out filled in: a change analysis,
/// signed signature blocks, approvers, a carried-forward evaluation, the part
/// of the device an item came from, and the versions a specification was written for.
fn complete_report() -> Report {
    let mut report = fixture_report();
    report.control.commit = Some("4b825dc642cb6eb9a060e54bf8d69288fbee4904".to_string());
    report.control.clean = Some(false);
    let block = |role: &str, checked: &str| SignatureBlock {
        role: role.to_string(),
        by: Some("Max Mustermann <max@example.com>".to_string()),
        at: Some("2026-08-21T16:30:00Z".to_string()),
        key: Some("SHA256:7uJ6Ir9a2mK0HTxWmHtVn+S0W3VrEhQ4gMXv9nPUDwE".to_string()),
        signed: true,
        checked: Some(checked.to_string()),
    };
    report.control.signatures = vec![
        SignatureBlock {
            role: "prepared".to_string(),
            by: None,
            at: None,
            key: None,
            signed: false,
            checked: None,
        },
        block(
            "reviewed",
            "verified (SHA256:7uJ6Ir9a2mK0HTxWmHtVn+S0W3VrEhQ4gMXv9nPUDwE)",
        ),
        block("approved", "no longer holds: the release's SBOM changed"),
    ];
    report.changes = Some(ChangeAnalysis {
        since: "2.0.0".to_string(),
        added: vec!["time 0.1.45".to_string()],
        removed: vec!["chrono 0.4.19".to_string()],
        changed: vec!["yaml-rust 0.3.5 -> 0.4.0".to_string()],
        unchanged: 0,
        introduced: vec!["RUSTSEC-2020-0071 in time 0.1.45".to_string()],
        resolved: vec!["RUSTSEC-2020-0159 in chrono 0.4.19".to_string()],
        persisting: vec![PersistingAnomaly {
            id: "RUSTSEC-2018-0006".to_string(),
            item: "yaml-rust 0.4.0".to_string(),
            evaluation_applies: true,
            state: cargo_soup::evaluate::State::Evaluated,
        }],
    });
    let yaml = &mut report.items[1];
    yaml.component.input = Some("pump firmware".to_string());
    if let Some(spec) = yaml.specification.as_mut() {
        spec.versions = vec!["0.4".to_string()];
        spec.covers = vec!["yaml-rust-derive".to_string()];
    }
    let recursion = &mut yaml.anomalies[0];
    recursion.approved_by = vec!["Max Mustermann <max@example.com>, 2026-08-20T10:00:00Z".into()];
    if let Some(evaluation) = recursion.evaluation.as_mut() {
        evaluation.carried_from = Some("0.3.5".to_string());
    }
    report
}

#[test]
fn json_report_follows_its_documented_schema() {
    let json = model::json(&fixture_report()).expect("report serialises");
    assert_documented("report-1.schema.json", &json);
    let complete = model::json(&complete_report()).expect("report serialises");
    assert_documented("report-1.schema.json", &complete);
    let yaml = &complete["items"][1];
    assert_eq!(yaml["component"]["input"], "pump firmware");
    assert_eq!(yaml["specification"]["versions"][0], "0.4");
    assert_eq!(
        yaml["anomalies"][0]["approved_by"].as_array().map(Vec::len),
        Some(1)
    );
    let checked = complete["control"]["signatures"][1]["checked"].as_str();
    assert!(checked.is_some_and(|c| c.starts_with("verified")));
    // And the schema is no formality: a state it does not know is caught.
    let mut unknown = json;
    unknown["items"][0]["anomalies"][0]["state"] = Value::from("fine");
    assert!(!documented("report-1.schema.json").is_valid(&unknown));
}

#[test]
fn markdown_answers_every_clause_and_lists_what_is_open() {
    let text = markdown::markdown(&fixture_report());
    for clause in [
        "| 8.1.2 | A, B, C | yes |",
        "| 5.3.3 | B, C | yes |",
        "| 5.3.4 | B, C | yes |",
        "| 7.1.2, 7.1.3 |",
        "| 5.8 |",
        "| 6.x, 7.4 |",
    ] {
        assert!(text.contains(clause), "missing clause row {clause}");
    }
    assert!(text.contains("[Residual anomalies](#residual-anomalies)"));
    assert!(text.contains("| RustSec | https://github.com/rustsec/advisory-db/archive/refs/heads/osv.zip | 2026-08-21 | 1206 | 3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7 |"));
    assert!(text.contains("| 5.3.3 | B, C | yes | functional and performance requirements of each SOUP item | 1 of 2 direct items specified; 1 missing (see Open); 1 with requirements |"), "{text}");
    // time 0.1.45 is the first item: no specification, one new anomaly.
    let time = text.split("<a id=\"item-2\">").next().unwrap_or_default();
    assert!(
        time.contains("### time 0.1.45")
            && time.contains("Not specified.")
            && time.contains("Not evaluated yet.")
    );
    assert!(text.contains(
        "**Support**: unmaintained (advisory RUSTSEC-2024-0320 says it is unmaintained), end of support unknown."
    ));
    // Open: the new anomaly, the due evaluation and the missing specification, nothing else.
    let open = text.split("<a id=\"open\">").nth(1).unwrap_or_default();
    let open = open.split("<a id=").next().unwrap_or_default();
    let entries: Vec<&str> = open.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(
        entries,
        [
            "- **unevaluated-anomaly** RUSTSEC-2020-0071 in [time 0.1.45](#item-1)",
            "- **evaluation-due** RUSTSEC-2024-0320 in [yaml-rust 0.4.0](#item-2)",
            "- **missing-specification** pkg:cargo/time@0.1.45: class B needs a specification of every SOUP item (5.3.3, 5.3.4)",
        ]
    );
    // The uncovered item and its manual review.
    assert!(text.contains("### openssl 3.0.2"));
    assert!(text.contains("| 2026-08-01 | Jane Doe \\<jane@example.com\\> | https://openssl-library.org/news/vulnerabilities/ |"));
}

#[test]
fn class_a_needs_only_identification() {
    let mut report = fixture_report();
    report.system.class = "A".to_string();
    let text = markdown::markdown(&report);
    assert!(text.contains("| 8.1.2 | A, B, C | yes |"));
    assert!(text.contains("| 5.3.3 | B, C | no |"));
}

#[test]
fn every_link_inside_the_document_has_its_target() {
    let blocks = document::build(&fixture_report());
    let targets: BTreeSet<String> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { anchor, .. } => anchor.clone(),
            _ => None,
        })
        .collect();
    let mut links = Vec::new();
    let mut collect = |parts: &Vec<Inline>| {
        for part in parts {
            if let Inline::Anchor { anchor, .. } = part {
                links.push(anchor.clone());
            }
        }
    };
    for block in &blocks {
        match block {
            Block::Paragraph(parts) | Block::Heading { text: parts, .. } => collect(parts),
            Block::Table { rows, .. } => rows.iter().flatten().for_each(&mut collect),
            Block::List(entries) => entries.iter().for_each(&mut collect),
            Block::Verbatim(_) | Block::Group(_) => {}
        }
    }
    assert!(links.len() >= 10, "{links:?}");
    for link in links {
        assert!(
            targets.contains(&link),
            "link to #{link} has no target in {targets:?}"
        );
    }
}

#[test]
fn html_shows_no_raw_tag_from_outside_text() {
    let page = html::html(&hostile_report());
    for raw in ["<script", "<img", "onerror=alert(1)>", "<b>", "javascript:"] {
        let in_tags = page.match_indices(raw).filter(|(at, _)| {
            // `javascript:` may appear as escaped text, but never inside an attribute.
            raw != "javascript:" || page[..*at].ends_with("href=\"")
        });
        assert_eq!(in_tags.count(), 0, "raw {raw} in the page");
    }
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("evil&lt;b&gt;name"));
    assert!(page.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    ));
    assert!(page.contains("@media print"));
    assert!(
        !page.contains("<link") && !page.contains(" src=\""),
        "no external asset"
    );
}

#[test]
fn markdown_makes_no_table_break_link_or_html_from_outside_text() {
    let text = markdown::markdown(&hostile_report());
    // Outside the code fences, every `<` is escaped except our anchors and autolinks.
    let outside_fences: String = text.split("```").step_by(2).collect();
    for (at, _) in outside_fences.match_indices('<') {
        let before = &outside_fences[..at];
        let after = &outside_fences[at..];
        let ours = after.starts_with("<a id=\"")
            || after.starts_with("</a>")
            || after.starts_with("<https://");
        assert!(
            before.ends_with('\\') || ours,
            "raw < at: {}",
            &after[..after.len().min(40)]
        );
    }
    // Every table row keeps the number of columns of its header.
    let mut columns = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let cells = line.replace("\\|", "").matches('|').count();
        let expected = *columns.get_or_insert(cells);
        assert_eq!(cells, expected, "table broken at: {line}");
    }
    // The details are in a code fence, verbatim.
    assert!(text.contains("```text\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n| table | break |\n[link](javascript:x)\n```"));
}

#[test]
fn csv_has_one_row_per_item_and_anomaly() {
    let (_, rows) = csv_blocks(&csv::csv(&fixture_report()));
    // header, time (1 anomaly), yaml-rust (2 anomalies), openssl (no anomaly list).
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|row| row.len() == 30), "ragged rows");
    let column = |name: &str| {
        rows[0]
            .iter()
            .position(|h| h == name)
            .expect("column exists")
    };
    let (item, anomaly, list, vex) = (
        column("name"),
        column("anomaly"),
        column("anomaly_list"),
        column("vex_status"),
    );
    let summary: Vec<(&str, &str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| {
            (
                r[item].as_str(),
                r[anomaly].as_str(),
                r[list].as_str(),
                r[vex].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("time", "RUSTSEC-2020-0071", "covered", ""),
            ("yaml-rust", "RUSTSEC-2018-0006", "covered", "not_affected"),
            ("yaml-rust", "RUSTSEC-2024-0320", "covered", "affected"),
            ("openssl", "", "none", ""),
        ]
    );
    assert_eq!(
        rows[1][column("aliases")],
        "CVE-2020-26235 GHSA-wcg3-cvx6-7396"
    );
}

#[test]
fn both_csv_formats_open_with_the_same_document_control() {
    let report = fixture_report();
    let (control, table) = csv_blocks(&csv::csv(&report));
    let value = |field: &str| control_values(&control, field);
    assert_eq!(control[0], ["field", "value"]);
    assert_eq!(value("document_id"), [["SOUP-001"]]);
    assert_eq!(value("revision"), [["C"]]);
    assert_eq!(value("revision_source"), [["record"]]);
    assert_eq!(value("system"), [["Infusion pump controller"]]);
    assert_eq!(value("safety_class"), [["B"]]);
    assert_eq!(value("manufacturer"), [["Example Medical Ltd"]]);
    assert_eq!(value("system_version"), [["2.1.0"]]);
    assert_eq!(value("release"), [["2.1.0"]]);
    assert_eq!(value("cargo_soup_version"), [["0.1.0"]]);
    assert_eq!(value("generated_at"), [["2026-08-22T09:00:00Z"]]);
    let input = &report.control.inputs[0];
    assert_eq!(
        value("input"),
        [[input.path.as_str(), input.sha256.as_str(), "2.1.0"]]
    );
    let source = &report.advisory_data[0];
    assert_eq!(
        value("advisory_data"),
        [[
            source.name.as_str(),
            source.location.as_str(),
            source.date.as_str(),
            "1206",
            source.content_sha256.as_str()
        ]]
    );
    assert_eq!(table[0][0], "name");

    let (fda_control, fda_table) = csv_blocks(&fda::fda_csv(&report));
    assert_eq!(fda_control, control);
    assert_eq!(fda_table[0][0], "asset");
}

#[test]
fn csv_neutralises_formulas() {
    let rows = parse_csv(&csv::csv(&hostile_report()));
    let mut checked = 0;
    for cell in rows.iter().flatten() {
        if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            panic!("formula cell {cell:?}");
        }
        if cell.starts_with('\'') {
            checked += 1;
        }
    }
    // The supplier, the licence and the due reason of each of the three anomalies.
    assert_eq!(checked, 5);
    assert!(
        rows.iter()
            .flatten()
            .any(|c| c == "'=HYPERLINK(\"http://x\")")
    );
    assert!(
        rows.iter().flatten().any(|c| c == &HOSTILE.join(" ")),
        "text survives quoting"
    );
}

#[test]
fn cyclonedx_is_valid_1_6() {
    let bom = cyclonedx::cyclonedx(&fixture_report(), SERIAL, TIMESTAMP).expect("BOM serialises");
    assert_valid("bom-1.6.SNAPSHOT.schema.json", &bom);
    // time 0.1.45: its support level and end of support, from the record.
    let properties = &bom["components"][0]["properties"];
    let property = |name: &str| {
        properties
            .as_array()
            .and_then(|all| all.iter().find(|p| p["name"] == name))
            .map(|p| p["value"].clone())
    };
    assert_eq!(
        property("cargo-soup:support-level"),
        Some(Value::from("maintained"))
    );
    assert_eq!(
        property("cargo-soup:end-of-support"),
        Some(Value::from("2030-06-30"))
    );
    assert_valid(
        "bom-1.6.SNAPSHOT.schema.json",
        &cyclonedx::cyclonedx(&hostile_report(), SERIAL, TIMESTAMP).expect("BOM serialises"),
    );
}

#[test]
fn a_schema_violation_is_caught() {
    let mut bom =
        cyclonedx::cyclonedx(&fixture_report(), SERIAL, TIMESTAMP).expect("BOM serialises");
    bom["vulnerabilities"][0]["analysis"]["state"] = Value::from("fine");
    let schemas = LocalSchemas::load();
    let schema = schemas.get("bom-1.6.SNAPSHOT.schema.json");
    let validator = jsonschema::options()
        .with_retriever(schemas)
        .build(&schema)
        .expect("schema compiles");
    assert!(!validator.is_valid(&bom));
}

#[test]
fn cyclonedx_carries_each_evaluation_as_vex() {
    let bom = cyclonedx::cyclonedx(&fixture_report(), SERIAL, TIMESTAMP).expect("BOM serialises");
    assert_eq!(bom["specVersion"], "1.6");
    assert_eq!(
        bom["metadata"]["component"]["name"],
        "Infusion pump controller"
    );
    let refs: Vec<&str> = bom["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    assert_eq!(
        refs,
        [
            "pkg:cargo/time@0.1.45",
            "pkg:cargo/yaml-rust@0.4.0",
            "generic:openssl@3.0.2"
        ]
    );
    let vulns = bom["vulnerabilities"].as_array().expect("vulnerabilities");
    let view: Vec<(&str, &str, &str, Value)> = vulns
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap_or_default(),
                v["affects"][0]["ref"].as_str().unwrap_or_default(),
                v["analysis"]["state"].as_str().unwrap_or_default(),
                v["analysis"]["response"].clone(),
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            (
                "RUSTSEC-2020-0071",
                "pkg:cargo/time@0.1.45",
                "in_triage",
                Value::Null
            ),
            (
                "RUSTSEC-2018-0006",
                "pkg:cargo/yaml-rust@0.4.0",
                "not_affected",
                Value::Null
            ),
            (
                "RUSTSEC-2024-0320",
                "pkg:cargo/yaml-rust@0.4.0",
                "exploitable",
                serde_json::json!(["update"])
            ),
        ]
    );
    let recursion = &vulns[1];
    assert_eq!(recursion["analysis"]["justification"], "code_not_reachable");
    assert_eq!(
        recursion["source"]["url"],
        "https://rustsec.org/advisories/RUSTSEC-2018-0006.html"
    );
    assert_eq!(
        recursion["references"][1]["source"]["url"],
        "https://github.com/advisories/GHSA-hv87-47h9-jcvq"
    );
    assert_eq!(recursion["ratings"][0]["method"], "CVSSv3");
    assert_eq!(recursion["ratings"][0]["score"], 7.5);
    assert!(
        recursion["analysis"]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("HAZ-12")
    );
}

#[test]
fn sarif_is_valid_2_1_0_and_lists_only_open_findings() {
    let log = sarif::sarif(&fixture_report(), "Cargo.lock").expect("log serialises");
    assert_valid("sarif-schema-2.1.0.json", &log);
    assert_valid(
        "sarif-schema-2.1.0.json",
        &sarif::sarif(&hostile_report(), "Cargo.lock").expect("log serialises"),
    );
    let results = log["runs"][0]["results"].as_array().expect("results");
    let view: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or_default(),
                r["level"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            ("RUSTSEC-2020-0071", "error"),
            ("RUSTSEC-2024-0320", "warning"),
            ("missing-specification", "warning")
        ]
    );
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("rule index") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "Cargo.lock");
        assert_eq!(location["region"]["startLine"], 1);
    }
}

#[test]
fn openvex_has_one_statement_per_evaluated_anomaly() {
    let header = OpenVexHeader {
        id: "https://example.com/vex/infusion-pump-2.1.0".to_string(),
        author: "Example Medical Ltd".to_string(),
        timestamp: TIMESTAMP.to_string(),
        product: "pkg:generic/infusion-pump@2.1.0".to_string(),
    };
    let vex = openvex::openvex(&fixture_report(), &header).expect("document serialises");
    assert_eq!(vex["@context"], "https://openvex.dev/ns/v0.2.0");
    let statements = vex["statements"].as_array().expect("statements");
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0]["vulnerability"]["name"], "RUSTSEC-2018-0006");
    assert_eq!(statements[0]["status"], "not_affected");
    assert_eq!(
        statements[0]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(
        statements[0]["products"][0]["subcomponents"][0]["@id"],
        "pkg:cargo/yaml-rust@0.4.0"
    );
    assert_eq!(statements[1]["status"], "affected");
    assert!(
        statements[1]["action_statement"]
            .as_str()
            .unwrap_or_default()
            .starts_with("update: ")
    );
}

/// The installed Chromium command, if any: browser tests skip without one.
pub(super) fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .is_ok_and(|out| out.status.success())
    })
}

fn check_in_browser(page: &str) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.html");
    std::fs::write(&file, page).expect("page written");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check-html.sh");
    Command::new("bash")
        .arg(script)
        .arg(&file)
        .output()
        .expect("check script runs")
}

#[test]
fn hostile_html_runs_nothing_in_a_browser() {
    if chromium().is_none() {
        println!("skipped: chromium not installed (run tests/browser/check-html.sh --install)");
        return;
    }
    let out = check_in_browser(&html::html(&hostile_report()));
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And the check does catch an unescaped page.
    let unescaped = "<!DOCTYPE html><html><body><img src=x onerror=console.error(1)></body></html>";
    assert!(!check_in_browser(unescaped).status.success());
}

#[test]
fn the_fda_addendum_has_one_row_per_component_with_its_assessments() {
    let (_, rows) = csv_blocks(&fda::fda_csv(&fixture_report()));
    // header, time, yaml-rust, openssl (no anomaly list).
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|row| row.len() == 10), "ragged rows");
    assert_eq!(
        rows[0][..3],
        [
            "asset".to_string(),
            "name".to_string(),
            "version".to_string()
        ]
    );
    let yaml = &rows[2];
    assert_eq!(yaml[0], "Infusion pump controller 2.1.0");
    assert_eq!(yaml[1], "yaml-rust");
    assert_eq!(yaml[4], "Chen Yuheng");
    assert_eq!(yaml[5], "unmaintained");
    assert_eq!(yaml[7], "unknown");
    assert_eq!(yaml[8], "RUSTSEC-2018-0006; RUSTSEC-2024-0320");
    assert!(
        yaml[9].starts_with(
            "RUSTSEC-2018-0006: not_affected (vulnerable_code_not_in_execute_path), hazardous"
        ),
        "{}",
        yaml[9]
    );
    assert_eq!(rows[1][9], "RUSTSEC-2020-0071: not assessed (new)");
    assert_eq!(rows[3][5], "unknown");
}
