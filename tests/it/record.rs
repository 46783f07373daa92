//! The record, `soup-register.toml`: loading, validation with lines, format-preserving
//! edits, canonical order and atomic saves.

use std::fs;
use std::path::{Path, PathBuf};

use cargo_soup::model::Purl;
use cargo_soup::record::{
    Action, Approval, Evaluation, Meaning, Policy, RecordError, RecordFile, Release, SafetyClass,
    Sources, VexJustification, VexStatus, init_text,
};
use time::macros::date;

/// A file under `tests/fixtures/record/`.
fn fixture(name: &str) -> PathBuf {
    super::support::fixture(&format!("record/{name}"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

/// A copy of a fixture in a fresh directory, so tests can save it.
fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("soup-register.toml");
    fs::copy(fixture(name), &path).unwrap();
    (dir, path)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The RustSec advisory for the Marvin attack on `rsa` (RUSTSEC-2023-0071), as
/// an engineer would evaluate it.
fn rsa_evaluation() -> Evaluation {
    Evaluation {
        advisory: "RUSTSEC-2023-0071".into(),
        aliases: vec![
            "CVE-2023-49092".into(),
            "GHSA-c38w-74pg-36hr".into(),
            "GHSA-4grx-2x9w-596c".into(),
        ],
        purl: "pkg:cargo/rsa@0.9.6".into(),
        by: "Max Mustermann <max@example.com>".into(),
        date: date!(2026 - 05 - 01),
        review_by: date!(2027 - 05 - 01),
        advisory_modified: "2026-04-25T06:40:09Z".into(),
        advisory_hash: "sha256:32c93f3b958dd17e286bc54ffe8b2260f3dced9c2b25b7fdd4058b6c82974162"
            .into(),
        hazardous: true,
        hazards: vec!["HAZ-7".into()],
        risk_controls: vec![],
        vex_status: VexStatus::Affected,
        vex_justification: None,
        action: Action::Mitigate,
        rationale: "Timing side channel on the service link; keys are per device.".into(),
        carried_from: None,
    }
}

/// `rsa_evaluation()` as the record writes it, spelled out by hand.
const RSA_ENTRY: &str = r#"
[[evaluation]]
advisory = "RUSTSEC-2023-0071"
aliases = ["CVE-2023-49092", "GHSA-c38w-74pg-36hr", "GHSA-4grx-2x9w-596c"]
purl = "pkg:cargo/rsa@0.9.6"
by = "Max Mustermann <max@example.com>"
date = 2026-05-01
review_by = 2027-05-01
advisory_modified = "2026-04-25T06:40:09Z"
advisory_hash = "sha256:32c93f3b958dd17e286bc54ffe8b2260f3dced9c2b25b7fdd4058b6c82974162"
hazardous = true
hazards = ["HAZ-7"]
risk_controls = []
vex_status = "affected"
action = "mitigate"
rationale = "Timing side channel on the service link; keys are per device."
"#;

#[test]
fn init_text_loads_is_canonical_and_round_trips() {
    let text = init_text("infusion-pump-fw", SafetyClass::B, None);
    let file = RecordFile::parse(Path::new("soup-register.toml"), &text).unwrap();
    assert!(file.is_canonical());
    assert_eq!(file.canonical_text(), text);
    let record = file.record();
    assert_eq!(record.system.name, "infusion-pump-fw");
    assert_eq!(record.system.class, SafetyClass::B);
    assert_eq!(record.system.manufacturer, None);
    assert_eq!(record.policy, Policy::default());
    assert_eq!(record.sources, Sources::default());
    assert!(record.soup.is_empty() && record.evaluations.is_empty() && record.releases.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("soup-register.toml");
    RecordFile::create(&path, &text).unwrap();
    assert_eq!(read(&path), text);
    let mut loaded = RecordFile::load(&path).unwrap();
    loaded.append_evaluation(&rsa_evaluation()).unwrap();
    loaded.save().unwrap();
    let saved = read(&path);
    assert_eq!(saved, format!("{text}{RSA_ENTRY}"));
    assert!(matches!(
        RecordFile::create(&path, &text),
        Err(RecordError::AlreadyExists { .. })
    ));
    assert_eq!(read(&path), saved);
    assert_eq!(files_in(dir.path()), ["soup-register.toml"]);
}

#[test]
fn appending_an_evaluation_adds_only_its_text() {
    let (dir, path) = copy_of("commented.toml");
    let original = read(&path);
    let mut file = RecordFile::load(&path).unwrap();
    assert!(file.is_canonical());
    file.append_evaluation(&rsa_evaluation()).unwrap();

    let at = original.find("\n[[release]]").unwrap();
    let expected = format!("{}{}{}", &original[..at], RSA_ENTRY, &original[at..]);
    assert_eq!(file.text(), expected);
    assert!(file.is_canonical());
    file.save().unwrap();
    assert_eq!(read(&path), expected);
    assert_eq!(files_in(dir.path()), ["soup-register.toml"]);

    let reloaded = RecordFile::load(&path).unwrap();
    assert_eq!(reloaded.record().evaluations.len(), 3);
    assert_eq!(reloaded.record().evaluations[2], rsa_evaluation());
    assert!(reloaded.record().evaluations[2].lacks_risk_control());
}

#[test]
fn canonicalising_sorts_and_keeps_comments() {
    let file = RecordFile::load(&fixture("shuffled.toml")).unwrap();
    assert!(!file.is_canonical());
    let canonical = file.canonical_text();
    assert_eq!(canonical, read(&fixture("shuffled.canonical.toml")));

    let again = RecordFile::parse(Path::new("again.toml"), &canonical).unwrap();
    assert!(again.is_canonical());
    let (mut before, after) = (file.record().clone(), again.record().clone());
    before.evaluations.sort_by_key(|e| e.date);
    assert_eq!(after, before);
}

#[test]
fn saving_a_shuffled_record_writes_it_canonical() {
    let (_dir, path) = copy_of("shuffled.toml");
    let mut file = RecordFile::load(&path).unwrap();
    file.save().unwrap();
    assert_eq!(read(&path), read(&fixture("shuffled.canonical.toml")));
}

#[test]
fn every_problem_is_reported_at_once_with_its_line() {
    let path = fixture("many-problems.toml");
    let Err(RecordError::Invalid { problems, .. }) = RecordFile::load(&path) else {
        panic!("many-problems.toml must be invalid");
    };
    let expected: &[(usize, &str)] = &[
        (
            3,
            "`D` is not a valid safety class; expected one of: A, B, C",
        ),
        (
            6,
            "unknown key `review_period_dayz` in [policy] (did you mean `review_period_days`?)",
        ),
        (
            11,
            "`tiny` is not a valid risk; expected one of: low, medium, high",
        ),
        (21, "hazardous = true needs the hazard IDs"),
        (
            22,
            "vex_status = \"not_affected\" needs a `vex_justification`",
        ),
        (24, "`rationale` must not be empty"),
        (28, "`sbom` must stay inside the record's directory"),
        (30, "`date` in [[release]] #1 must be a date"),
        (32, "release `1.3.0` is already listed on line 26"),
    ];
    let found: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for ((line, message), (want_line, want)) in found.iter().zip(expected) {
        assert_eq!(line, want_line, "{message}");
        assert!(
            message.contains(want),
            "line {line}: {message:?} should say {want:?}"
        );
    }
}

#[test]
fn an_unknown_key_names_the_file_and_line() {
    let error = RecordFile::load(&fixture("unknown-key.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("unknown-key.toml:4: unknown key `manufacterer` in [system] (did you mean `manufacturer`?)"),
        "{error}"
    );
}

#[test]
fn an_invalid_class_names_the_file_line_and_allowed_values() {
    let error = RecordFile::load(&fixture("invalid-class.toml"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("invalid-class.toml:5: "), "{error}");
    assert!(error.contains("expected one of: A, B, C"), "{error}");
}

#[test]
fn save_refuses_a_file_changed_on_disk() {
    let (dir, path) = copy_of("commented.toml");
    let mut file = RecordFile::load(&path).unwrap();
    file.append_evaluation(&rsa_evaluation()).unwrap();
    let edited_meanwhile = format!("{}# a colleague's note\n", read(&path));
    fs::write(&path, &edited_meanwhile).unwrap();

    assert!(matches!(
        file.save(),
        Err(RecordError::ChangedOnDisk { .. })
    ));
    assert_eq!(fs::read(&path).unwrap(), edited_meanwhile.as_bytes());
    assert_eq!(files_in(dir.path()), ["soup-register.toml"]);
}

#[cfg(unix)]
#[test]
fn save_into_a_read_only_directory_leaves_the_file_as_it_was() {
    use std::os::unix::fs::PermissionsExt as _;
    let (dir, path) = copy_of("commented.toml");
    let before = fs::read(&path).unwrap();
    let mut file = RecordFile::load(&path).unwrap();
    file.append_evaluation(&rsa_evaluation()).unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(dir.path().join("probe"), "").is_ok() {
        // Running with privileges that ignore directory permissions: nothing to prove here.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let result = file.save();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        matches!(result, Err(RecordError::Write { .. })),
        "{result:?}"
    );
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(files_in(dir.path()), ["soup-register.toml"]);
}

#[test]
fn a_record_removed_since_loading_is_not_recreated() {
    let (dir, path) = copy_of("commented.toml");
    let mut file = RecordFile::load(&path).unwrap();
    file.append_evaluation(&rsa_evaluation()).unwrap();
    fs::remove_file(&path).unwrap();
    assert!(matches!(
        file.save(),
        Err(RecordError::ChangedOnDisk { .. })
    ));
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_newer_evaluation_supersedes_and_both_stay() {
    let file = RecordFile::load(&fixture("commented.toml")).unwrap();
    let record = file.record();
    let by_alias = ["CVE-2024-12224".to_string()];
    let current = record
        .current_evaluation(&by_alias, "pkg:cargo/idna@0.5.0")
        .unwrap();
    assert_eq!(current.date, date!(2026 - 02 - 03));
    assert_eq!(current.vex_status, VexStatus::NotAffected);
    assert_eq!(
        current.vex_justification,
        Some(VexJustification::VulnerableCodeNotInExecutePath)
    );
    assert!(current.rationale.starts_with("Host names come only"));
    assert!(
        record
            .current_evaluation(&by_alias, "pkg:cargo/idna@1.0.0")
            .is_none()
    );
    assert_eq!(file.text().matches("[[evaluation]]").count(), 2);
    let history = record.evaluations_for(&["RUSTSEC-2024-0421".to_string()], "pkg:cargo/idna");
    let dates: Vec<_> = history.iter().map(|e| e.date).collect();
    assert_eq!(dates, [date!(2026 - 01 - 10), date!(2026 - 02 - 03)]);
}

#[test]
fn specifications_are_found_directly_or_through_covers() {
    let file = RecordFile::load(&fixture("commented.toml")).unwrap();
    let record = file.record();
    let (key, _) = record
        .specification_for(
            "idna_adapter",
            Purl::parse("pkg:cargo/idna_adapter@1.2.0").ok().as_ref(),
        )
        .unwrap();
    assert_eq!(key, "idna");
    let (key, spec) = record
        .specification_for(
            "lodash",
            Purl::parse("pkg:npm/lodash@4.17.21").ok().as_ref(),
        )
        .unwrap();
    assert_eq!(key, "pkg:npm/lodash");
    assert_eq!(spec.needs, "A browser with ES2015");
    assert!(
        record
            .specification_for(
                "lodash",
                Purl::parse("pkg:cargo/lodash@1.0.0").ok().as_ref()
            )
            .is_none()
    );
    assert!(!record.sources.osv.enabled);
}

#[test]
fn invalid_entries_are_refused_and_change_nothing() {
    let mut file = RecordFile::load(&fixture("commented.toml")).unwrap();
    let before = file.text();
    let mut evaluation = rsa_evaluation();
    evaluation.vex_status = VexStatus::NotAffected;
    evaluation.rationale = String::new();
    let error = file.append_evaluation(&evaluation).unwrap_err().to_string();
    assert!(error.contains("needs a `vex_justification`"), "{error}");
    assert!(error.contains("`rationale` must not be empty"), "{error}");
    let release = Release {
        version: "1.3.0".into(),
        sbom: "releases/1.3.0.cdx.json".into(),
        sha256: "32c93f3b958dd17e286bc54ffe8b2260f3dced9c2b25b7fdd4058b6c82974162".into(),
        date: date!(2026 - 03 - 01),
        retired: false,
    };
    assert!(matches!(
        file.add_release(&release),
        Err(RecordError::ReleaseExists { .. })
    ));
    assert!(matches!(
        file.set_retired("9.9.9", true),
        Err(RecordError::UnknownRelease { .. })
    ));
    let escaping = Release {
        version: "1.4.0".into(),
        sbom: "../1.4.0.cdx.json".into(),
        ..release
    };
    assert!(matches!(
        file.add_release(&escaping),
        Err(RecordError::InvalidEntry { .. })
    ));
    assert_eq!(file.text(), before);
    assert_eq!(file.record().evaluations.len(), 2);
}

#[test]
fn retiring_a_release_keeps_its_comment() {
    let mut file = RecordFile::load(&fixture("commented.toml")).unwrap();
    let before = file.text();
    file.set_retired("1.3.0", true).unwrap();
    assert_eq!(
        file.text(),
        before.replacen("retired = false ", "retired = true ", 1)
    );
    assert!(file.record().release("1.3.0").unwrap().retired);
}

#[test]
fn no_prefix_of_a_record_panics() {
    let text = read(&fixture("commented.toml"));
    let mut valid = 0;
    for end in (0..=text.len()).filter(|&end| text.is_char_boundary(end)) {
        if let Ok(file) = RecordFile::parse(Path::new("prefix.toml"), &text[..end]) {
            valid += 1;
            let canonical = file.canonical_text();
            let again = RecordFile::parse(Path::new("prefix.toml"), &canonical).unwrap();
            assert!(again.is_canonical(), "{canonical}");
        }
    }
    assert!(valid > 0, "the whole record is valid");
    for garbage in [
        "\u{0}",
        "[[system]]",
        "system = 1",
        "[soup]\nx = 1",
        "[[evaluation]]\ndate = 1979-05-27T07:32:00Z",
    ] {
        assert!(
            RecordFile::parse(Path::new("garbage.toml"), garbage).is_err(),
            "{garbage:?}"
        );
    }
}

/// An unsigned approval of the current idna evaluation in `commented.toml`.
fn idna_approval(record: &cargo_soup::record::Record) -> Approval {
    let evaluation = &record.evaluations[1];
    Approval {
        advisory: Some(evaluation.advisory.clone()),
        purl: Some(evaluation.purl.clone()),
        release: None,
        digest: evaluation.digest(),
        parts: vec![],
        by: "Max Mustermann <max@example.com>".into(),
        at: "2026-02-12T09:30:00Z".into(),
        meaning: Meaning::Reviewed,
        key: None,
        signature: None,
    }
}

#[test]
fn approvals_are_appended_kept_in_order_and_survive_fmt() {
    let (_dir, path) = copy_of("commented.toml");
    let original = read(&path);
    let mut file = RecordFile::load(&path).unwrap();
    let approval = idna_approval(file.record());
    file.append_approval(&approval).unwrap();
    let entry = format!(
        "\n[[approval]]\nadvisory = \"RUSTSEC-2024-0421\"\npurl = \"pkg:cargo/idna@0.5.0\"\ndigest = \"{}\"\nby = \"Max Mustermann <max@example.com>\"\nat = \"2026-02-12T09:30:00Z\"\nmeaning = \"reviewed\"\n",
        approval.digest
    );
    let expected = original.replace("# end of record\n", &format!("{entry}# end of record\n"));
    assert_eq!(file.text(), expected);
    assert!(file.is_canonical());
    file.save().unwrap();

    // A comment and shuffled keys: fmt sorts the keys, keeps the comment and the approvals' order.
    let mut later = approval.clone();
    later.meaning = Meaning::Approved;
    let hand = format!(
        "{}\n# second look\n[[approval]]\nmeaning = \"approved\"\nby = \"Max Mustermann <max@example.com>\"\nat = \"2026-02-12T09:30:00Z\"\ndigest = \"{}\"\nadvisory = \"RUSTSEC-2024-0421\"\npurl = \"pkg:cargo/idna@0.5.0\"\n",
        read(&path),
        approval.digest
    );
    let file = RecordFile::parse(&path, &hand).unwrap();
    assert!(!file.is_canonical());
    let canonical = file.canonical_text();
    assert!(canonical.ends_with(&format!(
        "\n# second look\n{}",
        entry.trim_start().replace("reviewed", "approved")
    )));
    let again = RecordFile::parse(&path, &canonical).unwrap();
    assert!(again.is_canonical());
    assert_eq!(again.record().approvals, [approval, later]);
    assert_eq!(
        again.record().evaluations[1].digest(),
        again.record().approvals[0].digest
    );
}

#[test]
fn approval_entries_and_policy_keys_are_validated() {
    let text = format!(
        "{}\n[policy]\napprovals_required = -1\nsignatures = \"sometimes\"\nsigners = \"../signers\"\n\n[[approval]]\nadvisory = \"RUSTSEC-2024-0421\"\nrelease = \"1.0\"\ndigest = \"sha256:abc\"\nby = \"Max\"\nat = \"yesterday\"\nmeaning = \"approved\"\nkey = \"SHA256:x\"\nsigner = \"Max\"\n",
        "[system]\nname = \"pump\"\nclass = \"C\""
    );
    let Err(RecordError::Invalid { problems, .. }) =
        RecordFile::parse(Path::new("soup-register.toml"), &text)
    else {
        panic!("the approval must be invalid");
    };
    let found: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                5,
                "`approvals_required` in [policy] must be a whole number, 0 or more"
            ),
            (
                6,
                "`signatures` in [policy]: `sometimes` is not a valid signature policy; expected one of: required, optional"
            ),
            (
                7,
                "[policy]: `signers` must stay inside the record's directory (it leaves it through `..`)"
            ),
            (
                11,
                "[[approval]] #1: an approval is of a release or of an evaluation: `release` goes without `advisory` and `purl`"
            ),
            (
                11,
                "[[approval]] #1: a release approval lists the `parts` its digest covers"
            ),
            (
                12,
                "[[approval]] #1: `digest` must be `sha256:` and 64 hex digits"
            ),
            (
                14,
                "[[approval]] #1: `at` must be an RFC 3339 date and time such as \"2026-11-25T14:30:00Z\""
            ),
            (
                16,
                "[[approval]] #1: `signature` and `key` go together: the signature and the fingerprint of the key that made it"
            ),
            (17, "unknown key `signer` in [[approval]] #1"),
        ]
    );
}
