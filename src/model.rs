//! The vocabulary every stage shares (DESIGN.md §2): SOUP components, their
//! ecosystems, their package URLs, and the anomalies found in them. Imports
//! nothing of the crate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A package ecosystem, named as the OSV schema names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum Ecosystem {
    CratesIo,
    Npm,
    PyPI,
    Go,
    Maven,
    NuGet,
    RubyGems,
    Debian,
    /// An ecosystem without a version order of its own: matched on enumerated versions only.
    Other(String),
}

impl Ecosystem {
    /// The name OSV records use in `affected[].package.ecosystem`.
    pub fn osv_name(&self) -> &str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Debian => "Debian",
            Ecosystem::Other(name) => name,
        }
    }

    /// Reads an OSV ecosystem name; a suffix such as `Debian:12` keeps only its base.
    pub fn from_osv_name(name: &str) -> Self {
        let base = name.split(':').next().unwrap_or(name);
        match base {
            "crates.io" => Ecosystem::CratesIo,
            "npm" => Ecosystem::Npm,
            "PyPI" => Ecosystem::PyPI,
            "Go" => Ecosystem::Go,
            "Maven" => Ecosystem::Maven,
            "NuGet" => Ecosystem::NuGet,
            "RubyGems" => Ecosystem::RubyGems,
            "Debian" => Ecosystem::Debian,
            other => Ecosystem::Other(other.to_string()),
        }
    }

    /// The package-URL type of this ecosystem (`pkg:<type>/...`).
    pub fn purl_type(&self) -> &str {
        match self {
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Go => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::NuGet => "nuget",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Debian => "deb",
            Ecosystem::Other(name) => name,
        }
    }

    /// The ecosystem of a package-URL type.
    pub fn from_purl_type(purl_type: &str) -> Self {
        match purl_type.to_ascii_lowercase().as_str() {
            "cargo" => Ecosystem::CratesIo,
            "npm" => Ecosystem::Npm,
            "pypi" => Ecosystem::PyPI,
            "golang" => Ecosystem::Go,
            "maven" => Ecosystem::Maven,
            "nuget" => Ecosystem::NuGet,
            "gem" => Ecosystem::RubyGems,
            "deb" => Ecosystem::Debian,
            other => Ecosystem::Other(other.to_string()),
        }
    }

    /// The name under which two spellings of one package compare equal:
    /// PEP 503 for PyPI, lower case where the registry ignores case.
    pub fn normalize_name(&self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut in_separator_run = false;
                for c in name.chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_separator_run {
                            out.push('-');
                        }
                        in_separator_run = true;
                    } else {
                        out.push(c.to_ascii_lowercase());
                        in_separator_run = false;
                    }
                }
                out
            }
            Ecosystem::Npm | Ecosystem::NuGet => name.to_ascii_lowercase(),
            _ => name.to_string(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

impl From<Ecosystem> for String {
    fn from(ecosystem: Ecosystem) -> String {
        ecosystem.osv_name().to_string()
    }
}

impl From<String> for Ecosystem {
    fn from(name: String) -> Ecosystem {
        Ecosystem::from_osv_name(&name)
    }
}

/// A package URL, parsed once through the `packageurl` crate and kept in its
/// canonical text: the key of every SOUP item (`pkg:cargo/serde@1.0.210`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    /// The canonical text.
    text: String,
    /// The canonical text of the package without version, qualifiers and subpath.
    package: String,
    version: Option<String>,
}

impl Purl {
    /// Parses `text`; the error says why it is not a package URL.
    pub fn parse(text: &str) -> Result<Purl, String> {
        let parsed = packageurl::PackageUrl::from_str(text.trim()).map_err(|e| e.to_string())?;
        let mut package =
            packageurl::PackageUrl::new(parsed.ty().to_string(), parsed.name().to_string())
                .map_err(|e| e.to_string())?;
        if let Some(namespace) = parsed.namespace() {
            package
                .with_namespace(namespace.to_string())
                .map_err(|e| e.to_string())?;
        }
        Ok(Purl {
            text: parsed.to_string(),
            package: package.to_string(),
            version: parsed.version().map(str::to_string),
        })
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The version, when the purl names one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The package across its versions (`pkg:npm/%40scope/x` of `pkg:npm/%40scope/x@1?a=b`).
    pub fn package(&self) -> &str {
        &self.package
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Where a package comes from. Path sources are the product, not SOUP, and never
/// become components; they appear here only so readers can say what they skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Registry,
    Git,
    /// A tarball or archive fetched from a URL that is not a registry.
    Url,
    Path,
    /// A member of the project's own workspace (npm, yarn, pnpm, uv).
    Workspace,
    /// A symbolic link to a folder of the project (npm `link`, pnpm `link:`).
    Link,
    /// An SBOM component that does not say where it came from.
    Unknown,
}

impl SourceKind {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Registry => "registry",
            SourceKind::Git => "git",
            SourceKind::Url => "url",
            SourceKind::Path => "path",
            SourceKind::Workspace => "workspace",
            SourceKind::Link => "link",
            SourceKind::Unknown => "unknown",
        }
    }
}

/// When the component is used: shipped at run time, only while building, or only
/// for development (tests, benches). `Unknown` when the input does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Runtime,
    Build,
    Dev,
    Unknown,
}

impl Scope {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Runtime => "runtime",
            Scope::Build => "build",
            Scope::Dev => "dev",
            Scope::Unknown => "unknown",
        }
    }
}

/// One SOUP component at one exact version, as every inventory reader produces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// Canonical package URL with version; `None` only for SBOM entries that have none.
    pub purl: Option<String>,
    pub ecosystem: Ecosystem,
    /// The name as the ecosystem spells it (Maven `group:artifact`, Go module path, npm `@scope/name`).
    pub name: String,
    pub version: String,
    pub source: SourceKind,
    /// Registry index URL or git URL (with its revision), when known.
    pub source_url: Option<String>,
    /// The input's checksum of the package, e.g. `sha256:...`.
    pub checksum: Option<String>,
    /// SPDX licence expression.
    pub licenses: Option<String>,
    /// Who publishes it: supplier, manufacturer or authors, as the input says.
    pub supplier: Option<String>,
    /// CPE 2.3 name, kept for components no package URL identifies.
    pub cpe: Option<String>,
    pub scope: Scope,
    /// `Some(true)` when a product package depends on it directly; `None` when unknown.
    pub direct: Option<bool>,
    /// Names from a product package down to this one, the shortest such path; empty when unknown.
    pub dependency_path: Vec<String>,
    /// The part of the device it came from, when an audit covers several
    /// (`[[input]]` in the record): its label, else its path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

impl Component {
    /// A component with only its identity known; readers fill in the rest.
    pub fn new(ecosystem: Ecosystem, name: &str, version: &str) -> Self {
        Component {
            purl: None,
            ecosystem,
            name: name.to_string(),
            version: version.to_string(),
            source: SourceKind::Unknown,
            source_url: None,
            checksum: None,
            licenses: None,
            supplier: None,
            cpe: None,
            scope: Scope::Unknown,
            direct: None,
            dependency_path: Vec::new(),
            input: None,
        }
    }

    /// The key of this component's pin: its purl, else `name@version` within its ecosystem.
    pub fn key(&self) -> String {
        match &self.purl {
            Some(purl) => purl.clone(),
            None => format!("{}:{}@{}", self.ecosystem, self.name, self.version),
        }
    }

    /// True when the product itself depends on it (not only another SOUP item).
    pub fn is_direct(&self) -> bool {
        self.direct == Some(true)
    }

    /// "direct" or "transitive", as the SOUP list and `list` say it; `None`
    /// when the input does not tell.
    pub fn directness(&self) -> Option<&'static str> {
        self.direct
            .map(|direct| if direct { "direct" } else { "transitive" })
    }

    /// True when a machine-readable anomaly list can be matched against it.
    pub fn is_matchable(&self) -> bool {
        self.purl.is_some() && !matches!(self.ecosystem, Ecosystem::Other(_))
    }
}

/// The kind of a published anomaly. RustSec's informational advisories are their
/// own kinds: `unmaintained` is the support-level fact the FDA asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnomalyKind {
    Vulnerability,
    Unsound,
    Unmaintained,
    Notice,
}

impl AnomalyKind {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::Vulnerability => "vulnerability",
            AnomalyKind::Unsound => "unsound",
            AnomalyKind::Unmaintained => "unmaintained",
            AnomalyKind::Notice => "notice",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directness_is_said_only_when_known() {
        let mut c = Component::new(Ecosystem::CratesIo, "serde", "1.0.0");
        c.direct = None;
        assert_eq!(c.directness(), None);
        c.direct = Some(false);
        assert!(!c.is_direct());
        assert_eq!(c.directness(), Some("transitive"));
        c.direct = Some(true);
        assert!(c.is_direct());
        assert_eq!(c.directness(), Some("direct"));
    }

    #[test]
    fn pep503_normalises_runs_of_separators() {
        let pypi = Ecosystem::PyPI;
        assert_eq!(pypi.normalize_name("Jinja2"), "jinja2");
        assert_eq!(pypi.normalize_name("zope.interface"), "zope-interface");
        assert_eq!(pypi.normalize_name("Foo__Bar-.baz"), "foo-bar-baz");
    }

    #[test]
    fn osv_names_round_trip() {
        for name in [
            "crates.io",
            "npm",
            "PyPI",
            "Go",
            "Maven",
            "NuGet",
            "RubyGems",
            "Debian",
            "Hex",
        ] {
            assert_eq!(Ecosystem::from_osv_name(name).osv_name(), name);
        }
        assert_eq!(Ecosystem::from_osv_name("Debian:12"), Ecosystem::Debian);
    }

    #[test]
    fn purls_know_their_package_and_version() {
        let purl = Purl::parse("pkg:npm/%40babel/core@7.0.0?x=1").unwrap();
        assert_eq!(purl.version(), Some("7.0.0"));
        assert_eq!(purl.package(), "pkg:npm/%40babel/core");
        let cargo = Purl::parse("pkg:cargo/idna@0.5.0").unwrap();
        assert_eq!(
            (cargo.package(), cargo.version()),
            ("pkg:cargo/idna", Some("0.5.0"))
        );
        let bare = Purl::parse("pkg:generic/rtos").unwrap();
        assert_eq!((bare.package(), bare.version()), ("pkg:generic/rtos", None));
        assert!(Purl::parse("not a purl").is_err());
    }

    #[test]
    fn key_falls_back_to_name_and_version() {
        let mut c = Component::new(Ecosystem::Other("generic".into()), "openssl", "3.0.2");
        assert_eq!(c.key(), "generic:openssl@3.0.2");
        assert!(!c.is_matchable());
        c.purl = Some("pkg:generic/openssl@3.0.2".into());
        assert_eq!(c.key(), "pkg:generic/openssl@3.0.2");
    }
}
