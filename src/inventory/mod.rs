//! The inventory (DESIGN.md §5): reads a Cargo project, a lockfile of any
//! supported ecosystem, an SBOM or the dependency list embedded in a shipped
//! binary into the SOUP [`Component`]s every later stage consumes, and names
//! the product packages it left out.
//!
//! Lockfiles ([`read_lockfile`]) are recognised by content first, by file name
//! second, and by a caller's hint only when neither tells (`detect.rs`): npm
//! `package-lock.json` / `npm-shrinkwrap.json` (v1–v3), yarn classic and berry
//! `yarn.lock`, `pnpm-lock.yaml` (6, 9), `uv.lock`, `poetry.lock`,
//! `Pipfile.lock`, pinned `requirements.txt`, `go.mod`, and `Cargo.lock`. Each
//! reader's module doc says what its file records and what it cannot (no
//! reader guesses a scope or a graph the file does not hold).
//!
//! Every reader produces components sorted by (ecosystem, name, version) and
//! de-duplicated by [`Component::key`]; the first occurrence wins.
//!
//! # Decisions auditors should know
//!
//! - **Product, not SOUP.** Cargo packages without a `source` (path and
//!   workspace members), a CycloneDX `metadata.component` (with its nested
//!   components) and the packages an SPDX document describes are the product.
//!   An SBOM entry with the same key, purl or bom-ref as a product entry is the
//!   product too (cargo-sbom lists workspace members both ways).
//! - **Other ecosystems.** Workspace, link and path entries (npm, yarn, pnpm,
//!   uv, Poetry, Pipenv editable, `go.mod` local `replace`) are the product.
//!   Names keep the file's spelling (`Django`); purls and matching use the
//!   PEP 503 name (`pkg:pypi/django`). An `npm:` alias is pinned under the
//!   package it installs. A requirement that is not an exact `==` pin is
//!   refused, listed by line, never guessed. A package name or version with
//!   control characters is refused: no registry publishes one.
//! - **A bare `Cargo.lock` has no dependency kinds**, so its components have
//!   [`Scope::Unknown`](crate::model::Scope::Unknown). `direct` and
//!   `dependency_path` come from the lockfile's own graph: a component is direct
//!   when a product package lists it among its dependencies, and its path is the
//!   shortest chain of names from a product package down to it.
//! - **`cargo metadata` is run with `--all-features`**, so its resolve holds
//!   the same packages as the lockfile (all of them unless
//!   [`CargoOptions::filter_platform`] narrows it to one target's). Scope is
//!   runtime when a workspace member reaches the package through normal
//!   dependencies only, build when build dependencies are needed, dev when dev
//!   dependencies are, and unknown when only edges of unknown kind lead to it.
//!   Checksums come from the lockfile; `source_url` is the Cargo source id
//!   (`repository` is the project's home, not where the code came from).
//! - **CycloneDX scope**: `required` is runtime, `excluded` is dev, `optional`
//!   or absent is unknown. A CycloneDX `dependencies` graph that starts at a
//!   product entry gives `direct` and `dependency_path` as for a lockfile;
//!   without a product, the components nothing depends on are direct and
//!   paths start at them. SPDX `DEPENDS_ON` / `DEPENDENCY_OF` relationships
//!   from the product give both too. Where the input has no such graph,
//!   `direct` is unknown and the path empty.
//! - **A shipped binary** (`cargo auditable build`) names each package's kind,
//!   runtime or build, and never dev-dependencies; its graph starts at the
//!   root package. Git and other-registry packages have no purl: the list
//!   does not say which repository or registry.
//!
//! # Lenient where the meaning is clear, strict where it is not
//!
//! Lenient: CycloneDX 1.6 is read through the 1.5 model (unknown fields are
//! ignored); nested `components[].components` are flattened; an SBOM entry's
//! identity and ecosystem come from its purl (`pkg:pypi/django`), its name
//! stays as published (`Django`) where it spells the purl's name under the
//! ecosystem's normalisation (else the purl's name is taken), matching always
//! compares normalised names, and a purl without a version takes the entry's
//! version; SPDX `NOASSERTION`/`NONE` mean "not known"; any `SPDX-2.x` is
//! read; a package that a described SPDX file was `GENERATED_FROM` is the
//! product (cargo-sbom describes files, not packages); SPDX ids are
//! document-local labels and never keys; version 1 lockfile entries that name
//! a git source without its `#rev` match the package with it. Free-text
//! licence names that are not SPDX identifiers are dropped, so `licenses` is
//! always an SPDX expression.
//!
//! Strict: JSON is read as CycloneDX only with `"bomFormat": "CycloneDX"` and
//! as SPDX only with `spdxVersion`; a CycloneDX spec version other than
//! 1.4–1.6, a Cargo.lock format version other than 1–4, an unparseable purl,
//! a component with no version at all, a Cargo dependency entry that matches
//! no single package (a reference without a source that several match means
//! the one path package among them, as for cargo), an unknown Cargo source kind, and any XML document with
//! a DTD are errors. The DTD is refused before parsing, so no entity is ever
//! resolved.

mod auditable;
mod cargo_lock;
mod cargo_project;
mod cyclonedx;
mod detect;
mod gomod;
mod graph;
mod npm;
mod npm_manifest;
mod pipfile;
mod pnpm;
mod poetry;
mod purl;
mod requirements;
mod spdx;
mod uv;
mod yarn_berry;
mod yarn_classic;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::digest::sha256_hex;
use serde::{Deserialize, Serialize};

use crate::model::{Component, Scope};

pub use auditable::parse_auditable_binary;
pub use cargo_lock::parse_lockfile;
#[cfg(test)]
pub(crate) use cargo_lock::real_lockfiles;
pub use cargo_project::{manifest_package_field, read_cargo_project};
pub use cyclonedx::{parse_cyclonedx_json, parse_cyclonedx_xml};
pub use detect::{
    detect, find_lockfiles, fingerprint_of, lockfile_fingerprint, parse_any_lockfile, read_any,
    read_input, read_lockfile, read_lockfile_as,
};
pub use gomod::parse_go_mod;
pub use npm::parse_npm_lock;
pub use pipfile::parse_pipfile_lock;
pub use pnpm::parse_pnpm_lock;
pub use poetry::parse_poetry_lock;
pub use requirements::parse_requirements;
pub use spdx::parse_spdx_json;
pub use uv::parse_uv_lock;
pub use yarn_berry::parse_yarn_berry;
pub use yarn_classic::parse_yarn_classic;

/// The SOUP components read from one input, and the product packages left out.
/// Serialised only into the register's cache of `cargo metadata` results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// The file the pins were seen in.
    pub input: InputFile,
    /// The reader that read it.
    pub format: InputFormat,
    /// The SOUP components, sorted by (ecosystem, name, version), unique by key.
    pub components: Vec<Component>,
    /// Names of path/workspace packages or the SBOM's described product: not SOUP.
    pub product: Vec<String>,
    /// Every file the components were read from: the input, and for `cargo
    /// metadata` also the manifest of each workspace and path package. While
    /// none of them changes, neither does the inventory.
    pub files: Vec<PathBuf>,
}

/// The file an inventory was read from, so a pin can say where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// The path as given (for `cargo metadata`, the workspace's `Cargo.lock`).
    pub path: PathBuf,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Which reader produced an inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InputFormat {
    /// `cargo metadata` on a manifest, pins from its `Cargo.lock`.
    #[serde(rename = "cargo-metadata")]
    CargoMetadata,
    /// A bare `Cargo.lock`.
    #[serde(rename = "cargo-lock")]
    CargoLock,
    /// CycloneDX 1.4–1.6 JSON.
    #[serde(rename = "cyclonedx-json")]
    CycloneDxJson,
    /// CycloneDX 1.4–1.6 XML.
    #[serde(rename = "cyclonedx-xml")]
    CycloneDxXml,
    /// SPDX 2.x JSON.
    #[serde(rename = "spdx-json")]
    SpdxJson,
    /// The dependency list `cargo auditable` embedded in an executable.
    #[serde(rename = "auditable-binary")]
    AuditableBinary,
    /// npm `package-lock.json` or `npm-shrinkwrap.json`, lockfile versions 1 to 3.
    #[serde(rename = "npm-lock")]
    NpmLock,
    /// yarn classic (v1) `yarn.lock`.
    #[serde(rename = "yarn-classic")]
    YarnClassic,
    /// yarn berry (v2 and later) `yarn.lock`, YAML with `__metadata`.
    #[serde(rename = "yarn-berry")]
    YarnBerry,
    /// `pnpm-lock.yaml`, lockfile versions 6 and 9.
    #[serde(rename = "pnpm-lock")]
    PnpmLock,
    /// uv's `uv.lock`.
    #[serde(rename = "uv-lock")]
    UvLock,
    /// Poetry's `poetry.lock`, 1.x and 2.x.
    #[serde(rename = "poetry-lock")]
    PoetryLock,
    /// Pipenv's `Pipfile.lock`.
    #[serde(rename = "pipfile-lock")]
    PipfileLock,
    /// A `requirements.txt` of `==` pins.
    #[serde(rename = "requirements-txt")]
    RequirementsTxt,
    /// A Go module's `go.mod` (with `go.sum` beside it, when there is one).
    #[serde(rename = "go-mod")]
    GoMod,
}

impl InputFormat {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::CargoMetadata => "cargo-metadata",
            InputFormat::CargoLock => "cargo-lock",
            InputFormat::CycloneDxJson => "cyclonedx-json",
            InputFormat::CycloneDxXml => "cyclonedx-xml",
            InputFormat::SpdxJson => "spdx-json",
            InputFormat::AuditableBinary => "auditable-binary",
            InputFormat::NpmLock => "npm-lock",
            InputFormat::YarnClassic => "yarn-classic",
            InputFormat::YarnBerry => "yarn-berry",
            InputFormat::PnpmLock => "pnpm-lock",
            InputFormat::UvLock => "uv-lock",
            InputFormat::PoetryLock => "poetry-lock",
            InputFormat::PipfileLock => "pipfile-lock",
            InputFormat::RequirementsTxt => "requirements-txt",
            InputFormat::GoMod => "go-mod",
        }
    }

    /// What such an input is, as a sentence names it ("a requirements.txt").
    pub fn noun(self) -> &'static str {
        match self {
            InputFormat::CargoMetadata => "a Cargo project",
            InputFormat::CargoLock => "a Cargo.lock",
            InputFormat::CycloneDxJson => "a CycloneDX JSON SBOM",
            InputFormat::CycloneDxXml => "a CycloneDX XML SBOM",
            InputFormat::SpdxJson => "an SPDX JSON SBOM",
            InputFormat::AuditableBinary => "a binary's `cargo auditable` dependency list",
            InputFormat::NpmLock => "a package-lock.json",
            InputFormat::YarnClassic => "a yarn.lock (classic)",
            InputFormat::YarnBerry => "a yarn.lock (berry)",
            InputFormat::PnpmLock => "a pnpm-lock.yaml",
            InputFormat::UvLock => "a uv.lock",
            InputFormat::PoetryLock => "a poetry.lock",
            InputFormat::PipfileLock => "a Pipfile.lock",
            InputFormat::RequirementsTxt => "a requirements.txt",
            InputFormat::GoMod => "a go.mod",
        }
    }

    /// Why an input of this format may not say which of its items are
    /// direct: an SBOM may leave its dependency graph out; the others have none.
    pub fn without_directness(self) -> String {
        match self {
            InputFormat::CycloneDxJson | InputFormat::CycloneDxXml | InputFormat::SpdxJson => {
                format!("{} without a dependency graph", self.noun())
            }
            _ => format!("{}, which has no dependency graph", self.noun()),
        }
    }
}

impl Inventory {
    /// True when some of its SOUP items do not say whether they are direct.
    pub fn lacks_directness(&self) -> bool {
        self.components
            .iter()
            .any(|c| c.direct.is_none() && c.is_matchable())
    }
}

/// How `cargo metadata` may resolve the project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CargoOptions {
    /// Pass `--offline`: never touch the network.
    pub offline: bool,
    /// Pass `--locked`: fail rather than change `Cargo.lock`.
    pub locked: bool,
    /// Pass `--filter-platform <triple>`: only the packages that target builds,
    /// which also spares an offline run the other platforms' crates.
    pub filter_platform: Option<String>,
}

/// Why an input could not be read; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The file could not be read at all.
    #[error("failed to read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not well-formed (TOML, JSON, XML, UTF-8), or a required field is missing.
    #[error("failed to parse {}{}: {message}", path.display(), at_line(*line))]
    Syntax {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// A `Cargo.lock` format this reader does not know.
    #[error(
        "failed to read {}{}: Cargo.lock format version {version} is not supported (1 to 4 are)",
        path.display(), at_line(*line)
    )]
    UnsupportedLockfileVersion {
        path: PathBuf,
        line: Option<usize>,
        version: i64,
    },
    /// A Cargo source id that is neither a registry nor git.
    #[error(
        "failed to read {}{}: package `{package}` has source `{source_id}`, which is neither a registry nor git",
        path.display(), at_line(*line)
    )]
    UnknownCargoSource {
        path: PathBuf,
        line: Option<usize>,
        package: String,
        source_id: String,
    },
    /// A lockfile dependency entry that names no single package.
    #[error(
        "failed to resolve dependency `{dependency}` of package `{package}` in {}{}: {problem}",
        path.display(), at_line(*line)
    )]
    UnresolvedDependency {
        path: PathBuf,
        line: Option<usize>,
        package: String,
        dependency: String,
        problem: String,
    },
    /// A CycloneDX spec version other than 1.4, 1.5, 1.6.
    #[error(
        "failed to read {}: CycloneDX spec version {version} is not supported (1.4, 1.5 and 1.6 are)",
        path.display()
    )]
    UnsupportedCycloneDxVersion { path: PathBuf, version: String },
    /// An SPDX version other than 2.x.
    #[error(
        "failed to read {}: SPDX version {version} is not supported (SPDX-2.x is)",
        path.display()
    )]
    UnsupportedSpdxVersion { path: PathBuf, version: String },
    /// An XML document with a DTD, refused unparsed.
    #[error(
        "failed to read {}{}: the XML has a document type declaration (<!DOCTYPE>), refused so that no entity is ever resolved",
        path.display(), at_line(*line)
    )]
    XmlDoctype { path: PathBuf, line: Option<usize> },
    /// Empty, binary, or neither CycloneDX nor SPDX.
    #[error("failed to recognise {} as an SBOM: {reason}", path.display())]
    UnknownFormat { path: PathBuf, reason: String },
    /// A purl the `packageurl` crate cannot parse or build.
    #[error(
        "failed to read component `{component}` in {}: package URL `{purl}` is invalid: {reason}",
        path.display()
    )]
    InvalidPurl {
        path: PathBuf,
        component: String,
        purl: String,
        reason: String,
    },
    /// A component with no version in its entry or its purl.
    #[error(
        "failed to read component `{component}` in {}: it has no version, so it cannot be pinned",
        path.display()
    )]
    MissingVersion { path: PathBuf, component: String },
    /// Another kind of input where a `Cargo.lock` was expected.
    #[error("failed to read {} as a Cargo.lock: this looks like {looks_like}; {hint}", path.display())]
    NotACargoLock {
        path: PathBuf,
        looks_like: &'static str,
        hint: &'static str,
    },
    /// An executable without the dependency list `cargo auditable` embeds.
    #[error(
        "failed to read the dependencies of {}: it holds no list from `cargo auditable`; build it with `cargo auditable build` to embed one",
        path.display()
    )]
    NoAuditableData { path: PathBuf },
    /// The embedded list is there but unreadable, or over the size limits.
    #[error("failed to read the `cargo auditable` list of {}: {message}", path.display())]
    AuditableData { path: PathBuf, message: String },
    /// Not a lockfile this tool reads, or one that cannot be told from another.
    #[error("failed to recognise {} as a lockfile: {reason}", path.display())]
    UnknownLockfile { path: PathBuf, reason: String },
    /// A lockfile format version this reader does not know.
    #[error(
        "failed to read {}: {format} version {version} is not supported ({supported})",
        path.display()
    )]
    UnsupportedFormatVersion {
        path: PathBuf,
        format: &'static str,
        version: String,
        supported: &'static str,
    },
    /// Requirements that name no exact version: not pins, and never guessed.
    #[error(
        "failed to read {}: {} not pinned with `==` (pin every requirement, e.g. with `uv pip compile`): {}",
        path.display(), count_of(unpinned.len()), unpinned.join("; ")
    )]
    Unpinned {
        path: PathBuf,
        unpinned: Vec<String>,
    },
    /// A package name or version with control characters: no npm, PyPI or Go
    /// registry publishes one, so the lockfile is corrupt or forged.
    #[error(
        "failed to read {}: package `{}` has control characters in its name or version",
        path.display(), package.escape_debug()
    )]
    ControlCharacters { path: PathBuf, package: String },
    /// A module that `go.mod` requires but `go.sum` has no line for.
    #[error(
        "failed to confirm {} against {}: `{module} {version}` has no checksum line there",
        path.display(), go_sum.display()
    )]
    NotInGoSum {
        path: PathBuf,
        go_sum: PathBuf,
        module: String,
        version: String,
    },
    /// `cargo metadata` failed (missing manifest, offline without the crates, ...).
    #[error("failed to run `cargo metadata` for {}: {message}", path.display())]
    CargoMetadata { path: PathBuf, message: String },
}

/// "1 requirement is" / "N requirements are", for the unpinned error.
fn count_of(n: usize) -> String {
    if n == 1 {
        "1 requirement is".to_string()
    } else {
        format!("{n} requirements are")
    }
}

/// ` line N` when the line is known, for error messages.
fn at_line(line: Option<usize>) -> String {
    line.map(|n| format!(" line {n}")).unwrap_or_default()
}

/// Reads the dependency list `cargo auditable build` embedded in an executable.
pub fn read_binary(path: &Path) -> Result<Inventory, InventoryError> {
    parse_auditable_binary(path, &read_bytes(path)?)
}

/// Reads a CycloneDX (JSON or XML) or SPDX JSON SBOM, told apart by content.
pub fn read_sbom(path: &Path) -> Result<Inventory, InventoryError> {
    parse_sbom(path, &read_bytes(path)?)
}

/// Parses SBOM bytes of any supported format, told apart by content.
pub fn parse_sbom(path_for_messages: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let path = path_for_messages;
    let unknown = |reason: &str| InventoryError::UnknownFormat {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let text = utf8_text(path, bytes)?;
    match text.trim_start().chars().next() {
        None => Err(unknown("the file is empty")),
        Some('<') => parse_cyclonedx_xml(path, bytes),
        Some('{') => {
            let value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
            if value.get("bomFormat").and_then(|f| f.as_str()) == Some("CycloneDX") {
                cyclonedx::from_json_value(path, bytes, value)
            } else if value.get("spdxVersion").is_some() {
                parse_spdx_json(path, bytes)
            } else {
                Err(unknown(
                    "JSON that is neither CycloneDX (`bomFormat`) nor SPDX (`spdxVersion`)",
                ))
            }
        }
        Some(_) => Err(unknown("neither JSON nor XML")),
    }
}

/// The error for an SBOM or an npm lockfile read as a `Cargo.lock`, told by
/// its content, naming what to pass instead; `None` for anything else.
fn not_a_cargo_lock(path: &Path, text: &str) -> Option<InventoryError> {
    const SBOM: &str = "pass it with --sbom";
    let start = text.trim_start();
    let (looks_like, hint) = if start.starts_with('<') {
        start
            .contains(cyclonedx::XML_NAMESPACE)
            .then_some(("a CycloneDX SBOM (XML)", SBOM))?
    } else {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        if value.get("bomFormat").and_then(|f| f.as_str()) == Some("CycloneDX") {
            ("a CycloneDX SBOM", SBOM)
        } else if value.get("spdxVersion").is_some() {
            ("an SPDX SBOM", SBOM)
        } else if value.get("lockfileVersion").is_some() {
            (
                "an npm lockfile (package-lock.json)",
                "make an SBOM of it (`npm sbom --sbom-format cyclonedx`) and pass that with --sbom",
            )
        } else {
            return None;
        }
    };
    Some(InventoryError::NotACargoLock {
        path: path.to_path_buf(),
        looks_like,
        hint,
    })
}

/// The largest input read: far above any real lockfile or SBOM, but bounded, so
/// that a device or a runaway file cannot exhaust memory.
const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;

/// Reads a whole file of at most [`MAX_INPUT_BYTES`], naming it on failure.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, InventoryError> {
    use std::io::Read;
    let failed = |source| InventoryError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(failed)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(failed(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is larger than the 512 MiB an input may be",
        )));
    }
    Ok(bytes)
}

/// The bytes as text, without a leading byte-order mark; binary input is an error.
fn utf8_text<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, InventoryError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(e) => Err(InventoryError::Syntax {
            path: path.to_path_buf(),
            line: Some(line_at(bytes, e.valid_up_to())),
            message: "the file is not UTF-8 text (binary?)".to_string(),
        }),
    }
}

/// The 1-based line holding byte `offset`.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    bytes
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// A JSON syntax or shape error, with its line.
fn json_error(path: &Path, e: &serde_json::Error) -> InventoryError {
    InventoryError::Syntax {
        path: path.to_path_buf(),
        line: (e.line() > 0).then_some(e.line()),
        message: e.to_string(),
    }
}

/// A YAML syntax or shape error, with its line.
fn yaml_error(path: &Path, e: &serde_yaml_ng::Error) -> InventoryError {
    InventoryError::Syntax {
        path: path.to_path_buf(),
        line: e.location().map(|l| l.line()),
        message: e.to_string(),
    }
}

/// The input file's identity: its path and the SHA-256 of its bytes.
fn input_file(path: &Path, bytes: &[u8]) -> InputFile {
    InputFile {
        path: path.to_path_buf(),
        sha256: sha256_hex(bytes),
    }
}

/// Assembles an inventory: components sorted and de-duplicated by key (the
/// first occurrence wins, but takes the strongest scope and `direct` of all
/// copies: a package installed twice is runtime if either copy is), product
/// names sorted and de-duplicated.
fn finish(
    path: &Path,
    bytes: &[u8],
    format: InputFormat,
    components: Vec<Component>,
    product: Vec<String>,
) -> Inventory {
    finish_hashed(input_file(path, bytes), format, components, product)
}

/// [`finish`] for an input whose digest the reader took itself.
fn finish_hashed(
    input: InputFile,
    format: InputFormat,
    components: Vec<Component>,
    mut product: Vec<String>,
) -> Inventory {
    // Where each copy goes: the index of the first component of its key. The
    // keys are borrowed, so that no component's key is copied to find them.
    let mut first: foldhash::HashMap<Cow<'_, str>, usize> =
        foldhash::HashMap::with_capacity_and_hasher(components.len(), Default::default());
    let into: Vec<usize> = components
        .iter()
        .enumerate()
        .map(|(i, c)| *first.entry(c.key()).or_insert(i))
        .collect();
    drop(first);
    let mut kept: Vec<Option<Component>> = Vec::with_capacity(components.len());
    for (c, into) in components.into_iter().zip(into) {
        match kept.get_mut(into).and_then(Option::as_mut) {
            Some(earlier) => {
                if scope_rank(c.scope) < scope_rank(earlier.scope) {
                    earlier.scope = c.scope;
                }
                if c.is_direct() {
                    earlier.direct = Some(true);
                }
                kept.push(None);
            }
            None => kept.push(Some(c)),
        }
    }
    let mut components: Vec<Component> = kept.into_iter().flatten().collect();
    // The key only breaks ties (one name and version from two sources), so it
    // is made only for those: making it for every comparison was most of the sort.
    components.sort_by(|a, b| {
        (&a.ecosystem, &a.name, &a.version)
            .cmp(&(&b.ecosystem, &b.name, &b.version))
            .then_with(|| a.key().cmp(&b.key()))
    });
    product.sort();
    product.dedup();
    Inventory {
        files: vec![input.path.clone()],
        input,
        format,
        components,
        product,
    }
}

/// How strongly a scope ties a package to the product: runtime first.
fn scope_rank(scope: Scope) -> u8 {
    match scope {
        Scope::Runtime => 0,
        Scope::Build => 1,
        Scope::Dev => 2,
        Scope::Unknown => 3,
    }
}

/// The preferred checksum among `(algorithm, hex)` pairs, as `sha256:<hex>`:
/// the strongest common algorithm first.
fn pick_checksum<A: AsRef<str>, H: AsRef<str>>(
    hashes: impl IntoIterator<Item = (A, H)>,
) -> Option<String> {
    const PREFERENCE: [&str; 5] = ["sha256", "sha512", "sha384", "sha1", "md5"];
    let normalised: Vec<(String, H)> = hashes
        .into_iter()
        .map(|(alg, hex)| {
            (
                alg.as_ref().to_ascii_lowercase().replace(['-', '_'], ""),
                hex,
            )
        })
        .collect();
    PREFERENCE.iter().find_map(|want| {
        normalised
            .iter()
            .find(|(alg, _)| alg == want)
            .map(|(alg, hex)| format!("{alg}:{}", hex.as_ref().to_ascii_lowercase()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_at(b"a\nb\nc", 0), 1);
        assert_eq!(line_at(b"a\nb\nc", 2), 2);
        assert_eq!(line_at(b"a\nb\nc", 99), 3);
    }

    #[test]
    fn checksum_prefers_sha256() {
        let got = pick_checksum([("SHA-1", "AA"), ("SHA-256", "BB"), ("SHA512", "cc")]);
        assert_eq!(got.as_deref(), Some("sha256:bb"));
        assert_eq!(
            pick_checksum([("SHA512", "cc")]).as_deref(),
            Some("sha512:cc")
        );
        assert_eq!(pick_checksum([("BLAKE3", "dd")]), None);
    }

    #[test]
    fn sbom_detection_names_the_file() {
        let path = Path::new("x.json");
        for bytes in [&b""[..], b"   \n", b"[1,2]", b"{\"a\":1}", b"\xff\xfe\x00"] {
            let err = parse_sbom(path, bytes).unwrap_err().to_string();
            assert!(err.contains("x.json"), "{err}");
        }
    }

    #[test]
    fn sboms_and_npm_lockfiles_are_not_cargo_locks() {
        let path = Path::new("Cargo.lock");
        let cases = [
            (
                &br#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#[..],
                "a CycloneDX SBOM;",
            ),
            (
                b"<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>",
                "(XML)",
            ),
            (br#"{"spdxVersion":"SPDX-2.3"}"#, "an SPDX SBOM"),
            (br#"{"name":"x","lockfileVersion":3}"#, "an npm lockfile"),
        ];
        for (bytes, looks_like) in cases {
            let err = parse_lockfile(path, bytes).unwrap_err();
            assert!(matches!(err, InventoryError::NotACargoLock { .. }), "{err}");
            assert!(err.to_string().contains(looks_like), "{err}");
            assert!(err.to_string().contains("--sbom"), "{err}");
        }
        for other in [&b"{\"a\":1}"[..], b"<html/>", b"[[package]]\nname = 1\n"] {
            let err = parse_lockfile(path, other).unwrap_err();
            assert!(matches!(err, InventoryError::Syntax { .. }), "{err}");
        }
    }

    /// A package listed three times is one component: the first copy, with
    /// the strongest scope and `direct` of all three.
    #[test]
    fn copies_of_a_component_are_one_with_the_strongest_scope() {
        let copy = |scope, direct, checksum: &str| {
            let mut c = Component::new(crate::model::Ecosystem::Npm, "left-pad", "1.3.0");
            c.purl = crate::model::Purl::build("npm", None, "left-pad", "1.3.0", &[]).ok();
            (c.scope, c.direct) = (scope, Some(direct));
            c.checksum = Some(checksum.to_string());
            c
        };
        let other = Component::new(crate::model::Ecosystem::Npm, "is-odd", "3.0.1");
        let components = vec![
            copy(Scope::Dev, false, "sha512:first"),
            other.clone(),
            copy(Scope::Runtime, false, "sha512:second"),
            copy(Scope::Build, true, "sha512:third"),
        ];
        let inventory = finish(
            Path::new("package-lock.json"),
            b"{}",
            InputFormat::NpmLock,
            components,
            vec!["app".into(), "app".into()],
        );
        let [odd, pad] = inventory.components.as_slice() else {
            panic!("{:?}", inventory.components);
        };
        assert_eq!(odd, &other);
        assert_eq!(pad.checksum.as_deref(), Some("sha512:first"));
        assert_eq!((pad.scope, pad.direct), (Scope::Runtime, Some(true)));
        assert_eq!(inventory.product, vec!["app"]);
        assert_eq!(inventory.input.sha256, sha256_hex(b"{}"));
    }

    #[test]
    fn input_file_hashes_bytes() {
        let f = input_file(Path::new("a"), b"abc");
        assert_eq!(
            f.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
