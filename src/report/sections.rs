//! The controlled-document sections of the SOUP list: document control, the
//! summary and verdict, the clause answers, the one-row-per-item list and the
//! residual anomalies (5.8) grouped by conclusion.

use std::collections::BTreeMap;

use super::document::{Block, Inline, OPEN_ANCHOR, heading, item_anchor, text, text_paragraph};
use super::model::{AnomalyEntry, AnomalyState, Item, Report};
use crate::record::specification_key;

/// Anchor of the document control block.
pub const CONTROL_ANCHOR: &str = "document-control";
/// Anchor of the summary and verdict.
pub const SUMMARY_ANCHOR: &str = "summary";
/// What a signature line left to sign on paper shows.
const SIGN_HERE: &str = "____________________";

fn cell(value: &str) -> Vec<Inline> {
    vec![text(value)]
}

fn or_dash(value: Option<&str>) -> Vec<Inline> {
    cell(value.unwrap_or("—"))
}

/// An id that must stay on one line when printed.
fn id(value: &str) -> Vec<Inline> {
    vec![Inline::Code(value.to_string())]
}

fn pair(name: &str, value: Vec<Inline>) -> Vec<Vec<Inline>> {
    vec![vec![Inline::Strong(name.to_string())], value]
}

/// Document id, revision, system, commit, tool, inputs, advisory data, signatures.
pub fn control(report: &Report) -> Vec<Block> {
    let control = &report.control;
    let system = &report.system;
    let mut blocks = vec![heading(1, None, &format!("SOUP list: {}", system.name))];
    if let Some(draft) = &control.draft {
        blocks.push(Block::Paragraph(vec![Inline::Strong(draft.clone())]));
    }
    let revision = control.revision.as_ref().map(|r| match r.source.as_str() {
        "git" => format!("{} (commits that touched soup-register.toml)", r.value),
        _ => format!("{} (set in soup-register.toml)", r.value),
    });
    let commit = control.commit.as_ref().map(|commit| {
        let state = match control.clean {
            Some(true) => "clean tree",
            Some(false) => "uncommitted changes in the tree",
            None => "tree state unknown",
        };
        format!("{commit} ({state})")
    });
    let release = report.release.as_ref().map(|r| {
        if report.retired {
            format!("{r} (retired: no unit in the field runs it)")
        } else {
            r.clone()
        }
    });
    blocks.push(heading(2, Some(CONTROL_ANCHOR), "Document control"));
    blocks.push(Block::Table {
        head: vec!["Field", "Value"],
        rows: vec![
            pair("Document id", or_dash(control.document_id.as_deref())),
            pair("Revision", or_dash(revision.as_deref())),
            pair("System", cell(&system.name)),
            pair("Software safety class (IEC 62304)", cell(&system.class)),
            pair("Manufacturer", or_dash(system.manufacturer.as_deref())),
            pair("System version", or_dash(control.system_version.as_deref())),
            pair("Release", or_dash(release.as_deref())),
            pair("Record commit", or_dash(commit.as_deref())),
            pair("cargo-soup version", cell(&control.tool_version)),
            pair("Generated", cell(&control.generated_at)),
        ],
    });
    blocks.push(heading(3, None, "Inputs"));
    blocks.push(Block::Table {
        head: vec!["Path (relative to the record)", "Release", "sha256"],
        rows: control
            .inputs
            .iter()
            .map(|input| {
                vec![
                    cell(&input.path),
                    or_dash(input.release.as_deref()),
                    id(&input.sha256),
                ]
            })
            .collect(),
    });
    blocks.push(heading(
        3,
        Some(super::document::DATA_ANCHOR),
        "Advisory data used",
    ));
    if report.advisory_data.is_empty() {
        blocks.push(text_paragraph(
            "No advisory data was used: no anomaly list was evaluated.",
        ));
    } else {
        blocks.push(Block::Table {
            head: vec!["Source", "Location", "Date", "Records", "sha256"],
            rows: report
                .advisory_data
                .iter()
                .map(|s| {
                    vec![
                        id(&s.name),
                        cell(&s.location),
                        cell(&s.date),
                        cell(&s.record_count.to_string()),
                        id(&s.content_sha256),
                    ]
                })
                .collect(),
        });
    }
    blocks.push(heading(3, None, "Signatures"));
    blocks.push(Block::Table {
        head: vec!["Role", "Name", "Date and time", "Signature"],
        rows: control
            .signatures
            .iter()
            .map(|s| {
                vec![
                    cell(&s.role),
                    cell(s.by.as_deref().unwrap_or(SIGN_HERE)),
                    cell(s.at.as_deref().unwrap_or(SIGN_HERE)),
                    cell(&s.status().unwrap_or_else(|| SIGN_HERE.to_string())),
                ]
            })
            .collect(),
    });
    blocks
}

/// An anomaly that blocks a release: no conclusion in force, or hazardous without a risk control.
pub fn blocks_release(anomaly: &AnomalyEntry) -> bool {
    anomaly.needs_person
        || anomaly
            .evaluation
            .as_ref()
            .is_some_and(|e| e.lacks_risk_control())
}

/// True when an item's direct use is known.
fn is_direct(item: &Item) -> bool {
    item.component.is_direct()
}

fn counted(counts: &BTreeMap<String, usize>) -> String {
    if counts.is_empty() {
        return "none".to_string();
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn count_by<'a>(keys: impl Iterator<Item = String> + 'a) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// Counts of items and anomalies, and the release verdict.
pub fn summary(report: &Report) -> Vec<Block> {
    let items = &report.items;
    let anomalies = || items.iter().flat_map(|i| &i.anomalies);
    let scope = count_by(
        items
            .iter()
            .map(|i| i.component.scope.as_str().to_string())
            .chain(
                report
                    .uncovered
                    .iter()
                    .map(|u| u.component.scope.as_str().to_string()),
            ),
    );
    let direct = count_by(
        items
            .iter()
            .map(|i| &i.component)
            .chain(report.uncovered.iter().map(|u| &u.component))
            .map(|c| c.directness().unwrap_or("not known").to_string()),
    );
    let kind = count_by(anomalies().map(|a| a.kind.as_str().to_string()));
    let severity = count_by(anomalies().map(|a| {
        a.severity
            .as_ref()
            .map_or("unrated".to_string(), |s| s.severity.clone())
    }));
    let state = count_by(anomalies().map(|a| a.state.as_str().to_string()));
    let total = items.len() + report.uncovered.len();
    let mut blocks = vec![
        heading(2, Some(SUMMARY_ANCHOR), "Summary"),
        Block::Table {
            head: vec!["What", "Count"],
            rows: vec![
                pair("SOUP items", cell(&total.to_string())),
                pair("By scope", cell(&counted(&scope))),
                pair("Direct or transitive", cell(&counted(&direct))),
                pair("Anomalies", cell(&anomalies().count().to_string())),
                pair("Anomalies by kind", cell(&counted(&kind))),
                pair("Anomalies by severity", cell(&counted(&severity))),
                pair("Anomalies by state", cell(&counted(&state))),
            ],
        },
    ];
    blocks.push(verdict(report));
    blocks
}

fn verdict(report: &Report) -> Block {
    let blocking = report
        .items
        .iter()
        .flat_map(|i| &i.anomalies)
        .filter(|a| a.needs_person && a.state.finding_code().is_some())
        .count()
        + report.open.len();
    let subject = match &report.release {
        Some(version) => format!("Release {version}"),
        None => "The working tree".to_string(),
    };
    if blocking == 0 {
        Block::Paragraph(vec![
            Inline::Strong(format!("{subject}: ready for release")),
            text(
                ": no unevaluated anomaly, no hazard without a risk control, every required item specified.",
            ),
        ])
    } else {
        Block::Paragraph(vec![
            Inline::Strong(format!("{subject}: not ready for release")),
            text(&format!(
                ": {blocking} finding(s) stand in the way, listed under "
            )),
            Inline::Anchor {
                text: "Open".to_string(),
                anchor: OPEN_ANCHOR.to_string(),
            },
            text("."),
        ])
    }
}

/// What each clause's answer is for this system now, by clause number.
pub fn clause_answers(report: &Report) -> BTreeMap<&'static str, String> {
    let items = &report.items;
    let all = items.len() + report.uncovered.len();
    let identified = items
        .iter()
        .map(|i| &i.component)
        .chain(report.uncovered.iter().map(|u| &u.component))
        .filter(|c| !c.version.is_empty())
        .count();
    let direct: Vec<&Item> = items.iter().filter(|i| is_direct(i)).collect();
    // Items whose input does not say whether they are direct (an SBOM without
    // a dependency graph, a requirements.txt): the rule was not applied to them,
    // and "0 of 0 direct items" alone would read as met.
    let unknown = match items
        .iter()
        .filter(|i| i.component.direct.is_none())
        .count()
    {
        0 => String::new(),
        n => format!("; not applied to {n} items whose input does not say whether they are direct"),
    };
    let specified = direct.iter().filter(|i| i.specification.is_some()).count();
    let with_requirements = direct
        .iter()
        .filter(|i| {
            i.specification
                .as_ref()
                .is_some_and(|s| s.requirements.is_some())
        })
        .count();
    let anomalies: Vec<&AnomalyEntry> = items.iter().flat_map(|i| &i.anomalies).collect();
    let concluded = anomalies
        .iter()
        .filter(|a| a.state == AnomalyState::Evaluated)
        .count();
    let blocking = anomalies.iter().filter(|a| blocks_release(a)).count();
    let support_known = items
        .iter()
        .filter(|i| i.support.level != crate::record::SupportLevel::Unknown)
        .count();
    let missing = |n: usize| {
        if n == 0 {
            String::new()
        } else {
            format!("; {n} missing (see Open)")
        }
    };
    let reviewed = report
        .uncovered
        .iter()
        .filter(|u| !u.reviews.is_empty())
        .count();
    BTreeMap::from([
        (
            "8.1.2",
            format!("{identified} of {all} items identified by name and exact version"),
        ),
        (
            "5.3.3",
            format!(
                "{specified} of {} direct items specified{}; {with_requirements} with requirements{unknown}",
                direct.len(),
                missing(direct.len() - specified)
            ),
        ),
        (
            "5.3.4",
            format!(
                "{specified} of {} direct items state the hardware and software they need{}{unknown}",
                direct.len(),
                missing(direct.len() - specified)
            ),
        ),
        (
            "7.1.2, 7.1.3",
            format!(
                "{concluded} of {} anomalies evaluated; {} of {} items without an anomaly list reviewed by hand",
                anomalies.len(),
                reviewed,
                report.uncovered.len()
            ),
        ),
        (
            "5.8",
            if blocking == 0 {
                "every residual anomaly concluded".to_string()
            } else {
                format!(
                    "{blocking} residual anomalies not concluded or without a risk control (see Open)"
                )
            },
        ),
        (
            "6.x, 7.4",
            format!(
                "support level known for {support_known} of {} items",
                items.len()
            ),
        ),
    ])
}

/// One row per SOUP item.
pub fn soup_list(report: &Report) -> Block {
    let rows = report
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let c = &item.component;
            let spec = item.specification.as_ref();
            let supplier = spec
                .and_then(|s| s.manufacturer.as_deref())
                .or(c.supplier.as_deref());
            let title = if has_details(item) {
                vec![Inline::Anchor {
                    text: c.name.clone(),
                    anchor: item_anchor(index),
                }]
            } else {
                cell(&c.name)
            };
            let purpose = match (spec, covered_by(report, item)) {
                (Some(_), Some(owner)) => format!("covered by {owner}"),
                (Some(s), None) => s.purpose.clone(),
                (None, _) => "not specified".to_string(),
            };
            let anomalies: Vec<Inline> = if item.anomalies.is_empty() {
                cell("none")
            } else {
                let mut parts = Vec::new();
                for (n, a) in item.anomalies.iter().enumerate() {
                    if n > 0 {
                        parts.push(text(", "));
                    }
                    parts.push(Inline::Code(a.id.clone()));
                    parts.push(text(&format!(" {}", a.state.as_str())));
                }
                parts
            };
            vec![
                title,
                or_dash(supplier),
                id(&c.version),
                or_dash(c.licenses.as_deref()),
                cell(&purpose),
                or_dash(spec.and_then(|s| s.risk.as_deref())),
                cell(item.support.level.as_str()),
                cell(&item.support.end_of_support),
                anomalies,
            ]
        })
        .collect();
    Block::Table {
        head: vec![
            "Title",
            "Supplier",
            "Version",
            "Licence",
            "Purpose",
            "Risk",
            "Support",
            "End of support",
            "Anomalies",
        ],
        rows,
    }
}

/// The SOUP item whose specification `covers` this item, when it is not its
/// own, as the document names it: the covering item's name when the report
/// lists it, else the `[soup.<key>]` key.
pub fn covered_by<'r>(report: &'r Report, item: &'r Item) -> Option<&'r str> {
    let key = item.covered_by.as_deref()?;
    let owner = report.items.iter().find(|other| {
        let c = &other.component;
        other.covered_by.is_none() && specification_key(&c.name, c.purl.as_ref()) == key
    });
    Some(owner.map_or(key, |other| other.component.name.as_str()))
}

/// True when an item has more to say than its row: a specification, anomalies,
/// or a support level known from evidence the row has no room for.
pub fn has_details(item: &Item) -> bool {
    item.specification.is_some()
        || !item.anomalies.is_empty()
        || item.support.level != crate::record::SupportLevel::Unknown
}

/// The residual anomalies (5.8), grouped by conclusion.
pub fn residual(report: &Report) -> Vec<Block> {
    let mut open = Vec::new();
    let mut hazardous = Vec::new();
    let mut harmless = Vec::new();
    for (index, item) in report.items.iter().enumerate() {
        for anomaly in &item.anomalies {
            let row = residual_row(index, item, anomaly);
            match &anomaly.evaluation {
                _ if anomaly.state != AnomalyState::Evaluated => open.push(row),
                Some(e) if e.hazardous => hazardous.push(row),
                _ => harmless.push(row),
            }
        }
    }
    let mut blocks = vec![heading(
        2,
        Some(super::document::RESIDUAL_ANCHOR),
        "Residual anomalies (5.8)",
    )];
    if report.retired {
        blocks.push(text_paragraph(
            "This release is retired: no unit in the field runs it.",
        ));
    }
    let groups = [
        ("Not yet concluded (blocks release)", open),
        ("Can contribute to a hazardous situation", hazardous),
        ("Cannot contribute to a hazardous situation", harmless),
    ];
    for (title, rows) in groups {
        blocks.push(heading(3, None, title));
        if rows.is_empty() {
            blocks.push(text_paragraph("None."));
        } else {
            blocks.push(Block::Table {
                head: vec![
                    "SOUP item",
                    "Anomaly",
                    "Severity",
                    "State",
                    "Conclusion",
                    "Rationale",
                    "Evaluated",
                    "Advisory as evaluated",
                ],
                rows,
            });
        }
    }
    blocks
}

fn residual_row(index: usize, item: &Item, anomaly: &AnomalyEntry) -> Vec<Vec<Inline>> {
    let evaluation = anomaly.evaluation.as_ref();
    let conclusion = evaluation.map(|e| {
        let mut words = vec![e.vex_status.as_str().to_string()];
        if let Some(j) = e.vex_justification {
            words.push(j.as_str().to_string());
        }
        if !e.hazards.is_empty() {
            words.push(format!("hazards {}", e.hazards.join(", ")));
        }
        if !e.risk_controls.is_empty() {
            words.push(format!("risk controls {}", e.risk_controls.join(", ")));
        } else if e.hazardous {
            words.push("no risk control".to_string());
        }
        words.join("; ")
    });
    let rationale = evaluation.map(|e| e.rationale.lines().next().unwrap_or_default().to_string());
    let evaluated = evaluation.map(|e| match anomaly.approved_by.is_empty() {
        true => format!("{} on {}; not approved", e.by, e.date),
        false => format!(
            "{} on {}; approved by {}",
            e.by,
            e.date,
            anomaly.approved_by.join("; ")
        ),
    });
    let advisory =
        evaluation.map(|e| format!("modified {}; {}", e.advisory_modified, e.advisory_hash));
    vec![
        vec![Inline::Anchor {
            text: format!("{} {}", item.component.name, item.component.version),
            anchor: item_anchor(index),
        }],
        id(&anomaly.id),
        cell(
            &anomaly
                .severity
                .as_ref()
                .map_or("unrated".to_string(), |s| {
                    format!("{} {}", s.severity, s.base_score)
                }),
        ),
        cell(anomaly.state.as_str()),
        or_dash(conclusion.as_deref()),
        or_dash(rationale.as_deref()),
        or_dash(evaluated.as_deref()),
        or_dash(advisory.as_deref()),
    ]
}

/// Anchor of the change analysis (7.4).
pub const CHANGES_ANCHOR: &str = "change-analysis";

/// The change analysis (7.4): SOUP and anomalies changed since the compared release.
pub fn changes(report: &Report) -> Vec<Block> {
    let mut blocks = vec![heading(2, Some(CHANGES_ANCHOR), "Change analysis (7.4)")];
    let Some(changes) = &report.changes else {
        blocks.push(text_paragraph(
            "No earlier release is recorded to compare with.",
        ));
        return blocks;
    };
    blocks.push(text_paragraph(&format!(
        "Compared with release {}: {} added, {} removed, {} changed, {} unchanged; anomalies {} introduced, {} resolved, {} persisting.",
        changes.since,
        changes.added.len(),
        changes.removed.len(),
        changes.changed.len(),
        changes.unchanged,
        changes.introduced.len(),
        changes.resolved.len(),
        changes.persisting.len()
    )));
    let lists = [
        ("SOUP added", &changes.added),
        ("SOUP removed", &changes.removed),
        ("SOUP changed", &changes.changed),
        ("Anomalies introduced", &changes.introduced),
        ("Anomalies resolved", &changes.resolved),
    ];
    for (title, entries) in lists {
        if entries.is_empty() {
            continue;
        }
        blocks.push(heading(3, None, title));
        blocks.push(Block::List(entries.iter().map(|e| cell(e)).collect()));
    }
    if !changes.persisting.is_empty() {
        blocks.push(heading(3, None, "Anomalies persisting"));
        blocks.push(Block::Table {
            head: vec!["Anomaly", "SOUP item", "Earlier evaluation still applies"],
            rows: changes
                .persisting
                .iter()
                .map(|p| vec![id(&p.id), cell(&p.item), cell(p.standing())])
                .collect(),
        });
    }
    blocks
}
