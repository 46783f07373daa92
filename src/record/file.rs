//! The record as a file: loaded with its exact text, edited format-preserving with
//! `toml_edit`, and written atomically (STYLE.md habit 5), never over a file that
//! changed on disk since it was read.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value};

use super::approval::approval_table;
use super::canonical::{canonicalize, sort_sections};
use super::types::*;
use super::validate::validate;
use super::{Problem, RecordError};

/// A loaded `soup-register.toml`: its path, the text it was read from (to detect a
/// concurrent change), the editable document and the validated record, kept in step.
#[derive(Debug, Clone)]
pub struct RecordFile {
    path: PathBuf,
    original: String,
    document: DocumentMut,
    record: Record,
    /// The file ends its lines with CRLF (a Windows checkout); written back the same way.
    crlf: bool,
}

impl RecordFile {
    /// Reads and validates the record at `path`.
    pub fn load(path: &Path) -> Result<RecordFile, RecordError> {
        let bytes = fs::read(path).map_err(|source| RecordError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|error| {
            let valid = error
                .as_bytes()
                .get(..error.utf8_error().valid_up_to())
                .unwrap_or_default();
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let message = "not UTF-8 text".to_string();
            RecordError::Invalid {
                path: path.to_path_buf(),
                problems: vec![Problem { line, message }],
            }
        })?;
        Self::parse(path, &text)
    }

    /// Like [`RecordFile::load`], but `None` when there is no record yet, so commands
    /// can run read-only.
    pub fn load_if_exists(path: &Path) -> Result<Option<RecordFile>, RecordError> {
        match Self::load(path) {
            Ok(file) => Ok(Some(file)),
            Err(RecordError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// Validates a record's text; `path` names it in messages and is where it saves to.
    pub fn parse(path: &Path, text: &str) -> Result<RecordFile, RecordError> {
        let (document, record) = validate(text).map_err(|problems| RecordError::Invalid {
            path: path.to_path_buf(),
            problems,
        })?;
        Ok(RecordFile {
            path: path.to_path_buf(),
            original: text.to_string(),
            document: document.into_mut(),
            record,
            crlf: text.contains("\r\n"),
        })
    }

    /// Writes a new record with `text` (validated first); refuses to replace an existing file.
    pub fn create(path: &Path, text: &str) -> Result<RecordFile, RecordError> {
        let file = Self::parse(path, text)?;
        if path.exists() {
            return Err(RecordError::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        write_atomically(path, text.as_bytes(), None)?;
        Ok(file)
    }

    /// The file this record is loaded from and saves to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The validated record, including edits not yet saved.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// The file's text as last read or saved; edits not yet saved are not in it.
    pub fn saved_text(&self) -> &str {
        &self.original
    }

    /// The record's text with the edits made so far, in the order they were made.
    pub fn text(&self) -> String {
        self.with_line_endings(self.document.to_string())
    }

    /// Adds an `[[evaluation]]` after the last one; existing evaluations are never touched.
    pub fn append_evaluation(&mut self, evaluation: &Evaluation) -> Result<(), RecordError> {
        self.check(
            format!(
                "the evaluation of {} in {}",
                evaluation.advisory, evaluation.purl
            ),
            evaluation.problems(),
        )?;
        if let Some(array) = self.entries("evaluation") {
            array.push(evaluation_table(evaluation));
        }
        self.record.evaluations.push(evaluation.clone());
        Ok(())
    }

    /// Adds a release baseline; a version already recorded is an error (use
    /// [`RecordFile::replace_release`]).
    pub fn add_release(&mut self, release: &Release) -> Result<(), RecordError> {
        self.check(format!("release {}", release.version), release.problems())?;
        if self.record.release(&release.version).is_some() {
            return Err(RecordError::ReleaseExists {
                path: self.path.clone(),
                version: release.version.clone(),
            });
        }
        if let Some(array) = self.entries("release") {
            array.push(release_table(release));
        }
        self.record.releases.push(release.clone());
        Ok(())
    }

    /// Replaces a recorded release's SBOM, hash, date and retired flag, keeping its comments.
    pub fn replace_release(&mut self, release: &Release) -> Result<(), RecordError> {
        self.check(format!("release {}", release.version), release.problems())?;
        let index = self.release_index(&release.version)?;
        if let Some(table) = self
            .entries("release")
            .and_then(|array| array.get_mut(index))
        {
            set_value(table, "sbom", Value::from(release.sbom.as_str()));
            set_value(table, "sha256", Value::from(release.sha256.as_str()));
            set_value(table, "date", date_value(release.date));
            set_value(table, "retired", Value::from(release.retired));
        }
        if let Some(recorded) = self.record.releases.get_mut(index) {
            *recorded = release.clone();
        }
        Ok(())
    }

    /// Marks a release as retired (no unit in the field runs it) or back in the field.
    pub fn set_retired(&mut self, version: &str, retired: bool) -> Result<(), RecordError> {
        let index = self.release_index(version)?;
        if let Some(table) = self
            .entries("release")
            .and_then(|array| array.get_mut(index))
        {
            set_value(table, "retired", Value::from(retired));
        }
        if let Some(recorded) = self.record.releases.get_mut(index) {
            recorded.retired = retired;
        }
        Ok(())
    }

    /// Adds a `[[review]]` of an item no machine-readable anomaly list covers.
    pub fn add_review(&mut self, review: &Review) -> Result<(), RecordError> {
        self.check(format!("the review of {}", review.item), review.problems())?;
        if let Some(array) = self.entries("review") {
            array.push(review_table(review));
        }
        self.record.reviews.push(review.clone());
        Ok(())
    }

    /// Adds an `[[approval]]` after the last one; existing approvals are never touched.
    /// Whether it may be given at all is the caller's question (`approval::refusal`).
    pub fn append_approval(&mut self, approval: &Approval) -> Result<(), RecordError> {
        let entry = format!("the approval of {}", approval.approved());
        self.check(entry, approval.problems())?;
        if let Some(array) = self.entries("approval") {
            array.push(approval_table(approval));
        }
        self.record.approvals.push(approval.clone());
        Ok(())
    }

    /// The record's text in canonical order, comments kept.
    pub fn canonical_text(&self) -> String {
        let mut document = self.document.clone();
        canonicalize(&mut document, &self.record);
        self.with_line_endings(document.to_string())
    }

    /// `toml_edit` writes LF line endings; a CRLF file keeps CRLF.
    fn with_line_endings(&self, text: String) -> String {
        if self.crlf {
            text.replace("\r\n", "\n").replace('\n', "\r\n")
        } else {
            text
        }
    }

    /// True when the record's text is already in canonical order.
    pub fn is_canonical(&self) -> bool {
        self.canonical_text() == self.text()
    }

    /// Writes the canonical text atomically (temporary file in the same directory,
    /// fsync, rename). Refuses, writing nothing, when the file on disk no longer has
    /// the text it was loaded from. Nothing is written when nothing changed.
    pub fn save(&mut self) -> Result<(), RecordError> {
        let text = self.canonical_text();
        let saved = Self::parse(&self.path, &text)?;
        let on_disk = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(source) if source.kind() == std::io::ErrorKind::NotFound => {
                return Err(RecordError::ChangedOnDisk {
                    path: self.path.clone(),
                });
            }
            Err(source) => {
                return Err(RecordError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        if on_disk != self.original.as_bytes() {
            return Err(RecordError::ChangedOnDisk {
                path: self.path.clone(),
            });
        }
        if text != self.original {
            let permissions = fs::metadata(&self.path)
                .ok()
                .map(|metadata| metadata.permissions());
            write_atomically(&self.path, text.as_bytes(), permissions)?;
        }
        *self = saved;
        Ok(())
    }

    fn check(&self, entry: String, problems: Vec<String>) -> Result<(), RecordError> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RecordError::InvalidEntry {
                path: self.path.clone(),
                entry,
                problems,
            })
        }
    }

    fn release_index(&self, version: &str) -> Result<usize, RecordError> {
        self.record
            .releases
            .iter()
            .position(|release| release.version == version)
            .ok_or_else(|| RecordError::UnknownRelease {
                path: self.path.clone(),
                version: version.to_string(),
            })
    }

    /// The `[[name]]` array, created in its canonical place among the sections when absent.
    fn entries(&mut self, name: &str) -> Option<&mut ArrayOfTables> {
        let root = self.document.as_table_mut();
        if !root.contains_array_of_tables(name) {
            root.insert(name, Item::ArrayOfTables(ArrayOfTables::new()));
            sort_sections(root);
        }
        root.get_mut(name).and_then(Item::as_array_of_tables_mut)
    }
}

/// Replaces a value, keeping the comment and spacing around the old one.
fn set_value(table: &mut Table, key: &str, mut value: Value) {
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        *value.decor_mut() = old.decor().clone();
    }
    table.insert(key, Item::Value(value));
}

fn date_value(date: time::Date) -> Value {
    let date = toml_edit::Date {
        year: date.year() as u16,
        month: u8::from(date.month()),
        day: date.day(),
    };
    Value::from(toml_edit::Datetime {
        date: Some(date),
        time: None,
        offset: None,
    })
}

fn strings_value(strings: &[String]) -> Value {
    Value::Array(strings.iter().map(String::as_str).collect::<Array>())
}

fn evaluation_table(evaluation: &Evaluation) -> Table {
    let mut table = Table::new();
    table.insert("advisory", toml_edit::value(evaluation.advisory.as_str()));
    table.insert("aliases", Item::Value(strings_value(&evaluation.aliases)));
    table.insert("purl", toml_edit::value(evaluation.purl.as_str()));
    table.insert("by", toml_edit::value(evaluation.by.as_str()));
    table.insert("date", Item::Value(date_value(evaluation.date)));
    table.insert("review_by", Item::Value(date_value(evaluation.review_by)));
    table.insert(
        "advisory_modified",
        toml_edit::value(evaluation.advisory_modified.as_str()),
    );
    table.insert(
        "advisory_hash",
        toml_edit::value(evaluation.advisory_hash.as_str()),
    );
    table.insert("hazardous", toml_edit::value(evaluation.hazardous));
    table.insert("hazards", Item::Value(strings_value(&evaluation.hazards)));
    table.insert(
        "risk_controls",
        Item::Value(strings_value(&evaluation.risk_controls)),
    );
    table.insert(
        "vex_status",
        toml_edit::value(evaluation.vex_status.as_str()),
    );
    if let Some(justification) = evaluation.vex_justification {
        table.insert(
            "vex_justification",
            toml_edit::value(justification.as_str()),
        );
    }
    table.insert("action", toml_edit::value(evaluation.action.as_str()));
    table.insert("rationale", toml_edit::value(evaluation.rationale.as_str()));
    if let Some(version) = &evaluation.carried_from {
        table.insert("carried_from", toml_edit::value(version.as_str()));
    }
    table
}

fn release_table(release: &Release) -> Table {
    let mut table = Table::new();
    table.insert("version", toml_edit::value(release.version.as_str()));
    table.insert("sbom", toml_edit::value(release.sbom.as_str()));
    table.insert("sha256", toml_edit::value(release.sha256.as_str()));
    table.insert("date", Item::Value(date_value(release.date)));
    table.insert("retired", toml_edit::value(release.retired));
    table
}

fn review_table(review: &Review) -> Table {
    let mut table = Table::new();
    table.insert("item", toml_edit::value(review.item.as_str()));
    table.insert("by", toml_edit::value(review.by.as_str()));
    table.insert("date", Item::Value(date_value(review.date)));
    table.insert("source", toml_edit::value(review.source.as_str()));
    table.insert("finding", toml_edit::value(review.finding.as_str()));
    table
}

/// Writes any file the way the record itself is written (a release's SBOM, the
/// `.gitignore` entry for the register, a report): atomically, creating its
/// directory, keeping an existing file's permissions.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), RecordError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|source| RecordError::Write {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let existing = fs::metadata(path).ok().map(|m| m.permissions());
    write_atomically(path, bytes, existing)
}

/// Writes `bytes` to `path` through a temporary file in the same directory, synced
/// before it is renamed over `path`; a failure leaves `path` and no temporary file.
/// With the `existing` file's permissions it replaces that file; without, the file must not exist yet.
fn write_atomically(
    path: &Path,
    bytes: &[u8],
    existing: Option<fs::Permissions>,
) -> Result<(), RecordError> {
    let failed = |source: std::io::Error| RecordError::Write {
        path: path.to_path_buf(),
        source,
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".soup-register.")
        .suffix(".tmp")
        .tempfile_in(directory)
        .map_err(failed)?;
    temporary.write_all(bytes).map_err(failed)?;
    temporary.as_file().sync_all().map_err(failed)?;
    match existing {
        Some(permissions) => {
            fs::set_permissions(temporary.path(), permissions).map_err(failed)?;
            temporary
                .persist(path)
                .map_err(|error| failed(error.error))?;
        }
        None => {
            make_readable(temporary.path()).map_err(failed)?;
            temporary
                .persist_noclobber(path)
                .map_err(|error| failed(error.error))?;
        }
    }
    sync_directory(directory);
    Ok(())
}

/// A new record is readable by everyone, like any file in a repository
/// (temporary files start private).
#[cfg(unix)]
fn make_readable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(path, fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn make_readable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Makes the rename durable; best effort, since not every platform can sync a directory.
fn sync_directory(directory: &Path) {
    if let Ok(handle) = fs::File::open(directory) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = "# pump\n\n[system]\nname = \"pump\"\nclass = \"A\"\n\n[[release]]\nversion = \"1.0\"\nsbom = \"releases/1.0.cdx.json\"\nsha256 = \"32c93f3b958dd17e286bc54ffe8b2260f3dced9c2b25b7fdd4058b6c82974162\"\ndate = 2026-01-20 # first\nretired = false\n";

    fn release(version: &str, sbom: &str) -> Release {
        Release {
            version: version.into(),
            sbom: sbom.into(),
            sha256: "636f5ad2ae4a724ba91ddd8de643fcc2fa5eed062cbc8659757b4fa226049f4b".into(),
            date: time::macros::date!(2026 - 02 - 01),
            retired: true,
        }
    }

    #[test]
    fn crlf_records_stay_crlf() {
        let text = RECORD.replace('\n', "\r\n");
        let mut file = RecordFile::parse(Path::new("r.toml"), &text).unwrap();
        assert!(file.is_canonical());
        file.add_release(&release("1.1", "releases/1.1.cdx.json"))
            .unwrap();
        let expected = format!(
            "{text}\r\n[[release]]\r\nversion = \"1.1\"\r\nsbom = \"releases/1.1.cdx.json\"\r\nsha256 = \"636f5ad2ae4a724ba91ddd8de643fcc2fa5eed062cbc8659757b4fa226049f4b\"\r\ndate = 2026-02-01\r\nretired = true\r\n"
        );
        assert_eq!(file.text(), expected);
    }

    #[test]
    fn replacing_a_release_keeps_its_comments() {
        let mut file = RecordFile::parse(Path::new("r.toml"), RECORD).unwrap();
        file.replace_release(&release("1.0", "releases/1.0-fixed.cdx.json"))
            .unwrap();
        let expected = RECORD
            .replace("1.0.cdx.json", "1.0-fixed.cdx.json")
            .replace(
                "32c93f3b958dd17e286bc54ffe8b2260f3dced9c2b25b7fdd4058b6c82974162",
                "636f5ad2ae4a724ba91ddd8de643fcc2fa5eed062cbc8659757b4fa226049f4b",
            )
            .replace("2026-01-20 # first", "2026-02-01 # first")
            .replace("retired = false", "retired = true");
        assert_eq!(file.text(), expected);
        assert_eq!(
            file.record().releases,
            [release("1.0", "releases/1.0-fixed.cdx.json")]
        );
    }
}
