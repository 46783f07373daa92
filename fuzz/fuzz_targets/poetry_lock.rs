//! `inventory::parse_poetry_lock` on arbitrary bytes: an error is fine, a panic is not.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cargo_soup::inventory::parse_poetry_lock(Path::new("fuzz-input-dir/poetry.lock"), data);
});
