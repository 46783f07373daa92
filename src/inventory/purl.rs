//! Package URLs: built for Cargo packages, parsed and made canonical for SBOM
//! entries, always through the `packageurl` crate.

use std::path::Path;

use super::InventoryError;
use crate::model::{Component, Ecosystem, Purl, SourceKind};

/// The crates.io index, as Cargo writes it in git and sparse form.
pub(super) const CRATES_IO_SOURCES: [&str; 2] = [
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

/// Where a Cargo package comes from, read from its source id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CargoSource<'a> {
    CratesIo,
    /// Another registry, by its index URL (without `registry+`/`sparse+`).
    Registry(&'a str),
    /// A git repository: URL without `git+` and query, and the locked revision.
    Git {
        url: &'a str,
        rev: Option<&'a str>,
    },
}

impl<'a> CargoSource<'a> {
    /// Reads a Cargo source id; `None` for kinds that are not SOUP sources.
    pub(super) fn parse(source: &'a str) -> Option<Self> {
        if CRATES_IO_SOURCES.contains(&source) {
            return Some(CargoSource::CratesIo);
        }
        if let Some(rest) = source.strip_prefix("git+") {
            let (before_rev, rev) = match rest.split_once('#') {
                Some((url, rev)) => (url, Some(rev)),
                None => (rest, None),
            };
            let url = before_rev.split('?').next().unwrap_or(before_rev);
            return Some(CargoSource::Git { url, rev });
        }
        source
            .strip_prefix("registry+")
            .or_else(|| source.strip_prefix("sparse+"))
            .map(CargoSource::Registry)
    }
}

/// The canonical purl of a Cargo package: `repository_url` for registries other
/// than crates.io, `vcs_url` (`git+<url>@<rev>`, SPDX download-location form)
/// for git sources.
pub(super) fn cargo_purl(
    file: &Path,
    name: &str,
    version: &str,
    source: CargoSource<'_>,
) -> Result<Purl, InventoryError> {
    let vcs;
    let qualifiers: &[(&str, &str)] = match source {
        CargoSource::CratesIo => &[],
        CargoSource::Registry(index) => &[("repository_url", index)],
        CargoSource::Git { url, rev } => {
            vcs = match rev {
                Some(rev) => format!("git+{url}@{rev}"),
                None => format!("git+{url}"),
            };
            &[("vcs_url", &vcs)]
        }
    };
    Purl::build("cargo", None, name, version, qualifiers).map_err(|reason| {
        InventoryError::InvalidPurl {
            path: file.to_path_buf(),
            component: format!("{name} {version}"),
            purl: format!("pkg:cargo/{name}@{version}"),
            reason,
        }
    })
}

/// The purl of an npm, PyPI or Go package: npm `@scope/name` and Go module
/// paths split into namespace and name, PyPI names PEP 503-normalised.
pub(super) fn package_purl(
    file: &Path,
    ecosystem: &Ecosystem,
    name: &str,
    version: &str,
) -> Result<Purl, InventoryError> {
    let normalised = ecosystem.normalize_name(name);
    let (namespace, short) = match ecosystem {
        Ecosystem::Npm if normalised.starts_with('@') => normalised
            .split_once('/')
            .map_or((None, normalised.as_ref()), |(ns, n)| (Some(ns), n)),
        Ecosystem::Go => normalised
            .rsplit_once('/')
            .map_or((None, normalised.as_ref()), |(ns, n)| (Some(ns), n)),
        _ => (None, normalised.as_ref()),
    };
    Purl::build(ecosystem.purl_type(), namespace, short, version, &[]).map_err(|reason| {
        InventoryError::InvalidPurl {
            path: file.to_path_buf(),
            component: format!("{name} {version}"),
            purl: format!("pkg:{}/{name}@{version}", ecosystem.purl_type()),
            reason,
        }
    })
}

/// A component of an npm, PyPI or Go lockfile: its published name, purl and source.
pub(super) fn package_component(
    file: &Path,
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    source: SourceKind,
) -> Result<Component, InventoryError> {
    if name.chars().chain(version.chars()).any(char::is_control) {
        return Err(InventoryError::ControlCharacters {
            path: file.to_path_buf(),
            package: format!("{name} {version}"),
        });
    }
    let mut component = Component::new(ecosystem, name, version);
    component.purl = Some(package_purl(file, &component.ecosystem, name, version)?);
    component.source = source;
    Ok(component)
}

/// An SBOM entry's identity taken from its purl: the parsed purl (with the
/// entry's version when the purl has none: it holds the version), ecosystem and name.
pub(super) struct PurlIdentity {
    pub purl: Purl,
    pub ecosystem: Ecosystem,
    pub name: String,
}

/// Parses an SBOM purl, filling in `fallback_version` when it has no version.
pub(super) fn identity_from_purl(
    file: &Path,
    component: &str,
    purl: &str,
    fallback_version: Option<&str>,
) -> Result<PurlIdentity, InventoryError> {
    let invalid = |reason: String| InventoryError::InvalidPurl {
        path: file.to_path_buf(),
        component: component.to_string(),
        purl: purl.to_string(),
        reason,
    };
    let mut parsed = Purl::parse(purl).map_err(invalid)?;
    if parsed.version().is_none()
        && let Some(version) = fallback_version
    {
        parsed = parsed.with_version(version).map_err(invalid)?;
    }
    let ecosystem = Ecosystem::from_purl_type(parsed.ty());
    let separator = if ecosystem == Ecosystem::Maven {
        ':'
    } else {
        '/'
    };
    let name = match parsed.namespace() {
        Some(namespace) => format!("{namespace}{separator}{}", parsed.name()),
        None => parsed.name().to_string(),
    };
    Ok(PurlIdentity {
        purl: parsed,
        ecosystem,
        name,
    })
}

/// A component from an SBOM entry: identified by its purl when it has one,
/// otherwise a generic item keyed by name and version.
pub(super) fn sbom_component(
    file: &Path,
    name: &str,
    version: Option<&str>,
    purl: Option<&str>,
) -> Result<Component, InventoryError> {
    let label = match version {
        Some(v) => format!("{name} {v}"),
        None => name.to_string(),
    };
    let identity = purl
        .map(|p| identity_from_purl(file, &label, p, version))
        .transpose()?;
    let missing = || InventoryError::MissingVersion {
        path: file.to_path_buf(),
        component: label.clone(),
    };
    Ok(match identity {
        Some(id) => {
            let version = id.purl.version().ok_or_else(missing)?.to_string();
            let title = published_name(&id.ecosystem, name, &id.name);
            let mut component = Component::new(id.ecosystem, title, &version);
            component.purl = Some(id.purl);
            component
        }
        None => {
            let version = version.ok_or_else(missing)?;
            Component::new(Ecosystem::Other("generic".to_string()), name, version)
        }
    })
}

/// The name as the package was published (`Django`, `Jinja2`) when the entry
/// spells its purl's name, which the purl type normalises; otherwise the purl's
/// name, which is the identity (`@babel/core` for an entry named `core`).
fn published_name<'a>(ecosystem: &Ecosystem, entry_name: &'a str, purl_name: &'a str) -> &'a str {
    if ecosystem.normalize_name(entry_name) == ecosystem.normalize_name(purl_name) {
        entry_name
    } else {
        purl_name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> &'static Path {
        Path::new("t")
    }

    #[test]
    fn cargo_purls_per_source() {
        let crates = CargoSource::parse("registry+https://github.com/rust-lang/crates.io-index");
        assert_eq!(crates, Some(CargoSource::CratesIo));
        let purl = cargo_purl(path(), "serde", "1.0.210", CargoSource::CratesIo).unwrap();
        assert_eq!(purl.as_str(), "pkg:cargo/serde@1.0.210");

        let git = CargoSource::parse("git+https://github.com/a/b?branch=main#abc123").unwrap();
        assert_eq!(
            git,
            CargoSource::Git {
                url: "https://github.com/a/b",
                rev: Some("abc123")
            }
        );
        let purl = cargo_purl(path(), "b", "0.1.0", git).unwrap();
        assert_eq!(
            purl.qualifier("vcs_url"),
            Some("git+https://github.com/a/b@abc123")
        );

        let other = CargoSource::parse("sparse+https://example.com/index/").unwrap();
        let purl = cargo_purl(path(), "x", "1.0.0", other).unwrap();
        assert_eq!(
            purl.qualifier("repository_url"),
            Some("https://example.com/index/")
        );
        assert_eq!(CargoSource::parse("path+file:///x"), None);
    }

    #[test]
    fn sbom_names_are_published_names_of_the_purls_package() {
        let c = sbom_component(
            path(),
            "Django",
            Some("3.2.4"),
            Some("pkg:pypi/django@3.2.4"),
        )
        .unwrap();
        assert_eq!(
            (c.name.as_str(), &c.ecosystem),
            ("Django", &Ecosystem::PyPI)
        );
        assert_eq!(
            c.purl.as_ref().map(Purl::as_str),
            Some("pkg:pypi/django@3.2.4")
        );
        let c = sbom_component(
            path(),
            "zope.interface",
            Some("5"),
            Some("pkg:pypi/zope-interface@5"),
        );
        assert_eq!(c.unwrap().name, "zope.interface");
        let c = sbom_component(
            path(),
            "JSONStream",
            Some("1.3.5"),
            Some("pkg:npm/jsonstream@1.3.5"),
        );
        assert_eq!(c.unwrap().name, "JSONStream");
        let c = sbom_component(path(), "other", Some("1"), Some("pkg:pypi/django@1")).unwrap();
        assert_eq!(
            c.name, "django",
            "an entry that names another package is not its title"
        );
        let c = sbom_component(path(), "x", Some("1"), Some("pkg:npm/%40babel/core")).unwrap();
        assert_eq!(c.name, "@babel/core");
        assert_eq!(
            c.purl.as_ref().map(Purl::as_str),
            Some("pkg:npm/%40babel/core@1")
        );
        let c = sbom_component(path(), "x", None, Some("pkg:maven/org.a/b@2.0")).unwrap();
        assert_eq!((c.name.as_str(), c.version.as_str()), ("org.a:b", "2.0"));
    }

    #[test]
    fn ecosystem_purls_split_namespaces_and_normalise() {
        let npm = |n: &str| {
            package_purl(path(), &Ecosystem::Npm, n, "1.0.0")
                .unwrap()
                .to_string()
        };
        assert_eq!(
            npm("@ungap/promise-all-settled"),
            "pkg:npm/%40ungap/promise-all-settled@1.0.0"
        );
        assert_eq!(npm("lodash"), "pkg:npm/lodash@1.0.0");
        let pypi = package_purl(path(), &Ecosystem::PyPI, "zope.interface", "5.1.0").unwrap();
        assert_eq!(pypi.as_str(), "pkg:pypi/zope-interface@5.1.0");
        let go = package_purl(path(), &Ecosystem::Go, "golang.org/x/net", "v0.1.0").unwrap();
        assert_eq!(go.as_str(), "pkg:golang/golang.org/x/net@v0.1.0");
        let c = package_component(
            path(),
            Ecosystem::PyPI,
            "Django",
            "3.2",
            SourceKind::Registry,
        );
        assert_eq!(c.unwrap().name, "Django");
        let hostile = package_component(
            path(),
            Ecosystem::Npm,
            "a\u{1b}[31m",
            "1",
            SourceKind::Registry,
        );
        let err = hostile.unwrap_err().to_string();
        assert!(
            err.contains("a\\u{1b}[31m") && !err.contains('\u{1b}'),
            "{err}"
        );
    }

    #[test]
    fn sbom_entries_without_purl_are_generic() {
        let c = sbom_component(path(), "openssl", Some("3.0.2"), None).unwrap();
        assert_eq!(c.key(), "generic:openssl@3.0.2");
        let err = sbom_component(path(), "openssl", None, None).unwrap_err();
        assert!(matches!(err, InventoryError::MissingVersion { .. }));
        let err = sbom_component(path(), "x", Some("1"), Some("not a purl")).unwrap_err();
        assert!(err.to_string().contains("not a purl"));
    }
}
