//! Reading the keys of one table of the record: each missing or ill-typed key is a
//! problem on its line, and rules about a key that could not be read are not
//! reported a second time.

use std::collections::HashSet;

use toml_edit::{TableLike, Value};

use super::rules::BrokenRule;
use super::types::{EndOfSupport, InvalidSpelling};
use super::validate::{Checker, did_you_mean};

/// Reads the keys of one table, reporting each missing or ill-typed one and
/// remembering it, so rules about it are not reported a second time.
pub(super) struct Fields<'c, 't, 'd> {
    checker: &'c mut Checker<'t>,
    table: &'d dyn TableLike,
    line: usize,
    context: String,
    failed: HashSet<&'static str>,
}

impl<'c, 't, 'd> Fields<'c, 't, 'd> {
    pub(super) fn new(
        checker: &'c mut Checker<'t>,
        table: &'d dyn TableLike,
        line: usize,
        context: &str,
    ) -> Self {
        Fields {
            checker,
            table,
            line,
            context: context.to_string(),
            failed: HashSet::new(),
        }
    }

    fn line_of(&self, key: &str) -> usize {
        let span = self
            .table
            .get_key_value(key)
            .and_then(|(k, item)| item.span().or_else(|| k.span()));
        self.checker.line(span, self.line)
    }

    fn fail(&mut self, key: &'static str, message: String) {
        let line = self.line_of(key);
        self.failed.insert(key);
        self.checker.report(line, message);
    }

    /// The value of `key`; a problem when it is required and absent.
    fn value(&mut self, key: &'static str, required: bool) -> Option<&'d Value> {
        match self.table.get(key) {
            Some(item) => match item.as_value() {
                Some(value) => Some(value),
                None => {
                    self.fail(
                        key,
                        format!("`{key}` in {} must be a value, not a table", self.context),
                    );
                    None
                }
            },
            None => {
                if required {
                    self.fail(key, format!("{} is missing `{key}`", self.context));
                }
                None
            }
        }
    }

    fn typed<T>(
        &mut self,
        key: &'static str,
        required: bool,
        what: &str,
        read: impl Fn(&'d Value) -> Option<T>,
    ) -> Option<T> {
        let value = self.value(key, required)?;
        let typed = read(value);
        if typed.is_none() {
            self.fail(key, format!("`{key}` in {} must be {what}", self.context));
        }
        typed
    }

    pub(super) fn string(&mut self, key: &'static str) -> String {
        self.typed(key, true, "a string", |v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub(super) fn optional_string(&mut self, key: &'static str) -> Option<String> {
        self.typed(key, false, "a string", |v| v.as_str().map(str::to_string))
    }

    pub(super) fn strings(&mut self, key: &'static str) -> Vec<String> {
        let read = |value: &Value| -> Option<Vec<String>> {
            value
                .as_array()?
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        self.typed(key, false, "a list of strings", read)
            .unwrap_or_default()
    }

    pub(super) fn flag(&mut self, key: &'static str) -> bool {
        self.typed(key, true, "true or false", Value::as_bool)
            .unwrap_or_default()
    }

    pub(super) fn flag_or(&mut self, key: &'static str, default: bool) -> bool {
        self.typed(key, false, "true or false", Value::as_bool)
            .unwrap_or(default)
    }

    pub(super) fn days_or(&mut self, key: &'static str, default: u32) -> u32 {
        let read = |v: &Value| {
            v.as_integer()
                .and_then(|days| u32::try_from(days).ok())
                .filter(|days| *days > 0)
        };
        self.typed(key, false, "a whole number of days, at least 1", read)
            .unwrap_or(default)
    }

    pub(super) fn optional_count(&mut self, key: &'static str) -> Option<u32> {
        let read = |v: &Value| v.as_integer().and_then(|n| u32::try_from(n).ok());
        self.typed(key, false, "a whole number, 0 or more", read)
    }

    pub(super) fn date(&mut self, key: &'static str) -> time::Date {
        self.typed(
            key,
            true,
            "a date such as 2026-11-24 (unquoted)",
            local_date,
        )
        .unwrap_or(time::Date::MIN)
    }

    /// A date, or the word `unknown`.
    pub(super) fn optional_end_of_support(&mut self, key: &'static str) -> Option<EndOfSupport> {
        let read = |v: &Value| match v.as_str() {
            Some("unknown") => Some(EndOfSupport::Unknown),
            Some(_) => None,
            None => local_date(v).map(EndOfSupport::On),
        };
        self.typed(
            key,
            false,
            "a date such as 2027-06-30 (unquoted) or \"unknown\"",
            read,
        )
    }

    pub(super) fn optional_choice<T: Spelled>(&mut self, key: &'static str) -> Option<T> {
        let word = self.typed(key, false, "a string", Value::as_str)?;
        match word.parse::<T>() {
            Ok(value) => Some(value),
            Err(error) => {
                let hint = did_you_mean(word, &error.allowed);
                self.fail(key, format!("`{key}` in {}: {error}{hint}", self.context));
                None
            }
        }
    }

    pub(super) fn choice<T: Spelled>(&mut self, key: &'static str) -> Option<T> {
        if self.table.contains_key(key) {
            self.optional_choice(key)
        } else {
            self.fail(key, format!("{} is missing `{key}`", self.context));
            None
        }
    }

    /// Reports unknown keys and the broken rules that involve no failed field, each
    /// on the line of the first of its fields that is present.
    pub(super) fn finish(self, known: &[&str], rules: Vec<BrokenRule>) {
        self.checker
            .unknown_keys(self.table, known, self.line, &self.context);
        for rule in rules {
            if rule.fields.iter().any(|field| self.failed.contains(field)) {
                continue;
            }
            let present = rule
                .fields
                .iter()
                .find(|field| self.table.contains_key(field));
            let line = present.map_or(self.line, |field| self.line_of(field));
            self.checker
                .report(line, format!("{}: {}", self.context, rule.message));
        }
    }
}

/// Enumerations read from a word.
pub(super) trait Spelled: std::str::FromStr<Err = InvalidSpelling> {}
impl<T: std::str::FromStr<Err = InvalidSpelling>> Spelled for T {}

/// A TOML local date (no time, no offset) as a calendar date.
fn local_date(value: &Value) -> Option<time::Date> {
    let datetime = value.as_datetime()?;
    if datetime.time.is_some() || datetime.offset.is_some() {
        return None;
    }
    let date = datetime.date?;
    let month = time::Month::try_from(date.month).ok()?;
    time::Date::from_calendar_date(i32::from(date.year), month, date.day).ok()
}
