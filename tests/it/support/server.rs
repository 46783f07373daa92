//! A tiny HTTP/1.1 server on 127.0.0.1 for download tests.
//!
//! `Server::start(routes)` listens on a free port; each route serves bytes
//! (with an ETag / Last-Modified, honouring conditional requests), a bare
//! status, a redirect, or misbehaves (closes the connection mid-body, stalls).
//! Every request is recorded so tests can assert what the client sent.
//! Dropping the server stops it; nothing in it waits longer than a second or
//! two, so a test can never hang on it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a connection may take to send its request before it is dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// How often the accept loop and stalled replies look at the stop flag.
const POLL: Duration = Duration::from_millis(5);

/// What the server answers on one path.
#[derive(Debug, Clone)]
pub enum Reply {
    /// `200 OK` with this body; answers `304 Not Modified` instead when the
    /// request's `If-None-Match` equals the ETag or its `If-Modified-Since`
    /// equals the Last-Modified (string comparison, enough for tests).
    Body {
        /// The body.
        bytes: Vec<u8>,
        /// The `ETag` header to send, if any.
        etag: Option<String>,
        /// The `Last-Modified` header to send, if any.
        last_modified: Option<String>,
    },
    /// This status with a short text body.
    Status(u16),
    /// `302 Found` to this location.
    Redirect(String),
    /// Announces the whole body's length, sends only its first `after` bytes,
    /// then closes the connection.
    Truncated {
        /// The body announced.
        bytes: Vec<u8>,
        /// How many bytes are sent before closing.
        after: usize,
    },
    /// `200 OK` with this body and no Content-Length: its end is the closing
    /// of the connection, so only the bytes read tell its size.
    Unsized(Vec<u8>),
    /// Sends the headers and the first `after` bytes, then sends nothing
    /// more for `stall` (or until the server stops), then closes.
    Stall {
        /// The body announced.
        bytes: Vec<u8>,
        /// How many bytes are sent before stalling.
        after: usize,
        /// How long to stall.
        stall: Duration,
    },
}

impl Reply {
    /// `200 OK` with a body and no validators.
    pub fn body(bytes: &[u8]) -> Reply {
        Reply::Body {
            bytes: bytes.to_vec(),
            etag: None,
            last_modified: None,
        }
    }

    /// `200 OK` with a body, an ETag and a Last-Modified.
    pub fn versioned(bytes: &[u8], etag: &str, last_modified: &str) -> Reply {
        Reply::Body {
            bytes: bytes.to_vec(),
            etag: Some(etag.into()),
            last_modified: Some(last_modified.into()),
        }
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The request target, e.g. `/crates.io/all.zip`.
    pub path: String,
    /// The headers, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The `If-None-Match` header.
    pub fn if_none_match(&self) -> Option<&str> {
        self.header("if-none-match")
    }

    /// The `If-Modified-Since` header.
    pub fn if_modified_since(&self) -> Option<&str> {
        self.header("if-modified-since")
    }
}

/// State shared between the test and the server's threads.
#[derive(Default)]
struct Shared {
    /// The replies, by path; unknown paths get 404.
    routes: Mutex<HashMap<String, Reply>>,
    /// Requests received, in order.
    requests: Mutex<Vec<Request>>,
    /// Set when the server is dropped.
    stopping: AtomicBool,
}

/// A running server; dropping it stops it.
pub struct Server {
    /// Where it listens.
    address: SocketAddr,
    /// Routes, requests and the stop flag.
    shared: Arc<Shared>,
    /// The accept loop.
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server on a free port of 127.0.0.1 with these routes.
    pub fn start<P: Into<String>>(routes: impl IntoIterator<Item = (P, Reply)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let address = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared::default());
        for (path, reply) in routes {
            lock(&shared.routes).insert(path.into(), reply);
        }
        let loop_shared = Arc::clone(&shared);
        let thread = thread::spawn(move || accept_loop(&listener, &loop_shared));
        Server {
            address,
            shared,
            thread: Some(thread),
        }
    }

    /// The `http://127.0.0.1:<port><path>` URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Replaces (or adds) the reply on a path, e.g. to publish new data.
    pub fn set(&self, path: &str, reply: Reply) {
        lock(&self.shared.routes).insert(path.into(), reply);
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.requests).clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Locks a mutex, carrying on after a panicking test thread poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Accepts connections until stopped, each served on its own thread, then
/// waits for those threads.
fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut connections = Vec::new();
    while !shared.stopping.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let shared = Arc::clone(shared);
                connections.push(thread::spawn(move || serve(stream, &shared)));
            }
            Err(_) => thread::sleep(POLL),
        }
    }
    for connection in connections {
        let _ = connection.join();
    }
}

/// Reads one request, records it and answers it; errors just drop the
/// connection, as a real server would.
fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(REQUEST_TIMEOUT));
    let Some(request) = read_request(&stream) else {
        return;
    };
    let reply = lock(&shared.routes).get(&request.path).cloned();
    lock(&shared.requests).push(request.clone());
    let _ = answer(stream, &request, reply, shared);
}

/// Parses the request line and headers.
fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let header = line.trim_end();
        if header.is_empty() {
            return Some(Request {
                method,
                path,
                headers,
            });
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
}

/// Writes the reply for a request.
fn answer(
    mut stream: TcpStream,
    request: &Request,
    reply: Option<Reply>,
    shared: &Shared,
) -> std::io::Result<()> {
    match reply {
        None => write_response(&mut stream, 404, &[], b"not found"),
        Some(Reply::Status(status)) => write_response(&mut stream, status, &[], b"status"),
        Some(Reply::Redirect(location)) => {
            write_response(&mut stream, 302, &[("Location", location)], b"")
        }
        Some(Reply::Body {
            bytes,
            etag,
            last_modified,
        }) => {
            let unchanged = is_unchanged(request, etag.as_deref(), last_modified.as_deref());
            let headers: Vec<_> = [("ETag", etag), ("Last-Modified", last_modified)]
                .into_iter()
                .filter_map(|(name, value)| Some((name, value?)))
                .collect();
            if unchanged {
                write_head(&mut stream, 304, &headers, None)?;
                stream.flush()
            } else {
                write_response(&mut stream, 200, &headers, &bytes)
            }
        }
        Some(Reply::Unsized(bytes)) => {
            write_head(&mut stream, 200, &[], None)?;
            stream.write_all(&bytes)?;
            stream.flush()
        }
        Some(Reply::Truncated { bytes, after }) => {
            write_head(&mut stream, 200, &[], Some(bytes.len()))?;
            stream.write_all(&bytes[..after.min(bytes.len())])?;
            stream.flush()
        }
        Some(Reply::Stall {
            bytes,
            after,
            stall,
        }) => {
            write_head(&mut stream, 200, &[], Some(bytes.len()))?;
            stream.write_all(&bytes[..after.min(bytes.len())])?;
            stream.flush()?;
            let until = Instant::now() + stall;
            while Instant::now() < until && !shared.stopping.load(Ordering::SeqCst) {
                thread::sleep(POLL);
            }
            Ok(())
        }
    }
}

/// Whether a conditional request matches the current validators.
fn is_unchanged(request: &Request, etag: Option<&str>, last_modified: Option<&str>) -> bool {
    let etag_matches = etag.is_some() && request.if_none_match() == etag;
    let date_matches = last_modified.is_some() && request.if_modified_since() == last_modified;
    etag_matches || date_matches
}

/// Writes a complete response.
fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<()> {
    write_head(stream, status, headers, Some(body.len()))?;
    stream.write_all(body)?;
    stream.flush()
}

/// Writes the status line and headers, always with `Connection: close`.
fn write_head(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    length: Option<usize>,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nConnection: close\r\n",
        reason(status)
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(length) = length {
        head.push_str(&format!("Content-Length: {length}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())
}

/// The reason phrase of the statuses tests use.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
