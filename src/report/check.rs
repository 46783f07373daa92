//! `check --format json`: a documented, versioned schema (`schemas/check-1.schema.json`).

use serde::Serialize;

use crate::evaluate::Finding;
use crate::record::SafetyClass;

/// The schema name and version of `check --format json`.
pub const CHECK_SCHEMA: &str = "cargo-soup/check/1";

/// The top-level object: the system's class and every gap that needs a person.
#[derive(Serialize)]
pub struct CheckJson<'a> {
    pub schema: &'static str,
    pub class: &'static str,
    pub gaps: &'a [Finding],
    /// What the check could not decide (`directness-unknown`).
    pub notes: &'a [Finding],
}

/// The JSON of the `gaps` of a system of `class`.
pub fn check_json<'a>(
    class: SafetyClass,
    gaps: &'a [Finding],
    notes: &'a [Finding],
) -> CheckJson<'a> {
    CheckJson {
        schema: CHECK_SCHEMA,
        class: class.as_str(),
        gaps,
        notes,
    }
}
