//! The record's document control and support facts: `[report]`, and the
//! `support`, `support_evidence` and `end_of_support` of a specification.

use std::path::Path;

use cargo_soup::record::{EndOfSupport, RecordError, RecordFile, SupportLevel};
use time::macros::date;

const VALID: &str = r#"[system]
name = "pump"
class = "C"

[policy]
require_support_level = true

[report]
document_id = "SOUP-001"
revision = "C"

[soup.serde]
purpose = "Serialises settings"
needs = "std"
risk = "low"
support = "maintained"
support_evidence = "monthly releases; security policy in SECURITY.md"
end_of_support = 2030-06-30

[soup.ansi_term]
purpose = "Colours the service console"
needs = "a terminal"
risk = "low"
support = "unmaintained"
end_of_support = "unknown"
"#;

fn problems_of(text: &str) -> Vec<(usize, String)> {
    match RecordFile::parse(Path::new("soup-register.toml"), text) {
        Err(RecordError::Invalid { problems, .. }) => {
            problems.into_iter().map(|p| (p.line, p.message)).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn document_control_and_support_facts_are_read() {
    let file = RecordFile::parse(Path::new("soup-register.toml"), VALID).unwrap();
    let record = file.record();
    assert_eq!(record.report.document_id.as_deref(), Some("SOUP-001"));
    assert_eq!(record.report.revision.as_deref(), Some("C"));
    assert!(record.policy.require_support_level);
    let serde = &record.soup["serde"];
    assert_eq!(serde.support, Some(SupportLevel::Maintained));
    assert_eq!(
        serde.end_of_support,
        Some(EndOfSupport::On(date!(2030 - 06 - 30)))
    );
    let ansi = &record.soup["ansi_term"];
    assert_eq!(ansi.support, Some(SupportLevel::Unmaintained));
    assert_eq!(ansi.end_of_support, Some(EndOfSupport::Unknown));
    assert_eq!(ansi.support_evidence, None);
}

#[test]
fn a_record_without_them_defaults_to_nothing_required() {
    let text = "[system]\nname = \"pump\"\nclass = \"B\"\n";
    let file = RecordFile::parse(Path::new("soup-register.toml"), text).unwrap();
    assert_eq!(file.record().report.document_id, None);
    assert!(!file.record().policy.require_support_level);
}

#[test]
fn bad_support_facts_are_named_with_their_lines() {
    let text = r#"[system]
name = "pump"
class = "C"

[report]
document_id = ""
colour = "red"

[soup.serde]
purpose = "p"
needs = "n"
risk = "low"
support = "supported"
end_of_support = "soon"

[soup.log]
purpose = "p"
needs = "n"
risk = "low"
support_evidence = "the maintainer said so"
"#;
    let found = problems_of(text);
    let expected: &[(usize, &str)] = &[
        (6, "[report]: `document_id` must not be empty"),
        (7, "unknown key `colour` in [report]"),
        (
            13,
            "`supported` is not a valid support level; expected one of: maintained, limited, unmaintained, end-of-life, unknown",
        ),
        (
            14,
            "`end_of_support` in [soup.serde] must be a date such as 2027-06-30 (unquoted) or \"unknown\"",
        ),
        (
            20,
            "`support_evidence` needs the `support` level it is evidence for",
        ),
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for ((line, message), (want_line, want)) in found.iter().zip(expected) {
        assert_eq!(line, want_line, "{message}");
        assert!(message.contains(want), "{message:?} should say {want:?}");
    }
}

#[test]
fn the_new_keys_have_a_canonical_place() {
    let shuffled = r#"[soup.serde]
end_of_support = "unknown"
support_evidence = "e"
covers = ["serde_derive"]
support = "limited"
risk = "low"
needs = "n"
purpose = "p"

[report]
revision = "2"
document_id = "SOUP-7"

[policy]
require_support_level = true
require_specification = true

[system]
name = "pump"
class = "C"
"#;
    let file = RecordFile::parse(Path::new("soup-register.toml"), shuffled).unwrap();
    let canonical = file.canonical_text();
    let order: Vec<&str> = canonical
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.split(" =").next().unwrap_or(line))
        .collect();
    assert_eq!(
        order,
        [
            "[system]",
            "name",
            "class",
            "[policy]",
            "require_specification",
            "require_support_level",
            "[report]",
            "document_id",
            "revision",
            "[soup.serde]",
            "purpose",
            "needs",
            "risk",
            "support",
            "support_evidence",
            "end_of_support",
            "covers",
        ]
    );
    let again = RecordFile::parse(Path::new("soup-register.toml"), &canonical).unwrap();
    assert!(again.is_canonical());
    assert_eq!(again.record(), file.record());
}
