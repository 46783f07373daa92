//! `cargo soup fetch`: bring the advisory store up to date, from the network or
//! from a local mirror.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::anyhow;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::OffsetDateTime;

use super::{Context, Exit, InputArgs};
use crate::advisory::source::{self, Download, RUSTSEC, SourceError};
use crate::model::Ecosystem;
use crate::net::{Client, NetOptions};
use crate::record::Sources;
use crate::register::{Store, stamp};

/// Download the published anomaly lists into the advisory store.
///
/// Fetches RustSec (its OSV export) and OSV's bulk export of every ecosystem
/// the project's SOUP comes from, each only if it changed since the last fetch
/// (ETag / Last-Modified). Each source is swapped in whole: a failed or
/// truncated download keeps the previous data. HTTPS_PROXY is honoured. URLs
/// come from [sources] in soup-register.toml.
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
    #[command(flatten)]
    input: InputArgs,
}

/// Runs `fetch`.
pub fn run(cx: &mut Context, args: FetchArgs) -> anyhow::Result<Exit> {
    let mut store = cx.open_store()?;
    if let Some(path) = &args.from {
        let mirror = source::from_mirror(path, args.name.as_deref(), &stamp(cx.now))?;
        let info = store.replace(|loader| mirror.load(loader))?;
        store.settle();
        report_skipped(cx, &info.skipped);
        cx.out.note(&format!(
            "loaded {} records from {} as `{}` (newest record {})",
            info.record_count, info.location, info.name, info.data_date
        ));
        return Ok(Exit::Clean);
    }
    if args.input.offline {
        return Err(anyhow!(
            "failed to fetch: --offline forbids the network; use --from for a local mirror"
        ));
    }
    let record = cx.load_record()?;
    let sources = record
        .as_ref()
        .map(|r| r.record().sources.clone())
        .unwrap_or_default();
    let ecosystems = match cx.read_inventory(&args.input) {
        Ok(inventory) => ecosystems_of(&inventory.components),
        Err(e) if args.input.lockfile.is_none() && args.input.sbom.is_none() => {
            cx.out.note(&format!(
                "note: no project inventory ({e}); fetching RustSec only"
            ));
            vec![Ecosystem::CratesIo]
        }
        Err(e) => return Err(e),
    };
    let failures = refresh(cx, &mut store, &sources, &ecosystems, args.allow_http)?;
    Ok(if failures == 0 {
        Exit::Clean
    } else {
        Exit::Failed
    })
}

/// The ecosystems with a machine-readable anomaly list among `components`.
pub fn ecosystems_of(components: &[crate::model::Component]) -> Vec<Ecosystem> {
    let mut ecosystems: Vec<Ecosystem> = components
        .iter()
        .filter(|c| c.is_matchable())
        .map(|c| c.ecosystem.clone())
        .collect();
    ecosystems.sort();
    ecosystems.dedup();
    ecosystems
}

/// Downloads every enabled source for `ecosystems`; returns how many failed
/// (each named on the terminal, each keeping its previous data).
pub fn refresh(
    cx: &mut Context,
    store: &mut Store,
    sources: &Sources,
    ecosystems: &[Ecosystem],
    allow_http: bool,
) -> anyhow::Result<usize> {
    let client = Client::new(NetOptions {
        allow_http,
        ..NetOptions::default()
    })?;
    let mut wanted: Vec<(String, String)> = Vec::new();
    if sources.rustsec.enabled && ecosystems.contains(&Ecosystem::CratesIo) {
        wanted.push((RUSTSEC.to_string(), sources.rustsec.url.clone()));
    }
    if sources.osv.enabled {
        for ecosystem in ecosystems {
            wanted.push((
                source::osv_source_name(ecosystem),
                source::osv_export_url(&sources.osv.url, ecosystem),
            ));
        }
    }
    let mut failures = 0;
    for (name, url) in wanted {
        let previous = store.source(&name)?;
        let bar = progress_bar(&name);
        let now = stamp(cx.now);
        let result = source::download(
            &client,
            &name,
            &url,
            previous.as_ref(),
            &now,
            &mut |done, total| {
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(done);
            },
        );
        bar.finish_and_clear();
        let loaded = result.and_then(|download| match download {
            Download::Unchanged => Ok(None),
            Download::Updated(incoming) => {
                let info = store.replace(|loader| incoming.load(loader))?;
                store.settle();
                Ok(Some(info))
            }
        });
        match loaded {
            Ok(None) => {
                store.confirm_unchanged(&name, &now, &now)?;
                cx.out
                    .note(&format!("{name}: unchanged since the last fetch ({url})"));
            }
            Ok(Some(info)) => {
                report_skipped(cx, &info.skipped);
                cx.out
                    .note(&format!("{name}: {} records from {url}", info.record_count));
            }
            Err(SourceError::Store(e)) => return Err(e.into()),
            Err(e) => {
                failures += 1;
                cx.out
                    .note(&format!("error: {name}: {e}; its previous data was kept"));
            }
        }
    }
    Ok(failures)
}

/// Loads the bundled RustSec snapshot when the store has no RustSec data yet.
pub fn ensure_bundled(cx: &Context, store: &mut Store) -> anyhow::Result<()> {
    if needs_bundled(store)? {
        load_bundled(store, cx.now, || true)?;
        store.settle();
    }
    Ok(())
}

/// True when the store has no RustSec data yet: the bundled snapshot is loaded first.
pub fn needs_bundled(store: &Store) -> anyhow::Result<bool> {
    Ok(store.source(RUSTSEC)?.is_none())
}

/// Loads the bundled RustSec snapshot, stamped as fetched `now`, and keeps it
/// if `proceed` says so once it is in (else the store is left as it was); the
/// caller settles the store's log.
pub fn load_bundled(
    store: &mut Store,
    now: OffsetDateTime,
    proceed: impl FnOnce() -> bool,
) -> anyhow::Result<()> {
    let snapshot = source::bundled(&stamp(now))?;
    store.replace(|loader| {
        let info = snapshot.load(loader)?;
        match proceed() {
            true => Ok(info),
            false => Err(anyhow!(
                "the command failed; the bundled snapshot was not kept"
            )),
        }
    })?;
    Ok(())
}

fn report_skipped(cx: &mut Context, skipped: &[crate::register::Skipped]) {
    for s in skipped.iter().take(10) {
        cx.out.note(&crate::out::sanitize(&format!(
            "warning: skipped {}: {}",
            s.entry, s.reason
        )));
    }
    if skipped.len() > 10 {
        cx.out.note(&format!(
            "warning: ... and {} more records skipped",
            skipped.len() - 10
        ));
    }
}

/// A bar on standard error, drawn only when it is a terminal.
fn progress_bar(name: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>14} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(name.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
