//! Approvals with SSH signatures, checked both ways against real OpenSSH
//! (`ssh-keygen`), and the findings that tampering produces.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cargo_soup::approval::{
    self, AllowedSigners, ApprovalError, Approver, Refusal, SigningKey, approve_evaluation,
    approve_release, payload_of,
};
use cargo_soup::evaluate::{
    ApprovalInput, FindingCode, Findings, ReleaseState, SignatureStatus, approval_statuses,
};
use cargo_soup::record::{Approval, Evaluation, Meaning, RecordFile};
use sha2::{Digest as _, Sha256};

pub(super) const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/approvals");
const EVALUATION: &str = "RUSTSEC-2024-0421 pkg:cargo/idna@0.5.0";
pub(super) const MAX: &str = "Max Mustermann <max@example.com>";
pub(super) const ANN: &str = "Ann Example <ann@example.com>";
const BOB: &str = "Bob Builder <bob@example.com>";

/// False, with the reason printed, when OpenSSH's `ssh-keygen` is not installed.
pub(super) fn have_ssh_keygen() -> bool {
    let found = Command::new("ssh-keygen")
        .arg("-?")
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        println!("skipped: ssh-keygen (openssh-client) is not installed");
    }
    found
}

/// A copy of the class C fixture (record and release SBOM) in a fresh directory.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("releases")).unwrap();
    for name in ["soup-register.toml", "releases/1.0.cdx.json"] {
        fs::copy(Path::new(FIXTURE).join(name), dir.path().join(name)).unwrap();
    }
    let record = dir.path().join("soup-register.toml");
    (dir, record)
}

/// A new OpenSSH key pair made by `ssh-keygen`; returns the private key's path.
pub(super) fn keygen(dir: &Path, name: &str, kind: &[&str], passphrase: &str) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-N", passphrase, "-C", name, "-f"])
        .arg(&path)
        .args(kind)
        .status()
        .unwrap();
    assert!(status.success(), "ssh-keygen could not make {name}");
    path
}

/// The `key-type base64` of a key's `.pub` file.
fn public_key(key: &Path) -> String {
    let text = fs::read_to_string(key.with_extension("pub")).unwrap();
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The fingerprint `ssh-keygen -l` shows for a key.
pub(super) fn fingerprint(key: &Path) -> String {
    let output = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(key.with_extension("pub"))
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    text.split_whitespace().nth(1).unwrap().to_string()
}

/// Writes the signers file: each (principal, key) on its own line.
pub(super) fn write_signers(dir: &Path, signers: &[(&str, &Path)]) {
    let mut text = String::from("# Who may approve SOUP evaluations and releases.\n");
    for (principal, key) in signers {
        text.push_str(&format!("{principal} {}\n", public_key(key)));
    }
    fs::write(dir.join("soup-signers"), text).unwrap();
}

fn sha256_of(path: &Path) -> String {
    hex::encode(Sha256::digest(fs::read(path).unwrap()))
}

/// The evaluations in force, as the audit would give them.
fn in_force(file: &RecordFile) -> Vec<&Evaluation> {
    let record = file.record();
    record
        .evaluations
        .iter()
        .filter(|e| record.is_in_force(e))
        .collect()
}

/// The approval findings of the record as it is, with the files beside it as they are now.
fn approval_findings(file: &RecordFile, dir: &Path) -> Vec<(FindingCode, String, String)> {
    let signers_path = dir.join(&file.record().policy.signers);
    let signers = signers_path
        .exists()
        .then(|| AllowedSigners::load(&signers_path).unwrap());
    let shas: Vec<String> = file
        .record()
        .releases
        .iter()
        .map(|release| sha256_of(&dir.join(&release.sbom)))
        .collect();
    let input = ApprovalInput {
        record: file.record(),
        evaluations: in_force(file),
        releases: file
            .record()
            .releases
            .iter()
            .zip(&shas)
            .map(|(release, sha)| ReleaseState {
                version: &release.version,
                sbom_sha256: sha,
                evaluations: in_force(file),
            })
            .collect(),
        signers: signers.as_ref(),
    };
    let mut findings = Findings::default();
    findings.check_approvals(&input);
    findings.sort();
    findings
        .0
        .into_iter()
        .map(|f| (f.code, f.subject, f.message))
        .collect()
}

fn codes(findings: &[(FindingCode, String, String)]) -> Vec<(FindingCode, &str)> {
    findings
        .iter()
        .map(|(code, subject, _)| (*code, subject.as_str()))
        .collect()
}

/// A passphrase prompt that is never answered.
fn no_passphrase() -> Option<String> {
    None
}

/// `by` approves the evaluation in force with `meaning`, signing with `key`; appended to the record.
fn approve(file: &mut RecordFile, by: &str, meaning: Meaning, key: &Path) {
    let evaluation = in_force(file)[0].clone();
    let mut passphrase = no_passphrase;
    let approver = Approver {
        by,
        at: "2026-02-12T09:30:00+01:00",
        meaning,
        key: Some(SigningKey {
            path: key,
            passphrase: &mut passphrase,
        }),
    };
    let approval = approve_evaluation(file.record(), &evaluation, approver).unwrap();
    file.append_approval(&approval).unwrap();
}

/// `by` approves release 1.0 as its files are now, signing with `key`.
fn approve_release_1_0(file: &mut RecordFile, dir: &Path, by: &str, key: &Path) {
    let sha = sha256_of(&dir.join("releases/1.0.cdx.json"));
    let evaluations: Vec<Evaluation> = in_force(file).into_iter().cloned().collect();
    let evaluations: Vec<&Evaluation> = evaluations.iter().collect();
    let mut passphrase = no_passphrase;
    let approver = Approver {
        by,
        at: "2026-02-12T10:00:00Z",
        meaning: Meaning::Approved,
        key: Some(SigningKey {
            path: key,
            passphrase: &mut passphrase,
        }),
    };
    let approval = approve_release(file.record(), "1.0", &sha, &evaluations, approver).unwrap();
    file.append_approval(&approval).unwrap();
}

/// True when `ssh-keygen -Y verify` accepts approval `number`'s signature.
fn ssh_keygen_verifies(file: &RecordFile, dir: &Path, number: usize) -> bool {
    let approval = &file.record().approvals[number - 1];
    let signature = dir.join(format!("approval-{number}.sig"));
    fs::write(&signature, approval.signature.as_ref().unwrap()).unwrap();
    let payload = payload_of(file.record(), number).unwrap();
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "cargo-soup", "-f"])
        .arg(dir.join("soup-signers"))
        .args(["-I", approval::principal(&approval.by), "-s"])
        .arg(&signature)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&payload).unwrap();
    child.wait().unwrap().success()
}

/// A record with two signed approvals of the evaluation (ed25519, RSA) and a
/// signed approval of release 1.0, saved; the keys are listed in the signers file.
fn approved_project() -> (tempfile::TempDir, PathBuf, Vec<PathBuf>) {
    let (dir, path) = project();
    let max = keygen(dir.path(), "max", &["-t", "ed25519"], "");
    let ann = keygen(dir.path(), "ann", &["-t", "rsa", "-b", "2048"], "");
    write_signers(
        dir.path(),
        &[("max@example.com", &max), ("ann@example.com", &ann)],
    );
    let mut file = RecordFile::load(&path).unwrap();
    approve(&mut file, MAX, Meaning::Approved, &max);
    approve(&mut file, ANN, Meaning::Approved, &ann);
    approve_release_1_0(&mut file, dir.path(), MAX, &max);
    file.save().unwrap();
    (dir, path, vec![max, ann])
}

#[test]
fn ssh_keygen_accepts_every_signature_made_here() {
    if !have_ssh_keygen() {
        return;
    }
    let (dir, path) = project();
    let max = keygen(dir.path(), "max", &["-t", "ed25519"], "");
    let ann = keygen(dir.path(), "ann", &["-t", "rsa", "-b", "3072"], "");
    let bob = keygen(dir.path(), "bob", &["-t", "ecdsa", "-b", "256"], "");
    write_signers(
        dir.path(),
        &[
            ("max@example.com", &max),
            ("ann@example.com", &ann),
            ("bob@example.com", &bob),
        ],
    );
    let mut file = RecordFile::load(&path).unwrap();
    approve(&mut file, MAX, Meaning::Approved, &max);
    approve(&mut file, ANN, Meaning::Reviewed, &ann);
    approve(&mut file, BOB, Meaning::Approved, &bob);
    file.save().unwrap();
    let file = RecordFile::load(&path).unwrap();
    assert!(file.is_canonical());
    assert_eq!(
        codes(&approval_findings(&file, dir.path())),
        [(FindingCode::ApprovalMissing, "release 1.0")]
    );

    let mut file = file;
    approve_release_1_0(&mut file, dir.path(), ANN, &ann);
    file.save().unwrap();
    let file = RecordFile::load(&path).unwrap();
    assert_eq!(approval_findings(&file, dir.path()), []);
    for number in 1..=4 {
        assert!(
            ssh_keygen_verifies(&file, dir.path(), number),
            "approval {number}"
        );
    }
    let signers = AllowedSigners::load(&dir.path().join("soup-signers")).unwrap();
    let input = ApprovalInput {
        record: file.record(),
        evaluations: in_force(&file),
        releases: vec![],
        signers: Some(&signers),
    };
    let keys: Vec<SignatureStatus> = approval_statuses(&input)
        .into_iter()
        .map(|status| status.signature)
        .collect();
    let expected: Vec<SignatureStatus> = [&max, &ann, &bob, &ann]
        .iter()
        .map(|key| SignatureStatus::Verified {
            key: fingerprint(key),
        })
        .collect();
    assert_eq!(keys, expected);
}

#[test]
fn a_signature_made_by_ssh_keygen_verifies_here() {
    if !have_ssh_keygen() {
        return;
    }
    let (dir, path) = project();
    let max = keygen(dir.path(), "max", &["-t", "ed25519"], "");
    let ann = keygen(dir.path(), "ann", &["-t", "rsa"], "");
    write_signers(
        dir.path(),
        &[("max@example.com", &max), ("ann@example.com", &ann)],
    );
    let mut file = RecordFile::load(&path).unwrap();
    let evaluation = in_force(&file)[0].clone();
    for (by, key) in [(MAX, &max), (ANN, &ann)] {
        let mut approval = Approval {
            advisory: Some(evaluation.advisory.clone()),
            purl: Some(evaluation.purl.clone()),
            release: None,
            digest: evaluation.digest(),
            parts: vec![],
            by: by.to_string(),
            at: "2026-02-12T09:30:00Z".to_string(),
            meaning: Meaning::Approved,
            key: None,
            signature: None,
        };
        let payload = dir.path().join("payload");
        fs::write(
            &payload,
            approval::payload(&file.record().system.name, &approval).unwrap(),
        )
        .unwrap();
        let status = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "cargo-soup", "-f"])
            .arg(key)
            .arg(&payload)
            .status()
            .unwrap();
        assert!(status.success());
        approval.signature = Some(fs::read_to_string(payload.with_extension("sig")).unwrap());
        approval.key = Some(fingerprint(key));
        fs::remove_file(payload.with_extension("sig")).unwrap();
        file.append_approval(&approval).unwrap();
    }
    file.save().unwrap();
    let file = RecordFile::load(&path).unwrap();
    let findings = approval_findings(&file, dir.path());
    assert_eq!(
        codes(&findings),
        [(FindingCode::ApprovalMissing, "release 1.0")]
    );
}

#[test]
fn a_passphrase_protected_key_needs_its_passphrase() {
    if !have_ssh_keygen() {
        return;
    }
    let (dir, path) = project();
    let max = keygen(dir.path(), "max", &["-t", "ed25519"], "correct horse");
    write_signers(dir.path(), &[("max@example.com", &max)]);
    let mut file = RecordFile::load(&path).unwrap();
    let evaluation = in_force(&file)[0].clone();
    let attempt = |file: &RecordFile, answer: Option<&str>| {
        let mut asked = 0;
        let mut passphrase = || {
            asked += 1;
            answer.map(str::to_string)
        };
        let approver = Approver {
            by: MAX,
            at: "2026-02-12T09:30:00Z",
            meaning: Meaning::Approved,
            key: Some(SigningKey {
                path: &max,
                passphrase: &mut passphrase,
            }),
        };
        let result = approve_evaluation(file.record(), &evaluation, approver);
        assert_eq!(asked, 1);
        result
    };
    assert!(matches!(
        attempt(&file, None),
        Err(ApprovalError::PassphraseNeeded { .. })
    ));
    assert!(matches!(
        attempt(&file, Some("wrong horse")),
        Err(ApprovalError::PassphraseWrong { .. })
    ));
    let approval = attempt(&file, Some("correct horse")).unwrap();
    file.append_approval(&approval).unwrap();
    assert!(ssh_keygen_verifies(&file, dir.path(), 1));
    assert_eq!(approval.key, Some(fingerprint(&max)));
}

#[test]
fn an_edited_evaluation_invalidates_its_approvals_until_restored() {
    if !have_ssh_keygen() {
        return;
    }
    let (dir, path, _keys) = approved_project();
    let original = fs::read_to_string(&path).unwrap();
    let file = RecordFile::parse(&path, &original).unwrap();
    assert_eq!(approval_findings(&file, dir.path()), []);

    let edited = original.replacen("pump's own", "pump's owm", 1);
    assert_eq!(edited.len(), original.len());
    let file = RecordFile::parse(&path, &edited).unwrap();
    let findings = approval_findings(&file, dir.path());
    assert_eq!(
        codes(&findings),
        [
            (FindingCode::ApprovalInvalid, EVALUATION),
            (FindingCode::ApprovalInvalid, EVALUATION),
            (FindingCode::ApprovalInvalid, "release 1.0"),
            (FindingCode::ApprovalMissing, EVALUATION),
            (FindingCode::ApprovalMissing, "release 1.0"),
        ]
    );
    assert!(
        findings[0]
            .2
            .contains("approval #1 (approved by Max Mustermann")
    );
    assert!(findings[0].2.contains("digest no longer matches"));
    assert!(
        findings[2]
            .2
            .contains("the evaluation of RUSTSEC-2024-0421 in pkg:cargo/idna@0.5.0 changed"),
        "{}",
        findings[2].2
    );

    let restored =
        RecordFile::parse(&path, &edited.replacen("pump's owm", "pump's own", 1)).unwrap();
    assert_eq!(approval_findings(&restored, dir.path()), []);
}

#[test]
fn swapped_signatures_are_both_invalid() {
    if !have_ssh_keygen() {
        return;
    }
    let (dir, path, _keys) = approved_project();
    let original = fs::read_to_string(&path).unwrap();
    let file = RecordFile::parse(&path, &original).unwrap();
    let [first, second] = [0, 1].map(|i| file.record().approvals[i].signature.clone().unwrap());
    let swapped = original
        .replacen(&first, "FIRST", 1)
        .replacen(&second, &first, 1)
        .replacen("FIRST", &second, 1);
    assert_ne!(swapped, original);
    let file = RecordFile::parse(&path, &swapped).unwrap();
    let findings = approval_findings(&file, dir.path());
    assert_eq!(
        codes(&findings),
        [
            (FindingCode::ApprovalInvalid, EVALUATION),
            (FindingCode::ApprovalInvalid, EVALUATION),
            (FindingCode::ApprovalMissing, EVALUATION),
        ]
    );
    assert!(findings[0].2.starts_with("approval #1"));
    assert!(findings[1].2.starts_with("approval #2"));
}

#[test]
fn a_signer_removed_from_the_signers_file_no_longer_verifies() {
    if !have_ssh_keygen() {
        return;
    }
    let (dir, path, keys) = approved_project();
    let file = RecordFile::load(&path).unwrap();
    write_signers(dir.path(), &[("max@example.com", &keys[0])]);
    let findings = approval_findings(&file, dir.path());
    assert_eq!(
        codes(&findings),
        [(FindingCode::ApprovalInvalid, EVALUATION)]
    );
    assert!(findings[0].2.starts_with("approval #2"));
    assert!(
        findings[0].2.contains("is not listed for ann@example.com"),
        "{}",
        findings[0].2
    );
    assert!(!ssh_keygen_verifies(&file, dir.path(), 2));

    write_signers(
        dir.path(),
        &[("max@example.com", &keys[0]), ("ann@example.com", &keys[1])],
    );
    assert_eq!(approval_findings(&file, dir.path()), []);
    assert!(ssh_keygen_verifies(&file, dir.path(), 2));
}

#[test]
fn a_changed_release_sbom_invalidates_the_release_approval() {
    if !have_ssh_keygen() {
        return;
    }
    let (dir, path, _keys) = approved_project();
    let file = RecordFile::load(&path).unwrap();
    let sbom = dir.path().join("releases/1.0.cdx.json");
    let original = fs::read(&sbom).unwrap();
    let mut changed = original.clone();
    changed.extend_from_slice(b"\n");
    fs::write(&sbom, &changed).unwrap();
    let findings = approval_findings(&file, dir.path());
    assert_eq!(
        codes(&findings),
        [
            (FindingCode::ApprovalInvalid, "release 1.0"),
            (FindingCode::ApprovalMissing, "release 1.0"),
        ]
    );
    let sha = sha256_of(&sbom);
    let expected = format!(
        "the release SBOM changed since the approval (sha256:765ee15bc4fdba63ba6d23f0aca08a6f77988a422a30336ae781fb893c867b8a → sha256:{sha})"
    );
    assert!(findings[0].2.contains(&expected), "{}", findings[0].2);

    fs::write(&sbom, &original).unwrap();
    assert_eq!(approval_findings(&file, dir.path()), []);
}

#[test]
fn class_c_needs_a_second_persons_signed_approval() {
    let (dir, path) = project();
    let file = RecordFile::load(&path).unwrap();
    let original = file.text();
    assert_eq!(file.record().approvals_required(), 1);
    assert!(file.record().signatures_required());
    assert_eq!(
        codes(&approval_findings(&file, dir.path())),
        [
            (FindingCode::ApprovalMissing, EVALUATION),
            (FindingCode::ApprovalMissing, "release 1.0"),
        ]
    );

    let superseded = file.record().evaluations[0].clone();
    let current = in_force(&file)[0].clone();
    let unsigned = |by, meaning| Approver {
        by,
        at: "2026-02-12T09:30:00Z",
        meaning,
        key: None,
    };
    let refusal = |result: Result<Approval, ApprovalError>| match result {
        Err(ApprovalError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let record = file.record();
    assert!(matches!(
        refusal(approve_evaluation(
            record,
            &current,
            unsigned("Jane Doe <JANE@example.com>", Meaning::Approved)
        )),
        Refusal::SelfApproval { .. }
    ));
    assert!(matches!(
        refusal(approve_evaluation(
            record,
            &superseded,
            unsigned(MAX, Meaning::Approved)
        )),
        Refusal::Superseded { .. }
    ));
    assert_eq!(
        refusal(approve_evaluation(
            record,
            &current,
            unsigned(MAX, Meaning::Approved)
        )),
        Refusal::SignatureRequired
    );
    let ids = vec!["CVE-2024-12224".to_string()];
    assert_eq!(
        approval::evaluation_to_approve(record, &ids, "pkg:cargo/idna@0.5.0"),
        Ok(&record.evaluations[1])
    );
    assert!(matches!(
        approval::evaluation_to_approve(record, &ids, "pkg:cargo/idna@1.0.0"),
        Err(Refusal::NoEvaluation { .. })
    ));
    assert_eq!(file.text(), original);

    // Signatures optional: an unsigned approval is recorded, a second one with the same meaning is refused.
    let optional = original.replace(
        "signers = \"soup-signers\"",
        "signers = \"soup-signers\"\nsignatures = \"optional\"",
    );
    let mut file = RecordFile::parse(&path, &optional).unwrap();
    let given =
        approve_evaluation(file.record(), &current, unsigned(MAX, Meaning::Approved)).unwrap();
    assert_eq!(given.signature, None);
    file.append_approval(&given).unwrap();
    let before = file.text();
    assert_eq!(
        refusal(approve_evaluation(
            file.record(),
            &current,
            unsigned("max@EXAMPLE.com", Meaning::Approved)
        )),
        Refusal::Duplicate {
            by: "max@EXAMPLE.com".to_string(),
            meaning: Meaning::Approved
        }
    );
    assert_eq!(file.text(), before);
    assert_eq!(
        codes(&approval_findings(&file, dir.path())),
        [(FindingCode::ApprovalMissing, "release 1.0")]
    );

    // A self-approval that arrives through a hand edit is found, and does not count.
    let mut hand_edited = RecordFile::parse(&path, &optional).unwrap();
    let mut own = given.clone();
    own.by = "Jane Doe <jane@example.com>".to_string();
    hand_edited.append_approval(&own).unwrap();
    assert_eq!(
        codes(&approval_findings(&hand_edited, dir.path())),
        [
            (FindingCode::ApprovalMissing, EVALUATION),
            (FindingCode::ApprovalMissing, "release 1.0"),
            (FindingCode::ApprovalSelf, EVALUATION),
        ]
    );
}

#[test]
fn class_b_needs_no_approval_by_default() {
    let (dir, path) = project();
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("class = \"C\"", "class = \"B\"");
    let file = RecordFile::parse(&path, &text).unwrap();
    assert_eq!(file.record().approvals_required(), 0);
    assert!(!file.record().signatures_required());
    assert_eq!(approval_findings(&file, dir.path()), []);

    let required = text.replace(
        "signers = \"soup-signers\"",
        "approvals_required = 2\nsigners = \"soup-signers\"",
    );
    let file = RecordFile::parse(&path, &required).unwrap();
    assert!(file.record().signatures_required());
    let findings = approval_findings(&file, dir.path());
    assert_eq!(findings.len(), 2);
    assert!(findings[0].2.starts_with("0 of 2 required approval(s)"));
}
