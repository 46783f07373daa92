//! What the integration tests share: the fixtures, one scene of the binary,
//! in-process projects on an in-memory register and store, schemas, archives,
//! CSV reading, snapshot settings and redaction, and local servers.

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

/// Copies the folder `from` into the existing folder `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
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

/// A report as its snapshot keeps it: dates, the cargo-soup version (as the
/// Markdown, JSON and CSV reports show it) and each machine path in `paths` (with
/// the name that stands for it) redacted, so that neither the calendar, a
/// version bump nor the machine the tests run on changes it.
pub fn redact_report(text: &str, paths: &[(&Path, &str)]) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut text = text.to_string();
    for (path, name) in paths {
        text = text.replace(&path.display().to_string(), name);
    }
    redact_dates(&text)
        .replace(&format!("| {version} |"), "| [version] |")
        .replace(
            &format!("\"tool_version\": \"{version}\""),
            "\"tool_version\": \"[version]\"",
        )
        .replace(
            &format!("cargo_soup_version,{version}\r\n"),
            "cargo_soup_version,[version]\r\n",
        )
}

/// Snapshots live in `tests/snapshots/`, beside the fixtures rather than the test code.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
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

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF), independently of the writer.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    rows
}

/// The document control rows and the table of a CSV report, split at the
/// first empty line, as a program reading the report finds the table.
pub fn csv_blocks(text: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let mut rows = parse_csv(text);
    let blank = rows
        .iter()
        .position(|row| row.len() == 1 && row[0].is_empty())
        .expect("document control ends with an empty line");
    let table = rows.split_off(blank + 1);
    rows.pop();
    (rows, table)
}

/// The values of each document control row named `field` (several for
/// `input`, `advisory_data` and a role signed more than once).
pub fn control_values<'a>(control: &'a [Vec<String>], field: &str) -> Vec<Vec<&'a str>> {
    control
        .iter()
        .filter(|row| row[0] == field)
        .map(|row| row[1..].iter().map(String::as_str).collect())
        .collect()
}
