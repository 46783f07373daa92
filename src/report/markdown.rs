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
            write_inlines(out, text);
            out.push('\n');
        }
        Block::Paragraph(text) => {
            write_inlines(out, text);
            out.push('\n');
        }
        Block::Table { head, rows } => write_table(out, head, rows),
        Block::List(entries) => {
            for entry in entries {
                out.push_str("- ");
                write_inlines(out, entry);
                out.push('\n');
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
        out.push_str("| ");
        for (index, cell) in row.iter().enumerate() {
            if index > 0 {
                out.push_str(" | ");
            }
            write_inlines(out, cell);
        }
        out.push_str(" |\n");
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

/// Writes each part in place: a string for each part, joined per cell, was a
/// quarter of the time a large report took to render.
fn write_inlines(out: &mut String, parts: &[Inline]) {
    for part in parts {
        match part {
            Inline::Text(text) | Inline::Code(text) => escape_into(out, text),
            Inline::Strong(text) => {
                out.push_str("**");
                escape_into(out, text);
                out.push_str("**");
            }
            Inline::Anchor { text, anchor } => {
                out.push('[');
                escape_into(out, text);
                out.push_str("](#");
                out.push_str(anchor);
                out.push(')');
            }
            Inline::Url(url) if document::is_plain_http_url(url) => {
                out.push('<');
                out.push_str(url);
                out.push('>');
            }
            Inline::Url(url) => escape_into(out, url),
        }
    }
}

/// Outside text on one line, with every character that could start Markdown
/// syntax (emphasis, code, links, tables, HTML, entities, math) backslash-escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// [`escape`], appended to `out`.
fn escape_into(out: &mut String, text: &str) {
    let text = printable(text, false);
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
