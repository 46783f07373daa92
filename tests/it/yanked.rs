//! The support level a yanked version gives a SOUP item where the record says
//! nothing: read offline from a real cargo index cache
//! (`tests/fixtures/cargo-home`, written by cargo itself), in-process and
//! through the binary with `CARGO_HOME` pointing at it.
//!
//! The oracle, independent of the cache and of cargo-soup: crates.io's sparse
//! index file of hex (<https://index.crates.io/3/h/hex>), read on its own with
//! a JSON parser, lists 0.4.1 alone with `"yanked": true`; and cargo warns
//! "selected package `hex@0.4.1` was yanked by the author" when
//! `cargo update --precise 0.4.1` pins it.

use cargo_soup::record::SafetyClass;
use cargo_soup::report::model::{Report, Support, SupportLevel};

use super::support::fixture;
use super::support::memory::Memory;
use super::support::scene::Project;

const YANKED: &str = "projects/yanked-hex/Cargo.lock";
const CURRENT: &str = "projects/yanked-hex/hex-0.4.3.Cargo.lock";
const EVIDENCE: &str = "version 0.4.1 was yanked from crates.io (cargo's index cache)";

/// The report of `lockfile` in-process, learning yanks from the fixture cargo
/// home when `with_cargo_home`.
fn report_of(lockfile: &str, with_cargo_home: bool) -> Report {
    let mut m = Memory::new(lockfile, SafetyClass::B, "");
    if with_cargo_home {
        m.project.locations.cargo_home = Some(fixture("cargo-home"));
    }
    let input = m.input();
    m.working_tree_report(input)
}

fn hex_support(report: &Report) -> &Support {
    let hex = report.items.iter().find(|i| i.component.name == "hex");
    &hex.expect("hex is a SOUP item").support
}

#[test]
fn a_yanked_version_is_end_of_life_and_its_successor_stays_unknown() {
    let yanked = report_of(YANKED, true);
    let support = hex_support(&yanked);
    assert_eq!(support.level, SupportLevel::EndOfLife);
    assert_eq!(support.evidence, EVIDENCE);
    assert_eq!(support.end_of_support, "unknown");
    assert!(!support.recorded);

    // Not yanked is no news: 0.4.3 is as unknown as any other item.
    let current = report_of(CURRENT, true);
    let support = hex_support(&current);
    assert_eq!(support.level, SupportLevel::Unknown);
    assert!(!support.evidence.contains("yank"), "{}", support.evidence);
}

#[test]
fn without_a_cargo_home_no_yank_is_known() {
    let report = report_of(YANKED, false);
    assert_eq!(hex_support(&report).level, SupportLevel::Unknown);
}

#[test]
fn the_binary_reads_cargo_home_into_the_report_and_the_exports() {
    let project = Project::empty();
    std::fs::copy(fixture(YANKED), project.path("Cargo.lock")).unwrap();
    let home = fixture("cargo-home");
    let env = [("CARGO_HOME", home.to_str().unwrap())];
    let args = ["--lockfile", "Cargo.lock"];

    let json = project
        .run_with(
            &[&["report", "--format", "json", "--allow-stale"][..], &args].concat(),
            &env,
        )
        .expect(0)
        .json();
    let hex = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["component"]["name"] == "hex")
        .unwrap();
    assert_eq!(hex["support"]["level"], "end-of-life");
    assert_eq!(hex["support"]["evidence"], EVIDENCE);

    let markdown = project
        .run_with(&[&["report", "--allow-stale"][..], &args].concat(), &env)
        .expect(0)
        .stdout();
    assert!(
        markdown.contains(&format!("end-of-life ({EVIDENCE})")),
        "{markdown}"
    );

    let fda = project
        .run_with(
            &[
                &["report", "--format", "fda-csv", "--allow-stale"][..],
                &args,
            ]
            .concat(),
            &env,
        )
        .expect(0)
        .stdout();
    let row = fda.lines().find(|l| l.contains("hex")).unwrap();
    assert!(
        row.contains("end-of-life") && row.contains(EVIDENCE),
        "{row}"
    );

    let bom = project
        .run_with(
            &[&["export", "--format", "cyclonedx"][..], &args].concat(),
            &env,
        )
        .expect(0)
        .json();
    let hex = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "hex")
        .unwrap();
    let property = |name: &str| {
        hex["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].clone())
    };
    assert_eq!(
        property("cargo-soup:support-level"),
        Some("end-of-life".into())
    );
    assert_eq!(
        property("cargo-soup:support-evidence"),
        Some(EVIDENCE.into())
    );
}
