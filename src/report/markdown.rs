//! The SOUP list as Markdown (CommonMark with GitHub tables). Outside text is
//! escaped so that a package name or an advisory summary cannot open a link,
//! break a table or inject HTML; advisory details are shown verbatim in a fence
//! longer than any backtick run they contain.

use crate::report::document::{self, Block, Inline};
use crate::report::model::{Report, printable};

/// The SOUP list an auditor reads, as Markdown.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    for block in document::build(report) {
        write_block(&mut out, &block);
        out.push('\n');
    }
    out
}

fn write_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading {
            level,
            anchor,
            text,
        } => {
            if let Some(anchor) = anchor {
                out.push_str(&format!("<a id=\"{anchor}\"></a>\n\n"));
            }
            out.push_str(&"#".repeat(usize::from(*level)));
            out.push(' ');
            out.push_str(&inlines(text));
            out.push('\n');
        }
        Block::Paragraph(text) => {
            out.push_str(&inlines(text));
            out.push('\n');
        }
        Block::Table { head, rows } => write_table(out, head, rows),
        Block::List(entries) => {
            for entry in entries {
                out.push_str(&format!("- {}\n", inlines(entry)));
            }
        }
        Block::Verbatim(text) => write_fence(out, text),
        Block::Group(blocks) => {
            for (index, block) in blocks.iter().enumerate() {
                if index > 0 {
                    out.push('\n');
                }
                write_block(out, block);
            }
        }
    }
}

fn write_table(out: &mut String, head: &[&str], rows: &[Vec<Vec<Inline>>]) {
    out.push_str(&format!("| {} |\n", head.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|cell| inlines(cell)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
}

fn write_fence(out: &mut String, text: &str) {
    let text = printable(text, true);
    let fence = "`".repeat(longest_backtick_run(&text).max(2) + 1);
    out.push_str(&format!("{fence}text\n{}\n{fence}\n", text.trim_end()));
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn inlines(parts: &[Inline]) -> String {
    parts.iter().map(inline).collect()
}

fn inline(part: &Inline) -> String {
    match part {
        Inline::Text(text) => escape(text),
        Inline::Strong(text) => format!("**{}**", escape(text)),
        Inline::Code(text) => escape(text),
        Inline::Anchor { text, anchor } => format!("[{}](#{anchor})", escape(text)),
        Inline::Url(url) if document::is_plain_http_url(url) => format!("<{url}>"),
        Inline::Url(url) => escape(url),
    }
}

/// Outside text on one line, with every character that could start Markdown
/// syntax (emphasis, code, links, tables, HTML, entities, math) backslash-escaped.
pub fn escape(text: &str) -> String {
    let text = printable(text, false);
    let mut out = String::with_capacity(text.len() + 8);
    // Every character escaped is ASCII, so the text is copied in runs between
    // them, split only at those bytes (always character boundaries).
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        if matches!(
            byte,
            b'\\'
                | b'`'
                | b'*'
                | b'_'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'|'
                | b'~'
                | b'&'
                | b'$'
                | b'#'
        ) {
            out.push_str(&text[run..at]);
            out.push('\\');
            run = at;
        }
    }
    out.push_str(&text[run..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_syntax_in_outside_text_is_escaped() {
        assert_eq!(escape("[a](javascript:x)"), "\\[a\\](javascript:x)");
        assert_eq!(escape("| x |"), "\\| x \\|");
        assert_eq!(escape("<b>&amp;"), "\\<b\\>\\&amp;");
        assert_eq!(escape("a\nb"), "a b");
    }

    #[test]
    fn fences_outgrow_backtick_runs_in_the_text() {
        let mut out = String::new();
        write_fence(&mut out, "```\nclose?\n````");
        assert!(out.starts_with("`````text\n"), "{out}");
        assert!(out.ends_with("\n`````\n"), "{out}");
    }
}
