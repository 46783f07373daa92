//! `approve` and `verify` through the binary: signatures OpenSSH accepts both
//! ways, tampering found and restoring mended, refusals that write nothing, and
//! the approval findings of `check`.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cargo_soup::approval::principal;
use cargo_soup::evaluate::{AuditOptions, FindingCode, SignatureStatus};
use cargo_soup::out::Scripted;
use cargo_soup::project::{ApprovalRequest, AuditScope, EvaluationTarget};
use cargo_soup::record::{Approval, Meaning, RecordFile, SafetyClass};

use super::approvals::{ANN, FIXTURE, MAX, fingerprint, have_ssh_keygen, keygen, write_signers};
use super::prompts::{answer, exit_code};
use super::support::fixture;
use super::support::memory::Memory;
use super::support::scene::{Project, Run};
use super::support::schemas::assert_documented;

const EVALUATION: &str = "RUSTSEC-2024-0421 pkg:cargo/idna@0.5.0";

/// The pump project (idna 0.5.0 in its Cargo.lock) with the class C record of
/// the approvals fixture and its release 1.0, and a key for Max (ed25519) and
/// Ann (RSA) listed in the signers file.
struct Signed {
    project: Project,
    max: PathBuf,
    ann: PathBuf,
}

impl Signed {
    fn new() -> Signed {
        let project = Project::copy_of("pump");
        fs::create_dir(project.path("releases")).unwrap();
        for name in ["soup-register.toml", "releases/1.0.cdx.json"] {
            fs::copy(Path::new(FIXTURE).join(name), project.path(name)).unwrap();
        }
        let max = keygen(project.dir.path(), "max", &["-t", "ed25519"], "");
        let ann = keygen(project.dir.path(), "ann", &["-t", "rsa", "-b", "2048"], "");
        write_signers(
            project.dir.path(),
            &[("max@example.com", &max), ("ann@example.com", &ann)],
        );
        Signed { project, max, ann }
    }

    /// `approve` of the idna evaluation by `by` with `meaning`, and `extra` flags.
    fn approve(&self, by: &str, meaning: &str, extra: &[&str]) -> Run {
        let mut args = vec![
            "approve",
            "RUSTSEC-2024-0421",
            "--package",
            "idna@0.5.0",
            "--lockfile",
            "Cargo.lock",
            "--offline",
            "--meaning",
            meaning,
            "--by",
            by,
        ];
        args.extend_from_slice(extra);
        self.project.run(&args)
    }

    /// `approve --release 1.0` by `by`, signed with `key`.
    fn approve_release(&self, by: &str, key: &Path) -> Run {
        self.project.run(&[
            "approve",
            "--release",
            "1.0",
            "--meaning",
            "approved",
            "--by",
            by,
            "--key",
            key.to_str().unwrap(),
        ])
    }

    fn key(&self, key: &Path) -> [String; 2] {
        ["--key".to_string(), key.to_str().unwrap().to_string()]
    }

    /// Max approves the evaluation, Ann reviews it, Ann approves release 1.0; all signed.
    fn approved() -> Signed {
        let signed = Signed::new();
        let [flag, max] = signed.key(&signed.max);
        signed.approve(MAX, "approved", &[&flag, &max]).expect(0);
        let [flag, ann] = signed.key(&signed.ann);
        signed.approve(ANN, "reviewed", &[&flag, &ann]).expect(0);
        signed.approve_release(ANN, &signed.ann).expect(0);
        signed
    }

    fn verify(&self) -> Run {
        self.project.run(&["verify"])
    }

    fn check(&self) -> Run {
        self.project.run(&[
            "check",
            "--lockfile",
            "Cargo.lock",
            "--offline",
            "--allow-stale",
        ])
    }

    fn record_file(&self) -> RecordFile {
        RecordFile::load(&self.project.path("soup-register.toml")).unwrap()
    }

    fn write_record(&self, text: &str) {
        fs::write(self.project.path("soup-register.toml"), text).unwrap();
    }
}

/// The (code, subject) of each finding line `verify` or `check` printed.
fn findings(run: &Run) -> Vec<(String, String)> {
    let codes = ["approval-invalid", "approval-missing", "approval-self"];
    run.stdout()
        .lines()
        .filter_map(|line| {
            let code = codes.iter().find(|code| line.starts_with(*code))?;
            let rest = line[code.len()..].trim_start();
            // Both kinds of subject are two words: `<advisory> <purl>`, `release <version>`.
            let subject = rest.splitn(3, ' ').take(2).collect::<Vec<_>>().join(" ");
            Some((code.to_string(), subject))
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(code, subject)| (code.to_string(), subject.to_string()))
        .collect()
}

/// Runs `verify`, which must fail, and asserts the (code, subject) of its findings.
fn verify_finds(signed: &Signed, expected: &[(&str, &str)]) -> Run {
    let run = signed.verify().expect(1);
    assert_eq!(findings(&run), pairs(expected), "{}", run.stdout());
    run
}

/// True when `ssh-keygen -Y verify` accepts `signature` by `by` over `payload`.
fn ssh_keygen_accepts(dir: &Path, by: &str, signature: &str, payload: &[u8]) -> bool {
    let sig = dir.join("approval.sig");
    fs::write(&sig, signature).unwrap();
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "cargo-soup", "-f"])
        .arg(dir.join("soup-signers"))
        .args(["-I", principal(by), "-s"])
        .arg(&sig)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(payload).unwrap();
    child.wait().unwrap().success()
}

#[test]
fn ssh_keygen_accepts_the_signatures_approve_makes() {
    if !have_ssh_keygen() {
        return;
    }
    let signed = Signed::new();
    let run = signed.check().expect(1);
    assert_eq!(
        findings(&run),
        pairs(&[
            ("approval-missing", EVALUATION),
            ("approval-missing", "release 1.0")
        ]),
        "{}",
        run.stdout()
    );
    let [flag, max] = signed.key(&signed.max);
    let approved = signed.approve(MAX, "approved", &[&flag, &max]).expect(0);
    let expected = format!(
        ": {MAX} approved the evaluation of RUSTSEC-2024-0421 in pkg:cargo/idna@0.5.0, signed with {}",
        fingerprint(&signed.max)
    );
    assert!(
        approved.stdout().starts_with("recorded approval #1 in ")
            && approved.stdout().contains(&expected),
        "{}",
        approved.stdout()
    );
    signed.approve_release(ANN, &signed.ann).expect(0);
    let run = signed.check().expect(0);
    assert_eq!(findings(&run), []);
    signed.verify().expect(0);

    let file = signed.record_file();
    let approvals = &file.record().approvals;
    assert_eq!(approvals.len(), 2);
    assert_eq!(approvals[0].key, Some(fingerprint(&signed.max)));
    assert_eq!(approvals[1].key, Some(fingerprint(&signed.ann)));
    assert_eq!(approvals[1].release.as_deref(), Some("1.0"));
    for (number, approval) in approvals.iter().enumerate() {
        let number = (number + 1).to_string();
        let payload = signed
            .project
            .run(&["verify", "--payload", &number])
            .expect(0);
        let text = payload.stdout();
        assert!(text.starts_with("cargo-soup approval v1\nsystem: infusion-pump-fw\n"));
        assert_eq!(text.lines().count(), 7, "{text}");
        assert!(text.ends_with(&format!("at: {}\n", approval.at)), "{text}");
        // RFC 3339 in UTC, to the second: `2026-11-24T10:00:00Z`.
        assert_eq!(approval.at.len(), 20, "{}", approval.at);
        assert!(approval.at.ends_with('Z'), "{}", approval.at);
        assert!(ssh_keygen_accepts(
            signed.project.dir.path(),
            &approval.by,
            approval.signature.as_deref().unwrap(),
            &payload.0.stdout,
        ));
    }
    let json = signed
        .project
        .run(&["verify", "--format", "json"])
        .expect(0)
        .json();
    assert_documented("verify-1.schema.json", &json);
    assert_eq!(json["verified"], true);
    assert_eq!(json["approvals"][0]["subject"], EVALUATION);
    assert_eq!(json["approvals"][0]["signature"]["status"], "verified");
    assert_eq!(
        json["approvals"][1]["signature"]["key"],
        fingerprint(&signed.ann)
    );
}

#[test]
fn verify_accepts_a_signature_made_by_ssh_keygen() {
    if !have_ssh_keygen() {
        return;
    }
    let signed = Signed::new();
    let original = signed.project.record();
    let mut file = signed.record_file();
    let evaluation = file.record().evaluations[1].clone();
    let mut approval = Approval {
        advisory: Some(evaluation.advisory.clone()),
        purl: Some(evaluation.purl.clone()),
        release: None,
        digest: evaluation.digest(),
        parts: vec![],
        by: ANN.to_string(),
        at: "2026-11-24T10:00:00Z".to_string(),
        meaning: Meaning::Approved,
        key: None,
        signature: None,
    };
    file.append_approval(&approval).unwrap();
    file.save().unwrap();
    let payload = signed
        .project
        .run(&["verify", "--payload", "1"])
        .expect(0)
        .0
        .stdout;
    let payload_file = signed.project.path("payload");
    fs::write(&payload_file, &payload).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "cargo-soup", "-f"])
        .arg(&signed.ann)
        .arg(&payload_file)
        .status()
        .unwrap();
    assert!(status.success());
    approval.signature = Some(fs::read_to_string(payload_file.with_extension("sig")).unwrap());
    approval.key = Some(fingerprint(&signed.ann));
    signed.write_record(&original);
    let mut file = signed.record_file();
    file.append_approval(&approval).unwrap();
    file.save().unwrap();
    let run = verify_finds(&signed, &[("approval-missing", "release 1.0")]);
    assert!(
        run.stdout().contains(&format!(
            "#1 {EVALUATION} approved by {ANN} at 2026-11-24T10:00:00Z: signature verified ({})",
            fingerprint(&signed.ann)
        )),
        "{}",
        run.stdout()
    );
    signed.approve_release(MAX, &signed.max).expect(0);
    signed.verify().expect(0);
}

#[test]
fn tampering_is_found_and_restoring_mends_it() {
    if !have_ssh_keygen() {
        return;
    }
    let signed = Signed::approved();
    signed.verify().expect(0);
    let original = signed.project.record();
    // The release's document shows the approval as verify finds it.
    let report = |signed: &Signed, format: &str| {
        let run = signed.project.run(&[
            "report",
            "--release",
            "1.0",
            "--offline",
            "--allow-stale",
            "--format",
            format,
        ]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        run.stdout()
    };
    assert!(
        report(&signed, "md").contains(": verified (SHA256:"),
        "{}",
        report(&signed, "md")
    );
    let json: serde_json::Value = serde_json::from_str(&report(&signed, "json")).unwrap();
    assert_documented("report-1.schema.json", &json);
    assert_eq!(json["control"]["signatures"][2]["signed"], true);
    // The export carries who approved each VEX analysis.
    let export = signed.project.run(&[
        "export",
        "--format",
        "cyclonedx",
        "--offline",
        "--lockfile",
        "Cargo.lock",
    ]);
    assert_eq!(export.code(), 0, "{}", export.stderr());
    let bom = export.json();
    let approved_by: Vec<&str> = bom["vulnerabilities"][0]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "cargo-soup:approved-by")
        .filter_map(|p| p["value"].as_str())
        .collect();
    assert_eq!(approved_by.len(), 1, "{bom}");
    assert!(approved_by[0].starts_with(MAX), "{approved_by:?}");
    // The release approval's time edited: its signature no longer covers it.
    let at = signed.record_file().record().approvals[2].at.clone();
    let line = format!("at = \"{at}\"");
    let cut = original.rfind(&line).unwrap();
    let mut edited_at = original.clone();
    edited_at.replace_range(cut..cut + line.len(), &line.replacen("20", "21", 1));
    signed.write_record(&edited_at);
    let tampered = report(&signed, "md");
    assert!(!tampered.contains(": verified (SHA256:"), "{tampered}");
    assert!(tampered.contains("signature fails"), "{tampered}");
    signed.write_record(&original);

    // One character of the approved evaluation's rationale.
    let edited = original.replacen("pump's own", "pump's owm", 1);
    assert_eq!(edited.len(), original.len());
    signed.write_record(&edited);
    let run = verify_finds(
        &signed,
        &[
            ("approval-invalid", EVALUATION),
            ("approval-invalid", EVALUATION),
            ("approval-missing", EVALUATION),
        ],
    );
    assert!(run.stdout().contains("digest no longer matches"));
    signed.write_record(&original);
    signed.verify().expect(0);

    // The signatures of two approvals swapped.
    let file = signed.record_file();
    let [first, second] = [0, 1].map(|i| file.record().approvals[i].signature.clone().unwrap());
    let swapped = original
        .replacen(&first, "FIRST", 1)
        .replacen(&second, &first, 1)
        .replacen("FIRST", &second, 1);
    signed.write_record(&swapped);
    verify_finds(
        &signed,
        &[
            ("approval-invalid", EVALUATION),
            ("approval-invalid", EVALUATION),
            ("approval-missing", EVALUATION),
        ],
    );
    signed.write_record(&original);
    signed.verify().expect(0);

    // The signer removed from the signers file; an audit kept from before does not hide it.
    let audit = [
        "audit",
        "--lockfile",
        "Cargo.lock",
        "--offline",
        "--allow-stale",
    ];
    signed.project.run(&audit).expect(0);
    let signers = fs::read_to_string(signed.project.path("soup-signers")).unwrap();
    write_signers(
        signed.project.dir.path(),
        &[("max@example.com", &signed.max)],
    );
    let run = signed.project.run(&audit).expect(1);
    assert!(
        run.stdout().contains("approval-invalid"),
        "{}",
        run.stdout()
    );
    let run = verify_finds(
        &signed,
        &[
            ("approval-invalid", EVALUATION),
            ("approval-invalid", "release 1.0"),
            ("approval-missing", "release 1.0"),
        ],
    );
    assert!(run.stdout().contains("ann@example.com"), "{}", run.stdout());
    fs::write(signed.project.path("soup-signers"), signers).unwrap();
    signed.verify().expect(0);
    signed.project.run(&audit).expect(0);

    // The release SBOM changed.
    let sbom = signed.project.path("releases/1.0.cdx.json");
    let bytes = fs::read(&sbom).unwrap();
    let mut changed = bytes.clone();
    changed.extend_from_slice(b"\n");
    fs::write(&sbom, &changed).unwrap();
    let run = verify_finds(
        &signed,
        &[
            ("approval-invalid", "release 1.0"),
            ("approval-missing", "release 1.0"),
        ],
    );
    assert!(
        run.stdout()
            .contains("the release SBOM changed since the approval"),
        "{}",
        run.stdout()
    );
    fs::write(&sbom, &bytes).unwrap();
    signed.verify().expect(0);
}

#[test]
fn refused_approvals_leave_the_record_byte_identical() {
    if !have_ssh_keygen() {
        return;
    }
    let signed = Signed::new();
    let [flag, max] = signed.key(&signed.max);
    let key = [flag.as_str(), max.as_str()];
    signed.approve(MAX, "approved", &key).expect(0);
    let before = signed.project.snapshot();
    let refusals: [(&str, Vec<&str>, &str); 5] = [
        (
            "Jane Doe <jane@example.com>",
            key.to_vec(),
            "made this evaluation; an approval must come from another person",
        ),
        (
            ANN,
            [&key[..], &["--evaluated", "2026-01-10"]].concat(),
            "is superseded by a later one",
        ),
        (MAX, key.to_vec(), "has already given `approved` for this"),
        (ANN, vec![], "the policy requires signatures"),
        (
            ANN,
            vec!["--key", "no-such-key"],
            "failed to read the SSH key no-such-key",
        ),
    ];
    for (by, extra, message) in refusals {
        let run = signed.approve(by, "approved", &extra).expect(2);
        assert!(run.stderr().contains(message), "{}", run.stderr());
        assert_eq!(signed.project.snapshot(), before, "{message}");
    }
    let run = signed
        .project
        .run(&[
            "approve",
            "RUSTSEC-2024-0421",
            "--package",
            "idna@1.0.0",
            "--lockfile",
            "Cargo.lock",
            "--meaning",
            "approved",
        ])
        .expect(2);
    assert!(
        run.stderr().contains("failed to find idna@1.0.0"),
        "{}",
        run.stderr()
    );
    let tikv = fixture("lockfiles/tikv-92cf4709fd.Cargo.lock");
    let run = signed
        .project
        .run(&[
            "approve",
            "RUSTSEC-2024-0421",
            "--package",
            "byteorder",
            "--lockfile",
            tikv.to_str().unwrap(),
            "--meaning",
            "approved",
        ])
        .expect(2);
    assert!(
        run.stderr()
            .contains("failed to tell which byteorder is meant: 2 versions are pinned"),
        "{}",
        run.stderr()
    );
    assert_eq!(signed.project.snapshot(), before);
}

#[test]
fn approve_and_verify_teach_with_examples() {
    let project = Project::empty();
    for command in ["approve", "verify"] {
        let run = project.run(&[command, "--help"]).expect(0);
        assert!(run.stdout().contains("Examples:"), "{}", run.stdout());
        assert!(run.stdout().contains(&format!("cargo soup {command} ")));
    }
}

#[test]
fn an_encrypted_key_without_a_terminal_is_refused() {
    if !have_ssh_keygen() {
        return;
    }
    let signed = Signed::new();
    let bob = keygen(
        signed.project.dir.path(),
        "bob",
        &["-t", "ed25519"],
        "secret words",
    );
    let before = signed.project.snapshot();
    let run = signed
        .approve(ANN, "approved", &["--key", bob.to_str().unwrap()])
        .expect(2);
    assert!(
        run.stderr().contains("protected by a passphrase"),
        "{}",
        run.stderr()
    );
    assert_eq!(signed.project.snapshot(), before);
}

#[test]
fn class_c_needs_a_second_person_and_class_b_none() {
    if !have_ssh_keygen() {
        return;
    }
    let signed = Signed::new();
    let [flag, ann] = signed.key(&signed.ann);
    signed.approve(ANN, "reviewed", &[&flag, &ann]).expect(0);
    let run = signed.check().expect(1);
    assert_eq!(
        findings(&run),
        pairs(&[
            ("approval-missing", EVALUATION),
            ("approval-missing", "release 1.0")
        ]),
        "a review is not an approval:\n{}",
        run.stdout()
    );
    let audit = signed.project.run(&[
        "audit",
        "--lockfile",
        "Cargo.lock",
        "--offline",
        "--allow-stale",
    ]);
    audit.expect(1);
    signed.approve(ANN, "approved", &[&flag, &ann]).expect(0);
    signed.approve_release(ANN, &signed.ann).expect(0);
    signed.check().expect(0);
    signed
        .project
        .run(&[
            "audit",
            "--lockfile",
            "Cargo.lock",
            "--offline",
            "--allow-stale",
        ])
        .expect(0);

    let class_b = Signed::new();
    let text = class_b
        .project
        .record()
        .replace("class = \"C\"", "class = \"B\"");
    class_b.write_record(&text);
    let run = class_b.check().expect(0);
    assert_eq!(findings(&run), []);
    class_b.verify().expect(0);
    // Unsigned approvals are allowed where none are required.
    class_b.approve(MAX, "reviewed", &[]).expect(0);
    let run = class_b.verify().expect(0);
    assert!(
        run.stdout()
            .contains(&format!("#1 {EVALUATION} reviewed by {MAX}")),
        "{}",
        run.stdout()
    );
}

#[test]
fn on_a_terminal_approve_shows_the_evaluation_then_asks_the_meaning_and_the_passphrase() {
    if !have_ssh_keygen() {
        return;
    }
    let signed = Signed::new();
    let ann = keygen(
        signed.project.dir.path(),
        "ann-locked",
        &["-t", "ed25519"],
        "correct horse",
    );
    write_signers(signed.project.dir.path(), &[("ann@example.com", &ann)]);
    let command = signed.project.command(&[
        "approve",
        "RUSTSEC-2024-0421",
        "--package",
        "idna@0.5.0",
        "--lockfile",
        "Cargo.lock",
        "--offline",
        "--by",
        ANN,
        "--key",
        ann.to_str().unwrap(),
    ]);
    let mut session = rexpect::session::spawn_command(command, Some(30_000)).unwrap();
    session
        .exp_string("The evaluation of RUSTSEC-2024-0421 in pkg:cargo/idna@0.5.0")
        .unwrap();
    session
        .exp_string(r#"vex_justification = "vulnerable_code_not_in_execute_path""#)
        .unwrap();
    session
        .exp_string("rationale = \"Host names come only")
        .unwrap();
    // No meaning is preselected: it is typed.
    answer(&mut session, "2) approved", "approved\r");
    answer(&mut session, "Passphrase of the SSH key", "correct horse\r");
    session.exp_string("recorded approval #1").unwrap();
    assert_eq!(exit_code(&mut session), 0);
    let file = signed.record_file();
    let approval = &file.record().approvals[0];
    assert_eq!(approval.meaning, Meaning::Approved);
    assert_eq!(approval.by, ANN);
    assert_eq!(approval.key, Some(fingerprint(&ann)));
    assert!(!signed.project.record().contains("correct horse"));
    let payload = signed.project.run(&["verify", "--payload", "1"]).expect(0);
    assert!(ssh_keygen_accepts(
        signed.project.dir.path(),
        ANN,
        approval.signature.as_deref().unwrap(),
        &payload.0.stdout,
    ));
}

/// In-process, the approval findings of `check` are those of `verify`, and a
/// passphrase is asked for through the `Out`.
#[test]
fn check_and_verify_agree_in_process() {
    if !have_ssh_keygen() {
        return;
    }
    let mut m = Memory::pump(SafetyClass::C);
    fs::create_dir(m.dir.path().join("releases")).unwrap();
    for name in ["soup-register.toml", "releases/1.0.cdx.json"] {
        fs::copy(Path::new(FIXTURE).join(name), m.dir.path().join(name)).unwrap();
    }
    m.project.reload().unwrap();
    let ann = keygen(m.dir.path(), "ann", &["-t", "ed25519"], "correct horse");
    let max = keygen(m.dir.path(), "max", &["-t", "ecdsa", "-b", "256"], "");
    write_signers(
        m.dir.path(),
        &[("ann@example.com", &ann), ("max@example.com", &max)],
    );
    let options = AuditOptions { allow_stale: true };
    let approval_gaps = |m: &mut Memory| -> Vec<(FindingCode, String)> {
        let check = m.project.check(&m.input(), &options, &mut m.out).unwrap();
        let verified = m.project.verify().unwrap();
        let from_verify: Vec<(FindingCode, String)> = verified
            .findings
            .iter()
            .map(|f| (f.code, f.subject.clone()))
            .collect();
        let from_check: Vec<(FindingCode, String)> = check
            .gaps
            .iter()
            .map(|f| (f.code, f.subject.clone()))
            .collect();
        assert_eq!(from_check, from_verify);
        assert_eq!(verified.fails(), !from_verify.is_empty());
        from_verify
    };
    let missing = |subject: &str| (FindingCode::ApprovalMissing, subject.to_string());
    assert_eq!(
        approval_gaps(&mut m),
        [missing(EVALUATION), missing("release 1.0")]
    );

    let target = EvaluationTarget {
        advisory: "CVE-2024-12224".to_string(),
        package: "idna".to_string(),
        input: m.input(),
        scope: AuditScope::WorkingTree,
        evaluated: None,
    };
    let evaluation = m
        .project
        .evaluation_to_approve(&target, &mut m.out)
        .unwrap();
    assert_eq!(evaluation.date.to_string(), "2026-02-03");
    let request = ApprovalRequest {
        by: ANN.to_string(),
        meaning: Meaning::Approved,
        key: Some(ann.clone()),
    };
    m.out = Scripted::new(&["correct horse"]);
    let approval = m
        .project
        .approve_evaluation(&evaluation, &request, &mut m.out)
        .unwrap();
    assert_eq!(m.out.transcript, ["? Passphrase of the SSH key"]);
    assert_eq!(approval.at, "2026-11-24T09:00:00Z");
    assert!(
        m.record_text()
            .contains(approval.signature.as_deref().unwrap())
    );
    assert_eq!(approval_gaps(&mut m), [missing("release 1.0")]);

    let request = ApprovalRequest {
        by: MAX.to_string(),
        meaning: Meaning::Approved,
        key: Some(max.clone()),
    };
    let release = m
        .project
        .approve_release("1.0", &request, &mut m.out)
        .unwrap();
    assert_eq!(
        release.parts.len(),
        1,
        "the release has no evaluation of its own"
    );
    assert_eq!(approval_gaps(&mut m), []);
    let statuses = m.project.verify().unwrap().statuses;
    let keys: Vec<SignatureStatus> = statuses.into_iter().map(|s| s.signature).collect();
    assert_eq!(
        keys,
        [&ann, &max].map(|key| SignatureStatus::Verified {
            key: fingerprint(key)
        })
    );
}
