//! The prompt flow that walks an engineer through one anomaly: what the
//! advisory says (sanitised), then the questions of DESIGN.md §7.

use std::io;

use super::{Assessment, Evaluator, Judgement, carry_forward, evaluation};
use crate::out::{Out, sanitize};
use crate::record::{Action, Evaluation, VexJustification, VexStatus};

/// How many lines of an advisory's details are shown before it is cut.
const DETAIL_LINES: usize = 24;

/// What the engineer did with one anomaly.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// An evaluation to append to the record.
    Recorded(Box<Evaluation>),
    /// Left open for later; it stays a finding.
    Skipped,
    /// Stop here; what was recorded so far is kept.
    Quit,
}

/// Shows the advisory behind `assessment`, then asks for its evaluation.
pub fn ask(
    out: &mut dyn Out,
    assessment: &Assessment,
    who: &Evaluator,
    position: (usize, usize),
) -> io::Result<Answer> {
    show(out, assessment, position);
    if let Some(earlier) = &assessment.evaluation {
        out.line(&format!(
            "For reference only, the evaluation in force ({} on {}): {}, {}; {}",
            sanitize(&earlier.by),
            earlier.date,
            if earlier.hazardous {
                "hazardous"
            } else {
                "not hazardous"
            },
            earlier.vex_status.as_str(),
            sanitize(&earlier.rationale)
        ));
    }
    if let Some(previous) = &assessment.carry_from {
        out.line(&format!(
            "An evaluation of version {} exists ({} on {}): {}",
            super::version_of(&previous.purl),
            sanitize(&previous.by),
            previous.date,
            sanitize(&previous.rationale)
        ));
        if out.confirm("Carry it forward to this version unchanged?", None)? {
            let carried = carry_forward(&assessment.anomaly, previous, who);
            return Ok(Answer::Recorded(Box::new(carried)));
        }
    }
    match out.select(
        "Evaluate it now?",
        &[
            "evaluate",
            "skip (stays open)",
            "quit (keep what is recorded)",
        ],
        Some(0),
    )? {
        0 => {}
        1 => return Ok(Answer::Skipped),
        _ => return Ok(Answer::Quit),
    }
    let judgement = ask_judgement(out)?;
    let evaluation = evaluation(&assessment.anomaly, judgement, who, None);
    Ok(Answer::Recorded(Box::new(evaluation)))
}

fn ask_judgement(out: &mut dyn Out) -> io::Result<Judgement> {
    let hazardous = out.confirm(
        "Can this flaw contribute to a hazardous situation in this system? (y/n)",
        None,
    )?;
    let (hazards, risk_controls) = if hazardous {
        let hazards = ask_ids(
            out,
            "Hazard IDs in the risk management file (comma-separated)",
            true,
        )?;
        let controls = ask_ids(
            out,
            "Risk-control IDs that address it (comma-separated; empty leaves a finding)",
            false,
        )?;
        (hazards, controls)
    } else {
        (Vec::new(), Vec::new())
    };
    let statuses: Vec<VexStatus> = VexStatus::ALL
        .iter()
        .copied()
        .filter(|s| !(hazardous && *s == VexStatus::NotAffected))
        .collect();
    let labels: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let vex_status = statuses[out
        .select("VEX status", &labels, None)?
        .min(statuses.len() - 1)];
    let vex_justification = if vex_status == VexStatus::NotAffected {
        let labels: Vec<&str> = VexJustification::ALL.iter().map(|j| j.as_str()).collect();
        let index = out.select("Justification", &labels, None)?;
        Some(VexJustification::ALL[index.min(VexJustification::ALL.len() - 1)])
    } else {
        None
    };
    let actions: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    let action = Action::ALL[out
        .select("Action", &actions, None)?
        .min(Action::ALL.len() - 1)];
    let rationale = loop {
        let text = out.input("Rationale (required)", true)?;
        if !text.trim().is_empty() {
            break text;
        }
    };
    Ok(Judgement {
        hazardous,
        hazards,
        risk_controls,
        vex_status,
        vex_justification,
        action,
        rationale,
    })
}

fn ask_ids(out: &mut dyn Out, question: &str, required: bool) -> io::Result<Vec<String>> {
    loop {
        let ids = split_ids(&out.input(question, required)?);
        if !required || !ids.is_empty() {
            return Ok(ids);
        }
    }
}

/// `"HAZ-1, HAZ-2"` -> `["HAZ-1", "HAZ-2"]`.
pub fn split_ids(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Prints what the engineer needs to judge the anomaly; all outside text sanitised.
pub fn show(out: &mut dyn Out, assessment: &Assessment, (index, total): (usize, usize)) {
    let a = &assessment.anomaly;
    let c = &a.component;
    let title = format!(
        "[{index}/{total}] {}: {} in {} {}",
        a.ids_text(),
        a.kind.as_str(),
        c.name,
        c.version
    );
    out.line("");
    out.line(&out.heading(&sanitize(&title)));
    if let Some(summary) = &a.summary {
        out.line(&format!("  {}", sanitize(summary)));
    }
    if let Some(score) = &a.severity {
        out.line(&format!(
            "  severity: {} {} ({})",
            score.base_score, score.severity, score.vector
        ));
    }
    out.line(&format!("  affected: {}", sanitize(&a.affected.join("; "))));
    let fixed = if a.fixed.is_empty() {
        "no fixed version published".to_string()
    } else {
        a.fixed.join(", ")
    };
    out.line(&format!("  fixed in: {}", sanitize(&fixed)));
    if !c.dependency_path.is_empty() {
        out.line(&format!(
            "  pulled in by: {}",
            sanitize(&c.dependency_path.join(" -> "))
        ));
    }
    for reason in &assessment.reasons {
        out.line(&out.alert(&format!("  due: {}", reason.describe())));
    }
    if let Some(details) = &a.details {
        let details = sanitize(details);
        let lines: Vec<&str> = details.lines().collect();
        for line in lines.iter().take(DETAIL_LINES) {
            out.line(&format!("  | {line}"));
        }
        if lines.len() > DETAIL_LINES {
            out.line(&format!(
                "  | ... ({} more lines)",
                lines.len() - DETAIL_LINES
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::State;
    use crate::model::{Component, Ecosystem};
    use crate::out::Scripted;

    fn hostile_assessment() -> Assessment {
        let mut a = crate::evaluate::test_assessment(State::New);
        let anomaly = &mut a.anomaly;
        anomaly.component = Component::new(Ecosystem::CratesIo, "evil\u{1b}[2Jcrate", "1.0.0");
        anomaly.component.dependency_path = vec!["app".into(), "evil\u{7}crate".into()];
        anomaly.summary =
            Some("click \u{1b}]8;;https://evil.example/\u{1b}\\here\u{1b}]8;;\u{1b}\\".into());
        anomaly.details = Some("line one\rover\u{8}\u{8}written\n\u{1b}[31mred\u{1b}[0m".into());
        anomaly.fixed = vec!["1.0.1\u{1b}[1A".into()];
        anomaly.affected = vec!["< 1.0.1".into()];
        a
    }

    #[test]
    fn the_advisory_shown_before_the_questions_carries_no_control_sequence() {
        let mut out = Scripted::new(&[]);
        show(&mut out, &hostile_assessment(), (1, 1));
        let shown = out.transcript.join("\n");
        for forbidden in ['\u{1b}', '\u{7}', '\u{8}', '\r'] {
            assert!(!shown.contains(forbidden), "{forbidden:?} in {shown:?}");
        }
        assert!(shown.contains("click here"), "{shown}");
        assert!(
            shown.contains("evil[2Jcrate") || shown.contains("evilcrate"),
            "{shown}"
        );
    }

    #[test]
    fn ids_split_on_commas_and_spaces() {
        assert_eq!(
            split_ids(" HAZ-1,HAZ-2  RC-3 ,"),
            ["HAZ-1", "HAZ-2", "RC-3"]
        );
        assert!(split_ids(" , ").is_empty());
    }
}
