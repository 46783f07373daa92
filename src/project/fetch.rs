//! `fetch`: bringing the advisory store up to date, from the network or from a
//! local mirror, each source swapped in whole.

use std::collections::HashMap;
use std::path::Path;

use super::{Input, Project, ProjectError};
use crate::advisory::source::{self, Download, RUSTSEC, SourceError};
use crate::model::{Component, Ecosystem};
use crate::net::{Client, NetOptions};
use crate::out::Out;
use crate::register::{Skipped, SourceInfo, Store, stamp};

/// What happened to one source.
#[derive(Debug)]
pub enum FetchOutcome {
    /// The server said it is unchanged since the last fetch.
    Unchanged,
    /// New data was swapped in.
    Updated(SourceInfo),
    /// It failed; its previous data was kept (the text says so).
    Failed(String),
}

/// One source's outcome, with where it was fetched from.
#[derive(Debug)]
pub struct Fetched {
    pub name: String,
    pub url: String,
    pub outcome: FetchOutcome,
}

impl Fetched {
    /// True when the download failed: `fetch` exits 2, the data kept as it was.
    pub fn is_failed(&self) -> bool {
        matches!(self.outcome, FetchOutcome::Failed(_))
    }
}

impl Project {
    /// Loads a local mirror (a zip or a directory of OSV records, or RustSec's
    /// native database) as the source `name`. A mirror with fewer than half the
    /// records of the source it replaces is refused unless `replace`.
    pub fn fetch_mirror(
        &mut self,
        path: &Path,
        name: Option<&str>,
        replace: bool,
    ) -> Result<SourceInfo, ProjectError> {
        let mirror = source::from_mirror(path, name, &stamp(self.now))?;
        let store = self.store()?;
        let counts = record_counts(store)?;
        let info = store.replace(|loader| {
            let info = mirror.load(loader)?;
            source::check_shrink(&info, counts.get(&info.name).copied(), replace)?;
            Ok::<_, SourceError>(info)
        })?;
        store.settle();
        Ok(info)
    }

    /// The ecosystems `fetch` downloads for: those of `input`'s SOUP. A project
    /// that cannot be read yet (no lockfile, not a Rust project) still gets
    /// RustSec, said through `out`. With `--offline` nothing may be fetched.
    pub fn ecosystems_to_fetch(
        &mut self,
        input: &Input,
        out: &mut dyn Out,
    ) -> Result<Vec<Ecosystem>, ProjectError> {
        if input.offline {
            return Err(ProjectError::Refused(
                "failed to fetch: --offline forbids the network; use --from for a local mirror"
                    .to_string(),
            ));
        }
        match self.read_inventory(input, out) {
            Ok(inventory) => Ok(ecosystems_of(&inventory.components)),
            Err(e) if input.is_project() => {
                out.note(&format!(
                    "note: no project inventory ({e}); fetching RustSec only"
                ));
                Ok(vec![Ecosystem::CratesIo])
            }
            Err(e) => Err(e),
        }
    }

    /// Downloads every enabled source for `ecosystems`, each only when it changed.
    pub fn fetch(
        &mut self,
        ecosystems: &[Ecosystem],
        (allow_http, replace): (bool, bool),
        out: &mut dyn Out,
    ) -> Result<Vec<Fetched>, ProjectError> {
        let sources = self
            .record
            .as_ref()
            .map(|r| r.record().sources.clone())
            .unwrap_or_default();
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
        let now = stamp(self.now);
        let store = self.store()?;
        let counts = record_counts(store)?;
        let mut fetched = Vec::new();
        for (name, url) in wanted {
            let previous = store.source(&name)?;
            let result = source::download(
                &client,
                &name,
                &url,
                previous.as_ref(),
                &now,
                &mut |done, total| out.progress(&name, done, total),
            );
            out.progress_done(&name);
            let loaded = result.and_then(|download| match download {
                Download::Unchanged => Ok(None),
                Download::Updated(incoming) => {
                    let info = store.replace(|loader| {
                        let info = incoming.load(loader)?;
                        source::check_shrink(&info, counts.get(&info.name).copied(), replace)?;
                        Ok::<_, SourceError>(info)
                    })?;
                    store.settle();
                    Ok(Some(info))
                }
            });
            let outcome = match loaded {
                Ok(None) => {
                    store.confirm_unchanged(&name, &now, &now)?;
                    FetchOutcome::Unchanged
                }
                Ok(Some(info)) => FetchOutcome::Updated(info),
                Err(SourceError::Store(e)) => return Err(e.into()),
                Err(e) => FetchOutcome::Failed(failure(&e)),
            };
            fetched.push(Fetched { name, url, outcome });
        }
        Ok(fetched)
    }

    /// Fetches for `ecosystems` as part of another command; every outcome is
    /// told through `out`. Returns how many sources failed.
    pub(super) fn refresh(
        &mut self,
        ecosystems: &[Ecosystem],
        allow_http: bool,
        out: &mut dyn Out,
    ) -> Result<usize, ProjectError> {
        let fetched = self.fetch(ecosystems, (allow_http, false), out)?;
        for f in &fetched {
            out.note(&describe(f));
        }
        Ok(fetched.iter().filter(|f| f.is_failed()).count())
    }
}

/// Each source's record count, by name.
fn record_counts(store: &Store) -> Result<HashMap<String, usize>, ProjectError> {
    Ok(store
        .sources()?
        .into_iter()
        .map(|s| (s.name, s.record_count))
        .collect())
}

/// One line on what happened to a fetched source.
pub fn describe(f: &Fetched) -> String {
    match &f.outcome {
        FetchOutcome::Unchanged => {
            format!("{}: unchanged since the last fetch ({})", f.name, f.url)
        }
        FetchOutcome::Updated(info) => {
            let mut text = format!("{}: {} records from {}", f.name, info.record_count, f.url);
            for warning in skipped_warnings(&info.skipped) {
                text = format!("{warning}\n{text}");
            }
            text
        }
        FetchOutcome::Failed(why) => format!("error: {}: {why}", f.name),
    }
}

/// One line on a local mirror loaded as a source: its data is as current as
/// its newest record, when any record says when it changed (the Go
/// database's export dates none).
pub fn describe_loaded(info: &SourceInfo) -> String {
    let newest = match info.data_date.as_str() {
        "" => "no record says when it changed".to_string(),
        date => format!("newest record {date}"),
    };
    format!(
        "loaded {} records from {} as `{}` ({newest})",
        info.record_count, info.location, info.name
    )
}

/// Why a download failed, saying once that the source's data was kept: the
/// errors about the data itself say it in their own words.
fn failure(e: &SourceError) -> String {
    match e {
        SourceError::Shrank { .. } | SourceError::NoRecords { .. } => e.to_string(),
        other => format!("{other}; its previous data was kept"),
    }
}

/// Warnings for records that could not be loaded: the first ten, then a count.
pub fn skipped_warnings(skipped: &[Skipped]) -> Vec<String> {
    let mut lines: Vec<String> = skipped
        .iter()
        .take(10)
        .map(|s| format!("warning: skipped {}: {}", s.entry, s.reason))
        .collect();
    if skipped.len() > 10 {
        lines.push(format!(
            "warning: ... and {} more records skipped",
            skipped.len() - 10
        ));
    }
    lines
}

/// The ecosystems with a machine-readable anomaly list among `components`.
pub fn ecosystems_of(components: &[Component]) -> Vec<Ecosystem> {
    let mut ecosystems: Vec<Ecosystem> = components
        .iter()
        .filter(|c| c.is_matchable())
        .map(|c| c.ecosystem.clone())
        .collect();
    ecosystems.sort();
    ecosystems.dedup();
    ecosystems
}
