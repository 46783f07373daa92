//! A pinned `requirements.txt`, as `pip-compile`, `uv pip compile` or
//! `uv export` write it.
//!
//! Each requirement must be an exact pin (`name[extras]==version`, or
//! `===`), optionally with an environment marker and `--hash` options;
//! lines continue with a trailing backslash and `#` starts a comment. Every
//! pin is kept whatever its marker says, because the file does not say which
//! environment it will be installed in. `-r` / `--requirement` includes are
//! read relative to the including file (each file once); `-c` constraint
//! files install nothing and are not read; `-e` of a local folder is the
//! product; other options (index URLs, ...) name no package.
//!
//! A requirement that is not an exact pin (`flask>=2`, `name @ url`, `-e
//! git+...`) is not a pin and is never guessed: the file is refused with the
//! list of every such line, because an inventory that silently left them out
//! would look complete to an auditor and is not. The file has no graph and no
//! scope: `direct` and the scope are unknown. The checksum is the first
//! `--hash` (one per distribution file; pip accepts any of them).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::purl::package_component;
use super::{InputFormat, Inventory, InventoryError, finish, read_bytes, utf8_text};
use crate::model::{Component, Ecosystem, SourceKind};

/// How deep `-r` includes may nest before the file is refused.
const MAX_INCLUDE_DEPTH: usize = 32;

/// What the files read so far gave.
#[derive(Default)]
struct Collected {
    components: Vec<Component>,
    product: Vec<String>,
    /// `file line N: `text`` of each requirement that is not a pin.
    unpinned: Vec<String>,
    files: Vec<PathBuf>,
    seen: HashSet<PathBuf>,
}

/// Parses requirements bytes into an inventory, reading `-r` includes from
/// disk relative to `path` (see the module doc).
pub fn parse_requirements(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let mut collected = Collected::default();
    collected.seen.insert(canonical(path));
    read_file(path, bytes, 0, &mut collected)?;
    if !collected.unpinned.is_empty() {
        return Err(InventoryError::Unpinned {
            path: path.to_path_buf(),
            unpinned: collected.unpinned,
        });
    }
    let mut inventory = finish(
        path,
        bytes,
        InputFormat::RequirementsTxt,
        collected.components,
        collected.product,
    );
    inventory.files.extend(collected.files);
    Ok(inventory)
}

/// Reads one file's lines into `collected`, following its includes.
fn read_file(
    path: &Path,
    bytes: &[u8],
    depth: usize,
    collected: &mut Collected,
) -> Result<(), InventoryError> {
    let text = utf8_text(path, bytes)?;
    for (line, content) in logical_lines(text) {
        let words: Vec<&str> = content.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            ["-r" | "--requirement", file, ..] => include(path, file, line, depth, collected)?,
            [option, ..] if option.starts_with("--requirement=") || option.starts_with("-r") => {
                let file = option
                    .trim_start_matches("--requirement=")
                    .trim_start_matches("-r");
                include(path, file, line, depth, collected)?;
            }
            ["-e" | "--editable", target, ..] if is_local(target) => {
                collected.product.push((*target).to_string());
            }
            [option, ..] if option.starts_with('-') && !is_editable(option) => {}
            _ => match pin(path, &content)? {
                Some(c) => collected.components.push(c),
                None => collected.unpinned.push(format!(
                    "{} line {line}: `{}`",
                    path.display(),
                    content.escape_debug()
                )),
            },
        }
    }
    Ok(())
}

/// Reads an included file, relative to the including one, once.
fn include(
    from: &Path,
    file: &str,
    line: usize,
    depth: usize,
    collected: &mut Collected,
) -> Result<(), InventoryError> {
    let target = from.parent().unwrap_or(Path::new("")).join(file);
    if depth >= MAX_INCLUDE_DEPTH {
        return Err(InventoryError::Syntax {
            path: from.to_path_buf(),
            line: Some(line),
            message: format!("includes nest deeper than {MAX_INCLUDE_DEPTH} files"),
        });
    }
    if !collected.seen.insert(canonical(&target)) {
        return Ok(());
    }
    let bytes = read_bytes(&target).map_err(|e| InventoryError::Syntax {
        path: from.to_path_buf(),
        line: Some(line),
        message: format!("the included file cannot be read: {e}"),
    })?;
    collected.files.push(target.clone());
    read_file(&target, &bytes, depth + 1, collected)
}

/// The path with links and `..` resolved, so a file included twice is seen once.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Is this option an editable install (`-e`, `--editable`)?
fn is_editable(option: &str) -> bool {
    option.starts_with("-e") || option.starts_with("--editable")
}

/// Is an editable target a local folder (the product) rather than a VCS URL?
fn is_local(target: &str) -> bool {
    target.starts_with('.') || target.starts_with('/') || target.starts_with("file:")
}

/// The lines with continuations joined and comments removed, each with the
/// number of the line it starts on.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, raw) in text.lines().enumerate() {
        let without_comment = strip_comment(raw);
        let (body, continues) = match without_comment.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (without_comment, false),
        };
        let (start, mut joined) = current.take().unwrap_or((n + 1, String::new()));
        joined.push_str(body);
        joined.push(' ');
        if continues {
            current = Some((start, joined));
        } else {
            lines.push((start, joined.trim().to_string()));
        }
    }
    if let Some((start, joined)) = current {
        lines.push((start, joined.trim().to_string()));
    }
    lines
}

/// The line before a `#` that starts it or follows whitespace.
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => line.get(..at).unwrap_or(line),
        None => line,
    }
}

/// The component of an exact pin; `None` when the requirement is not one.
fn pin(path: &Path, requirement: &str) -> Result<Option<Component>, InventoryError> {
    let (spec, options) = match requirement.find(" --") {
        Some(at) => requirement.split_at(at),
        None => (requirement, ""),
    };
    let spec = spec.split(';').next().unwrap_or(spec).trim();
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let (name, rest) = spec.split_at(name_end);
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(extras) => extras
            .split_once(']')
            .map_or("", |(_, after)| after.trim_start()),
        None => rest,
    };
    let version = rest.strip_prefix("===").or_else(|| rest.strip_prefix("=="));
    let Some(version) = version.map(str::trim) else {
        return Ok(None);
    };
    let is_exact = !version.is_empty()
        && !version.contains(['*', ',', ' ', '<', '>', '!', '='])
        && !name.is_empty();
    if !is_exact {
        return Ok(None);
    }
    let mut c = package_component(path, Ecosystem::PyPI, name, version, SourceKind::Registry)?;
    c.checksum = options
        .split_whitespace()
        .find_map(|o| {
            o.strip_prefix("--hash=")
                .or_else(|| o.strip_prefix("--hash:"))
        })
        .map(str::to_string);
    Ok(Some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(inv: &Inventory) -> Vec<(String, String, Option<String>)> {
        inv.components
            .iter()
            .map(|c| (c.name.clone(), c.version.clone(), c.checksum.clone()))
            .collect()
    }

    #[test]
    fn pins_with_markers_hashes_extras_and_continuations() {
        let text = "# compiled\n-i https://pypi.org/simple\nDjango==3.2 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via app\nrequests[socks]==2.25.0 ; python_version >= '3.6'\nzope.interface===5.1.0  # pinned\n-e ./local\n";
        let inv = parse_requirements(Path::new("requirements.txt"), text.as_bytes()).unwrap();
        assert_eq!(
            names(&inv),
            vec![
                ("Django".into(), "3.2".into(), Some("sha256:aa".into())),
                ("requests".into(), "2.25.0".into(), None),
                ("zope.interface".into(), "5.1.0".into(), None),
            ]
        );
        assert_eq!(
            inv.components[2].purl_str(),
            Some("pkg:pypi/zope-interface@5.1.0")
        );
        assert_eq!(inv.product, vec!["./local"]);
    }

    #[test]
    fn unpinned_requirements_are_listed_not_guessed() {
        let text = "a==1.0\nflask>=2\nb==2.*\nc @ https://example.com/c.whl\n--editable git+https://github.com/x/d#egg=d\n";
        let err = parse_requirements(Path::new("req.txt"), text.as_bytes()).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("4 requirements are not pinned"),
            "{message}"
        );
        for part in ["line 2: `flask>=2`", "line 3: `b==2.*`", "line 4", "line 5"] {
            assert!(message.contains(part), "{part}: {message}");
        }
    }

    #[test]
    fn includes_are_relative_and_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("base.txt"), "a==1.0\n-r ../main.txt\n").unwrap();
        let main = dir.path().join("main.txt");
        std::fs::write(&main, "-r sub/base.txt\nb==2.0\n").unwrap();
        let inv = parse_requirements(&main, &std::fs::read(&main).unwrap()).unwrap();
        assert_eq!(inv.components.len(), 2);
        assert_eq!(inv.files.len(), 2);
        std::fs::write(&main, "-r missing.txt\n").unwrap();
        let err = parse_requirements(&main, b"-r missing.txt\n").unwrap_err();
        assert!(err.to_string().contains("missing.txt"), "{err}");
    }
}
