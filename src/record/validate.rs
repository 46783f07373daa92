//! From a parsed TOML document to a [`Record`], collecting every problem at once,
//! each with the line it is on (STYLE.md habit 7: parse, then validate, then use).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use toml_edit::{Document, Item, TableLike};

use super::Problem;
use super::approval::read_approval;
use super::fields::Fields;
use super::rules::BrokenRule;
use super::types::*;

/// The top-level sections, in canonical order.
pub(crate) const SECTIONS: &[&str] = &[
    "system",
    "policy",
    "report",
    "sources",
    "soup",
    "evaluation",
    "release",
    "review",
    "approval",
    "input",
];

/// Parses and validates a record; `Err` holds every problem found, sorted by line.
pub(crate) fn validate(text: &str) -> Result<(Document<String>, Record), Vec<Problem>> {
    let document = match Document::parse(text.to_string()) {
        Ok(document) => document,
        Err(error) => {
            let line = line_at(text, error.span().map_or(0, |span| span.start));
            return Err(vec![Problem {
                line,
                message: format!("not valid TOML: {}", error.message().trim()),
            }]);
        }
    };
    let mut checker = Checker {
        text,
        problems: Vec::new(),
    };
    let record = checker.record(document.as_table());
    if checker.problems.is_empty() {
        Ok((document, record))
    } else {
        checker.problems.sort_by_key(|problem| problem.line);
        Err(checker.problems)
    }
}

/// The 1-based line of a byte offset in `text`.
pub(crate) fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The known word closest to a misspelt one, when it is close enough to suggest.
fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let best = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(left + 1);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = best;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

pub(super) fn did_you_mean(word: &str, known: &[&str]) -> String {
    closest(word, known).map_or_else(String::new, |near| format!(" (did you mean `{near}`?)"))
}

pub(super) struct Checker<'t> {
    text: &'t str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    pub(super) fn line(&self, span: Option<Range<usize>>, fallback: usize) -> usize {
        span.map_or(fallback, |span| line_at(self.text, span.start))
    }

    pub(super) fn report(&mut self, line: usize, message: String) {
        self.problems.push(Problem { line, message });
    }

    fn record(&mut self, root: &toml_edit::Table) -> Record {
        for (key, _) in root.iter() {
            if !SECTIONS.contains(&key) {
                let line = self.line(root.key(key).and_then(|k| k.span()), 1);
                let hint = did_you_mean(key, SECTIONS);
                self.report(line, format!("unknown section `{key}`{hint}"));
            }
        }
        Record {
            system: self.system(root),
            policy: self.policy(root),
            report: self.report_control(root),
            sources: self.sources(root),
            soup: self.soup(root),
            evaluations: self.entries(
                root,
                "evaluation",
                EVALUATION_KEYS,
                read_evaluation,
                Evaluation::broken_rules,
            ),
            releases: self.releases(root),
            inputs: self.entries(
                root,
                "input",
                INPUT_KEYS,
                read_input,
                InputEntry::broken_rules,
            ),
            reviews: self.entries(
                root,
                "review",
                REVIEW_KEYS,
                read_review,
                Review::broken_rules,
            ),
            approvals: self.entries(
                root,
                "approval",
                APPROVAL_KEYS,
                read_approval,
                Approval::broken_rules,
            ),
        }
    }

    /// The table-like section `name` of `parent` (whose header is `[prefix]`)
    /// with the line it starts on; `None` when absent, and a problem when not a table.
    fn section<'d>(
        &mut self,
        parent: &'d dyn TableLike,
        prefix: &str,
        name: &str,
        parent_line: usize,
    ) -> Option<(&'d dyn TableLike, usize)> {
        let (key, item) = parent.get_key_value(name)?;
        let line = self.line(item.span().or_else(|| key.span()), parent_line);
        match item.as_table_like() {
            Some(table) => Some((table, line)),
            None => {
                let header = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}.{name}")
                };
                self.report(line, format!("`{name}` must be a table ([{header}])"));
                None
            }
        }
    }

    fn system(&mut self, root: &toml_edit::Table) -> System {
        let placeholder = System {
            name: String::new(),
            class: SafetyClass::C,
            manufacturer: None,
        };
        if !root.contains_key("system") {
            self.report(
                1,
                "missing the [system] table with the system's `name` and `class`".to_string(),
            );
            return placeholder;
        }
        let Some((table, line)) = self.section(root, "", "system", 1) else {
            return placeholder;
        };
        let mut fields = Fields::new(self, table, line, "[system]");
        let system = System {
            name: fields.string("name"),
            class: fields.choice("class").unwrap_or(SafetyClass::C),
            manufacturer: fields.optional_string("manufacturer"),
        };
        fields.finish(SYSTEM_KEYS, system.broken_rules());
        system
    }

    fn policy(&mut self, root: &toml_edit::Table) -> Policy {
        let default = Policy::default();
        let Some((table, line)) = self.section(root, "", "policy", 1) else {
            return default;
        };
        let mut fields = Fields::new(self, table, line, "[policy]");
        let policy = Policy {
            review_period_days: fields.days_or("review_period_days", default.review_period_days),
            investigation_period_days: fields.days_or(
                "investigation_period_days",
                default.investigation_period_days,
            ),
            max_advisory_age_days: fields
                .days_or("max_advisory_age_days", default.max_advisory_age_days),
            require_specification: fields
                .flag_or("require_specification", default.require_specification),
            require_support_level: fields
                .flag_or("require_support_level", default.require_support_level),
            releases_dir: fields
                .optional_string("releases_dir")
                .unwrap_or(default.releases_dir),
            approvals_required: fields.optional_count("approvals_required"),
            signatures: fields.optional_choice("signatures"),
            signers: fields.optional_string("signers").unwrap_or(default.signers),
        };
        fields.finish(POLICY_KEYS, policy.broken_rules());
        policy
    }

    fn report_control(&mut self, root: &toml_edit::Table) -> ReportControl {
        let Some((table, line)) = self.section(root, "", "report", 1) else {
            return ReportControl::default();
        };
        let mut fields = Fields::new(self, table, line, "[report]");
        let control = ReportControl {
            document_id: fields.optional_string("document_id"),
            revision: fields.optional_string("revision"),
        };
        fields.finish(REPORT_KEYS, control.broken_rules());
        control
    }

    fn sources(&mut self, root: &toml_edit::Table) -> Sources {
        let mut sources = Sources::default();
        let Some((table, line)) = self.section(root, "", "sources", 1) else {
            return sources;
        };
        self.unknown_keys(table, SOURCE_NAMES, line, "[sources]");
        if let Some(rustsec) = self.source(table, "rustsec", line, &sources.rustsec) {
            sources.rustsec = rustsec;
        }
        if let Some(osv) = self.source(table, "osv", line, &sources.osv) {
            sources.osv = osv;
        }
        sources
    }

    fn source(
        &mut self,
        parent: &dyn TableLike,
        name: &str,
        parent_line: usize,
        default: &Source,
    ) -> Option<Source> {
        let (table, line) = self.section(parent, "sources", name, parent_line)?;
        let context = format!("[sources.{name}]");
        let mut fields = Fields::new(self, table, line, &context);
        let source = Source {
            url: fields
                .optional_string("url")
                .unwrap_or_else(|| default.url.clone()),
            enabled: fields.flag_or("enabled", true),
        };
        fields.finish(SOURCE_KEYS, source.broken_rules());
        Some(source)
    }

    fn soup(&mut self, root: &toml_edit::Table) -> BTreeMap<String, Specification> {
        let mut soup = BTreeMap::new();
        let Some((table, line)) = self.section(root, "", "soup", 1) else {
            return soup;
        };
        let mut covered: HashMap<String, String> = HashMap::new();
        for (key, _) in table.iter() {
            let Some((entry, entry_line)) = self.section(table, "soup", key, line) else {
                continue;
            };
            let context = format!("[soup.{key}]");
            let mut fields = Fields::new(self, entry, entry_line, &context);
            let specification = read_specification(&mut fields);
            fields.finish(SPECIFICATION_KEYS, specification.broken_rules());
            for name in &specification.covers {
                if let Some(other) = covered.insert(name.clone(), key.to_string()) {
                    self.report(
                        entry_line,
                        format!("`{name}` is covered by both [soup.{other}] and [soup.{key}]"),
                    );
                }
            }
            soup.insert(key.to_string(), specification);
        }
        soup
    }

    fn releases(&mut self, root: &toml_edit::Table) -> Vec<Release> {
        let releases = self.entries(
            root,
            "release",
            RELEASE_KEYS,
            read_release,
            Release::broken_rules,
        );
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let lines = self.entry_lines(root, "release");
        for (index, release) in releases.iter().enumerate() {
            if let Some(first) = seen.insert(&release.version, index) {
                let line = lines.get(index).copied().unwrap_or(1);
                let first_line = lines.get(first).copied().unwrap_or(1);
                self.report(
                    line,
                    format!(
                        "release `{}` is already listed on line {first_line}",
                        release.version
                    ),
                );
            }
        }
        releases
    }

    fn entry_lines(&self, root: &toml_edit::Table, name: &str) -> Vec<usize> {
        let Some(array) = root.get(name).and_then(Item::as_array_of_tables) else {
            return Vec::new();
        };
        array
            .iter()
            .map(|table| self.line(table.span(), 1))
            .collect()
    }

    /// Reads every `[[name]]` entry with `read`, checking its keys and `rules`.
    fn entries<T>(
        &mut self,
        root: &toml_edit::Table,
        name: &str,
        known: &[&str],
        read: fn(&mut Fields<'_, '_, '_>) -> T,
        rules: fn(&T) -> Vec<BrokenRule>,
    ) -> Vec<T> {
        let Some((key, item)) = root.get_key_value(name) else {
            return Vec::new();
        };
        let Some(array) = item.as_array_of_tables() else {
            let line = self.line(key.span(), 1);
            self.report(
                line,
                format!("`{name}` must be written as [[{name}]] tables"),
            );
            return Vec::new();
        };
        let mut entries = Vec::new();
        for (index, table) in array.iter().enumerate() {
            let line = self.line(table.span(), 1);
            let context = format!("[[{name}]] #{}", index + 1);
            let mut fields = Fields::new(self, table, line, &context);
            let entry = read(&mut fields);
            fields.finish(known, rules(&entry));
            entries.push(entry);
        }
        entries
    }

    pub(super) fn unknown_keys(
        &mut self,
        table: &dyn TableLike,
        known: &[&str],
        line: usize,
        context: &str,
    ) {
        for (key, _) in table.iter() {
            if !known.contains(&key) {
                let key_line = self.line(table.key(key).and_then(|k| k.span()), line);
                let hint = did_you_mean(key, known);
                self.report(key_line, format!("unknown key `{key}` in {context}{hint}"));
            }
        }
    }
}

fn read_specification(fields: &mut Fields<'_, '_, '_>) -> Specification {
    Specification {
        purpose: fields.string("purpose"),
        requirements: fields.optional_string("requirements"),
        needs: fields.string("needs"),
        manufacturer: fields.optional_string("manufacturer"),
        website: fields.optional_string("website"),
        risk: fields.choice("risk").unwrap_or(Risk::High),
        verification: fields.optional_string("verification"),
        support: fields.optional_choice("support"),
        support_evidence: fields.optional_string("support_evidence"),
        end_of_support: fields.optional_end_of_support("end_of_support"),
        covers: fields.strings("covers"),
        versions: fields.strings("versions"),
    }
}

fn read_evaluation(fields: &mut Fields<'_, '_, '_>) -> Evaluation {
    Evaluation {
        advisory: fields.string("advisory"),
        aliases: fields.strings("aliases"),
        purl: fields.string("purl"),
        by: fields.string("by"),
        date: fields.date("date"),
        review_by: fields.date("review_by"),
        advisory_modified: fields.string("advisory_modified"),
        advisory_hash: fields.string("advisory_hash"),
        hazardous: fields.flag("hazardous"),
        hazards: fields.strings("hazards"),
        risk_controls: fields.strings("risk_controls"),
        vex_status: fields
            .choice("vex_status")
            .unwrap_or(VexStatus::UnderInvestigation),
        vex_justification: fields.optional_choice("vex_justification"),
        action: fields.choice("action").unwrap_or(Action::None),
        rationale: fields.string("rationale"),
        carried_from: fields.optional_string("carried_from"),
    }
}

fn read_input(fields: &mut Fields<'_, '_, '_>) -> InputEntry {
    InputEntry {
        path: fields.string("path"),
        label: fields.optional_string("label"),
    }
}

fn read_release(fields: &mut Fields<'_, '_, '_>) -> Release {
    Release {
        version: fields.string("version"),
        sbom: fields.string("sbom"),
        sha256: fields.string("sha256"),
        date: fields.date("date"),
        retired: fields.flag_or("retired", false),
    }
}

fn read_review(fields: &mut Fields<'_, '_, '_>) -> Review {
    Review {
        item: fields.string("item"),
        by: fields.string("by"),
        date: fields.date("date"),
        source: fields.string("source"),
        finding: fields.string("finding"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(closest("purpse", SPECIFICATION_KEYS), Some("purpose"));
        assert_eq!(
            closest("vex_justfication", EVALUATION_KEYS),
            Some("vex_justification")
        );
        assert_eq!(closest("colour", SPECIFICATION_KEYS), None);
    }

    #[test]
    fn lines_are_one_based() {
        assert_eq!(line_at("a\nb\nc", 0), 1);
        assert_eq!(line_at("a\nb\nc", 2), 2);
        assert_eq!(line_at("a\nb\nc", 99), 3);
    }

    #[test]
    fn syntax_error_is_one_problem_with_its_line() {
        let problems = validate("[system]\nname = \"x\"\n[policy\n").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 3);
    }

    #[test]
    fn quoted_dates_are_rejected() {
        let text = "[system]\nname = \"x\"\nclass = \"A\"\n[[review]]\nitem = \"i\"\nby = \"b\"\ndate = \"2026-11-24\"\nsource = \"s\"\nfinding = \"f\"\n";
        let problems = validate(text).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 7);
        assert!(problems[0].message.contains("date such as"));
    }

    #[test]
    fn wrong_types_and_unknown_sections_are_named() {
        let text = "[sytem]\nname = 1\n[policy]\nreview_period_days = 0\nrequire_specification = \"yes\"\n[soup]\nserde = 3\n";
        let problems = validate(text).unwrap_err();
        let found: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (1, "unknown section `sytem` (did you mean `system`?)"),
                (
                    1,
                    "missing the [system] table with the system's `name` and `class`"
                ),
                (
                    4,
                    "`review_period_days` in [policy] must be a whole number of days, at least 1"
                ),
                (
                    5,
                    "`require_specification` in [policy] must be true or false"
                ),
                (7, "`serde` must be a table ([soup.serde])"),
            ]
        );
    }
}
