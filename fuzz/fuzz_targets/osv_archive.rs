//! `archive::read_zip` on arbitrary bytes, then `source::read_record` on
//! each entry it returns: a hostile zip is refused or read within the limits,
//! never a panic or an unbounded allocation.
#![no_main]

use std::io::Cursor;

use cargo_soup::advisory::archive::{Limits, read_zip};
use cargo_soup::advisory::source::{Parse, read_record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small limits, so the fuzzer reaches them instead of running out of memory.
    let limits = Limits {
        max_entries: 1_000,
        max_entry_bytes: 1024 * 1024,
        max_total_bytes: 8 * 1024 * 1024,
    };
    if let Ok(entries) = read_zip(Cursor::new(data), "fuzz-input.zip", &limits) {
        for entry in entries.flatten() {
            let _ = read_record(&entry.name, entry.bytes, Parse::Full);
        }
    }
});
