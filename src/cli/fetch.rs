//! `cargo soup fetch`: bring the advisory store up to date, from the network or
//! from a local mirror.

use std::path::PathBuf;

use clap::Args;

use super::{Context, Exit, InputArgs};
use crate::out::sanitize;
use crate::project::{Fetched, describe_fetched, describe_loaded, skipped_warnings};

/// Download the published anomaly lists into the advisory store.
///
/// Fetches RustSec (its OSV export) and OSV's bulk export of every ecosystem
/// the project's SOUP comes from, each only if it changed since the last fetch
/// (ETag / Last-Modified). Each source is swapped in whole: a failed or
/// truncated download keeps the previous data, and so does data with fewer
/// than half the records it would replace, unless --replace is given.
/// HTTPS_PROXY is honoured. URLs come from [sources] in soup-register.toml.
///
/// For an air-gapped site, --from loads a local mirror instead: a zip or a
/// directory of OSV JSON records, or the RustSec database as cargo-audit keeps
/// it on disk (markdown advisories).
///
/// Examples:
///   cargo soup fetch
///   cargo soup fetch --sbom release.cdx.json      (fetch for that SBOM's ecosystems)
///   cargo soup fetch --from /media/mirror/advisory-db
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct FetchArgs {
    /// Load this local zip or directory instead of downloading.
    #[arg(long, value_name = "PATH")]
    from: Option<PathBuf>,
    /// With --from: the source name to store it under (default: `rustsec` for a RustSec mirror).
    #[arg(long, value_name = "NAME", requires = "from")]
    name: Option<String>,
    /// Allow plain http for a mirror on a loopback address.
    #[arg(long)]
    allow_http: bool,
    /// Accept new data with fewer than half the records of the data it replaces.
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    input: InputArgs,
}

/// Runs `fetch`.
pub fn run(cx: &mut Context, args: FetchArgs) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    if let Some(path) = &args.from {
        let info = project.fetch_mirror(path, args.name.as_deref(), args.replace)?;
        for warning in skipped_warnings(&info.skipped) {
            cx.out.note(&sanitize(&warning));
        }
        cx.out.note(&describe_loaded(&info));
        return Ok(Exit::Clean);
    }
    let ecosystems = project.ecosystems_to_fetch(&args.input.input(), cx.out.as_mut())?;
    let fetched = project.fetch(
        &ecosystems,
        (args.allow_http, args.replace),
        cx.out.as_mut(),
    )?;
    for f in &fetched {
        cx.out.note(&sanitize(&describe_fetched(f)));
    }
    Ok(match fetched.iter().any(Fetched::is_failed) {
        true => Exit::Failed,
        false => Exit::Clean,
    })
}
