//! Approvals (DESIGN.md §7): a second person's signed statement over the digest
//! of one evaluation or of one release's SOUP list. This module holds what can be
//! checked without the register: the signed payload, SSH signatures (`SSHSIG`,
//! namespace `cargo-soup`) made and verified with OpenSSH keys, the committed
//! allowed-signers file, and the rules that refuse an approval. Whether the
//! record's approvals still hold is a finding, checked in `evaluate`.
//!
//! # Principals
//!
//! An approver (`by`) is matched against the allowed-signers file by its
//! principal: the email address inside `<…>` when `by` has one
//! (`"Max Mustermann <max@example.com>"` → `max@example.com`), otherwise the whole
//! `by` text, trimmed. Two `by` texts are the same person when their principals
//! are equal, ignoring ASCII case.

mod give;
mod payload;
mod refusal;
mod signers;
mod ssh;

use std::path::PathBuf;

pub use give::{Approver, SigningKey, approve_evaluation, approve_release};
pub use payload::{NAMESPACE, payload, payload_of};
pub use refusal::{
    Refusal, check_evaluation_request, check_release_request, evaluation_to_approve, has_given,
    is_self_approval,
};
pub use signers::AllowedSigners;
pub use ssh::{Signature, SignatureProblem, sign, verify};

/// The principal an approver is listed under in the allowed-signers file.
pub fn principal(by: &str) -> &str {
    let by = by.trim();
    match (by.rfind('<'), by.ends_with('>')) {
        (Some(open), true) => by[open + 1..by.len() - 1].trim(),
        _ => by,
    }
}

/// True when two `by` texts name the same person (their principals, ignoring ASCII case).
pub fn is_same_person(a: &str, b: &str) -> bool {
    principal(a).eq_ignore_ascii_case(principal(b))
}

/// Why an approval could not be made, signed or shown.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// The private key file could not be read.
    #[error("failed to read the SSH key {}", path.display())]
    KeyRead {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not an OpenSSH private key this build can use.
    #[error("failed to use the SSH key {}: {reason}", path.display())]
    KeyInvalid { path: PathBuf, reason: String },
    /// The key is protected by a passphrase and none was given.
    #[error("failed to use the SSH key {}: it is protected by a passphrase and none was given", path.display())]
    PassphraseNeeded { path: PathBuf },
    /// The passphrase given does not decrypt the key.
    #[error("failed to decrypt the SSH key {}: wrong passphrase", path.display())]
    PassphraseWrong { path: PathBuf },
    /// The key could not sign.
    #[error("failed to sign with the SSH key {}: {reason}", path.display())]
    Sign { path: PathBuf, reason: String },
    /// A value the payload holds on one line has a line break or control character.
    #[error("failed to build the approval's payload: the {what} must be one line of text")]
    NotOneLine { what: &'static str },
    /// The record has no approval with that number.
    #[error(
        "failed to find approval {number}: the record has {count} approval(s), numbered from 1"
    )]
    NoSuchApproval { number: usize, count: usize },
    /// The approval is refused: nothing may be written.
    #[error("failed to approve")]
    Refused(#[from] Refusal),
    /// The allowed-signers file could not be read.
    #[error("failed to read the signers file {}", path.display())]
    SignersRead {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A line of the allowed-signers file is not in git's `allowed_signers` format.
    #[error("failed to read the signers file {}:{line}: {reason}", path.display())]
    SignersInvalid {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_principal_is_the_email_or_the_whole_text() {
        assert_eq!(
            principal("Max Mustermann <max@example.com>"),
            "max@example.com"
        );
        assert_eq!(principal("  qa-lead  "), "qa-lead");
        assert_eq!(principal("Max <not closed"), "Max <not closed");
        assert!(is_same_person(
            "Jane Doe <Jane@Example.com>",
            "J. Doe <jane@example.com>"
        ));
        assert!(!is_same_person("Jane <jane@example.com>", "jane"));
    }
}
