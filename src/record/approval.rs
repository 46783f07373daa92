//! `[[approval]]` entries: reading one from the record, the rules it obeys, and
//! the table the writer appends.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use toml_edit::{Item, Table};

use super::fields::Fields;
use super::rules::{BrokenRule, broken, is_sha256_hex, messages, require_text};
use super::types::{Approval, Meaning};

/// The first line of an armored SSH signature.
const SIGNATURE_BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";

/// What an approval approves, read from its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approved<'a> {
    /// One evaluation, named for people by its advisory and exact SOUP item.
    Evaluation { advisory: &'a str, purl: &'a str },
    /// One release's SOUP list.
    Release { version: &'a str },
}

impl std::fmt::Display for Approved<'_> {
    /// "the evaluation of ADVISORY in PURL", or "release VERSION": how messages
    /// name what an approval approves.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Approved::Evaluation { advisory, purl } => {
                write!(f, "the evaluation of {advisory} in {purl}")
            }
            Approved::Release { version } => write!(f, "release {version}"),
        }
    }
}

impl Approval {
    /// What this approval approves.
    pub fn approved(&self) -> Approved<'_> {
        match &self.release {
            Some(version) => Approved::Release { version },
            None => Approved::Evaluation {
                advisory: self.advisory.as_deref().unwrap_or_default(),
                purl: self.purl.as_deref().unwrap_or_default(),
            },
        }
    }

    /// The problems a valid approval must not have; empty when it may be recorded.
    pub fn problems(&self) -> Vec<String> {
        messages(self.broken_rules())
    }

    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        self.subject_rules(&mut rules);
        let digest_ok = self
            .digest
            .strip_prefix("sha256:")
            .is_some_and(is_sha256_hex);
        if !digest_ok {
            rules.push(broken(
                &["digest"],
                "`digest` must be `sha256:` and 64 hex digits",
            ));
        }
        require_text(&mut rules, &["by"], &self.by);
        if OffsetDateTime::parse(&self.at, &Rfc3339).is_err() {
            rules.push(broken(
                &["at"],
                "`at` must be an RFC 3339 date and time such as \"2026-11-25T14:30:00Z\"",
            ));
        }
        self.signature_rules(&mut rules);
        for (field, value) in self.signed_lines() {
            if value.chars().any(char::is_control) {
                rules.push(broken(
                    field,
                    format!("`{}` must be one line of text", field[0]),
                ));
            }
        }
        rules
    }

    /// The one-line values the signed payload holds.
    fn signed_lines(&self) -> Vec<(&'static [&'static str], &str)> {
        let mut lines: Vec<(&'static [&'static str], &str)> = vec![(&["by"], &self.by)];
        let optional: [(&'static [&'static str], &Option<String>); 3] = [
            (&["advisory"], &self.advisory),
            (&["purl"], &self.purl),
            (&["release"], &self.release),
        ];
        for (field, value) in optional {
            if let Some(value) = value {
                lines.push((field, value));
            }
        }
        lines
    }

    fn subject_rules(&self, rules: &mut Vec<BrokenRule>) {
        match &self.release {
            Some(version) => {
                require_text(rules, &["release"], version);
                if self.advisory.is_some() || self.purl.is_some() {
                    rules.push(broken(
                        &["release", "advisory", "purl"],
                        "an approval is of a release or of an evaluation: `release` goes without `advisory` and `purl`",
                    ));
                }
                if self.parts.is_empty() {
                    rules.push(broken(
                        &["parts", "release"],
                        "a release approval lists the `parts` its digest covers",
                    ));
                }
            }
            None => {
                match &self.advisory {
                    Some(advisory) => require_text(rules, &["advisory"], advisory),
                    None => rules.push(broken(
                        &["advisory"],
                        "an approval names the `advisory` and `purl` of the evaluation it approves, or a `release`",
                    )),
                }
                if !self.purl.as_deref().is_some_and(|p| p.starts_with("pkg:")) {
                    rules.push(broken(
                        &["purl"],
                        "`purl` must be the package URL (`pkg:...`) of the evaluation approved",
                    ));
                }
                if !self.parts.is_empty() {
                    rules.push(broken(&["parts"], "`parts` is only for a release approval"));
                }
            }
        }
    }

    fn signature_rules(&self, rules: &mut Vec<BrokenRule>) {
        if self.signature.is_some() != self.key.is_some() {
            rules.push(broken(
                &["signature", "key"],
                "`signature` and `key` go together: the signature and the fingerprint of the key that made it",
            ));
        }
        if let Some(key) = &self.key
            && !key.starts_with("SHA256:")
        {
            rules.push(broken(
                &["key"],
                "`key` must be a public key fingerprint such as \"SHA256:...\" (ssh-keygen -l)",
            ));
        }
        if let Some(signature) = &self.signature
            && !signature.trim_start().starts_with(SIGNATURE_BEGIN)
        {
            rules.push(broken(
                &["signature"],
                format!("`signature` must be an armored SSH signature starting {SIGNATURE_BEGIN}"),
            ));
        }
    }
}

pub(super) fn read_approval(fields: &mut Fields<'_, '_, '_>) -> Approval {
    Approval {
        advisory: fields.optional_string("advisory"),
        purl: fields.optional_string("purl"),
        release: fields.optional_string("release"),
        digest: fields.string("digest"),
        parts: fields.strings("parts"),
        by: fields.string("by"),
        at: fields.string("at"),
        meaning: fields.choice("meaning").unwrap_or(Meaning::Reviewed),
        key: fields.optional_string("key"),
        signature: fields.optional_string("signature"),
    }
}

/// The table the writer appends; the signature is a multi-line string, as armored.
pub(super) fn approval_table(approval: &Approval) -> Table {
    let mut table = Table::new();
    let optional = [
        ("advisory", &approval.advisory),
        ("purl", &approval.purl),
        ("release", &approval.release),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            table.insert(key, toml_edit::value(value.as_str()));
        }
    }
    table.insert("digest", toml_edit::value(approval.digest.as_str()));
    if !approval.parts.is_empty() {
        table.insert("parts", Item::Value(parts_value(&approval.parts)));
    }
    table.insert("by", toml_edit::value(approval.by.as_str()));
    table.insert("at", toml_edit::value(approval.at.as_str()));
    table.insert("meaning", toml_edit::value(approval.meaning.as_str()));
    if let Some(key) = &approval.key {
        table.insert("key", toml_edit::value(key.as_str()));
    }
    if let Some(signature) = &approval.signature {
        table.insert("signature", Item::Value(multi_line(signature)));
    }
    table
}

/// The parts one per line, so a review diff shows which part changed.
fn parts_value(parts: &[String]) -> toml_edit::Value {
    let mut array: toml_edit::Array = parts.iter().map(String::as_str).collect();
    for value in array.iter_mut() {
        value.decor_mut().set_prefix("\n  ");
    }
    array.set_trailing("\n");
    array.set_trailing_comma(true);
    toml_edit::Value::Array(array)
}

/// An armored signature as a TOML multi-line literal string (its text has no `'`).
fn multi_line(text: &str) -> toml_edit::Value {
    let body = if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    };
    if body.contains("'''") || body.chars().any(|c| c.is_control() && c != '\n') {
        return toml_edit::Value::from(text);
    }
    let repr = toml_edit::Value::from(body.as_str());
    let literal = format!("'''\n{body}'''");
    literal.parse::<toml_edit::Value>().unwrap_or(repr)
}
