//! The SOUP list as one self-contained HTML file: no scripts, no external
//! assets, inline CSS (with a print layout), a Content-Security-Policy that
//! forbids everything else, and every piece of outside text HTML-escaped.
//! On paper the advisories' own long descriptions are left out (each anomaly
//! keeps its summary, severity and link); the screen shows them.

use crate::report::document::{self, Block, Inline};
use crate::report::model::{Report, printable};

/// The policy the page declares: nothing but its own inline styles may load or run.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

const STYLE: &str = "
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #111; line-height: 1.35; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; width: 100%; table-layout: auto; }
th, td { border: 1px solid #999; padding: 0.2rem 0.4rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #eee; }
.id { white-space: nowrap; font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f6f6; border: 1px solid #ccc; padding: 0.5rem; }
h3 { border-top: 2px solid #333; padding-top: 0.4rem; }
@page { size: auto; margin: 16mm 12mm 16mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 7.5pt; line-height: 1.2; }
  a { color: inherit; text-decoration: none; }
  h1 { font-size: 13pt; margin: 0 0 4pt; }
  h2 { font-size: 10.5pt; margin: 8pt 0 3pt; }
  h3 { font-size: 8.5pt; margin: 6pt 0 2pt; padding-top: 2pt; border-top-width: 1pt; }
  h4, h5 { font-size: 7.5pt; margin: 3pt 0 1pt; }
  p { margin: 1pt 0 2pt; }
  ul { margin: 1pt 0 3pt; padding-left: 12pt; }
  ul.short { columns: 2; column-gap: 12pt; }
  li { break-inside: avoid; page-break-inside: avoid; }
  table { margin: 1pt 0 3pt; }
  th, td { padding: 0.5pt 2pt; border-color: #555; border-width: 0.5pt; }
  table.fields { table-layout: fixed; }
  table.fields thead { display: none; }
  table.fields td:first-child { width: 24%; font-weight: bold; }
  table.soup td:nth-child(5) { min-width: 14ch; }
  table.soup td:nth-child(7) { min-width: 12ch; }
  table.soup td:nth-child(9) { min-width: 24ch; }
  table.residual td:nth-child(6) { min-width: 40ch; }
  table.residual td:last-child { overflow-wrap: anywhere; min-width: 26ch; }
  .id { font-size: 1em; }
  h1, h2, h3, h4, h5 { break-after: avoid; page-break-after: avoid; }
  tr, .keep { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: none; font-weight: bold; }
  pre { display: none; }
}
";

/// The running header and footer of printed pages: document id, revision and
/// page numbers (CSS page-margin boxes; browsers without them print none).
fn page_style(report: &Report) -> String {
    let control = &report.control;
    let id = control
        .document_id
        .as_deref()
        .or(control.draft.as_deref())
        .unwrap_or_default();
    let revision = control
        .revision
        .as_ref()
        .map_or(String::new(), |r| format!(" revision {}", r.value));
    let header = css_string(&format!("{id}{revision}"));
    let system = css_string(&format!("SOUP list: {}", report.system.name));
    format!(
        "@page {{ @top-left {{ content: {header}; font-size: 8pt; }} \
         @top-right {{ content: {system}; font-size: 8pt; }} \
         @bottom-right {{ content: \"page \" counter(page) \" of \" counter(pages); font-size: 8pt; }} }}"
    )
}

/// Outside text as a quoted CSS string: only letters, digits and plain
/// punctuation are kept, so it cannot end the string or the style element.
fn css_string(text: &str) -> String {
    let kept: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric()
                || matches!(
                    c,
                    ' ' | '-' | '_' | '.' | ':' | '/' | '(' | ')' | '[' | ']' | ','
                )
            {
                c
            } else {
                ' '
            }
        })
        .collect();
    format!("\"{kept}\"")
}

/// The SOUP list an auditor reads, as one HTML page.
pub fn html(report: &Report) -> String {
    let mut body = String::new();
    for block in document::build(report) {
        write_block(&mut body, &block);
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>SOUP list: {}</title>\n<style>{STYLE}{}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(&report.system.name),
        page_style(report)
    )
}

fn write_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading {
            level,
            anchor,
            text,
        } => {
            let id = anchor
                .as_ref()
                .map_or(String::new(), |a| format!(" id=\"{}\"", escape(a)));
            out.push_str(&format!("<h{level}{id}>{}</h{level}>\n", inlines(text)));
        }
        Block::Paragraph(text) => out.push_str(&format!("<p>{}</p>\n", inlines(text))),
        Block::Table { head, rows } => write_table(out, head, rows),
        Block::List(entries) => {
            // Short entries print in two columns.
            let short = entries
                .iter()
                .all(|entry| entry.iter().map(inline_len).sum::<usize>() <= SHORT_ENTRY);
            out.push_str(if short {
                "<ul class=\"short\">\n"
            } else {
                "<ul>\n"
            });
            for entry in entries {
                out.push_str(&format!("<li>{}</li>\n", inlines(entry)));
            }
            out.push_str("</ul>\n");
        }
        Block::Verbatim(text) => out.push_str(&format!("<pre>{}</pre>\n", escape_multiline(text))),
        Block::Group(blocks) => {
            out.push_str("<div class=\"keep\">\n");
            for block in blocks {
                write_block(out, block);
            }
            out.push_str("</div>\n");
        }
    }
}

fn write_table(out: &mut String, head: &[&str], rows: &[Vec<Vec<Inline>>]) {
    // A table of one thing's fields reads as a list on paper: no head row.
    // The SOUP list keeps its short words ("not specified", "unmaintained") on
    // one line, and the residual anomalies' rationale is wide enough to read.
    match head {
        ["Field", "Value"] => out.push_str("<table class=\"fields\">\n<thead><tr>"),
        ["Title", "Supplier", ..] => out.push_str("<table class=\"soup\">\n<thead><tr>"),
        ["SOUP item", "Anomaly", "Severity", ..] => {
            out.push_str("<table class=\"residual\">\n<thead><tr>")
        }
        _ => out.push_str("<table>\n<thead><tr>"),
    }
    for name in head {
        out.push_str(&format!("<th>{}</th>", escape(name)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{}</td>", inlines(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The longest list entry, in characters, that still prints in two columns.
const SHORT_ENTRY: usize = 70;

/// The characters `part` shows.
fn inline_len(part: &Inline) -> usize {
    match part {
        Inline::Text(t) | Inline::Strong(t) | Inline::Code(t) | Inline::Url(t) => t.chars().count(),
        Inline::Anchor { text, .. } => text.chars().count(),
    }
}

fn inlines(parts: &[Inline]) -> String {
    parts.iter().map(inline).collect()
}

fn inline(part: &Inline) -> String {
    match part {
        Inline::Text(text) => escape(text),
        Inline::Strong(text) => format!("<strong>{}</strong>", escape(text)),
        Inline::Code(text) => format!("<span class=\"id\">{}</span>", escape(text)),
        Inline::Anchor { text, anchor } => {
            format!("<a href=\"#{}\">{}</a>", escape(anchor), escape(text))
        }
        Inline::Url(url) if document::is_plain_http_url(url) => {
            format!(
                "<a href=\"{0}\" rel=\"noopener noreferrer\">{0}</a>",
                escape(url)
            )
        }
        Inline::Url(url) => escape(url),
    }
}

/// Outside text on one line, safe in element content and in quoted attributes.
pub fn escape(text: &str) -> String {
    escape_chars(&printable(text, false))
}

fn escape_multiline(text: &str) -> String {
    escape_chars(&printable(text, true))
}

fn escape_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_significant_characters_are_escaped() {
        assert_eq!(
            escape("<a href='x'>\"&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;"
        );
    }

    #[test]
    fn css_strings_cannot_close_the_string_or_the_style() {
        assert_eq!(css_string("a\\\"</style>b"), "\"a   /style b\"");
    }

    #[test]
    fn field_tables_and_short_lists_get_their_print_layout() {
        let mut out = String::new();
        write_table(&mut out, &["Field", "Value"], &[]);
        assert!(out.starts_with("<table class=\"fields\">"), "{out}");
        let short = Block::List(vec![vec![Inline::Code("RUSTSEC-2024-0421".into())]]);
        let long = Block::List(vec![vec![Inline::Text("x".repeat(SHORT_ENTRY + 1))]]);
        let mut out = String::new();
        write_block(&mut out, &short);
        write_block(&mut out, &long);
        assert!(out.starts_with("<ul class=\"short\">"), "{out}");
        assert!(out.contains("</ul>\n<ul>\n"), "{out}");
    }

    #[test]
    fn urls_with_other_schemes_are_not_links() {
        assert_eq!(
            inline(&Inline::Url("javascript:alert(1)".into())),
            "javascript:alert(1)"
        );
        assert_eq!(
            inline(&Inline::Url("https://osv.dev/x".into())),
            "<a href=\"https://osv.dev/x\" rel=\"noopener noreferrer\">https://osv.dev/x</a>"
        );
    }
}
