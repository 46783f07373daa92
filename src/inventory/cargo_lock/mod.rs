//! `Cargo.lock`, format versions 1 to 4.
//!
//! Every `[[package]]` with a `source` is a component; packages without one
//! are the product. Version 1 keeps checksums in `[metadata]` under
//! `"checksum <name> <version> (<source>)"` and writes every dependency as
//! `"<name> <version> (<source>)"`; later versions keep `checksum` on the
//! package and shorten dependencies to `"<name>"` or `"<name> <version>"`
//! when that is unambiguous. A path package has no source to write, so a
//! reference without one that also matches a registry package of the same
//! name and version means the path package, as cargo reads it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use foldhash::HashMap;
use serde::Deserialize;
use toml::Spanned;

use super::graph::{DepGraph, EdgeKind};
use super::purl::{CargoSource, cargo_purl};
use super::{
    InputFile, InputFormat, Inventory, InventoryError, finish_hashed, line_at, not_a_cargo_lock,
    utf8_text,
};
use crate::digest::sha256_hex;
use crate::model::{Component, Ecosystem, SourceKind};

mod as_written;

/// The lockfile as written, only what the inventory needs, as the full TOML
/// parser reads it.
#[derive(Deserialize)]
struct RawLockfile<'a> {
    version: Option<Spanned<i64>>,
    #[serde(borrow)]
    package: Vec<Spanned<RawPackage<'a>>>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

/// One `[[package]]` entry, its strings borrowed from the lockfile's text
/// where a reader can: a large lockfile has tens of thousands of them.
#[derive(Debug, PartialEq, Eq, Deserialize)]
struct RawPackage<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    version: Cow<'a, str>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    checksum: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    dependencies: Vec<Cow<'a, str>>,
}

/// The lockfile, whichever reader read it: the format version with its line,
/// every package with the line it starts on (for error messages), and the
/// v1 checksums of `[metadata]`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Lockfile<'a> {
    version: Option<(i64, usize)>,
    packages: Vec<Package<'a>>,
    metadata: BTreeMap<String, String>,
}

/// One package with the line it starts on.
#[derive(Debug, PartialEq, Eq)]
struct Package<'a> {
    raw: RawPackage<'a>,
    line: usize,
}

/// Parses `Cargo.lock` bytes into an inventory (see the module doc).
pub fn parse_lockfile(path_for_messages: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let path = path_for_messages;
    let text = utf8_text(path, bytes)?;
    let lockfile = match as_written::read(text) {
        Some(lockfile) => lockfile,
        None => parse_toml(path, text)?,
    };
    check_version(path, lockfile.version)?;
    let packages = &lockfile.packages;
    // The graph on one core; the components, then the file's digest, on the
    // other. Each was a quarter to a third of reading a large lockfile, and
    // neither needs the other until each component takes its place.
    let (placed, read, sha256) = std::thread::scope(|scope| {
        let placing = scope.spawn(|| places(path, packages));
        let read = components_of(path, packages, &lockfile.metadata);
        let sha256 = sha256_hex(bytes);
        let placed = placing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (placed, read, sha256)
    });
    let (direct, paths) = placed?;
    let (mut components, product) = read?;
    let sourced = packages.iter().zip(direct.into_iter().zip(paths));
    let places = sourced.filter_map(|(p, place)| p.raw.source.as_ref().map(|_| place));
    for (c, (is_direct, path_to)) in components.iter_mut().zip(places) {
        c.direct = Some(is_direct);
        c.dependency_path = path_to;
    }
    let input = InputFile {
        path: path.to_path_buf(),
        sha256,
    };
    Ok(finish_hashed(
        input,
        InputFormat::CargoLock,
        components,
        product,
    ))
}

/// Where each package stands in the dependency graph: whether the product
/// depends on it directly, and its shortest dependency path from the product.
fn places(
    path: &Path,
    packages: &[Package<'_>],
) -> Result<(Vec<bool>, Vec<Vec<String>>), InventoryError> {
    let graph = build_graph(path, packages)?;
    let roots: Vec<usize> = (0..packages.len())
        .filter(|&i| packages.get(i).is_some_and(|p| p.raw.source.is_none()))
        .collect();
    Ok((graph.direct(&roots), graph.shortest_paths(&roots)))
}

/// Each package with a source as a component, in the lockfile's order, and
/// the names of the others: the product.
fn components_of(
    path: &Path,
    packages: &[Package<'_>],
    metadata: &BTreeMap<String, String>,
) -> Result<(Vec<Component>, Vec<String>), InventoryError> {
    let mut components = Vec::with_capacity(packages.len());
    let mut product = Vec::new();
    for package in packages {
        match &package.raw.source {
            None => product.push(package.raw.name.to_string()),
            Some(source) => {
                let mut c = cargo_component(
                    path,
                    Some(package.line),
                    &package.raw.name,
                    &package.raw.version,
                    source,
                )?;
                c.checksum = package_checksum(&package.raw, metadata);
                components.push(c);
            }
        }
    }
    Ok((components, product))
}

/// The lockfile through the full TOML parser: any file [`as_written`] gives
/// up on, and every malformed one, whose error names its line.
fn parse_toml<'a>(path: &Path, text: &'a str) -> Result<Lockfile<'a>, InventoryError> {
    let raw: RawLockfile = toml::from_str(text).map_err(|e| {
        not_a_cargo_lock(path, text).unwrap_or_else(|| InventoryError::Syntax {
            path: path.to_path_buf(),
            line: e.span().map(|span| line_at(text.as_bytes(), span.start)),
            message: e.message().trim().to_string(),
        })
    })?;
    // Each package's line by binary search over the newline offsets: counting
    // from the top for every package is quadratic (seconds at 8,000 packages).
    let newlines: Vec<usize> = text.match_indices('\n').map(|(at, _)| at).collect();
    let line_of = |offset: usize| newlines.partition_point(|&at| at < offset) + 1;
    Ok(Lockfile {
        version: raw.version.map(|v| (*v.get_ref(), line_of(v.span().start))),
        packages: raw
            .package
            .into_iter()
            .map(|p| Package {
                line: line_of(p.span().start),
                raw: p.into_inner(),
            })
            .collect(),
        metadata: raw.metadata,
    })
}

/// Refuses format versions this reader does not know.
fn check_version(path: &Path, version: Option<(i64, usize)>) -> Result<(), InventoryError> {
    match version {
        Some((version, line)) if !(1..=4).contains(&version) => {
            Err(InventoryError::UnsupportedLockfileVersion {
                path: path.to_path_buf(),
                line: Some(line),
                version,
            })
        }
        _ => Ok(()),
    }
}

/// A Cargo package with a source as a component: registry or git, with its
/// canonical purl and the source id as `source_url`. Shared with the
/// `cargo metadata` reader so both routes pin alike.
pub(super) fn cargo_component(
    path: &Path,
    line: Option<usize>,
    name: &str,
    version: &str,
    source: &str,
) -> Result<Component, InventoryError> {
    let kind = CargoSource::parse(source).ok_or_else(|| InventoryError::UnknownCargoSource {
        path: path.to_path_buf(),
        line,
        package: format!("{name} {version}"),
        source_id: source.to_string(),
    })?;
    let mut c = Component::new(Ecosystem::CratesIo, name, version);
    c.purl = Some(cargo_purl(path, name, version, kind)?);
    c.source = match kind {
        CargoSource::Git { .. } => SourceKind::Git,
        CargoSource::CratesIo | CargoSource::Registry(_) => SourceKind::Registry,
    };
    c.source_url = Some(source.to_string());
    Ok(c)
}

/// The package's checksum, inline (v2+) or from `[metadata]` (v1).
fn package_checksum(p: &RawPackage<'_>, metadata: &BTreeMap<String, String>) -> Option<String> {
    let inline = p.checksum.as_deref();
    let from_metadata = || {
        let key = format!(
            "checksum {} {} ({})",
            p.name,
            p.version,
            p.source.as_deref()?
        );
        metadata
            .get(&key)
            .map(String::as_str)
            .filter(|&v| v != "<none>")
    };
    inline
        .or_else(from_metadata)
        .map(|hex| format!("sha256:{hex}"))
}

/// The dependency graph, every dependency entry resolved to exactly one package.
fn build_graph(path: &Path, packages: &[Package<'_>]) -> Result<DepGraph, InventoryError> {
    let mut graph = DepGraph::default();
    let mut index = PackageNames::default();
    for (i, p) in packages.iter().enumerate() {
        graph.add_node(&p.raw.name);
        index.add(i, &p.raw);
    }
    for (from, p) in packages.iter().enumerate() {
        for entry in &p.raw.dependencies {
            let to = resolve(&index, packages, entry).map_err(|problem| {
                InventoryError::UnresolvedDependency {
                    path: path.to_path_buf(),
                    line: Some(p.line),
                    package: format!("{} {}", p.raw.name, p.raw.version),
                    dependency: entry.to_string(),
                    problem,
                }
            })?;
            graph.add_edge(from, to, EdgeKind::Unknown);
        }
    }
    Ok(graph)
}

/// The packages by name, and by name and version where that names one: a
/// large lockfile has tens of thousands of dependency entries, nearly all
/// `"name version"` of one package, each then one look-up instead of a
/// comparison with every version of the name.
#[derive(Default)]
struct PackageNames<'a> {
    by_name: HashMap<&'a str, Vec<usize>>,
    by_name_version: HashMap<(&'a str, &'a str), Option<usize>>,
}

impl<'a> PackageNames<'a> {
    fn add(&mut self, i: usize, p: &'a RawPackage<'_>) {
        self.by_name.entry(p.name.as_ref()).or_default().push(i);
        self.by_name_version
            .entry((p.name.as_ref(), p.version.as_ref()))
            .and_modify(|only| *only = None)
            .or_insert(Some(i));
    }
}

/// The one package a dependency entry (`name [version] [(source)]`) names.
fn resolve(
    index: &PackageNames<'_>,
    packages: &[Package<'_>],
    entry: &str,
) -> Result<usize, String> {
    let mut words = entry.splitn(3, ' ');
    let name = words.next().unwrap_or_default();
    let version = words.next();
    let source = words.next();
    if let (Some(version), None) = (version, source)
        && let Some(&Some(only)) = index.by_name_version.get(&(name, version))
    {
        return Ok(only);
    }
    let source = source.map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    let mut candidates = index
        .by_name
        .get(name)
        .into_iter()
        .flatten()
        .copied()
        .filter(|&i| {
            packages.get(i).is_some_and(|p| {
                version.is_none_or(|v| p.raw.version == v)
                    && source.is_none_or(|s| {
                        p.raw.source.as_deref().map(without_revision) == Some(without_revision(s))
                    })
            })
        });
    // Nearly every entry names one package: the list is made only when not.
    let (first, second) = (candidates.next(), candidates.next());
    let (Some(first), Some(second)) = (first, second) else {
        return first.ok_or_else(|| "no package in the lockfile matches it".to_string());
    };
    let candidates: Vec<usize> = [first, second].into_iter().chain(candidates).collect();
    source
        .is_none()
        .then(|| single_path_package(packages, &candidates))
        .flatten()
        .ok_or_else(|| ambiguity(packages, &candidates))
}

/// Names every package an ambiguous reference matches, with its source.
fn ambiguity(packages: &[Package<'_>], candidates: &[usize]) -> String {
    let named: Vec<String> = candidates
        .iter()
        .filter_map(|&i| packages.get(i))
        .map(|p| {
            let source = p.raw.source.as_deref().unwrap_or("a path package");
            format!("`{} {} ({source})`", p.raw.name, p.raw.version)
        })
        .collect();
    format!(
        "it is ambiguous: {} packages match it: {}",
        named.len(),
        named.join(", ")
    )
}

/// Cargo's reading of a reference without a source that several packages
/// match: it means the one path package among them, as cargo omits the
/// source only where it cannot write one (a workspace member and a crates.io
/// crate of one name and version). `None` unless exactly one is a path package.
fn single_path_package(packages: &[Package<'_>], candidates: &[usize]) -> Option<usize> {
    let mut path_packages = candidates
        .iter()
        .copied()
        .filter(|&i| packages.get(i).is_some_and(|p| p.raw.source.is_none()));
    match (path_packages.next(), path_packages.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// A source id without its locked revision: v1 dependency entries name git
/// sources without the `#rev` the package itself carries.
fn without_revision(source: &str) -> &str {
    source.split('#').next().unwrap_or(source)
}

/// Every real lockfile in the fixtures, as cargo wrote it, by path.
#[cfg(test)]
pub(crate) fn real_lockfiles() -> Vec<(std::path::PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lockfiles");
    let mut found: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(".Cargo.lock"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"
[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "serde"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "abcd"
"#;

    #[test]
    fn v1_checksums_come_from_metadata() {
        let inv = parse_lockfile(Path::new("Cargo.lock"), V1.as_bytes()).unwrap();
        assert_eq!(inv.product, vec!["app"]);
        let serde = &inv.components[0];
        assert_eq!(serde.checksum.as_deref(), Some("sha256:abcd"));
        assert_eq!(serde.direct, Some(true));
        assert_eq!(serde.dependency_path, vec!["app", "serde"]);
        assert_eq!(serde.purl_str(), Some("pkg:cargo/serde@1.0.0"));
    }

    #[test]
    fn ambiguous_or_dangling_dependencies_are_errors() {
        let text = "version = 3\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"nope\"]\n";
        let err = parse_lockfile(Path::new("Cargo.lock"), text.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                InventoryError::UnresolvedDependency { line: Some(2), .. }
            ),
            "{err}"
        );
    }

    /// Two path packages and a crates.io package of one name and version.
    const SHARED_NAME: &str = r#"version = 4
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["itoa 1.0.0"]

[[package]]
name = "itoa"
version = "1.0.0"

[[package]]
name = "itoa"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn a_reference_without_source_means_the_one_path_package() {
        let inv = parse_lockfile(Path::new("Cargo.lock"), SHARED_NAME.as_bytes()).unwrap();
        assert_eq!(inv.product, vec!["app", "itoa"]);
        assert_eq!(inv.components[0].direct, Some(false));
    }

    #[test]
    fn a_reference_two_path_packages_match_is_ambiguous_and_named() {
        let text = format!("{SHARED_NAME}\n[[package]]\nname = \"itoa\"\nversion = \"1.0.0\"\n");
        let err = parse_lockfile(Path::new("Cargo.lock"), text.as_bytes()).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("3 packages match it"), "{message}");
        assert!(
            message.contains("`itoa 1.0.0 (a path package)`"),
            "{message}"
        );
        assert!(message.contains("Cargo.lock line 2"), "{message}");
    }

    #[test]
    fn unknown_format_version_is_refused_with_its_line() {
        let text = "\nversion = 9\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n";
        let err = parse_lockfile(Path::new("Cargo.lock"), text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("Cargo.lock line 2"), "{err}");
    }

    #[test]
    fn the_line_reader_reads_real_lockfiles_as_the_toml_parser_does() {
        let lockfiles = real_lockfiles();
        assert!(lockfiles.len() >= 10, "{} lockfiles", lockfiles.len());
        for (path, text) in lockfiles {
            let by_lines = as_written::read(&text)
                .unwrap_or_else(|| panic!("{} is as cargo writes it", path.display()));
            assert_eq!(
                by_lines,
                parse_toml(&path, &text).unwrap(),
                "{}",
                path.display()
            );
            // Windows checkouts end lines with CR LF, which TOML reads alike.
            let crlf = text.replace('\n', "\r\n");
            assert_eq!(
                as_written::read(&crlf),
                Some(by_lines),
                "{}",
                path.display()
            );
        }
    }

    /// Hand edits the line reader leaves to the TOML parser, each still read
    /// as TOML reads it.
    #[test]
    fn what_cargo_does_not_write_is_left_to_the_toml_parser() {
        let edits = [
            // an inline array
            V1.replace("dependencies = [\n \"serde", "dependencies = [\"serde")
                .replace(")\",\n]", ")\"]"),
            // a comment after a value
            V1.replace("name = \"app\"", "name = \"app\" # the product"),
            // an escape in a string
            V1.replace("name = \"app\"", "name = \"a\\u0070p\""),
            // a quoted key
            V1.replace("name = \"app\"", "\"name\" = \"app\""),
            // a table the reader does not know
            format!("{V1}\n[patch.unused]\n"),
            // a blank line inside the dependency array
            V1.replace("dependencies = [\n", "dependencies = [\n\n"),
        ];
        let as_toml = parse_toml(Path::new("Cargo.lock"), V1).unwrap();
        assert_eq!(as_written::read(V1).as_ref(), Some(&as_toml));
        for text in &edits[..4] {
            assert_eq!(as_written::read(text), None, "{text}");
            let inventory = parse_lockfile(Path::new("Cargo.lock"), text.as_bytes()).unwrap();
            assert_eq!(inventory.product, vec!["app"], "{text}");
            assert_eq!(
                inventory.components[0].dependency_path,
                vec!["app", "serde"]
            );
        }
        for text in &edits[4..] {
            assert_eq!(as_written::read(text), None, "{text}");
            assert!(parse_lockfile(Path::new("Cargo.lock"), text.as_bytes()).is_ok());
        }
    }

    /// What would be a TOML error makes the line reader give up, so that the
    /// error is the TOML parser's, with its line.
    #[test]
    fn malformed_lockfiles_get_the_toml_parsers_error() {
        let twice = V1.replace(
            "version = \"0.1.0\"",
            "version = \"0.1.0\"\nversion = \"0.2.0\"",
        );
        let no_comma = V1.replace(
            ")\",\n]",
            ")\"\n \"serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\",\n]",
        );
        let unclosed = V1.replace("\n]\n", "\n");
        for text in [twice, no_comma, unclosed] {
            assert_eq!(as_written::read(&text), None, "{text}");
            let err = parse_lockfile(Path::new("Cargo.lock"), text.as_bytes()).unwrap_err();
            assert!(
                matches!(err, InventoryError::Syntax { line: Some(_), .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn unknown_source_kinds_are_refused() {
        let text =
            "[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"directory+/vendor\"\n";
        let err = parse_lockfile(Path::new("Cargo.lock"), text.as_bytes()).unwrap_err();
        assert!(
            matches!(err, InventoryError::UnknownCargoSource { .. }),
            "{err}"
        );
    }
}
