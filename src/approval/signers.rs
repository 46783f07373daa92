//! The committed signers file, in git's `allowed_signers` format (ssh-keygen(1),
//! ALLOWED SIGNERS): one key per line,
//! `principal[,principal…] [options] key-type base64-key [comment]`, with blank
//! lines and `#` comments. Principals are patterns (`*`, `?`, `!` to exclude),
//! as in OpenSSH. Options: `namespaces="a,b"` limits the key to those
//! namespaces; `valid-after` / `valid-before` (`YYYYMMDD[HHMM[SS]][Z]`, read as
//! UTC) limit it to approvals given in that window; `cert-authority` lines list
//! certificate authorities, which never verify a plain key's signature here.

use std::fs;
use std::path::Path;

use ssh_key::{Algorithm, PublicKey};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::ApprovalError;

/// The keys the signers file lists, each with whom and what it may sign for.
#[derive(Debug, Clone)]
pub struct AllowedSigners {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    principals: Vec<String>,
    namespaces: Option<Vec<String>>,
    cert_authority: bool,
    valid_after: Option<OffsetDateTime>,
    valid_before: Option<OffsetDateTime>,
    key: PublicKey,
}

impl AllowedSigners {
    /// Reads and parses the signers file at `path`.
    pub fn load(path: &Path) -> Result<AllowedSigners, ApprovalError> {
        let text = fs::read_to_string(path).map_err(|source| ApprovalError::SignersRead {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses a signers file's text; `path` names it in messages.
    pub fn parse(path: &Path, text: &str) -> Result<AllowedSigners, ApprovalError> {
        let mut entries = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let entry = parse_line(line).map_err(|reason| ApprovalError::SignersInvalid {
                path: path.to_path_buf(),
                line: index + 1,
                reason,
            })?;
            entries.push(entry);
        }
        Ok(AllowedSigners { entries })
    }

    /// The keys listed for `principal` that may sign in `namespace` at time `at`
    /// (a window needs a time: with `at` unknown, a key limited to one does not count).
    pub fn keys_for<'s>(
        &'s self,
        principal: &'s str,
        namespace: &'s str,
        at: Option<OffsetDateTime>,
    ) -> impl Iterator<Item = &'s PublicKey> + 's {
        self.entries
            .iter()
            .filter(move |entry| entry.allows(principal, namespace, at))
            .map(|entry| &entry.key)
    }
}

impl Entry {
    fn allows(&self, principal: &str, namespace: &str, at: Option<OffsetDateTime>) -> bool {
        let in_window =
            |bound: Option<OffsetDateTime>,
             inside: fn(&OffsetDateTime, &OffsetDateTime) -> bool| {
                bound.is_none_or(|bound| at.is_some_and(|at| inside(&at, &bound)))
            };
        !self.cert_authority
            && matches_pattern_list(principal, &self.principals)
            && self
                .namespaces
                .as_ref()
                .is_none_or(|names| names.iter().any(|name| matches_pattern(namespace, name)))
            && in_window(self.valid_after, |at, after| at >= after)
            && in_window(self.valid_before, |at, before| at < before)
    }
}

fn parse_line(line: &str) -> Result<Entry, String> {
    let (principals, rest) = next_token(line);
    let principals: Vec<String> = unquote(principals).split(',').map(str::to_string).collect();
    if principals.iter().any(String::is_empty) {
        return Err("an empty principal".to_string());
    }
    let (mut token, mut rest) = next_token(rest);
    let mut entry_options = Options::default();
    if Algorithm::new(token).is_err() {
        entry_options = parse_options(token)?;
        (token, rest) = next_token(rest);
    }
    let key_type = token;
    let (base64, _comment) = next_token(rest);
    if key_type.is_empty() || base64.is_empty() {
        return Err("expected `principals [options] key-type base64-key`".to_string());
    }
    let key = PublicKey::from_openssh(&format!("{key_type} {base64}"))
        .map_err(|error| format!("not a public key of type `{key_type}` ({error})"))?;
    Ok(Entry {
        principals,
        namespaces: entry_options.namespaces,
        cert_authority: entry_options.cert_authority,
        valid_after: entry_options.valid_after,
        valid_before: entry_options.valid_before,
        key,
    })
}

/// The first whitespace-separated token (double quotes keep spaces) and the rest.
fn next_token(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let mut quoted = false;
    for (at, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return (&text[..at], &text[at..]),
            _ => {}
        }
    }
    (text, "")
}

fn unquote(text: &str) -> &str {
    text.strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(text)
}

#[derive(Debug, Default)]
struct Options {
    namespaces: Option<Vec<String>>,
    cert_authority: bool,
    valid_after: Option<OffsetDateTime>,
    valid_before: Option<OffsetDateTime>,
}

/// `name[="value"]` options separated by commas outside quotes.
fn parse_options(text: &str) -> Result<Options, String> {
    let mut options = Options::default();
    for option in split_outside_quotes(text) {
        let (name, value) = match option.split_once('=') {
            Some((name, value)) => (name, Some(unquote(value))),
            None => (option, None),
        };
        match (name.to_ascii_lowercase().as_str(), value) {
            ("cert-authority", None) => options.cert_authority = true,
            ("namespaces", Some(value)) => {
                options.namespaces = Some(value.split(',').map(str::to_string).collect());
            }
            ("valid-after", Some(value)) => options.valid_after = Some(parse_time(value)?),
            ("valid-before", Some(value)) => options.valid_before = Some(parse_time(value)?),
            _ => {
                return Err(format!(
                    "unknown option or key type `{option}` (options: cert-authority, namespaces=\"…\", valid-after=\"…\", valid-before=\"…\")"
                ));
            }
        }
    }
    Ok(options)
}

fn split_outside_quotes(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (at, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `YYYYMMDD[HHMM[SS]][Z]` as a UTC time.
fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    let invalid = || format!("`{text}` is not a time such as 20260101 or 202601011230Z");
    let digits = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    if !matches!(digits.len(), 8 | 12 | 14) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let number = |range: std::ops::Range<usize>| -> u32 {
        digits
            .get(range)
            .and_then(|part| part.parse().ok())
            .unwrap_or(0)
    };
    let year = i32::try_from(number(0..4)).map_err(|_| invalid())?;
    let month = u8::try_from(number(4..6))
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(invalid)?;
    let day = u8::try_from(number(6..8)).map_err(|_| invalid())?;
    let date = Date::from_calendar_date(year, month, day).map_err(|_| invalid())?;
    let [hour, minute, second] = [number(8..10), number(10..12), number(12..14)]
        .map(|part| u8::try_from(part).unwrap_or(u8::MAX));
    let time = Time::from_hms(hour, minute, second).map_err(|_| invalid())?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

/// OpenSSH's pattern lists: true when some pattern matches and no `!pattern` does.
fn matches_pattern_list(text: &str, patterns: &[String]) -> bool {
    let mut matched = false;
    for pattern in patterns {
        match pattern.strip_prefix('!') {
            Some(negated) if matches_pattern(text, negated) => return false,
            Some(_) => {}
            None => matched |= matches_pattern(text, pattern),
        }
    }
    matched
}

/// `*` matches any run of characters, `?` any one; everything else itself.
fn matches_pattern(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || Some(&c) == text.get(t) => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;

    /// An ed25519 public key made by `ssh-keygen -t ed25519`.
    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILRnaaHR1dLPZNdJ7swPy9GkhAm2PBrT4tlPivlEAspg";

    fn signers(text: &str) -> Result<AllowedSigners, ApprovalError> {
        AllowedSigners::parse(Path::new("soup-signers"), text)
    }

    fn count(signers: &AllowedSigners, principal: &str, at: Option<OffsetDateTime>) -> usize {
        signers.keys_for(principal, "cargo-soup", at).count()
    }

    #[test]
    fn patterns_match_like_openssh() {
        assert!(matches_pattern("max@example.com", "*@example.com"));
        assert!(matches_pattern("max@example.com", "m?x@*"));
        assert!(!matches_pattern("max@example.org", "*@example.com"));
        assert!(matches_pattern("", "*"));
        let list = ["*@example.com".to_string(), "!eve@example.com".to_string()];
        assert!(matches_pattern_list("max@example.com", &list));
        assert!(!matches_pattern_list("eve@example.com", &list));
    }

    #[test]
    fn lines_with_options_comments_and_quotes_are_read() {
        let text = format!(
            "# who may approve\n\n\"max@example.com,qa@example.com\" {KEY} Max\nann@example.com namespaces=\"git,file\" {KEY}\nca@example.com cert-authority {KEY}\nold@example.com valid-before=\"20260101\" {KEY}\n"
        );
        let signers = signers(&text).unwrap();
        assert_eq!(count(&signers, "qa@example.com", None), 1);
        assert_eq!(count(&signers, "ann@example.com", None), 0);
        assert_eq!(count(&signers, "ca@example.com", None), 0);
        let at = |text| OffsetDateTime::parse(text, &Rfc3339).ok();
        assert_eq!(
            count(&signers, "old@example.com", at("2025-12-31T23:00:00Z")),
            1
        );
        assert_eq!(
            count(&signers, "old@example.com", at("2026-01-01T00:00:00Z")),
            0
        );
        assert_eq!(count(&signers, "old@example.com", None), 0);
    }

    #[test]
    fn a_bad_line_is_named() {
        let error = signers(&format!(
            "max@example.com {KEY}\nmax@example.com trusted {KEY}\n"
        ))
        .unwrap_err();
        assert!(
            matches!(&error, ApprovalError::SignersInvalid { line: 2, reason, .. } if reason.contains("`trusted`")),
            "{error}"
        );
        assert!(signers("max@example.com ssh-ed25519 AAAA\n").is_err());
        assert!(signers("max@example.com valid-after=\"2026\" ssh-ed25519 AAAA\n").is_err());
    }
}
