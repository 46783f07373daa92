//! The record, `soup-register.toml`: everything a person decided about the
//! system's SOUP (DESIGN.md §3, §7). It is committed next to `Cargo.toml`,
//! reviewed like code and read by auditors. People edit it by hand; the tool
//! edits it too, keeping every comment, and writes it atomically.
//!
//! # Format
//!
//! ```toml
//! # soup-register.toml — the SOUP record of infusion-pump-fw (IEC 62304 §8.1.2, §5.3.3, §5.3.4, §7.1).
//!
//! [system]                          # required
//! name = "infusion-pump-fw"         # required
//! class = "B"                       # required: IEC 62304 software safety class A, B or C
//! manufacturer = "ACME Medical"     # optional
//!
//! [policy]                          # optional; every key has a default
//! review_period_days = 365          # an evaluation's review-by date = its date + this (default 365)
//! investigation_period_days = 30     # the same for an `under_investigation` one (default 30)
//! max_advisory_age_days = 7         # older advisory data is a finding, `advisory-data-stale` (default 7)
//! require_specification = true      # class B/C: direct SOUP items need a [soup.<name>] entry (default true)
//! releases_dir = "releases"         # where `import` keeps release SBOMs, relative to this file (default "releases")
//! approvals_required = 1            # distinct approvers each evaluation in force and each release needs
//!                                   # (default 1 for class C, 0 for A and B); only meaning = "approved" counts
//! signatures = "required"           # required | optional (default required where approvals are required)
//! signers = "soup-signers"          # allowed signers (git's allowed_signers format), relative to this file
//!
//! [sources.rustsec]                 # optional; omitted sources are enabled at these URLs
//! url = "https://github.com/rustsec/advisory-db/archive/refs/heads/osv.zip"
//! enabled = true                    # optional, default true
//!
//! [sources.osv]
//! url = "https://osv-vulnerabilities.storage.googleapis.com"   # base: <url>/<ecosystem>/all.zip
//! enabled = true
//!
//! [soup.serde]                      # key: a crate name, or a version-less purl for other ecosystems ("pkg:npm/lodash")
//! purpose = "..."                   # required: functional and performance requirements it must meet here (5.3.3)
//! requirements = "..."              # optional: further requirements
//! needs = "..."                     # required: hardware and software it needs (5.3.4)
//! manufacturer = "..."              # optional: overrides the supplier found in package metadata
//! website = "https://serde.rs"      # optional
//! risk = "low"                      # required: low | medium | high
//! verification = "..."              # optional: how we verify it meets its requirements
//! covers = ["serde_derive"]         # optional: companion packages that are part of this SOUP item
//! versions = ["1.0"]               # optional: the versions (or prefixes) it was written for
//!
//! [[evaluation]]                    # appended, never rewritten; a newer one for the same (advisory, purl) supersedes
//! advisory = "RUSTSEC-2024-0421"
//! aliases = ["GHSA-h97m-ww89-6jmq", "CVE-2024-12224"]   # optional
//! purl = "pkg:cargo/idna@0.5.0"     # the exact version evaluated
//! by = "Jane Doe <jane@example.com>"
//! date = 2026-11-24                 # a TOML local date, unquoted
//! review_by = 2027-11-24            # not before `date`
//! advisory_modified = "2025-01-05T12:00:00Z"   # the advisory's `modified` (RFC 3339) when evaluated
//! advisory_hash = "sha256:<64 hex digits>"     # hash of the advisory record evaluated
//! hazardous = false                 # can the flaw contribute to a hazardous situation?
//! hazards = []                      # ISO 14971 hazard IDs; at least one when hazardous = true
//! risk_controls = []                # risk-control IDs; hazardous without one is a finding, but may be recorded
//! vex_status = "not_affected"       # not_affected | affected | fixed | under_investigation
//! vex_justification = "vulnerable_code_not_in_execute_path"  # required with not_affected, forbidden otherwise:
//!                                   # component_not_present | vulnerable_code_not_present | vulnerable_code_not_in_execute_path
//!                                   # | vulnerable_code_cannot_be_controlled_by_adversary | inline_mitigations_already_exist
//! action = "none"                   # none | update | mitigate
//! rationale = "..."                 # required, not empty
//! carried_from = "0.4.0"            # optional: carried forward from this version's evaluation
//!
//! [[release]]
//! version = "1.4.0"                 # unique among releases
//! sbom = "releases/1.4.0.cdx.json"  # relative to this file, and inside its directory
//! sha256 = "<64 hex digits>"        # of the SBOM file
//! date = 2026-11-24
//! retired = false                   # optional, default false: true once no unit in the field runs it
//!
//! [[review]]                        # manual anomaly-list review of an item no machine-readable list covers
//! item = "pkg:generic/vendor-rtos@4.2"   # purl, or name@version
//! by = "..."
//! date = 2026-11-24
//! source = "vendor errata page https://..."
//! finding = "nothing relevant"
//!
//! [[approval]]                      # appended, never rewritten; approval N is the Nth in the file
//! advisory = "RUSTSEC-2024-0421"    # with purl: approves that evaluation (for people) ...
//! purl = "pkg:cargo/idna@0.5.0"
//! # release = "1.4.0"               # ... or, without advisory and purl: approves a release's SOUP list
//! digest = "sha256:<64 hex digits>" # of the evaluation's canonical text, or of the release's parts
//! # parts = ["sbom sha256:<hex>", "evaluation RUSTSEC-2024-0421 pkg:cargo/idna@0.5.0 sha256:<hex>"]
//! by = "Max Mustermann <max@example.com>"   # the approver; not the evaluator
//! at = "2026-11-25T14:30:00Z"       # RFC 3339 date and time
//! meaning = "approved"              # reviewed | approved
//! key = "SHA256:<base64>"           # optional, with signature: fingerprint of the signing key
//! signature = '''
//! -----BEGIN SSH SIGNATURE-----
//! ...
//! -----END SSH SIGNATURE-----
//! '''                               # SSHSIG over the approval's payload, namespace "cargo-soup"
//! ```
//!
//! # Validation
//!
//! A record is read as a whole and every problem is reported at once, each with
//! its line: TOML syntax errors, unknown sections and keys (with a suggestion when
//! a known one is close), missing required keys, wrong types, values outside the
//! allowed words, the rules in the comments above, paths that leave the record's
//! directory, duplicate release versions and packages covered by two
//! specifications. Only a record without problems becomes a [`Record`].
//!
//! # Canonical form
//!
//! Sections in the order above; `[soup.*]` sorted by key; evaluations by
//! date (in the order recorded within a day), releases by (date, version), reviews by date, each sort
//! stable, approvals in the order recorded; keys within a table in the order above. Comments and blank lines stay
//! with the table or key they precede, and the file's header comment (the comments
//! before the first table, up to their last blank line) stays at the top. The
//! canonical text of a canonical file is that file byte for byte, so a review diff
//! shows only what changed.

mod approval;
mod canonical;
mod digest;
mod fields;
mod file;
mod rules;
mod template;
mod types;
mod validate;

use std::fmt;
use std::path::PathBuf;

pub use approval::Approved;
pub use digest::{part_subject, parts_digest, release_parts};
pub use file::{RecordFile, write_file_atomically};
pub use template::init_text;
pub use types::{
    Action, Approval, DEFAULT_OSV_URL, DEFAULT_RUSTSEC_URL, EndOfSupport, Evaluation, InputEntry,
    InvalidSpelling, Meaning, Policy, Record, Release, ReportControl, Review, Risk, SafetyClass,
    SignaturePolicy, Source, Sources, Specification, SupportLevel, System, VexJustification,
    VexStatus, purl_without_version, specification_key,
};

/// One problem found in a record, at a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the record.
    pub line: usize,
    /// What is wrong, and what is allowed where that helps.
    pub message: String,
}

/// Why the record could not be read, changed or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The file could not be read.
    #[error("failed to read {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The new text could not be written; the old file is untouched.
    #[error("failed to write {}; the file on disk is unchanged", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The text has problems: every one, with its line.
    #[error("failed to load {}: {}", path.display(), ProblemList { path, problems })]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
    /// Someone changed the file since it was loaded; saving would lose their change.
    #[error(
        "failed to save {}: it changed on disk since it was read, so nothing was written; run the command again",
        path.display()
    )]
    ChangedOnDisk { path: PathBuf },
    /// `init` would overwrite an existing record.
    #[error("failed to create {}: it already exists", path.display())]
    AlreadyExists { path: PathBuf },
    /// A new entry breaks the record's rules, so it was not added.
    #[error("failed to add {entry} to {}: {}", path.display(), problems.join("; "))]
    InvalidEntry {
        path: PathBuf,
        entry: String,
        problems: Vec<String>,
    },
    /// The release version is already recorded.
    #[error("failed to add release {version} to {}: it is already recorded", path.display())]
    ReleaseExists { path: PathBuf, version: String },
    /// No release with that version is recorded.
    #[error("failed to change release {version} in {}: no such release is recorded", path.display())]
    UnknownRelease { path: PathBuf, version: String },
}

/// Lists problems one per line as `path:line: message`.
struct ProblemList<'a> {
    path: &'a PathBuf,
    problems: &'a [Problem],
}

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(f, "{count} problem{}", if count == 1 { "" } else { "s" })?;
        for problem in self.problems {
            write!(
                f,
                "\n{}:{}: {}",
                self.path.display(),
                problem.line,
                problem.message
            )?;
        }
        Ok(())
    }
}
