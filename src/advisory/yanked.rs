//! Which crates.io versions their publishers have yanked, as far as cargo's own
//! local index cache knows: `<cargo home>/registry/index/<crates.io index>/.cache/`
//! holds one file per crate that cargo has resolved, sparse and git index alike.
//! Read offline, so the report never asks the network. A file in a format not
//! read here, garbage or too large leaves its crate "not known": yank facts are
//! evidence when present, and their absence never says anything.
//!
//! A cache file is a byte with the cache format version, the index schema
//! version as a little-endian `u32`, the index version it was made from, then
//! for every published version its version string and its index entry (one
//! JSON object, as the registry index serves it); each of those ends with a
//! NUL byte.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;

use crate::model::{Component, Ecosystem};

/// The folders under `registry/index` where cargo keeps crates.io's index:
/// sparse and git, each under the hash current cargo names it by and the one
/// older cargo did. Other folders are other registries, whose crates may share
/// a name with a crates.io crate.
const CRATES_IO_INDEXES: [&str; 4] = [
    "index.crates.io-1949cf8c6b5b557f",
    "index.crates.io-6f17d22bba15001f",
    "github.com-25cdd57fae9f0462",
    "github.com-1ecc6299db9ec823",
];

/// The cache format version read here, the one cargo writes; a file of any
/// other version is in a format not known here.
const CACHE_VERSION: u8 = 3;

/// The index schema versions whose entries say `yanked` as read here.
const INDEX_SCHEMAS: std::ops::RangeInclusive<u32> = 1..=2;

/// The largest cache file read: several times the largest crate's on
/// crates.io, so a hostile or broken file cannot make the report read without
/// end.
const MAX_CACHE_FILE: u64 = 32 * 1024 * 1024;

/// The longest crate name crates.io accepts.
const MAX_CRATE_NAME: usize = 64;

/// The components pinned at a crates.io version that cargo's index cache shows
/// as yanked, by [`Component::key`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Yanked(BTreeSet<String>);

impl Yanked {
    /// True when cargo's index cache shows `component`'s version as yanked.
    pub fn is_yanked(&self, component: &Component) -> bool {
        self.0.contains(component.key().as_ref())
    }
}

/// The yanks cargo's index cache under `cargo_home` shows among `components`;
/// components not from crates.io, and crates it holds nothing readable of,
/// are not known to be yanked.
pub fn read(cargo_home: &Path, components: &[Component]) -> Yanked {
    let indexes: Vec<PathBuf> = CRATES_IO_INDEXES
        .iter()
        .map(|dir| cargo_home.join("registry/index").join(dir).join(".cache"))
        .filter(|cache| cache.is_dir())
        .collect();
    if indexes.is_empty() {
        return Yanked::default();
    }
    let mut by_crate: BTreeMap<&str, Vec<&Component>> = BTreeMap::new();
    for component in components {
        if let Some(name) = crates_io_name(component) {
            by_crate.entry(name).or_default().push(component);
        }
    }
    let mut yanked = BTreeSet::new();
    // One buffer for every file: a fresh one each time was mostly page faults
    // (a report reads tens of MB of cache files).
    let mut bytes = Vec::new();
    for (name, mut undecided) in by_crate {
        for path in newest_first(&indexes, &cache_path(name)) {
            if undecided.is_empty() {
                break;
            }
            let Some(listing) = read_bounded(&path, &mut bytes).and_then(|()| entries(&bytes))
            else {
                continue;
            };
            // The newest file that lists a version decides it.
            undecided.retain(|component| match yank_of(&listing, &component.version) {
                Some(true) => {
                    yanked.insert(component.key().into_owned());
                    false
                }
                Some(false) => false,
                None => true,
            });
        }
    }
    Yanked(yanked)
}

/// The crate name of a component from crates.io: a cargo purl naming neither
/// another registry (`repository_url`) nor a git source (`vcs_url`), with a
/// name crates.io could have published (so it is safe as a path).
fn crates_io_name(component: &Component) -> Option<&str> {
    if component.ecosystem != Ecosystem::CratesIo {
        return None;
    }
    let purl = component.purl.as_ref()?;
    let elsewhere = ["repository_url", "vcs_url"]
        .iter()
        .any(|key| purl.qualifier(key).is_some());
    let name = component.name.as_str();
    let plausible = !name.is_empty()
        && name.len() <= MAX_CRATE_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (!elsewhere && plausible).then_some(name)
}

/// Where the index keeps a crate, as the registry index format lays it out:
/// lower-cased, `1/`, `2/` or `3/<first letter>/` for short names, else the
/// first two letters and the next two.
fn cache_path(name: &str) -> PathBuf {
    let name = name.to_ascii_lowercase();
    let prefix = match name.len() {
        1 => "1".to_string(),
        2 => "2".to_string(),
        3 => format!("3/{}", &name[..1]),
        _ => format!("{}/{}", &name[..2], &name[2..4]),
    };
    Path::new(&prefix).join(name)
}

/// The cache files of one crate that exist as regular files within the size
/// limit, the most recently written first: of those that list a version, the
/// latest view cargo had decides.
fn newest_first(indexes: &[PathBuf], relative: &Path) -> Vec<PathBuf> {
    let mut files: Vec<(SystemTime, PathBuf)> = indexes
        .iter()
        .map(|index| index.join(relative))
        .filter_map(|path| {
            let meta = std::fs::metadata(&path).ok()?;
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            (meta.is_file() && meta.len() <= MAX_CACHE_FILE).then_some((modified, path))
        })
        .collect();
    files.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    files.into_iter().map(|(_, path)| path).collect()
}

/// Reads the file into `bytes`, unless it cannot be read or grew past the limit.
fn read_bounded(path: &Path, bytes: &mut Vec<u8>) -> Option<()> {
    let file = std::fs::File::open(path).ok()?;
    bytes.clear();
    file.take(MAX_CACHE_FILE + 1).read_to_end(bytes).ok()?;
    (bytes.len() as u64 <= MAX_CACHE_FILE).then_some(())
}

/// Whether a cache file's `entries` show `version` as yanked; `None` when
/// they do not list it, or its entry is malformed.
fn yank_of(entries: &[(&str, &[u8])], version: &str) -> Option<bool> {
    let (_, entry) = entries.iter().find(|(listed, _)| *listed == version)?;
    let entry: IndexEntry = serde_json::from_slice(entry).ok()?;
    Some(entry.yanked)
}

/// The part of an index entry read here.
#[derive(Deserialize)]
struct IndexEntry {
    /// Absent in entries from before yanking existed: not yanked.
    #[serde(default)]
    yanked: bool,
}

/// Every version a cache file lists, with its index entry unparsed: only the
/// entries of pinned versions are read (a crate's file lists every version
/// ever published, most of a report's time when each was parsed); `None` for
/// another format version or a truncated file.
fn entries(bytes: &[u8]) -> Option<Vec<(&str, &[u8])>> {
    let (&cache_version, rest) = bytes.split_first()?;
    let schema = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
    if cache_version != CACHE_VERSION || !INDEX_SCHEMAS.contains(&schema) {
        return None;
    }
    let body = rest.get(4..)?.strip_suffix(&[0])?;
    let mut start = 0;
    let mut fields = memchr::memchr_iter(0, body)
        .chain(std::iter::once(body.len()))
        .map(|end| {
            let field = &body[start..end];
            start = end + 1;
            field
        });
    // The index version the cache was made from: cargo's, for knowing when to
    // rebuild it; nothing here depends on it.
    fields.next()?;
    let mut entries = Vec::new();
    while let Some(version) = fields.next() {
        entries.push((std::str::from_utf8(version).ok()?, fields.next()?));
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Purl;

    /// cargo 1.95.0's cache file of `hex`, written by `cargo generate-lockfile`
    /// and `cargo update --precise` (see tests/fixtures/README.md).
    const HEX: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cargo-home/registry/index/index.crates.io-1949cf8c6b5b557f/.cache/3/h/hex"
    ));

    fn crate_component(name: &str, version: &str) -> Component {
        let mut c = Component::new(Ecosystem::CratesIo, name, version);
        c.purl = Purl::parse(&format!("pkg:cargo/{name}@{version}")).ok();
        c
    }

    /// The crates.io sparse index file of hex (https://index.crates.io/3/h/hex),
    /// read on its own, lists 0.4.1 alone as `"yanked": true`; cargo warns
    /// "selected package `hex@0.4.1` was yanked by the author" when it is pinned.
    #[test]
    fn the_real_cache_shows_hex_0_4_1_alone_as_yanked() {
        let listed = entries(HEX).expect("cargo's own cache file reads");
        let versions: Vec<&str> = listed.iter().map(|(v, _)| *v).collect();
        assert_eq!(
            versions,
            [
                "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.3.2", "0.4.0", "0.4.1", "0.4.2", "0.4.3"
            ]
        );
        let yanked: Vec<&str> = listed
            .iter()
            .filter(|(v, _)| yank_of(&listed, v) == Some(true))
            .map(|(v, _)| *v)
            .collect();
        assert_eq!(yanked, ["0.4.1"]);
        assert_eq!(yank_of(&listed, "0.4.1"), Some(true));
        assert_eq!(yank_of(&listed, "0.4.3"), Some(false));
        assert_eq!(
            yank_of(&listed, "9.9.9"),
            None,
            "an unlisted version is not known"
        );
    }

    #[test]
    fn every_truncation_of_the_real_file_is_not_known_or_a_prefix_of_it() {
        let whole = entries(HEX).unwrap();
        for end in 0..HEX.len() {
            if let Some(partial) = entries(&HEX[..end]) {
                assert!(whole.starts_with(&partial), "cut at {end}");
            }
        }
    }

    #[test]
    fn other_formats_and_garbage_are_not_known() {
        let mut other_cache = HEX.to_vec();
        other_cache[0] = 4;
        let mut other_schema = HEX.to_vec();
        other_schema[1] = 9;
        let mut bad_utf8 = HEX.to_vec();
        // The first version string starts after the index version's NUL.
        let first_version = 5 + HEX[5..].iter().position(|b| *b == 0).unwrap() + 1;
        bad_utf8[first_version] = 0xff;
        for bytes in [
            &b""[..],
            b"\x03",
            b"\x03\x02\x00\x00",
            b"\x03\x02\x00\x00\x00",
            b"\x03\x02\x00\x00\x00etag\x000.1.0\x00",
            &other_cache,
            &other_schema,
            &bad_utf8,
            b"\xff\xfe\x00\x00garbage\x00\x00\x00",
        ] {
            assert_eq!(entries(bytes), None, "{bytes:?}");
        }
    }

    #[test]
    fn a_malformed_entry_leaves_its_version_not_known() {
        let mut bad_json = HEX.to_vec();
        let at = HEX.windows(7).position(|w| w == b"\"yanked").unwrap();
        bad_json[at] = b'{';
        let listed = entries(&bad_json).expect("the file's layout is intact");
        assert_eq!(yank_of(&listed, "0.1.0"), None);
        assert_eq!(yank_of(&listed, "0.4.1"), Some(true));
        let odd = b"\x03\x02\x00\x00\x00etag\x000.1.0\x00{\"yanked\":\"yes\"}\x00";
        assert_eq!(yank_of(&entries(odd).unwrap(), "0.1.0"), None);
    }

    #[test]
    fn an_entry_without_the_yanked_key_is_not_yanked() {
        let bytes = b"\x03\x02\x00\x00\x00etag\x000.1.0\x00{\"vers\":\"0.1.0\"}\x00";
        assert_eq!(yank_of(&entries(bytes).unwrap(), "0.1.0"), Some(false));
    }

    #[test]
    fn the_path_is_the_index_layout() {
        assert_eq!(cache_path("a"), Path::new("1/a"));
        assert_eq!(cache_path("Cc"), Path::new("2/cc"));
        assert_eq!(cache_path("hex"), Path::new("3/h/hex"));
        assert_eq!(cache_path("Serde_JSON"), Path::new("se/rd/serde_json"));
    }

    #[test]
    fn only_crates_io_packages_with_plausible_names_are_looked_up() {
        assert_eq!(
            crates_io_name(&crate_component("hex", "0.4.1")),
            Some("hex")
        );
        let mut other_registry = crate_component("hex", "0.4.1");
        other_registry.purl =
            Purl::parse("pkg:cargo/hex@0.4.1?repository_url=https://example.com/index").ok();
        let mut git = crate_component("hex", "0.4.1");
        git.purl = Purl::parse("pkg:cargo/hex@0.4.1?vcs_url=git%2Bhttps://example.com/hex").ok();
        let mut npm = crate_component("hex", "0.4.1");
        npm.ecosystem = Ecosystem::Npm;
        let mut no_purl = crate_component("hex", "0.4.1");
        no_purl.purl = None;
        let long = "a".repeat(MAX_CRATE_NAME + 1);
        for c in [
            other_registry,
            git,
            npm,
            no_purl,
            crate_component("../../etc", "1.0.0"),
            crate_component("", "1.0.0"),
            crate_component(&long, "1.0.0"),
        ] {
            assert_eq!(crates_io_name(&c), None, "{c:?}");
        }
    }

    #[test]
    fn a_cargo_home_is_read_and_a_hostile_one_is_not_known() {
        let home = tempfile::tempdir().unwrap();
        let index = home
            .path()
            .join("registry/index/index.crates.io-1949cf8c6b5b557f/.cache");
        std::fs::create_dir_all(index.join("3/h")).unwrap();
        std::fs::write(index.join("3/h/hex"), HEX).unwrap();
        let pinned = [
            crate_component("hex", "0.4.1"),
            crate_component("hex", "0.4.3"),
        ];
        let yanked = read(home.path(), &pinned);
        assert!(yanked.is_yanked(&pinned[0]) && !yanked.is_yanked(&pinned[1]));

        // Another registry's folder is never read as crates.io's.
        let other = tempfile::tempdir().unwrap();
        let elsewhere = other
            .path()
            .join("registry/index/example.com-0123456789abcdef/.cache");
        std::fs::create_dir_all(elsewhere.join("3/h")).unwrap();
        std::fs::write(elsewhere.join("3/h/hex"), HEX).unwrap();
        assert_eq!(read(other.path(), &pinned), Yanked::default());

        // A folder where the file should be, or garbage, is not known.
        std::fs::remove_file(index.join("3/h/hex")).unwrap();
        std::fs::create_dir(index.join("3/h/hex")).unwrap();
        assert_eq!(read(home.path(), &pinned), Yanked::default());
        std::fs::remove_dir(index.join("3/h/hex")).unwrap();
        std::fs::write(index.join("3/h/hex"), b"\x03garbage").unwrap();
        assert_eq!(read(home.path(), &pinned), Yanked::default());
        let missing = home.path().join("missing");
        assert_eq!(read(&missing, &pinned), Yanked::default());
    }

    #[test]
    fn of_two_crates_io_caches_the_latest_written_decides() {
        let home = tempfile::tempdir().unwrap();
        let index = |dir: &str| {
            home.path()
                .join("registry/index")
                .join(dir)
                .join(".cache/3/h")
        };
        let unyanked =
            String::from_utf8_lossy(HEX).replace("\"yanked\": true", "\"yanked\": false");
        let older = index("github.com-1ecc6299db9ec823");
        let newer = index("index.crates.io-1949cf8c6b5b557f");
        for (dir, bytes) in [(&older, HEX), (&newer, unyanked.as_bytes())] {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join("hex"), bytes).unwrap();
        }
        let age = |dir: &Path, modified: SystemTime| {
            let file = std::fs::File::options().write(true).open(dir.join("hex"));
            file.unwrap().set_modified(modified).unwrap();
        };
        let pinned = [crate_component("hex", "0.4.1")];
        age(&older, SystemTime::UNIX_EPOCH);
        assert_eq!(read(home.path(), &pinned), Yanked::default());
        age(&newer, SystemTime::UNIX_EPOCH);
        age(&older, SystemTime::now());
        assert!(read(home.path(), &pinned).is_yanked(&pinned[0]));
    }
}
