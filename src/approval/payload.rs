//! The bytes an approval's signature is over.

use super::ApprovalError;
use crate::record::{Approval, Approved, Record};

/// The SSH signature namespace of approvals (`ssh-keygen -Y … -n cargo-soup`).
pub const NAMESPACE: &str = "cargo-soup";

/// The signed payload of an approval in a record of system `system`: UTF-8 text,
/// seven lines, each ending in `\n`:
///
/// ```text
/// cargo-soup approval v1
/// system: <[system] name>
/// approves: evaluation <advisory> <purl>      (or: release <version>)
/// digest: sha256:<hex>
/// meaning: reviewed | approved
/// by: <by, as written>
/// at: <at, as written>
/// ```
///
/// The digest binds the evaluation's canonical text (or the release's parts);
/// the other lines bind who, when, what for, and in which record.
pub fn payload(system: &str, approval: &Approval) -> Result<Vec<u8>, ApprovalError> {
    let approves = match approval.approved() {
        Approved::Evaluation { advisory, purl } => format!("evaluation {advisory} {purl}"),
        Approved::Release { version } => format!("release {version}"),
    };
    let lines = [
        ("system name", "system", system),
        ("approved item", "approves", approves.as_str()),
        ("digest", "digest", approval.digest.as_str()),
        ("meaning", "meaning", approval.meaning.as_str()),
        ("approver", "by", approval.by.as_str()),
        ("time", "at", approval.at.as_str()),
    ];
    let mut text = String::from("cargo-soup approval v1\n");
    for (what, key, value) in lines {
        if value.chars().any(char::is_control) {
            return Err(ApprovalError::NotOneLine { what });
        }
        text.push_str(&format!("{key}: {value}\n"));
    }
    Ok(text.into_bytes())
}

/// The payload of approval `number` (counting from 1, in file order): what an
/// auditor feeds `ssh-keygen -Y verify`.
pub fn payload_of(record: &Record, number: usize) -> Result<Vec<u8>, ApprovalError> {
    let approval = number
        .checked_sub(1)
        .and_then(|index| record.approvals.get(index))
        .ok_or(ApprovalError::NoSuchApproval {
            number,
            count: record.approvals.len(),
        })?;
    payload(&record.system.name, approval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Meaning;

    fn approval() -> Approval {
        Approval {
            advisory: Some("RUSTSEC-2024-0421".into()),
            purl: Some("pkg:cargo/idna@0.5.0".into()),
            release: None,
            digest: format!("sha256:{}", "ab".repeat(32)),
            parts: vec![],
            by: "Max Mustermann <max@example.com>".into(),
            at: "2026-11-25T14:30:00Z".into(),
            meaning: Meaning::Approved,
            key: None,
            signature: None,
        }
    }

    #[test]
    fn payload_is_the_documented_text() {
        let expected = format!(
            "cargo-soup approval v1\nsystem: pump\napproves: evaluation RUSTSEC-2024-0421 pkg:cargo/idna@0.5.0\ndigest: sha256:{}\nmeaning: approved\nby: Max Mustermann <max@example.com>\nat: 2026-11-25T14:30:00Z\n",
            "ab".repeat(32)
        );
        assert_eq!(payload("pump", &approval()).unwrap(), expected.as_bytes());
        let mut release = approval();
        release.advisory = None;
        release.purl = None;
        release.release = Some("1.4.0".into());
        let text = String::from_utf8(payload("pump", &release).unwrap()).unwrap();
        assert!(text.contains("\napproves: release 1.4.0\n"), "{text}");
    }

    #[test]
    fn a_line_break_cannot_forge_a_line() {
        let error = payload("pump\nmeaning: approved", &approval()).unwrap_err();
        assert!(matches!(
            error,
            ApprovalError::NotOneLine {
                what: "system name"
            }
        ));
    }
}
