//! `verify --format json`: a documented, versioned schema (`schemas/verify-1.schema.json`).

use serde::Serialize;

use crate::evaluate::{ApprovalStatus, Finding};

/// The schema name and version of `verify --format json`.
pub const VERIFY_SCHEMA: &str = "cargo-soup/verify/1";

/// The top-level object: every approval as verified, and every approval finding.
#[derive(Serialize)]
pub struct VerifyJson<'a> {
    pub schema: &'static str,
    /// True when no approval fails and none that policy asks for is missing.
    pub verified: bool,
    pub approvals: &'a [ApprovalStatus],
    pub findings: &'a [Finding],
}
