//! The release diff for people: plain text (what `diff` prints on the
//! terminal) and Markdown (for a change request or a review). Both list the
//! same rows, items then anomalies, so the two never disagree.

use std::fmt::Write as _;

use super::diff::{Persisting, SideAnomaly, SoupDiff};
use super::markdown::escape;
use crate::evaluate::State;

/// One line of the change: what happened, the item, its ecosystem, versions before and after.
type Row<'a> = (&'static str, &'a str, &'a str, String, String);

/// Every added, removed and changed item, in that order.
fn rows(d: &SoupDiff) -> Vec<Row<'_>> {
    let added = d.added.iter().map(|p| {
        let versions = p.versions.join(", ");
        (
            "added",
            p.name.as_str(),
            p.ecosystem.as_str(),
            String::new(),
            versions,
        )
    });
    let removed = d.removed.iter().map(|p| {
        let versions = p.versions.join(", ");
        (
            "removed",
            p.name.as_str(),
            p.ecosystem.as_str(),
            versions,
            String::new(),
        )
    });
    let changed = d.changed.iter().map(|c| {
        let (before, after) = (c.before.join(", "), c.after.join(", "));
        (
            "changed",
            c.name.as_str(),
            c.ecosystem.as_str(),
            before,
            after,
        )
    });
    added.chain(removed).chain(changed).collect()
}

/// The diff as plain text: a count line, one `+`/`-`/`~` line per item, then the anomalies.
pub fn plain(d: &SoupDiff) -> String {
    let mut out = format!(
        "{} ({} items) -> {} ({} items): {} added, {} removed, {} changed, {} unchanged\n",
        d.before.name,
        d.before.components,
        d.after.name,
        d.after.components,
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    for (change, name, ecosystem, before, after) in rows(d) {
        let (mark, versions) = match change {
            "added" => ('+', after),
            "removed" => ('-', before),
            _ => ('~', format!("{before} -> {after}")),
        };
        let _ = writeln!(out, "  {mark} {name} {versions} ({ecosystem})");
    }
    anomaly_lines(&mut out, d, "  ");
    out.trim_end().to_string()
}

/// The diff as Markdown: a count table, the item table, then the anomalies as a list.
pub fn markdown(d: &SoupDiff) -> String {
    let mut out = format!(
        "# SOUP changes: {} → {}\n\n| | count |\n|---|---|\n| added | {} |\n| removed | {} |\n| changed | {} |\n| unchanged | {} |\n\n",
        escape(&d.before.name),
        escape(&d.after.name),
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    out.push_str("| change | item | ecosystem | before | after |\n|---|---|---|---|---|\n");
    for (change, name, ecosystem, before, after) in rows(d) {
        let _ = writeln!(
            out,
            "| {change} | {} | {} | {} | {} |",
            escape(name),
            escape(ecosystem),
            escape(&before),
            escape(&after)
        );
    }
    out.push_str("\n## Anomalies\n\n");
    anomaly_lines(&mut out, d, "- ");
    out
}

/// The anomalies introduced, resolved and persisting.
fn anomaly_lines(out: &mut String, d: &SoupDiff, prefix: &str) {
    let one = |a: &SideAnomaly| format!("{} {}@{}", a.id, a.name, a.version);
    for a in &d.anomalies.introduced {
        let _ = writeln!(out, "{prefix}introduced: {}", one(a));
    }
    for a in &d.anomalies.resolved {
        let _ = writeln!(out, "{prefix}resolved: {}", one(a));
    }
    for p in &d.anomalies.persisting {
        let _ = writeln!(out, "{prefix}persisting: {}", persisting(p));
    }
    let _ = writeln!(
        out,
        "{prefix}{} introduced, {} resolved, {} persisting",
        d.anomalies.introduced.len(),
        d.anomalies.resolved.len(),
        d.anomalies.persisting.len()
    );
}

/// "RUSTSEC-x quinn-proto 0.11.9 -> 0.11.14: needs a new evaluation".
fn persisting(p: &Persisting) -> String {
    let versions = match p.version_changed {
        true => format!("{} -> {}", p.before.join(", "), p.after.join(", ")),
        false => p.after.join(", "),
    };
    let evaluation = match p.state {
        State::Evaluated => "an evaluation covers it",
        State::UnderInvestigation => "under investigation on the later side: not concluded",
        State::Due | State::New => "needs an evaluation on the later side",
    };
    format!("{} {} {versions}: {evaluation}", p.id, p.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::diff::{AnomalyChanges, Change, DIFF_SCHEMA, DiffSide, Presence};

    fn side(name: &str, components: usize) -> DiffSide {
        DiffSide {
            name: name.to_string(),
            path: format!("{name}.cdx.json"),
            components,
            anomalies: Vec::new(),
        }
    }

    fn example() -> SoupDiff {
        let presence = |name: &str, version: &str| Presence {
            ecosystem: "crates.io".to_string(),
            name: name.to_string(),
            versions: vec![version.to_string()],
        };
        SoupDiff {
            schema: DIFF_SCHEMA,
            before: side("1.3.0", 2),
            after: side("1.4.0", 2),
            added: vec![presence("c", "0.1.0")],
            removed: vec![presence("b", "1.0.0")],
            changed: vec![Change {
                ecosystem: "crates.io".to_string(),
                name: "syn".to_string(),
                before: vec!["1.0.0".to_string()],
                after: vec!["2.0.1".to_string()],
            }],
            unchanged: 1,
            anomalies: AnomalyChanges {
                introduced: vec![SideAnomaly {
                    id: "RUSTSEC-2024-0001".to_string(),
                    aliases: Vec::new(),
                    ecosystem: "crates.io".to_string(),
                    name: "c".to_string(),
                    version: "0.1.0".to_string(),
                    state: State::New,
                }],
                resolved: Vec::new(),
                persisting: vec![Persisting {
                    id: "RUSTSEC-2024-0002".to_string(),
                    ecosystem: "crates.io".to_string(),
                    name: "syn".to_string(),
                    before: vec!["1.0.0".to_string()],
                    after: vec!["2.0.1".to_string()],
                    version_changed: true,
                    evaluation_applies: false,
                    state: State::Due,
                }],
            },
        }
    }

    #[test]
    fn plain_text_marks_each_change_and_counts_the_anomalies() {
        let text = plain(&example());
        assert_eq!(
            text,
            "1.3.0 (2 items) -> 1.4.0 (2 items): 1 added, 1 removed, 1 changed, 1 unchanged\n  \
             + c 0.1.0 (crates.io)\n  - b 1.0.0 (crates.io)\n  ~ syn 1.0.0 -> 2.0.1 (crates.io)\n  \
             introduced: RUSTSEC-2024-0001 c@0.1.0\n  \
             persisting: RUSTSEC-2024-0002 syn 1.0.0 -> 2.0.1: needs an evaluation on the later side\n  \
             1 introduced, 0 resolved, 1 persisting"
        );
    }

    #[test]
    fn markdown_lists_the_same_rows_as_a_table() {
        let text = markdown(&example());
        assert!(text.starts_with("# SOUP changes: 1.3.0 → 1.4.0\n"));
        assert!(text.contains("| changed | syn | crates.io | 1.0.0 | 2.0.1 |\n"));
        assert!(text.contains("| added | c | crates.io |  | 0.1.0 |\n"));
        assert!(text.ends_with("- 1 introduced, 0 resolved, 1 persisting\n"));
    }
}
