//! The rules each entry of the record must obey beyond its keys' types. The loader
//! reports them with lines; the writer refuses new entries that break them.

use time::format_description::well_known::Rfc3339;

use super::types::*;

/// A broken rule of one entry: the fields it is about (the first one present locates it)
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrokenRule {
    pub fields: &'static [&'static str],
    pub message: String,
}

pub(super) fn broken(fields: &'static [&'static str], message: impl Into<String>) -> BrokenRule {
    BrokenRule {
        fields,
        message: message.into(),
    }
}

/// What each broken rule says, for a refusal that has no line to point at.
pub(crate) fn messages(rules: Vec<BrokenRule>) -> Vec<String> {
    rules.into_iter().map(|rule| rule.message).collect()
}

/// Pushes "`field` must not be empty" when `value` is blank.
pub(super) fn require_text(
    rules: &mut Vec<BrokenRule>,
    field: &'static [&'static str],
    value: &str,
) {
    if value.trim().is_empty() {
        let name = field.first().copied().unwrap_or_default();
        rules.push(broken(field, format!("`{name}` must not be empty")));
    }
}

/// True when `text` is `<hex digits>` of a sha256.
pub(super) fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Why a path written in the record may not be used, if it may not: it must be
/// relative and stay inside the record's directory.
pub(crate) fn outside_record_dir(path: &str) -> Option<&'static str> {
    let bytes = path.as_bytes();
    let has_drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if path.starts_with('/') || path.starts_with('\\') || has_drive {
        return Some("must be relative to the record's directory, not absolute");
    }
    let mut depth: i64 = 0;
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return Some("must stay inside the record's directory (it leaves it through `..`)");
        }
    }
    None
}

impl System {
    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        require_text(&mut rules, &["name"], &self.name);
        rules
    }
}

impl Policy {
    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        if let Some(why) = outside_record_dir(&self.releases_dir) {
            rules.push(broken(&["releases_dir"], format!("`releases_dir` {why}")));
        }
        require_text(&mut rules, &["signers"], &self.signers);
        if let Some(why) = outside_record_dir(&self.signers) {
            rules.push(broken(&["signers"], format!("`signers` {why}")));
        }
        rules
    }
}

impl ReportControl {
    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        if let Some(id) = &self.document_id {
            require_text(&mut rules, &["document_id"], id);
        }
        if let Some(revision) = &self.revision {
            require_text(&mut rules, &["revision"], revision);
        }
        rules
    }
}

impl Source {
    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        require_text(&mut rules, &["url"], &self.url);
        rules
    }
}

impl Specification {
    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        require_text(&mut rules, &["purpose"], &self.purpose);
        require_text(&mut rules, &["needs"], &self.needs);
        if self.covers.iter().any(|name| name.trim().is_empty()) {
            rules.push(broken(
                &["covers"],
                "`covers` must not contain an empty name",
            ));
        }
        if let Some(evidence) = &self.support_evidence {
            require_text(&mut rules, &["support_evidence"], evidence);
            if self.support.is_none() {
                rules.push(broken(
                    &["support_evidence", "support"],
                    "`support_evidence` needs the `support` level it is evidence for",
                ));
            }
        }
        rules
    }
}

impl Evaluation {
    /// True when it says the anomaly can contribute to a hazardous situation but
    /// names no risk control: a finding, though a valid entry.
    pub fn lacks_risk_control(&self) -> bool {
        self.hazardous && self.risk_controls.is_empty()
    }

    /// Its hazard conclusion in words, as the audit shows it beside the anomaly:
    /// "hazardous (HAZ-07; controls: RC-1)", "hazardous (HAZ-07; no risk
    /// control)", or "not hazardous".
    pub fn hazard_text(&self) -> String {
        if !self.hazardous {
            return "not hazardous".to_string();
        }
        let controls = match self.risk_controls.is_empty() {
            true => "no risk control".to_string(),
            false => format!("controls: {}", self.risk_controls.join(", ")),
        };
        format!("hazardous ({}; {controls})", self.hazards.join(", "))
    }

    /// True when this evaluation is about one of `advisory_ids` (by ID or alias).
    pub fn is_about(&self, advisory_ids: &[String]) -> bool {
        advisory_ids
            .iter()
            .any(|id| *id == self.advisory || self.aliases.contains(id))
    }

    /// The problems a valid evaluation must not have: a record written by
    /// hand with them does not load.
    pub fn problems(&self) -> Vec<String> {
        messages(self.broken_rules())
    }

    /// Two ways a judgement contradicts itself: hazard IDs for a flaw found
    /// not hazardous, and a hazardous flaw called `not_affected`. A new
    /// evaluation must not carry them; a record written before this rule
    /// still loads.
    pub fn contradictions(&self) -> Vec<String> {
        let mut found = Vec::new();
        if !self.hazardous && !self.hazards.is_empty() {
            found.push(
                "hazard IDs (--hazard) were given for a flaw evaluated as not hazardous"
                    .to_string(),
            );
        }
        if self.hazardous && self.vex_status == VexStatus::NotAffected {
            found.push(
                "a flaw that can contribute to a hazardous situation (--hazardous) cannot be `not_affected`"
                    .to_string(),
            );
        }
        found
    }

    /// Everything that keeps this evaluation from being recorded.
    pub fn recording_problems(&self) -> Vec<String> {
        let mut problems = self.problems();
        problems.extend(self.contradictions());
        problems
    }

    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        require_text(&mut rules, &["advisory"], &self.advisory);
        if !self.purl.starts_with("pkg:") {
            rules.push(broken(
                &["purl"],
                "`purl` must be a package URL (`pkg:...`)",
            ));
        }
        require_text(&mut rules, &["by"], &self.by);
        if self.review_by < self.date {
            rules.push(broken(
                &["review_by", "date"],
                "`review_by` is before `date`",
            ));
        }
        if time::OffsetDateTime::parse(&self.advisory_modified, &Rfc3339).is_err() {
            rules.push(broken(
                &["advisory_modified"],
                "`advisory_modified` must be an RFC 3339 time such as \"2025-01-05T12:00:00Z\"",
            ));
        }
        let hash_ok = self
            .advisory_hash
            .strip_prefix("sha256:")
            .is_some_and(is_sha256_hex);
        if !hash_ok {
            rules.push(broken(
                &["advisory_hash"],
                "`advisory_hash` must be `sha256:` and 64 hex digits",
            ));
        }
        if self.hazardous && self.hazards.is_empty() {
            rules.push(broken(
                &["hazards", "hazardous"],
                "hazardous = true needs the hazard IDs it traces to in `hazards`",
            ));
        }
        self.vex_rules(&mut rules);
        require_text(&mut rules, &["rationale"], &self.rationale);
        if let Some(version) = &self.carried_from {
            require_text(&mut rules, &["carried_from"], version);
        }
        rules
    }

    fn vex_rules(&self, rules: &mut Vec<BrokenRule>) {
        let not_affected = self.vex_status == VexStatus::NotAffected;
        if not_affected && self.vex_justification.is_none() {
            let allowed: Vec<_> = VexJustification::ALL.iter().map(|j| j.as_str()).collect();
            rules.push(broken(
                &["vex_status", "vex_justification"],
                format!(
                    "vex_status = \"not_affected\" needs a `vex_justification`: one of {}",
                    allowed.join(", ")
                ),
            ));
        }
        if !not_affected && self.vex_justification.is_some() {
            rules.push(broken(
                &["vex_justification", "vex_status"],
                format!(
                    "`vex_justification` is only for vex_status = \"not_affected\", not \"{}\"",
                    self.vex_status
                ),
            ));
        }
    }
}

impl Release {
    /// The problems a valid release must not have; empty when it may be recorded.
    pub fn problems(&self) -> Vec<String> {
        messages(self.broken_rules())
    }

    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        require_text(&mut rules, &["version"], &self.version);
        require_text(&mut rules, &["sbom"], &self.sbom);
        if let Some(why) = outside_record_dir(&self.sbom) {
            rules.push(broken(&["sbom"], format!("`sbom` {why}")));
        }
        if !is_sha256_hex(&self.sha256) {
            rules.push(broken(&["sha256"], "`sha256` must be 64 hex digits"));
        }
        rules
    }
}

impl Release {
    /// True when `version` may name a release: it becomes a folder name, so
    /// only letters, digits and `. _ + -`, not starting with a dot.
    pub fn is_valid_version(version: &str) -> bool {
        !version.is_empty()
            && !version.starts_with('.')
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
    }
}

impl InputEntry {
    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        require_text(&mut rules, &["path"], &self.path);
        if let Some(why) = outside_record_dir(&self.path) {
            rules.push(broken(&["path"], format!("`path` {why}")));
        }
        rules
    }
}

impl Review {
    /// The problems a valid review must not have; empty when it may be recorded.
    pub fn problems(&self) -> Vec<String> {
        messages(self.broken_rules())
    }

    pub(crate) fn broken_rules(&self) -> Vec<BrokenRule> {
        let mut rules = Vec::new();
        require_text(&mut rules, &["item"], &self.item);
        require_text(&mut rules, &["by"], &self.by);
        require_text(&mut rules, &["source"], &self.source);
        require_text(&mut rules, &["finding"], &self.finding);
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_cannot_escape_the_releases_folder() {
        assert!(Release::is_valid_version("1.4.0"));
        assert!(Release::is_valid_version("2024.1-rc.1+build5"));
        for bad in ["", "../x", "a/b", "..", ".hidden", "1.0 beta"] {
            assert!(!Release::is_valid_version(bad), "{bad}");
        }
    }

    #[test]
    fn the_hazard_conclusion_names_its_controls() {
        let mut e = Evaluation {
            advisory: "RUSTSEC-2024-0421".into(),
            aliases: vec![],
            purl: "pkg:cargo/idna@0.5.0".into(),
            by: "Jane Doe".into(),
            date: time::macros::date!(2026 - 11 - 24),
            review_by: time::macros::date!(2027 - 11 - 24),
            advisory_modified: "2025-01-05T12:00:00Z".into(),
            advisory_hash: "sha256:00".into(),
            hazardous: false,
            hazards: vec![],
            risk_controls: vec![],
            vex_status: crate::record::VexStatus::NotAffected,
            vex_justification: None,
            action: crate::record::Action::None,
            rationale: "why".into(),
            carried_from: None,
        };
        assert_eq!(e.hazard_text(), "not hazardous");
        e.hazardous = true;
        e.hazards = vec!["HAZ-07".into()];
        assert_eq!(e.hazard_text(), "hazardous (HAZ-07; no risk control)");
        e.risk_controls = vec!["RC-1".into(), "RC-2".into()];
        assert_eq!(e.hazard_text(), "hazardous (HAZ-07; controls: RC-1, RC-2)");
    }

    #[test]
    fn paths_must_stay_inside_the_record_directory() {
        assert_eq!(outside_record_dir("releases/1.0.cdx.json"), None);
        assert_eq!(outside_record_dir("a/../b.json"), None);
        assert!(outside_record_dir("../b.json").is_some());
        assert!(outside_record_dir("a/../../b.json").is_some());
        assert!(outside_record_dir("/etc/passwd").is_some());
        assert!(outside_record_dir("C:\\sbom.json").is_some());
    }
}
