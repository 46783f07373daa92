//! Reads advisory archives (a downloaded zip, or a mirror directory) one
//! entry at a time, refusing hostile ones (DESIGN.md §6).
//!
//! Only regular files named `*.json` (OSV records) or `*.md` (RustSec's native
//! advisories) are returned. An archive with an entry name that could escape a
//! directory, or with more entries than [`Limits`] allows, is refused before
//! any entry is returned. Sizes are checked as each entry is read, so an entry
//! past a size limit ends the reading with an error after the entries before
//! it: the caller keeps nothing it read from an archive that fails (the store
//! loads a source in one transaction).
//!
//! Entries are read one at a time so that loading an archive needs memory for
//! one entry, not for all of them (an OSV export expands to hundreds of MB).

use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use zip::ZipArchive;

/// Bytes reserved up front for one entry, so a lying size header cannot make
/// us allocate the whole per-entry limit for nothing.
const MAX_PREALLOCATION: u64 = 1024 * 1024;

/// Bounds on what an archive may expand to; a zip bomb lies in its headers, so
/// these are checked against the declared sizes and the bytes actually read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Most entries (files, directories, anything) in one archive.
    pub max_entries: usize,
    /// Largest expanded size of one entry read.
    pub max_entry_bytes: u64,
    /// Largest expanded size of all entries read together.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    /// 200 000 entries: far above the record count of an ecosystem export
    /// (RustSec holds about 1 200, Go about 4 300), yet a bound on the work a
    /// forged central directory can cause. 16 MiB per entry: an OSV record is
    /// a few KiB (RustSec's largest is 11 KiB). 1 GiB in total: twice the
    /// download limit of [`crate::net::NetOptions`], and still an amount of
    /// memory a workstation or CI runner has.
    fn default() -> Self {
        Limits {
            max_entries: 200_000,
            max_entry_bytes: 16 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// One advisory file read from an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path inside the archive, `/`-separated, as the archive names it.
    pub name: String,
    /// Its complete content.
    pub bytes: Vec<u8>,
}

/// Why an archive was refused; each message names the archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The zip cannot be read at all.
    #[error(
        "failed to read the zip archive {archive}: it is truncated or corrupt ({reason}); \
         download it again"
    )]
    Corrupt {
        /// The archive's label: its path or URL.
        archive: String,
        /// What the zip reader objected to.
        reason: String,
    },
    /// One entry cannot be decompressed, or is not what its header says.
    #[error(
        "failed to read entry {entry:?} of {archive}: it is corrupt ({reason}); \
         download the archive again"
    )]
    CorruptEntry {
        /// The archive's label.
        archive: String,
        /// The entry's name.
        entry: String,
        /// What went wrong.
        reason: String,
    },
    /// An entry name that could point outside a directory.
    #[error("failed to read {archive}: entry {entry:?} {why}; the whole archive is refused")]
    UnsafeName {
        /// The archive's label.
        archive: String,
        /// The entry's name.
        entry: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// More entries than [`Limits::max_entries`].
    #[error(
        "failed to read {archive}: it has more than {limit} entries (the max_entries limit); \
         the whole archive is refused"
    )]
    TooManyEntries {
        /// The archive's label.
        archive: String,
        /// The limit exceeded.
        limit: usize,
    },
    /// One entry larger than [`Limits::max_entry_bytes`].
    #[error(
        "failed to read entry {entry:?} of {archive}: it expands to more than {limit} bytes \
         (the max_entry_bytes limit); the whole archive is refused"
    )]
    EntryTooLarge {
        /// The archive's label.
        archive: String,
        /// The entry's name.
        entry: String,
        /// The limit exceeded.
        limit: u64,
    },
    /// All entries together larger than [`Limits::max_total_bytes`].
    #[error(
        "failed to read {archive}: it expands to more than {limit} bytes in total \
         (the max_total_bytes limit); the whole archive is refused"
    )]
    TotalTooLarge {
        /// The archive's label.
        archive: String,
        /// The limit exceeded.
        limit: u64,
    },
    /// A file or directory of a mirror directory cannot be read.
    #[error("failed to read {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file in a mirror directory whose name is not UTF-8.
    #[error("failed to read {path:?}: its name is not UTF-8; rename or remove it")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
}

/// The advisory files of a zip archive, read one at a time in the archive's
/// order.
pub struct ZipEntries<R> {
    zip: ZipArchive<R>,
    /// The index of the next entry to look at.
    next: usize,
    budget: Budget,
}

/// Opens a zip archive, checking every entry name and the entry count before
/// any entry is read; `archive` labels it (path or URL) in errors.
pub fn read_zip<R: Read + Seek>(
    reader: R,
    archive: &str,
    limits: &Limits,
) -> Result<ZipEntries<R>, ArchiveError> {
    let zip = ZipArchive::new(reader).map_err(|error| corrupt(archive, error))?;
    let mut budget = Budget::new(archive, limits);
    budget.count_entries(zip.len())?;
    for name in zip.file_names() {
        check_name(name).map_err(|why| budget.unsafe_name(name, why))?;
    }
    Ok(ZipEntries {
        zip,
        next: 0,
        budget,
    })
}

impl<R: Read + Seek> ZipEntries<R> {
    /// Reads the entry at `index`, if it is an advisory file.
    fn read(&mut self, index: usize) -> Result<Option<Entry>, ArchiveError> {
        let mut file = self
            .zip
            .by_index(index)
            .map_err(|error| corrupt(&self.budget.archive, error))?;
        let name = file.name().to_owned();
        if !(file.is_file() && is_advisory(&name)) {
            return Ok(None);
        }
        let declared = file.size();
        let bytes = self.budget.read(&mut file, declared, &name)?;
        Ok(Some(Entry { name, bytes }))
    }
}

impl<R: Read + Seek> Iterator for ZipEntries<R> {
    type Item = Result<Entry, ArchiveError>;

    /// The next advisory file; after an error, nothing more.
    fn next(&mut self) -> Option<Self::Item> {
        while self.next < self.zip.len() {
            let index = self.next;
            self.next += 1;
            match self.read(index) {
                Ok(Some(entry)) => return Some(Ok(entry)),
                Ok(None) => {}
                Err(error) => {
                    self.next = self.zip.len();
                    return Some(Err(error));
                }
            }
        }
        None
    }
}

/// The error for a zip that cannot be read at all.
fn corrupt(archive: &str, error: zip::result::ZipError) -> ArchiveError {
    ArchiveError::Corrupt {
        archive: archive.into(),
        reason: error.to_string(),
    }
}

/// The advisory files of a mirror directory, read one at a time in name order.
pub struct DirEntries {
    /// Each file's name in the mirror and its path, sorted by name.
    files: std::vec::IntoIter<(String, PathBuf)>,
    budget: Budget,
}

/// Lists the `.json` and `.md` files under a mirror directory, without
/// following symbolic links, counting every entry against the limit before
/// any file is read.
pub fn read_dir(path: &Path, limits: &Limits) -> Result<DirEntries, ArchiveError> {
    let mut budget = Budget::new(&path.display().to_string(), limits);
    let mut files = Vec::new();
    let mut pending = vec![(path.to_path_buf(), String::new())];
    while let Some((directory, prefix)) = pending.pop() {
        for item in list_dir(&directory)? {
            budget.count_entries(1)?;
            let file_name = item.file_name();
            let Some(file_name) = file_name.to_str() else {
                return Err(ArchiveError::NotUtf8 { path: item.path() });
            };
            let name = format!("{prefix}{file_name}");
            let kind = item
                .file_type()
                .map_err(|source| io_error(&item.path(), source))?;
            if kind.is_dir() {
                pending.push((item.path(), format!("{name}/")));
            } else if kind.is_file() && is_advisory(&name) {
                files.push((name, item.path()));
            }
        }
    }
    files.sort();
    Ok(DirEntries {
        files: files.into_iter(),
        budget,
    })
}

impl Iterator for DirEntries {
    type Item = Result<Entry, ArchiveError>;

    /// The next advisory file; after an error, nothing more.
    fn next(&mut self) -> Option<Self::Item> {
        let (name, path) = self.files.next()?;
        match read_file(&path, &name, &mut self.budget) {
            Ok(bytes) => Some(Ok(Entry { name, bytes })),
            Err(error) => {
                self.files = Vec::new().into_iter();
                Some(Err(error))
            }
        }
    }
}

/// The entries of one directory.
fn list_dir(directory: &Path) -> Result<Vec<fs::DirEntry>, ArchiveError> {
    fs::read_dir(directory)
        .and_then(Iterator::collect)
        .map_err(|source| io_error(directory, source))
}

/// Reads one regular file of a mirror directory within the budget.
fn read_file(path: &Path, name: &str, budget: &mut Budget) -> Result<Vec<u8>, ArchiveError> {
    let mut file = fs::File::open(path).map_err(|source| io_error(path, source))?;
    let declared = file
        .metadata()
        .map_err(|source| io_error(path, source))?
        .len();
    budget.read(&mut file, declared, name)
}

/// The error for a file or directory that cannot be read.
fn io_error(path: &Path, source: std::io::Error) -> ArchiveError {
    ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Whether an entry is an advisory file this crate reads.
fn is_advisory(name: &str) -> bool {
    name.ends_with(".json") || name.ends_with(".md")
}

/// Refuses a name that, joined to a directory, could leave it: a `..`
/// component, an absolute path, a drive prefix, or a NUL. Backslashes count as
/// separators, as they do on Windows.
fn check_name(name: &str) -> Result<(), &'static str> {
    let mut components = name.split(['/', '\\']);
    let first = components.next().unwrap_or_default();
    if name.contains('\0') {
        Err("contains a NUL character")
    } else if name.starts_with(['/', '\\']) {
        Err("is an absolute path")
    } else if has_drive_prefix(first) {
        Err("starts with a drive prefix")
    } else if first == ".." || components.any(|component| component == "..") {
        Err("has a `..` component")
    } else {
        Ok(())
    }
}

/// Whether a first path component is a Windows drive such as `C:`.
fn has_drive_prefix(component: &str) -> bool {
    let mut chars = component.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some(letter), Some(':')) if letter.is_ascii_alphabetic()
    )
}

/// What an archive has used of its [`Limits`] so far.
struct Budget {
    /// The archive's label, for errors.
    archive: String,
    /// The limits.
    limits: Limits,
    /// Entries seen.
    entries: usize,
    /// Bytes read.
    total: u64,
}

impl Budget {
    /// An unused budget for one archive.
    fn new(archive: &str, limits: &Limits) -> Self {
        Budget {
            archive: archive.to_owned(),
            limits: limits.clone(),
            entries: 0,
            total: 0,
        }
    }

    /// Counts `more` entries, refusing the archive past the limit.
    fn count_entries(&mut self, more: usize) -> Result<(), ArchiveError> {
        self.entries = self.entries.saturating_add(more);
        if self.entries > self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                archive: self.archive.clone(),
                limit: self.limits.max_entries,
            });
        }
        Ok(())
    }

    /// Reads one entry that claims `declared` bytes, checking the claim first
    /// and then the bytes actually produced, never reading past the limit.
    fn read(
        &mut self,
        reader: &mut dyn Read,
        declared: u64,
        name: &str,
    ) -> Result<Vec<u8>, ArchiveError> {
        let entry_limit = self.limits.max_entry_bytes;
        if declared > entry_limit {
            return Err(self.entry_too_large(name));
        }
        self.check_total(declared)?;
        let reserve = declared.min(MAX_PREALLOCATION);
        let mut bytes = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
        reader
            .take(entry_limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|error| self.corrupt_entry(name, error.to_string()))?;
        let actual = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if actual > entry_limit {
            return Err(self.entry_too_large(name));
        }
        if actual != declared {
            let reason = format!("it expands to {actual} bytes, its header says {declared}");
            return Err(self.corrupt_entry(name, reason));
        }
        self.check_total(actual)?;
        self.total += actual;
        Ok(bytes)
    }

    /// Refuses the archive if `more` bytes would take it past the total limit.
    fn check_total(&self, more: u64) -> Result<(), ArchiveError> {
        if self.total.saturating_add(more) > self.limits.max_total_bytes {
            return Err(ArchiveError::TotalTooLarge {
                archive: self.archive.clone(),
                limit: self.limits.max_total_bytes,
            });
        }
        Ok(())
    }

    /// The error for an entry over the per-entry limit.
    fn entry_too_large(&self, name: &str) -> ArchiveError {
        ArchiveError::EntryTooLarge {
            archive: self.archive.clone(),
            entry: name.into(),
            limit: self.limits.max_entry_bytes,
        }
    }

    /// The error for an entry that cannot be read as it claims.
    fn corrupt_entry(&self, name: &str, reason: String) -> ArchiveError {
        ArchiveError::CorruptEntry {
            archive: self.archive.clone(),
            entry: name.into(),
            reason,
        }
    }

    /// The error for an entry name that could escape a directory.
    fn unsafe_name(&self, name: &str, why: &'static str) -> ArchiveError {
        ArchiveError::UnsafeName {
            archive: self.archive.clone(),
            entry: name.into(),
            why,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use zip::write::SimpleFileOptions;

    use super::*;

    /// Every entry of a zip held in memory, or the first error.
    fn zip_entries(zip: &[u8], label: &str, limits: &Limits) -> Result<Vec<Entry>, ArchiveError> {
        read_zip(Cursor::new(zip), label, limits)?.collect()
    }

    /// Every entry of a mirror directory, or the first error.
    fn dir_entries(path: &Path, limits: &Limits) -> Result<Vec<Entry>, ArchiveError> {
        read_dir(path, limits)?.collect()
    }

    /// A zip of the given (name, content) entries, deflated.
    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in files {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn safe_names_pass() {
        for name in [
            "a.json",
            "crates/RUSTSEC-2020-0001.json",
            "osv/RHSA-2024:0001.json",
            "a/./b.md",
            "dir/",
            "..json",
            "a/..b/c.json",
        ] {
            assert_eq!(check_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn escaping_names_are_refused() {
        for (name, why) in [
            ("../evil.json", "has a `..` component"),
            ("a/../../evil.json", "has a `..` component"),
            ("a\\..\\evil.json", "has a `..` component"),
            ("..", "has a `..` component"),
            ("/etc/x.json", "is an absolute path"),
            ("\\x.json", "is an absolute path"),
            ("C:/x.json", "starts with a drive prefix"),
            ("c:x.json", "starts with a drive prefix"),
            ("a\0.json", "contains a NUL character"),
        ] {
            assert_eq!(check_name(name), Err(why), "{name}");
        }
    }

    #[test]
    fn only_advisory_files_are_returned() {
        let zip = zip_of(&[
            ("README.md", b"# db"),
            ("a/b.json", b"{}"),
            ("a/c.toml", b"x = 1"),
        ]);
        let entries = zip_entries(&zip, "test.zip", &Limits::default()).unwrap();
        let names: Vec<_> = entries.iter().map(|entry| entry.name.as_str()).collect();
        assert_eq!(names, ["README.md", "a/b.json"]);
        assert_eq!(entries[1].bytes, b"{}");
    }

    #[test]
    fn limits_that_are_exactly_met_pass() {
        let zip = zip_of(&[("a.json", b"1234"), ("b.json", b"5678")]);
        let limits = Limits {
            max_entries: 2,
            max_entry_bytes: 4,
            max_total_bytes: 8,
        };
        assert_eq!(zip_entries(&zip, "test.zip", &limits).unwrap().len(), 2);
    }

    #[test]
    fn the_total_limit_counts_every_entry() {
        let zip = zip_of(&[("a.json", b"1234"), ("b.json", b"5678")]);
        let limits = Limits {
            max_total_bytes: 7,
            ..Limits::default()
        };
        let error = zip_entries(&zip, "test.zip", &limits).unwrap_err();
        assert!(
            matches!(error, ArchiveError::TotalTooLarge { limit: 7, .. }),
            "{error}"
        );
    }

    #[test]
    fn damaged_archives_never_panic() {
        let zip = zip_of(&[("a.json", &[b'x'; 300]), ("b/c.md", b"# title\nbody")]);
        for position in 0..zip.len() {
            for value in [0x00, 0xff, 0x7f] {
                let mut damaged = zip.clone();
                damaged[position] = value;
                let _ = zip_entries(&damaged, "damaged.zip", &Limits::default());
            }
            let _ = zip_entries(&zip[..position], "cut.zip", &Limits::default());
        }
    }

    #[test]
    fn a_directory_is_read_without_following_symlinks() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("crates/x")).unwrap();
        fs::write(root.path().join("crates/x/A.json"), b"{}").unwrap();
        fs::write(root.path().join("README.md"), b"#").unwrap();
        fs::write(root.path().join("notes.txt"), b"skip").unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.json"), b"{}").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), root.path().join("link")).unwrap();
        let entries = dir_entries(root.path(), &Limits::default()).unwrap();
        let names: Vec<_> = entries.iter().map(|entry| entry.name.as_str()).collect();
        assert_eq!(names, ["README.md", "crates/x/A.json"]);
    }

    #[test]
    fn a_directory_over_the_entry_limit_is_refused() {
        let root = tempfile::tempdir().unwrap();
        for name in ["a.json", "b.json", "c.json"] {
            fs::write(root.path().join(name), b"{}").unwrap();
        }
        let limits = Limits {
            max_entries: 2,
            ..Limits::default()
        };
        let error = dir_entries(root.path(), &limits).unwrap_err();
        assert!(
            matches!(error, ArchiveError::TooManyEntries { limit: 2, .. }),
            "{error}"
        );
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let root = tempfile::tempdir().unwrap();
        let missing = root.path().join("nowhere");
        let error = dir_entries(&missing, &Limits::default()).unwrap_err();
        assert!(error.to_string().contains("nowhere"), "{error}");
    }
}
