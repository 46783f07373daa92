//! What the integration tests share: the fixtures, one scene of the binary,
//! in-process projects on an in-memory register and store, schemas, archives
//! and local servers.

pub mod memory;
pub mod scene;
pub mod schemas;
pub mod server;

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;

/// A file or folder under `tests/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// The bytes of a file under `tests/fixtures/`.
pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    let path = fixture(relative);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A zip archive of `files`: (path inside the archive, content).
pub fn zip_of<N: AsRef<str>, C: AsRef<[u8]>>(files: &[(N, C)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in files {
        writer
            .start_file(name.as_ref(), SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content.as_ref()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Every file of a zip archive: (path inside the archive, bytes).
pub fn zip_files(name: &str) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(fixture(&format!("advisories/{name}"))).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        if entry.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.push((entry.name().to_string(), bytes));
    }
    files
}

/// Replaces every `YYYY-MM-DD` with `[date]`, so snapshots do not pin the calendar.
pub fn redact_dates(text: &str) -> String {
    redact_calendar_dates(text)
}

/// The length of an RFC 3339 time of day (`T09:00:00Z`, `T09:00:00.5+01:00`) at
/// the start of `bytes`, 0 when there is none; it is redacted with its date.
fn time_of_day_len(bytes: &[u8]) -> usize {
    let shape = b"T00:00:00";
    let matches = bytes.len() >= shape.len()
        && bytes.iter().zip(shape).all(|(b, s)| match s {
            b'0' => b.is_ascii_digit(),
            _ => b == s,
        });
    if !matches {
        return 0;
    }
    let rest = &bytes[shape.len()..];
    let fraction = match rest.first() {
        Some(b'.') => 1 + rest[1..].iter().take_while(|b| b.is_ascii_digit()).count(),
        _ => 0,
    };
    let zone = match rest.get(fraction) {
        Some(b'Z') => 1,
        Some(b'+' | b'-') => 6.min(rest.len() - fraction),
        _ => 0,
    };
    shape.len() + fraction + zone
}

fn redact_calendar_dates(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let window = bytes.get(i..i + 10);
        let is_date = window.is_some_and(|w| {
            w.iter().enumerate().all(|(k, b)| {
                if k == 4 || k == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
        });
        if is_date {
            out.push_str("[date]");
            i += 10 + time_of_day_len(&bytes[i + 10..]);
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}
