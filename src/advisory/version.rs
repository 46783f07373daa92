//! Version order per ecosystem (DESIGN.md §6): the order OSV `ECOSYSTEM` ranges are
//! evaluated in. crates.io and npm use SemVer precedence, PyPI PEP 440, Go module
//! SemVer, Maven `ComparableVersion`. Every other ecosystem has no order here and is
//! matched on enumerated versions only.

use std::cmp::Ordering;
use std::str::FromStr;

use crate::model::Ecosystem;

/// Compares two versions in the ecosystem's order; `None` when either does not
/// parse or the ecosystem has no order.
pub fn compare(ecosystem: &Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    let order = Order::of(ecosystem)?;
    Some(order.parse(a)?.cmp(&order.parse(b)?))
}

/// True when `ECOSYSTEM` ranges of this ecosystem can be evaluated.
pub fn has_order(ecosystem: &Ecosystem) -> bool {
    Order::of(ecosystem).is_some()
}

/// A version order: how version strings are read and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// SemVer 2.0 precedence; a leading `v` or `=` is tolerated.
    Semver,
    /// Go module versions: SemVer with the `v` optional and `v1.2` read as `v1.2.0`.
    Go,
    /// PEP 440.
    Pep440,
    /// Maven's `ComparableVersion`.
    Maven,
}

impl Order {
    /// The order of an ecosystem's `ECOSYSTEM` ranges, if this crate knows it.
    pub(crate) fn of(ecosystem: &Ecosystem) -> Option<Order> {
        match ecosystem {
            Ecosystem::CratesIo | Ecosystem::Npm => Some(Order::Semver),
            Ecosystem::Go => Some(Order::Go),
            Ecosystem::PyPI => Some(Order::Pep440),
            Ecosystem::Maven => Some(Order::Maven),
            _ => None,
        }
    }

    /// The order of a `SEMVER` range: SemVer, read the ecosystem's way where it has its own reading.
    pub(crate) fn for_semver_range(ecosystem: &Ecosystem) -> Order {
        match ecosystem {
            Ecosystem::Go => Order::Go,
            _ => Order::Semver,
        }
    }

    /// Reads a version in this order; `None` when it does not parse.
    pub(crate) fn parse(self, text: &str) -> Option<Version> {
        let text = text.trim();
        match self {
            Order::Semver => parse_semver(text).map(Version::Semver),
            Order::Go => parse_go(text).map(Version::Semver),
            Order::Pep440 => pep440_rs::Version::from_str(text).ok().map(Version::Pep440),
            Order::Maven => maven::MavenVersion::parse(text).map(Version::Maven),
        }
    }
}

/// A parsed version; only versions of the same order are compared.
#[derive(Debug, Clone)]
pub(crate) enum Version {
    Semver(semver::Version),
    Pep440(pep440_rs::Version),
    Maven(maven::MavenVersion),
}

impl Version {
    /// Compares two versions of one order; versions of different orders never meet.
    pub(crate) fn cmp(&self, other: &Version) -> Ordering {
        match (self, other) {
            (Version::Semver(a), Version::Semver(b)) => a.cmp_precedence(b),
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp(b),
            (Version::Maven(a), Version::Maven(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    /// Keeps `cmp` total should versions of two orders ever be compared.
    fn rank(&self) -> u8 {
        match self {
            Version::Semver(_) => 0,
            Version::Pep440(_) => 1,
            Version::Maven(_) => 2,
        }
    }
}

/// SemVer with a leading `=` or `v` tolerated (npm and hand-written lockfiles use them).
fn parse_semver(text: &str) -> Option<semver::Version> {
    let text = text.strip_prefix('=').unwrap_or(text).trim_start();
    let text = text.strip_prefix('v').unwrap_or(text);
    semver::Version::parse(text).ok()
}

/// Go module versions: `v` optional, `+incompatible` is build metadata (ignored by
/// precedence), pseudo-versions are SemVer pre-releases, `v1.2` means `v1.2.0`.
fn parse_go(text: &str) -> Option<semver::Version> {
    let text = text.strip_prefix('v').unwrap_or(text);
    if let Ok(version) = semver::Version::parse(text) {
        return Some(version);
    }
    let core_end = text.find(['-', '+']).unwrap_or(text.len());
    let (core, rest) = text.split_at(core_end);
    let padding = match core.matches('.').count() {
        0 => ".0.0",
        1 => ".0",
        _ => return None,
    };
    semver::Version::parse(&format!("{core}{padding}{rest}")).ok()
}

/// Maven's version order, written by hand: no maintained crate implements Maven's
/// `ComparableVersion`, and Maven records in OSV are ranges in exactly that order.
/// It follows maven-artifact's `ComparableVersion` (3.8), with two later changes:
/// a whole sub-list is compared against a missing item (MNG-6964) and `release`
/// is an alias of the release itself. A trailing `.qualifier` stays a dot item
/// (3.9 treats it as `-qualifier`).
mod maven {
    use std::cmp::Ordering;

    /// Known qualifiers in ascending order; the empty string is the release itself.
    const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

    /// The position of the release ("" / ga / final) among the qualifiers.
    const RELEASE: usize = 5;

    /// One item of a parsed Maven version.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Item {
        /// A number, its digits without leading zeros (any length).
        Number(String),
        /// A qualifier, aliases resolved.
        Text(String),
        /// A sub-list, started by `-` or a digit/letter transition.
        List(Vec<Item>),
    }

    /// A version in Maven's `ComparableVersion` order.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(crate) struct MavenVersion {
        items: Vec<Item>,
    }

    impl MavenVersion {
        /// Parses any string, as Maven does; `None` only for the empty string.
        pub(crate) fn parse(text: &str) -> Option<MavenVersion> {
            if text.is_empty() {
                return None;
            }
            Some(MavenVersion {
                items: Parser::default().run(&text.to_lowercase()),
            })
        }
    }

    impl PartialOrd for MavenVersion {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }

    impl Ord for MavenVersion {
        fn cmp(&self, other: &Self) -> Ordering {
            compare_lists(&self.items, &other.items)
        }
    }

    /// The parser state: a stack of open lists, the innermost last.
    #[derive(Default)]
    struct Parser {
        stack: Vec<Vec<Item>>,
    }

    impl Parser {
        fn run(mut self, text: &str) -> Vec<Item> {
            self.stack.push(Vec::new());
            let chars: Vec<char> = text.chars().collect();
            let mut start = 0;
            let mut is_digit = false;
            for (i, &c) in chars.iter().enumerate() {
                let token: String = chars[start..i].iter().collect();
                match c {
                    '.' | '-' => {
                        let item = if token.is_empty() {
                            number("0")
                        } else {
                            parse_item(is_digit, &token, false)
                        };
                        self.push(item);
                        start = i + 1;
                        if c == '-' {
                            self.stack.push(Vec::new());
                        }
                    }
                    c if c.is_ascii_digit() => {
                        if !is_digit && !token.is_empty() {
                            self.push(parse_item(false, &token, true));
                            start = i;
                            self.stack.push(Vec::new());
                        }
                        is_digit = true;
                    }
                    _ => {
                        if is_digit && !token.is_empty() {
                            self.push(parse_item(true, &token, false));
                            start = i;
                            self.stack.push(Vec::new());
                        }
                        is_digit = false;
                    }
                }
            }
            let rest: String = chars[start..].iter().collect();
            if !rest.is_empty() {
                self.push(parse_item(is_digit, &rest, false));
            }
            self.close_all()
        }

        fn push(&mut self, item: Item) {
            if let Some(list) = self.stack.last_mut() {
                list.push(item);
            }
        }

        /// Normalises and closes every open list, innermost first.
        fn close_all(mut self) -> Vec<Item> {
            let mut inner: Option<Vec<Item>> = None;
            while let Some(mut list) = self.stack.pop() {
                if let Some(child) = inner.take() {
                    list.push(Item::List(child));
                }
                normalize(&mut list);
                inner = Some(list);
            }
            inner.unwrap_or_default()
        }
    }

    fn number(digits: &str) -> Item {
        let trimmed = digits.trim_start_matches('0');
        Item::Number(trimmed.to_string())
    }

    fn parse_item(is_digit: bool, token: &str, followed_by_digit: bool) -> Item {
        if is_digit {
            return number(token);
        }
        let expanded = match (followed_by_digit, token) {
            (true, "a") => "alpha",
            (true, "b") => "beta",
            (true, "m") => "milestone",
            _ => token,
        };
        let resolved = match expanded {
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            other => other,
        };
        Item::Text(resolved.to_string())
    }

    /// Removes trailing null items (0, release qualifier, empty list), as Maven does.
    fn normalize(list: &mut Vec<Item>) {
        let mut i = list.len();
        while i > 0 {
            i -= 1;
            if is_null(&list[i]) {
                list.remove(i);
            } else if !matches!(list[i], Item::List(_)) {
                break;
            }
        }
    }

    fn is_null(item: &Item) -> bool {
        match item {
            Item::Number(digits) => digits.is_empty(),
            Item::Text(text) => qualifier_rank(text) == (RELEASE, ""),
            Item::List(items) => items.is_empty(),
        }
    }

    /// Known qualifiers by position; unknown ones after all known, in lexical order.
    fn qualifier_rank(text: &str) -> (usize, &str) {
        match QUALIFIERS.iter().position(|q| *q == text) {
            Some(i) => (i, ""),
            None => (QUALIFIERS.len(), text),
        }
    }

    fn compare_numbers(a: &str, b: &str) -> Ordering {
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }

    /// Compares an item with a missing one (the other version is shorter).
    fn compare_with_nothing(item: &Item) -> Ordering {
        match item {
            Item::Number(digits) if digits.is_empty() => Ordering::Equal,
            Item::Number(_) => Ordering::Greater,
            Item::Text(text) => qualifier_rank(text).cmp(&(RELEASE, "")),
            Item::List(items) => items
                .iter()
                .map(compare_with_nothing)
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal),
        }
    }

    fn compare_items(a: &Item, b: &Item) -> Ordering {
        match (a, b) {
            (Item::Number(x), Item::Number(y)) => compare_numbers(x, y),
            (Item::Number(_), _) => Ordering::Greater,
            (Item::Text(_), Item::Number(_)) => Ordering::Less,
            (Item::Text(x), Item::Text(y)) => qualifier_rank(x).cmp(&qualifier_rank(y)),
            (Item::Text(_), Item::List(_)) => Ordering::Less,
            (Item::List(_), Item::Number(_)) => Ordering::Less,
            (Item::List(_), Item::Text(_)) => Ordering::Greater,
            (Item::List(x), Item::List(y)) => compare_lists(x, y),
        }
    }

    fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
        for i in 0..a.len().max(b.len()) {
            let ordering = match (a.get(i), b.get(i)) {
                (Some(x), Some(y)) => compare_items(x, y),
                (Some(x), None) => compare_with_nothing(x),
                (None, Some(y)) => compare_with_nothing(y).reverse(),
                (None, None) => Ordering::Equal,
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn ascending(ecosystem: Ecosystem, versions: &[&str]) {
        for pair in versions.windows(2) {
            assert_eq!(
                compare(&ecosystem, pair[0], pair[1]),
                Some(Less),
                "{} < {}",
                pair[0],
                pair[1]
            );
            assert_eq!(
                compare(&ecosystem, pair[1], pair[0]),
                Some(Greater),
                "{} > {}",
                pair[1],
                pair[0]
            );
        }
    }

    #[test]
    fn semver_orders_pre_releases_before_their_release() {
        ascending(
            Ecosystem::CratesIo,
            &[
                "0.0.0-0",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.0.1-0",
                "1.0.1",
            ],
        );
    }

    #[test]
    fn semver_ignores_build_metadata_and_tolerates_prefixes() {
        assert_eq!(
            compare(&Ecosystem::CratesIo, "1.0.0+build.1", "1.0.0+build.2"),
            Some(Equal)
        );
        assert_eq!(compare(&Ecosystem::Npm, "v1.2.3", "=1.2.3"), Some(Equal));
        assert_eq!(compare(&Ecosystem::Npm, "1.0.0-rc.1", "1.0.0"), Some(Less));
        assert_eq!(compare(&Ecosystem::CratesIo, "1.2", "1.2.0"), None);
        assert_eq!(compare(&Ecosystem::CratesIo, "banana", "1.0.0"), None);
    }

    #[test]
    fn pep440_orders_epochs_pre_post_dev_and_local() {
        ascending(
            Ecosystem::PyPI,
            &[
                "1.0.dev1",
                "1.0a1",
                "1.0a2.dev1",
                "1.0b1",
                "1.0rc1",
                "1.0",
                "1.0+local.1",
                "1.0.post1.dev1",
                "1.0.post1",
                "1.1",
                "1!0.1",
            ],
        );
        assert_eq!(compare(&Ecosystem::PyPI, "2.10", "2.10.0"), Some(Equal));
        assert_eq!(compare(&Ecosystem::PyPI, "1.0-rc1", "1.0rc1"), Some(Equal));
        assert_eq!(compare(&Ecosystem::PyPI, "not a version", "1.0"), None);
    }

    #[test]
    fn maven_orders_qualifiers() {
        ascending(
            Ecosystem::Maven,
            &[
                "1-alpha",
                "1-alpha-1",
                "1-beta",
                "1-milestone",
                "1-rc",
                "1-snapshot",
                "1",
                "1-sp",
                "1-abc",
                "1-1",
                "1.1",
            ],
        );
        ascending(
            Ecosystem::Maven,
            &[
                "1.0-alpha1",
                "1.0-alpha2",
                "1.0-alpha10",
                "1.0-b1",
                "1.0-m1",
                "1.0-rc1",
                "1.0",
            ],
        );
        for (a, b) in [
            ("1", "1.0.0"),
            ("1-ga", "1"),
            ("1-final", "1"),
            ("1.0-cr1", "1.0-rc1"),
            ("1.0-RC1", "1.0-rc1"),
            ("1.0-a1", "1.0-alpha-1"),
        ] {
            assert_eq!(compare(&Ecosystem::Maven, a, b), Some(Equal), "{a} = {b}");
        }
        assert_eq!(compare(&Ecosystem::Maven, "2.0", "10.0"), Some(Less));
        assert_eq!(
            compare(&Ecosystem::Maven, "1.0.0.1234567890123456789", "1.0.0.999"),
            Some(Greater)
        );
        assert_eq!(
            compare(&Ecosystem::Maven, "1.0.RELEASE", "1.0.1"),
            Some(Less)
        );
    }

    #[test]
    fn maven_agrees_with_maven_own_test_vectors() {
        // The ascending lists of maven-artifact's ComparableVersionTest, less `2.0.a`:
        // Maven 3.9 reads a trailing `.a` as `-a` (below `2-1`), 3.8, followed here, does not.
        ascending(
            Ecosystem::Maven,
            &[
                "1-alpha2snapshot",
                "1-alpha2",
                "1-alpha-123",
                "1-beta-2",
                "1-beta123",
                "1-m2",
                "1-m11",
                "1-rc",
                "1-cr2",
                "1-rc123",
                "1-SNAPSHOT",
                "1",
                "1-sp",
                "1-sp2",
                "1-sp123",
                "1-abc",
                "1-def",
                "1-pom-1",
                "1-1-snapshot",
                "1-1",
                "1-2",
                "1-123",
            ],
        );
        ascending(
            Ecosystem::Maven,
            &[
                "2.0", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
                "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
                "11", "11.a", "11b", "11c", "11m",
            ],
        );
    }

    #[test]
    fn go_orders_pseudo_versions_and_ignores_incompatible() {
        ascending(
            Ecosystem::Go,
            &[
                "v0.0.0-20190101000000-abcdefabcdef",
                "v0.0.0-20210101000000-abcdef123456",
                "v0.1.0",
                "v1.2.3-pre.0.20220101000000-0123456789ab",
                "v1.2.3",
                "v1.2.4-0.20230101000000-0123456789ab",
                "v1.2.4",
            ],
        );
        assert_eq!(
            compare(&Ecosystem::Go, "v2.0.0+incompatible", "2.0.0"),
            Some(Equal)
        );
        assert_eq!(compare(&Ecosystem::Go, "v1.2", "1.2.0"), Some(Equal));
        assert_eq!(compare(&Ecosystem::Go, "v1", "v1.0.0"), Some(Equal));
    }

    #[test]
    fn go_pseudo_versions_and_incompatible_follow_go_semver() {
        // The three pseudo-version forms sort below the release they precede
        // and below that release's tagged pre-releases ("0" < "rc").
        ascending(
            Ecosystem::Go,
            &[
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20191109021932-0000000000aa",
                "v1.4.0",
                "v1.4.1-0.20210101000000-abcdefabcdef",
                "v1.4.1-rc.1",
                "v1.4.1",
                "v2.0.0-20200101000000-abcdefabcdef+incompatible",
                "v2.0.0+incompatible",
                "v2.0.1+incompatible",
                "v4.1.2+incompatible",
            ],
        );
        assert_eq!(
            compare(
                &Ecosystem::Go,
                "v0.0.0-20191109021931-daa7c04131f5",
                "0.0.0-20191109021931-daa7c04131f5"
            ),
            Some(Equal),
            "OSV writes Go versions without the v"
        );
        assert_eq!(
            compare(&Ecosystem::Go, "v4.1.2+incompatible", "v4.1.2"),
            Some(Equal)
        );
        for invalid in ["v1.2.3.4", "v01.2.3", "vx.y.z", "v1.2.3-"] {
            assert_eq!(
                compare(&Ecosystem::Go, invalid, "v1.0.0"),
                None,
                "{invalid}"
            );
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let odd = [
            "",
            "-",
            ".",
            "..",
            "--",
            "v",
            "=",
            "+",
            "1..2",
            "1--2",
            "ÄÖ-1",
            "1.0-ⅻ",
            "99999999999999999999999.1",
            "1.0.0-",
            "1!",
            "1+",
        ];
        for ecosystem in [
            Ecosystem::CratesIo,
            Ecosystem::Npm,
            Ecosystem::PyPI,
            Ecosystem::Go,
            Ecosystem::Maven,
        ] {
            for a in odd {
                for b in odd {
                    let _ = compare(&ecosystem, a, b);
                }
            }
        }
    }

    #[test]
    fn other_ecosystems_have_no_order() {
        let hex = Ecosystem::Other("Hex".into());
        assert!(!has_order(&hex));
        assert!(!has_order(&Ecosystem::Debian));
        assert!(has_order(&Ecosystem::Maven));
        assert_eq!(compare(&hex, "1.0.0", "1.0.0"), None);
    }
}
