//! `cargo soup audit` and `cargo soup reevaluate`: the whole chain, from the
//! inventory to each anomaly's evaluation, with prompts on a terminal.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::anyhow;
use clap::Args;
use serde::{Deserialize, Serialize};
use time::Date;

use super::context::{Identified, program_identity};
use super::fetch::{ecosystems_of, ensure_bundled, load_bundled, needs_bundled, refresh};
use super::{Context, Exit, Format, InputArgs};
use crate::evaluate::prompt::{self, Answer};
use crate::evaluate::{Assessment, Audit, AuditOptions, Evaluator, State, audit_key, do_audit};
use crate::inventory::{self, InputFile, InputFormat, Inventory};
use crate::model::Component;
use crate::out::sanitize;
use crate::record::{RecordFile, Release};
use crate::register::{Changes, Register, SourceInfo, Store};
use crate::report::audit::{Subject, audit_json, releases_of};

/// Check the SOUP in use against the published anomaly lists.
///
/// Reads the SOUP (as `list` does), pins it, matches every published anomaly
/// (RustSec, OSV) against the pinned versions, and gives each anomaly its
/// state: new (no evaluation), evaluated, or due (review-by date passed,
/// advisory modified since, version changed, or hazardous without a risk
/// control). On a terminal it then asks for the hazard evaluation of each new
/// or due anomaly and appends it to soup-register.toml. Without a terminal it
/// never waits: it prints what needs a person and the command that records it.
///
/// Exit codes: 0 nothing needs attention, 1 something needs a person, 2 error.
///
/// Examples:
///   cargo soup audit
///   cargo soup audit --offline --allow-stale --format json
///   cargo soup audit --sbom release.cdx.json --fetch
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Fetch advisory data before matching (the scheduled post-market check).
    #[arg(long, conflicts_with = "offline")]
    fetch: bool,
    /// Report advisory data older than the policy allows without failing the audit
    /// (for an air-gapped site with a known-old mirror).
    #[arg(long)]
    allow_stale: bool,
    /// With --fetch: allow plain http for a mirror on a loopback address.
    #[arg(long)]
    allow_http: bool,
    /// Never prompt, even on a terminal.
    #[arg(long)]
    no_prompt: bool,
    /// Who is evaluating (default: SOUP_EVALUATOR, else git's user.name and user.email).
    #[arg(long, env = "SOUP_EVALUATOR")]
    by: Option<String>,
    /// Audit the baseline of this release (from its SBOM in the record's releases folder).
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["lockfile", "sbom", "all_releases"])]
    release: Option<String>,
    /// Audit every release still in the field (not retired): the scheduled post-market check.
    #[arg(long, conflicts_with_all = ["lockfile", "sbom"])]
    all_releases: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Walk through the evaluations that are due again.
///
/// Lists every anomaly whose evaluation is due (review-by date passed, advisory
/// modified since, pinned version changed, hazardous without a risk control),
/// with the reason, and on a terminal asks for a new evaluation of each. The
/// old evaluation stays in the record; the new one supersedes it.
///
/// Example: cargo soup reevaluate --offline
#[derive(Debug, Args)]
pub struct ReevaluateArgs {
    #[command(flatten)]
    audit: AuditArgs,
}

/// Runs `audit`.
pub fn run(cx: &mut Context, args: AuditArgs) -> anyhow::Result<Exit> {
    audit(cx, args, false)
}

/// Runs `reevaluate`.
pub fn reevaluate(cx: &mut Context, args: ReevaluateArgs) -> anyhow::Result<Exit> {
    audit(cx, args.audit, true)
}

/// What one run of `audit` or `reevaluate` was asked for.
struct Asked {
    args: AuditArgs,
    /// `reevaluate`: only due anomalies are shown and asked about.
    only_due: bool,
    options: AuditOptions,
    /// Evaluations are asked for on the terminal.
    prompting: bool,
}

impl Asked {
    fn command(&self) -> &'static str {
        if self.only_due { "reevaluate" } else { "audit" }
    }

    /// True when this run asks a person about `a`: every anomaly that needs
    /// one, or for `reevaluate` only those due again.
    fn is_open(&self, a: &Assessment) -> bool {
        match self.only_due {
            true => a.state == State::Due,
            false => a.state.needs_person(),
        }
    }
}

fn audit(cx: &mut Context, args: AuditArgs, only_due: bool) -> anyhow::Result<Exit> {
    let asked = Asked {
        options: AuditOptions {
            allow_stale: args.allow_stale,
        },
        prompting: cx.out.is_interactive() && args.format == Format::Text && !args.no_prompt,
        args,
        only_due,
    };
    let mut record = cx.load_record()?;
    let mut store = cx.open_store()?;
    let mut register = cx.open_register(record.is_some())?;

    // The working tree is identified before it is read: when nothing the audit
    // reads changed since the last audit of it, that result is reused as it is.
    let working_tree = asked.args.release.is_none() && !asked.args.all_releases;
    let identified = match working_tree {
        true => cx.identify(&asked.args.input, &register)?,
        false => None,
    };
    // An empty store has nothing a kept result could have been made from.
    let first_use = needs_bundled(&store)?;
    if let Some(id) = identified
        .as_ref()
        .filter(|_| !asked.args.fetch && !first_use)
    {
        let sources = store.sources()?;
        let key = key_of(
            &id.fingerprint,
            record.as_ref(),
            &sources,
            cx.today,
            &asked.options,
        );
        if let Some(kept) = register.cached_audit(&id.input_path, &key)? {
            let kept = serde_json::from_str::<Kept>(&kept).ok();
            if let Some(kept) = kept
                .filter(|k| !(asked.prompting && record.is_some() && has_open(&asked, &k.audit)))
            {
                return reuse(cx, &asked, &mut register, kept, record.as_ref());
            }
        }
    }

    let fingerprint = identified.as_ref().map(|id| id.fingerprint.clone());
    let load_meanwhile = first_use && !asked.args.fetch;
    let inventories = read_subjects(
        cx,
        &asked,
        identified,
        record.as_ref(),
        load_meanwhile.then_some(&mut store),
    )?;
    let _settling = load_meanwhile.then(|| store.settle_in_background());
    let subjects = subjects_of(&inventories);
    let components = union_of(inventories.iter().map(|(_, inventory)| inventory));
    let mut fetch_failed = false;
    if asked.args.fetch {
        let sources = record
            .as_ref()
            .map(|r| r.record().sources.clone())
            .unwrap_or_default();
        let ecosystems = ecosystems_of(&components);
        fetch_failed = refresh(cx, &mut store, &sources, &ecosystems, asked.args.allow_http)? > 0;
    }
    ensure_bundled(cx, &mut store)?;
    // Read before matching: data fetched meanwhile by another run makes the next
    // audit do the work again rather than reuse a result that did not see it.
    let sources = store.sources()?;
    let today = cx.today;
    let audit_once = |record: Option<&RecordFile>| {
        do_audit(
            &components,
            record.map(|r| r.record()),
            &store,
            today,
            &asked.options,
        )
    };
    let mut result = audit_once(record.as_ref())?;
    if asked.prompting
        && let Some(record_file) = record.as_mut()
        && walk(cx, record_file, &result, &asked)?
    {
        result = audit_once(record.as_ref())?;
    }

    let changes = register.begin(asked.command(), cx.now)?;
    for (_, inventory) in &inventories {
        changes.pin(inventory)?;
    }
    record_run(&changes, &result, &subjects)?;
    if working_tree {
        let inventory = &inventories[0].1;
        let fingerprint = match fingerprint {
            Some(fingerprint) => Some(fingerprint),
            None => cx.keep_inventory(&changes, &asked.args.input, inventory)?,
        };
        if let Some(fingerprint) = fingerprint {
            let key = key_of(
                &fingerprint,
                record.as_ref(),
                &sources,
                today,
                &asked.options,
            );
            result = keep(&changes, &key, inventory, result)?;
        }
    }
    changes.commit()?;

    let exit = show(cx, &asked, &result, &subjects, record.as_ref())?;
    Ok(if fetch_failed { Exit::Failed } else { exit })
}

/// Reads what the audit looks at: the identified working tree, or what
/// [`subjects`] finds. Given a `store` (its first use), the bundled snapshot
/// loads into it on a second thread meanwhile: neither needs the other, and each
/// is much of a first audit's time. The load is kept only if the reading
/// succeeded, so a bad input changes nothing.
fn read_subjects(
    cx: &mut Context,
    asked: &Asked,
    identified: Option<Identified>,
    record: Option<&RecordFile>,
    store: Option<&mut Store>,
) -> anyhow::Result<Vec<(Option<String>, Inventory)>> {
    let read = |cx: &mut Context| match identified {
        Some(id) => cx
            .read_identified(id, &asked.args.input)
            .map(|inventory| vec![(None, inventory)]),
        None => subjects(
            cx,
            &asked.args.input,
            asked.args.release.as_deref(),
            asked.args.all_releases,
            record,
        ),
    };
    let Some(store) = store else {
        return read(cx);
    };
    let now = cx.now;
    let (read_ok, verdict) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        // Owned here, so that even a panic tells the loader not to keep its load.
        let read_ok = read_ok;
        let loading =
            scope.spawn(move || load_bundled(store, now, move || verdict.recv() == Ok(true)));
        let inventories = read(cx);
        let _ = read_ok.send(inventories.is_ok());
        let loaded = loading
            .join()
            .unwrap_or_else(|_| Err(anyhow!("failed to load the bundled advisory snapshot")));
        let inventories = inventories?;
        loaded?;
        Ok(inventories)
    })
}

/// An audit's result as the register keeps it for the next audit of the same input.
#[derive(Serialize, Deserialize)]
struct Kept {
    input: InputFile,
    format: InputFormat,
    audit: Audit,
}

/// Keeps `result`, the audit of `inventory`, under `key`; gives it back.
fn keep(
    changes: &Changes<'_>,
    key: &str,
    inventory: &Inventory,
    result: Audit,
) -> anyhow::Result<Audit> {
    let kept = Kept {
        input: inventory.input.clone(),
        format: inventory.format,
        audit: result,
    };
    let input_path = kept.input.path.display().to_string();
    changes.cache_audit(&input_path, key, &serde_json::to_string(&kept)?)?;
    Ok(kept.audit)
}

/// Shows a kept result again. Its input was read again (its pins are current:
/// pinning anything else under its path would have forgotten it), and the
/// register records this audit as any other.
fn reuse(
    cx: &mut Context,
    asked: &Asked,
    register: &mut Register,
    kept: Kept,
    record: Option<&RecordFile>,
) -> anyhow::Result<Exit> {
    if cx.verbose {
        cx.out.note(
            "note: nothing this audit reads changed since the last one; its result is reused",
        );
    }
    let subjects = [Subject::working_tree(kept.input.clone(), kept.format)];
    let changes = register.begin(asked.command(), cx.now)?;
    changes.read_again(&kept.input, kept.format)?;
    record_run(&changes, &kept.audit, &subjects)?;
    changes.commit()?;
    show(cx, asked, &kept.audit, &subjects, record)
}

/// The key a result is kept under: the input's fingerprint, the record, the
/// store's sources, the day, the options, and this build.
fn key_of(
    fingerprint: &str,
    record: Option<&RecordFile>,
    sources: &[SourceInfo],
    today: Date,
    options: &AuditOptions,
) -> String {
    audit_key(
        program_identity(),
        fingerprint,
        record.map(RecordFile::saved_text),
        sources,
        today,
        options,
    )
}

/// True when the audit leaves an anomaly for a person to evaluate now.
fn has_open(asked: &Asked, audit: &Audit) -> bool {
    audit.assessments.iter().any(|a| asked.is_open(a))
}

/// Records in the register which advisory data the audit used and what it detected.
fn record_run(changes: &Changes<'_>, result: &Audit, subjects: &[Subject]) -> anyhow::Result<()> {
    let detected: Vec<(String, String)> = result
        .assessments
        .iter()
        .map(|a| (a.anomaly.id.clone(), a.anomaly.component.key()))
        .collect();
    let data = serde_json::to_string(&result.advisory_data)?;
    changes.record_audit(&subject_label(subjects), &data, &detected)?;
    Ok(())
}

/// Prints the result in the asked format and picks the exit code.
fn show(
    cx: &mut Context,
    asked: &Asked,
    result: &Audit,
    subjects: &[Subject],
    record: Option<&RecordFile>,
) -> anyhow::Result<Exit> {
    if asked.prompting && record.is_none() {
        cx.out
            .note("note: evaluations are kept in soup-register.toml, which does not exist yet");
    }
    match asked.args.format {
        Format::Json => {
            let json = audit_json(result, subjects, record.map(|r| r.record()));
            cx.out.line(&serde_json::to_string_pretty(&json)?);
        }
        Format::Text => print_text(cx, result, subjects, asked),
    }
    if record.is_none() {
        cx.hint_init();
    }
    Ok(Exit::from_attention(result.needs_person()))
}

/// What this audit looks at, each with its inventory: the working tree
/// (`None`), one release, or every release in the field.
pub(super) fn subjects(
    cx: &mut Context,
    input: &InputArgs,
    release: Option<&str>,
    all_releases: bool,
    record: Option<&RecordFile>,
) -> anyhow::Result<Vec<(Option<String>, Inventory)>> {
    if release.is_none() && !all_releases {
        return Ok(vec![(None, cx.read_inventory(input)?)]);
    }
    let record = record.ok_or_else(|| {
        anyhow!("failed to audit releases: there is no soup-register.toml; run `cargo soup init` and `cargo soup import`")
    })?;
    let releases: Vec<&Release> = match release {
        Some(version) => vec![record.record().release(version).ok_or_else(|| {
            anyhow!(
                "failed to find release {version} in {}: `cargo soup import SBOM --release {version}` adds it",
                cx.record_path.display()
            )
        })?],
        None => record.record().releases.iter().filter(|r| !r.retired).collect(),
    };
    let dir = cx.record_path.parent().unwrap_or(Path::new("."));
    releases
        .into_iter()
        .map(|release| {
            Ok((
                Some(release.version.clone()),
                baseline_inventory(dir, release)?,
            ))
        })
        .collect()
}

/// A release's committed SBOM, refused if it changed since it was imported.
pub fn baseline_inventory(record_dir: &Path, release: &Release) -> anyhow::Result<Inventory> {
    let inventory = inventory::read_sbom(&record_dir.join(&release.sbom))?;
    if inventory.input.sha256 != release.sha256 {
        return Err(anyhow!(
            "failed to audit release {}: {} changed since it was imported (sha256 {}, the record says {}); \
             restore it, or import it again with --replace",
            release.version,
            release.sbom,
            inventory.input.sha256,
            release.sha256
        ));
    }
    Ok(inventory)
}

/// The subjects of `inventories`, as reports name them.
pub(super) fn subjects_of(inventories: &[(Option<String>, Inventory)]) -> Vec<Subject> {
    inventories
        .iter()
        .map(|(release, inventory)| Subject::new(release.clone(), inventory))
        .collect()
}

/// Every component of every inventory once, by key.
pub(super) fn union_of<'a>(inventories: impl IntoIterator<Item = &'a Inventory>) -> Vec<Component> {
    let mut seen = BTreeSet::new();
    inventories
        .into_iter()
        .flat_map(|inventory| &inventory.components)
        .filter(|c| seen.insert(c.key()))
        .cloned()
        .collect()
}

/// How the register names what was audited.
fn subject_label(subjects: &[Subject]) -> String {
    subjects
        .iter()
        .map(|s| match &s.release {
            Some(version) => format!("release {version}"),
            None => s.input.path.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Asks for each anomaly that needs an evaluation; saves the record after each one.
/// Returns whether any evaluation was recorded.
fn walk(
    cx: &mut Context,
    record_file: &mut RecordFile,
    result: &Audit,
    asked: &Asked,
) -> anyhow::Result<bool> {
    let open: Vec<&Assessment> = result
        .assessments
        .iter()
        .filter(|a| asked.is_open(a))
        .collect();
    if open.is_empty() {
        return Ok(false);
    }
    let who = Evaluator {
        by: evaluator(asked.args.by.clone())?,
        today: cx.today,
        review_period_days: record_file.record().policy.review_period_days,
    };
    let command = asked.command();
    let mut recorded = false;
    for (index, assessment) in open.iter().enumerate() {
        match prompt::ask(cx.out.as_mut(), assessment, &who, (index + 1, open.len()))? {
            Answer::Recorded(evaluation) => {
                record_file.append_evaluation(&evaluation)?;
                let subject = format!("{} {}", evaluation.advisory, evaluation.purl);
                cx.save_record(record_file, command, ("evaluation-recorded", &subject))?;
                cx.out.line(&cx.out.good(&format!(
                    "recorded the evaluation of {} for {} in {}",
                    evaluation.advisory,
                    evaluation.purl,
                    cx.record_path.display()
                )));
                recorded = true;
            }
            Answer::Skipped => cx.out.line("skipped: it stays open"),
            Answer::Quit => break,
        }
    }
    Ok(recorded)
}

/// Who is evaluating: `--by` / SOUP_EVALUATOR, else git's user.name and user.email.
pub fn evaluator(by: Option<String>) -> anyhow::Result<String> {
    if let Some(by) = by.filter(|b| !b.trim().is_empty()) {
        return Ok(by);
    }
    let git = |key: &str| {
        std::process::Command::new("git")
            .args(["config", "--get", key])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    match (git("user.name"), git("user.email")) {
        (Some(name), Some(email)) => Ok(format!("{name} <{email}>")),
        (Some(name), None) => Ok(name),
        (None, Some(email)) => Ok(email),
        (None, None) => Err(anyhow!(
            "failed to tell who is evaluating: pass --by \"Name <email>\", set SOUP_EVALUATOR, or set git's user.name"
        )),
    }
}

fn print_text(cx: &mut Context, result: &Audit, subjects: &[Subject], asked: &Asked) {
    for data in &result.advisory_data {
        let age = data
            .age_days
            .map(|d| format!(", {d} days old"))
            .unwrap_or_default();
        cx.out.note(&sanitize(&format!(
            "advisory data: {}: {} ({} records{age})",
            data.source.name, data.source.location, data.source.record_count
        )));
    }
    for ecosystem in &result.unordered_ecosystems {
        cx.out.note(&format!(
            "note: {ecosystem} has no version order here: matched on enumerated versions only"
        ));
    }
    let shown: Vec<&Assessment> = result
        .assessments
        .iter()
        .filter(|a| !asked.only_due || a.state == State::Due)
        .collect();
    let mut current_item = String::new();
    for a in &shown {
        let c = &a.anomaly.component;
        if c.key() != current_item {
            current_item = c.key();
            cx.out.line("");
            let path = if c.dependency_path.is_empty() {
                String::new()
            } else {
                format!("  via {}", c.dependency_path.join(" -> "))
            };
            cx.out.line(&cx.out.heading(&sanitize(&format!(
                "{} {} ({}){path}",
                c.name, c.version, current_item
            ))));
        }
        print_anomaly(cx, a);
        let releases = releases_of(subjects, &current_item);
        if !releases.is_empty() {
            cx.out.line(&sanitize(&format!(
                "            in releases: {}",
                releases.join(", ")
            )));
        }
    }
    let other: Vec<_> = result.other_findings().collect();
    if !other.is_empty() {
        cx.out.line("");
        cx.out.line(&cx.out.heading("findings"));
        for f in other {
            let waived = if f.waived {
                " (allowed for this run)"
            } else {
                ""
            };
            cx.out.line(&sanitize(&format!(
                "  {:<28} {} {}{waived}",
                f.code.as_str(),
                f.subject,
                f.message
            )));
        }
    }
    let open: Vec<&&Assessment> = shown.iter().filter(|a| asked.is_open(a)).collect();
    if !open.is_empty() && !asked.prompting {
        cx.out.line("");
        cx.out
            .line("to record an evaluation without prompts (one per anomaly), for example:");
        for a in open.iter().take(3) {
            cx.out.line(&sanitize(&format!(
                "  cargo soup evaluate {} --package {}@{} --not-hazardous --vex not_affected \\\n    \
                 --justification vulnerable_code_not_in_execute_path --rationale \"<why>\"",
                a.anomaly.id, a.anomaly.component.name, a.anomaly.component.version
            )));
        }
    }
    let count = |state| shown.iter().filter(|a| a.state == state).count();
    let summary = format!(
        "{} SOUP items from {}: {} anomalies ({} new, {} due, {} evaluated); {}",
        result.components,
        subject_label(subjects),
        shown.len(),
        count(State::New),
        count(State::Due),
        count(State::Evaluated),
        if result.needs_person() {
            "something needs a person"
        } else {
            "nothing needs attention"
        }
    );
    cx.out.line("");
    let summary = if result.needs_person() {
        cx.out.alert(&summary)
    } else {
        cx.out.good(&summary)
    };
    cx.out.line(&summary);
}

fn print_anomaly(cx: &mut Context, a: &Assessment) {
    let state = match a.state {
        State::New => cx.out.alert("NEW      "),
        State::Due => cx.out.alert("DUE      "),
        State::Evaluated => cx.out.good("EVALUATED"),
    };
    let aliases = if a.anomaly.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", a.anomaly.aliases.join(", "))
    };
    let severity = a
        .anomaly
        .severity
        .as_ref()
        .map(|s| format!(" {} {}", s.base_score, s.severity))
        .unwrap_or_default();
    cx.out.line(&format!(
        "  {state} {}",
        sanitize(&format!(
            "{}{aliases} {}{severity}",
            a.anomaly.id,
            a.anomaly.kind.as_str()
        ))
    ));
    if let Some(summary) = &a.anomaly.summary {
        cx.out.line(&format!("            {}", sanitize(summary)));
    }
    let fixed = if a.anomaly.fixed.is_empty() {
        "none published".to_string()
    } else {
        a.anomaly.fixed.join(", ")
    };
    cx.out
        .line(&format!("            fixed in: {}", sanitize(&fixed)));
    for reason in &a.reasons {
        cx.out
            .line(&format!("            due: {}", reason.describe()));
    }
    if let Some(e) = &a.evaluation {
        let hazard = if e.hazardous {
            format!(
                "hazardous ({}; controls: {})",
                e.hazards.join(", "),
                e.risk_controls.join(", ")
            )
        } else {
            "not hazardous".to_string()
        };
        cx.out.line(&sanitize(&format!(
            "            evaluated by {} on {}: {hazard}, {}, review by {}",
            e.by,
            e.date,
            e.vex_status.as_str(),
            e.review_by
        )));
    }
}
