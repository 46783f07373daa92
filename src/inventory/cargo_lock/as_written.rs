//! `Cargo.lock` as cargo writes it, read line by line.
//!
//! Cargo writes one key per line, strings without escapes, and each
//! dependency array one entry per line. Such a file is read here in one pass
//! over its lines, without the TOML document the full parser builds for any
//! file: that document was most of the time of an audit on a fresh clone.
//! A line this reader does not know (a hand edit, an inline array, an escape,
//! a comment after a value, a table other than `[[package]]` and `[metadata]`)
//! makes it give up, and the full parser reads the file. So it only reads
//! what that parser reads the same way, and every error is that parser's.

use std::borrow::Cow;

use super::{Lockfile, Package, RawPackage};

/// Files from this size on are read in two parts, one on each core.
const READ_IN_TWO_FROM: usize = 64 * 1024;

/// The lockfile, or `None` when any line is not as cargo writes it. Every
/// string is borrowed from `text`: none needs decoding.
pub(super) fn read(text: &str) -> Option<Lockfile<'_>> {
    if text.len() >= READ_IN_TWO_FROM
        && let Some(at) = package_past_middle(text)
    {
        return read_in_two(text, at);
    }
    read_part(text).map(|part| part.lockfile)
}

/// The lockfile read in two parts side by side, split at `at`, where a
/// `[[package]]` begins past the middle: reading the lines was the longest
/// step of reading a large lockfile, on one core. From a table header on, the
/// reader's state is the same whatever came before, so the two parts read as
/// the whole does: the format version can only come before the first header,
/// and `[metadata]` may be in one part only.
fn read_in_two(text: &str, at: usize) -> Option<Lockfile<'_>> {
    let (head_text, tail_text) = text.split_at(at);
    let (head, tail) = std::thread::scope(|scope| {
        let tail = scope.spawn(|| read_part(tail_text));
        let head = read_part(head_text);
        let tail = tail
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (head, tail)
    });
    let (mut head, tail) = (head?, tail?);
    if head.metadata_seen && tail.metadata_seen {
        return None;
    }
    head.lockfile.metadata.extend(tail.lockfile.metadata);
    // The head ends with the newline before the header: one per line.
    let head_lines = head_text.bytes().filter(|&b| b == b'\n').count();
    let after_head = tail.lockfile.packages.into_iter().map(|mut package| {
        package.line += head_lines;
        package
    });
    head.lockfile.packages.extend(after_head);
    Some(head.lockfile)
}

/// Where the first `[[package]]` line past the middle of `text` begins.
fn package_past_middle(text: &str) -> Option<usize> {
    let middle = (text.len() / 2..text.len()).find(|&i| text.is_char_boundary(i))?;
    let header = text.get(middle..)?.find("\n[[package]]")? + middle + 1;
    let line_end = text.get(header + "[[package]]".len()..)?;
    (line_end.starts_with('\n') || line_end.starts_with("\r\n")).then_some(header)
}

/// A part of a lockfile as read, and whether it has a `[metadata]` table.
struct Part<'a> {
    lockfile: Lockfile<'a>,
    metadata_seen: bool,
}

/// Reads `text`, the whole file or a part of it that begins at a table header.
fn read_part(text: &str) -> Option<Part<'_>> {
    let mut lockfile = Lockfile::default();
    let mut table = Table::Top;
    let mut metadata_seen = false;
    let mut lines = text.lines().zip(1..);
    while let Some((line, number)) = lines.next() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[package]]" || line == "[metadata]" {
            if let Table::Package(package) = std::mem::replace(&mut table, Table::Top) {
                lockfile.packages.push(package.finish()?);
            }
            table = match line {
                "[[package]]" => Table::Package(Open::at(number)),
                _ if metadata_seen => return None,
                _ => Table::Metadata,
            };
            metadata_seen |= matches!(table, Table::Metadata);
            continue;
        }
        match &mut table {
            Table::Top => {
                let value = line.strip_prefix("version = ")?;
                let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
                if !digits || lockfile.version.is_some() {
                    return None;
                }
                lockfile.version = Some((value.parse().ok()?, number));
            }
            Table::Package(package) => {
                let (key, value) = key_value(line)?;
                match key {
                    "dependencies" if value == "[" && package.dependencies.is_none() => {
                        package.dependencies = Some(array(&mut lines)?);
                    }
                    "name" => set(&mut package.name, value)?,
                    "version" => set(&mut package.version, value)?,
                    "source" => set(&mut package.source, value)?,
                    "checksum" => set(&mut package.checksum, value)?,
                    // v1 names a `[replace]` target; the inventory reads the package.
                    "replace" if !package.replaced => {
                        string(value)?;
                        package.replaced = true;
                    }
                    _ => return None,
                }
            }
            Table::Metadata => {
                let (key, value) = line.strip_prefix('"')?.split_once("\" = ")?;
                let key = plain(key)?.to_string();
                let value = string(value)?.to_string();
                if lockfile.metadata.insert(key, value).is_some() {
                    return None;
                }
            }
        }
    }
    if let Table::Package(package) = table {
        lockfile.packages.push(package.finish()?);
    }
    // A file without packages is not one cargo wrote: the full parser says why.
    (!lockfile.packages.is_empty()).then_some(Part {
        lockfile,
        metadata_seen,
    })
}

/// The table the lines being read belong to; a `[[package]]` with its keys
/// read so far.
enum Table<'a> {
    Top,
    Package(Open<'a>),
    Metadata,
}

/// A `[[package]]` whose keys are being read.
struct Open<'a> {
    line: usize,
    name: Option<&'a str>,
    version: Option<&'a str>,
    source: Option<&'a str>,
    checksum: Option<&'a str>,
    dependencies: Option<Vec<Cow<'a, str>>>,
    replaced: bool,
}

impl<'a> Open<'a> {
    fn at(line: usize) -> Open<'a> {
        Open {
            line,
            name: None,
            version: None,
            source: None,
            checksum: None,
            dependencies: None,
            replaced: false,
        }
    }

    /// The package, or `None` without a name or version.
    fn finish(self) -> Option<Package<'a>> {
        Some(Package {
            raw: RawPackage {
                name: Cow::Borrowed(self.name?),
                version: Cow::Borrowed(self.version?),
                source: self.source.map(Cow::Borrowed),
                checksum: self.checksum.map(Cow::Borrowed),
                dependencies: self.dependencies.unwrap_or_default(),
            },
            line: self.line,
        })
    }
}

/// A `key = value` line split in two, where the key is one word, as every
/// key of a package is: a search for the first space only, not for " = ".
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, rest) = line.split_at(line.find(' ')?);
    Some((key, rest.strip_prefix(" = ")?))
}

/// Sets a key's value once: a key given twice is a TOML error.
fn set<'a>(slot: &mut Option<&'a str>, value: &'a str) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(string(value)?);
            Some(())
        }
    }
}

/// The entries of an array opened by `key = [`, one ` "entry",` per line up
/// to the closing `]`; the comma may be left out after the last entry only.
fn array<'a>(lines: &mut impl Iterator<Item = (&'a str, usize)>) -> Option<Vec<Cow<'a, str>>> {
    let mut entries = Vec::new();
    let mut comma_missing = false;
    for (line, _) in lines {
        let entry = line.trim_start_matches([' ', '\t']);
        if entry == "]" {
            return Some(entries);
        }
        if comma_missing {
            return None;
        }
        let (entry, comma) = match entry.strip_suffix(',') {
            Some(entry) => (entry, true),
            None => (entry, false),
        };
        comma_missing = !comma;
        entries.push(Cow::Borrowed(string(entry)?));
    }
    None
}

/// The content of a basic string `"..."` that needs no decoding.
fn string(value: &str) -> Option<&str> {
    plain(value.strip_prefix('"')?.strip_suffix('"')?)
}

/// `content` when it can stand between quotes as it is: no quote, no escape,
/// no control character (TOML allows a tab).
fn plain(content: &str) -> Option<&str> {
    let as_is = |b: u8| b != b'"' && b != b'\\' && (b >= 0x20 || b == b'\t') && b != 0x7f;
    content.bytes().all(as_is).then_some(content)
}

#[cfg(test)]
mod tests {
    use super::super::real_lockfiles;
    use super::*;

    /// Every real lockfile, however small, reads in two parts as in one.
    #[test]
    fn a_lockfile_reads_in_two_parts_as_in_one() {
        for (path, text) in real_lockfiles() {
            let whole = read_part(&text).map(|part| part.lockfile);
            assert!(whole.is_some(), "{}", path.display());
            let at = package_past_middle(&text);
            assert!(at.is_some(), "{}", path.display());
            let in_two = at.and_then(|at| read_in_two(&text, at));
            assert_eq!(in_two, whole, "{}", path.display());
        }
    }

    /// `[metadata]` twice is a TOML error, though each part has it once.
    #[test]
    fn metadata_in_both_parts_is_left_to_the_toml_parser() {
        let package = |name: &str| {
            format!("[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\n\n[metadata]\n\n")
        };
        let text = format!("{}{}", package("first"), package("b"));
        let at = package_past_middle(&text);
        assert!(at.is_some());
        assert_eq!(at.and_then(|at| read_in_two(&text, at)), None);
        // Split at the same header, with `[metadata]` in the second part only.
        let once = text.replacen("[metadata]\n", "", 1);
        let second = once.find("\n[[package]]").map(|at| at + 1);
        assert!(second.and_then(|at| read_in_two(&once, at)).is_some());
    }
}
