//! The SOUP list as a small document tree (headings, paragraphs, tables, links),
//! built once from a [`Report`] so that the Markdown and HTML renderers show the
//! same content and only differ in how they write and escape it.

use crate::model::Component;
use crate::report::model::{
    AdvisorySource, AnomalyEntry, Evaluation, Item, Report, Specification, UncoveredItem,
};
use crate::report::sections;

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading; `anchor` is a fixed ASCII id other parts of the document link to.
    Heading {
        level: u8,
        anchor: Option<String>,
        text: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// A table whose first row is the header.
    Table {
        head: Vec<&'static str>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// A bulleted list.
    List(Vec<Vec<Inline>>),
    /// Outside text shown verbatim (advisory details).
    Verbatim(String),
    /// Blocks kept together on one page where they fit (an anomaly with its evaluation).
    Group(Vec<Block>),
}

/// Text inside a block. Every `String` is outside text the renderer must escape.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Strong(String),
    /// An id (advisory, version, digest) that must not break across lines.
    Code(String),
    /// A link to an anchor inside this document.
    Anchor {
        text: String,
        anchor: String,
    },
    /// A link out; rendered as a link only when the URL is plain `http(s)`.
    Url(String),
}

/// True when a URL is a plain `http(s)` address safe to write as a link in any format:
/// no other scheme, no whitespace, no characters that end a link or an attribute.
pub fn is_plain_http_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.chars().all(|c| {
            c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\'' | '`' | '\\' | '(' | ')')
        })
}

/// Anchor of the clause table.
pub const CLAUSES_ANCHOR: &str = "clauses";
/// Anchor of the advisory data the anomalies were matched against (7.1.2).
pub const DATA_ANCHOR: &str = "advisory-data";
/// Anchor of the SOUP items: identification, specification, support, anomalies.
pub const ITEMS_ANCHOR: &str = "soup-items";
/// Anchor of the summary of every anomaly and its evaluation (5.8).
pub const RESIDUAL_ANCHOR: &str = "residual-anomalies";
/// Anchor of the items no machine-readable anomaly list covers.
pub const UNCOVERED_ANCHOR: &str = "uncovered";
/// Anchor of the details of specified items and of anomalies.
pub const DETAILS_ANCHOR: &str = "details";
/// Anchor of what still needs a person.
pub const OPEN_ANCHOR: &str = "open";

/// One row of the IEC 62304 clause table (DESIGN.md §1).
pub struct Clause {
    /// Clause number(s) of IEC 62304.
    pub clause: &'static str,
    /// Safety classes the clause applies to.
    pub classes: &'static [&'static str],
    /// What the clause asks to be recorded.
    pub record: &'static str,
    /// Where this document answers it: (what, section anchor).
    pub answered: &'static [(&'static str, &'static str)],
}

/// The clauses of IEC 62304:2006+A1:2015 that ask for SOUP records.
pub const CLAUSES: &[Clause] = &[
    Clause {
        clause: "8.1.2",
        classes: &["A", "B", "C"],
        record: "title, manufacturer and unique designator (exact version) of each SOUP item",
        answered: &[("Identification of each SOUP item", ITEMS_ANCHOR)],
    },
    Clause {
        clause: "5.3.3",
        classes: &["B", "C"],
        record: "functional and performance requirements of each SOUP item",
        answered: &[(
            "Specification of each SOUP item: requirements",
            ITEMS_ANCHOR,
        )],
    },
    Clause {
        clause: "5.3.4",
        classes: &["B", "C"],
        record: "hardware and software each SOUP item needs",
        answered: &[("Specification of each SOUP item: needs", ITEMS_ANCHOR)],
    },
    Clause {
        clause: "7.1.2, 7.1.3",
        classes: &["B", "C"],
        record: "evaluation of published anomaly lists: can a known anomaly contribute to a hazardous situation?",
        answered: &[
            ("Anomalies of each SOUP item", ITEMS_ANCHOR),
            ("Advisory data used", DATA_ANCHOR),
            (
                "Items no machine-readable anomaly list covers",
                UNCOVERED_ANCHOR,
            ),
        ],
    },
    Clause {
        clause: "5.8",
        classes: &["B", "C"],
        record: "known residual anomalies at release, evaluated",
        answered: &[("Residual anomalies", RESIDUAL_ANCHOR)],
    },
    Clause {
        clause: "6.x, 7.4",
        classes: &["B", "C"],
        record: "maintenance: monitoring and analysis of every SOUP change",
        answered: &[
            ("Support level of each SOUP item", ITEMS_ANCHOR),
            ("Change analysis", sections::CHANGES_ANCHOR),
            ("Open", OPEN_ANCHOR),
        ],
    },
];

/// The whole SOUP list of a report: control and summary first, details after.
pub fn build(report: &Report) -> Vec<Block> {
    let mut blocks = sections::control(report);
    blocks.extend(sections::summary(report));
    blocks.extend(open(report));
    blocks.extend(clause_table(report));
    blocks.push(heading(2, Some(ITEMS_ANCHOR), "SOUP items"));
    if report.items.is_empty() {
        blocks.push(text_paragraph("No SOUP item an anomaly list covers."));
    } else {
        blocks.push(sections::soup_list(report));
    }
    blocks.extend(sections::residual(report));
    blocks.extend(sections::changes(report));
    blocks.push(heading(
        2,
        Some(DETAILS_ANCHOR),
        "Details of specified items, anomalies and support evidence",
    ));
    for (index, item) in report.items.iter().enumerate() {
        if sections::has_details(item) {
            blocks.extend(item_blocks(index, item, sections::covered_by(report, item)));
        }
    }
    blocks.extend(uncovered(&report.uncovered));
    blocks
}

/// The anchor of the n-th SOUP item (0-based), stable for a given report.
pub fn item_anchor(index: usize) -> String {
    format!("item-{}", index + 1)
}

pub(super) fn text(value: &str) -> Inline {
    Inline::Text(value.to_string())
}

pub(super) fn text_paragraph(value: &str) -> Block {
    Block::Paragraph(vec![text(value)])
}

pub(super) fn heading(level: u8, anchor: Option<&str>, value: &str) -> Block {
    Block::Heading {
        level,
        anchor: anchor.map(str::to_string),
        text: vec![text(value)],
    }
}

fn field(name: &str, value: Vec<Inline>) -> Vec<Vec<Inline>> {
    vec![vec![Inline::Strong(name.to_string())], value]
}

fn or_dash(value: Option<&str>) -> Vec<Inline> {
    vec![text(value.unwrap_or("—"))]
}

fn joined(values: &[String]) -> Vec<Inline> {
    if values.is_empty() {
        or_dash(None)
    } else {
        vec![text(&values.join(", "))]
    }
}

fn fields_table(rows: Vec<Vec<Vec<Inline>>>) -> Block {
    Block::Table {
        head: vec!["Field", "Value"],
        rows,
    }
}

fn clause_table(report: &Report) -> Vec<Block> {
    let class = report.system.class.as_str();
    let answers = sections::clause_answers(report);
    let rows = CLAUSES
        .iter()
        .map(|clause| {
            let applies = if clause.classes.contains(&class) {
                "yes"
            } else {
                "no"
            };
            let mut answered = Vec::new();
            for (index, (what, anchor)) in clause.answered.iter().enumerate() {
                if index > 0 {
                    answered.push(text("; "));
                }
                answered.push(Inline::Anchor {
                    text: what.to_string(),
                    anchor: anchor.to_string(),
                });
            }
            let answer = answers.get(clause.clause).map_or("—", String::as_str);
            vec![
                vec![text(clause.clause)],
                vec![text(&clause.classes.join(", "))],
                vec![text(applies)],
                vec![text(clause.record)],
                vec![text(answer)],
                answered,
            ]
        })
        .collect();
    vec![
        heading(
            2,
            Some(CLAUSES_ANCHOR),
            "IEC 62304 clauses: what this system has now",
        ),
        Block::Table {
            head: vec![
                "Clause",
                "Classes",
                "Applies",
                "Record required",
                "This system now",
                "Answered in",
            ],
            rows,
        },
    ]
}

fn identification(component: &Component, specification: Option<&Specification>) -> Block {
    let manufacturer = specification
        .and_then(|spec| spec.manufacturer.as_deref())
        .or(component.supplier.as_deref());
    let website = specification.and_then(|spec| spec.website.as_deref());
    let mut rows = vec![
        field("Manufacturer / supplier", or_dash(manufacturer)),
        field("Package URL", or_dash(component.purl_str())),
        field("Scope", vec![text(component.scope.as_str())]),
    ];
    // A device of several parts (`[[input]]`): which one the item is in.
    if let Some(part) = &component.input {
        rows.push(field("Part of the device", vec![text(part)]));
    }
    if let Some(cpe) = &component.cpe {
        rows.push(field("CPE", vec![text(cpe)]));
    }
    if let Some(url) = website {
        rows.push(field("Website", vec![Inline::Url(url.to_string())]));
    }
    if !component.dependency_path.is_empty() {
        rows.push(field(
            "Dependency path",
            vec![text(&component.dependency_path.join(" → "))],
        ));
    }
    fields_table(rows)
}

fn specification(spec: Option<&Specification>) -> Block {
    let Some(spec) = spec else {
        return text_paragraph("Not specified.");
    };
    let mut fields = vec![
        field("Purpose", vec![text(&spec.purpose)]),
        field(
            "Requirements (5.3.3)",
            or_dash(spec.requirements.as_deref()),
        ),
        field(
            "Hardware and software needed (5.3.4)",
            vec![text(&spec.needs)],
        ),
        field("Risk", or_dash(spec.risk.as_deref())),
        field("Verification", or_dash(spec.verification.as_deref())),
        field("Also covers", joined(&spec.covers)),
    ];
    if !spec.versions.is_empty() {
        fields.push(field("Written for versions", joined(&spec.versions)));
    }
    fields_table(fields)
}

fn item_blocks(index: usize, item: &Item, covered_by: Option<&str>) -> Vec<Block> {
    let component = &item.component;
    let title = format!("{} {}", component.name, component.version);
    let support = &item.support;
    let mut blocks = vec![
        Block::Heading {
            level: 3,
            anchor: Some(item_anchor(index)),
            text: vec![text(&title)],
        },
        identification(component, item.specification.as_ref()),
        Block::Paragraph(vec![
            Inline::Strong("Support".to_string()),
            text(&format!(
                ": {} ({}), end of support {}.",
                support.level.as_str(),
                support.evidence,
                support.end_of_support
            )),
        ]),
    ];
    match covered_by {
        Some(owner) => blocks.push(text_paragraph(&format!(
            "Specification (5.3.3, 5.3.4): covered by {owner}."
        ))),
        None if item.specification.is_some() => {
            blocks.push(heading(4, None, "Specification (5.3.3, 5.3.4)"));
            blocks.push(specification(item.specification.as_ref()));
        }
        None => blocks.push(text_paragraph("Not specified.")),
    }
    if !item.anomalies.is_empty() {
        blocks.push(heading(4, None, "Anomalies (7.1.2, 7.1.3)"));
    }
    for anomaly in &item.anomalies {
        blocks.extend(anomaly_blocks(anomaly));
    }
    blocks
}

/// An advisory's id, marked as an id so that no line breaks inside it, with
/// its publisher's page when known.
fn advisory_link(id: &str) -> Vec<Inline> {
    match AdvisorySource::of(id) {
        Some(source) => vec![
            Inline::Code(id.to_string()),
            text(" ("),
            Inline::Url(source.url()),
            text(")"),
        ],
        None => vec![Inline::Code(id.to_string())],
    }
}

fn anomaly_blocks(anomaly: &AnomalyEntry) -> Vec<Block> {
    let severity = anomaly
        .severity
        .as_ref()
        .map(|s| format!("{} {} ({})", s.severity, s.base_score, s.vector));
    let mut advisory = advisory_link(&anomaly.id);
    for (n, alias) in anomaly.aliases.iter().enumerate() {
        advisory.push(text(if n == 0 { "; aliases " } else { ", " }));
        advisory.push(Inline::Code(alias.clone()));
    }
    let releases = if anomaly.releases.is_empty() {
        String::new()
    } else {
        format!("; affects releases {}", anomaly.releases.join(", "))
    };
    let mut rows = vec![
        field("Advisory", advisory),
        field("Summary", or_dash(anomaly.summary.as_deref())),
        field(
            "Kind and severity",
            vec![text(&format!(
                "{}; {}",
                anomaly.kind.as_str(),
                severity.as_deref().unwrap_or("unrated")
            ))],
        ),
        field("Fixed in", joined(&anomaly.fixed)),
        field(
            "State",
            vec![text(&format!("{}{releases}", anomaly.state.as_str()))],
        ),
    ];
    if !anomaly.due_reasons.is_empty() {
        rows.push(field("Due because", joined(&anomaly.due_reasons)));
    }
    let mut blocks = vec![heading(5, None, &anomaly.id), fields_table(rows)];
    match &anomaly.evaluation {
        Some(evaluation) => {
            blocks.push(Block::Paragraph(vec![Inline::Strong(
                "Evaluation (7.1.3)".to_string(),
            )]));
            blocks.push(evaluation_table(evaluation));
        }
        None => blocks.push(text_paragraph("Not evaluated yet.")),
    }
    if let Some(details) = &anomaly.details {
        blocks.push(Block::Verbatim(details.clone()));
    }
    vec![Block::Group(blocks)]
}

fn evaluation_table(evaluation: &Evaluation) -> Block {
    fields_table(vec![
        field("Evaluated by", vec![text(&evaluation.by)]),
        field("Evaluated on", vec![text(&evaluation.date.to_string())]),
        field("Review by", vec![text(&evaluation.review_by.to_string())]),
        field(
            "Can contribute to a hazardous situation",
            vec![text(if evaluation.hazardous { "yes" } else { "no" })],
        ),
        field("Hazards", joined(&evaluation.hazards)),
        field("Risk controls", joined(&evaluation.risk_controls)),
        field("VEX status", vec![text(evaluation.vex_status.as_str())]),
        field(
            "VEX justification",
            or_dash(evaluation.vex_justification.map(|j| j.as_str())),
        ),
        field("Action", vec![text(evaluation.action.as_str())]),
        field("Rationale", vec![text(&evaluation.rationale)]),
        field(
            "Carried forward from",
            or_dash(evaluation.carried_from.as_deref()),
        ),
    ])
}

fn uncovered(items: &[UncoveredItem]) -> Vec<Block> {
    let mut blocks = vec![heading(
        2,
        Some(UNCOVERED_ANCHOR),
        "Items no machine-readable anomaly list covers",
    )];
    if items.is_empty() {
        blocks.push(text_paragraph(
            "None: an anomaly list covers every SOUP item.",
        ));
    }
    for item in items {
        let component = &item.component;
        blocks.push(heading(
            3,
            None,
            &format!("{} {}", component.name, component.version),
        ));
        blocks.push(identification(component, None));
        if item.reviews.is_empty() {
            blocks.push(text_paragraph(
                "No manual review of its anomaly list is recorded.",
            ));
            continue;
        }
        let rows = item
            .reviews
            .iter()
            .map(|review| {
                vec![
                    vec![text(&review.date)],
                    vec![text(&review.by)],
                    vec![text(&review.source)],
                    vec![text(&review.finding)],
                ]
            })
            .collect();
        blocks.push(Block::Table {
            head: vec!["Reviewed on", "By", "Anomaly list", "Finding"],
            rows,
        });
    }
    blocks
}

fn open(report: &Report) -> Vec<Block> {
    let mut entries = Vec::new();
    for (index, item) in report.items.iter().enumerate() {
        for anomaly in &item.anomalies {
            let Some(code) = anomaly
                .state
                .finding_code()
                .filter(|_| anomaly.needs_person)
            else {
                continue;
            };
            entries.push(vec![
                Inline::Strong(code.as_str().to_string()),
                text(&format!(" {} in ", anomaly.id)),
                Inline::Anchor {
                    text: format!("{} {}", item.component.name, item.component.version),
                    anchor: item_anchor(index),
                },
            ]);
        }
    }
    for finding in &report.open {
        entries.push(vec![
            Inline::Strong(finding.code.clone()),
            text(&format!(" {}: {}", finding.subject, finding.message)),
        ]);
    }
    let mut blocks = vec![heading(2, Some(OPEN_ANCHOR), "Open")];
    if entries.is_empty() {
        blocks.push(text_paragraph("Nothing needs a person."));
    } else {
        blocks.push(Block::List(entries));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_urls_are_links() {
        assert!(is_plain_http_url(
            "https://rustsec.org/advisories/RUSTSEC-2024-0001.html"
        ));
        assert!(!is_plain_http_url("javascript:alert(1)"));
        assert!(!is_plain_http_url("https://x.example/\"onmouseover=\"a"));
        assert!(!is_plain_http_url("https://x.example/ a"));
    }

    #[test]
    fn class_a_needs_only_identification() {
        let applicable: Vec<&str> = CLAUSES
            .iter()
            .filter(|c| c.classes.contains(&"A"))
            .map(|c| c.clause)
            .collect();
        assert_eq!(applicable, ["8.1.2"]);
    }

    #[test]
    fn every_clause_row_links_to_a_section_the_document_has() {
        let sections = [
            DATA_ANCHOR,
            ITEMS_ANCHOR,
            RESIDUAL_ANCHOR,
            UNCOVERED_ANCHOR,
            OPEN_ANCHOR,
            sections::CHANGES_ANCHOR,
        ];
        for clause in CLAUSES {
            for (_, anchor) in clause.answered {
                assert!(sections.contains(anchor), "{anchor}");
            }
        }
    }
}
