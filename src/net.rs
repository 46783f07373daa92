//! The only HTTP client in cargo-soup (DESIGN.md §6).
//!
//! Every download goes through [`Client::get`]: HTTPS only (plain HTTP only to a
//! loopback address, and only when asked for), conditional requests with the
//! ETag / Last-Modified of the previous download, a size cap, timeouts, and a
//! body that is either complete or an error, never partial data.
//!
//! Proxies are taken from the environment as curl does: `HTTPS_PROXY` /
//! `https_proxy` for HTTPS URLs, `HTTP_PROXY` / `http_proxy` for HTTP URLs,
//! `ALL_PROXY` for both, and `NO_PROXY` / `no_proxy` for hosts to reach
//! directly. Loopback URLs (a mirror on this machine, the tests' server) never
//! go through a proxy: a proxy cannot reach this machine's loopback interface.

use std::io::Read;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::blocking::Response;
use reqwest::header::{
    ETAG, HeaderMap, HeaderName, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use reqwest::{StatusCode, Url, redirect};
use serde::{Deserialize, Serialize};

/// What the user can do about a download that failed, said once for all errors.
const REMEDY: &str = "check the URL in [sources] of soup-register.toml and the proxy settings \
     (HTTPS_PROXY, NO_PROXY), use --offline to work from the stored data, or \
     `cargo soup fetch --from` to load an air-gapped mirror";

/// Redirects followed before giving up, as browsers and curl do.
const MAX_REDIRECTS: usize = 10;

/// The longest wait for a connection, whatever the total timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Memory reserved up front for a body, so a lying Content-Length cannot make
/// us allocate the whole size cap before a byte has arrived.
const MAX_PREALLOCATION: u64 = 16 * 1024 * 1024;

/// Bytes read from the connection between two progress reports.
const CHUNK_BYTES: usize = 64 * 1024;

/// How the client may download; chosen by the CLI from flags and configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetOptions {
    /// Permit `http://` to a loopback address (a local mirror, tests); never to
    /// any other host, whose answers could be changed on the way.
    pub allow_http: bool,
    /// The longest a download may wait for an answer or take as a whole; the
    /// connection itself must open within this or 30 s, whichever is shorter.
    pub timeout: Duration,
    /// The largest body accepted, so a broken or hostile server cannot fill
    /// memory.
    pub max_bytes: u64,
}

impl Default for NetOptions {
    /// HTTPS only; 300 s, so a large ecosystem export still completes on a
    /// slow line while a dead server is noticed; 512 MiB, hundreds of times
    /// the RustSec export (1.2 MB) and still an amount of memory any
    /// workstation or CI runner has.
    fn default() -> Self {
        NetOptions {
            allow_http: false,
            timeout: Duration::from_secs(300),
            max_bytes: 512 * 1024 * 1024,
        }
    }
}

/// What the server said identifies the data it sent, kept so the next request
/// can ask "only if changed".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// The `ETag` header of the last download.
    pub etag: Option<String>,
    /// The `Last-Modified` header of the last download.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Whether there is anything to make a request conditional with.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// The outcome of a successful download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The server confirmed the data is unchanged since the validators sent.
    NotModified,
    /// The complete body and the validators to send next time.
    Body {
        /// The whole body, exactly as many bytes as the server announced.
        bytes: Vec<u8>,
        /// The `ETag` / `Last-Modified` the server sent with it.
        validators: Validators,
    },
}

/// Why a download failed; every message names the URL and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The HTTP machinery itself could not start (TLS setup).
    #[error("failed to set up the HTTP client: {reason}")]
    Setup {
        /// What went wrong, from the TLS or HTTP library.
        reason: String,
    },
    /// The URL does not parse.
    #[error("failed to download {url}: it is not a valid URL ({reason}); {REMEDY}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What the URL parser objected to.
        reason: String,
    },
    /// The URL's scheme is neither https nor http.
    #[error(
        "failed to download {url}: the scheme `{scheme}` is not supported, only https:// is; \
         for a local archive or directory use `cargo soup fetch --from`"
    )]
    UnsupportedScheme {
        /// The URL as given.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// A plain-HTTP URL without `--allow-http`.
    #[error(
        "failed to download {url}: plain http:// is refused because its data can be changed \
         on the way; use https://, or --allow-http for a mirror on a loopback address"
    )]
    HttpNotAllowed {
        /// The URL as given.
        url: String,
    },
    /// A plain-HTTP URL whose host is not a loopback address.
    #[error(
        "failed to download {url}: plain http:// is only allowed to a loopback address \
         (127.0.0.0/8, ::1, localhost), not to `{host}`; use https://"
    )]
    HttpNotLoopback {
        /// The URL as given.
        url: String,
        /// Its host.
        host: String,
    },
    /// The connection could not be opened (DNS, refused, TLS handshake).
    #[error("failed to connect for {url}: {reason}; {REMEDY}")]
    Connect {
        /// The URL requested.
        url: String,
        /// The causes, outermost first.
        reason: String,
    },
    /// No answer, or not the whole answer, within the timeout.
    #[error("failed to download {url}: no complete answer within {timeout:?}; {REMEDY}")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The timeout that ran out.
        timeout: Duration,
    },
    /// A redirect to a URL this client would refuse, or too many redirects.
    #[error("failed to download {url}: it redirects somewhere refused ({reason}); {REMEDY}")]
    Redirect {
        /// The URL requested.
        url: String,
        /// Why the redirect was refused.
        reason: String,
    },
    /// The request failed in another way.
    #[error("failed to download {url}: {reason}; {REMEDY}")]
    Request {
        /// The URL requested.
        url: String,
        /// The causes, outermost first.
        reason: String,
    },
    /// The server answered with a status other than success or not-modified.
    #[error("failed to download {url}: the server answered {status}; {REMEDY}")]
    Status {
        /// The URL requested.
        url: String,
        /// The status code and its reason phrase, e.g. `404 Not Found`.
        status: String,
    },
    /// The server answered 304 to a request that was not conditional.
    #[error(
        "failed to download {url}: the server answered 304 Not Modified to a request that \
         had nothing to compare with; {REMEDY}"
    )]
    UnexpectedNotModified {
        /// The URL requested.
        url: String,
    },
    /// The body is larger than the size cap.
    #[error(
        "failed to download {url}: the body is larger than the limit of {limit} bytes; \
         check the URL in [sources] of soup-register.toml"
    )]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The cap, [`NetOptions::max_bytes`].
        limit: u64,
    },
    /// The body stopped before it was complete; nothing of it is used.
    #[error(
        "failed to download {url}: the transfer stopped after {received} bytes{}{}; \
         nothing was kept, try again; {REMEDY}",
        expected.map(|n| format!(" of {n}")).unwrap_or_default(),
        reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
    )]
    Incomplete {
        /// The URL requested.
        url: String,
        /// Bytes received before the transfer stopped.
        received: u64,
        /// The Content-Length announced, when there was one.
        expected: Option<u64>,
        /// The read error, when the transfer failed rather than ended early.
        reason: Option<String>,
    },
}

/// The HTTP client: one per command, reused for every source.
#[derive(Debug)]
pub struct Client {
    /// For remote hosts, through the proxies of the environment.
    remote: reqwest::blocking::Client,
    /// For loopback hosts, never through a proxy.
    loopback: reqwest::blocking::Client,
    /// The options it was made with.
    options: NetOptions,
}

impl Client {
    /// Builds the client; fails only if TLS cannot be set up.
    pub fn new(options: NetOptions) -> Result<Client, NetError> {
        Ok(Client {
            remote: build_client(&options, false)?,
            loopback: build_client(&options, true)?,
            options,
        })
    }

    /// Downloads `url`, conditionally on `validators`, reporting progress as
    /// bytes arrive: `progress(bytes so far, Content-Length if announced)`.
    pub fn get(
        &self,
        url: &str,
        validators: &Validators,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<Fetched, NetError> {
        let parsed = check_url(url, self.options.allow_http)?;
        let client = if is_loopback(&parsed) {
            &self.loopback
        } else {
            &self.remote
        };
        let started = Instant::now();
        let response = client
            .get(parsed)
            .headers(conditional_headers(validators))
            .send()
            .map_err(|error| self.request_error(url, &error))?;
        match response.status() {
            StatusCode::NOT_MODIFIED if validators.is_empty() => {
                Err(NetError::UnexpectedNotModified { url: url.into() })
            }
            StatusCode::NOT_MODIFIED => Ok(Fetched::NotModified),
            status if status.is_success() => {
                let validators = response_validators(response.headers());
                let bytes = self.read_body(url, response, started, progress)?;
                Ok(Fetched::Body { bytes, validators })
            }
            status => Err(NetError::Status {
                url: url.into(),
                status: status.to_string(),
            }),
        }
    }

    /// Reads the whole body in chunks, enforcing the size cap, the deadline and
    /// the announced length.
    fn read_body(
        &self,
        url: &str,
        mut response: Response,
        started: Instant,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<Vec<u8>, NetError> {
        let limit = self.options.max_bytes;
        let expected = response.content_length();
        if expected.is_some_and(|length| length > limit) {
            return Err(self.too_large(url));
        }
        let reserve = expected.unwrap_or(0).min(MAX_PREALLOCATION);
        let mut body = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
        let mut chunk = vec![0; CHUNK_BYTES];
        progress(0, expected);
        loop {
            let read = match response.read(&mut chunk) {
                Ok(read) => read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(self.read_error(url, &body, expected, &error)),
            };
            let Some(data) = chunk.get(..read).filter(|data| !data.is_empty()) else {
                break;
            };
            body.extend_from_slice(data);
            if byte_count(&body) > limit {
                return Err(self.too_large(url));
            }
            if started.elapsed() > self.options.timeout {
                return Err(self.timeout(url));
            }
            progress(byte_count(&body), expected);
        }
        match expected {
            Some(length) if length != byte_count(&body) => Err(NetError::Incomplete {
                url: url.into(),
                received: byte_count(&body),
                expected,
                reason: None,
            }),
            _ => Ok(body),
        }
    }

    /// Classifies a failure to send the request or receive the headers.
    fn request_error(&self, url: &str, error: &reqwest::Error) -> NetError {
        let reason = error_chain(error);
        if error.is_timeout() {
            self.timeout(url)
        } else if error.is_redirect() {
            NetError::Redirect {
                url: url.into(),
                reason: innermost_cause(error),
            }
        } else if error.is_connect() {
            NetError::Connect {
                url: url.into(),
                reason,
            }
        } else {
            NetError::Request {
                url: url.into(),
                reason,
            }
        }
    }

    /// Classifies a failure while reading the body.
    fn read_error(
        &self,
        url: &str,
        body: &[u8],
        expected: Option<u64>,
        error: &std::io::Error,
    ) -> NetError {
        if is_timeout(error) {
            return self.timeout(url);
        }
        NetError::Incomplete {
            url: url.into(),
            received: byte_count(body),
            expected,
            reason: Some(error_chain(error)),
        }
    }

    /// The error for a body over the size cap.
    fn too_large(&self, url: &str) -> NetError {
        NetError::TooLarge {
            url: url.into(),
            limit: self.options.max_bytes,
        }
    }

    /// The error for a download that ran out of time.
    fn timeout(&self, url: &str) -> NetError {
        NetError::Timeout {
            url: url.into(),
            timeout: self.options.timeout,
        }
    }
}

/// Builds one reqwest client; `loopback` ones skip proxies and may only be
/// redirected to loopback hosts, remote ones only to remote hosts.
fn build_client(
    options: &NetOptions,
    loopback: bool,
) -> Result<reqwest::blocking::Client, NetError> {
    let builder = reqwest::blocking::Client::builder()
        .user_agent(concat!("cargo-soup/", env!("CARGO_PKG_VERSION")))
        .timeout(options.timeout)
        .connect_timeout(options.timeout.min(MAX_CONNECT_TIMEOUT))
        .redirect(redirect_policy(options.allow_http, loopback));
    let builder = if loopback {
        builder.no_proxy()
    } else {
        builder
    };
    builder.build().map_err(|error| NetError::Setup {
        reason: error_chain(&error),
    })
}

/// Follows a redirect only to a URL [`check_url`] accepts, on the same side of
/// the loopback boundary (so a remote server cannot point us at a local
/// service, and the proxy choice stays right).
fn redirect_policy(allow_http: bool, loopback: bool) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| {
        let target = attempt.url().as_str().to_owned();
        if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else if let Err(error) = check_url(&target, allow_http) {
            attempt.error(error.to_string())
        } else if is_loopback(attempt.url()) != loopback {
            attempt.error(format!(
                "{target} crosses between loopback and remote hosts"
            ))
        } else {
            attempt.follow()
        }
    })
}

/// Parses `url` and refuses what this client must not request: schemes other
/// than https, and http unless allowed and to a loopback host.
fn check_url(url: &str, allow_http: bool) -> Result<Url, NetError> {
    let parsed = Url::parse(url).map_err(|error| NetError::InvalidUrl {
        url: url.into(),
        reason: error.to_string(),
    })?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if !allow_http => Err(NetError::HttpNotAllowed { url: url.into() }),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(NetError::HttpNotLoopback {
            url: url.into(),
            host: parsed.host_str().unwrap_or_default().into(),
        }),
        scheme => Err(NetError::UnsupportedScheme {
            url: url.into(),
            scheme: scheme.into(),
        }),
    }
}

/// Whether the URL's host is this machine: 127.0.0.0/8, ::1 or `localhost`.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `If-None-Match` / `If-Modified-Since` from the stored validators; a value
/// that cannot be a header is left out, which only costs a full download.
fn conditional_headers(validators: &Validators) -> HeaderMap {
    let pairs = [
        (IF_NONE_MATCH, &validators.etag),
        (IF_MODIFIED_SINCE, &validators.last_modified),
    ];
    pairs
        .into_iter()
        .filter_map(|(name, value)| Some((name, HeaderValue::from_str(value.as_deref()?).ok()?)))
        .collect()
}

/// The `ETag` / `Last-Modified` a response carries.
fn response_validators(headers: &HeaderMap) -> Validators {
    let text = |name: HeaderName| Some(headers.get(name)?.to_str().ok()?.to_owned());
    Validators {
        etag: text(ETAG),
        last_modified: text(LAST_MODIFIED),
    }
}

/// An error and all its causes, outermost first, so the user sees the real
/// reason (e.g. "connection refused") and not only "error sending request".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        cause = inner.source();
    }
    parts.join(": ")
}

/// Whether a body read failed because a timeout ran out; reqwest wraps its
/// own error in the `io::Error` its reader returns.
fn is_timeout(error: &std::io::Error) -> bool {
    let wrapped = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<reqwest::Error>());
    error.kind() == std::io::ErrorKind::TimedOut || wrapped.is_some_and(reqwest::Error::is_timeout)
}

/// The deepest cause of an error: for a refused redirect, the policy's reason.
fn innermost_cause(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// A body's length as the u64 the limits are expressed in.
fn byte_count(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str, allow_http: bool) -> NetError {
        match check_url(url, allow_http) {
            Ok(parsed) => panic!("{url} accepted as {parsed}"),
            Err(error) => error,
        }
    }

    #[test]
    fn https_is_accepted_with_or_without_allow_http() {
        for allow_http in [false, true] {
            assert!(
                check_url(
                    "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip",
                    allow_http
                )
                .is_ok()
            );
        }
    }

    #[test]
    fn http_needs_allow_http_even_on_loopback() {
        let error = refused("http://127.0.0.1:8080/all.zip", false);
        assert!(matches!(error, NetError::HttpNotAllowed { .. }), "{error}");
    }

    #[test]
    fn http_with_allow_http_reaches_only_loopback_hosts() {
        for url in [
            "http://127.0.0.1/a.zip",
            "http://127.3.4.5:9/a.zip",
            "http://[::1]:8080/a.zip",
            "http://localhost/a.zip",
            "http://LOCALHOST/a.zip",
        ] {
            assert!(check_url(url, true).is_ok(), "{url}");
        }
        for (url, host) in [
            ("http://192.0.2.1/a.zip", "192.0.2.1"),
            ("http://128.0.0.1/a.zip", "128.0.0.1"),
            ("http://[::2]/a.zip", "[::2]"),
            (
                "http://localhost.example.com/a.zip",
                "localhost.example.com",
            ),
            ("http://mirror.example.com/a.zip", "mirror.example.com"),
        ] {
            match refused(url, true) {
                NetError::HttpNotLoopback { host: found, .. } => assert_eq!(found, host),
                other => panic!("{url}: {other}"),
            }
        }
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        for (url, scheme) in [
            ("ftp://127.0.0.1/a.zip", "ftp"),
            ("file:///tmp/a.zip", "file"),
        ] {
            match refused(url, true) {
                NetError::UnsupportedScheme { scheme: found, .. } => assert_eq!(found, scheme),
                other => panic!("{url}: {other}"),
            }
        }
        let error = refused("not a url", true);
        assert!(matches!(error, NetError::InvalidUrl { .. }), "{error}");
    }

    #[test]
    fn errors_name_the_url_and_a_remedy() {
        let error = refused("http://mirror.example.com/a.zip", false);
        let message = error.to_string();
        assert!(
            message.starts_with("failed to download http://mirror.example.com/a.zip"),
            "{message}"
        );
        assert!(message.contains("--allow-http"), "{message}");
    }

    #[test]
    fn conditional_headers_carry_the_validators() {
        let validators = Validators {
            etag: Some("\"abc\"".into()),
            last_modified: Some("Thu, 21 Aug 2026 10:00:00 GMT".into()),
        };
        let headers = conditional_headers(&validators);
        assert_eq!(
            headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()),
            Some("\"abc\"")
        );
        assert_eq!(
            headers.get(IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()),
            Some("Thu, 21 Aug 2026 10:00:00 GMT")
        );
        assert!(conditional_headers(&Validators::default()).is_empty());
    }

    #[test]
    fn a_validator_that_cannot_be_a_header_is_left_out() {
        let validators = Validators {
            etag: Some("bad\nvalue".into()),
            last_modified: None,
        };
        assert!(conditional_headers(&validators).is_empty());
    }

    #[test]
    fn validators_round_trip_through_json() {
        let validators = Validators {
            etag: Some("W/\"1\"".into()),
            last_modified: None,
        };
        let text = serde_json::to_string(&validators).unwrap();
        assert_eq!(
            serde_json::from_str::<Validators>(&text).unwrap(),
            validators
        );
    }
}
