//! `inventory::parse_yarn_berry` on arbitrary bytes: an error is fine, a panic is not.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cargo_soup::inventory::parse_yarn_berry(Path::new("fuzz-input-dir/yarn.lock"), data);
});
