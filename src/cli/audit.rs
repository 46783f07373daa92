//! `cargo soup audit` and `cargo soup reevaluate`: arguments, and the audit's
//! result on the terminal.

use clap::Args;

use super::context::evaluator;
use super::{Context, Exit, Format, InputArgs, finding_row, plural};
use crate::evaluate::{Assessment, Audit, AuditOptions, State, StateCounts};
use crate::out::{Out, sanitize};
use crate::project::{AuditRequest, AuditRun, AuditScope, free_meanwhile, subject_label};
use crate::report::audit::{Subject, audit_json, releases_of};

/// Check the SOUP in use against the published anomaly lists.
///
/// Reads the SOUP (as `list` does), pins it, matches every published anomaly
/// (RustSec, OSV) against the pinned versions, and gives each anomaly its
/// state: new (no evaluation), evaluated, under investigation, or due
/// (review-by date passed, advisory modified since, version changed, or
/// hazardous without a risk control). On a terminal it then asks for the
/// hazard evaluation of each new or due anomaly and appends it to
/// soup-register.toml. Without a terminal it never waits: it prints what needs
/// a person and the command that records it.
///
/// Exit codes: 0 nothing needs attention, 1 something needs a person, 2 error.
///
/// Examples:
///   cargo soup audit
///   cargo soup audit --offline --allow-stale --format json
///   cargo soup audit --sbom release.cdx.json --fetch
///   cargo soup audit --all-releases --fetch
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
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
/// Example:
///   cargo soup reevaluate --offline
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ReevaluateArgs {
    #[command(flatten)]
    pub audit: AuditArgs,
}

/// Runs `audit`, or with `only_due` `reevaluate`.
pub fn run(cx: &mut Context, args: AuditArgs, only_due: bool) -> anyhow::Result<Exit> {
    let mut project = cx.open()?;
    let prompting = cx.out.is_interactive()
        && args.format == Format::Text
        && !args.no_prompt
        && project.record().is_some();
    let request = AuditRequest {
        input: args.input.input(),
        scope: match args.all_releases {
            true => AuditScope::AllReleases,
            false => AuditScope::of_release(args.release.as_deref()),
        },
        options: AuditOptions {
            allow_stale: args.allow_stale,
        },
        only_due,
        prompt_as: prompting.then(|| evaluator(args.by.clone())).transpose()?,
        fetch: args.fetch.then_some(args.allow_http),
    };
    // The JSON is written while the register commits the result, and
    // printed once it has.
    let json = args.format == Format::Json;
    let (run, rendered) =
        project.audit_rendered(&request, cx.out.as_mut(), |audit, subjects, record| {
            json.then(|| serde_json::to_string_pretty(&audit_json(audit, subjects, record)))
        })?;
    match rendered {
        Some(text) => cx.out.line(&text?),
        None => print_text(cx.out.as_mut(), &run, &request),
    }
    cx.hint_init(&project);
    let exit = match run.fetch_failures {
        0 => Exit::from_attention(run.audit.needs_person()),
        _ => Exit::Failed,
    };
    // The project's two databases are closed there too, or by the system at
    // exit: both are committed, and a close writes nothing (each keeps its
    // log), so a connection that ends with the process loses nothing. Closing
    // them was a twentieth of a fresh clone's audit.
    free_meanwhile((run, project));
    Ok(exit)
}

fn print_text(out: &mut dyn Out, run: &AuditRun, request: &AuditRequest) {
    let audit = &run.audit;
    for data in &audit.advisory_data {
        out.note(&sanitize(&data.describe()));
    }
    for ecosystem in &audit.unordered_ecosystems {
        out.note(&format!(
            "note: {ecosystem} has no version order here: matched on enumerated versions only"
        ));
    }
    let shown = request.shown(audit);
    let mut current_item = String::new();
    for a in &shown {
        let c = &a.anomaly.component;
        if c.key() != current_item {
            current_item = c.key().into_owned();
            out.line("");
            let via = match c.dependency_path.is_empty() {
                true => String::new(),
                false => format!("  via {}", c.dependency_path.join(" -> ")),
            };
            let part = c.input.as_ref().map(|part| format!("  in {part}"));
            out.line(&out.heading(&sanitize(&format!(
                "{} {} ({current_item}){via}{}",
                c.name,
                c.version,
                part.unwrap_or_default()
            ))));
        }
        print_anomaly(out, a);
        let releases = releases_of(&run.subjects, &current_item);
        if !releases.is_empty() {
            out.line(&sanitize(&format!(
                "            in releases: {}",
                releases.join(", ")
            )));
        }
    }
    print_findings(out, audit);
    let open: Vec<&&Assessment> = shown.iter().filter(|a| request.is_open(a)).collect();
    if !open.is_empty() && request.prompt_as.is_none() {
        out.line("");
        out.line("to record an evaluation without prompts (one per anomaly; every judgement is yours), for example:");
        for a in open.iter().take(3) {
            out.line(&sanitize(&request.evaluate_command(a)));
        }
    }
    print_summary(out, audit, StateCounts::of(shown), &run.subjects);
}

fn print_findings(out: &mut dyn Out, audit: &Audit) {
    let other: Vec<_> = audit.other_findings().collect();
    if other.is_empty() {
        return;
    }
    out.line("");
    out.line(&out.heading("findings"));
    for f in other {
        let waived = if f.waived { " (allowed here)" } else { "" };
        out.line(&format!("  {}{waived}", finding_row(f, 30)));
    }
}

fn print_summary(out: &mut dyn Out, audit: &Audit, counts: StateCounts, subjects: &[Subject]) {
    let investigating = match counts.under_investigation {
        0 => String::new(),
        n => format!(", {n} under investigation"),
    };
    let summary = format!(
        "{}: {} ({} new, {} due{investigating}, {} evaluated); {}",
        plural(audit.components, "SOUP item", "SOUP items") + " from " + &subject_label(subjects),
        plural(counts.total(), "anomaly", "anomalies"),
        counts.new,
        counts.due,
        counts.evaluated,
        if audit.needs_person() {
            "something needs a person"
        } else {
            "nothing needs attention"
        }
    );
    out.line("");
    out.summary(audit.needs_person(), &summary);
}

fn print_anomaly(out: &mut dyn Out, a: &Assessment) {
    let state = match a.state {
        State::New => out.alert("NEW      "),
        State::Due => out.alert("DUE      "),
        State::UnderInvestigation => out.alert("INVESTIGATING"),
        State::Evaluated => out.good("EVALUATED"),
    };
    let severity = a
        .anomaly
        .severity
        .as_ref()
        .map(|s| format!(" {} {}", s.base_score, s.severity))
        .unwrap_or_default();
    out.line(&format!(
        "  {state} {}",
        sanitize(&format!(
            "{} {}{severity}",
            a.anomaly.ids_text(),
            a.anomaly.kind.as_str()
        ))
    ));
    if let Some(summary) = &a.anomaly.summary {
        out.line(&format!("            {}", sanitize(summary)));
    }
    let fixed = if a.anomaly.fixed.is_empty() {
        "none published".to_string()
    } else {
        a.anomaly.fixed.join(", ")
    };
    out.line(&format!("            fixed in: {}", sanitize(&fixed)));
    for reason in &a.reasons {
        out.line(&format!("            due: {}", reason.describe()));
    }
    if let Some(e) = &a.evaluation {
        out.line(&sanitize(&format!(
            "            evaluated by {} on {}: {}, {}, review by {}",
            e.by,
            e.date,
            e.hazard_text(),
            e.vex_status.as_str(),
            e.review_by
        )));
    }
}
