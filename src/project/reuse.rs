//! The reuse cache of audits: the last result of an audit of each input, kept
//! in the register under a key of everything the audit read, and given back
//! while none of it changed. The register stores the rows; this module alone
//! decides what the key holds and when a kept result may stand in.

use serde::{Deserialize, Serialize};
use time::Date;

use super::ProjectError;
use crate::digest::sha256_hex;
use crate::evaluate::{Audit, AuditOptions};
use crate::inventory::{InputFile, InputFormat, Inventory};
use crate::register::{Changes, Register, SourceInfo};

/// Everything an audit of one input reads, so that a result kept under it can
/// be reused while none of it changes.
pub(super) struct AuditKey<'a> {
    /// The build, whose rules another build may not share.
    pub program: &'a str,
    /// The content of the files the components were read from.
    pub fingerprint: &'a str,
    /// The record's text, or `None` with no record.
    pub record: Option<&'a str>,
    /// A digest of the files beside the record its approvals are checked against.
    pub approvals: &'a str,
    /// The advisory store's sources: location, fetch time and content hash.
    pub sources: &'a [SourceInfo],
    pub today: Date,
    pub options: &'a AuditOptions,
}

impl AuditKey<'_> {
    /// The key as the register stores it.
    fn digest(&self) -> String {
        // Destructured, so that a new option cannot be left out of the key.
        let AuditOptions { allow_stale } = self.options;
        let sources = serde_json::to_string(self.sources).unwrap_or_default();
        let record = match self.record {
            Some(text) => format!("record\n{text}"),
            None => "no record".to_string(),
        };
        let parts = [
            self.program,
            self.fingerprint,
            &record,
            self.approvals,
            &sources,
            &self.today.to_string(),
            &format!("allow_stale={allow_stale}"),
        ];
        sha256_hex(parts.join("\0").as_bytes())
    }
}

/// An audit's result as the register keeps it for the next audit of the same
/// input: read back owned, written from a borrowed audit.
#[derive(Serialize, Deserialize)]
pub(super) struct Kept<A = Audit> {
    pub input: InputFile,
    pub format: InputFormat,
    pub audit: A,
}

/// The result kept for `input_path` under `key`, if there is one that still reads.
pub(super) fn kept(
    register: &Register,
    input_path: &str,
    key: &AuditKey<'_>,
) -> Result<Option<Kept>, ProjectError> {
    let kept = register.cached_audit(input_path, &key.digest())?;
    Ok(kept.and_then(|text| serde_json::from_str(&text).ok()))
}

/// Keeps `audit`, the audit of `inventory`, under `key`.
pub(super) fn keep(
    changes: &Changes<'_>,
    key: &AuditKey<'_>,
    inventory: &Inventory,
    audit: &Audit,
) -> Result<(), ProjectError> {
    let kept = Kept {
        input: inventory.input.clone(),
        format: inventory.format,
        audit,
    };
    let input_path = inventory.input.path.display().to_string();
    let text = serde_json::to_string(&kept).map_err(|e| {
        ProjectError::Refused(format!("failed to keep the audit of {input_path}: {e}"))
    })?;
    changes.cache_audit(&input_path, &key.digest(), &text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn source(content_sha256: &str) -> SourceInfo {
        SourceInfo {
            name: "rustsec".into(),
            location: "bundled".into(),
            fetched_at: "2026-11-24T09:00:00Z".into(),
            data_date: "2026-08-21".into(),
            etag: None,
            last_modified: None,
            content_sha256: content_sha256.into(),
            record_count: 1,
            skipped: Vec::new(),
        }
    }

    #[test]
    fn the_key_changes_with_everything_an_audit_reads() {
        let strict = AuditOptions::default();
        let lenient = AuditOptions { allow_stale: true };
        let key = |program, fingerprint, record, sha, today, options| {
            AuditKey {
                program,
                fingerprint,
                record,
                approvals: "",
                sources: &[source(sha)],
                today,
                options,
            }
            .digest()
        };
        let today = date!(2026 - 11 - 24);
        let base = key("v1", "lock-a", Some("[system]"), "s1", today, &strict);
        let signers_changed = AuditKey {
            program: "v1",
            fingerprint: "lock-a",
            record: Some("[system]"),
            approvals: "signers-b",
            sources: &[source("s1")],
            today,
            options: &strict,
        };
        assert_ne!(signers_changed.digest(), base);
        assert_eq!(
            base,
            key("v1", "lock-a", Some("[system]"), "s1", today, &strict)
        );
        let others = [
            key("v2", "lock-a", Some("[system]"), "s1", today, &strict),
            key("v1", "lock-b", Some("[system]"), "s1", today, &strict),
            key("v1", "lock-a", Some("[system] "), "s1", today, &strict),
            key("v1", "lock-a", None, "s1", today, &strict),
            key("v1", "lock-a", Some("[system]"), "s2", today, &strict),
            key(
                "v1",
                "lock-a",
                Some("[system]"),
                "s1",
                date!(2026 - 11 - 25),
                &strict,
            ),
            key("v1", "lock-a", Some("[system]"), "s1", today, &lenient),
        ];
        for other in others {
            assert_ne!(other, base);
        }
    }
}
