//! `RecordFile::parse` on arbitrary text; when it parses, its canonical text
//! must parse too (the tool writes that text back to the record), be
//! canonical, and be a fixed point of canonicalisation. (The records compare
//! equal only up to order: canonical order sorts the evaluations.)
#![no_main]

use std::path::Path;

use cargo_soup::record::RecordFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("soup-register.toml");
    let Ok(file) = RecordFile::parse(path, text) else {
        return;
    };
    let canonical = file.canonical_text();
    let again = match RecordFile::parse(path, &canonical) {
        Ok(again) => again,
        Err(e) => panic!("canonical text does not parse: {e}\n---\n{canonical}"),
    };
    assert!(again.is_canonical(), "canonical text is not canonical");
    assert_eq!(
        again.record().evaluations.len(),
        file.record().evaluations.len(),
        "canonical text lost an evaluation"
    );
    assert_eq!(
        again.record().releases.len(),
        file.record().releases.len(),
        "canonical text lost a release"
    );
    assert_eq!(
        again.record().soup,
        file.record().soup,
        "canonical text changed a specification"
    );
    assert_eq!(
        again.canonical_text(),
        canonical,
        "canonicalisation is not stable"
    );
});
