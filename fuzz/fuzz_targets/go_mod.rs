//! `inventory::parse_go_mod` on arbitrary bytes: an error is fine, a panic is not. No `go.sum` sits beside the path, so only `go.mod` is parsed.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cargo_soup::inventory::parse_go_mod(Path::new("fuzz-input-dir/go.mod"), data);
});
