//! What every command needs: where the project, its record, its register and
//! the advisory store are, what time it is, and the terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use time::{Date, OffsetDateTime};

use super::{ColorChoice, GlobalArgs, InputArgs};
use crate::inventory::{self, CargoOptions, InputFormat, Inventory};
use crate::out::{Out, Terminal};
use crate::record::RecordFile;
use crate::register::{
    BUSY_TIMEOUT, CachedInventory, Changes, FileDigest, Register, Store, fingerprint,
};

/// The record's file name, beside the workspace's Cargo.toml.
pub const RECORD_FILE: &str = "soup-register.toml";

/// The register's default place, relative to the record's directory.
const REGISTER_FILE: &str = ".soup/register.db";

/// The paths, clock and terminal of one run.
pub struct Context {
    /// The moment the command started; the library is given this, never reads a clock.
    pub now: OffsetDateTime,
    /// Today's date (UTC), or `SOUP_TODAY` to reproduce a past audit.
    pub today: Date,
    /// The project's manifest, when there is one.
    pub manifest: Option<PathBuf>,
    /// Where the record is, or would be written by `init`.
    pub record_path: PathBuf,
    register_override: Option<PathBuf>,
    store_path: PathBuf,
    /// How long to wait for another process's lock on a database:
    /// `SOUP_BUSY_TIMEOUT_MS`, else [`BUSY_TIMEOUT`].
    busy_timeout: Duration,
    /// The terminal.
    pub out: Box<dyn Out>,
    /// `-v` was given.
    pub verbose: bool,
}

impl Context {
    /// Finds the project from the current directory and the global options.
    pub fn new(global: &GlobalArgs) -> anyhow::Result<Context> {
        let cwd = std::env::current_dir().context("failed to read the current directory")?;
        let manifest = match &global.manifest_path {
            Some(path) if path.is_file() => Some(path.clone()),
            Some(path) => {
                return Err(anyhow!(
                    "failed to find the manifest {}: no such file",
                    path.display()
                ));
            }
            None => find_upwards(&cwd, "Cargo.toml"),
        };
        let record_path = match &global.record {
            Some(path) => path.clone(),
            None => find_upwards(&cwd, RECORD_FILE).unwrap_or_else(|| {
                let dir = manifest.as_deref().and_then(Path::parent).unwrap_or(&cwd);
                dir.join(RECORD_FILE)
            }),
        };
        let store_path = match &global.advisory_db {
            Some(path) => path.clone(),
            None => dirs::cache_dir()
                .ok_or_else(|| anyhow!("failed to find the user's cache directory: set SOUP_ADVISORY_DB or --advisory-db"))?
                .join("cargo-soup")
                .join("advisories.db"),
        };
        let now = OffsetDateTime::now_utc();
        let today = match std::env::var("SOUP_TODAY") {
            Ok(text) => {
                parse_date(&text).with_context(|| format!("failed to read SOUP_TODAY={text}"))?
            }
            Err(_) => now.date(),
        };
        let busy_timeout = match std::env::var("SOUP_BUSY_TIMEOUT_MS") {
            Ok(text) => text
                .trim()
                .parse()
                .map(Duration::from_millis)
                .map_err(|_| {
                    anyhow!("failed to read SOUP_BUSY_TIMEOUT_MS={text}: expected milliseconds")
                })?,
            Err(_) => BUSY_TIMEOUT,
        };
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
            }
        };
        Ok(Context {
            now,
            today,
            manifest,
            record_path,
            register_override: global.register.clone(),
            store_path,
            busy_timeout,
            out: Box::new(Terminal::new(color, interactive, global.quiet)),
            verbose: global.verbose,
        })
    }

    /// The record, or `None` when the project has none yet.
    pub fn load_record(&self) -> anyhow::Result<Option<RecordFile>> {
        Ok(RecordFile::load_if_exists(&self.record_path)?)
    }

    /// The record, or an error telling the user to run `init`.
    pub fn require_record(&self) -> anyhow::Result<RecordFile> {
        self.load_record()?.ok_or_else(|| {
            anyhow!(
                "failed to find {}: run `cargo soup init` to start the record",
                self.record_path.display()
            )
        })
    }

    /// The register's path: `--register`, else beside the record.
    pub fn register_path(&self) -> PathBuf {
        self.register_override.clone().unwrap_or_else(|| {
            let dir = self.record_path.parent().unwrap_or(Path::new("."));
            dir.join(REGISTER_FILE)
        })
    }

    /// Opens the register. With no record (and no `--register`), nothing is
    /// written beside the project: the register lives in memory for this run.
    pub fn open_register(&self, has_record: bool) -> anyhow::Result<Register> {
        if !has_record && self.register_override.is_none() {
            return Ok(Register::in_memory()?);
        }
        Ok(Register::open_waiting(
            &self.register_path(),
            self.busy_timeout,
        )?)
    }

    /// Saves the record inside `command`'s register transaction, which logs
    /// the `(kind, subject)` event. The transaction holds the register's write
    /// lock, so a concurrent command's save cannot slip between the record's
    /// changed-on-disk check and its rename and silently replace it.
    pub fn save_record(
        &self,
        record: &mut RecordFile,
        command: &str,
        (kind, subject): (&str, &str),
    ) -> anyhow::Result<()> {
        let mut register = self.open_register(true)?;
        let changes = register.begin(command, self.now)?;
        changes.log(kind, subject, None)?;
        record.save()?;
        changes.commit()?;
        Ok(())
    }

    /// Opens the machine-wide advisory store.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        Ok(Store::open_waiting(&self.store_path, self.busy_timeout)?)
    }

    /// Reads the SOUP in use: an SBOM, a lockfile, or the project through `cargo metadata`
    /// (falling back to its Cargo.lock when metadata cannot run).
    pub fn read_inventory(&mut self, input: &InputArgs) -> anyhow::Result<Inventory> {
        if let Some(sbom) = &input.sbom {
            return Ok(inventory::read_sbom(sbom)?);
        }
        if let Some(lockfile) = &input.lockfile {
            return Ok(inventory::read_lockfile(lockfile)?);
        }
        let Some(manifest) = self.manifest.clone() else {
            return Err(anyhow!(
                "failed to find Cargo.toml in this directory or above: run in a Rust project, \
                 or name the input with --lockfile PATH or --sbom FILE"
            ));
        };
        // Always --locked: a read command must never rewrite the project's
        // Cargo.lock. A lockfile that is out of date is read as it is instead.
        let options = CargoOptions {
            offline: input.offline,
            locked: true,
            filter_platform: input.target.clone(),
        };
        match inventory::read_cargo_project(&manifest, &options) {
            Ok(inventory) => Ok(inventory),
            Err(metadata_error) => {
                let why = first_line(&metadata_error.to_string()).to_string();
                let lockfile =
                    find_upwards(manifest.parent().unwrap_or(Path::new(".")), "Cargo.lock")
                        .ok_or_else(|| anyhow!(metadata_error))?;
                if self.verbose {
                    self.out.note(&format!(
                        "note: `cargo metadata --locked` could not run ({why}); reading {} as it is",
                        lockfile.display()
                    ));
                }
                Ok(inventory::read_lockfile(&lockfile)?)
            }
        }
    }

    /// Identifies the working tree's input without parsing it: a lockfile or an
    /// SBOM by its bytes, a project by the inventory `cargo metadata` gave for it
    /// last time, while none of the files it was read from changed. `None` when
    /// the project has no such inventory: [`Context::read_inventory`] reads it.
    pub fn identify(
        &self,
        input: &InputArgs,
        register: &Register,
    ) -> anyhow::Result<Option<Identified>> {
        if let Some(path) = &input.sbom {
            return Ok(Some(Identified::of_file(path, false)?));
        }
        if let Some(path) = &input.lockfile {
            return Ok(Some(Identified::of_file(path, true)?));
        }
        let Some(manifest) = &self.manifest else {
            return Ok(None);
        };
        let program = program_identity();
        let mut cached =
            register.cached_inventory(manifest, &cargo_variant(input, false), program)?;
        if cached.is_none() && input.offline {
            cached = register.cached_inventory(manifest, &cargo_variant(input, true), program)?;
        }
        Ok(cached.map(|cached| Identified {
            input_path: cached.input_path.clone(),
            fingerprint: cached.fingerprint.clone(),
            unread: Unread::Cached(cached),
        }))
    }

    /// Reads the components of an identified input. A kept inventory that no
    /// longer parses is read again from the project.
    pub fn read_identified(
        &mut self,
        identified: Identified,
        input: &InputArgs,
    ) -> anyhow::Result<Inventory> {
        Ok(match identified.unread {
            Unread::Lockfile(path, bytes) => inventory::parse_any_lockfile(&path, &bytes, None)?,
            Unread::Sbom(path, bytes) => inventory::parse_sbom(&path, &bytes)?,
            Unread::Cached(cached) => match cached.read() {
                Some(inventory) => inventory,
                None => self.read_inventory(input)?,
            },
        })
    }

    /// Keeps the inventory [`Context::read_inventory`] read for the project, with
    /// the digests of the files it was read from, so the next audit can skip
    /// `cargo metadata`; returns the fingerprint of those files. The lockfile
    /// read when `cargo metadata --offline` could not run (crates of other
    /// platforms not downloaded, typically) is kept too, with the project's
    /// manifest, but reused only by offline runs: an online run tries again.
    pub fn keep_inventory(
        &self,
        changes: &Changes<'_>,
        input: &InputArgs,
        inventory: &Inventory,
    ) -> anyhow::Result<Option<String>> {
        let Some(manifest) = self
            .manifest
            .as_ref()
            .filter(|_| input.lockfile.is_none() && input.sbom.is_none())
        else {
            return Ok(None);
        };
        let fallback = inventory.format != InputFormat::CargoMetadata;
        if fallback && !input.offline {
            return Ok(None);
        }
        let mut paths = inventory.files.clone();
        if fallback {
            paths.push(manifest.clone());
        }
        let Some(files) = paths
            .iter()
            .map(|path| FileDigest::now(path))
            .collect::<Option<Vec<_>>>()
        else {
            return Ok(None);
        };
        // A lockfile changed since it was read would key the inventory wrongly.
        let lockfile_changed = files
            .iter()
            .any(|f| f.path == inventory.input.path && f.sha256 != inventory.input.sha256);
        if lockfile_changed {
            return Ok(None);
        }
        let variant = cargo_variant(input, fallback);
        changes.cache_inventory((manifest, &variant, program_identity()), &files, inventory)?;
        Ok(Some(fingerprint(&files)))
    }

    /// Ends a run that had no record with the hint to start one.
    pub fn hint_init(&mut self) {
        let hint = format!(
            "hint: no {RECORD_FILE} here, so nothing was written beside the project; \
             run `cargo soup init` to start the SOUP record"
        );
        self.out.note(&hint);
    }
}

/// The working tree's input, known by its content before it is parsed.
pub struct Identified {
    /// The path its pins are kept under: the input, or the workspace's Cargo.lock.
    pub input_path: String,
    /// A digest over every file its inventory is read from.
    pub fingerprint: String,
    unread: Unread,
}

/// What is left to do to read an identified input.
enum Unread {
    /// A lockfile's or an SBOM's bytes, parsed on demand.
    Lockfile(PathBuf, Vec<u8>),
    Sbom(PathBuf, Vec<u8>),
    /// The project's inventory as the register kept it.
    Cached(CachedInventory),
}

impl Identified {
    fn of_file(path: &Path, lockfile: bool) -> anyhow::Result<Identified> {
        let bytes = inventory::read_bytes(path)?;
        Ok(Identified {
            input_path: path.display().to_string(),
            fingerprint: if lockfile {
                inventory::lockfile_fingerprint(path, &bytes)?
            } else {
                inventory::sha256_hex(&bytes)
            },
            unread: if lockfile {
                Unread::Lockfile(path.to_path_buf(), bytes)
            } else {
                Unread::Sbom(path.to_path_buf(), bytes)
            },
        })
    }
}

/// What, besides the project's files and the build, decides the inventory kept
/// for it: the target platform, and whether it is the lockfile read because
/// `cargo metadata --offline` could not run.
fn cargo_variant(input: &InputArgs, offline_fallback: bool) -> String {
    let target = match &input.target {
        Some(triple) => format!("target {triple}"),
        None => "all targets".to_string(),
    };
    match offline_fallback {
        true => format!("{target}; offline, Cargo.lock only"),
        false => target,
    }
}

/// Which build of cargo-soup this is: its version and its executable's size and
/// time. A result kept by another build is not reused, as its rules may differ.
/// Looked up once per run.
pub fn program_identity() -> &'static str {
    static IDENTITY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    IDENTITY.get_or_init(identify_program)
}

fn identify_program() -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            format!("{} bytes, modified {modified}", m.len())
        })
        .unwrap_or_default();
    format!("cargo-soup {} ({exe})", env!("CARGO_PKG_VERSION"))
}

/// The first line of a long message.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// The nearest `name` in `dir` or its ancestors.
fn find_upwards(dir: &Path, name: &str) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(name)).find(|p| p.is_file())
}

/// Reads a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> anyhow::Result<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format)
        .map_err(|e| anyhow!("`{text}` is not a date (YYYY-MM-DD): {e}"))
}
