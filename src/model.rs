//! The vocabulary every stage shares (DESIGN.md §2): SOUP components, their
//! ecosystems, their package URLs, and the anomalies found in them. Imports
//! nothing of the crate.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;

use packageurl::PackageUrl;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    /// PEP 503 for PyPI, lower case where the registry ignores case. Borrowed
    /// where that is the name as it is: every crate's, matched by the thousand.
    pub fn normalize_name<'n>(&self, name: &'n str) -> Cow<'n, str> {
        let owned = match self {
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
            Ecosystem::Npm | Ecosystem::NuGet if name.bytes().any(|b| b.is_ascii_uppercase()) => {
                name.to_ascii_lowercase()
            }
            _ => return Cow::Borrowed(name),
        };
        Cow::Owned(owned)
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

/// A package URL, parsed once through the `packageurl` crate and kept with its
/// canonical text: the key of every SOUP item (`pkg:cargo/serde@1.0.210`).
/// Compared, ordered and hashed by that text, and serialized as it.
#[derive(Debug, Clone)]
pub struct Purl(Arc<PurlParts>);

/// A purl's parts, shared by its clones: a fleet of releases holds the same
/// SOUP items many times over.
#[derive(Debug)]
struct PurlParts {
    /// The canonical text.
    text: String,
    /// How much of the canonical text names the package without version,
    /// qualifiers and subpath.
    package_len: usize,
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
}

impl Purl {
    /// Parses `text`; the error says why it is not a package URL.
    pub fn parse(text: &str) -> Result<Purl, String> {
        let parsed = PackageUrl::from_str(text.trim()).map_err(|e| e.to_string())?;
        Purl::from_parsed(&parsed)
    }

    /// Builds the purl of a package from its parts, as the purl type
    /// canonicalises them (npm and PyPI names lower case, Go namespaces too).
    pub fn build(
        ty: &str,
        namespace: Option<&str>,
        name: &str,
        version: &str,
        qualifiers: &[(&str, &str)],
    ) -> Result<Purl, String> {
        let plain = ty == "cargo" && namespace.is_none() && qualifiers.is_empty();
        if plain && unreserved(name) && unreserved(version) {
            return Ok(Purl::plain_cargo(name, version));
        }
        let mut purl = PackageUrl::new(ty, name).map_err(|e| e.to_string())?;
        if let Some(namespace) = namespace {
            purl.with_namespace(namespace).map_err(|e| e.to_string())?;
        }
        purl.with_version(version).map_err(|e| e.to_string())?;
        for (key, value) in qualifiers {
            purl.add_qualifier(*key, *value)
                .map_err(|e| e.to_string())?;
        }
        purl.validate().map_err(|e| e.to_string())?;
        Purl::from_parsed(&purl)
    }

    /// This purl with `version`: what an SBOM entry's own version adds to a
    /// purl that names none.
    pub fn with_version(&self, version: &str) -> Result<Purl, String> {
        let mut purl = PackageUrl::from_str(&self.0.text).map_err(|e| e.to_string())?;
        purl.with_version(version).map_err(|e| e.to_string())?;
        Purl::from_parsed(&purl)
    }

    /// The purl of a crate whose name and version need no percent-encoding,
    /// as `packageurl` writes it (the type keeps a name's case): that of
    /// nearly every package of a Cargo.lock, written out directly rather
    /// than through a `PackageUrl` built and then formatted, which was a fifth
    /// of reading a large lockfile.
    fn plain_cargo(name: &str, version: &str) -> Purl {
        let text = format!("pkg:cargo/{name}@{version}");
        Purl(Arc::new(PurlParts {
            package_len: package_len(&text),
            text,
            ty: "cargo".to_string(),
            namespace: None,
            name: name.to_string(),
            version: Some(version.to_string()),
            qualifiers: BTreeMap::new(),
        }))
    }

    fn from_parsed(parsed: &PackageUrl<'_>) -> Result<Purl, String> {
        let text = parsed.to_string();
        Ok(Purl(Arc::new(PurlParts {
            package_len: package_len(&text),
            text,
            ty: parsed.ty().to_string(),
            namespace: parsed.namespace().map(str::to_string),
            name: parsed.name().to_string(),
            version: parsed.version().map(str::to_string),
            qualifiers: parsed
                .qualifiers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        })))
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// The package type (`cargo`, `npm`, `pypi`, ...), lower case.
    pub fn ty(&self) -> &str {
        &self.0.ty
    }

    /// The namespace (npm scope, Maven group, Go module path prefix), decoded.
    pub fn namespace(&self) -> Option<&str> {
        self.0.namespace.as_deref()
    }

    /// The name, decoded.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The version, when the purl names one.
    pub fn version(&self) -> Option<&str> {
        self.0.version.as_deref()
    }

    /// The value of one qualifier (`repository_url`, `vcs_url`, ...), decoded.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.0.qualifiers.get(key).map(String::as_str)
    }

    /// The package across its versions (`pkg:npm/%40scope/x` of `pkg:npm/%40scope/x@1?a=b`).
    pub fn package(&self) -> &str {
        self.0
            .text
            .get(..self.0.package_len)
            .unwrap_or(&self.0.text)
    }
}

/// The length of the package part of a canonical purl: up to its version,
/// qualifiers or subpath. The text percent-encodes `@`, `?` and `#` in every
/// namespace segment and name, so the first of them ends the package; one
/// text cut short, not a second purl written out, for every SOUP item read.
fn package_len(text: &str) -> usize {
    text.find(['@', '?', '#']).unwrap_or(text.len())
}

/// True when `part` is not empty and every byte of it is one no purl
/// percent-encodes: a letter, a digit, `.`, `_` or `-`.
fn unreserved(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.text)
    }
}

impl PartialEq for Purl {
    fn eq(&self, other: &Purl) -> bool {
        self.0.text == other.0.text
    }
}

impl Eq for Purl {}

impl Hash for Purl {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.text.hash(state);
    }
}

impl PartialOrd for Purl {
    fn partial_cmp(&self, other: &Purl) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Purl {
    fn cmp(&self, other: &Purl) -> Ordering {
        self.0.text.cmp(&other.0.text)
    }
}

impl Serialize for Purl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.text)
    }
}

/// Read back from the register: a text that no longer parses is an error,
/// which makes the row that holds it a damaged row.
impl<'de> Deserialize<'de> for Purl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Purl, D::Error> {
        let text = String::deserialize(deserializer)?;
        Purl::parse(&text).map_err(|reason| {
            serde::de::Error::custom(format!("package URL `{text}` is invalid: {reason}"))
        })
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
///
/// A clone shares what it holds: the releases of a fleet hold the same
/// components many times over, and every stage from the register's kept
/// inventories to the anomalies passes them on. Changing a field of a shared
/// component (through `DerefMut`) gives that holder its own copy first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component(Arc<ComponentData>);

/// What a [`Component`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentData {
    /// Canonical package URL with version; `None` only for SBOM entries that have none.
    pub purl: Option<Purl>,
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

impl std::ops::Deref for Component {
    type Target = ComponentData;

    fn deref(&self) -> &ComponentData {
        &self.0
    }
}

impl std::ops::DerefMut for Component {
    fn deref_mut(&mut self) -> &mut ComponentData {
        Arc::make_mut(&mut self.0)
    }
}

impl Serialize for Component {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Component {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ComponentData::deserialize(deserializer).map(|data| Component(Arc::new(data)))
    }
}

impl Component {
    /// A component with only its identity known; readers fill in the rest.
    pub fn new(ecosystem: Ecosystem, name: &str, version: &str) -> Self {
        Component(Arc::new(ComponentData {
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
        }))
    }

    /// The key of this component's pin: its purl, else `name@version` within its ecosystem.
    pub fn key(&self) -> Cow<'_, str> {
        match &self.purl {
            Some(purl) => Cow::Borrowed(purl.as_str()),
            None => Cow::Owned(format!("{}:{}@{}", self.ecosystem, self.name, self.version)),
        }
    }

    /// The canonical text of its purl, for output.
    pub fn purl_str(&self) -> Option<&str> {
        self.purl.as_ref().map(Purl::as_str)
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

    /// A name already in its compared form is given back as it is.
    #[test]
    fn a_name_is_normalised_only_where_its_spelling_differs() {
        let borrowed = |n: Cow<'_, str>| matches!(n, Cow::Borrowed(_));
        assert!(borrowed(Ecosystem::CratesIo.normalize_name("Inflector")));
        assert!(borrowed(Ecosystem::Npm.normalize_name("left-pad")));
        assert_eq!(Ecosystem::Npm.normalize_name("JSONStream"), "jsonstream");
        assert_eq!(
            Ecosystem::NuGet.normalize_name("Newtonsoft.Json"),
            "newtonsoft.json"
        );
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

    /// The package part cut from the text is what the `packageurl` crate
    /// writes for the package alone, whatever the name and namespace hold.
    #[test]
    fn the_package_part_is_the_package_written_alone() {
        for text in [
            "pkg:npm/%40types/node@20.1.0?repository_url=https://r.example/a%40b#lib",
            "pkg:maven/org.apache.commons/io@1.3.4?classifier=sources",
            "pkg:golang/github.com/Foo/Bar/v2@v2.0.0-20200101000000-abcdef123456",
            "pkg:pypi/Zope.Interface@5.0",
            "pkg:generic/odd%40name%3Fwith%23signs@1.0+build.5",
            "pkg:cargo/serde#src/lib.rs",
            "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
        ] {
            let purl = Purl::parse(text).unwrap();
            let mut package = PackageUrl::new(purl.ty(), purl.name()).unwrap();
            if let Some(namespace) = purl.namespace() {
                package.with_namespace(namespace).unwrap();
            }
            assert_eq!(purl.package(), package.to_string(), "{text}");
        }
    }

    /// Every package of the fixture lockfiles, and names and versions that
    /// need encoding: the purl written out directly is the one `packageurl`
    /// builds, part for part.
    #[test]
    fn a_plain_cargo_purl_is_the_one_packageurl_builds() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lockfiles");
        let mut packages = vec![
            ("Inflector".to_string(), "0.11.4".to_string()),
            ("serde".to_string(), "1.0.0+build.7".to_string()),
            ("odd@name".to_string(), "1.0.0".to_string()),
        ];
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().ends_with(".Cargo.lock") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut name = None;
            for line in text.lines() {
                let quoted = |key| line.strip_prefix(key)?.strip_suffix('"');
                if let Some(n) = quoted("name = \"") {
                    name = Some(n.to_string());
                } else if let (Some(v), Some(n)) = (quoted("version = \""), name.take()) {
                    packages.push((n, v.to_string()));
                }
            }
        }
        assert!(packages.len() > 5_000, "{}", packages.len());
        for (name, version) in &packages {
            let built = Purl::build("cargo", None, name, version, &[]).unwrap();
            let mut slow = PackageUrl::new("cargo", name.as_str()).unwrap();
            slow.with_version(version.as_str()).unwrap();
            let slow = Purl::from_parsed(&slow).unwrap();
            let parts = |p: &Purl| {
                (
                    p.as_str().to_string(),
                    p.package().to_string(),
                    p.ty().to_string(),
                    p.namespace().map(str::to_string),
                    p.name().to_string(),
                    p.version().map(str::to_string),
                    p.0.qualifiers.clone(),
                )
            };
            assert_eq!(parts(&built), parts(&slow), "{name} {version}");
        }
    }

    #[test]
    fn purls_know_their_parts() {
        let purl =
            Purl::parse("pkg:cargo/hex@0.4.1?vcs_url=git%2Bhttps://example.com/hex").unwrap();
        assert_eq!(
            (purl.ty(), purl.namespace(), purl.name()),
            ("cargo", None, "hex")
        );
        assert_eq!(
            purl.qualifier("vcs_url"),
            Some("git+https://example.com/hex")
        );
        assert_eq!(purl.qualifier("repository_url"), None);
        let maven = Purl::parse("pkg:maven/org.a/b@2.0").unwrap();
        assert_eq!((maven.namespace(), maven.name()), (Some("org.a"), "b"));
        let built = Purl::build("npm", Some("@Babel"), "Core", "7.0.0", &[]).unwrap();
        assert_eq!(built.as_str(), "pkg:npm/%40Babel/core@7.0.0");
        assert_eq!(Purl::parse(built.as_str()).unwrap(), built);
        let versioned = Purl::parse("pkg:generic/rtos?x=1")
            .unwrap()
            .with_version("2")
            .unwrap();
        assert_eq!(versioned.as_str(), "pkg:generic/rtos@2?x=1");
        assert!(Purl::build("pypi", Some("ns"), "x", "1", &[]).is_err());
    }

    #[test]
    fn purls_compare_by_their_canonical_text() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |p: &Purl| {
            let mut hasher = DefaultHasher::new();
            p.hash(&mut hasher);
            hasher.finish()
        };
        let spelled = Purl::parse("  pkg:NPM/%40babel/Core@7.0.0").unwrap();
        let canonical = Purl::parse("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(spelled, canonical);
        assert_eq!(hash(&spelled), hash(&canonical));
        let mut purls = ["pkg:npm/b@1", "pkg:cargo/z@1", "pkg:npm/a@2"]
            .map(|t| Purl::parse(t).unwrap())
            .to_vec();
        purls.sort();
        let texts: Vec<&str> = purls.iter().map(Purl::as_str).collect();
        let mut sorted = texts.clone();
        sorted.sort_unstable();
        assert_eq!(texts, sorted);
    }

    #[test]
    fn components_keep_their_purl_as_a_plain_string() {
        let mut c = Component::new(Ecosystem::Npm, "@babel/core", "7.0.0");
        c.purl = Purl::parse("pkg:npm/%40babel/core@7.0.0").ok();
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["purl"], "pkg:npm/%40babel/core@7.0.0");
        let back: Component = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, c);
        let mut none = json.clone();
        none["purl"] = serde_json::Value::Null;
        let back: Component = serde_json::from_value(none).unwrap();
        assert_eq!(back.purl, None);
        let mut bad = json;
        bad["purl"] = "pkg:/not a purl".into();
        let err = serde_json::from_value::<Component>(bad).unwrap_err();
        assert!(err.to_string().contains("pkg:/not a purl"), "{err}");
    }

    #[test]
    fn key_falls_back_to_name_and_version() {
        let mut c = Component::new(Ecosystem::Other("generic".into()), "openssl", "3.0.2");
        assert_eq!(c.key(), "generic:openssl@3.0.2");
        assert!(!c.is_matchable());
        c.purl = Purl::parse("pkg:generic/openssl@3.0.2").ok();
        assert_eq!(c.key(), "pkg:generic/openssl@3.0.2");
    }
}
