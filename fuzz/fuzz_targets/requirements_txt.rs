//! `inventory::parse_requirements` on arbitrary bytes: an error is fine, a panic is not. `-r` includes resolve against a directory that does not exist.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cargo_soup::inventory::parse_requirements(Path::new("fuzz-input-dir/requirements.txt"), data);
});
