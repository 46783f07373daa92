//! Hostile and broken input through the binary: every case in
//! `tests/fixtures/bad/` fails with exit code 2 (never a panic's 101 or a
//! signal), names the file, and changes nothing on disk: the record, the
//! register and the advisory store are byte for byte what they were, and both
//! databases pass `PRAGMA integrity_check`.

use std::path::{Path, PathBuf};

use super::support::scene::Scene;
use super::support::{fixture, zip_of};

/// How a bad input reaches the tool.
#[derive(Debug, Clone, Copy)]
enum Via {
    /// `list --offline --lockfile FILE`.
    Lockfile,
    /// `list --offline --sbom FILE`.
    Sbom,
    /// `fetch --from FILE-OR-DIR`.
    Mirror,
    /// Put in place as the project's `soup-register.toml`, then `audit`.
    Record,
}

/// Every case: its file (or directory) under `tests/fixtures/bad/`, and how it is fed.
const CASES: &[(&str, Via)] = &[
    // Cargo.lock
    ("truncated.Cargo.lock", Via::Lockfile),
    ("not-toml.Cargo.lock", Via::Lockfile),
    ("version-is-a-string.Cargo.lock", Via::Lockfile),
    ("package-is-a-string.Cargo.lock", Via::Lockfile),
    ("dependencies-is-a-number.Cargo.lock", Via::Lockfile),
    ("unknown-version.Cargo.lock", Via::Lockfile),
    ("missing-name.Cargo.lock", Via::Lockfile),
    ("missing-version.Cargo.lock", Via::Lockfile),
    ("dependency-to-missing-package.Cargo.lock", Via::Lockfile),
    ("ambiguous-dependency.Cargo.lock", Via::Lockfile),
    ("duplicate-key.Cargo.lock", Via::Lockfile),
    ("huge-number.Cargo.lock", Via::Lockfile),
    ("nul-bytes.Cargo.lock", Via::Lockfile),
    ("invalid-utf8.Cargo.lock", Via::Lockfile),
    ("deep-nesting.Cargo.lock", Via::Lockfile),
    // Other ecosystems' lockfiles
    ("truncated.package-lock.json", Via::Lockfile),
    ("manifest.package-lock.json", Via::Lockfile),
    ("cyclonedx.package-lock.json", Via::Lockfile),
    ("unknown-version.package-lock.json", Via::Lockfile),
    ("hostile-name.package-lock.json", Via::Lockfile),
    ("truncated.yarn.lock", Via::Lockfile),
    ("hostile-name.yarn.lock", Via::Lockfile),
    ("truncated.berry.yarn.lock", Via::Lockfile),
    ("spdx.yarn.lock", Via::Lockfile),
    ("truncated.pnpm-lock.yaml", Via::Lockfile),
    ("unknown-version.pnpm-lock.yaml", Via::Lockfile),
    ("deep-nesting.pnpm-lock.yaml", Via::Lockfile),
    ("billion-laughs.yarn.lock", Via::Lockfile),
    ("hostile-name.pnpm-lock.yaml", Via::Lockfile),
    ("truncated.uv.lock", Via::Lockfile),
    ("unknown-version.uv.lock", Via::Lockfile),
    ("hostile-name.uv.lock", Via::Lockfile),
    ("truncated.poetry.lock", Via::Lockfile),
    ("hostile-name.poetry.lock", Via::Lockfile),
    ("truncated.Pipfile.lock", Via::Lockfile),
    ("hostile-name.Pipfile.lock", Via::Lockfile),
    ("unpinned.requirements.txt", Via::Lockfile),
    ("missing-include.requirements.txt", Via::Lockfile),
    ("hostile-name.requirements.txt", Via::Lockfile),
    ("truncated.go.mod", Via::Lockfile),
    ("hostile-name.go.mod", Via::Lockfile),
    // CycloneDX JSON
    ("unknown-spec-1.1.cdx.json", Via::Sbom),
    ("truncated.cdx.json", Via::Sbom),
    ("components-is-a-string.cdx.json", Via::Sbom),
    ("name-is-a-number.cdx.json", Via::Sbom),
    ("huge-number.cdx.json", Via::Sbom),
    ("not-json.cdx.json", Via::Sbom),
    ("nul-bytes.cdx.json", Via::Sbom),
    ("wrong-bom-format.cdx.json", Via::Sbom),
    ("array.cdx.json", Via::Sbom),
    ("deep-nesting.cdx.json", Via::Sbom),
    ("invalid-purl.cdx.json", Via::Sbom),
    // CycloneDX XML
    ("external-entity.cdx.xml", Via::Sbom),
    ("billion-laughs.cdx.xml", Via::Sbom),
    ("truncated.cdx.xml", Via::Sbom),
    ("unknown-spec-1.1.cdx.xml", Via::Sbom),
    ("deep-nesting.cdx.xml", Via::Sbom),
    ("not-xml.cdx.xml", Via::Sbom),
    ("wrong-root.cdx.xml", Via::Sbom),
    ("version-is-text.cdx.xml", Via::Sbom),
    // SPDX
    ("not-spdx.spdx.json", Via::Sbom),
    ("truncated.spdx.json", Via::Sbom),
    ("version-3.0.spdx.json", Via::Sbom),
    ("version-1.2.spdx.json", Via::Sbom),
    ("version-is-a-number.spdx.json", Via::Sbom),
    ("packages-is-an-object.spdx.json", Via::Sbom),
    ("invalid-purl.spdx.json", Via::Sbom),
    // Advisory archives and mirrors
    ("truncated.zip", Via::Mirror),
    ("not-a-zip.zip", Via::Mirror),
    ("parent-dir-entry.zip", Via::Mirror),
    ("absolute-entry.zip", Via::Mirror),
    ("zip-bomb.zip", Via::Mirror),
    ("empty.zip", Via::Mirror),
    ("no-records.zip", Via::Mirror),
    ("record-is-an-array.mirror", Via::Mirror),
    ("event-is-a-number.mirror", Via::Mirror),
    ("event-with-two-keys.mirror", Via::Mirror),
    ("unknown-event.mirror", Via::Mirror),
    ("record-without-id.mirror", Via::Mirror),
    ("truncated-record.mirror", Via::Mirror),
    // RustSec markdown mirrors
    ("no-front-matter.rustsec", Via::Mirror),
    ("bad-toml.rustsec", Via::Mirror),
    ("bad-date.rustsec", Via::Mirror),
    // soup-register.toml
    ("unknown-key.soup-register.toml", Via::Record),
    ("invalid-class.soup-register.toml", Via::Record),
    ("class-is-a-number.soup-register.toml", Via::Record),
    ("bad-date.soup-register.toml", Via::Record),
    ("date-is-a-string.soup-register.toml", Via::Record),
    ("hazardous-without-hazards.soup-register.toml", Via::Record),
    ("duplicate-release.soup-register.toml", Via::Record),
    ("duplicate-table.soup-register.toml", Via::Record),
    (
        "evaluation-without-advisory.soup-register.toml",
        Via::Record,
    ),
    ("no-system.soup-register.toml", Via::Record),
    ("truncated.soup-register.toml", Via::Record),
    ("not-toml.soup-register.toml", Via::Record),
    ("binary.soup-register.toml", Via::Record),
    ("invalid-utf8.soup-register.toml", Via::Record),
    ("deep-nesting.soup-register.toml", Via::Record),
];

/// The arguments that feed `input` to the tool `via` the given route.
fn arguments(via: Via, input: &str) -> Vec<&str> {
    match via {
        Via::Lockfile => vec!["list", "--offline", "--lockfile", input],
        Via::Sbom => vec!["list", "--offline", "--sbom", input],
        Via::Mirror => vec!["fetch", "--from", input],
        Via::Record => vec!["audit", "--offline", "--allow-stale"],
    }
}

#[test]
fn every_bad_input_fails_with_exit_2_naming_the_file_and_changes_nothing() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let scene = Scene::new();
    let good_record = std::fs::read(scene.record()).unwrap();
    let mut failures = Vec::new();
    for &(name, via) in CASES {
        let path = fixture(&format!("bad/{name}"));
        assert!(path.exists(), "missing fixture {}", path.display());
        let named = match via {
            Via::Record => {
                std::fs::copy(&path, scene.record()).unwrap();
                "soup-register.toml"
            }
            _ => name,
        };
        let before = scene.state();
        let run = scene.run(&arguments(via, path.to_str().unwrap()));
        if run.code() != 2 || !run.stderr().contains(named) {
            failures.push(format!(
                "{name}: exit {} (want 2), stderr:\n{}",
                run.code(),
                run.stderr()
            ));
        }
        assert!(
            scene.state() == before,
            "{name}: the record, register or store changed"
        );
        scene.assert_intact();
        std::fs::write(scene.record(), &good_record).unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A fresh CI clone: the record is committed, the register is not. An audit
/// of a bad lockfile there must not leave a register behind either.
#[test]
fn a_bad_lockfile_on_a_fresh_clone_leaves_no_register() {
    let scene = Scene::new();
    std::fs::remove_dir_all(scene.project.path(".soup")).unwrap();
    for name in [
        "truncated.Cargo.lock",
        "dependency-to-missing-package.Cargo.lock",
    ] {
        let path = fixture(&format!("bad/{name}"));
        let run = scene.run(&[
            "audit",
            "--offline",
            "--allow-stale",
            "--lockfile",
            path.to_str().unwrap(),
        ]);
        assert_eq!(run.code(), 2, "{name}: {}", run.stderr());
        assert!(run.stderr().contains(name), "{name}: {}", run.stderr());
        assert!(
            !scene.project.path(".soup").exists(),
            "{name}: the audit created the register"
        );
    }
    // A good one on the same clone creates it, with the audit's pins.
    let run = scene.run(&[
        "audit",
        "--offline",
        "--allow-stale",
        "--no-prompt",
        "--lockfile",
        "Cargo.lock",
    ]);
    assert!(run.code() < 2, "{}", run.stderr());
    scene.assert_intact();
    let pins: i64 = rusqlite::Connection::open(scene.register())
        .unwrap()
        .query_row("SELECT count(*) FROM pin WHERE present = 1", [], |row| {
            row.get(0)
        })
        .unwrap();
    let listed = scene
        .run(&[
            "list",
            "--offline",
            "--lockfile",
            "Cargo.lock",
            "--format",
            "json",
        ])
        .expect(0)
        .json();
    assert_eq!(
        pins as usize,
        listed["components"].as_array().unwrap().len()
    );
}

#[test]
fn hostile_names_in_lockfiles_are_refused_without_control_sequences() {
    let scene = Scene::new();
    let hostile = CASES
        .iter()
        .filter(|(name, _)| name.starts_with("hostile-name."));
    for &(name, via) in hostile {
        let path = fixture(&format!("bad/{name}"));
        let run = scene.run(&arguments(via, path.to_str().unwrap())).expect(2);
        assert_no_terminal_controls(name, &run.stderr());
        assert_no_terminal_controls(name, &run.stdout());
    }
}

#[test]
fn the_bad_fixtures_are_all_in_the_table() {
    let listed: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
    for entry in std::fs::read_dir(fixture("bad")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            name == "README.md" || listed.contains(&name.as_str()),
            "{name} is in tests/fixtures/bad/ but not in CASES"
        );
    }
}

#[test]
fn malformed_records_among_good_ones_are_skipped_and_named() {
    let scene = Scene::new();
    let mirror = tempfile::tempdir().unwrap();
    let good = zip_entry(
        &fixture("advisories/rustsec-osv-2026-08-21.zip"),
        "crates/RUSTSEC-2024-0421.json",
    );
    std::fs::write(mirror.path().join("RUSTSEC-2024-0421.json"), good).unwrap();
    let bad = [
        "record-is-an-array",
        "event-is-a-number",
        "unknown-event",
        "truncated-record",
    ];
    for case in bad {
        let record = fixture(&format!("bad/{case}.mirror/RUSTSEC-2024-0421.json"));
        std::fs::copy(record, mirror.path().join(format!("{case}.json"))).unwrap();
    }
    let record_before = std::fs::read(scene.record()).unwrap();
    let run = scene
        .run(&[
            "fetch",
            "--replace",
            "--from",
            mirror.path().to_str().unwrap(),
        ])
        .expect(0);
    assert!(
        run.stderr().contains("loaded 1 records"),
        "{}",
        run.stderr()
    );
    for case in bad {
        assert!(
            run.stderr()
                .contains(&format!("warning: skipped {case}.json")),
            "{case} not named:\n{}",
            run.stderr()
        );
    }
    assert_eq!(std::fs::read(scene.record()).unwrap(), record_before);
    scene.assert_intact();
}

#[test]
fn a_mirror_that_fails_half_way_changes_nothing() {
    let scene = Scene::new();
    // Every record of the real export (more than SQLite keeps in memory, so
    // the load writes to the log before it fails), then one that is damaged.
    let export = std::fs::File::open(fixture("advisories/rustsec-osv-2026-08-21.zip")).unwrap();
    let mut export = zip::ZipArchive::new(export).unwrap();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..export.len() {
        writer
            .raw_copy_file(export.by_index(index).unwrap())
            .unwrap();
    }
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer
        .start_file("crates/RUSTSEC-9999-0001.json", stored)
        .unwrap();
    std::io::Write::write_all(&mut writer, br#"{"id": "RUSTSEC-9999-0001"}"#).unwrap();
    let mut zip = writer.finish().unwrap().into_inner();
    let at = zip.windows(9).position(|w| w == b"9999-0001").unwrap();
    let at = at
        + zip[at..]
            .windows(9)
            .skip(1)
            .position(|w| w == b"9999-0001")
            .unwrap()
        + 1;
    zip[at] = b'8'; // the stored record's bytes, not its names: its checksum fails
    let mirror = tempfile::tempdir().unwrap();
    let path = mirror.path().join("damaged.zip");
    std::fs::write(&path, &zip).unwrap();

    // The load spills pages of its transaction into the log before it fails;
    // they follow the last commit and are never read. So the database file is
    // compared byte for byte, and what it holds through SQLite.
    let files = |scene: &Scene| {
        let mut state = scene.state();
        state.retain(|(path, _)| !path.to_string_lossy().ends_with("-wal"));
        state
    };
    let (files_before, held_before) = (files(&scene), scene.store_content());
    let run = scene.run(&["fetch", "--from", path.to_str().unwrap()]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stderr().contains("damaged.zip") && run.stderr().contains("RUSTSEC-9999-0001"),
        "{}",
        run.stderr()
    );
    assert!(files(&scene) == files_before, "the store's file changed");
    assert_eq!(scene.store_content(), held_before);
    scene.assert_intact();
}

/// One entry of a zip file, read with the `zip` crate.
pub fn zip_entry(zip: &Path, name: &str) -> Vec<u8> {
    use std::io::Read;
    let file = std::fs::File::open(zip).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut bytes = Vec::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

/// Bytes that must never reach a terminal from outside data: ESC (and with
/// it every ANSI and OSC 8 sequence), BEL, backspace, carriage return, and
/// the C1 control-sequence introducer.
fn assert_no_terminal_controls(what: &str, text: &str) {
    for (c, name) in [
        ('\u{1b}', "ESC"),
        ('\u{7}', "BEL"),
        ('\u{8}', "backspace"),
        ('\r', "CR"),
        ('\u{9b}', "CSI"),
    ] {
        assert!(!text.contains(c), "{what} contains {name}:\n{text:?}");
    }
}

/// Colours, an OSC 8 link, backspaces, a carriage return, a bell, a C1 CSI.
const HOSTILE: &str = "\u{1b}[31mred\u{1b}[0m \u{1b}]8;;https://evil.example/\u{7}click here\u{1b}]8;;\u{7} \
    back\u{8}\u{8}\u{8}\u{8}space\rcarriage\u{7}bell \u{9b}31m c1 \u{1b}[2J\u{1b}c";

/// A zip of one OSV record: a made-up RustSec advisory against the pump's
/// unicode-bidi 0.3.14 whose text is all terminal control sequences.
fn hostile_mirror(dir: &Path) -> PathBuf {
    let record = serde_json::json!({
        "schema_version": "1.6.0",
        "id": "RUSTSEC-2099-0001",
        "modified": "2026-08-01T00:00:00Z",
        "published": "2026-08-01T00:00:00Z",
        "aliases": [format!("CVE-2099-\u{1b}[31m0001")],
        "summary": HOSTILE,
        "details": format!("Details: {HOSTILE}\n{HOSTILE}"),
        "affected": [{
            "package": {"ecosystem": "crates.io", "name": "unicode-bidi", "purl": "pkg:cargo/unicode-bidi"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.3.15"}]}]
        }],
        "references": [{"type": "ADVISORY", "url": format!("https://example.com/{HOSTILE}")}]
    });
    let path = dir.join("hostile.zip");
    let zip = zip_of(&[("crates/RUSTSEC-2099-0001.json", record.to_string())]);
    std::fs::write(&path, zip).unwrap();
    path
}

#[test]
fn advisory_text_reaches_the_terminal_without_control_sequences() {
    let scene = Scene::new();
    let dir = tempfile::tempdir().unwrap();
    let mirror = hostile_mirror(dir.path());
    let fetch = scene
        .run(&["fetch", "--replace", "--from", mirror.to_str().unwrap()])
        .expect(0);
    assert_no_terminal_controls("fetch stdout", &fetch.stdout());
    for args in [
        &["audit", "--offline", "--allow-stale"][..],
        &["audit", "--offline", "--allow-stale", "-v"],
        &["audit", "--offline", "--allow-stale", "--color", "never"],
        &["reevaluate", "--offline", "--allow-stale"],
    ] {
        let run = scene.run(args);
        assert!(matches!(run.code(), 1 | 2), "{args:?}: {}", run.stderr());
        assert_no_terminal_controls(&format!("{args:?} stdout"), &run.stdout());
        assert_no_terminal_controls(&format!("{args:?} stderr"), &run.stderr());
    }
    let audit = scene
        .run(&["audit", "--offline", "--allow-stale"])
        .expect(1);
    let stdout = audit.stdout();
    assert!(stdout.contains("RUSTSEC-2099-0001"), "{stdout}");
    // The readable text survives; the link's target does not.
    assert!(stdout.contains("click here"), "{stdout}");
    assert!(!stdout.contains("evil.example"), "{stdout}");
}

#[test]
fn package_names_from_an_sbom_reach_the_terminal_without_control_sequences() {
    let scene = Scene::new();
    let dir = tempfile::tempdir().unwrap();
    let sbom = dir.path().join("hostile.cdx.json");
    let bom = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [
            {"type": "library", "name": format!("evil{HOSTILE}"), "version": "1.0\u{1b}[31m",
             "supplier": {"name": "ACME\u{1b}[5m"}},
            {"type": "library", "name": "left", "version": "1.0.0", "purl": "pkg:npm/left%1B%5B31m@1.0.0"}
        ]
    });
    std::fs::write(&sbom, bom.to_string()).unwrap();
    let sbom = sbom.to_str().unwrap();
    for args in [
        &["list", "--offline", "--sbom", sbom][..],
        &["audit", "--offline", "--allow-stale", "--sbom", sbom],
    ] {
        let run = scene.run(args);
        assert!(matches!(run.code(), 0 | 1), "{args:?}: {}", run.stderr());
        assert_no_terminal_controls(&format!("{args:?} stdout"), &run.stdout());
        assert_no_terminal_controls(&format!("{args:?} stderr"), &run.stderr());
    }
}

#[test]
fn an_sbom_purl_that_does_not_parse_is_refused_naming_the_component_and_the_purl() {
    let scene = Scene::new();
    for (name, component, purl) in [
        ("invalid-purl.cdx.json", "evil 1.0.0", "pkg:/evil@1.0.0"),
        ("invalid-purl.spdx.json", "idna 0.5.0", "`pkg:cargo`"),
    ] {
        let sbom = fixture(&format!("bad/{name}"));
        let run = scene
            .run(&["list", "--offline", "--sbom", sbom.to_str().unwrap()])
            .expect(2);
        let stderr = run.stderr();
        assert!(
            stderr.contains(name) && stderr.contains(component) && stderr.contains(purl),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("is invalid"), "{name}: {stderr}");
        assert_no_terminal_controls(name, &stderr);
        assert!(run.stdout().is_empty(), "{name}: nothing is listed");
    }
}

#[test]
fn an_external_entity_is_never_resolved() {
    let scene = Scene::new();
    let sbom = fixture("bad/external-entity.cdx.xml");
    let run = scene
        .run(&["list", "--offline", "--sbom", sbom.to_str().unwrap()])
        .expect(2);
    assert!(
        run.stderr().contains("document type declaration"),
        "{}",
        run.stderr()
    );
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    if let Some(first) = passwd.lines().next() {
        assert!(!run.stdout().contains(first) && !run.stderr().contains(first));
    }
}

#[test]
fn a_plain_http_source_is_fetched_only_with_allow_http() {
    use super::support::server::{Reply, Server};
    let scene = Scene::new();
    let zip = std::fs::read(fixture("advisories/rustsec-osv-2026-08-21.zip")).unwrap();
    let server = Server::start([("/osv.zip", Reply::body(&zip))]);
    let record = std::fs::read_to_string(scene.record()).unwrap();
    let osv_enabled = "[sources.osv]\nurl = \"https://osv-vulnerabilities.storage.googleapis.com\"\nenabled = true";
    assert!(record.contains(osv_enabled), "{record}");
    let record = record
        .replace(
            "https://github.com/rustsec/advisory-db/archive/refs/heads/osv.zip",
            &server.url("/osv.zip"),
        )
        .replace(osv_enabled, &osv_enabled.replace("true", "false"));
    std::fs::write(scene.record(), &record).unwrap();

    let refused = scene.run(&["fetch", "--lockfile", "Cargo.lock"]).expect(2);
    assert!(
        refused.stderr().contains("--allow-http"),
        "{}",
        refused.stderr()
    );
    assert!(
        refused.stderr().contains(&server.url("/osv.zip")),
        "{}",
        refused.stderr()
    );
    assert!(server.requests().is_empty(), "a request was sent");

    scene
        .run(&["fetch", "--lockfile", "Cargo.lock", "--allow-http"])
        .expect(0);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(std::fs::read_to_string(scene.record()).unwrap(), record);
    scene.assert_intact();
}

#[test]
fn a_wholly_bad_mirror_says_what_is_wrong_with_its_record() {
    let scene = Scene::new();
    for (case, reason) in [
        ("unknown-event.mirror", "unknown variant `broken`"),
        ("record-without-id.mirror", "missing field `id`"),
        ("bad-date.rustsec", "2024-13-45"),
        ("no-front-matter.rustsec", "front matter"),
    ] {
        let mirror = fixture(&format!("bad/{case}"));
        let run = scene
            .run(&["fetch", "--from", mirror.to_str().unwrap()])
            .expect(2);
        assert!(
            run.stderr().contains("the previous data was kept"),
            "{}",
            run.stderr()
        );
        assert!(run.stderr().contains(reason), "{case}: {}", run.stderr());
    }
}

/// An SBOM or an npm lockfile passed where a `Cargo.lock` is expected is named
/// for what it is, with the option that reads it, not a TOML error at line 1.
#[test]
fn the_wrong_kind_of_input_for_a_lockfile_gets_a_hint() {
    let scene = Scene::new();
    let cases = [
        // (an npm package-lock.json is a lockfile now: ecosystems.rs reads it)
        ("sboms/python-venv.cdx-1.6.json", "a CycloneDX SBOM"),
        ("sboms/npm-lock-flat.cdx-1.5.xml", "a CycloneDX SBOM"),
        ("sboms/npm-sbom.spdx-2.3.json", "an SPDX SBOM"),
    ];
    for (file, looks_like) in cases {
        let path = fixture(file);
        let before = scene.state();
        let run = scene
            .run(&arguments(Via::Lockfile, path.to_str().unwrap()))
            .expect(2);
        let stderr = run.stderr();
        assert!(
            stderr.contains(&format!("this looks like {looks_like}")),
            "{file}: {stderr}"
        );
        assert!(stderr.contains("--sbom"), "{file}: {stderr}");
        assert!(
            stderr.contains(file.rsplit('/').next().unwrap()),
            "{stderr}"
        );
        assert!(!stderr.contains("line 1"), "{file}: {stderr}");
        assert_eq!(scene.state(), before);
    }
}
