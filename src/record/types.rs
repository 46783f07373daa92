//! The validated record: what the engine reads once `soup-register.toml` has no
//! problems left. Each entry also knows the rules it must obey, so the loader and
//! the writer check new entries the same way.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use time::Date;

use crate::model::Purl;

/// The default RustSec source: its OSV export.
pub const DEFAULT_RUSTSEC_URL: &str =
    "https://github.com/rustsec/advisory-db/archive/refs/heads/osv.zip";
/// The default OSV bulk-export base: `<url>/<ecosystem>/all.zip`.
pub const DEFAULT_OSV_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Keys of `[system]`, in canonical order.
pub(crate) const SYSTEM_KEYS: &[&str] = &["name", "class", "manufacturer"];
/// Keys of `[policy]`, in canonical order.
pub(crate) const POLICY_KEYS: &[&str] = &[
    "review_period_days",
    "investigation_period_days",
    "max_advisory_age_days",
    "require_specification",
    "require_support_level",
    "releases_dir",
    "approvals_required",
    "signatures",
    "signers",
];
/// Keys of `[report]`, in canonical order.
pub(crate) const REPORT_KEYS: &[&str] = &["document_id", "revision"];
/// The advisory sources `[sources.*]` may name, in canonical order.
pub(crate) const SOURCE_NAMES: &[&str] = &["rustsec", "osv"];
/// Keys of one `[sources.*]` table, in canonical order.
pub(crate) const SOURCE_KEYS: &[&str] = &["url", "enabled"];
/// Keys of one `[soup.*]` table, in canonical order.
pub(crate) const SPECIFICATION_KEYS: &[&str] = &[
    "purpose",
    "requirements",
    "needs",
    "manufacturer",
    "website",
    "risk",
    "verification",
    "support",
    "support_evidence",
    "end_of_support",
    "covers",
    "versions",
];
/// Keys of one `[[evaluation]]`, in canonical order.
pub(crate) const EVALUATION_KEYS: &[&str] = &[
    "advisory",
    "aliases",
    "purl",
    "by",
    "date",
    "review_by",
    "advisory_modified",
    "advisory_hash",
    "hazardous",
    "hazards",
    "risk_controls",
    "vex_status",
    "vex_justification",
    "action",
    "rationale",
    "carried_from",
];
/// Keys of one `[[release]]`, in canonical order.
pub(crate) const RELEASE_KEYS: &[&str] = &["version", "sbom", "sha256", "date", "retired"];
/// Keys of one `[[input]]` entry, in canonical order.
pub(crate) const INPUT_KEYS: &[&str] = &["path", "label"];
/// Keys of one `[[review]]`, in canonical order.
pub(crate) const REVIEW_KEYS: &[&str] = &["item", "by", "date", "source", "finding"];
/// Keys of one `[[approval]]`, in canonical order.
pub(crate) const APPROVAL_KEYS: &[&str] = &[
    "advisory",
    "purl",
    "release",
    "digest",
    "parts",
    "by",
    "at",
    "meaning",
    "key",
    "signature",
];

/// Why a word is not one of an enumeration's spellings; names the allowed ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {what}; expected one of: {}", allowed.join(", "))]
pub struct InvalidSpelling {
    /// What was being read, e.g. "VEX status".
    pub what: &'static str,
    /// The word that was given.
    pub value: String,
    /// Every accepted spelling.
    pub allowed: Vec<&'static str>,
}

/// Declares an enumeration whose values are written in the record as fixed words.
macro_rules! spelled {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in the order the documentation lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word the record uses for this value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl FromStr for $name {
            type Err = InvalidSpelling;

            fn from_str(word: &str) -> Result<Self, InvalidSpelling> {
                Self::ALL.iter().copied().find(|value| value.as_str() == word).ok_or_else(|| {
                    InvalidSpelling {
                        what: $what,
                        value: word.to_string(),
                        allowed: Self::ALL.iter().map(|value| value.as_str()).collect(),
                    }
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let word = String::deserialize(deserializer)?;
                word.parse().map_err(serde::de::Error::custom)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spelled!(
    /// The IEC 62304 software safety class of the system (4.3).
    SafetyClass, "safety class", { A => "A", B => "B", C => "C" }
);

spelled!(
    /// The VEX status of an anomaly in this system (CycloneDX / CISA terms).
    VexStatus, "VEX status", {
        NotAffected => "not_affected",
        Affected => "affected",
        Fixed => "fixed",
        UnderInvestigation => "under_investigation",
    }
);

spelled!(
    /// Why a system is not affected by an anomaly (CISA VEX justifications).
    VexJustification, "VEX justification", {
        ComponentNotPresent => "component_not_present",
        VulnerableCodeNotPresent => "vulnerable_code_not_present",
        VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
        VulnerableCodeCannotBeControlledByAdversary => "vulnerable_code_cannot_be_controlled_by_adversary",
        InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
    }
);

spelled!(
    /// What the team does about an evaluated anomaly.
    Action, "action", { None => "none", Update => "update", Mitigate => "mitigate" }
);

spelled!(
    /// The engineer's risk rating of a SOUP item in this system.
    Risk, "risk", { Low => "low", Medium => "medium", High => "high" }
);

spelled!(
    /// What an approver's signature means (21 CFR 11.50: the meaning of a signature).
    Meaning, "meaning", { Reviewed => "reviewed", Approved => "approved" }
);

spelled!(
    /// Whether each approval must carry an SSH signature.
    SignaturePolicy, "signature policy", { Required => "required", Optional => "optional" }
);

spelled!(
    /// A SOUP item's level of support from its maintainers (FDA premarket cybersecurity guidance).
    SupportLevel, "support level", {
        Maintained => "maintained",
        Limited => "limited",
        Unmaintained => "unmaintained",
        EndOfLife => "end-of-life",
        Unknown => "unknown",
    }
);

/// When a SOUP item's support ends: a date, or known to be unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum EndOfSupport {
    On(Date),
    #[serde(serialize_with = "unknown_word")]
    Unknown,
}

fn unknown_word<S: serde::Serializer>(serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str("unknown")
}

impl fmt::Display for EndOfSupport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndOfSupport::On(date) => write!(f, "{date}"),
            EndOfSupport::Unknown => f.write_str("unknown"),
        }
    }
}

impl SafetyClass {
    /// True for classes B and C, where 5.3.3, 5.3.4 and 7.1 apply.
    pub fn needs_specifications(self) -> bool {
        self != SafetyClass::A
    }

    /// What the class means (IEC 62304 4.3), as `init` offers the choice.
    pub fn definition(self) -> &'static str {
        match self {
            SafetyClass::A => "no injury or damage to health is possible",
            SafetyClass::B => "non-serious injury is possible",
            SafetyClass::C => "death or serious injury is possible",
        }
    }
}

/// The whole validated record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub system: System,
    pub policy: Policy,
    /// How the SOUP list is filed as a controlled document.
    pub report: ReportControl,
    pub sources: Sources,
    /// Specifications keyed by crate name, or by version-less purl for other ecosystems.
    pub soup: BTreeMap<String, Specification>,
    /// Every evaluation, in file order; later ones supersede earlier ones.
    pub evaluations: Vec<Evaluation>,
    pub releases: Vec<Release>,
    pub reviews: Vec<Review>,
    /// The device's other parts (lockfiles, SBOMs, binaries) that every audit covers.
    pub inputs: Vec<InputEntry>,
    /// Every approval, in file order; approval N is the Nth, counting from 1.
    pub approvals: Vec<Approval>,
}

/// The medical-device software system this record is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    pub name: String,
    pub class: SafetyClass,
    pub manufacturer: Option<String>,
}

/// The team's rules for evaluations and audits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// An evaluation's review-by date is its date plus this many days.
    pub review_period_days: u32,
    /// An `under_investigation` evaluation is due again after this many days:
    /// it is no conclusion, so it must not rest for a whole review period.
    pub investigation_period_days: u32,
    /// Advisory data older than this many days is the finding `advisory-data-stale`.
    pub max_advisory_age_days: u32,
    /// Class B/C: every direct SOUP item needs a `[soup.<name>]` specification.
    pub require_specification: bool,
    /// Class B/C: every direct SOUP item needs a recorded `support` level.
    pub require_support_level: bool,
    /// Where `import` keeps release SBOMs, relative to the record.
    pub releases_dir: String,
    /// Distinct approvers each evaluation and release needs, as written; see
    /// [`Record::approvals_required`] for the default.
    pub approvals_required: Option<u32>,
    /// Whether approvals must be signed, as written; see [`Record::signatures_required`].
    pub signatures: Option<SignaturePolicy>,
    /// The allowed-signers file (git's `allowed_signers` format), relative to the record.
    pub signers: String,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            review_period_days: 365,
            investigation_period_days: 30,
            max_advisory_age_days: 7,
            require_specification: true,
            require_support_level: false,
            releases_dir: "releases".to_string(),
            approvals_required: None,
            signatures: None,
            signers: "soup-signers".to_string(),
        }
    }
}

/// The document control of the SOUP list (`[report]`): how the quality system files it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportControl {
    /// The document's id in the quality system, e.g. `SOUP-001`.
    pub document_id: Option<String>,
    /// The revision the user sets; without it the report derives one from git.
    pub revision: Option<String>,
}

/// Where advisories are fetched from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    pub rustsec: Source,
    pub osv: Source,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            rustsec: Source {
                url: DEFAULT_RUSTSEC_URL.to_string(),
                enabled: true,
            },
            osv: Source {
                url: DEFAULT_OSV_URL.to_string(),
                enabled: true,
            },
        }
    }
}

/// One advisory source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// A URL, or a local path to a mirror.
    pub url: String,
    pub enabled: bool,
}

/// The specification of one SOUP item (5.3.3, 5.3.4).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Specification {
    /// Functional and performance requirements it must meet here (5.3.3).
    pub purpose: String,
    pub requirements: Option<String>,
    /// Hardware and software it needs (5.3.4).
    pub needs: String,
    /// Overrides the supplier found in package metadata.
    pub manufacturer: Option<String>,
    pub website: Option<String>,
    pub risk: Risk,
    /// How the team verifies it meets its requirements.
    pub verification: Option<String>,
    /// Its maintainers' level of support, as the engineer found it.
    pub support: Option<SupportLevel>,
    /// One line saying where the support level comes from.
    pub support_evidence: Option<String>,
    /// When its support ends.
    pub end_of_support: Option<EndOfSupport>,
    /// Companion packages that are part of this SOUP item.
    pub covers: Vec<String>,
    /// The versions (or version prefixes, `"0.14"`) it was written for; empty
    /// for every version. Reports say so beside each pinned version.
    pub versions: Vec<String>,
}

impl Specification {
    /// True when `covers` names the package specified under `key` (see
    /// [`specification_key`]): the same crate name, or a package URL of the same
    /// package, compared in canonical form whatever version the entry names.
    pub fn covers_package(&self, key: &str) -> bool {
        let package = |text: &str| Purl::parse(text).ok().map(|p| p.package().to_string());
        let wanted = key.starts_with("pkg:").then(|| package(key)).flatten();
        self.covers.iter().any(|entry| match &wanted {
            Some(wanted) => package(entry).as_ref() == Some(wanted),
            None => entry == key,
        })
    }
}

/// An engineer's hazard evaluation of one anomaly in one pinned version (7.1.2, 7.1.3).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evaluation {
    pub advisory: String,
    pub aliases: Vec<String>,
    /// The exact SOUP item evaluated, with its version.
    pub purl: String,
    pub by: String,
    pub date: Date,
    pub review_by: Date,
    /// The advisory's `modified` time (RFC 3339) when it was evaluated.
    pub advisory_modified: String,
    /// `sha256:<hex>` of the advisory record that was evaluated.
    pub advisory_hash: String,
    pub hazardous: bool,
    /// ISO 14971 hazard IDs.
    pub hazards: Vec<String>,
    /// ISO 14971 risk-control IDs.
    pub risk_controls: Vec<String>,
    pub vex_status: VexStatus,
    pub vex_justification: Option<VexJustification>,
    pub action: Action,
    pub rationale: String,
    /// The version whose evaluation was carried forward to this one.
    pub carried_from: Option<String>,
}

/// A release baseline: the SBOM of one released version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Release {
    pub version: String,
    /// Relative to the record's directory.
    pub sbom: String,
    /// Hex sha256 of the SBOM file.
    pub sha256: String,
    pub date: Date,
    /// True once no unit in the field runs this release.
    pub retired: bool,
}

/// One more part of the device for `audit`, `list`, `report` and `check` to
/// cover beside the Cargo project: a lockfile of any supported ecosystem, an
/// SBOM, or a `cargo auditable` binary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputEntry {
    /// Relative to the record's directory.
    pub path: String,
    /// What this part is, for people ("clinician web UI").
    pub label: Option<String>,
}

/// A manual anomaly-list review of an item no machine-readable list covers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Review {
    /// A purl, or `name@version`.
    pub item: String,
    pub by: String,
    pub date: Date,
    /// Where the anomaly list was read, e.g. a vendor errata page.
    pub source: String,
    pub finding: String,
}

/// A second person's statement over the digest of one evaluation or of one
/// release's SOUP list: printed name, date and time, and meaning (21 CFR 11.50).
/// Exactly one of (`advisory` and `purl`) or `release` names what it approves.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Approval {
    /// The approved evaluation's advisory, for people; the digest is what counts.
    pub advisory: Option<String>,
    /// The approved evaluation's exact SOUP item, for people.
    pub purl: Option<String>,
    /// The release whose SOUP list is approved.
    pub release: Option<String>,
    /// `sha256:<hex>` of the evaluation's canonical text, or of the release's `parts`.
    pub digest: String,
    /// A release approval's parts: its SBOM and each evaluation in force, with their digests.
    pub parts: Vec<String>,
    /// The approver, "Name <email>".
    pub by: String,
    /// When it was given: an RFC 3339 date and time, kept as written (it is signed).
    pub at: String,
    pub meaning: Meaning,
    /// Public key fingerprint of the signer, `SHA256:<base64>`.
    pub key: Option<String>,
    /// The armored SSH signature (`-----BEGIN SSH SIGNATURE-----`) over the approval's payload.
    pub signature: Option<String>,
}

/// A package URL without its version, qualifiers and subpath
/// (`pkg:npm/lodash@4.17.21?x=y` → `pkg:npm/lodash`): the key of a package
/// across versions. Text that is not a package URL is its own key.
pub fn purl_without_version(purl: &str) -> String {
    Purl::parse(purl)
        .map(|p| p.package().to_string())
        .unwrap_or_else(|_| purl.to_string())
}

/// The `[soup.<key>]` key a package is specified under: the crate name for Cargo
/// packages (and packages without a purl), the version-less purl otherwise.
pub fn specification_key(name: &str, purl: Option<&Purl>) -> String {
    match purl {
        Some(purl) if purl.ty() != "cargo" => purl.package().to_string(),
        _ => name.to_string(),
    }
}

impl Record {
    /// The specification of a package: its own `[soup.<key>]`, or the one that
    /// `covers` it. Returns the key it was found under.
    pub fn specification_for(
        &self,
        name: &str,
        purl: Option<&Purl>,
    ) -> Option<(&str, &Specification)> {
        let key = specification_key(name, purl);
        if let Some((found, spec)) = self.soup.get_key_value(&key) {
            return Some((found.as_str(), spec));
        }
        self.soup
            .iter()
            .find(|(_, spec)| spec.covers_package(&key))
            .map(|(found, spec)| (found.as_str(), spec))
    }

    /// The `[soup.<key>]` key of the specification whose `covers` names a
    /// package, when the package has none of its own.
    pub fn covered_by(&self, name: &str, purl: Option<&Purl>) -> Option<&str> {
        let own = specification_key(name, purl);
        self.specification_for(name, purl)
            .map(|(found, _)| found)
            .filter(|found| *found != own)
    }

    /// The evaluation in force for an anomaly (any of its IDs or aliases) in one
    /// exact version: the newest by date, the later in the file on a tie.
    pub fn current_evaluation(&self, advisory_ids: &[String], purl: &str) -> Option<&Evaluation> {
        self.evaluations
            .iter()
            .filter(|e| e.purl == purl && e.is_about(advisory_ids))
            .max_by_key(|e| e.date)
    }

    /// Every evaluation of an anomaly in any version of a package (named by its
    /// version-less purl), oldest first: what a new version's evaluation may carry forward.
    pub fn evaluations_for(&self, advisory_ids: &[String], package: &str) -> Vec<&Evaluation> {
        let mut found: Vec<&Evaluation> = self
            .evaluations
            .iter()
            .filter(|e| purl_without_version(&e.purl) == package && e.is_about(advisory_ids))
            .collect();
        found.sort_by_key(|e| e.date);
        found
    }

    /// Distinct approvers each evaluation in force and each release needs:
    /// the policy's `approvals_required`, by default 1 for class C and 0 for A and B.
    pub fn approvals_required(&self) -> u32 {
        let default = u32::from(self.system.class == SafetyClass::C);
        self.policy.approvals_required.unwrap_or(default)
    }

    /// True when approvals must be signed: the policy's `signatures`, by default
    /// required exactly where approvals are required.
    pub fn signatures_required(&self) -> bool {
        match self.policy.signatures {
            Some(policy) => policy == SignaturePolicy::Required,
            None => self.approvals_required() > 0,
        }
    }

    /// True when no later evaluation of the same anomaly in the same version supersedes it.
    pub fn is_in_force(&self, evaluation: &Evaluation) -> bool {
        let ids: Vec<String> = std::iter::once(&evaluation.advisory)
            .chain(&evaluation.aliases)
            .cloned()
            .collect();
        self.current_evaluation(&ids, &evaluation.purl)
            .is_some_and(|current| current == evaluation)
    }

    /// The release baseline of a version, if one is recorded.
    pub fn release(&self, version: &str) -> Option<&Release> {
        self.releases
            .iter()
            .find(|release| release.version == version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covering(covers: &[&str]) -> Specification {
        Specification {
            purpose: "p".into(),
            requirements: None,
            needs: "n".into(),
            manufacturer: None,
            website: None,
            risk: Risk::Low,
            verification: None,
            support: None,
            support_evidence: None,
            end_of_support: None,
            covers: covers.iter().map(|c| c.to_string()).collect(),
            versions: Vec::new(),
        }
    }

    #[test]
    fn covers_names_crates_by_name_and_other_packages_by_purl() {
        let spec = covering(&[
            "serde_derive",
            "pkg:pypi/MarkupSafe",
            "pkg:npm/%40babel/core@7.0.0",
        ]);
        assert!(spec.covers_package("serde_derive"));
        assert!(spec.covers_package("pkg:pypi/markupsafe"));
        assert!(spec.covers_package("pkg:npm/%40babel/core"));
        assert!(!spec.covers_package("pkg:npm/markupsafe"));
        assert!(!spec.covers_package("markupsafe"));
        assert!(!covering(&["markupsafe"]).covers_package("pkg:pypi/markupsafe"));
    }

    #[test]
    fn spellings_round_trip_and_name_the_allowed_ones() {
        for status in VexStatus::ALL {
            assert_eq!(status.as_str().parse::<VexStatus>(), Ok(*status));
        }
        let err = "maybe".parse::<Action>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`maybe` is not a valid action; expected one of: none, update, mitigate"
        );
        assert!("b".parse::<SafetyClass>().is_err());
    }

    #[test]
    fn purl_without_version_keeps_scoped_names() {
        assert_eq!(
            purl_without_version("pkg:cargo/serde@1.0.0"),
            "pkg:cargo/serde"
        );
        assert_eq!(
            purl_without_version("pkg:npm/@types/node@20.1.0"),
            "pkg:npm/%40types/node"
        );
        assert_eq!(
            purl_without_version("pkg:npm/%40scope/x@1?a=b#c"),
            "pkg:npm/%40scope/x"
        );
        assert_eq!(purl_without_version("pkg:generic/rtos"), "pkg:generic/rtos");
    }
}
