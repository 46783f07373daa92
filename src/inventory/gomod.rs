//! A Go module's `go.mod`, confirmed against the `go.sum` beside it.
//!
//! The build list is the `require` directives (single lines and blocks) with
//! the `replace` directives applied: a replacement by another module pins that
//! module at its version instead, one by a local folder (`=> ../fork`) makes
//! it the product. A replace of a module that is not required changes
//! nothing. A requirement marked `// indirect` is transitive, the others are
//! direct (their path is the main module and them); since Go 1.17 `go.mod`
//! lists every module the build needs, before that only those the main module
//! names. `go.mod` does not tell test-only modules apart, so the scope is
//! unknown. The `go` directive is the language version, not the toolchain that
//! built the binary, so the standard library is not pinned.
//!
//! When `go.sum` exists, every pinned module must have a line there (else the
//! go command itself refuses to build), and its `h1:` hash is the checksum.

use std::collections::HashMap;
use std::path::Path;

use super::purl::package_component;
use super::{InputFormat, Inventory, InventoryError, finish, read_bytes, utf8_text};
use crate::model::{Component, Ecosystem, SourceKind};

/// One `require` line.
struct Require {
    module: String,
    version: String,
    indirect: bool,
}

/// The right-hand side of a `replace`: another module at a version, or a folder.
enum Replacement {
    Module { module: String, version: String },
    Folder,
}

/// One `replace` line: which module (and optionally which version) it replaces.
struct Replace {
    module: String,
    version: Option<String>,
    with: Replacement,
}

/// What `go.mod` says, only what the inventory needs.
#[derive(Default)]
struct GoMod {
    module: Option<String>,
    requires: Vec<Require>,
    replaces: Vec<Replace>,
}

/// Parses `go.mod` bytes into an inventory, confirming it against the `go.sum`
/// beside `path` when there is one (see the module doc).
pub fn parse_go_mod(path: &Path, bytes: &[u8]) -> Result<Inventory, InventoryError> {
    let text = utf8_text(path, bytes)?;
    let go_mod = parse(path, text)?;
    let main = go_mod
        .module
        .clone()
        .ok_or_else(|| InventoryError::Syntax {
            path: path.to_path_buf(),
            line: None,
            message: "there is no `module` directive".to_string(),
        })?;
    let go_sum_path = path.with_file_name("go.sum");
    let go_sum = if go_sum_path.is_file() {
        let bytes = read_bytes(&go_sum_path)?;
        Some(sums(utf8_text(&go_sum_path, &bytes)?))
    } else {
        None
    };
    let mut components = Vec::new();
    let mut product = vec![main.clone()];
    for require in &go_mod.requires {
        let replaced = go_mod.replaces.iter().find(|r| {
            r.module == require.module && r.version.as_ref().is_none_or(|v| *v == require.version)
        });
        let (module, version) = match replaced.map(|r| &r.with) {
            Some(Replacement::Folder) => {
                product.push(require.module.clone());
                continue;
            }
            Some(Replacement::Module { module, version }) => (module, version),
            None => (&require.module, &require.version),
        };
        let mut c = package_component(path, Ecosystem::Go, module, version, SourceKind::Registry)?;
        c.direct = Some(!require.indirect);
        if !require.indirect {
            c.dependency_path = vec![main.clone(), module.clone()];
        }
        if let Some(sums) = &go_sum {
            c.checksum = confirm(path, &go_sum_path, sums, &c)?;
        }
        components.push(c);
    }
    let mut inventory = finish(path, bytes, InputFormat::GoMod, components, product);
    if go_sum.is_some() {
        inventory.files.push(go_sum_path);
    }
    Ok(inventory)
}

/// `go.sum` as (module, version) to its `h1:` hash of the module's files;
/// `None` when only the `/go.mod` line is there.
type Sums = HashMap<(String, String), Option<String>>;

/// The lines of `go.sum`.
fn sums(text: &str) -> Sums {
    let mut sums = Sums::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some(module), Some(version), Some(hash)) = (words.next(), words.next(), words.next())
        else {
            continue;
        };
        match version.strip_suffix("/go.mod") {
            Some(version) => {
                sums.entry((module.to_string(), version.to_string()))
                    .or_insert(None);
            }
            None => {
                sums.insert(
                    (module.to_string(), version.to_string()),
                    Some(hash.to_string()),
                );
            }
        }
    }
    sums
}

/// The module's `h1:` hash, or an error when `go.sum` does not list it at all.
fn confirm(
    path: &Path,
    go_sum: &Path,
    sums: &Sums,
    c: &Component,
) -> Result<Option<String>, InventoryError> {
    sums.get(&(c.name.clone(), c.version.clone()))
        .cloned()
        .ok_or_else(|| InventoryError::NotInGoSum {
            path: path.to_path_buf(),
            go_sum: go_sum.to_path_buf(),
            module: c.name.clone(),
            version: c.version.clone(),
        })
}

/// Reads the directives this inventory needs; others (`go`, `exclude`,
/// `retract`, `toolchain`, ...) are skipped.
fn parse(path: &Path, text: &str) -> Result<GoMod, InventoryError> {
    let mut go_mod = GoMod::default();
    let mut block: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let syntax = |message: &str| InventoryError::Syntax {
            path: path.to_path_buf(),
            line: Some(n + 1),
            message: message.to_string(),
        };
        let (code, comment) = raw.split_once("//").unwrap_or((raw, ""));
        let indirect = comment.trim() == "indirect" || comment.trim().starts_with("indirect;");
        let words: Vec<&str> = code.split_whitespace().map(unquote).collect();
        let (verb, args): (&str, &[&str]) = match (&block, words.as_slice()) {
            (_, []) => continue,
            (Some(_), [")"]) => {
                block = None;
                continue;
            }
            (Some(verb), args) => (verb.as_str(), args),
            (None, [verb, "("]) => {
                block = Some((*verb).to_string());
                continue;
            }
            (None, [verb, args @ ..]) => (verb, args),
        };
        match (verb, args) {
            ("module", [module]) => go_mod.module = Some((*module).to_string()),
            ("module", _) => return Err(syntax("`module` takes one module path")),
            ("require", [module, version]) => go_mod.requires.push(Require {
                module: (*module).to_string(),
                version: (*version).to_string(),
                indirect,
            }),
            ("require", _) => return Err(syntax("a requirement is a module path and a version")),
            ("replace", args) => go_mod.replaces.push(replace(args).ok_or_else(|| {
                syntax("a replacement is `module [version] => target [version]`")
            })?),
            _ => {}
        }
    }
    if block.is_some() {
        return Err(InventoryError::Syntax {
            path: path.to_path_buf(),
            line: None,
            message: "a `(` block is never closed".to_string(),
        });
    }
    Ok(go_mod)
}

/// `module [version] => module version` or `module [version] => ./folder`.
fn replace(args: &[&str]) -> Option<Replace> {
    let arrow = args.iter().position(|&w| w == "=>")?;
    let (left, right) = (args.get(..arrow)?, args.get(arrow + 1..)?);
    let (module, version) = match left {
        [module] => (*module, None),
        [module, version] => (*module, Some((*version).to_string())),
        _ => return None,
    };
    let with = match right {
        [folder] if folder.starts_with('.') || folder.starts_with('/') => Replacement::Folder,
        [module, version] => Replacement::Module {
            module: (*module).to_string(),
            version: (*version).to_string(),
        },
        _ => return None,
    };
    Some(Replace {
        module: module.to_string(),
        version,
        with,
    })
}

/// A word without the double quotes or backquotes go.mod allows around it.
fn unquote(word: &str) -> &str {
    word.trim_matches(|c| c == '"' || c == '`')
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_MOD: &str = r#"module example.com/agent

go 1.21

require github.com/a/one v1.2.3

require (
	github.com/b/two v0.0.0-20210328193216-ff5ff6dc229b // indirect
	github.com/c/three v4.1.2+incompatible
	example.com/local v1.0.0
	example.com/forked v1.0.0 // indirect
)

replace (
	example.com/local => ../local
	example.com/forked v1.0.0 => github.com/me/forked v1.0.1
	example.com/unused => github.com/x/y v1.0.0
)
"#;

    #[test]
    fn requires_with_replacements_applied() {
        let inv = parse_go_mod(Path::new("no-such-dir/go.mod"), GO_MOD.as_bytes()).unwrap();
        assert_eq!(inv.product, vec!["example.com/agent", "example.com/local"]);
        let got: Vec<(&str, &str, Option<bool>)> = inv
            .components
            .iter()
            .map(|c| (c.name.as_str(), c.version.as_str(), c.direct))
            .collect();
        assert_eq!(
            got,
            vec![
                ("github.com/a/one", "v1.2.3", Some(true)),
                (
                    "github.com/b/two",
                    "v0.0.0-20210328193216-ff5ff6dc229b",
                    Some(false)
                ),
                ("github.com/c/three", "v4.1.2+incompatible", Some(true)),
                ("github.com/me/forked", "v1.0.1", Some(false)),
            ]
        );
        assert_eq!(
            inv.components[0].dependency_path,
            vec!["example.com/agent", "github.com/a/one"]
        );
        assert_eq!(
            inv.components[0].purl_str(),
            Some("pkg:golang/github.com/a/one@v1.2.3")
        );
    }

    #[test]
    fn go_sum_confirms_every_pin() {
        let dir = tempfile::tempdir().unwrap();
        let go_mod = dir.path().join("go.mod");
        let text = "module m\nrequire (\n\ta.com/x v1.0.0\n\tb.com/y v2.0.0\n)\n";
        std::fs::write(
            dir.path().join("go.sum"),
            "a.com/x v1.0.0 h1:abc=\na.com/x v1.0.0/go.mod h1:def=\nb.com/y v2.0.0/go.mod h1:ghi=\n",
        )
        .unwrap();
        let inv = parse_go_mod(&go_mod, text.as_bytes()).unwrap();
        let sums: Vec<Option<&str>> = inv
            .components
            .iter()
            .map(|c| c.checksum.as_deref())
            .collect();
        assert_eq!(sums, vec![Some("h1:abc="), None]);
        assert_eq!(inv.files.len(), 2);
        let err = parse_go_mod(&go_mod, b"module m\nrequire c.com/z v1.0.0\n").unwrap_err();
        assert!(matches!(err, InventoryError::NotInGoSum { .. }), "{err}");
    }

    #[test]
    fn broken_directives_name_their_line() {
        let err = parse_go_mod(Path::new("go.mod"), b"module m\nrequire a\n").unwrap_err();
        assert!(err.to_string().contains("go.mod line 2"), "{err}");
        let err = parse_go_mod(Path::new("go.mod"), b"module m\nrequire (\n a v1\n").unwrap_err();
        assert!(err.to_string().contains("never closed"), "{err}");
        let err = parse_go_mod(Path::new("go.mod"), b"go 1.21\n").unwrap_err();
        assert!(err.to_string().contains("no `module`"), "{err}");
    }
}
