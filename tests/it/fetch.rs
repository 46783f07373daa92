//! Downloading advisory archives and reading them safely (DESIGN.md §6): every
//! case against a local server on 127.0.0.1 serving the real RustSec OSV export.

use std::io::Cursor;
use std::time::Duration;

use cargo_soup::advisory::archive::{self, ArchiveError, Entry, Limits};
use cargo_soup::net::{Client, Fetched, NetError, NetOptions, Validators};

use super::support::scene::Project;
use super::support::server::{Reply, Server};
use super::support::{fixture_bytes, zip_of};

/// Records in the RustSec OSV export, as its fixture README states.
const RUSTSEC_OSV_RECORDS: usize = 1206;

const ETAG: &str = "\"rustsec-7fa931cb\"";
const LAST_MODIFIED: &str = "Fri, 21 Aug 2026 06:00:00 GMT";

fn rustsec_osv() -> Vec<u8> {
    fixture_bytes("advisories/rustsec-osv-2026-08-21.zip")
}

fn options() -> NetOptions {
    NetOptions {
        allow_http: true,
        timeout: Duration::from_secs(5),
        ..NetOptions::default()
    }
}

fn client() -> Client {
    Client::new(options()).unwrap()
}

/// Downloads without caring about progress.
fn get(client: &Client, url: &str, validators: &Validators) -> Result<Fetched, NetError> {
    client.get(url, validators, &mut |_, _| {})
}

fn body(fetched: Fetched) -> (Vec<u8>, Validators) {
    match fetched {
        Fetched::Body { bytes, validators } => (bytes, validators),
        Fetched::NotModified => panic!("expected a body, got NotModified"),
    }
}

/// Every entry of a zip held in memory, or the first error.
fn zip_entries(zip: &[u8], label: &str, limits: &Limits) -> Result<Vec<Entry>, ArchiveError> {
    archive::read_zip(Cursor::new(zip), label, limits)?.collect()
}

fn json_count(entries: &[Entry]) -> usize {
    entries
        .iter()
        .filter(|entry| entry.name.ends_with(".json"))
        .count()
}

/// A zip of the given (name, content) entries, deflated.
#[test]
fn first_download_returns_the_body_its_validators_and_progress() {
    let zip = rustsec_osv();
    let server = Server::start([("/osv.zip", Reply::versioned(&zip, ETAG, LAST_MODIFIED))]);
    let mut reports = Vec::new();
    let fetched = client()
        .get(
            &server.url("/osv.zip"),
            &Validators::default(),
            &mut |done, total| reports.push((done, total)),
        )
        .unwrap();

    let (bytes, validators) = body(fetched);
    assert_eq!(bytes, zip);
    assert_eq!(validators.etag.as_deref(), Some(ETAG));
    assert_eq!(validators.last_modified.as_deref(), Some(LAST_MODIFIED));
    let total = Some(zip.len() as u64);
    assert_eq!(reports.first(), Some(&(0, total)));
    assert_eq!(reports.last(), Some(&(zip.len() as u64, total)));
    assert!(
        reports.len() > 2,
        "progress reported while reading: {reports:?}"
    );
    assert!(reports.windows(2).all(|pair| pair[0].0 <= pair[1].0));

    let entries = zip_entries(&bytes, "osv.zip", &Limits::default()).unwrap();
    assert_eq!(json_count(&entries), RUSTSEC_OSV_RECORDS);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/osv.zip");
    assert_eq!(requests[0].if_none_match(), None);
    assert_eq!(requests[0].if_modified_since(), None);
    let agent = requests[0].header("user-agent").unwrap_or_default();
    assert_eq!(agent, concat!("cargo-soup/", env!("CARGO_PKG_VERSION")));
}

#[test]
fn unchanged_data_is_not_downloaded_again() {
    let zip = rustsec_osv();
    let server = Server::start([("/osv.zip", Reply::versioned(&zip, ETAG, LAST_MODIFIED))]);
    let client = client();
    let (_, validators) =
        body(get(&client, &server.url("/osv.zip"), &Validators::default()).unwrap());

    let mut progress_calls = 0;
    let again = client
        .get(&server.url("/osv.zip"), &validators, &mut |_, _| {
            progress_calls += 1
        })
        .unwrap();

    assert_eq!(again, Fetched::NotModified);
    assert_eq!(progress_calls, 0, "no body is read for 304");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].if_none_match(), Some(ETAG));
    assert_eq!(requests[1].if_modified_since(), Some(LAST_MODIFIED));
}

#[test]
fn a_last_modified_alone_makes_the_request_conditional() {
    let server = Server::start([(
        "/osv.zip",
        Reply::Body {
            bytes: rustsec_osv(),
            etag: None,
            last_modified: Some(LAST_MODIFIED.into()),
        },
    )]);
    let validators = Validators {
        etag: None,
        last_modified: Some(LAST_MODIFIED.into()),
    };
    let fetched = get(&client(), &server.url("/osv.zip"), &validators).unwrap();
    assert_eq!(fetched, Fetched::NotModified);
    assert_eq!(server.requests()[0].if_none_match(), None);
}

#[test]
fn changed_data_is_downloaded_with_its_new_validators() {
    let old = rustsec_osv();
    let new = fixture_bytes("advisories/rustsec-advisory-db-2026-08-21.zip");
    let server = Server::start([("/osv.zip", Reply::versioned(&old, ETAG, LAST_MODIFIED))]);
    let client = client();
    let (_, validators) =
        body(get(&client, &server.url("/osv.zip"), &Validators::default()).unwrap());

    let new_date = "Sat, 22 Aug 2026 06:00:00 GMT";
    server.set(
        "/osv.zip",
        Reply::versioned(&new, "\"rustsec-bf5c0d24\"", new_date),
    );
    let (bytes, next) = body(get(&client, &server.url("/osv.zip"), &validators).unwrap());

    assert_eq!(bytes, new);
    assert_eq!(next.etag.as_deref(), Some("\"rustsec-bf5c0d24\""));
    assert_eq!(next.last_modified.as_deref(), Some(new_date));
    assert_eq!(server.requests()[1].if_none_match(), Some(ETAG));
}

#[test]
fn a_server_error_names_the_url_and_the_status() {
    let server = Server::start([("/broken.zip", Reply::Status(500))]);
    for (path, status) in [
        ("/broken.zip", "500 Internal Server Error"),
        ("/missing.zip", "404 Not Found"),
    ] {
        let url = server.url(path);
        let error = get(&client(), &url, &Validators::default()).unwrap_err();
        let NetError::Status {
            url: named,
            status: found,
        } = &error
        else {
            panic!("{url}: {error}");
        };
        assert_eq!((named.as_str(), found.as_str()), (url.as_str(), status));
        let message = error.to_string();
        assert!(
            message.contains(&url) && message.contains(status),
            "{message}"
        );
        assert!(
            message.contains("[sources] of soup-register.toml"),
            "{message}"
        );
    }
}

#[test]
fn a_304_to_an_unconditional_request_is_an_error() {
    let server = Server::start([("/odd.zip", Reply::Status(304))]);
    let error = get(&client(), &server.url("/odd.zip"), &Validators::default()).unwrap_err();
    assert!(
        matches!(error, NetError::UnexpectedNotModified { .. }),
        "{error}"
    );
}

#[test]
fn a_connection_dropped_mid_body_returns_no_data() {
    let zip = rustsec_osv();
    let after = zip.len() / 2;
    let server = Server::start([(
        "/osv.zip",
        Reply::Truncated {
            bytes: zip.clone(),
            after,
        },
    )]);
    let url = server.url("/osv.zip");
    let error = get(&client(), &url, &Validators::default()).unwrap_err();
    let NetError::Incomplete {
        url: named,
        received,
        expected,
        ..
    } = &error
    else {
        panic!("{error}");
    };
    assert_eq!(named, &url);
    assert!(
        *received <= after as u64,
        "received {received} of {after} sent"
    );
    assert_eq!(*expected, Some(zip.len() as u64));
}

#[test]
fn a_stalled_download_times_out() {
    let zip = rustsec_osv();
    let stall = Reply::Stall {
        bytes: zip,
        after: 1000,
        stall: Duration::from_secs(5),
    };
    let server = Server::start([("/osv.zip", stall)]);
    let options = NetOptions {
        timeout: Duration::from_millis(300),
        ..options()
    };
    let client = Client::new(options).unwrap();
    let error = get(&client, &server.url("/osv.zip"), &Validators::default()).unwrap_err();
    assert!(matches!(error, NetError::Timeout { .. }), "{error}");
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let zip = rustsec_osv();
    let server = Server::start([
        ("/sized.zip", Reply::body(&zip)),
        ("/unsized.zip", Reply::Unsized(zip.clone())),
    ]);
    let options = NetOptions {
        max_bytes: 100_000,
        ..options()
    };
    let client = Client::new(options).unwrap();
    for path in ["/sized.zip", "/unsized.zip"] {
        let mut most = 0;
        let error = client
            .get(&server.url(path), &Validators::default(), &mut |done, _| {
                most = done
            })
            .unwrap_err();
        assert!(
            matches!(error, NetError::TooLarge { limit: 100_000, .. }),
            "{path}: {error}"
        );
        assert!(most <= 100_000, "{path}: progress reported {most} bytes");
    }
}

#[test]
fn a_body_without_content_length_is_read_to_the_end() {
    let zip = rustsec_osv();
    let server = Server::start([("/osv.zip", Reply::Unsized(zip.clone()))]);
    let mut last = (0, None);
    let fetched = client()
        .get(
            &server.url("/osv.zip"),
            &Validators::default(),
            &mut |done, total| last = (done, total),
        )
        .unwrap();
    assert_eq!(body(fetched).0, zip);
    assert_eq!(last, (zip.len() as u64, None));
}

#[test]
fn a_redirect_is_followed_only_to_an_allowed_url() {
    let zip = rustsec_osv();
    let server = Server::start([("/osv.zip", Reply::body(&zip))]);
    server.set("/moved.zip", Reply::Redirect(server.url("/osv.zip")));
    server.set(
        "/away.zip",
        Reply::Redirect("http://192.0.2.1/osv.zip".into()),
    );

    let (bytes, _) =
        body(get(&client(), &server.url("/moved.zip"), &Validators::default()).unwrap());
    assert_eq!(bytes, zip);

    let error = get(&client(), &server.url("/away.zip"), &Validators::default()).unwrap_err();
    assert!(matches!(error, NetError::Redirect { .. }), "{error}");
    assert!(error.to_string().contains("192.0.2.1"), "{error}");
}

#[test]
fn plain_http_is_refused_without_allow_http() {
    let server = Server::start([("/osv.zip", Reply::body(b"{}"))]);
    let client = Client::new(NetOptions::default()).unwrap();
    let error = get(&client, &server.url("/osv.zip"), &Validators::default()).unwrap_err();
    assert!(matches!(error, NetError::HttpNotAllowed { .. }), "{error}");
    assert!(server.requests().is_empty(), "no request was sent");
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_connecting() {
    for url in [
        "http://192.0.2.1/osv.zip",
        "http://mirror.example.com/osv.zip",
    ] {
        let error = get(&client(), url, &Validators::default()).unwrap_err();
        assert!(
            matches!(error, NetError::HttpNotLoopback { .. }),
            "{url}: {error}"
        );
        assert!(error.to_string().contains(url), "{error}");
    }
}

#[test]
fn other_schemes_are_refused() {
    let server = Server::start([("/osv.zip", Reply::body(b"{}"))]);
    let ftp = server.url("/osv.zip").replacen("http", "ftp", 1);
    for url in [ftp.as_str(), "file:///etc/passwd"] {
        let error = get(&client(), url, &Validators::default()).unwrap_err();
        assert!(
            matches!(error, NetError::UnsupportedScheme { .. }),
            "{url}: {error}"
        );
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_refused_connection_names_the_url_and_the_remedies() {
    let url = {
        let server = Server::start(Vec::<(String, Reply)>::new());
        server.url("/osv.zip")
    };
    let error = get(&client(), &url, &Validators::default()).unwrap_err();
    assert!(matches!(error, NetError::Connect { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains(&url), "{message}");
    assert!(
        message.contains("--offline") && message.contains("--from"),
        "{message}"
    );
}

#[test]
fn a_truncated_zip_is_refused() {
    let zip = rustsec_osv();
    let half = &zip[..zip.len() / 2];
    let server = Server::start([("/osv.zip", Reply::body(half))]);
    let url = server.url("/osv.zip");
    let (bytes, _) = body(get(&client(), &url, &Validators::default()).unwrap());
    let Err(error) = archive::read_zip(Cursor::new(&bytes), &url, &Limits::default()) else {
        panic!("a truncated zip was opened");
    };
    assert!(matches!(error, ArchiveError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains(&url), "{error}");
}

#[test]
fn entries_that_escape_the_directory_are_refused_whole() {
    for hostile in [
        "../evil.json",
        "/etc/x.json",
        "crates/../../evil.json",
        "C:\\evil.json",
    ] {
        let zip = zip_of(&[("crates/GOOD.json", b"{}"), (hostile, b"{}")]);
        // Refused on opening, before any entry is read.
        let Err(error) = archive::read_zip(Cursor::new(&zip), "hostile.zip", &Limits::default())
        else {
            panic!("{hostile}: the archive was opened");
        };
        let ArchiveError::UnsafeName { entry, .. } = &error else {
            panic!("{hostile}: {error}");
        };
        assert_eq!(entry, hostile);
        assert!(error.to_string().contains("hostile.zip"), "{error}");
    }
}

#[test]
fn an_archive_with_too_many_entries_is_refused() {
    let names: Vec<String> = (0..11).map(|n| format!("crates/A-{n}.json")).collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|name| (name.as_str(), &b"{}"[..]))
        .collect();
    let zip = zip_of(&files);
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let Err(error) = archive::read_zip(Cursor::new(&zip), "many.zip", &limits) else {
        panic!("the archive was opened");
    };
    assert!(
        matches!(error, ArchiveError::TooManyEntries { limit: 10, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("max_entries"), "{error}");
}

#[test]
fn an_entry_that_expands_over_the_limit_is_refused() {
    let zeros = vec![0; 1024 * 1024];
    let zip = zip_of(&[("bomb.json", &zeros)]);
    assert!(zip.len() < 10_000, "the bomb is small: {} bytes", zip.len());
    let limits = Limits {
        max_entry_bytes: 64 * 1024,
        ..Limits::default()
    };
    let error = zip_entries(&zip, "bomb.zip", &limits).unwrap_err();
    let ArchiveError::EntryTooLarge { entry, limit, .. } = &error else {
        panic!("{error}");
    };
    assert_eq!((entry.as_str(), *limit), ("bomb.json", 64 * 1024));
}

#[test]
fn an_entry_whose_header_lies_about_its_size_is_refused() {
    let zeros = vec![0; 1024 * 1024];
    let zip = understate_sizes(zip_of(&[("bomb.json", &zeros)]), 10);
    let limits = Limits {
        max_entry_bytes: 64 * 1024,
        ..Limits::default()
    };
    let error = zip_entries(&zip, "liar.zip", &limits).unwrap_err();
    assert!(
        matches!(error, ArchiveError::EntryTooLarge { ref entry, .. } if entry == "bomb.json"),
        "{error}"
    );
}

#[test]
fn entries_that_expand_over_the_total_limit_are_refused() {
    let zeros = vec![0; 100 * 1024];
    let zip = zip_of(&[("a.json", &zeros), ("b.json", &zeros), ("c.json", &zeros)]);
    let limits = Limits {
        max_total_bytes: 250 * 1024,
        ..Limits::default()
    };
    let error = zip_entries(&zip, "wide.zip", &limits).unwrap_err();
    assert!(
        matches!(error, ArchiveError::TotalTooLarge { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("max_total_bytes"), "{error}");
}

#[test]
fn a_mirror_directory_reads_like_its_zip() {
    let zip = rustsec_osv();
    let from_zip = zip_entries(&zip, "osv.zip", &Limits::default()).unwrap();
    let root = tempfile::tempdir().unwrap();
    for entry in &from_zip {
        let path = root.path().join(&entry.name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &entry.bytes).unwrap();
    }
    let from_dir: Vec<Entry> = archive::read_dir(root.path(), &Limits::default())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(json_count(&from_dir), RUSTSEC_OSV_RECORDS);
    let mut sorted = from_zip;
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(from_dir, sorted);
}

/// Rewrites the uncompressed size of every entry, in the local headers and
/// the central directory, as a zip bomb does.
fn understate_sizes(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    let headers = [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)];
    for (signature, offset) in headers {
        let starts: Vec<usize> = zip
            .windows(4)
            .enumerate()
            .filter(|(_, window)| window == signature)
            .map(|(start, _)| start)
            .collect();
        for start in starts {
            zip[start + offset..start + offset + 4].copy_from_slice(&size.to_le_bytes());
        }
    }
    zip
}

/// Runs `cargo soup fetch` for a record whose RustSec source is `url`, with
/// `env` set: proxies are read from the environment when a client is built,
/// and this process's environment must not change under other tests. The
/// download may fail (a test proxy answers nothing useful); what matters is
/// where the request went.
fn fetch_through(url: &str, env: &[(&str, String)]) {
    let project = Project::copy_of("pump");
    project.init_class_b();
    // RustSec from `url`, and no OSV source: the only request is the one tested.
    project.fetch_rustsec_from(url);
    let lockfile = project.path("Cargo.lock");
    let mut command = project.command(&[
        "fetch",
        "--allow-http",
        "--lockfile",
        lockfile.to_str().unwrap(),
    ]);
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        command.env_remove(name);
    }
    let output = command
        .envs(env.iter().map(|(name, value)| (name, value)))
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some(),
        "cargo-soup did not exit normally: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn https_goes_through_the_proxy_of_the_environment() {
    let proxy = Server::start(Vec::<(String, Reply)>::new());
    fetch_through(
        "https://advisories.example/osv.zip",
        &[("HTTPS_PROXY", proxy.url(""))],
    );
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method, "CONNECT");
    assert_eq!(requests[0].path, "advisories.example:443");
}

#[test]
fn a_loopback_mirror_is_reached_without_the_proxy() {
    let proxy = Server::start(Vec::<(String, Reply)>::new());
    let mirror = Server::start([("/osv.zip", Reply::body(b"{}"))]);
    let env = [("HTTP_PROXY", proxy.url("")), ("ALL_PROXY", proxy.url(""))];
    fetch_through(&mirror.url("/osv.zip"), &env);
    assert!(proxy.requests().is_empty(), "{:?}", proxy.requests());
    assert_eq!(mirror.requests().len(), 1);
}
