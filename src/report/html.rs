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
  body { max-width: none; margin: 0; padding: 0; font-size: 8.5pt; }
  a { color: inherit; text-decoration: none; }
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
            out.push_str("<ul>\n");
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
    out.push_str("<table>\n<thead><tr>");
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
