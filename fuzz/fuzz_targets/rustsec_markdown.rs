//! `rustsec::parse_markdown` on arbitrary text: an error is fine, a panic is not.
#![no_main]

use std::path::Path;

use cargo_soup::advisory::rustsec::parse_markdown;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_markdown(Path::new("crates/fuzz/RUSTSEC-0000-0000.md"), text);
    }
});
