//! `inventory::parse_any_lockfile` on arbitrary bytes, under every file name
//! detection knows: an error is fine, a panic is not.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

/// File names that steer detection to each reader when content does not.
const NAMES: [&str; 9] = [
    "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "uv.lock", "poetry.lock",
    "Pipfile.lock", "requirements.txt", "go.mod", "Cargo.lock",
];

fuzz_target!(|data: &[u8]| {
    for name in NAMES {
        let path = Path::new("fuzz-input-dir").join(name);
        let _ = cargo_soup::inventory::parse_any_lockfile(&path, data, None);
    }
});
